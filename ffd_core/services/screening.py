"""Screening a contact: priority, asking the referrer for more, their reply, chasing, and
the moves that end or reopen a contact."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ffd_core.clock import as_utc, format_uk_datetime
from ffd_core.domain.access import SYSTEM, Actor, reply_refusal
from ffd_core.domain.addresses import mailbox
from ffd_core.domain.vocab import MessageKind, MessageState, Priority, Status
from ffd_core.domain.text import clean_text
from ffd_core.errors import InvalidInput, PermissionDenied
from ffd_core.services import outbox
from ffd_core.services.contact_write import begin, move, record
from ffd_core.services.context import Context
from ffd_core.services.referrer_view import waiting_for_referrer
from ffd_core.store.tables import Contact, Message


def set_priority(
    ctx: Context, actor: Actor, contact_id: int, priority: Priority | int, reason: str,
    expected_version: int | None = None,
) -> int:
    try:
        priority = Priority(int(priority))
    except ValueError:
        raise InvalidInput("priority is 1 (immediate), 2 (high), 3 (standard) or 4 (low)") from None
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, "set_priority", expected_version)
        previous = contact.priority
        contact.priority, contact.priority_reason = int(priority), reason
        move(ctx, session, actor, contact, "set_priority",
             {"priority": priority, "reason": reason},
             data={"priority": int(priority), "previous": previous, "reason": reason})
        return contact.version


def request_information(
    ctx: Context, actor: Actor, contact_id: int, *, recipient: str, message: str,
    chase_by: datetime | None, expected_version: int | None = None,
) -> int:
    if chase_by is not None and as_utc(chase_by) <= ctx.now():
        raise InvalidInput("the chase-by time has already passed; give a time in the future")
    if recipient.strip() and mailbox(recipient) != recipient.strip():
        raise InvalidInput("send the request to one address in the form name@example.org")
    message = clean_text(message, "the request")
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, "request_information",
                               expected_version)
        inputs = {"recipient": recipient, "message": message, "chase_by": chase_by}
        move(ctx, session, actor, contact, "request_information", inputs,
             data={"recipient": recipient, "chase_by": chase_by})
        note = Message(contact_id=contact.id, kind=MessageKind.REQUEST_FOR_INFORMATION.value,
                       direction="out", recipient=recipient, body=message, chase_by=chase_by,
                       author_id=actor.user_id, created_at=ctx.now(), state=MessageState.CURRENT.value)
        session.add(note)
        session.flush()
        outbox.enqueue(ctx, session, outbox.EMAIL, f"rfi:{note.id}",
                       {"template": "request_for_information", "to": recipient,
                        "reference": contact.reference, "message_id": note.id},
                       contact_id=contact.id)
        return contact.version


def record_reply(
    ctx: Context, actor: Actor, contact_id: int, message: str, sender: str = ""
) -> int:
    """The referrer answered (in person on the web, or an officer typing in what they said).
    A contact awaiting information goes back to screening; a reply is never stale."""
    if not message.strip():
        raise InvalidInput("the reply is empty; paste or type what the referrer said")
    message = clean_text(message, "the reply")
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, "record_reply")
        refusal = reply_refusal(actor, asked_referrer=waiting_for_referrer(session, contact))
        if refusal:
            raise PermissionDenied(refusal)
        take_reply(ctx, session, actor, contact, message, sender or (actor.name if not actor.is_staff else ""))
        return contact.version


def take_reply(ctx: Context, session, actor: Actor, contact: Contact, message: str,  # noqa: ANN001
               sender: str) -> Message:
    """The reply on the thread; a contact awaiting information goes back to screening.
    (The caller has authorised ``record_reply``; the emailed-reply intake uses this too.)"""
    if contact.status == Status.AWAITING_INFORMATION.value:
        move(ctx, session, actor, contact, "record_reply", {"message": message},
             data={"sender": sender})
    else:
        record(ctx, session, actor, contact, "reply_received", data={"sender": sender})
    reply = Message(contact_id=contact.id, kind=MessageKind.REPLY.value, direction="in",
                    recipient=None, body=message, author_id=actor.user_id, sender=sender or None,
                    created_at=ctx.now(), state=MessageState.CURRENT.value)
    session.add(reply)
    session.flush()
    return reply


def chase_overdue(ctx: Context) -> list[str]:
    """System job: requests whose chase-by time passed go back to the officer."""
    now = ctx.now()
    with ctx.write() as session:
        waiting = session.execute(
            select(Contact.id).where(Contact.status == Status.AWAITING_INFORMATION.value)
        ).scalars().all()
        moved = []
        for contact_id in waiting:
            actor, contact = begin(ctx, session, SYSTEM, contact_id, "chase_due")
            last = session.execute(
                select(Message.chase_by)
                .where(Message.contact_id == contact.id,
                       Message.kind == MessageKind.REQUEST_FOR_INFORMATION.value)
                .order_by(Message.id.desc()).limit(1)
            ).scalar_one_or_none()
            if last is not None and as_utc(last) <= now:
                move(ctx, session, actor, contact, "chase_due", {}, data={
                    "reason": f"no reply by the chase-by time, {format_uk_datetime(last)}"})
                moved.append(contact.reference)
        return moved


def record_transfer(ctx: Context, actor: Actor, contact_id: int, episode_id: str) -> int:
    """The case system accepted the contact: record its episode id."""
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, "push")
        move(ctx, session, actor, contact, "push", {"episode_id": episode_id},
             data={"episode_id": episode_id})
        return contact.version


def withdraw(ctx: Context, actor: Actor, contact_id: int, reason: str,
             expected_version: int | None = None) -> int:
    return _with_reason(ctx, actor, contact_id, "withdraw", reason, expected_version)


def close_in_error(ctx: Context, actor: Actor, contact_id: int, reason: str,
                   expected_version: int | None = None) -> int:
    return _with_reason(ctx, actor, contact_id, "close_in_error", reason, expected_version)


def reopen(ctx: Context, actor: Actor, contact_id: int, reason: str,
           expected_version: int | None = None) -> int:
    """A supervisor reopens: a new statutory period starts; the old one keeps its result."""
    return _with_reason(ctx, actor, contact_id, "reopen", reason, expected_version)


def _with_reason(ctx: Context, actor: Actor, contact_id: int, edge: str, reason: str,
                 expected_version: int | None) -> int:
    reason = clean_text(reason, "the reason")
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, edge, expected_version)
        move(ctx, session, actor, contact, edge, {"reason": reason}, data={"reason": reason})
        return contact.version
