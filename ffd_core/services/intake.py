"""Secure email into the holding area (the receiver is connectors.inbound_email).

Every message the relay hands over is kept first — its raw bytes in the blob store and a
row in ``inbound_emails``, committed before the relay hears "250" — so nothing is lost
whatever happens next. Then it is filed:

- a reply whose address carries a contact's reply-to token (services.referrer_mail), from
  the address the contact's emails went to or a partner domain, authenticated by the relay,
  to a contact still open: a message on that contact (a contact awaiting information goes
  back to its officer), with its attachments;
- mail to the intake from a configured partner domain that the relay authenticated (SPF or
  DKIM, aligned with From): an unstructured contact (channel secure email, the statutory
  clock from receipt) for officers to complete (services.completion);
- anything else — an unknown or unauthenticated sender, malformed MIME, too large, a
  forbidden attachment, a forged reply token, a reply to a closed contact — waits in
  quarantine for a supervisor (services.quarantine), never dropped.

A message the relay sends twice (it lost our "250") is kept once: it is known by its
content. A receiver that died between keeping and filing files what it kept on restart
(``file_waiting``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ffd_core.domain.access import Action, Actor
from ffd_core.domain.addresses import mailbox
from ffd_core.domain.attachments import check_attachment
from ffd_core.domain.contact import NewContact, Referrer
from ffd_core.domain.inbound_mail import (
    ReadEmail, Unreadable, authenticated_domains, read_email, vouched_domain, within,
)
from ffd_core.domain.vocab import Channel, ContactKind, Status
from ffd_core.errors import InvalidInput
from ffd_core.services import contacts
from ffd_core.services.attachments import keep_document
from ffd_core.services.contact_write import begin
from ffd_core.services.context import Context
from ffd_core.services.referrer_mail import reference_for_reply
from ffd_core.services.scanning import ScannerUnavailable, finding
from ffd_core.services.screening import take_reply
from ffd_core.store.blobs import BlobStore
from ffd_core.store.engine import is_postgres
from ffd_core.store.tables import Agency, Contact, InboundEmail, Message

log = logging.getLogger(__name__)

CHANGE = "intake.email"


class EmailState:
    RECEIVED = "received"  # kept, not yet filed
    ACCEPTED = "accepted"  # a contact or a reply
    QUARANTINED = "quarantined"
    RELEASED = "released"  # a supervisor made it a contact
    DELETED = "deleted"  # a supervisor deleted its content


class Scanner(Protocol):
    """The scanning hook for attachments: a finding names what was found. Without one, the
    clamd that checks web uploads (``clamd_address``) checks these too."""

    def __call__(self, filename: str, data: bytes) -> str | None: ...


@dataclass(frozen=True)
class Arrival:
    peer: str  # the relay's address
    mail_from: str  # the envelope sender
    recipients: tuple[str, ...]
    raw: bytes | None  # None: too large to keep
    size: int


@dataclass(frozen=True)
class Filed:
    email_id: int
    state: str
    reason: str | None = None
    contact_id: int | None = None


@dataclass(frozen=True)
class _Quarantine:
    reason: str
    named_reference: str | None = None


@dataclass(frozen=True)
class _Reply:
    contact_id: int
    email: ReadEmail


@dataclass(frozen=True)
class _NewContact:
    email: ReadEmail


def receive(ctx: Context, actor: Actor, arrival: Arrival, scanner: Scanner | None = None) -> Filed:
    """Keep the message, then file it (as a contact, a reply, or in quarantine)."""
    email_id = keep(ctx, actor, arrival)
    return file_email(ctx, actor, email_id, scanner)


def keep(ctx: Context, actor: Actor, arrival: Arrival) -> int:
    """The raw message in the blob store and its row, in one transaction; the same message
    kept before (a relay's retry) is not kept twice. Returns the row's id."""
    digest = BlobStore(ctx.settings.resolved_blob_dir).put(arrival.raw) if arrival.raw else None
    headers = _headers(arrival.raw)
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.RECEIVE_EMAIL)
        if digest is not None:
            earlier = session.execute(select(InboundEmail.id).where(
                InboundEmail.sha256 == digest, InboundEmail.state != EmailState.DELETED)
                .limit(1)).scalar_one_or_none()
            if earlier is not None:
                return earlier
        too_big = arrival.raw is None
        row = InboundEmail(
            received_at=ctx.now(), peer=arrival.peer[:64], mail_from=arrival.mail_from[:320],
            recipients=[r[:320] for r in arrival.recipients[:100]],
            from_address=headers.get("from"), subject=headers.get("subject"),
            message_id=headers.get("message-id"), size=arrival.size, sha256=digest,
            state=EmailState.QUARANTINED if too_big else EmailState.RECEIVED,
            reason=(f"larger than the {ctx.settings.intake_max_bytes / 1_000_000:g} MB limit: "
                    "refused (the relay returns it to the sender); its content was not kept")
            if too_big else None)
        session.add(row)
        session.flush()
        ctx.audit(session, actor, "email_received", subject=f"email:{row.id}",
                  data={"peer": row.peer, "size": row.size, "recipients": len(row.recipients),
                        "kept": not too_big})
        if too_big:
            ctx.audit(session, actor, "email_quarantined", subject=f"email:{row.id}",
                      data={"reason": row.reason})
            ctx.changed(session, None, CHANGE)
        return row.id


def _headers(raw: bytes | None) -> dict[str, str]:
    """From, subject and Message-ID for the list (best effort: filing reads it properly)."""
    if not raw:
        return {}
    try:
        message = BytesHeaderParser(policy=default_policy).parsebytes(raw[:256 * 1024])
        return {name: " ".join(str(message.get(name, "")).split())[:limit] for name, limit in
                (("from", 320), ("subject", 300), ("message-id", 255)) if message.get(name)}
    except Exception:  # noqa: BLE001 - a broken header is for filing to judge, not keeping
        return {}


def file_email(ctx: Context, actor: Actor, email_id: int, scanner: Scanner | None = None) -> Filed:
    """File a kept message once; filing it again says what it became."""
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.RECEIVE_EMAIL)
        row = session.get(InboundEmail, email_id)
        if row.state != EmailState.RECEIVED:
            return Filed(row.id, row.state, row.reason, row.contact_id)
        raw = BlobStore(ctx.settings.resolved_blob_dir).get(row.sha256)
        verdict = _judge(ctx, session, row, raw, scanner)
    if isinstance(verdict, _Quarantine):
        return quarantine(ctx, actor, email_id, verdict.reason, verdict.named_reference)
    if isinstance(verdict, _Reply):
        return _file_reply(ctx, actor, email_id, verdict)
    return file_as_contact(ctx, actor, email_id, verdict.email, EmailState.ACCEPTED)


def file_waiting(ctx: Context, actor: Actor, scanner: Scanner | None = None) -> int:
    """File whatever was kept but not filed (the receiver stopped in between, or the
    scanner could not be reached); returns how many were filed."""
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.RECEIVE_EMAIL)
        waiting = session.execute(select(InboundEmail.id).where(
            InboundEmail.state == EmailState.RECEIVED).order_by(InboundEmail.id)).scalars().all()
    filed = 0
    for email_id in waiting:
        try:
            file_email(ctx, actor, email_id, scanner)
            filed += 1
        except ScannerUnavailable as error:  # kept, so the next start files it
            log.warning("email %s stays waiting: %s", email_id, error)
    return filed


# ------------------------------------------------------------------------------ judging


def _judge(ctx: Context, session: Session, row: InboundEmail, raw: bytes,
           scanner: Scanner | None) -> _Quarantine | _Reply | _NewContact:
    settings = ctx.settings
    try:
        email = read_email(raw)
    except Unreadable as error:
        return _Quarantine(str(error))
    problem = attachment_problem(email, scanner or configured_scanner(ctx))
    if problem:
        return _Quarantine(problem)
    results = _all_headers(raw, "authentication-results")
    vouched = vouched_domain(email, authenticated_domains(results, settings.intake_authserv_id))
    partner = next((d for d in settings.intake_partner_domains if within(email.from_domain, d)), None)
    tagged = [r for r in row.recipients if _is_reply_address(settings.smtp_reply_to, r)]
    if tagged:
        reference = next((ref for ref in (reference_for_reply(ctx, r) for r in tagged) if ref), None)
        if reference is None:
            return _Quarantine("a reply whose reply-to token is forged or wrong")
        contact = session.execute(select(Contact).where(
            Contact.reference == reference)).scalar_one_or_none()
        if contact is None:
            return _Quarantine(f"a reply to {reference}, which does not exist")
        if not ctx.lifecycle.is_open(Status(contact.status)):
            return _Quarantine(f"a reply to {reference}, which is "
                               f"{ctx.lifecycle.labels[Status(contact.status)].lower()}: the "
                               "reply-to token has expired", reference)
        if vouched is None or not (partner or email.from_address.lower() in _written_to(session, contact)):
            return _Quarantine(f"a reply to {reference} from {email.from_address}, which the relay "
                               "did not authenticate or is not where the request went", reference)
        return _Reply(contact.id, email)
    if partner is None:
        return _Quarantine(f"{email.from_address} is not in a partner domain")
    if vouched is None:
        return _Quarantine(f"the relay did not authenticate {email.from_domain} (no SPF or "
                           "DKIM pass for it in its Authentication-Results)")
    return _NewContact(email)


def _written_to(session: Session, contact: Contact) -> set[str]:
    """Addresses this contact's emails went to: the referrer's and each request's."""
    sent = session.execute(select(Message.recipient).where(
        Message.contact_id == contact.id, Message.direction == "out")).scalars()
    return {a.lower() for a in (*sent, (contact.referrer or {}).get("email")) if a}


def configured_scanner(ctx: Context) -> Scanner:
    """The clamd that checks web uploads (off when ``clamd_address`` is empty)."""
    return partial(finding, ctx.settings.clamd_address)


def attachment_problem(email: ReadEmail, scanner: Scanner | None) -> str | None:
    """Why an attachment is refused (type by content, size, the scanning hook), or None."""
    for attachment in email.attachments:
        try:
            check_attachment(attachment.filename, attachment.data)
        except InvalidInput as error:
            return f"attachment refused: {error}"
        found = scanner(attachment.filename, attachment.data) if scanner else None
        if found:
            return f"attachment {attachment.filename} refused by the scanner: {found}"
    return None


def _all_headers(raw: bytes, name: str) -> list[str]:
    message = BytesHeaderParser(policy=default_policy).parsebytes(raw)
    return [str(value) for value in message.get_all(name, [])]


def _is_reply_address(base: str, address: str) -> bool:
    """Addressed to the reply-to mailbox with a tag (replies+...@): a reply, forged or not."""
    spec, base_spec = mailbox(address), mailbox(base) if base else None
    if not spec or not base_spec:
        return False
    local, _, domain = spec.rpartition("@")
    base_local, _, base_domain = base_spec.rpartition("@")
    return local.lower().startswith(base_local.lower() + "+") and domain.lower() == base_domain.lower()


# ------------------------------------------------------------------------------ filing


def quarantine(ctx: Context, actor: Actor, email_id: int, reason: str,
               named_reference: str | None = None) -> Filed:
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.RECEIVE_EMAIL)
        row = locked(session, email_id)
        if row.state != EmailState.RECEIVED:
            return Filed(row.id, row.state, row.reason, row.contact_id)
        row.state, row.reason, row.named_reference = EmailState.QUARANTINED, reason, named_reference
        ctx.audit(session, actor, "email_quarantined", subject=f"email:{row.id}",
                  data={"reason": reason, "named_reference": named_reference})
        ctx.changed(session, None, CHANGE)
        log.warning("email %s quarantined: %s", row.id, reason)
        return Filed(row.id, row.state, reason)


