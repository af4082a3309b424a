"""The console and the outbox: a supervisor sees what went out and retries a dead letter;
a contact's thread shows how its messages went; a due-soon warning reaches the owner."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from ffd_core.services import contacts, deliveries, outbox, ownership, timed_jobs, web_accounts
from ffd_core.services.context import SYSTEM
from ffd_tui.screens.contact import ContactScreen
from ffd_tui.screens.dialogs import ReasonDialog
from ffd_tui.screens.outbox import OutboxScreen
from tests.conftest import PASSWORD
from tests.factories import new_contact
from tests.tui.conftest import SIZE, make_app, settle, type_text, until
from tests.tui.test_live_and_conflicts import record_notifications

pytestmark = pytest.mark.anyio
WORKER = "console-test-worker"


def bounce_first_acknowledgement(ctx) -> None:  # noqa: ANN001
    """As a worker would record a 550 from the mail server."""
    item = outbox.claim(ctx, SYSTEM, WORKER, [outbox.EMAIL], 1)[0]
    outbox.record_failure(ctx, SYSTEM, WORKER, item, "550 5.1.1 No such mailbox here",
                          permanent=True, bounced=True, jitter=0.0)


async def press_m(pilot) -> None:  # noqa: ANN001
    await settle(pilot)
    await pilot.press("M")
    await settle(pilot)


async def test_a_supervisor_finds_the_bounced_message_and_sends_it_again(ctx, people):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    bounce_first_acknowledgement(ctx)
    app = make_app(ctx, people["sam"])
    async with app.run_test(size=SIZE) as pilot:
        await press_m(pilot)
        screen = app.screen
        assert isinstance(screen, OutboxScreen) and len(screen.rows) == 2
        title = str(screen.query_one("#outbox-title", Static).render())
        assert "1 bounced" in title
        await pilot.press("f")  # failed only
        await settle(pilot)
        [dead] = screen.rows
        assert dead.reference == receipt.reference and dead.status == "bounced"
        letter = str(screen.query_one("#outbox-letter", Static).render())
        assert f"We have received your concern: {receipt.reference}" in letter
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        await type_text(pilot, "school fixed its mailbox")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.rows == []

    [retried] = deliveries.list_outbox(ctx, SYSTEM, reference=receipt.reference)
    assert (retried.state, retried.status) == ("pending", "queued")


async def test_a_partners_sign_in_code_is_never_shown_only_that_it_is_sealed(ctx, people):
    web_accounts.start_sign_in(ctx, "tess@hawthorn.sch.example", PASSWORD)
    app = make_app(ctx, people["sam"])
    async with app.run_test(size=SIZE) as pilot:
        await press_m(pilot)
        screen = app.screen
        [row] = screen.rows
        assert (row.purpose, row.to) == ("Account email", "tess@hawthorn.sch.example")
        letter = screen.query_one("#outbox-letter", Static)
        await until(pilot, lambda: "Subject" in str(letter.render()))
        shown = str(letter.render())
        assert "Subject: account email (sealed)" in shown
        assert "sign-in code is" not in shown and "Your code" not in shown


async def test_an_officer_has_no_outbox_key_but_sees_delivery_on_the_thread(ctx, people):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    bounce_first_acknowledgement(ctx)
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await press_m(pilot)
        assert not isinstance(app.screen, OutboxScreen)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactScreen) and screen.contact_id == receipt.contact_id
        thread = screen.query_one("#body-thread", Static).content
        shown = "".join(part.plain for part in thread.renderables)
        assert "Acknowledgement to tess@hawthorn.sch.example: bounced" in shown
        assert "550 5.1.1 No such mailbox here" in shown


async def test_the_owner_is_warned_once_when_a_contact_becomes_due_soon(ctx, people):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    app = make_app(ctx, people["olivia"], lock_check_seconds=3600)  # hours pass: no idle lock
    async with app.run_test(size=SIZE) as pilot:
        seen = record_notifications(app)
        await settle(pilot)
        await until(pilot, lambda: app.latest_counters is not None)
        ctx.clock.advance(hours=4, minutes=30)
        timed_jobs.run_due(ctx, SYSTEM)  # the worker's turn
        await until(pilot, lambda: any("Due within 4 office hours" in m for m in seen))
        assert [m for m in seen if "Due within" in m] == [
            f"Due within 4 office hours: {receipt.reference}"]
