"""The holding area and the counters strip: read-only queries, shaped for a window of rows.

Screens ask for one window (offset, limit) of an ordered, filtered list and the total; they
never load the whole queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import Select, and_, exists, func, inspect, or_, select
from sqlalchemy.orm import aliased

from ffd_core.clock import UK, as_utc
from ffd_core.domain.access import Action, Actor
from ffd_core.domain.vocab import Role, Status
from ffd_core.services.context import Context
from ffd_core.services.visibility import visible_to
from ffd_core.store.tables import Agency, Change, Contact, ContactPerson, User


class View(str, Enum):
    MINE = "mine"
    UNALLOCATED = "unallocated"
    AWAITING_INFORMATION = "awaiting_information"
    AWAITING_SIGN_OFF = "awaiting_sign_off"
    BREACHING = "breaching"
    DUE_SOON = "due_soon"
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
    due_soon: bool  # open, and at most 240 minutes left on the statutory clock


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int


def _open(ctx: Context):  # noqa: ANN202
    """Open statuses as the lifecycle file declares them, in a fixed order (the query text
    stays the same from run to run, so plans and the open-queue index keep matching)."""
    return Contact.status.in_([s.value for s in Status if s in ctx.lifecycle.open_statuses])


def _conditions(ctx: Context, actor: Actor, view: View, text: str) -> list:
    now = ctx.now()
    open_ = _open(ctx)
    conditions = {
        View.MINE: [Contact.owner_id == actor.user_id, open_],
        View.UNALLOCATED: [Contact.status == Status.RECEIVED.value, Contact.owner_id.is_(None)],
        View.AWAITING_INFORMATION: [Contact.status == Status.AWAITING_INFORMATION.value],
        View.AWAITING_SIGN_OFF: [Contact.status == Status.AWAITING_SIGN_OFF.value],
        View.BREACHING: [open_, Contact.due_at < now],
        View.DUE_SOON: [open_, Contact.due_at >= now,
                        Contact.due_at <= ctx.clock_policy.due_soon_until(now)],
        View.OPEN: [open_],
        View.ALL: [],
    }[view]
    # What the reader may not see is never loaded, counted or paged.
    conditions.append(visible_to(actor))
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
    columns = SORTS.get(sort)
    if columns is None:
        raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    order = [c.desc() if descending else c.asc() for c in columns]
    with ctx.read() as session:
        actor = ctx.authorize(session, actor, Action.SEE_QUEUE)
        conditions = _conditions(ctx, actor, view, text)
        query = _row_query().where(*conditions).order_by(*order).offset(offset).limit(limit)
        total = session.execute(select(func.count(Contact.id)).where(*conditions)).scalar_one()
        rows = _rows_of(ctx, session.execute(query))
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


def _rows_of(ctx: Context, result) -> list[QueueRow]:  # noqa: ANN001 - rows of _row_query
    now = ctx.now()
    soon_until = ctx.clock_policy.due_soon_until(now)
    open_ = {status.value for status in ctx.lifecycle.open_statuses}
    return [_row(r, r.status in open_ and r.due_at is not None
                 and as_utc(now) <= as_utc(r.due_at) <= soon_until) for r in result]


def _row(r, due_soon: bool) -> QueueRow:  # noqa: ANN001 - a result row of _row_query
    return QueueRow(
        id=r.id, reference=r.reference, received_at=r.received_at, due_at=r.due_at,
        priority=r.priority, category=r.category,
        child="(restricted)" if r.restricted else r.child_summary,
        agency=r.name or (r.referrer or {}).get("agency_name", "") or
        ("anonymous" if r.anonymous else ""),
        channel=r.channel, status=r.status, owner=r.display_name or "",
        version=r.version, restricted=r.restricted, other_contacts=bool(r.linked),
        due_soon=due_soon,
    )


@dataclass(frozen=True)
class Counters:
    new_today: int
    unallocated: int
    in_screening: int
    awaiting_information: int
    awaiting_sign_off: int
    decided_today: int
    due_soon: int  # at most 240 minutes left on the statutory clock (office minutes)
    breached: int


def counters(ctx: Context, actor: Actor) -> Counters:
    """Seven figures in three indexed reads: the open queue (thousands of rows at most),
    today's arrivals and today's decisions; never a scan of the whole history. Only what
    the reader may see is counted."""
    now = ctx.now()
    midnight = local_midnight(now)

    def count(*conditions) -> object:  # noqa: ANN002
        return func.count().filter(and_(*conditions))

    with ctx.read() as session:
        actor = ctx.authorize(session, actor, Action.SEE_QUEUE)
        visible = visible_to(actor)
        open_figures = select(
            count(Contact.status == Status.RECEIVED.value, Contact.owner_id.is_(None)),
            count(Contact.status == Status.SCREENING.value),
            count(Contact.status == Status.AWAITING_INFORMATION.value),
            count(Contact.status == Status.AWAITING_SIGN_OFF.value),
            count(Contact.due_at >= now, Contact.due_at <= ctx.clock_policy.due_soon_until(now)),
            count(Contact.due_at < now),
        ).where(_open(ctx), visible)
        arrived = select(func.count()).where(Contact.received_at >= midnight, visible)
        decided = select(func.count()).where(Contact.decided_at >= midnight, visible)
        unallocated, screening, waiting, sign_off, due_soon, breached = \
            session.execute(open_figures).one()
        return Counters(
            new_today=session.execute(arrived).scalar_one(),
            unallocated=unallocated, in_screening=screening, awaiting_information=waiting,
            awaiting_sign_off=sign_off,
            decided_today=session.execute(decided).scalar_one(),
            due_soon=due_soon, breached=breached,
        )


def local_midnight(now):  # noqa: ANN001, ANN201 - datetime
    """The start of today in the UK, as a UTC instant ("today" on every counter)."""
    return as_utc(now.astimezone(UK).replace(hour=0, minute=0, second=0, microsecond=0))


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


def workload(ctx: Context, actor: Actor) -> list[Workload]:
    """Per officer: what they hold now and what they decided today (supervisor view)."""
    now = ctx.now()
    midnight = local_midnight(now)
    open_ = _open(ctx)

    def count(*conditions) -> object:  # noqa: ANN002
        return func.count(Contact.id).filter(and_(*conditions))

    with ctx.read() as session:
        actor = ctx.authorize(session, actor, Action.SEE_QUEUE)
        query = (
            select(User.id, User.display_name,
                   count(Contact.status == Status.SCREENING.value),
                   count(Contact.status == Status.AWAITING_INFORMATION.value),
                   count(Contact.status == Status.AWAITING_SIGN_OFF.value),
                   count(open_, Contact.due_at < now),
                   count(Contact.decided_at >= midnight))
            .outerjoin(Contact, and_(Contact.owner_id == User.id, visible_to(actor),
                                     or_(open_, Contact.decided_at >= midnight)))
            .where(User.role.in_([Role.SCREENING_OFFICER.value, Role.SUPERVISOR.value]),
                   User.active.is_(True))
            .group_by(User.id, User.display_name)
            .order_by(User.display_name)
        )
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
    rows = _rows(ctx, actor, [_open(ctx), Contact.priority == 1], limit=500)
    return {r.id: r.reference for r in rows}


def _rows(ctx: Context, actor: Actor, conditions: list, limit: int) -> list[QueueRow]:
    with ctx.read() as session:
        actor = ctx.authorize(session, actor, Action.SEE_QUEUE)
        return _rows_of(ctx, session.execute(
            _row_query().where(*conditions, visible_to(actor))
            .order_by(*SORTS["priority"]).limit(limit)))
