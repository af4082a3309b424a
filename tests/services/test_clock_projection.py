"""The stored clock projection always equals a rebuild from the audit trail."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.vocab import LevelOfNeed, Outcome
from ffd_core.services.context import SYSTEM
from ffd_core.services import clocks, contacts, decisions, ownership, screening
from ffd_core.store.tables import ClockPeriodRow, Contact
from tests.factories import new_contact

REFER = ChildDecision(Outcome.SOCIAL_CARE_REFERRAL, "Injury", level_of_need=LevelOfNeed.ACUTE,
                      primary_need="N1")
NFA = ChildDecision(Outcome.NO_FURTHER_ACTION, "Explained", level_of_need=LevelOfNeed.UNIVERSAL)


def snapshot(ctx):  # noqa: ANN001, ANN201
    with ctx.read() as session:
        periods = [
            tuple(getattr(row, c.key) for c in ClockPeriodRow.__table__.columns)
            for row in session.execute(select(ClockPeriodRow).order_by(
                ClockPeriodRow.contact_id, ClockPeriodRow.number)).scalars()
        ]
        projection = [
            (c.id, c.clock_period, c.due_at, c.working_due_at, c.decided_at)
            for c in session.execute(select(Contact).order_by(Contact.id)).scalars()
        ]
    return periods, projection


def test_projection_equals_rebuild_after_varied_histories(ctx, people):
    officer, supervisor = people["olivia"], people["sam"]
    ids = []
    for hours in (0, 7, 30, 60):  # includes out-of-hours receipts and a weekend
        ctx.clock.advance(hours=hours)
        ids.append(contacts.submit(ctx, people["teacher"], new_contact(ctx.now())).contact_id)
    a, b, c, d = ids
    ownership.claim(ctx, officer, a)
    screening.request_information(ctx, officer, a, recipient="tess@hawthorn.sch.example", message="Concerns?",
                               chase_by=ctx.now() + timedelta(days=1))
    ctx.clock.advance(hours=5)
    screening.record_reply(ctx, people["teacher"], a, "None known")
    decisions.decide(ctx, officer, a, same_for_all=REFER)
    ownership.claim(ctx, officer, b)
    decisions.decide(ctx, officer, b, same_for_all=NFA)
    ctx.clock.advance(hours=20)
    decisions.approve(ctx, supervisor, b)
    screening.reopen(ctx, supervisor, b, reason="New information")
    screening.set_priority(ctx, officer, c, 1, "Child missing now")
    screening.withdraw(ctx, officer, d, reason="Duplicate")
    before = snapshot(ctx)
    assert clocks.rebuild(ctx, SYSTEM) == 4
    assert snapshot(ctx) == before
    # And a tampered projection is put right by a rebuild.
    with ctx.write() as session:
        session.get(Contact, c).due_at = None
    clocks.rebuild(ctx, SYSTEM)
    assert snapshot(ctx) == before
