"""The holding area and the counters strip: read-only queries, shaped for a window of rows.

Screens ask for one window (offset, limit) of an ordered, filtered list and the total; they
never load the whole queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import Select, and_, exists, func, inspect, or_, select
from sqlalchemy.orm import aliased

from ffd_core.clock import UK, as_utc
from ffd_core.domain.permissions import READERS, require_role
from ffd_core.domain.vocab import OPEN_STATUSES, Status
from ffd_core.services.context import Actor, Context
from ffd_core.store.tables import Agency, Change, Contact, ContactPerson, User

DUE_SOON = timedelta(hours=4)
OPEN = [s.value for s in OPEN_STATUSES]


class View(str, Enum):
    MINE = "mine"
    UNALLOCATED = "unallocated"
    AWAITING_INFORMATION = "awaiting_information"
    AWAITING_SIGN_OFF = "awaiting_sign_off"
    BREACHING = "breaching"
    OPEN = "open"
    ALL = "all"


OWNER = aliased(User, name="owner")
# Build its columns now, while one thread imports this: built lazily by two threads
# at once, each gets its own, and a join on the alias then cannot be resolved.
inspect(OWNER).selectable.c

# The default sort walks the partial index of open contacts (see ix_contacts_open_queue).
SORTS = {
    "priority": (Contact.priority, Contact.due_at, Contact.id),
    "due": (Contact.due_at, Contact.priority, Contact.id),
    "received": (Contact.received_at, Contact.id),
    "reference": (Contact.reference,),
    "category": (Contact.category, Contact.priority, Contact.id),
    "child": (Contact.child_summary, Contact.id),
    "status": (Contact.status, Contact.priority, Contact.id),
    "channel": (Contact.channel, Contact.id),
    "owner": (OWNER.display_name, Contact.priority, Contact.id),
    "agency": (Agency.name, Contact.priority, Contact.id),
}


@dataclass(frozen=True)
class QueueRow:
    id: int
    reference: str
    received_at: datetime
    due_at: datetime | None
    priority: int
    category: str
    child: str
    agency: str
    channel: str
    status: str
    owner: str
    version: int
    restricted: bool
    other_contacts: bool  # another contact about the same child exists


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int


def _conditions(ctx: Context, actor: Actor, view: View, text: str) -> list:
    now = ctx.now()
    open_ = Contact.status.in_(OPEN)
    conditions = {
        View.MINE: [Contact.owner_id == actor.user_id, open_],
        View.UNALLOCATED: [Contact.status == Status.RECEIVED.value, Contact.owner_id.is_(None)],
        View.AWAITING_INFORMATION: [Contact.status == Status.AWAITING_INFORMATION.value],
        View.AWAITING_SIGN_OFF: [Contact.status == Status.AWAITING_SIGN_OFF.value],
        View.BREACHING: [open_, Contact.due_at < now],
        View.OPEN: [open_],
        View.ALL: [],
    }[view]
    for word in text.lower().split():
        # Words are ANDed; each may match anywhere in the denormalised search text.
        conditions.append(Contact.search_text.contains(word, autoescape=True))
    return conditions


def holding_area(
    ctx: Context,
    actor: Actor,
    view: View = View.OPEN,
    text: str = "",
    sort: str = "priority",
    descending: bool = False,
    offset: int = 0,
    limit: int = 200,
) -> QueuePage:
    require_role(actor.role, READERS, "see the holding area")
    columns = SORTS.get(sort)
    if columns is None:
        raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    conditions = _conditions(ctx, actor, view, text)
    order = [c.desc() if descending else c.asc() for c in columns]
    query = _row_query().where(*conditions).order_by(*order).offset(offset).limit(limit)
    with ctx.read() as session:
        total = session.execute(select(func.count(Contact.id)).where(*conditions)).scalar_one()
        rows = [_row(r) for r in session.execute(query)]
    return QueuePage(rows, total)


def _row_query() -> Select:
    """Only the columns a row shows: the answers and other wide columns stay on disk."""
    owner = OWNER
    same_child = aliased(ContactPerson)
    this_child = aliased(ContactPerson)
    other_contact = exists().where(
        this_child.contact_id == Contact.id,
        this_child.person_id.is_not(None),
        same_child.person_id == this_child.person_id,
        same_child.contact_id != Contact.id,
    )
    return (
        select(Contact.id, Contact.reference, Contact.received_at, Contact.due_at,
               Contact.priority, Contact.category, Contact.child_summary, Contact.referrer,
               Contact.anonymous, Contact.channel, Contact.status, Contact.version,
               Contact.restricted, owner.display_name, Agency.name, other_contact.label("linked"))
        .outerjoin(owner, owner.id == Contact.owner_id)
        .outerjoin(Agency, Agency.id == Contact.referrer_agency_id)
    )


def _row(r) -> QueueRow:  # noqa: ANN001 - a result row of _row_query
    return QueueRow(
        id=r.id, reference=r.reference, received_at=r.received_at, due_at=r.due_at,
        priority=r.priority, category=r.category,
        child="(restricted)" if r.restricted else r.child_summary,
        agency=r.name or (r.referrer or {}).get("agency_name", "") or
        ("anonymous" if r.anonymous else ""),
        channel=r.channel, status=r.status, owner=r.display_name or "",
        version=r.version, restricted=r.restricted, other_contacts=bool(r.linked),
    )


@dataclass(frozen=True)
class Counters:
    new_today: int
    unallocated: int
    in_screening: int
    awaiting_information: int
    awaiting_sign_off: int
    decided_today: int
    due_within_4_hours: int
    breached: int


def counters(ctx: Context) -> Counters:
    """Seven figures in three indexed reads: the open queue (thousands of rows at most),
    today's arrivals and today's decisions; never a scan of the whole history."""
    now = ctx.now()
    local_midnight = as_utc(now.astimezone(UK).replace(hour=0, minute=0, second=0, microsecond=0))

    def count(*conditions) -> object:  # noqa: ANN002
        return func.count().filter(and_(*conditions))

    open_figures = select(
        count(Contact.status == Status.RECEIVED.value, Contact.owner_id.is_(None)),
        count(Contact.status == Status.SCREENING.value),
        count(Contact.status == Status.AWAITING_INFORMATION.value),
        count(Contact.status == Status.AWAITING_SIGN_OFF.value),
        count(Contact.due_at >= now, Contact.due_at < now + DUE_SOON),
        count(Contact.due_at < now),
    ).where(Contact.status.in_(OPEN))
    arrived = select(func.count()).where(Contact.received_at >= local_midnight)
    decided = select(func.count()).where(Contact.decided_at >= local_midnight)
    with ctx.read() as session:
        unallocated, screening, waiting, sign_off, due_soon, breached = \
            session.execute(open_figures).one()
        return Counters(
            new_today=session.execute(arrived).scalar_one(),
            unallocated=unallocated, in_screening=screening, awaiting_information=waiting,
            awaiting_sign_off=sign_off,
            decided_today=session.execute(decided).scalar_one(),
            due_within_4_hours=due_soon, breached=breached,
        )


def last_change(ctx: Context) -> int:
    """The change feed's high-water mark: one cheap indexed read for live screens."""
    with ctx.read() as session:
        return session.execute(select(func.max(Change.seq))).scalar_one() or 0


