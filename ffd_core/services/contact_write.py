"""The one path every change to a contact takes.

``begin`` loads the row under a write lock, resolves the actor and asks the access policy
against the row as loaded — before anything changes — then checks the version the caller
saw. ``record`` does the bookkeeping every write needs (version, who and when, audit event,
change-feed entry, clock projection); ``move`` takes a lifecycle edge and records it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ffd_core.clock import as_utc, format_uk_datetime
from ffd_core.domain.access import Action, Actor, ContactFacts
from ffd_core.domain.lifecycle import Edge
from ffd_core.domain.vocab import Status
from ffd_core.errors import NotFound, StaleContact
from ffd_core.services.clocks import project_clocks
from ffd_core.services.context import Context
from ffd_core.store.engine import is_postgres
from ffd_core.store.tables import Contact, User


def load(session: Session, contact_id: int, *, lock: bool = True) -> Contact:
    # PostgreSQL: a row lock held to commit. SQLite: the transaction already holds the write
    # lock, so a plain get (often from the session's identity map) is just as safe.
    if lock and is_postgres(session.get_bind()):
        contact = session.get(Contact, contact_id, with_for_update=True, populate_existing=True)
    else:
        contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"no contact with id {contact_id}; it may have been closed in error")
    return contact


def facts(contact: Contact) -> ContactFacts:
    """What the access policy needs of a contact row."""
    return ContactFacts(
        reference=contact.reference, restricted=contact.restricted, owner_id=contact.owner_id,
        referrer_user_id=contact.referrer_user_id,
        referrer_agency_id=contact.referrer_agency_id, channel=contact.channel,
    )


def begin(
    ctx: Context, session: Session, actor: Actor, contact_id: int, action: Action | str,
    expected_version: int | None = None, *, lock: bool = True,
) -> tuple[Actor, Contact]:
    """Load, authorise against the row as loaded, then check the caller's version.
    Returns the actor as the store knows them now, and the contact."""
    contact = load(session, contact_id, lock=lock)
    current = ctx.authorize(session, actor, action, facts(contact))
    check_version(session, contact, expected_version)
    return current, contact


def check_version(session: Session, contact: Contact, expected: int | None) -> None:
    if expected is None or contact.version == expected:
        return
    who = session.get(User, contact.changed_by_id) if contact.changed_by_id else None
    raise StaleContact(
        f"{contact.reference} was changed by {who.display_name if who else 'the system'} at "
        f"{format_uk_datetime(contact.changed_at)} after you opened it; "
        "look at the change, then try again (what you typed is kept)"
    )


def record(
    ctx: Context, session: Session, actor: Actor, contact: Contact, action: str, *,
    from_status: Status | None = None, data: dict[str, Any] | None = None,
    subject: str | None = None, clocks: bool = False,
) -> None:
    """Bookkeeping for one change: version, who and when, audit, change feed, clocks."""
    contact.version += 1
    contact.changed_at = ctx.now()
    contact.changed_by_id = actor.user_id
    moved = from_status is not None and from_status.value != contact.status
    ctx.audit(
        session, actor, action, contact_id=contact.id, subject=subject,
        from_status=from_status.value if from_status is not None else None,
        to_status=contact.status if from_status is not None else None,
        data=jsonable(data or {}),
    )
    if moved or clocks:
        session.flush()  # the clock projection reads the audit trail just written
        project_clocks(ctx, session, contact)
    ctx.changed(session, contact.id, f"contact.{action}")


def move(
    ctx: Context, session: Session, actor: Actor, contact: Contact, edge_name: str,
    inputs: dict[str, Any], *, data: dict[str, Any] | None = None, target: Status | None = None,
    subject: str | None = None,
) -> Edge:
    """Take one lifecycle edge (the caller has authorised it with ``begin``)."""
    status = Status(contact.status)
    edge = ctx.lifecycle.check(edge_name, status=status, inputs=inputs)
    contact.status = (target or edge.target or status).value
    record(ctx, session, actor, contact, edge_name, from_status=status, data=data,
           subject=subject, clocks="priority" in (data or {}))
    return edge


def jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (as_utc(v).isoformat() if isinstance(v, datetime) else v) for k, v in data.items()}


def stamp(contact: Contact) -> tuple[int, str, int]:
    return contact.id, contact.reference, contact.version
