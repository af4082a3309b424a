"""The single view of the child in the console: search, the audited card, linking a contact's
child to a person in the index."""

from __future__ import annotations

import io
from datetime import date

import pytest
from rich.console import Console
from sqlalchemy import func, select
from textual.widgets import Input, OptionList, Static

from ffd_core.synthetic.demo_people import load_demo_people
from ffd_core.services import contacts
from ffd_core.services.context import SYSTEM
from ffd_core.store.people_tables import SourceRecordRow
from ffd_core.store.tables import AuditEvent, ContactPerson
from ffd_tui.screens.contact import ContactScreen
from ffd_core.services.single_view import parse_person_query as parse_query
from ffd_tui.screens.people import PersonSearchScreen
from tests.conftest import START
from tests.factories import child, new_contact
from tests.tui.conftest import SIZE, make_app, settle, type_text, until
from tests.tui.test_snapshots import snapshot, typed

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def known_child(ctx):
    """The demo county loaded; a child both Framework-i and Capita ONE hold, as
    (person_id, given, family, born)."""
    load_demo_people(ctx, SYSTEM, seed=5, children=300, as_of=date(2026, 11, 24))
    with ctx.read() as session:
        both = (select(SourceRecordRow.person_id)
                .group_by(SourceRecordRow.person_id)
                .having(func.count(func.distinct(SourceRecordRow.source)) == 2))
        row = session.execute(
            select(SourceRecordRow.person_id, SourceRecordRow.given_name,
                   SourceRecordRow.family_name, SourceRecordRow.date_of_birth)
            .where(SourceRecordRow.source == "framework_i", SourceRecordRow.person_id.in_(both),
                   SourceRecordRow.date_of_birth.is_not(None))
            .order_by(SourceRecordRow.source_id).limit(1)).one()
    return tuple(row)


def _text(renderable) -> str:
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def _typed_query(given: str, family: str, born: date) -> str:
    return f"{given} {family} {born:%d/%m/%Y}"


async def _choose(pilot, screen: PersonSearchScreen, person_id: str) -> None:
    results = screen.query_one("#people-results", OptionList)
    await until(pilot, lambda: any(m.person_id == person_id for m in screen.matches))
    index = next(i for i, m in enumerate(screen.matches) if m.person_id == person_id)
    results.focus()
    results.highlighted = index
    await pilot.pause()


def test_parse_query_splits_name_date_and_postcode():
    query = parse_query("Maisie Thompson 14/03/2020 bk1 2ab")
    assert (query.name, query.date_of_birth, query.postcode) == ("Maisie Thompson", "14/03/2020",
                                                                  "BK1 2AB")
    assert parse_query("   ") is None


@SQLITE
@pytest.mark.anyio
async def test_search_and_open_the_card_is_audited(ctx, people, known_child):
    person_id, given, family, born = known_child
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PersonSearchScreen)
        assert app.focused is screen.query_one("#people-query", Input)
        await type_text(pilot, _typed_query(given, family, born))
        await pilot.press("enter")
        await settle(pilot)
        await _choose(pilot, screen, person_id)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.view is not None and screen.view.person_id == person_id
        card = _text(screen.query_one("#people-card", Static).content)
        assert "Framework-i" in card and "Capita ONE" in card and given in card
        assert screen.view.of("framework_i") and screen.view.of("capita_one")
        # no contact to link from: the link key is not offered
        assert not screen.check_action("link_person", ())
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, PersonSearchScreen)
    with ctx.read() as session:
        events = session.execute(select(AuditEvent).where(
            AuditEvent.action == "person_viewed")).scalars().all()
    assert [e.subject for e in events] == [f"person:{person_id}"]
    assert events[0].actor_name == people["olivia"].name


@SQLITE
@pytest.mark.anyio
async def test_from_a_contact_link_the_child(ctx, people, known_child):
    person_id, given, family, born = known_child
    receipt = contacts.submit(ctx, SYSTEM, new_contact(START, children=(child(given, family, born),)))
    app = make_app(ctx, people["olivia"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ContactScreen(receipt.contact_id))
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PersonSearchScreen)
        assert screen.query_one("#people-query", Input).value == _typed_query(given, family, born)
        await _choose(pilot, screen, person_id)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.check_action("link_person", ())
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)
    with ctx.read() as session:
        linked = session.execute(select(ContactPerson.person_id).where(
            ContactPerson.contact_id == receipt.contact_id,
            ContactPerson.role == "subject")).scalar_one()
        reasons = session.execute(select(AuditEvent.data).where(
            AuditEvent.action == "person_viewed")).scalars().all()
    assert linked == person_id
    assert reasons and all(r["reason"].startswith("screening FFD") for r in reasons)


@SQLITE
@pytest.mark.anyio
async def test_a_social_worker_may_look_but_not_link(ctx, people, known_child):
    _person_id, given, family, born = known_child
    receipt = contacts.submit(ctx, SYSTEM, new_contact(START, children=(child(given, family, born),)))
    app = make_app(ctx, people["wendy"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ContactScreen(receipt.contact_id))
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PersonSearchScreen) and screen.link_target is None
        assert not screen.check_action("link_person", ())


@SQLITE
def test_search_screen_with_a_result_selected(snap_compare, ctx, people, known_child):
    _person_id, given, family, born = known_child
    app = make_app(ctx, people["olivia"])
    assert snapshot(snap_compare, app, "f", typed(_typed_query(given, family, born)), "enter",
                    "enter")