def _file_reply(ctx: Context, actor: Actor, email_id: int, reply: _Reply) -> Filed:
    """The reply, its attachments and the row's new state, in one transaction."""
    email = reply.email
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.RECEIVE_EMAIL)
        row = locked(session, email_id)
        if row.state != EmailState.RECEIVED:
            return Filed(row.id, row.state, row.reason, row.contact_id)
        actor, contact = begin(ctx, session, actor, reply.contact_id, "record_reply")
        body = email.text or "(the email had no text)"
        message = take_reply(ctx, session, actor, contact,
                             f"{email.subject}\n\n{body}" if email.subject else body,
                             sender=_sender(email))
        _attach(ctx, session, actor, contact.id, email, message.id)
        return _accepted(ctx, session, actor, row, contact.id, EmailState.ACCEPTED)


def file_as_contact(ctx: Context, actor: Actor, email_id: int, email: ReadEmail, state: str,
                    withheld: Sequence[str] = (), released_because: str | None = None,
                    in_reply_to: str | None = None) -> Filed:
    """An unstructured contact through the one door (``contacts.submit``, keyed by the
    email so it is made once), then its attachments and the row, in one transaction
    (with the supervisor's release, when ``released_because`` says why)."""
    with ctx.read() as session:
        received_at = session.get(InboundEmail, email_id).received_at
        agency = _agency_for(session, email.from_domain)
    answers = {"email_subject": email.subject, "what_happened": email.text}
    if withheld:
        answers["attachments_withheld"] = list(withheld)
    if in_reply_to:
        answers["in_reply_to"] = in_reply_to
    new = NewContact(
        kind=ContactKind.CAUSE_FOR_CONCERN, channel=Channel.SECURE_EMAIL, received_at=received_at,
        category="", children=(), consent=None, answers=answers, to_complete=True,
        referrer=Referrer(name=email.from_name or email.from_address, email=email.from_address,
                          agency_name=agency or email.from_domain),
        idempotency_key=f"email:{email_id}")
    receipt = contacts.submit(ctx, actor, new)
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.SUBMIT)
        row = locked(session, email_id)
        if row.contact_id is not None:
            return Filed(row.id, row.state, row.reason, row.contact_id)
        _attach(ctx, session, actor, receipt.contact_id, email, None)
        if released_because is not None:
            row.decided_by_id, row.decided_at = actor.user_id, ctx.now()
            row.decision_reason = released_because
            ctx.audit(session, actor, "email_released", contact_id=receipt.contact_id,
                      subject=f"email:{row.id}",
                      data={"reason": released_because, "withheld": list(withheld)})
        return _accepted(ctx, session, actor, row, receipt.contact_id, state)


