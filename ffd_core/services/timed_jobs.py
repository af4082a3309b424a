"""What the product does by itself as time passes, run by the outbox worker as the system.

Each job is idempotent — running it again, or on a restarted worker, does nothing more —
and what it changes is audited. A worker takes a job's turn by moving its ``next_run_at``
on in one transaction, so two workers never run the same job at once.

Jobs: chase-by passed (the contact goes back to its owner, with the reason), and
due-soon warnings (once per contact and statutory period, to the owner's and the
supervisors' consoles). A later job, such as deleting web drafts past their expiry, is a
function returning a count and one line in ``JOBS``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from ffd_core.domain.access import SYSTEM, Action, Actor
from ffd_core.domain.vocab import Role, Status
from ffd_core.services import drafts, screening
from ffd_core.services.contact_write import begin, facts
from ffd_core.services.context import Context
from ffd_core.services.queue import View, holding_area
from ffd_core.store.engine import is_postgres
from ffd_core.store.tables import AuditEvent, Contact, TimedJobRow

log = logging.getLogger(__name__)

DUE_SOON_WARNING = "due_soon_warning"
DUE_SOON_CHANGE = "contact.due_soon"


@dataclass(frozen=True)
class TimedJob:
    name: str
    run: Callable[[Context], int]  # how many things it did
    did: str  # for the log: "{count} <did>"


def _chase_by(ctx: Context) -> int:
    return len(screening.chase_overdue(ctx))


def warn_due_soon(ctx: Context) -> int:
    """Audit a warning for each open contact that has entered "due soon" (the one
    definition: ``ClockPolicy.is_due_soon``) and has not been warned about in this
    statutory period; consoles see it on the change feed."""
    now = ctx.now()
    candidates = holding_area(ctx, SYSTEM, View.DUE_SOON, sort="due", limit=10_000).rows
    warned = 0
    for row in candidates:
        with ctx.write() as session:
            actor, contact = begin(ctx, session, SYSTEM, row.id, Action.DELIVER)
            period = f"period:{contact.clock_period}"
            if (not ctx.lifecycle.is_open(Status(contact.status))
                    or not ctx.clock_policy.is_due_soon(now, contact.due_at)
                    or _warned(session, contact.id, period)):
                continue
            ctx.audit(session, actor, DUE_SOON_WARNING, contact_id=contact.id, subject=period,
                      data={"due_at": contact.due_at.isoformat(), "owner_id": contact.owner_id})
            ctx.changed(session, contact.id, DUE_SOON_CHANGE)
            warned += 1
    return warned


def _warned(session, contact_id: int, period: str) -> bool:  # noqa: ANN001 - Session
    return bool(session.execute(select(exists().where(
        AuditEvent.contact_id == contact_id, AuditEvent.action == DUE_SOON_WARNING,
        AuditEvent.subject == period))).scalar())


JOBS: tuple[TimedJob, ...] = (
    TimedJob("chase_by", _chase_by, "contact(s) back to their owner: chase-by time passed"),
    TimedJob("due_soon", warn_due_soon, "due-soon warning(s) sent to consoles"),
    TimedJob("draft_expiry", drafts.purge_expired, "unsent web draft(s) past their expiry deleted"),
)


def run_due(ctx: Context, actor: Actor, jobs: Iterable[TimedJob] = JOBS) -> dict[str, int]:
    """Run each job whose turn has come; what each did, by name."""
    done = {}
    for job in jobs:
        if not _take_turn(ctx, actor, job.name):
            continue
        count = job.run(ctx)
        log.info("timed job %s: %d %s", job.name, count, job.did)
        with ctx.write() as session:
            row = session.get(TimedJobRow, job.name)
            row.last_result = f"{count} {job.did}"
        done[job.name] = count
    return done


def _take_turn(ctx: Context, actor: Actor, name: str) -> bool:
    now = ctx.now()
    next_run = now + timedelta(seconds=ctx.settings.timed_jobs_seconds)
    with ctx.read() as session:  # most passes: not yet, and no write lock taken to learn it
        ctx.authorize(session, actor, Action.DELIVER)
        row = session.get(TimedJobRow, name)
        if row is not None and row.next_run_at > now:
            return False
    try:
        with ctx.write() as session:
            ctx.authorize(session, actor, Action.DELIVER)
            row = session.get(TimedJobRow, name, with_for_update=is_postgres(session.get_bind()),
                              populate_existing=True)
            if row is None:
                session.add(TimedJobRow(name=name, next_run_at=next_run, last_run_at=now))
                session.flush()
                return True
            if row.next_run_at > now:
                return False
            row.next_run_at, row.last_run_at = next_run, now
            return True
    except IntegrityError:  # another worker created the row first: its turn
        return False


def due_soon_warnings(ctx: Context, actor: Actor, contact_ids: Iterable[int]) -> list[str]:
    """For a console that saw due-soon changes: the references this person should be told
    about (their own contacts; every one for a supervisor), still open and due soon."""
    ids = sorted(set(contact_ids))
    if not ids:
        return []
    now = ctx.now()
    with ctx.read() as session:
        actor = ctx.authorize(session, actor, Action.SEE_QUEUE)
        rows = session.execute(select(Contact).where(Contact.id.in_(ids))).scalars().all()
        return [c.reference for c in rows
                if (c.owner_id == actor.user_id or actor.role is Role.SUPERVISOR)
                and ctx.lifecycle.is_open(Status(c.status))
                and ctx.clock_policy.is_due_soon(now, c.due_at)
                and ctx.policy.allows(actor, Action.STAFF_VIEW, facts(c))]
