"""Officers' own working: internal notes, and links between contacts about the same child."""

from __future__ import annotations

from sqlalchemy import select

from ffd_core.domain.access import Action, Actor
from ffd_core.domain.text import clean_text
from ffd_core.errors import InvalidInput
from ffd_core.services.contact_write import begin, facts, load
from ffd_core.services.context import Context
from ffd_core.store.tables import Contact, ContactLink, Note


def add_note(ctx: Context, actor: Actor, contact_id: int, body: str) -> int:
    """An internal note: never shown to the referrer. Notes do not make a screen stale."""
    if not body.strip():
        raise InvalidInput("the note is empty")
    body = clean_text(body, "the note")
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, Action.NOTE)
        note = Note(contact_id=contact.id, body=body, author_id=actor.user_id,
                    created_at=ctx.now())
        session.add(note)
        session.flush()
        ctx.audit(session, actor, "add_note", contact_id=contact.id, data={"note_id": note.id})
        ctx.changed(session, contact.id, "contact.note")
        return note.id


def link_contacts(ctx: Context, actor: Actor, contact_id: int, other_id: int, reason: str) -> None:
    """Two contacts about the same child are linked, never merged. The officer must be able
    to see both."""
    if contact_id == other_id:
        raise InvalidInput("a contact cannot be linked to itself")
    if not reason.strip():
        raise InvalidInput("say why the contacts are linked (e.g. same child)")
    low, high = sorted((contact_id, other_id))
    with ctx.write() as session:
        actor = ctx.resolve(session, actor)
        for cid in (low, high):
            ctx.policy.require(actor, Action.LINK_CONTACTS, facts(load(session, cid)))
        exists = session.execute(select(ContactLink.id).where(
            ContactLink.contact_id == low, ContactLink.other_contact_id == high)).first()
        if exists:
            raise InvalidInput("those contacts are already linked")
        session.add(ContactLink(contact_id=low, other_contact_id=high, reason=reason,
                                created_by_id=actor.user_id, created_at=ctx.now()))
        for cid, other in ((low, high), (high, low)):
            ctx.audit(session, actor, "link", contact_id=cid, data={"other": other,
                                                                     "reason": reason})
            ctx.changed(session, cid, "contact.link")


def link_by_reference(ctx: Context, actor: Actor, contact_id: int, reference: str,
                      reason: str) -> str:
    """Link to another contact named by its reference (FFD-2026-000123); returns it.
    A contact the officer may not see is "not found", so a restricted one is not revealed."""
    wanted = reference.strip().upper()
    with ctx.read() as session:
        actor = ctx.resolve(session, actor)
        other = session.execute(select(Contact).where(Contact.reference == wanted)).scalar()
        if other is None or not ctx.policy.allows(actor, Action.LINK_CONTACTS, facts(other)):
            raise InvalidInput(f"no contact {wanted or '(blank)'}; check the reference")
        other_id = other.id
    link_contacts(ctx, actor, contact_id, other_id, reason)
    return wanted

