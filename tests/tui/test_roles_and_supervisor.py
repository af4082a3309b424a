"""Roles: a social worker reads but cannot act; only a supervisor reallocates or signs off."""

from __future__ import annotations

import pytest

from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.vocab import Outcome
from ffd_core.services import decisions, ownership
from ffd_tui.screens.contact import ContactScreen
from ffd_tui.screens.dialogs import AllocateDialog, ConfirmDialog
from ffd_tui.screens.supervisor import SupervisorScreen
from tests.tui.conftest import SIZE, make_app, row_of, settle, status_of, type_text

pytestmark = pytest.mark.anyio


def actions(screen) -> set[str]:
    return {b.binding.action for b in screen.active_bindings.values()}


def nfa(ctx, officer, contact_id: int) -> None:
    ownership.claim(ctx, officer, contact_id)
    decisions.decide(ctx, officer, contact_id, same_for_all=ChildDecision(
        Outcome.NO_FURTHER_ACTION, "no concerns"))


async def test_social_worker_reads_but_cannot_act(ctx, people, queue_of_five):
    wendy = people["wendy"]
    app = make_app(ctx, wendy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        holding = actions(app.screen)
        assert {"open", "filter", "view('mine')"} <= holding
        assert not {"take_next", "claim", "priority(3)", "reallocate", "approve", "telephone"} & holding
        await pilot.press("t", "c")
        await settle(pilot)
        assert status_of(ctx, wendy, queue_of_five[1].contact_id) == "received"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen) and app.screen.view is not None
        assert not {"decide", "claim", "note", "request_information", "priority(3)"} & actions(
            app.screen)
        await pilot.press("d", "n", "3")
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)  # no dialog opened


async def test_officer_cannot_sign_off_or_reallocate(ctx, people, queue_of_five):
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not {"reallocate", "approve", "return", "dashboard", "select"} & actions(app.screen)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_supervisor_approves_from_the_sign_off_queue(ctx, people, queue_of_five):
    olivia, sam = people["olivia"], people["sam"]
    target = queue_of_five[2].contact_id
    nfa(ctx, olivia, target)
    app = make_app(ctx, sam)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        table = app.screen.table
        assert table.total == 1 and table.current.id == target
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert status_of(ctx, sam, target) == "decided"


async def test_supervisor_returns_with_a_reason(ctx, people, queue_of_five):
    olivia, sam = people["olivia"], people["sam"]
    target = queue_of_five[2].contact_id
    nfa(ctx, olivia, target)
    app = make_app(ctx, sam)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("v", "R")
        await settle(pilot)
        await type_text(pilot, "check with the GP first")
        await pilot.press("enter")
        await settle(pilot)
        assert status_of(ctx, sam, target) == "screening"


async def test_supervisor_multi_selects_and_reallocates_with_a_reason(ctx, people, queue_of_five):
    olivia, oscar, sam = people["olivia"], people["oscar"], people["sam"]
    for receipt in queue_of_five[:2]:
        ownership.claim(ctx, olivia, receipt.contact_id)
    app = make_app(ctx, sam)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        table = app.screen.table
        chosen = {table.rows[0].id, table.rows[1].id}
        await pilot.press("space", "space")
        assert set(table.selected) == chosen
        await pilot.press("r")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AllocateDialog)
        names = [name for _id, name in dialog.staff]
        for _ in range(names.index(oscar.name)):
            await pilot.press("down")
        await pilot.press("enter")
        await type_text(pilot, "olivia is on leave")
        await pilot.press("enter", "y")
        await settle(pilot)
        await settle(pilot)
        assert {row_of(ctx, sam, cid).owner for cid in chosen} == {oscar.name}
        assert not table.selected


async def test_supervisor_reopens_a_decided_contact(ctx, people, queue_of_five):
    olivia, sam = people["olivia"], people["sam"]
    target = queue_of_five[3].contact_id
    nfa(ctx, olivia, target)
    decisions.approve(ctx, sam, target)
    app = make_app(ctx, sam)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("O", "slash")
        await type_text(pilot, row_of(ctx, sam, target).reference)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen) and app.screen.contact_id == target
        await pilot.press("O")
        await settle(pilot)
        await type_text(pilot, "new information from police")
        await pilot.press("enter")
        await settle(pilot)
        assert status_of(ctx, sam, target) == "screening"


async def test_supervisor_dashboard_shows_workload_and_breaches(ctx, people, queue_of_five):
    olivia, sam = people["olivia"], people["sam"]
    ownership.claim(ctx, olivia, queue_of_five[4].contact_id)
    app = make_app(ctx, sam)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, SupervisorScreen)
        workload, breaching, _upcoming = app.screen.loaded
        mine = next(w for w in workload if w.officer == olivia.name)
        assert (mine.screening, mine.breaching) == (1, 1)
        assert [r.child for r in breaching.rows] == ["Ruby Wells"]
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SupervisorScreen)


async def test_a_restricted_contact_is_not_even_listed_for_those_outside_it(ctx, people):
    """Not a masked row: the row is never loaded, counted or paged for a reader who may not
    open it (a colleague's family), while a supervisor sees it, masked, and can open it."""
    from ffd_core.services import contacts
    from ffd_core.services.context import SYSTEM
    from tests.conftest import START
    from tests.factories import new_contact

    contacts.submit(ctx, SYSTEM, new_contact(START, restricted=True,
                                             restricted_reason="about a colleague's family"))
    app = make_app(ctx, people["wendy"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.table.current is None
        assert app.latest_counters is None or app.latest_counters.unallocated == 0
    app = make_app(ctx, people["sam"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.table.current.child == "(restricted)"
