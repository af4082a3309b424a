"""The console speaks a person's words: labels rather than codes, UK times rather than ISO
stamps, names rather than ids, and titles rather than class names."""

from __future__ import annotations

import pytest

from ffd_core.domain.vocab import Channel
from ffd_core.services import contacts, ownership
from ffd_core.services.context import SYSTEM
from ffd_tui.screens.contact import ContactScreen
from tests.factories import new_contact
from tests.tui.conftest import make_app, screen_text, settle

pytestmark = pytest.mark.anyio

WIDE = (220, 60)


async def test_history_and_answers_show_labels_uk_times_and_names(ctx, people):
    received = ctx.now().replace(hour=7, minute=51, second=43, microsecond=185930)
    receipt = contacts.submit(ctx, SYSTEM, new_contact(
        received, channel=Channel.SECURE_EMAIL, category="sexual_abuse",
        answers={"category": "sexual_abuse", "what_happened": "She told her teacher."}))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.push_screen(ContactScreen(receipt.contact_id))
        await settle(pilot)
        answers = screen_text(app)
        assert "Sexual abuse" in answers and "sexual_abuse" not in answers
        for _tab in range(3):  # thread, notes, history
            await pilot.press("]")
            await settle(pilot)
        history = screen_text(app)
    assert "channel: secure email" in history
    assert f"received at: {received.strftime('%d/%m/%Y %H:%M')}" in history
    assert "owner: Olivia Officer" in history
    for raw in ("secure_email", "owner_id", "+00:00", "T07:51"):
        assert raw not in history


def test_every_console_screen_has_a_title_in_words():
    from textual.screen import Screen

    from ffd_tui.keymap import console_classes
    from ffd_tui.screens.dialogs.base import ActionDialog

    screens = [cls for cls in console_classes() if issubclass(cls, Screen)
               and cls.__module__.startswith("ffd_tui.") and not issubclass(cls, ActionDialog)
               and not cls.__name__.startswith("_")]
    assert len(screens) >= 10
    untitled = [cls.__name__ for cls in screens if not getattr(cls, "help_title", "")]
    assert untitled == []


async def test_help_names_the_screen_in_words(ctx, people):
    from textual.widgets import Label

    from ffd_tui.screens.help import HelpScreen
    from ffd_tui.screens.people import PersonSearchScreen

    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.push_screen(PersonSearchScreen())
        await settle(pilot)
        app.action_help()
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert str(app.screen.query_one(".dialog-title", Label).render()) == "Keys — Find a person"


def test_every_sortable_column_title_fits_with_its_sort_arrow():
    from ffd_tui.widgets.queue_columns import SORTABLE

    assert [c.title for c in SORTABLE if len(c.title) + 2 > c.width] == []


async def test_the_sorted_time_left_column_keeps_a_readable_header(ctx, people, queue_of_five):
    from ffd_tui.widgets.queue_columns import QueueHeader

    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("s")  # priority -> due
        await settle(pilot)
        header = str(app.screen.query_one(QueueHeader).render())
        assert "Left ▲" in header and "…" not in header


def test_a_priority_change_reads_as_priorities_not_numbers(ctx, people):
    from ffd_core.services import screening
    from ffd_core.services.contact_view import view_contact

    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    screening.set_priority(ctx, people["olivia"], receipt.contact_id, 1, "police on scene")
    [changed] = [h for h in view_contact(ctx, people["olivia"], receipt.contact_id).history
                 if h.detail.get("reason") == "police on scene"]
    shown = dict(changed.shown)
    assert shown["priority"] == "P1 (immediate)" and shown["previous"].startswith("P")
