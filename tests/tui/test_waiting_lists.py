"""The console's lists of what waits for a person: an officer gives a decided child its
case-system person (N), a supervisor releases quarantined email (Q); the keys are hidden
from those who may not use them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from textual.widgets import Input, Static

from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.vocab import LevelOfNeed, Outcome
from ffd_core.services import contacts, decisions, intake, needs_person, ownership, quarantine
from ffd_core.services.context import SYSTEM
from ffd_tui.screens.dialogs import ReasonDialog
from ffd_tui.screens.waiting_lists import NeedsPersonScreen, QuarantineScreen
from tests.connectors.mail_world import INTAKE, an_email, intake_settings
from tests.factories import new_contact
from tests.tui.conftest import SIZE, make_app, settle, type_text

pytestmark = pytest.mark.anyio
REFER = ChildDecision(Outcome.SOCIAL_CARE_REFERRAL, "Unexplained injury.",
                      level_of_need=LevelOfNeed.ACUTE, primary_need="N1")


async def open_list(pilot, key: str) -> None:  # noqa: ANN001
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)


async def test_an_officer_confirms_a_new_person_for_a_decided_child(ctx, people):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    decisions.decide(ctx, people["olivia"], receipt.contact_id, same_for_all=REFER)
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "N")
        screen = app.screen
        assert isinstance(screen, NeedsPersonScreen) and len(screen.rows) == 1
        detail = str(screen.query_one("#detail", Static).render())
        assert "not linked to a person in the index" in detail
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        await type_text(pilot, "searched the case system: no record")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.rows == []
    assert needs_person.waiting(ctx, people["olivia"]) == []


async def test_a_supervisor_releases_quarantined_email_and_an_officer_has_no_q(ctx, people):
    ctx.settings = intake_settings(replace(ctx.settings))
    raw = an_email("Someone <someone@elsewhere.example>")
    intake.receive(ctx, SYSTEM, intake.Arrival("127.0.0.1", "b@x.example", (INTAKE,), raw, len(raw)))
    officer = make_app(ctx, people["olivia"])
    async with officer.run_test(size=SIZE) as pilot:
        await open_list(pilot, "Q")
        assert not isinstance(officer.screen, QuarantineScreen)
    app = make_app(ctx, people["sam"])
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "Q")
        screen = app.screen
        assert isinstance(screen, QuarantineScreen) and len(screen.rows) == 1
        await pilot.press("enter")  # read it (audited)
        await settle(pilot)
        assert "4 Oak Street" in str(screen.query_one("#detail", Static).render())
        await pilot.press("r")
        await settle(pilot)
        await type_text(pilot, "sender phoned to confirm")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.rows == []
    assert quarantine.held(ctx, people["sam"]) == []


async def test_an_officer_completes_an_emailed_contact_with_k(ctx, people):
    from textual.widgets import Select

    from ffd_tui.screens.dialogs.complete import CompleteDialog
    from ffd_tui.screens.contact import ContactScreen

    ctx.settings = intake_settings(replace(ctx.settings))
    raw = an_email()
    filed = intake.receive(ctx, SYSTEM, intake.Arrival("127.0.0.1", "b@police.example", (INTAKE,),
                                                       raw, len(raw)))
    ownership.claim(ctx, people["olivia"], filed.contact_id)
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ContactScreen(filed.contact_id))
        await settle(pilot)
        screen = app.screen
        assert "TO COMPLETE" in str(screen.query_one("#contact-header", Static).render())
        await pilot.press("K")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CompleteDialog)
        await pilot.press("ctrl+s")  # nothing typed: every problem, before any confirmation
        await settle(pilot)
        said = str(dialog.query_one("#dialog-error", Static).render())
        assert app.screen is dialog
        for problem in ("child 1: enter a name", "choose a category",
                        "say whether consent was given"):
            assert problem in said
        await type_text(pilot, "Maisie")
        dialog.query_one("#family", Input).value = "Thompson"
        dialog.query_one("#category", Select).value = "neglect"
        dialog.query_one("#consent", Select).value = "given"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen and not screen.view.to_complete
        assert [c.name for c in screen.view.children] == ["Maisie Thompson"]


async def test_the_needs_a_person_title_says_how_many_wait_not_the_limit(ctx, people, monkeypatch):
    for minutes in (30, 20, 10):
        receipt = contacts.submit(ctx, people["teacher"], new_contact(
            ctx.now() - timedelta(minutes=minutes)))
        ownership.claim(ctx, people["olivia"], receipt.contact_id)
        decisions.decide(ctx, people["olivia"], receipt.contact_id, same_for_all=REFER)
    page = needs_person.waiting_page(ctx, people["olivia"], limit=2)
    assert (len(page.rows), page.total) == (2, 3)
    monkeypatch.setattr(NeedsPersonScreen, "limit", 2)
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "N")
        title = str(app.screen.query_one("#list-title", Static).render())
        assert title.endswith("(2 of 3 shown, oldest first)")
        assert len(app.screen.rows) == 2
