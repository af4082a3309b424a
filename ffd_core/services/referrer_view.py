"""The referrer's view: a separate read model for partners.

What they submitted (with the form version they used), the messages between them and the
front door (with when each email to them was sent, the acknowledgement included), the status
in a referrer's words and, once final, the outcome for each child.
Never internal notes, the audit history, decisions' rationale, who owns it, its priority
or other contacts. Every view is audited like a staff view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ffd_core.domain.access import Action, Actor
from ffd_core.domain.referrer import (
    OUTCOME_FOR_REFERRER, ReferrerStatus, addressed_to_referrer, referrer_state,
)
from ffd_core.domain.vocab import MessageKind, MessageState, Outcome, PersonRole, Status
from ffd_core.services.attachments import by_referrer_side, from_referrer_side
from ffd_core.services.contact_write import begin
from ffd_core.services.context import Context
from ffd_core.services.outbox import EMAIL, DeliveryState, purpose_of
from ffd_core.services.visibility import visible_to
from ffd_core.store.tables import Attachment, Contact, Decision, Message, OutboxMessage


@dataclass(frozen=True)
class ReferrerChild:
    name: str
    date_of_birth: Any
    outcome: str | None  # once the decision is final


@dataclass(frozen=True)
class ReferrerMessage:
    at: datetime
    from_front_door: bool
    kind: str
    body: str
    chase_by: datetime | None
    emailed_at: datetime | None = None  # when the email carrying it to the referrer was sent

    @property
    def about(self) -> str:
        """What it is, in words: "Acknowledgement", "Request for information", "Outcome"."""
        return MessageKind(self.kind).label.capitalize()


@dataclass(frozen=True)
class ReferrerView:
    id: int
    reference: str
    kind: str
    category: str
    received_at: datetime
    status: ReferrerStatus
    status_label: str
    form: tuple[str | None, str | None, str | None]  # id, version, content hash
    answers: dict[str, Any]
    referrer: dict[str, Any]  # the contact details as given
    children: list[ReferrerChild]
    messages: list[ReferrerMessage]
    attachments: list[dict[str, Any]]  # the documents their side sent
    may_reply: bool  # the front door asked for more information and is waiting
    version: int


def referrer_view(ctx: Context, actor: Actor, contact_id: int) -> ReferrerView:
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, Action.REFERRER_VIEW, lock=False)
        ctx.audit(session, actor, "view_referral", contact_id=contact.id)
        status = Status(contact.status)
        asked = waiting_for_referrer(session, contact)
        state = referrer_state(status, asked_referrer=asked)
        outcomes = (_final_outcomes(session, contact)
                    if state.status is ReferrerStatus.DECIDED else {})
        email = (contact.referrer or {}).get("email")
        emails = _emails_sent_to(session, contact, email)
        messages = [
            ReferrerMessage(m.created_at, m.direction == "out", m.kind, m.body, m.chase_by,
                            emails.get(f"message:{m.id}"))
            for m in session.execute(
                select(Message).where(Message.contact_id == contact.id,
                                      Message.state == MessageState.CURRENT.value)
                .order_by(Message.created_at, Message.id)).scalars()
            if (addressed_to_referrer(m.recipient, email) if m.direction == "out"
                else by_referrer_side(session, m.author_id, contact.referrer_agency_id))
        ]
        if "ack" in emails:  # an email of its own, never a message on the thread
            messages.append(ReferrerMessage(emails["ack"], True, MessageKind.ACKNOWLEDGEMENT.value,
                                            ACKNOWLEDGED, None, emails["ack"]))
        messages.sort(key=lambda m: m.at)
        attachments = [
            {"id": a.id, "filename": a.filename, "media_type": a.media_type, "size": a.size}
            for a in session.execute(select(Attachment).where(
                Attachment.contact_id == contact.id).order_by(Attachment.id)).scalars()
            if from_referrer_side(session, a, contact.referrer_agency_id)
        ]
        return ReferrerView(
            id=contact.id, reference=contact.reference, kind=contact.kind,
            category=contact.category, received_at=contact.received_at, status=state.status,
            status_label=state.label, form=(contact.form_id, contact.form_version, contact.form_hash),
            answers=dict(contact.answers or {}), referrer=dict(contact.referrer or {}),
            children=[ReferrerChild(p.display_name, p.date_of_birth, outcomes.get(p.id))
                      for p in contact.people if p.role == PersonRole.SUBJECT.value],
            messages=messages, attachments=attachments,
            may_reply=asked, version=contact.version,
        )


ACKNOWLEDGED = ("We emailed you to say we have your referral, with its reference number and "
                "what happens next.")


def _emails_sent_to(session, contact: Contact, email: str | None) -> dict[str, datetime]:  # noqa: ANN001
    """When each email about this contact that went to the referrer was sent: the
    acknowledgement as "ack", one carrying a message as "message:<id>". Emails to anyone
    else (someone asked about the same child) are not the referrer's to see."""
    sent: dict[str, datetime] = {}
    for row in session.execute(select(OutboxMessage).where(
            OutboxMessage.contact_id == contact.id, OutboxMessage.kind == EMAIL,
            OutboxMessage.state == DeliveryState.SENT.value)).scalars():
        payload = row.payload or {}
        if row.delivered_at is None or not addressed_to_referrer(payload.get("to"), email):
            continue
        if purpose_of(row.idempotency_key) == "ack":
            sent["ack"] = row.delivered_at
        elif payload.get("message_id") is not None:
            sent[f"message:{payload['message_id']}"] = row.delivered_at
    return sent


