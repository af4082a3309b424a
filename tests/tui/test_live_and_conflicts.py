"""Live updates from other officers, the priority-1 alert, and conflicts on an open contact."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Static, TextArea

from ffd_core.domain.vocab import Priority
from ffd_core.services import contacts, ownership, screening
from ffd_core.services.context import SYSTEM
from ffd_tui.screens.contact import ContactScreen
from ffd_tui.screens.dialogs import DecideDialog
from tests.conftest import START
from tests.factories import child, new_contact
from tests.tui.conftest import SIZE, make_app, settle, status_of, type_text, until

pytestmark = pytest.mark.anyio


def record_notifications(app) -> list[str]:
    seen: list[str] = []
    original = app.notify

    def notify(message, *args, **kwargs):
        seen.append(str(message))
        return original(message, *args, **kwargs)

    app.notify = notify
    return seen


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_another_officers_contact_appears_live_and_the_cursor_stays(
        ctx, people, queue_of_five):
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: app.latest_counters is not None)
        table = app.screen.table
        await pilot.press("j", "j")
        watched = table.current.id
        before = app.latest_counters.new_today
        # "Another officer" records a high-priority call: it sorts above the cursor.
        contacts.submit(ctx, SYSTEM, new_contact(START, priority=Priority.HIGH,
                                                 children=(child("Noah", "Field"),)))
        # How soon it appears is a figure of benchmarks/console.py ("live change").
        await until(pilot, lambda: table.total == 6
                    and app.latest_counters.new_today == before + 1)
        await settle(pilot)
        assert table.current.id == watched  # the officer's place did not move


async def test_a_priority_one_contact_rings_the_bell_in_every_console(ctx, people, queue_of_five):
    app = make_app(ctx, people["oscar"])
    async with app.run_test(size=SIZE) as pilot:
        bells = []
        app.bell = lambda: bells.append(1)
        seen = record_notifications(app)
        await settle(pilot)
        await until(pilot, lambda: app.latest_counters is not None)
        receipt = contacts.submit(ctx, SYSTEM, new_contact(
            START, priority=Priority.IMMEDIATE, children=(child("Ava", "Stone"),)))
        await until(pilot, lambda: bells)
        assert any("Priority 1" in m and receipt.reference in m for m in seen)


async def test_a_change_while_open_is_shown_and_what_was_typed_is_kept(ctx, people,
                                                                       queue_of_five):
    olivia, sam = people["olivia"], people["sam"]
    target = queue_of_five[0].contact_id
    ownership.claim(ctx, olivia, target)
    app = make_app(ctx, olivia)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactScreen) and screen.contact_id == target
        await pilot.press("d", "n", "1")
        await type_text(pilot, "seen at school")
        # Meanwhile the supervisor raises the priority.
        screening.set_priority(ctx, sam, target, Priority.HIGH, "police called")
        await until(pilot, lambda: screen.changed_elsewhere != "")
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DecideDialog)
        error = str(dialog.query_one("#dialog-error", Static).render())
        assert "was changed by Sam Supervisor" in error
        assert dialog.query_one("#rationale", TextArea).text.endswith("seen at school")
        assert status_of(ctx, olivia, target) == "screening"
        # Look at the change, then decide again: now it goes through.
        await pilot.press("escape")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert screen.view.priority == 2 and not screen.changed_elsewhere
        await pilot.press("d", "n", "1")
        await type_text(pilot, "seen at school")
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        await settle(pilot)
        assert status_of(ctx, olivia, target) == "awaiting_sign_off"


async def test_claiming_what_someone_else_just_claimed_says_who(ctx, people, queue_of_five):
    olivia, oscar = people["olivia"], people["oscar"]
    app = make_app(ctx, olivia)
    async with app.run_test(size=SIZE) as pilot:
        seen = record_notifications(app)
        await settle(pilot)
        table = app.screen.table
        target = table.current.id
        ownership.claim(ctx, oscar, target)
        await pilot.press("c")
        await settle(pilot)
        assert any("claimed by Oscar Officer" in m for m in seen)
        assert status_of(ctx, olivia, target) == "screening"


async def test_a_reply_arriving_while_open_is_flagged(ctx, people, queue_of_five):
    olivia = people["olivia"]
    target = queue_of_five[1].contact_id
    ownership.claim(ctx, olivia, target)
    screening.request_information(ctx, olivia, target, recipient="tess@hawthorn.sch.example",
                               message="Any injuries seen?", chase_by=START + timedelta(days=1))
    app = make_app(ctx, olivia)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w", "enter")
        await settle(pilot)
        screen = app.screen
        assert screen.contact_id == target
        screening.record_reply(ctx, SYSTEM, target, "Yes, a bruise on the arm.", "Tess")
        await until(pilot, lambda: screen.changed_elsewhere != "")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert screen.view.thread[-1].body == "Yes, a bruise on the arm."
