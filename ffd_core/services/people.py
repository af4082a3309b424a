"""The single view meets contacts: an officer links a child on a contact to a person in the
index (audited), and the facts the priority rules need come from there."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ffd_core.domain.permissions import require_role
from ffd_core.domain.vocab import PersonRole, Role
from ffd_core.errors import InvalidInput, NotFound
from ffd_core.search.records import SOCIAL_CARE
from ffd_core.services.context import Actor, Context
from ffd_core.services.triage import _load, check_access
from ffd_core.store.people_tables import SourceRecordRow
from ffd_core.store.tables import Contact, ContactPerson

OFFICERS = frozenset({Role.SCREENING_OFFICER, Role.SUPERVISOR})


def link_child(ctx: Context, actor: Actor, contact_person_id: int, person_id: str | None) -> None:
    """Say which person in the index a child on a contact is (or None: not known)."""
    require_role(actor.role, OFFICERS, "link children to records")
    with ctx.write() as session:
        entry = session.get(ContactPerson, contact_person_id)
        if entry is None or entry.role != PersonRole.SUBJECT.value:
            raise NotFound(f"no child {contact_person_id} on a contact")
        contact = _load(session, entry.contact_id)
        check_access(actor, contact)
        if person_id is not None and session.execute(select(SourceRecordRow.id).where(
                SourceRecordRow.person_id == person_id).limit(1)).first() is None:
            raise InvalidInput(f"no person {person_id} in the index; search again")
        previous, entry.person_id = entry.person_id, person_id
        contact.version += 1
        contact.changed_at, contact.changed_by_id = ctx.now(), actor.user_id
        ctx.audit(session, actor, "link_child", contact_id=contact.id,
                  subject=f"person:{person_id}" if person_id else None,
                  data={"child": entry.id, "person_id": person_id, "previous": previous})
        ctx.changed(session, contact.id, "contact.link_child")


def recent_contacts(ctx: Context, person_id: str, days: int, before_contact: int | None = None) -> int:
    """How many contacts about this person arrived in the last ``days`` days."""
    since = ctx.now() - timedelta(days=days)
    with ctx.read() as session:
        query = (select(func.count(func.distinct(Contact.id)))
                 .join(ContactPerson, ContactPerson.contact_id == Contact.id)
                 .where(ContactPerson.person_id == person_id, Contact.received_at >= since))
        if before_contact is not None:
            query = query.where(Contact.id != before_contact)
        return session.execute(query).scalar_one()


def open_to_social_care(ctx: Context, person_id: str) -> bool:
    """An open episode or an allocated worker on any of the person's social care records."""
    with ctx.read() as session:
        details = session.execute(select(SourceRecordRow.details).where(
            SourceRecordRow.person_id == person_id, SourceRecordRow.source == SOCIAL_CARE)).scalars()
        return any((d or {}).get("open_episodes") or (d or {}).get("allocated_worker")
                   for d in details)
