"""The rights matrix: who may do what, written here independently of the access policy and
driven cell by cell through the real services.

Rows are a role and the actor's relation to a contact; columns are what they try. ``Y``: the
service does it. ``N``: it refuses with PermissionDenied and nothing changes (the contact's
version stays as it was), or, for "list", the contact is absent from every page and count
the actor can ask for. ``-``: the combination cannot arise (nobody owns a contact that has
not been claimed).

Each relation is a kind of contact prepared once in a template store (one contact per
action, in the status that action needs); every row runs on its own copy of it.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.vocab import AgencyKind, LevelOfNeed, MessageKind, Outcome, Role
from ffd_core.errors import PermissionDenied
from ffd_core.search.records import SOCIAL_CARE, SourceRecord
from ffd_core.domain.contact import NewContact, Referrer
from ffd_core.domain.vocab import Channel, Consent, ContactKind
from ffd_core.services import (
    attachments, completion, contact_view, contacts, decisions, deliveries, directory, intake,
    messages, needs_person, notes, outbox, ownership, person_index, queue, quarantine,
    referrer_view, screening, single_view,
)
from ffd_core.services.context import SYSTEM, Actor, Context
from ffd_core.settings import Settings
from ffd_core.store.engine import make_engine
from ffd_core.store.tables import CaseSystemTransfer, Contact, ContactPerson
from tests.conftest import AUDIT_KEY, PASSWORD, START, _admin, _template, postgres_url
from tests.factories import child, new_contact

COLUMNS = ("staff refv list clm allc rall tkov rels prio rfi rply dcd appr rtrn push wdrw cie "
           "rope note att ratt lnk lchd wrt cnp cmp").split()

# role (actor)             relation      staff refv list clm allc rall tkov rels prio rfi rply dcd appr rtrn push wdrw cie rope note att ratt lnk lchd wrt cnp cmp
MATRIX = """
officer    olivia    none              Y  N  Y  Y  N  N  Y  N  Y  N  Y  N  N  N  N  Y  N  N  Y  Y  Y  Y  Y  Y  Y  Y
officer    olivia    owner             Y  N  Y  -  -  N  Y  Y  Y  Y  Y  Y  N  N  N  Y  N  N  Y  Y  Y  Y  Y  Y  Y  Y
officer    olivia    restricted        N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N
officer    olivia    restricted_owner  Y  N  Y  -  -  N  Y  Y  Y  Y  Y  Y  N  N  N  Y  N  N  Y  Y  Y  Y  Y  Y  Y  Y
worker     wendy     none              Y  N  Y  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  Y  N  N  N  N  N
worker     wendy     restricted        N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N
supervisor sam       none              Y  N  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  N  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y
supervisor sam       owner             Y  N  Y  -  -  Y  Y  Y  Y  Y  Y  Y  N  Y  N  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y
supervisor sam       restricted        Y  N  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  N  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y
admin      ada       none              N  N  N  N  N  N  N  N  N  N  N  N  N  N  Y  N  N  N  N  N  N  N  N  N  N  N
admin      ada       restricted        N  N  N  N  N  N  N  N  N  N  N  N  N  N  Y  N  N  N  N  N  N  N  N  N  N  N
partner    teacher   referrer          N  Y  Y  N  N  N  N  N  N  N  Y  N  N  N  N  Y  N  N  N  Y  Y  N  N  N  N  N
partner    teacher   same_agency       N  Y  Y  N  N  N  N  N  N  N  Y  N  N  N  N  Y  N  N  N  Y  Y  N  N  N  N  N
partner    teacher   none              N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N
partner    constable referrer          N  Y  Y  N  N  N  N  N  N  N  Y  N  N  N  N  Y  N  N  N  Y  Y  N  N  N  N  N
partner    constable same_agency       N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N
"""

# Actions that are not about one contact, by role.
ROLE_COLUMNS = ("take_next submit queue referrals search view_person review decide_match "
                "reindex export administer domains outbox deliver quarantine release needs").split()
ROLE_MATRIX = """
officer    olivia     Y Y Y N Y Y Y Y N N N N N N N N Y
worker     wendy      N N Y N Y Y N N N N N N N N N N Y
supervisor sam        Y Y Y N Y Y Y Y N Y Y Y Y N Y Y Y
admin      ada        N N N N N N N N Y Y Y Y N N N N N
partner    teacher    N Y N Y N N N N N N N N N N N N N
"""


def _rows(text: str, columns: list[str], *, relations: bool) -> list[tuple[str, str, str, dict]]:
    rows = []
    for line in text.strip().splitlines():
        parts = line.split()
        role, who = parts[0], parts[1]
        relation, cells = (parts[2], parts[3:]) if relations else ("-", parts[2:])
        assert len(cells) == len(columns), line
        rows.append((role, who, relation, dict(zip(columns, cells))))
    return rows


CELLS = _rows(MATRIX, COLUMNS, relations=True)
ROLE_CELLS = _rows(ROLE_MATRIX, ROLE_COLUMNS, relations=False)

NFA = ChildDecision(Outcome.NO_FURTHER_ACTION, "Accident explained; school to monitor.",
                    level_of_need=LevelOfNeed.UNIVERSAL)
REFER = ChildDecision(Outcome.SOCIAL_CARE_REFERRAL, "Unexplained injury to a young child.",
                      level_of_need=LevelOfNeed.ACUTE, primary_need="N1", indicators=("L4-CD-01",))

# relation -> (who submits, who owns it, restricted)
KINDS = {
    "none": ("gp", "oscar", False),
    "owner:olivia": ("gp", "olivia", False),
    "owner:sam": ("gp", "sam", False),
    "restricted": ("sam", "oscar", True),
    "restricted_owner:olivia": ("sam", "olivia", True),
    "referrer:teacher": ("teacher", "oscar", False),
    "same_agency:teacher": ("teacher2", "oscar", False),
    "referrer:constable": ("constable", "oscar", False),
    "same_agency:constable": ("constable2", "oscar", False),
}


def kind_of(who: str, relation: str) -> str:
    if relation in ("owner", "restricted_owner", "referrer", "same_agency"):
        return f"{relation}:{who}"
    return relation


# What each contact must be for its action to be legal (rights are asked before legality,
# so a refusal is a refusal whatever the status).
STATES = {
    "clm": "received", "allc": "received", "rall": "screening", "tkov": "screening",
    "rels": "screening", "rfi": "screening", "rply": "awaiting_information",
    "dcd": "screening", "appr": "awaiting_sign_off", "rtrn": "awaiting_sign_off",
    "push": "decided", "wdrw": "screening", "cie": "screening", "rope": "decided",
    "cnp": "decided",  # its child waits for a case-system person
    "cmp": "screening",  # an emailed contact to complete (made by the intake, see _emailed)
}


@dataclass
class Store:
    url: str
    contacts: dict[tuple[str, str], int]  # (kind, action or "shared") -> contact id
    attachments: dict[str, int]  # kind -> a document on its shared contact
    other: int  # an unrestricted contact anyone who works contacts may link to
    person: str  # a person in the index
    actors: dict[str, Actor]
    held_email: int  # a quarantined email


def _actors(ctx: Context) -> dict[str, Actor]:
    return {u.username: directory.actor_for(u) for u in directory.list_users(ctx, SYSTEM)}


def _add_people(ctx: Context) -> None:
    by_name = {a.name: a.id for a in directory.list_agencies(ctx, SYSTEM)}
    school = by_name["Hawthorn Primary School"]
    gp = directory.add_agency(ctx, SYSTEM, directory.AgencyInput(
        "Elm Tree Surgery", AgencyKind.GP_PRACTICE, ("elmtree.nhs.example",)))
    police = directory.add_agency(ctx, SYSTEM, directory.AgencyInput(
        "Brackenshire Police", AgencyKind.POLICE, ("police.example",)))
    for username, role, agency in (("teacher2", Role.PARTNER, school), ("gp", Role.PARTNER, gp),
                                   ("constable", Role.PARTNER, police),
                                   ("constable2", Role.PARTNER, police),
                                   ("sue", Role.SUPERVISOR, by_name["Brackenshire Family Front Door"])):
        directory.add_user(ctx, SYSTEM, directory.UserInput(
            username, username.title(), role, agency, PASSWORD, f"{username}@example.org"))


def _prepare(ctx: Context) -> Store:
    _add_people(ctx)
    who = _actors(ctx)
    person_index.import_records(ctx, SYSTEM, [SourceRecord(
        source=SOCIAL_CARE, source_id="FI-1", given_name="Maisie", family_name="Thompson")])
    person_index.relink(ctx, SYSTEM)
    person = single_view.find_people(ctx, SYSTEM, single_view.PersonQuery(name="Maisie Thompson"))[0]
    ids: dict[tuple[str, str], int] = {}
    documents: dict[str, int] = {}
    # Each submitter gives their own email (a partner may give no other), and the front door
    # asks them at it, so "the referrer" may answer.
    emails = {u.username: u.email for u in directory.list_users(ctx, SYSTEM)}
    for kind, (submitter, owner, restricted) in KINDS.items():
        def received(kind=kind, submitter=submitter, restricted=restricted, action="") -> int:
            extra = {"restricted": True, "restricted_reason": "a colleague's family"} if restricted else {}
            if action == "cmp":
                return _emailed(ctx, extra)
            new = new_contact(ctx.now(), **extra)
            new = replace(new, referrer=replace(new.referrer, email=emails[submitter]))
            return contacts.submit(ctx, who[submitter], new).contact_id
        for action, state in [("shared", "screening"), *STATES.items()]:
            if state == "received" and kind.startswith(("owner", "restricted_owner")):
                continue  # nobody owns a contact that nobody has claimed
            cid = received(action=action)
            ids[(kind, action)] = cid
            if state == "received":
                continue
            # A supervisor allocates (an officer could not claim a restricted contact).
            ownership.allocate(ctx, who["sam"], cid, who[owner].user_id)
            if state == "awaiting_information":
                screening.request_information(ctx, who[owner], cid, recipient=emails[submitter],
                                              message="Who else lives at home?",
                                              chase_by=ctx.now() + timedelta(days=1))
            elif state == "awaiting_sign_off":
                decisions.decide(ctx, who[owner], cid, same_for_all=NFA)
            elif state == "decided":
                decisions.decide(ctx, who[owner], cid, same_for_all=REFER)
        shared = ids[(kind, "shared")]
        documents[kind] = attachments.attach(ctx, who[submitter], shared, "body-map.txt",
                                             b"Bruise on the left cheek.")
    other = contacts.submit(ctx, who["gp"], new_contact(ctx.now(), referrer=Referrer(
        name="Gp", email=emails["gp"]))).contact_id
    raw = b"From: someone@elsewhere.example\r\nSubject: hello\r\n\r\nA concern.\r\n"
    held = intake.receive(ctx, SYSTEM, intake.Arrival("127.0.0.1", "a@elsewhere.example",
                                                      ("intake@council.example",), raw, len(raw)))
    return Store(ctx.engine.url.render_as_string(hide_password=False), ids, documents, other,
                 person.person_id, who, held.email_id)


def _emailed(ctx: Context, extra: dict) -> int:
    """An emailed contact to complete, as the intake files one (restricted if ``extra`` says)."""
    new = NewContact(kind=ContactKind.CAUSE_FOR_CONCERN, channel=Channel.SECURE_EMAIL,
                     received_at=ctx.now(), category="", children=(), consent=None,
                     referrer=Referrer(name="PC Marsh", email="jo.marsh@police.example"),
                     to_complete=True, **extra)
    return contacts.submit(ctx, SYSTEM, new).contact_id


def _waiting_child(ctx: Context, contact_id: int) -> int:
    with ctx.read() as session:
        return session.execute(select(CaseSystemTransfer.id).where(
            CaseSystemTransfer.contact_id == contact_id)).scalar_one()


def _clone(backend: str, url: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        copy = tmp_path / f"row-{uuid.uuid4().hex[:8]}.sqlite"
        shutil.copy(make_url(url).database, copy)
        return f"sqlite:///{copy}"
    name = f"ffd_m_{uuid.uuid4().hex[:10]}"
    _admin(postgres_url(), f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"')
    return make_url(postgres_url()).set(database=name).render_as_string(hide_password=False)


_stores: dict[str, Store] = {}


@pytest.fixture(scope="session")
def _matrix_root(tmp_path_factory) -> Path:  # noqa: ANN001
    return tmp_path_factory.mktemp("matrix")


def _store(backend: str, root: Path) -> Store:
    if backend not in _stores:
        base = _template(backend, root)
        url = _clone(backend, base.url, root)
        engine = make_engine(url)
        ctx = Context(engine, Settings(database_url=url, blob_dir=str(root / "blobs")),
                      AUDIT_KEY, _fixed_clock())
        store = _prepare(ctx)
        engine.dispose()
        if backend == "sqlite":
            import sqlite3

            with sqlite3.connect(make_url(url).database) as raw:
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _stores[backend] = store
    return _stores[backend]


def _fixed_clock():  # noqa: ANN202
    from ffd_core.clock import FixedClock

    return FixedClock(START)


@pytest.fixture
def row_ctx(backend: str, _matrix_root: Path, tmp_path: Path):  # noqa: ANN201
    store = _store(backend, _matrix_root)
    url = _clone(backend, store.url, tmp_path)
    engine = make_engine(url)
    ctx = Context(engine, Settings(database_url=url, blob_dir=str(_matrix_root / "blobs")),
                  AUDIT_KEY, _fixed_clock())
    yield ctx, store
    engine.dispose()
    if backend == "postgres":
        _admin(postgres_url(), f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _version(ctx: Context, contact_id: int) -> int:
    with ctx.read() as session:
        return session.execute(select(Contact.version).where(Contact.id == contact_id)).scalar_one()


def _attempt(ctx: Context, store: Store, actor: Actor, kind: str, column: str):  # noqa: ANN202
    """(the contact it acts on, a call that does it)."""
    ids = store.contacts
    shared = ids[(kind, "shared")]
    target = ids.get((kind, column), shared)
    owner = KINDS[kind][1]
    other_officer = store.actors["olivia" if owner == "oscar" else "oscar"]
    actions = {
        "staff": lambda: contact_view.view_contact(ctx, actor, shared),
        "refv": lambda: referrer_view.referrer_view(ctx, actor, shared),
        "clm": lambda: ownership.claim(ctx, actor, target),
        "allc": lambda: ownership.allocate(ctx, actor, target, store.actors["oscar"].user_id),
        "rall": lambda: ownership.allocate(ctx, actor, target, other_officer.user_id, "cover"),
        "tkov": lambda: ownership.take_over(ctx, actor, target, "cover for leave"),
        "rels": lambda: ownership.release(ctx, actor, target),
        "prio": lambda: screening.set_priority(ctx, actor, shared, 2, "matrix"),
        "rfi": lambda: screening.request_information(
            ctx, actor, target, recipient="tess@hawthorn.sch.example", message="More, please",
            chase_by=ctx.now() + timedelta(days=1)),
        "rply": lambda: screening.record_reply(ctx, actor, target, "Mum's partner moved in."),
        "dcd": lambda: decisions.decide(ctx, actor, target, same_for_all=REFER),
        "appr": lambda: decisions.approve(ctx, actor, target),
        "rtrn": lambda: decisions.return_for_rework(ctx, actor, target, "check the history"),
        "push": lambda: screening.record_transfer(ctx, actor, target, "EP-1"),
        "wdrw": lambda: screening.withdraw(ctx, actor, target, "sent twice"),
        "cie": lambda: screening.close_in_error(ctx, actor, target, "wrong child"),
        "rope": lambda: screening.reopen(ctx, actor, target, "new information"),
        "note": lambda: notes.add_note(ctx, actor, shared, "spoke to the DSL"),
        "att": lambda: attachments.attach(ctx, actor, shared, "more.txt", b"more detail"),
        "ratt": lambda: attachments.read_attachment(ctx, actor, store.attachments[kind]),
        "lnk": lambda: notes.link_contacts(ctx, actor, shared, store.other, "same child"),
        "lchd": lambda: single_view.link_child(ctx, actor, _child(ctx, shared), store.person),
        "wrt": lambda: messages.send_reply(ctx, actor, shared, kind=MessageKind.OUTCOME,
                                           body="We are looking at this today."),
        "cnp": lambda: needs_person.confirm_new_person(ctx, actor, _waiting_child(ctx, target),
                                                       "searched: not there"),
        "cmp": lambda: completion.complete(ctx, actor, target, completion.Completion(
            "physical_abuse", (child(),), Consent.GIVEN)),
    }
    return target if column in STATES else shared, actions[column]


def _child(ctx: Context, contact_id: int) -> int:
    with ctx.read() as session:
        return session.execute(select(ContactPerson.id).where(
            ContactPerson.contact_id == contact_id, ContactPerson.position == 0)).scalar_one()


def _listed(ctx: Context, actor: Actor, contact_id: int) -> bool:
    """Whether the contact shows anywhere the actor can list contacts (and counts)."""
    reference = _reference(ctx, contact_id)
    try:
        if actor.role is Role.PARTNER:
            return any(r.id == contact_id for r in referrer_view.my_referrals(ctx, actor).rows)
        page = queue.holding_area(ctx, actor, queue.View.ALL, text=reference)
        assert page.total == len(page.rows)  # counted exactly as paged
        return page.total == 1
    except PermissionDenied:
        return False


def _reference(ctx: Context, contact_id: int) -> str:
    with ctx.read() as session:
        return session.get(Contact, contact_id).reference


def _check_row(ctx: Context, store: Store, who: str, relation: str, cells: dict[str, str]) -> list[str]:
    actor = store.actors[who]
    kind = kind_of(who, relation)
    wrong = []
    for column, expected in cells.items():
        if expected == "-":
            continue
        if column == "list":
            got = "Y" if _listed(ctx, actor, store.contacts[(kind, "shared")]) else "N"
        else:
            contact_id, call = _attempt(ctx, store, actor, kind, column)
            before = _version(ctx, contact_id)
            try:
                call()
                got = "Y"
            except PermissionDenied:
                got = "N"
                if _version(ctx, contact_id) != before:
                    wrong.append(f"{column}: refused but the contact changed")
        if got != expected:
            wrong.append(f"{column}: expected {expected}, got {got}")
    return wrong


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("role", "who", "relation", "cells"), CELLS,
                         ids=[f"{r}-{w}-{rel}" for r, w, rel, _ in CELLS])
def test_every_cell_on_sqlite(row_ctx, role, who, relation, cells):
    ctx, store = row_ctx
    assert _check_row(ctx, store, who, relation, cells) == []


# A representative slice on PostgreSQL: the rows where scope decides (restriction, owner,
# agency-wide sharing, blind administration).
SLICE = [c for c in CELLS if (c[1], c[2]) in {
    ("olivia", "restricted"), ("olivia", "owner"), ("teacher", "same_agency"),
    ("constable", "same_agency"), ("ada", "restricted"), ("sam", "owner")}]


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
@pytest.mark.parametrize(("role", "who", "relation", "cells"), SLICE,
                         ids=[f"{r}-{w}-{rel}" for r, w, rel, _ in SLICE])
def test_a_slice_on_postgres(row_ctx, role, who, relation, cells):
    ctx, store = row_ctx
    assert _check_row(ctx, store, who, relation, cells) == []


def _role_attempt(ctx: Context, store: Store, actor: Actor, column: str, tmp: Path):  # noqa: ANN202
    calls = {
        "take_next": lambda: ownership.take_next(ctx, actor),
        "submit": lambda: contacts.submit(ctx, actor, new_contact(ctx.now())),
        "queue": lambda: queue.holding_area(ctx, actor),
        "referrals": lambda: referrer_view.my_referrals(ctx, actor),
        "search": lambda: single_view.find_people(ctx, actor, single_view.PersonQuery(name="Maisie")),
        "view_person": lambda: single_view.person_view(ctx, actor, store.person, reason="matrix"),
        "review": lambda: single_view.possible_matches(ctx, actor),
        "decide_match": lambda: single_view.decide_link(
            ctx, actor, (SOCIAL_CARE, "FI-1"), (SOCIAL_CARE, "FI-1"), same=True, reason="matrix"),
        "reindex": lambda: person_index.reindex(ctx, actor),
        "export": lambda: person_index.export_links(ctx, actor, tmp / "links.csv"),
        "administer": lambda: directory.add_agency(ctx, actor, directory.AgencyInput(
            f"Agency {uuid.uuid4().hex[:6]}", AgencyKind.VOLUNTARY)),
        "domains": lambda: directory.change_agency_domains(ctx, actor, directory.add_agency(
            ctx, SYSTEM, directory.AgencyInput(f"Agency {uuid.uuid4().hex[:6]}", AgencyKind.VOLUNTARY)),
            add=[f"{uuid.uuid4().hex[:8]}.example"]),
        "outbox": lambda: deliveries.list_outbox(ctx, actor),
        "deliver": lambda: outbox.claim(ctx, actor, "matrix-worker", [outbox.EMAIL], 1),
        "quarantine": lambda: quarantine.held(ctx, actor),
        "release": lambda: quarantine.release(ctx, actor, store.held_email, "matrix"),
        "needs": lambda: needs_person.waiting(ctx, actor),
    }
    return calls[column]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("role", "who", "relation", "cells"), ROLE_CELLS,
                         ids=[r for r, *_ in ROLE_CELLS])
def test_actions_not_about_one_contact(row_ctx, tmp_path, role, who, relation, cells):
    ctx, store = row_ctx
    actor = store.actors[who]
    wrong = []
    for column, expected in cells.items():
        try:
            _role_attempt(ctx, store, actor, column, tmp_path)()
            got = "Y"
        except PermissionDenied:
            got = "N"
        if got != expected:
            wrong.append(f"{column}: expected {expected}, got {got}")
    assert wrong == []


# The console offers a key only if the role may use it on some contact: the same table.
CONSOLE_ACTIONS = {
    "claim": "clm", "allocate": "allc", "reallocate": "rall", "take_over": "tkov",
    "release": "rels", "set_priority": "prio", "request_information": "rfi",
    "record_reply": "rply", "decide": "dcd", "approve": "appr", "return": "rtrn",
    "withdraw": "wdrw", "close_in_error": "cie", "reopen": "rope",
}


@pytest.mark.parametrize("role", sorted({r for r, *_ in CELLS} - {"partner"}))
def test_the_console_offers_what_the_table_allows(ctx, role):
    from ffd_tui.app import FrontDoorApp

    rows = [cells for r, _w, _rel, cells in CELLS if r == role]
    who = next(w for r, w, _rel, _cells in CELLS if r == role)
    actor = _actors(ctx)[who]
    app = FrontDoorApp(ctx, actor)
    app.actor = actor
    for edge, column in CONSOLE_ACTIONS.items():
        expected = any(cells[column] == "Y" for cells in rows)
        assert app.may(edge) == expected, (role, edge)


def test_a_partner_never_opens_a_document_the_front_door_attached(ctx, people):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    internal = attachments.attach(ctx, people["sam"], receipt.contact_id, "strategy.txt",
                                  b"Strategy discussion notes")
    with pytest.raises(PermissionDenied, match="not one your agency sent"):
        attachments.read_attachment(ctx, people["teacher"], internal)
    view = referrer_view.referrer_view(ctx, people["teacher"], receipt.contact_id)
    assert view.attachments == []

