"""Every screen and modal at a fixed size, on a fixed clock (Tue 24/11/2026 10:00 UK).

Update after an intended change: ``pytest tests/tui --snapshot-update``, then look at the
report before committing the new SVGs.
"""

from __future__ import annotations

from datetime import timedelta

from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.vocab import Outcome, Priority
from ffd_core.services import decisions, ownership, screening
from tests.conftest import START
from tests.tui.conftest import make_app, settle, type_text, until

SIZE = (150, 42)


def snapshot(snap_compare, app, *steps, size=SIZE) -> bool:
    """Run ``steps`` (keys, or async callables taking the pilot) with waits between them.
    Toasts are left out: they fade on their own timer, which would make the pictures flaky."""
    app.notify = lambda *args, **kwargs: None

    async def run_before(pilot) -> None:
        await settle(pilot)
        await until(pilot, lambda: app.latest_counters is not None)
        for step in steps:
            if callable(step):
                await step(pilot)
            else:
                await pilot.press(*step.split())
            await settle(pilot)
        await settle(pilot)
        steady_cursors(app)
        await pilot.pause()

    return snap_compare(app, run_before=run_before, terminal_size=size)


def steady_cursors(app) -> None:
    """A blinking cursor is caught on or off at random; hold it on for the picture."""
    from textual.widgets import Input, TextArea

    for screen in app.screen_stack:
        for widget in [*screen.query(Input), *screen.query(TextArea)]:
            widget.cursor_blink = False


def typed(text: str):
    async def step(pilot) -> None:
        await type_text(pilot, text)
    return step


def test_holding_area(snap_compare, ctx, people, queue_of_five):
    ownership.claim(ctx, people["oscar"], queue_of_five[2].contact_id)
    assert snapshot(snap_compare, make_app(ctx, people["olivia"]), "j")


def test_holding_area_filtered(snap_compare, ctx, people, queue_of_five):
    assert snapshot(snap_compare, make_app(ctx, people["olivia"]), "slash", typed("neglect"))


def test_holding_area_selected_for_reallocation(snap_compare, ctx, people, queue_of_five):
    assert snapshot(snap_compare, make_app(ctx, people["sam"]), "space space")


def test_contact_answers(snap_compare, ctx, people, queue_of_five):
    assert snapshot(snap_compare, make_app(ctx, people["olivia"]), "enter")


def test_contact_guidance_and_suggestion(snap_compare, ctx, people, queue_of_five):
    assert snapshot(snap_compare, make_app(ctx, people["olivia"]), "enter",
                    "right_square_bracket " * 6)


def test_contact_history(snap_compare, ctx, people, queue_of_five):
    ownership.claim(ctx, people["olivia"], queue_of_five[1].contact_id)
    screening.set_priority(ctx, people["olivia"], queue_of_five[1].contact_id, Priority.HIGH,
                        "police involved")
    assert snapshot(snap_compare, make_app(ctx, people["olivia"]), "enter",
                    "right_square_bracket " * 3)


def test_contact_read_only_for_a_social_worker(snap_compare, ctx, people, queue_of_five):
    assert snapshot(snap_compare, make_app(ctx, people["wendy"]), "enter")


def test_priority_dialog(snap_compare, ctx, people, queue_of_five):
    assert snapshot(snap_compare, make_app(ctx, people["olivia"]), "t", "2")


def test_decide_dialog(snap_compare, ctx, people, queue_of_five):
    assert snapshot(snap_compare, make_app(ctx, people["olivia"]), "t", "d n 1",
                    typed("no concerns"))


def test_decide_confirm(snap_compare, ctx, people, queue_of_five):
    assert snapshot(snap_compare, make_app(ctx, people["olivia"]), "t", "d n 1",
                    typed("no concerns"), "ctrl+s")


def test_request_information_dialog(snap_compare, ctx, people, queue_of_five):
    assert snapshot(snap_compare, make_app(ctx, people["olivia"]), "t", "i", "enter")


def test_conflict_banner(snap_compare, ctx, people, queue_of_five):
    olivia, sam = people["olivia"], people["sam"]
    ownership.claim(ctx, olivia, queue_of_five[0].contact_id)
    app = make_app(ctx, olivia)

    async def supervisor_acts(pilot) -> None:
        screening.set_priority(ctx, sam, queue_of_five[0].contact_id, Priority.HIGH, "police called")
        await until(pilot, lambda: app.screen.changed_elsewhere != "")

    assert snapshot(snap_compare, app, "m", "enter", supervisor_acts)


def test_allocate_dialog(snap_compare, ctx, people, queue_of_five):
    assert snapshot(snap_compare, make_app(ctx, people["sam"]), "space", "r")


def test_telephone_dialog(snap_compare, ctx, people):
    assert snapshot(snap_compare, make_app(ctx, people["olivia"]), "p", typed("Sofia"))


def test_supervisor_dashboard(snap_compare, ctx, people, queue_of_five):
    olivia = people["olivia"]
    ownership.claim(ctx, olivia, queue_of_five[4].contact_id)
    ownership.claim(ctx, olivia, queue_of_five[3].contact_id)
    decisions.decide(ctx, olivia, queue_of_five[3].contact_id, same_for_all=ChildDecision(
        Outcome.NO_FURTHER_ACTION, "no concerns"))
    assert snapshot(snap_compare, make_app(ctx, people["sam"]), "D")


def test_help(snap_compare, ctx, people, queue_of_five):
    assert snapshot(snap_compare, make_app(ctx, people["olivia"]), "question_mark")


def test_sign_in(snap_compare, ctx, people):
    app = make_app(ctx)
    app.notify = lambda *args, **kwargs: None

    async def run_before(pilot) -> None:
        await settle(pilot)
        await type_text(pilot, "olivia")
        await pilot.press("enter")
        steady_cursors(app)
        await pilot.pause()

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_idle_lock(snap_compare, ctx, people, clock, queue_of_five):
    app = make_app(ctx, people["olivia"], lock_check_seconds=0.05)

    async def idle(pilot) -> None:
        clock.advance(minutes=ctx.settings.idle_lock_minutes + 1)
        await until(pilot, lambda: app.locked)

    assert snapshot(snap_compare, app, "enter", idle)
    clock.set(START + timedelta(0))
