"""A council's own reply templates reach the decide dialog: its rejections, and each outcome's
own letter, which goes to the referrer as the outcome."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select
from textual.widgets import OptionList

from ffd_core.forms import export_defaults
from ffd_core.store.tables import Message
from ffd_tui.screens.dialogs import DecideDialog
from tests.tui.conftest import SIZE, make_app, settle, type_text

pytestmark = pytest.mark.anyio

OURS_REJECTION = "Below the Brackenshire threshold: the Family Hub can help."
OURS_OUTCOME = "The Family Hub will ring the family this week."


@pytest.fixture
def councils_templates(ctx, tmp_path):
    export_defaults(tmp_path)
    templates = tmp_path / "templates.yaml"
    text = templates.read_text()
    for theirs, ours in (
            ("It does not meet the threshold for children's social care.", OURS_REJECTION),
            ("The early help team will contact the family to offer support.", OURS_OUTCOME)):
        assert theirs in text
        text = text.replace(theirs, ours)
    templates.write_text(text.replace("\nversion: 1\n", "\nversion: 2\n", 1))
    ctx.settings = replace(ctx.settings, forms_dir=str(tmp_path))


def shown(dialog: DecideDialog) -> list[str]:
    options = dialog.query_one("#template", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_the_decide_dialog_offers_the_councils_rejections_and_outcome_letters(
        ctx, people, queue_of_five, councils_templates):
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        contact_id = app.screen.contact_id
        await pilot.press("d", "n")
        dialog = app.screen
        assert isinstance(dialog, DecideDialog)
        assert shown(dialog) == ["1  Below threshold", "2  Not enough information",
                                 "3  Consent not recorded", "4  Wrong service",
                                 "5  No further action"]
        await pilot.press("1")
        assert OURS_REJECTION in str(dialog.query_one("#preview").render())
        dialog.query_one("#outcome").focus()
        await pilot.press("e")
        assert shown(dialog)[-1] == "5  Early help"  # the outcome's own letter follows it
        await pilot.press("5")
        assert OURS_OUTCOME in str(dialog.query_one("#preview").render())
        await type_text(pilot, "family agrees to support")
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        await settle(pilot)
    with ctx.read() as session:
        [reply] = session.execute(select(Message).where(
            Message.contact_id == contact_id, Message.direction == "out",
            Message.kind != "acknowledgement")).scalars().all()
    assert reply.kind == "outcome" and OURS_OUTCOME in reply.body
    assert reply.state == "held"  # early help waits for a supervisor's sign-off
