"""The clock projection: computed from the audit trail, stored for fast sorting and counting.

``project_clocks`` runs inside every write that can move a clock; ``rebuild`` recomputes
every contact from the trail with the very same code, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ffd_core.domain.clocks import ClockEvent, ClockPeriod, ClockPolicy, compute_periods
from ffd_core.domain.vocab import Priority, Status
from ffd_core.domain.access import Action, Actor
from ffd_core.services.context import Context
from ffd_core.store.tables import AuditEvent, ClockPeriodRow, Contact

Progress = Callable[[int, int], None]


def clock_events(events: Iterable[AuditEvent]) -> list[ClockEvent]:
    """The audit events that move a clock: status changes and priority changes."""
    result = []
    for event in events:
        priority = (event.data or {}).get("priority")
        if event.to_status is None and priority is None:
            continue
        if event.to_status is not None and event.to_status == event.from_status and priority is None:
            continue
        # The statutory clock runs from when the contact reached us, not when it was keyed.
        at = event.at
        if event.action == "submit" and (event.data or {}).get("received_at"):
            at = datetime.fromisoformat(event.data["received_at"])
        result.append(
            ClockEvent(
                at=at,
                to_status=Status(event.to_status) if event.to_status else None,
                priority=Priority(int(priority)) if priority is not None else None,
                reopened=event.action == "reopen",
            )
        )
    return result


def periods_for(session: Session, policy: ClockPolicy, contact_id: int) -> list[ClockPeriod]:
    events = session.execute(
        select(AuditEvent).where(AuditEvent.contact_id == contact_id).order_by(AuditEvent.seq)
    ).scalars()
    return compute_periods(clock_events(events), policy)


def project_clocks(ctx: Context, session: Session, contact: Contact) -> None:
    session.flush()
    apply_periods(session, contact, periods_for(session, ctx.clock_policy, contact.id))


def apply_periods(session: Session, contact: Contact, periods: list[ClockPeriod]) -> None:
    numbers = [p.number for p in periods]
    session.execute(delete(ClockPeriodRow).where(ClockPeriodRow.contact_id == contact.id,
                                                 ClockPeriodRow.number.not_in(numbers)))
    for period in periods:
        row = session.get(ClockPeriodRow, (contact.id, period.number))
        if row is None:
            row = ClockPeriodRow(contact_id=contact.id, number=period.number)
            session.add(row)
        row.started_at = period.started_at
        row.counted_from = period.counted_from
        row.statutory_due_at = period.statutory_due_at
        row.working_due_at = period.working_due_at
        row.paused_minutes = period.paused_minutes
        row.paused_since = period.paused_since
        row.stopped_at = period.stopped_at
        row.stop_status = period.stop_status.value if period.stop_status else None
        row.statutory_margin_minutes = period.statutory_margin_minutes
        row.working_margin_minutes = period.working_margin_minutes
    current = periods[-1]
    contact.clock_period = current.number
    contact.due_at = current.statutory_due_at
    contact.working_due_at = current.working_due_at
    contact.decided_at = current.stopped_at if current.stop_status is Status.DECIDED else None


def _events_by_contact(session: Session, contact_ids: list[int]) -> dict[int, list[AuditEvent]]:
    grouped: dict[int, list[AuditEvent]] = {}
    rows = session.execute(
        select(AuditEvent)
        .where(AuditEvent.contact_id.in_(contact_ids))
        .order_by(AuditEvent.contact_id, AuditEvent.seq)
    ).scalars()
    for event in rows:
        grouped.setdefault(event.contact_id, []).append(event)
    return grouped


def rebuild(ctx: Context, actor: Actor, progress: Progress | None = None, batch: int = 500) -> int:
    """Recompute every contact's clocks from the audit trail; returns how many."""
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.OPERATE_STORE)
        total = session.execute(select(func.count(Contact.id))).scalar_one()
    done, after = 0, 0
    while True:
        with ctx.write() as session:
            contacts = session.execute(
                select(Contact).where(Contact.id > after).order_by(Contact.id).limit(batch)
            ).scalars().all()
            if not contacts:
                break
            trail = _events_by_contact(session, [c.id for c in contacts])
            for contact in contacts:
                periods = compute_periods(clock_events(trail.get(contact.id, [])), ctx.clock_policy)
                apply_periods(session, contact, periods)
            after = contacts[-1].id
            done += len(contacts)
        if progress:
            progress(done, total)
    return done
