"""Timed jobs, run by the worker as the system with an injected clock: each fires once,
whatever restarts or second workers happen around it, and is audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ffd_core.connectors.outbox_worker import Worker
from ffd_core.domain.vocab import Status
from ffd_core.services import contacts, ownership, screening, timed_jobs
from ffd_core.services.context import SYSTEM
from ffd_core.services.contact_view import view_contact
from ffd_core.store.tables import AuditEvent, Change
from tests.factories import new_contact


def restarted_worker_pass(ctx) -> dict[str, int]:  # noqa: ANN001
    """A fresh worker (as after a restart) runs one pass of timed jobs."""
    with Worker(ctx, [], run_jobs=True) as worker:
        return worker.run_pass().jobs


def events(ctx, action: str) -> int:  # noqa: ANN001
    with ctx.read() as session:
        return session.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == action)).scalar_one()


def claimed_contact(ctx, people) -> int:  # noqa: ANN001
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    return receipt.contact_id


def test_chase_by_passed_returns_the_contact_to_its_owner_once_with_the_reason(ctx, people):
    contact_id = claimed_contact(ctx, people)
    chase_by = ctx.now() + timedelta(hours=2)
    screening.request_information(ctx, people["olivia"], contact_id,
                                  recipient="tess@hawthorn.sch.example",
                                  message="Who lives at home?", chase_by=chase_by)
    assert restarted_worker_pass(ctx)["chase_by"] == 0  # not yet

    ctx.clock.advance(hours=2, minutes=1)
    assert restarted_worker_pass(ctx)["chase_by"] == 1
    view = view_contact(ctx, people["olivia"], contact_id)
    assert (view.status, view.owner) == (Status.SCREENING, "Olivia Officer")
    [chased] = [h for h in view.history if h.action == "chase_due"]
    assert chased.actor == "system"
    assert chased.detail["reason"] == "no reply by the chase-by time, 24/11/2026 12:00"

    ctx.clock.advance(minutes=5)  # its next turn, on another restarted worker
    assert restarted_worker_pass(ctx)["chase_by"] == 0
    assert events(ctx, "chase_due") == 1


def test_entering_due_soon_warns_once_per_period_across_restarts(ctx, people):
    contact_id = claimed_contact(ctx, people)  # received Tuesday 10:00, due Wednesday 10:00
    assert restarted_worker_pass(ctx)["due_soon"] == 0

    ctx.clock.advance(hours=4, minutes=30)  # Tuesday 14:30: 3 h 30 of office time left
    assert restarted_worker_pass(ctx)["due_soon"] == 1
    ctx.clock.advance(minutes=5)
    assert restarted_worker_pass(ctx)["due_soon"] == 0
    ctx.clock.advance(hours=18)  # Wednesday 08:35, still due soon
    assert restarted_worker_pass(ctx)["due_soon"] == 0
    assert events(ctx, timed_jobs.DUE_SOON_WARNING) == 1
    with ctx.read() as session:
        event = session.execute(select(AuditEvent).where(
            AuditEvent.action == timed_jobs.DUE_SOON_WARNING)).scalar_one()
        feed = session.execute(select(Change.contact_id).where(
            Change.kind == timed_jobs.DUE_SOON_CHANGE)).scalars().all()
    assert (event.contact_id, event.actor_name, event.subject) == (contact_id, "system", "period:1")
    assert feed == [contact_id]


def test_a_job_runs_once_per_turn_however_many_workers_ask(ctx, people):
    claimed_contact(ctx, people)
    ctx.clock.advance(hours=4, minutes=30)
    first = timed_jobs.run_due(ctx, SYSTEM)
    second = timed_jobs.run_due(ctx, SYSTEM)  # a second worker, at the same moment
    every = {"chase_by", "due_soon", "draft_expiry"}
    assert set(first) == every and second == {}
    ctx.clock.advance(seconds=ctx.settings.timed_jobs_seconds)
    assert set(timed_jobs.run_due(ctx, SYSTEM)) == every


def test_the_warning_reaches_the_owner_and_supervisors_only(ctx, people):
    contact_id = claimed_contact(ctx, people)
    ctx.clock.advance(hours=4, minutes=30)
    restarted_worker_pass(ctx)
    reference = view_contact(ctx, people["sam"], contact_id).reference
    told = {who: timed_jobs.due_soon_warnings(ctx, people[who], [contact_id])
            for who in ("olivia", "oscar", "sam", "wendy")}
    assert told == {"olivia": [reference], "oscar": [], "sam": [reference], "wendy": []}