def waiting_for_referrer(session, contact: Contact) -> bool:  # noqa: ANN001
    """The front door is waiting for information it asked the referrer for (not someone
    else it asked about the same child)."""
    if contact.status != Status.AWAITING_INFORMATION.value:
        return False
    latest = session.execute(
        select(Message.recipient).where(
            Message.contact_id == contact.id,
            Message.kind == MessageKind.REQUEST_FOR_INFORMATION.value)
        .order_by(Message.id.desc()).limit(1)).scalar_one_or_none()
    return addressed_to_referrer(latest, (contact.referrer or {}).get("email"))


def _final_outcomes(session, contact: Contact) -> dict[int, str]:  # noqa: ANN001
    rows = session.execute(select(Decision.child_id, Decision.outcome).where(
        Decision.contact_id == contact.id, Decision.clock_period == contact.clock_period,
        Decision.state == "final")).all()
    return {child: OUTCOME_FOR_REFERRER[Outcome(outcome)] for child, outcome in rows}


@dataclass(frozen=True)
class ReferralRow:
    id: int
    reference: str
    received_at: datetime
    category: str
    children: str
    status_label: str
    waiting_for_you: bool


@dataclass(frozen=True)
class ReferralPage:
    rows: list[ReferralRow]
    total: int


def my_referrals(ctx: Context, actor: Actor, offset: int = 0, limit: int = 50) -> ReferralPage:
    """The referrals a partner may see (their own, or their agency's where it shares them),
    newest first."""
    with ctx.read() as session:
        actor = ctx.authorize(session, actor, Action.REFERRER_VIEW)
        visible = visible_to(actor)
        total = session.execute(select(func.count(Contact.id)).where(visible)).scalar_one()
        rows = []
        for contact in session.execute(
                select(Contact).where(visible)
                .order_by(Contact.received_at.desc(), Contact.id.desc())
                .offset(offset).limit(limit)).scalars():
            asked = waiting_for_referrer(session, contact)
            rows.append(ReferralRow(
                contact.id, contact.reference, contact.received_at, contact.category,
                contact.child_summary,
                referrer_state(Status(contact.status), asked_referrer=asked).label, asked))
    return ReferralPage(rows, total)
