"""The person index's review queue in the console: possible matches, decided with a reason."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from textual.widgets import OptionList

from ffd_core.services.context import SYSTEM
from ffd_core.synthetic.demo_people import load_demo_people
from ffd_core.store.tables import AuditEvent
from ffd_tui.screens.dialogs import ReasonDialog
from ffd_tui.screens.holding import HoldingScreen
from ffd_tui.screens.review import ReviewScreen
from tests.tui.conftest import SIZE, make_app, settle, type_text, until

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def demo_people(ctx):
    load_demo_people(ctx, SYSTEM, seed=26, children=400, as_of=date(2026, 11, 24))  # two pairs to review


@SQLITE
@pytest.mark.anyio
async def test_split_a_possible_match_with_a_reason(ctx, people, demo_people):
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await until(pilot, lambda: len(screen.pairs) == 2)
        assert screen.query_one("#review-list", OptionList).option_count == 2
        assert screen.check_action("decide", (False,))
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        await type_text(pilot, "different mothers on the birth records")
        await pilot.press("enter")
        await settle(pilot)
        await until(pilot, lambda: len(screen.pairs) == 1)
        assert app.screen is screen
        assert screen.query_one("#review-list", OptionList).option_count == 1
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HoldingScreen)
    with ctx.read() as session:
        events = session.execute(select(AuditEvent).where(
            AuditEvent.action == "person_link_split")).scalars().all()
    assert len(events) == 1
    assert events[0].actor_name == people["olivia"].name
    assert events[0].data["reason"] == "different mothers on the birth records"


@SQLITE
@pytest.mark.anyio
async def test_a_social_worker_does_not_get_the_review_key(ctx, people, demo_people):
    app = make_app(ctx, people["wendy"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HoldingScreen)
        assert not app.screen.check_action("review_matches", ())
        await pilot.press("P")
        await settle(pilot)
        assert not isinstance(app.screen, ReviewScreen)
