"""Writing to the referrer outside a decision (e.g. "we are looking at this today")."""

from __future__ import annotations

from collections.abc import Sequence

from ffd_core.domain.access import Action, Actor
from ffd_core.domain.vocab import MessageKind, MessageState
from ffd_core.domain.text import clean_text
from ffd_core.errors import InvalidInput
from ffd_core.services import outbox
from ffd_core.services.contact_write import begin, facts, load, record
from ffd_core.services.context import Context
from ffd_core.store.tables import Contact, Message


def referrer_email(contact: Contact) -> str | None:
    """Where replies to the referrer go; None for an anonymous referrer or one with no
    email (tell them by phone and record a note instead)."""
    email = (contact.referrer or {}).get("email")
    return None if contact.anonymous or not email else email


def can_write_to_referrer(ctx: Context, actor: Actor, contact_id: int) -> bool:
    """For screens: whether to offer a reply at all (the actor may, and there is an email)."""
    with ctx.read() as session:
        contact = load(session, contact_id, lock=False)
        return (ctx.policy.allows(ctx.resolve(session, actor), Action.WRITE_TO_REFERRER,
                                  facts(contact))
                and referrer_email(contact) is not None)


def send_reply(
    ctx: Context, actor: Actor, contact_id: int, *, kind: MessageKind, body: str,
    template_id: str | None = None, indicators: Sequence[str] = (),
    expected_version: int | None = None,
) -> int:
    """A message to the referrer, kept on the thread and queued for delivery; the status
    does not change. It is never taken for the outcome of a later decision."""
    if not body.strip():
        raise InvalidInput("the message is empty")
    body = clean_text(body, "the message")
    unknown = ctx.config.guidance.unknown_indicators(list(indicators))
    if unknown:
        raise InvalidInput(f"unknown threshold indicator(s): {', '.join(unknown)}")
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, Action.WRITE_TO_REFERRER,
                               expected_version)
        email = referrer_email(contact)
        if email is None:
            raise InvalidInput(f"{contact.reference} has no referrer email to write to; "
                               "record the reply by phone as a note instead")
        message = Message(contact_id=contact.id, kind=kind.value, direction="out",
                          recipient=email, body=body, author_id=actor.user_id,
                          created_at=ctx.now(), state=MessageState.CURRENT.value)
        session.add(message)
        session.flush()
        record(ctx, session, actor, contact, "send_reply",
               data={"kind": kind.value, "template": template_id, "message_id": message.id,
                     "indicators": list(indicators)})
        outbox.enqueue(ctx, session, outbox.EMAIL, f"message:{message.id}",
                       {"to": email, "reference": contact.reference, "message_id": message.id},
                       contact_id=contact.id)
        return contact.version
