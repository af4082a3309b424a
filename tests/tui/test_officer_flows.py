"""Whole keyboard flows for a screening officer, against a real store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Input, TextArea

from ffd_core.services import contacts, ownership, queue
from ffd_core.services.context import SYSTEM
from ffd_tui.screens.contact import ContactScreen
from ffd_tui.screens.dialogs import DecideDialog, RequestInformationDialog
from ffd_tui.screens.holding import HoldingScreen
from tests.conftest import START
from tests.factories import child, new_contact
from tests.tui.conftest import SIZE, make_app, row_of, settle, status_of, type_text

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_the_loop_take_next_priority_decide_nfa_next(ctx, people, queue_of_five):
    """t, 3, Enter, d, n, 1, (rationale), ctrl+s, y: eight keys, then the next contact is served."""
    olivia = people["olivia"]
    app = make_app(ctx, olivia)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContactScreen)
        first = screen.contact_id
        assert row_of(ctx, olivia, first).child == "Leo Hart"  # the P2 contact comes first
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert row_of(ctx, olivia, first).priority == 3
        await pilot.press("d", "n", "1")
        await settle(pilot)
        await type_text(pilot, "no concerns")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await settle(pilot)
        assert status_of(ctx, olivia, first) == "awaiting_sign_off"
        assert isinstance(app.screen, ContactScreen) and app.screen.contact_id != first
        assert row_of(ctx, olivia, app.screen.contact_id).owner == olivia.name
    # The template's reply is on the thread, to go out once a supervisor signs off.
    from sqlalchemy import select

    from ffd_core.store.tables import Message

    with ctx.read() as session:
        replies = session.execute(select(Message).where(Message.contact_id == first)).scalars().all()
    assert [m.kind for m in replies] == ["rejection"] and replies[0].body.strip()


async def test_filter_as_you_type_asks_the_store(ctx, people, queue_of_five):
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.table
        assert table.total == 5
        await pilot.press("slash")
        await type_text(pilot, "kha")
        await settle(pilot)
        assert table.total == 1 and table.current.child == "Amira Khan"
        await pilot.press("escape")
        await settle(pilot)
        assert table.total == 5 and app.focused is table


async def test_one_key_views_and_sorting(ctx, people, queue_of_five):
    olivia = people["olivia"]
    ownership.claim(ctx, olivia, queue_of_five[0].contact_id)
    app = make_app(ctx, olivia)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.table
        await pilot.press("m")
        await settle(pilot)
        assert table.total == 1
        await pilot.press("u")
        await settle(pilot)
        assert table.total == 4
        await pilot.press("b")
        await settle(pilot)
        assert [table.rows[i].child for i in range(table.total)] == ["Ruby Wells"]
        await pilot.press("o", "s")  # all open, then the next sort column (due)
        await settle(pilot)
        assert table.query_spec.sort == "due"
        assert table.current.child == "Ruby Wells"  # earliest due first
        await pilot.press("S")
        await settle(pilot)
        assert table.current.child != "Ruby Wells"


async def test_claim_release_note_and_link(ctx, people, queue_of_five):
    olivia = people["olivia"]
    app = make_app(ctx, olivia)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        contact_id = app.screen.contact_id
        await pilot.press("c")
        await settle(pilot)
        assert row_of(ctx, olivia, contact_id).owner == olivia.name
        await pilot.press("n")
        await settle(pilot)
        await type_text(pilot, "rang the school")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.view.notes[-1].body == "rang the school"
        other = next(r for r in queue_of_five if r.contact_id != contact_id)
        await pilot.press("l")
        await settle(pilot)
        await type_text(pilot, other.reference)
        await pilot.press("enter", "enter")
        await settle(pilot)
        await settle(pilot)
        assert [link.reference for link in app.screen.view.links] == [other.reference]
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert row_of(ctx, olivia, contact_id).owner == ""


async def test_request_information_then_advance(ctx, people, queue_of_five):
    olivia = people["olivia"]
    app = make_app(ctx, olivia)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        first = app.screen.contact_id
        await pilot.press("i")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RequestInformationDialog)
        assert dialog.query_one("#recipient", Input).value == "tess@hawthorn.sch.example"
        await pilot.press("enter")  # the first template fills the message
        await settle(pilot)
        assert "Leo Hart" in dialog.query_one("#message", TextArea).text
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        await settle(pilot)
        assert status_of(ctx, olivia, first) == "awaiting_information"
        assert isinstance(app.screen, ContactScreen) and app.screen.contact_id != first


async def test_decision_needs_its_required_fields(ctx, people, queue_of_five):
    """A referral without level of need or primary need is refused; the dialog stays open."""
    olivia = people["olivia"]
    app = make_app(ctx, olivia)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        first = app.screen.contact_id
        await pilot.press("d", "r", "escape")  # escape leaves the template list? no: backs out
        await settle(pilot)
        await pilot.press("d", "r")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DecideDialog)
        dialog.query_one("#rationale", TextArea).insert("needs a social worker")
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        assert app.screen is dialog
        assert "primary need" in str(dialog.query_one("#dialog-error").render())
        assert dialog.query_one("#rationale", TextArea).text == "needs a social worker"
        assert status_of(ctx, olivia, first) == "screening"


async def test_telephone_contact_typed_in_the_console(ctx, people):
    olivia = people["olivia"]
    app = make_app(ctx, olivia)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await type_text(pilot, "Sofia")
        await pilot.press("tab")
        await type_text(pilot, "Lane")
        await pilot.press("tab")
        await type_text(pilot, "01/02/2018")
        await pilot.press("tab")
        await type_text(pilot, "Mrs Lane")
        dialog = app.screen
        dialog.query_one("#category").value = "neglect"
        dialog.query_one("#received", Input).value = "09:40"  # typed in twenty minutes later
        dialog.query_one("#said", TextArea).insert("No food at home for two days.")
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)
        view = app.screen.view
        assert view.channel == "telephone" and view.children[0].name == "Sofia Lane"
        assert view.received_at == START.replace(hour=9, minute=40)


async def test_the_telephone_dialog_offers_the_councils_own_categories(ctx, people, tmp_path):
    """A council's forms folder (not the bundled defaults) decides the categories."""
    from dataclasses import replace

    from ffd_core.forms import export_defaults

    export_defaults(tmp_path)
    form = tmp_path / "cfc.yaml"
    text = form.read_text()
    text = text.replace("          - {value: other, label: Something else}",
                        "          - {value: online_harm, label: Harm online}\n"
                        "          - {value: other, label: Something else}")
    form.write_text(text.replace("\nversion: 1\n", "\nversion: 2\n", 1))
    ctx.settings = replace(ctx.settings, forms_dir=str(tmp_path))
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        options = [label for label, _value in app.screen.categories]
        assert "Harm online" in options


