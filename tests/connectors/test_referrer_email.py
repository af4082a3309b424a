"""Email to referrers, end to end: services queue, the worker sends over real SMTP on
loopback, the server receives what the referrer would read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ffd_core.connectors.email import EmailSender
from ffd_core.connectors.outbox_worker import Worker
from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.vocab import LevelOfNeed, MessageKind, Outcome
from ffd_core.errors import InvalidInput
from ffd_core.services import contacts, decisions, messages, outbox, ownership, screening, single_view
from ffd_core.services.contact_view import view_contact
from ffd_core.services.outbox import DeliveryState
from ffd_core.services.referrer_mail import reference_for_reply
from ffd_core.store.tables import AuditEvent, OutboxMessage
from tests.connectors.case_system_world import case_people
from tests.factories import new_contact

URGENT = "If a child is in immediate danger, call 999."


def deliver(ctx) -> None:  # noqa: ANN001
    with Worker(ctx, [EmailSender(ctx)], run_jobs=False) as worker:
        worker.run_pass()


def parts(message) -> tuple[str, str]:  # noqa: ANN001
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def rows(ctx) -> list[OutboxMessage]:  # noqa: ANN001
    with ctx.read() as session:
        return list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def test_acknowledgement_reaches_the_referrer_with_a_stable_id_and_a_reply_token(
        ctx, people, smtp_server):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    deliver(ctx)

    [message] = smtp_server.received
    assert message["To"] == "tess@hawthorn.sch.example"
    assert message["X-Envelope-To"] == "tess@hawthorn.sch.example"
    assert message["Subject"] == f"We have received your concern: {receipt.reference}"
    assert message["Auto-Submitted"] == "auto-generated"
    text, html = parts(message)
    assert "Dear Tess Teacher" in text and "Maisie Thompson" in text
    assert URGENT in text and URGENT in html
    assert f"Reference {receipt.reference}. Status: Received." in text
    [row] = rows(ctx)
    assert row.state == DeliveryState.SENT and row.delivered_at == ctx.now()
    assert message["Message-ID"] == row.email_message_id
    assert reference_for_reply(ctx, message["Reply-To"]) == receipt.reference
    with ctx.read() as session:
        event = session.execute(select(AuditEvent).where(
            AuditEvent.action == "message_delivered")).scalar_one()
    assert (event.contact_id, event.actor_name, event.data["purpose"]) == (
        receipt.contact_id, "system", "ack")


def test_request_outcome_and_message_go_out_and_the_case_system_push_waits(ctx, people, smtp_server):
    olivia = people["olivia"]
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, olivia, receipt.contact_id)
    screening.request_information(
        ctx, olivia, receipt.contact_id, recipient="tess@hawthorn.sch.example",
        message="Dear Tess,\n\nPlease tell us:\n\n- who lives at home\n- what the school saw",
        chase_by=ctx.now() + timedelta(days=1))
    screening.record_reply(ctx, olivia, receipt.contact_id, "Mother and grandmother.")
    messages.send_reply(ctx, olivia, receipt.contact_id, kind=MessageKind.REPLY,
                        body="We are looking at this today.")
    [child] = view_contact(ctx, olivia, receipt.contact_id).children  # in the case system, so
    single_view.link_child(ctx, olivia, child.id, case_people(ctx, 1)[0])  # its push is queued
    decisions.decide(ctx, olivia, receipt.contact_id, same_for_all=ChildDecision(
        Outcome.SOCIAL_CARE_REFERRAL, "Injury to a young child", level_of_need=LevelOfNeed.ACUTE,
        primary_need="N1"))
    deliver(ctx)

    by_subject = {m["Subject"]: m for m in smtp_server.received}
    reference = receipt.reference
    assert set(by_subject) == {
        f"We have received your concern: {reference}",
        f"We need more information: {reference}",
        f"About your contact {reference}",
        f"Outcome of your concern: {reference}",
    }
    rfi_text, rfi_html = parts(by_subject[f"We need more information: {reference}"])
    assert "- who lives at home" in rfi_text and "<li>who lives at home</li>" in rfi_html
    assert URGENT in rfi_text  # added to what the officer wrote
    assert "Status: More information needed." in rfi_text
    outcome_text, _ = parts(by_subject[f"Outcome of your concern: {reference}"])
    assert "referred to children's social care" in outcome_text
    assert "Status: Decided." in outcome_text
    states = {row.kind: row.state for row in rows(ctx)}
    assert states == {"email": "sent", "case_system_push": "pending"}
    push = next(row for row in rows(ctx) if row.kind == "case_system_push")
    assert push.attempts == 0 and push.claimed_by is None


def test_a_rejection_is_sent_as_the_officer_wrote_it_never_as_a_template(ctx, people, smtp_server):
    olivia = people["olivia"]
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, olivia, receipt.contact_id)
    written = ("Dear Tess,\n\nThis does not meet the threshold {{ council_name }} "
               "{% for x in range(3) %}x{% endfor %} <script>alert(1)</script>.")
    decisions.decide(ctx, people["sam"], receipt.contact_id, same_for_all=ChildDecision(
        Outcome.INFORMATION_SHARED, "Below threshold"), reply=("rejection.below_threshold", written))
    deliver(ctx)

    rejection = next(m for m in smtp_server.received if m["Subject"].startswith("Outcome"))
    text, html = parts(rejection)
    assert "{{ council_name }} {% for x in range(3) %}x{% endfor %}" in text
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("address", [
    "tess@hawthorn.sch.example, other@elsewhere.example",
    "tess@hawthorn.sch.example\r\nBcc: other@elsewhere.example",
    "Tess <tess@hawthorn.sch.example>, Other <other@elsewhere.example>",
    "not an address",
])
def test_a_bad_recipient_gets_nothing_sent_to_anyone_and_the_reason_is_kept(
        ctx, people, smtp_server, address):
    """Intake refuses such addresses while the person is there to fix them; the sender
    still refuses any that reach the outbox (a row from an older release, say)."""
    olivia = people["olivia"]
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, olivia, receipt.contact_id)
    with pytest.raises(InvalidInput, match="one address"):
        screening.request_information(ctx, olivia, receipt.contact_id, recipient=address,
                                      message="Who lives at home?",
                                      chase_by=ctx.now() + timedelta(days=1))
    with ctx.write() as session:  # as an older release could have queued it
        outbox.enqueue(ctx, session, outbox.EMAIL, "rfi:older", {"to": address},
                       contact_id=receipt.contact_id)
    deliver(ctx)

    assert [m["To"] for m in smtp_server.received] == ["tess@hawthorn.sch.example"]  # the ack
    [row] = [row for row in rows(ctx) if row.idempotency_key == "rfi:older"]
    assert row.state == DeliveryState.DEAD and row.bounced is False
    assert "is not one valid email address" in (row.last_error or "")


def test_nothing_is_claimed_or_counted_when_no_sender_handles_a_kind(ctx, people, smtp_server):
    contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    with Worker(ctx, [], run_jobs=False) as worker:
        assert worker.run_pass().sent == 0
    with ctx.read() as session:
        assert session.execute(select(func.sum(OutboxMessage.attempts))).scalar_one() == 0