def _attach(ctx: Context, session: Session, actor: Actor, contact_id: int, email: ReadEmail,
            message_id: int | None) -> None:
    for attachment in email.attachments:
        try:
            name, media_type = check_attachment(attachment.filename, attachment.data)
        except InvalidInput:
            continue  # judged before: only a supervisor's release gets here with one
        keep_document(ctx, session, actor, contact_id, name, media_type, attachment.data, message_id)


def _accepted(ctx: Context, session: Session, actor: Actor, row: InboundEmail, contact_id: int,
              state: str) -> Filed:
    row.state, row.contact_id = state, contact_id
    ctx.audit(session, actor, "email_filed", contact_id=contact_id, subject=f"email:{row.id}",
              data={"state": state})
    ctx.changed(session, contact_id, CHANGE)
    return Filed(row.id, state, row.reason, contact_id)


def _sender(email: ReadEmail) -> str:
    return f"{email.from_name} <{email.from_address}>" if email.from_name else email.from_address


def _agency_for(session: Session, domain: str) -> str | None:
    """The name of the one active agency whose email domains include the sender's."""
    names = [a.name for a in session.execute(select(Agency).where(Agency.active.is_(True))).scalars()
             if any(within(domain, d) for d in a.email_domains or ())]
    return names[0] if len(names) == 1 else None


def locked(session: Session, email_id: int) -> InboundEmail:
    if is_postgres(session.get_bind()):
        return session.get(InboundEmail, email_id, with_for_update=True, populate_existing=True)
    return session.get(InboundEmail, email_id)
