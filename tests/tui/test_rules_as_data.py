"""The lifecycle file is the console's one source: which statuses still run the clock (its
``open:`` flags) and which keys a contact offers (the edges that leave its status)."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from ffd_core.domain.clocks import ClockPolicy
from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.lifecycle import default_lifecycle, parse_lifecycle
from ffd_core.domain.vocab import Outcome
from ffd_core.forms.yaml_source import parse_yaml, plain
from ffd_core.services import decisions, ownership
from ffd_tui.format import time_left
from ffd_tui.screens.contact import ContactScreen
from tests.conftest import START
from tests.tui.conftest import SIZE, make_app, settle

pytestmark = pytest.mark.anyio


def lifecycle_document() -> dict:
    from importlib import resources

    source = resources.files("ffd_core.data").joinpath("lifecycle.yaml")
    parsed, errors = parse_yaml(source.read_text("utf-8"), str(source))
    assert not errors
    return copy.deepcopy(plain(parsed))


def test_time_left_follows_the_files_open_flags():
    document = lifecycle_document()
    document["statuses"]["awaiting_sign_off"]["open"] = False  # a council that stops the clock
    due = START + timedelta(hours=2)
    policy = ClockPolicy()
    assert time_left(due, "awaiting_sign_off", START, policy, default_lifecycle()) == (
        "2h 00m", "due-soon")
    assert time_left(due, "awaiting_sign_off", START, policy, parse_lifecycle(document)) == (
        "—", "closed")


def offered(screen: ContactScreen) -> set[str]:
    return {b.binding.action.split("(")[0] for b in screen.active_bindings.values()
            if b.enabled and b.binding.id and b.binding.id.startswith("contact.")}


async def open_first(pilot, app) -> ContactScreen:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ContactScreen) and app.screen.view is not None
    return app.screen


async def test_a_contact_offers_the_keys_whose_edges_leave_its_status(ctx, people,
                                                                      queue_of_five):
    olivia = people["olivia"]
    app = make_app(ctx, olivia)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first(pilot, app)  # received, nobody's
        keys = offered(screen)
        assert {"claim", "priority", "note", "take_next", "withdraw"} <= keys
        assert not {"decide", "reject", "release", "request_information", "take_over"} & keys
        palette = {c.title for c in app.get_system_commands(screen)}
        assert "Claim" in palette and "Decide" not in palette  # nor by name
        await pilot.press("c")
        await settle(pilot)
        keys = offered(screen)  # screening, hers
        assert {"decide", "reject", "release", "request_information", "record_reply"} <= keys
        assert "claim" not in keys


async def test_only_the_owner_is_offered_an_owners_edge(ctx, people, queue_of_five):
    first = queue_of_five[1].contact_id  # the P2 contact opens first
    ownership.claim(ctx, people["oscar"], first)
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first(pilot, app)
        assert screen.contact_id == first
        keys = offered(screen)
        assert "take_over" in keys
        assert not {"decide", "release", "request_information"} & keys


async def test_a_supervisor_signs_off_but_does_not_decide_a_proposed_decision(
        ctx, people, queue_of_five):
    olivia, sam = people["olivia"], people["sam"]
    target = queue_of_five[1].contact_id
    ownership.claim(ctx, olivia, target)
    decisions.decide(ctx, olivia, target, same_for_all=ChildDecision(
        Outcome.NO_FURTHER_ACTION, "no concerns"))
    app = make_app(ctx, sam)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first(pilot, app)
        assert screen.contact_id == target
        keys = offered(screen)
        assert {"approve", "return", "reallocate", "withdraw", "close_in_error"} <= keys
        assert not {"decide", "claim", "reopen"} & keys


async def test_a_lifecycle_without_an_edge_offers_no_key_for_it(ctx, people, queue_of_five):
    document = lifecycle_document()
    document["edges"]["withdraw"]["from"] = ["received"]  # a council's stricter lifecycle
    ctx.lifecycle = parse_lifecycle(document)
    ownership.claim(ctx, people["olivia"], queue_of_five[1].contact_id)
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first(pilot, app)
        assert "withdraw" not in offered(screen)