async def test_escape_backs_out_and_q_quits_only_from_the_root(ctx, people, queue_of_five):
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen) and app.is_running
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HoldingScreen)
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


async def test_cursor_keys_move_through_a_long_queue(ctx, people):
    with ctx.batch():
        for n in range(120):
            contacts.submit(ctx, SYSTEM, new_contact(START - timedelta(minutes=n),
                                                    children=(child(f"Kid{n:03d}", "Test"),)))
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.table
        assert table.total == 120
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor == 119 and table.current is not None
        await pilot.press("home", "pagedown", "j", "k")
        await settle(pilot)
        assert table.current is not None and table.cursor > 20


async def test_two_children_decided_child_by_child(ctx, people):
    olivia = people["olivia"]
    receipt = contacts.submit(ctx, SYSTEM, new_contact(
        START, children=(child("Amy", "Hill"), child("Ben", "Hill"))))
    app = make_app(ctx, olivia)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert app.screen.contact_id == receipt.contact_id
        await pilot.press("d", "e")  # early help for Amy...
        await type_text(pilot, "needs support")
        await pilot.press("ctrl+n")
        dialog = app.screen
        assert "child 2 of 2: Ben Hill" in str(dialog.query_one("#whom").render())
        await pilot.press("n", "1")  # ...no further action for Ben
        await type_text(pilot, "no concerns")
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        await settle(pilot)
    view = __import__("ffd_core.services.contact_view", fromlist=["x"]).view_contact(
        ctx, olivia, receipt.contact_id)
    assert {(d.child, d.outcome) for d in view.decisions} == {
        ("Amy Hill", "early_help"), ("Ben Hill", "no_further_action")}


async def test_the_telephone_dialog_shows_every_problem_before_asking_to_confirm(ctx, people):
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#dob", Input).value = "31/02/2018"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog  # no "Record ...? y yes" for a call that cannot be recorded
        said = str(dialog.query_one("#dialog-error").render())
        for problem in ("write the date of birth as dd/mm/yyyy", "child 1: enter a name",
                        "choose a category", "enter the referrer's name"):
            assert problem in said
        assert queue.holding_area(ctx, people["olivia"], queue.View.ALL).total == 0
