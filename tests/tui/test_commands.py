"""Screens only present: each dialog hands its screen a typed command, the screen runs one
service in a worker and is answered by a typed message (watched here with Textual's message
hook), and rules such as "reply only if the referrer has an email" come from ffd_core."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ffd_core.domain.vocab import Priority
from ffd_core.services import contacts, ownership, screening
from ffd_core.services.context import SYSTEM
from ffd_core.store.tables import Message as StoredMessage
from ffd_tui.screens.contact import ContactScreen
from ffd_tui.screens.dialogs import AllocateDialog, DecideDialog
from ffd_tui.screens.holding import HoldingScreen
from tests.factories import new_contact
from tests.tui.conftest import SIZE, make_app, row_of, settle, type_text, until

pytestmark = pytest.mark.anyio


def messages_of(seen: list, kind: type) -> list:
    return [m for m in seen if isinstance(m, kind)]


async def allocate_to(pilot, app, name: str, reason: str) -> None:
    await pilot.press("r")
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, AllocateDialog)
    for _ in range([n for _id, n in dialog.staff].index(name)):
        await pilot.press("down")
    await pilot.press("enter")
    await type_text(pilot, reason)
    await pilot.press("enter", "y")
    await settle(pilot)


async def test_a_bulk_reallocation_answers_per_row_and_keeps_the_refused_ones_selected(
        ctx, people, queue_of_five):
    """One row changed by someone else after it was selected: the others are allocated, the
    changed one is refused with why and stays selected; once the table shows the change, a
    second try allocates it (no retry of rows already done)."""
    olivia, oscar, sam = people["olivia"], people["oscar"], people["sam"]
    for receipt in queue_of_five[:2]:
        ownership.claim(ctx, olivia, receipt.contact_id)
    seen: list = []
    app = make_app(ctx, sam)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        table = app.screen.table
        first, second = table.rows[0], table.rows[1]
        await pilot.press("space", "space")
        screening.set_priority(ctx, olivia, second.id, Priority.IMMEDIATE, "police called")
        await allocate_to(pilot, app, oscar.name, "olivia is on leave")
        [answer] = messages_of(seen, HoldingScreen.Allocated)
        assert answer.allocated == [first.id]
        [why] = answer.failures
        assert why.startswith(f"{second.reference}: ") and "changed by Olivia Officer" in why
        assert list(table.selected) == [second.id]
        assert row_of(ctx, sam, second.id).owner == second.owner  # unchanged
        await until(pilot, lambda: table.selected[second.id].version != second.version)
        await allocate_to(pilot, app, oscar.name, "olivia is on leave")
        again = messages_of(seen, HoldingScreen.Allocated)[-1]
        assert (again.allocated, again.failures) == ([second.id], [])
        assert not table.selected
    assert {row_of(ctx, sam, r.id).owner for r in (first, second)} == {oscar.name}


async def test_claiming_answers_with_a_typed_message(ctx, people, queue_of_five):
    seen: list = []
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert [m.said for m in messages_of(seen, ContactScreen.Changed)] == ["Claimed"]


async def test_no_reply_goes_to_a_referrer_without_an_email(ctx, people):
    """The template still starts the rationale; the dialog says the reply is not sent, and
    the decision goes through without one (ffd_core's can_write_to_referrer decides)."""
    receipt = contacts.submit(ctx, SYSTEM, new_contact(ctx.now(), anonymous=True))
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert app.screen.contact_id == receipt.contact_id
        await pilot.press("d", "n", "1")
        dialog = app.screen
        assert isinstance(dialog, DecideDialog) and not dialog.can_reply
        assert "Not sent: the referrer has no email" in str(dialog.query_one("#preview").render())
        await type_text(pilot, "no concerns")
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        await settle(pilot)
    with ctx.read() as session:
        sent = session.execute(select(StoredMessage.kind).where(
            StoredMessage.contact_id == receipt.contact_id)).scalars().all()
    assert "rejection" not in sent
