"""Quarantined email: what the intake would not file by itself, for supervisors to judge.

A supervisor sees each one (sender, subject, why it was held), may read it (audited), and
either releases it — it becomes an unstructured contact through the same door as any
emailed contact, with the attachments that pass the upload checks (any other is named on
the contact, never attached) — or deletes it: its content is removed for good and the
record stays, saying who deleted it and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ffd_core.domain.access import Action, Actor
from ffd_core.domain.inbound_mail import ReadEmail, Unreadable, read_email
from ffd_core.errors import InvalidInput, NotFound
from ffd_core.services import notes
from ffd_core.services.context import Context
from ffd_core.services.intake import (CHANGE, EmailState, Filed, attachment_problem, configured_scanner,
                                      file_as_contact, locked)
from ffd_core.store.blobs import BlobStore
from ffd_core.store.tables import Contact, InboundEmail


@dataclass(frozen=True)
class HeldEmail:
    id: int
    received_at: datetime
    mail_from: str
    from_address: str | None
    subject: str | None
    size: int
    reason: str
    state: str
    kept: bool  # its content is kept (it can be read and released)
    decided_by_id: int | None
    decision_reason: str | None


@dataclass(frozen=True)
class HeldContent:
    email: HeldEmail
    text: str
    attachments: tuple[str, ...]
    readable: bool  # False: malformed; what could be read is shown


def held(ctx: Context, actor: Actor, *, include_decided: bool = False, limit: int = 500) -> list[HeldEmail]:
    """Quarantined email, newest first (and those already released or deleted, if asked)."""
    states = [EmailState.QUARANTINED]
    if include_decided:
        states += [EmailState.RELEASED, EmailState.DELETED]
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.READ_QUARANTINE)
        rows = session.execute(select(InboundEmail).where(
            InboundEmail.state.in_(states), InboundEmail.reason.is_not(None))
            .order_by(InboundEmail.received_at.desc(), InboundEmail.id.desc()).limit(limit)).scalars()
        return [_held(row) for row in rows]


def read(ctx: Context, actor: Actor, email_id: int) -> HeldContent:
    """One quarantined email's text and attachment names (the read is audited)."""
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.READ_QUARANTINE)
        row = _row(session, email_id)
        ctx.audit(session, actor, "email_read", subject=f"email:{row.id}")
        view = _held(row)
    if not view.kept:
        return HeldContent(view, "", (), False)
    email, readable = _lenient(BlobStore(ctx.settings.resolved_blob_dir).get(row.sha256))
    return HeldContent(view, email.text, tuple(a.filename for a in email.attachments), readable)


def release(ctx: Context, actor: Actor, email_id: int, reason: str) -> Filed:
    """The supervisor vouches for it: it becomes a contact to complete (linked to the
    contact a reply named, if any). Attachments that fail the upload checks are withheld."""
    if not reason.strip():
        raise InvalidInput("say why it is safe to release (e.g. \"the sender phoned to confirm\"); "
                           "the reason is kept on the audit trail")
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.DECIDE_QUARANTINE)
        row = _row(session, email_id)
        _still_held(row)
        if not row.sha256:
            raise InvalidInput("its content was not kept (too large), so there is nothing to "
                               "release: ask the sender to send it again in smaller parts")
        named = row.named_reference
    email, _readable = _lenient(BlobStore(ctx.settings.resolved_blob_dir).get(row.sha256))
    good, withheld, scanner = [], [], configured_scanner(ctx)
    for attachment in email.attachments:
        (withheld if attachment_problem(_only(email, attachment), scanner) else good).append(attachment)
    email = ReadEmail(email.from_address or row.mail_from, email.from_name, email.subject,
                      email.message_id, email.text, tuple(good))
    filed = file_as_contact(ctx, actor, email_id, email, EmailState.RELEASED,
                            withheld=[a.filename for a in withheld], released_because=reason,
                            in_reply_to=named)
    if named and filed.contact_id is not None and ctx.policy.allows(actor, Action.LINK_CONTACTS):
        with ctx.read() as session:
            earlier = session.execute(select(Contact.id).where(Contact.reference == named)).scalar()
        if earlier is not None and earlier != filed.contact_id:
            notes.link_contacts(ctx, actor, filed.contact_id, earlier,
                                f"a reply to {named} released from quarantine")
    return filed


def delete(ctx: Context, actor: Actor, email_id: int, reason: str) -> None:
    """Remove its content for good; the record stays, with who deleted it and why."""
    if not reason.strip():
        raise InvalidInput("say why it is deleted (e.g. \"spam\"); the reason is kept on the audit trail")
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.DECIDE_QUARANTINE)
        row = locked(session, email_id)
        _still_held(row)
        digest, row.sha256 = row.sha256, None
        row.state, row.decided_by_id, row.decided_at = EmailState.DELETED, actor.user_id, ctx.now()
        row.decision_reason = reason
        ctx.audit(session, actor, "email_deleted", subject=f"email:{row.id}",
                  data={"reason": reason, "sha256": digest})
        ctx.changed(session, None, CHANGE)
    if digest:  # after the commit: a row never names content that is gone
        BlobStore(ctx.settings.resolved_blob_dir).delete(digest)


def _lenient(raw: bytes) -> tuple[ReadEmail, bool]:
    try:
        return read_email(raw), True
    except Unreadable:
        try:
            return read_email(raw, strict=False), False
        except Unreadable:
            text = raw.decode("utf-8", "replace")
            return ReadEmail("", "", "", None, text[:200_000], ()), False


def _only(email: ReadEmail, attachment) -> ReadEmail:  # noqa: ANN001 - an EmailAttachment
    return ReadEmail(email.from_address, email.from_name, email.subject, email.message_id, "",
                     (attachment,))


def _row(session, email_id: int) -> InboundEmail:  # noqa: ANN001 - Session
    row = session.get(InboundEmail, email_id)
    if row is None or row.reason is None:
        raise NotFound(f"no quarantined email {email_id}; see `ffd intake quarantine list`")
    return row


def _still_held(row: InboundEmail) -> None:
    if row.state != EmailState.QUARANTINED:
        raise InvalidInput(f"email {row.id} was already {row.state}")


def _held(row: InboundEmail) -> HeldEmail:
    return HeldEmail(row.id, row.received_at, row.mail_from, row.from_address, row.subject,
                     row.size, row.reason or "", row.state, bool(row.sha256), row.decided_by_id,
                     row.decision_reason)
