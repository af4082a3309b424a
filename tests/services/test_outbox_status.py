"""The outbox as services see it: claims and leases, backoff, dead letters, what staff see
per contact and in aggregate, who may read or retry, and the Reply-To token."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.vocab import LevelOfNeed, Outcome
from ffd_core.errors import InvalidInput, PermissionDenied
from ffd_core.services import contacts, decisions, deliveries, outbox, ownership
from ffd_core.services.contact_view import view_contact
from ffd_core.services.context import SYSTEM
from ffd_core.services.outbox import DeliveryState, retry_delay
from ffd_core.services.referrer_mail import reference_for_reply, reply_address
from tests.factories import new_contact

WORKER = "test-worker"


def submitted(ctx, people) -> int:  # noqa: ANN001
    return contacts.submit(ctx, people["teacher"], new_contact(ctx.now())).contact_id


def claim(ctx, worker: str = WORKER) -> list[outbox.Claimed]:  # noqa: ANN001
    return outbox.claim(ctx, SYSTEM, worker, [outbox.EMAIL], 10)


def test_the_contact_shows_each_message_queued_sending_retrying_sent(ctx, people):
    contact_id = submitted(ctx, people)

    def status() -> str:
        [delivery] = view_contact(ctx, people["olivia"], contact_id).deliveries
        assert delivery.purpose == "Acknowledgement" and delivery.to == "tess@hawthorn.sch.example"
        return delivery.status

    assert status() == "queued"
    [item] = claim(ctx)
    assert status() == "sending"
    outbox.record_failure(ctx, SYSTEM, WORKER, item, "451 try later", permanent=False, jitter=0.0)
    assert status() == "failed, retrying 24/11/2026 10:00"  # 15 s later: half of the first 30
    ctx.clock.advance(seconds=15)
    [item] = claim(ctx)
    ctx.clock.advance(seconds=5)
    outbox.record_sent(ctx, SYSTEM, WORKER, item)
    assert status() == "sent 24/11/2026 10:00"
    [sent] = view_contact(ctx, people["olivia"], contact_id).deliveries
    assert sent.timeliness == "within a minute of receipt"


def test_backoff_doubles_with_jitter_up_to_the_cap():
    assert retry_delay(1, 30, 3600, 0.0) == timedelta(seconds=15)
    assert retry_delay(1, 30, 3600, 0.999) < timedelta(seconds=30)
    assert retry_delay(3, 30, 3600, 0.0) == timedelta(seconds=60)
    assert retry_delay(40, 30, 3600, 0.0) == timedelta(seconds=1800)
    assert retry_delay(40, 30, 3600, 1.0) == timedelta(seconds=3600)


def test_retries_run_out_into_a_dead_letter(ctx, people):
    submitted(ctx, people)
    for attempt in range(1, ctx.settings.outbox_max_attempts + 1):
        [item] = claim(ctx)
        assert item.attempts == attempt
        state = outbox.record_failure(ctx, SYSTEM, WORKER, item, "451 later", permanent=False,
                                      jitter=0.0)
        ctx.clock.advance(hours=1)
    assert state is DeliveryState.DEAD
    [row] = deliveries.list_outbox(ctx, SYSTEM)
    assert (row.state, row.bounced, row.status) == ("dead", False, "failed: dead letter")
    assert claim(ctx) == []


def test_a_held_message_is_not_claimed_again_until_its_lease_runs_out(ctx, people):
    submitted(ctx, people)
    [held] = claim(ctx, "worker-a")
    assert claim(ctx, "worker-b") == []
    ctx.clock.advance(seconds=ctx.settings.outbox_lease_seconds)  # worker-a died
    [again] = claim(ctx, "worker-b")
    assert (again.id, again.attempts) == (held.id, 2)
    assert again.email_message_id == held.email_message_id  # the same Message-ID every time
    outbox.record_failure(ctx, SYSTEM, "worker-a", held, "late", permanent=False, jitter=0.0)
    assert deliveries.list_outbox(ctx, SYSTEM)[0].state == "sending"  # worker-a's word no longer counts


def test_a_message_that_kills_every_worker_ends_as_a_dead_letter(ctx, people):
    submitted(ctx, people)
    for _ in range(ctx.settings.outbox_max_attempts):
        assert claim(ctx)
        ctx.clock.advance(seconds=ctx.settings.outbox_lease_seconds)
    assert claim(ctx) == []
    [row] = deliveries.list_outbox(ctx, SYSTEM)
    assert row.state == "dead" and "workers stopped while sending" in row.last_error


def test_put_back_messages_are_due_at_once_and_not_counted(ctx, people):
    submitted(ctx, people)
    items = claim(ctx)
    outbox.release(ctx, SYSTEM, WORKER, items)
    [again] = claim(ctx)
    assert again.attempts == 1


def test_today_figures_for_supervisors(ctx, people):
    olivia, sam = people["olivia"], people["sam"]
    first, second = submitted(ctx, people), submitted(ctx, people)
    acks = claim(ctx)
    ctx.clock.advance(seconds=30)
    outbox.record_sent(ctx, SYSTEM, WORKER, acks[0])  # within a minute
    ctx.clock.advance(minutes=2)
    outbox.record_sent(ctx, SYSTEM, WORKER, acks[1])  # late
    ownership.claim(ctx, olivia, first)
    decisions.decide(ctx, olivia, first, same_for_all=ChildDecision(
        Outcome.SOCIAL_CARE_REFERRAL, "Injury", level_of_need=LevelOfNeed.ACUTE, primary_need="N1"))
    [outcome] = claim(ctx)
    outbox.record_sent(ctx, SYSTEM, WORKER, outcome)
    ownership.claim(ctx, olivia, second)
    decisions.decide(ctx, olivia, second, same_for_all=ChildDecision(
        Outcome.SOCIAL_CARE_REFERRAL, "Injury", level_of_need=LevelOfNeed.ACUTE, primary_need="N1"))
    [bounced] = claim(ctx)
    outbox.record_failure(ctx, SYSTEM, WORKER, bounced, "550 no such mailbox", permanent=True,
                          bounced=True, jitter=0.0)

    late_ack = view_contact(ctx, sam, second).deliveries[0]
    assert late_ack.timeliness == "not within a minute of receipt"
    assert [d.timeliness for d in view_contact(ctx, sam, first).deliveries
            if d.purpose == "Outcome"] == ["within the decision target"]
    figures = deliveries.figures_today(ctx, sam)
    assert (figures.acknowledgements, figures.acknowledged_within_a_minute) == (2, 1)
    assert (figures.outcomes, figures.outcomes_within_target) == (2, 1)
    assert (figures.bounced, figures.dead_letters) == (1, 0)
    # Their children are linked to no case-system person: they wait for an officer (the needs
    # a person list), not in the outbox.
    assert figures.waiting == 0


@pytest.mark.parametrize("who", ["olivia", "wendy", "ada", "teacher"])
def test_only_supervisors_read_the_outbox_or_retry_and_only_the_worker_delivers(ctx, people, who):
    submitted(ctx, people)
    [item] = claim(ctx)
    outbox.record_failure(ctx, SYSTEM, WORKER, item, "550", permanent=True, jitter=0.0)
    actor = people[who]
    with pytest.raises(PermissionDenied):
        deliveries.list_outbox(ctx, actor)
    with pytest.raises(PermissionDenied):
        deliveries.figures_today(ctx, actor)
    with pytest.raises(PermissionDenied):
        deliveries.retry(ctx, actor, item.id, "fixed")
    with pytest.raises(PermissionDenied):
        outbox.claim(ctx, actor, WORKER, [outbox.EMAIL], 10)
    with pytest.raises(PermissionDenied):
        outbox.claim(ctx, people["sam"], WORKER, [outbox.EMAIL], 10)
    assert deliveries.list_outbox(ctx, people["sam"])[0].state == "dead"  # unchanged


def test_a_retry_needs_a_dead_letter_and_a_reason(ctx, people):
    submitted(ctx, people)
    [row] = deliveries.list_outbox(ctx, people["sam"])
    with pytest.raises(InvalidInput, match="not a dead letter"):
        deliveries.retry(ctx, people["sam"], row.id, "again")
    with pytest.raises(InvalidInput, match="say why"):
        deliveries.retry(ctx, people["sam"], row.id, "  ")


def test_the_outbox_lists_by_state_and_contact(ctx, people):
    submitted(ctx, people)
    second = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    assert len(deliveries.list_outbox(ctx, people["sam"])) == 2
    assert [d.reference for d in deliveries.list_outbox(
        ctx, people["sam"], reference=second.reference.lower())] == [second.reference]
    assert deliveries.list_outbox(ctx, people["sam"], state=DeliveryState.SENT) == []


def test_the_reply_to_token_names_the_contact_and_cannot_be_made_up(ctx):
    from dataclasses import replace

    ctx.settings = replace(ctx.settings, smtp_reply_to="replies@brackenshire.example")
    address = reply_address(ctx, "FFD-2026-000123")
    local, domain = address.split("@")
    assert reference_for_reply(ctx, address) == "FFD-2026-000123"
    assert reference_for_reply(ctx, f"Tess <{address.upper()}>") == "FFD-2026-000123"
    token = local.rsplit(".", 1)[1]
    assert reference_for_reply(ctx, f"replies+ffd-2026-000124.{token}@{domain}") is None
    altered = local[:-1] + ("a" if local[-1] != "a" else "b")
    assert reference_for_reply(ctx, f"{altered}@{domain}") is None
    assert reference_for_reply(ctx, f"other+{local.split('+')[1]}@{domain}") is None
    assert reference_for_reply(ctx, f"{local}@elsewhere.example") is None