def changed_since(ctx: Context, seq: int, limit: int = 500) -> list[tuple[int, int | None, str]]:
    with ctx.read() as session:
        return [tuple(r) for r in session.execute(
            select(Change.seq, Change.contact_id, Change.kind)
            .where(Change.seq > seq).order_by(Change.seq).limit(limit))]


@dataclass(frozen=True)
class Workload:
    officer_id: int
    officer: str
    screening: int
    awaiting_information: int
    awaiting_sign_off: int
    breaching: int
    decided_today: int


def workload(ctx: Context) -> list[Workload]:
    """Per officer: what they hold now and what they decided today (supervisor view)."""
    now = ctx.now()
    local_midnight = as_utc(now.astimezone(UK).replace(hour=0, minute=0, second=0, microsecond=0))

    def count(*conditions) -> object:  # noqa: ANN002
        return func.count(Contact.id).filter(and_(*conditions))

    query = (
        select(User.id, User.display_name,
               count(Contact.status == Status.SCREENING.value),
               count(Contact.status == Status.AWAITING_INFORMATION.value),
               count(Contact.status == Status.AWAITING_SIGN_OFF.value),
               count(Contact.status.in_(OPEN), Contact.due_at < now),
               count(Contact.decided_at >= local_midnight))
        .outerjoin(Contact, and_(Contact.owner_id == User.id,
                                 or_(Contact.status.in_(OPEN), Contact.decided_at >= local_midnight)))
        .where(User.role.in_(["screening_officer", "supervisor"]), User.active.is_(True))
        .group_by(User.id, User.display_name)
        .order_by(User.display_name)
    )
    with ctx.read() as session:
        return [Workload(*row) for row in session.execute(query)]


def find_by_reference(ctx: Context, actor: Actor, reference: str) -> QueueRow | None:
    """One contact by its human reference (FFD-2026-000123), as a holding-area row."""
    reference = reference.strip().upper()
    if not reference:
        return None
    page = _rows(ctx, actor, [Contact.reference == reference], limit=1)
    return page[0] if page else None


def rows_by_id(ctx: Context, actor: Actor, ids: list[int]) -> list[QueueRow]:
    """Current rows for contacts a screen holds (versions, owners) without a full view."""
    return _rows(ctx, actor, [Contact.id.in_(ids)], limit=len(ids)) if ids else []


def immediate_open(ctx: Context, actor: Actor) -> dict[int, str]:
    """Open priority-1 contacts (id -> reference): what every console alerts on when a new
    one appears. Read through the partial index of open contacts, so it stays cheap."""
    rows = _rows(ctx, actor, [Contact.status.in_(OPEN), Contact.priority == 1], limit=500)
    return {r.id: r.reference for r in rows}


def _rows(ctx: Context, actor: Actor, conditions: list, limit: int) -> list[QueueRow]:
    require_role(actor.role, READERS, "see the holding area")
    with ctx.read() as session:
        return [_row(r) for r in session.execute(
            _row_query().where(*conditions).order_by(*SORTS["priority"]).limit(limit))]
