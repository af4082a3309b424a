"""Everything a screen shows about one contact, read in one go and audited as a view."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from ffd_core.domain.access import Action, Actor, ContactFacts
from ffd_core.domain.vocab import PersonRole, Priority, Status
from ffd_core.services.contact_write import begin, facts
from ffd_core.services.context import Context
from ffd_core.services import pushes
from ffd_core.services.contacts import category_label
from ffd_core.services.deliveries import Delivery, for_contact
from ffd_core.services.pushes import CaseSystemRecord
from ffd_core.store.tables import (
    Attachment, AuditEvent, ClockPeriodRow, Contact, ContactLink, ContactPerson, Decision,
    Message, Note, User,
)


@dataclass(frozen=True)
class PersonView:
    id: int
    role: str
    name: str
    date_of_birth: Any
    expected_due_date: Any
    gender: str | None
    relationship: str | None
    address: str | None
    postcode: str | None
    school: str | None
    nhs_number: str | None
    upn: str | None
    person_id: str | None


@dataclass(frozen=True)
class ThreadItem:
    at: datetime
    kind: str
    direction: str
    who: str
    body: str
    chase_by: datetime | None = None
    state: str = "current"  # "held": goes to the referrer only when its decision is final


@dataclass(frozen=True)
class HistoryItem:
    seq: int
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]  # as recorded on the audit trail
    # The detail as a person reads it: (words, value) with codes in words, people by name,
    # times as datetimes (for the screen to show in UK time) and internal ids left out.
    shown: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class DecisionView:
    child: str
    outcome: str
    rationale: str
    level_of_need: str | None
    indicators: list[str]
    primary_need: str | None
    decided_by: str
    decided_at: datetime
    state: str


@dataclass(frozen=True)
class LinkView:
    contact_id: int
    reference: str
    status: str
    reason: str


@dataclass(frozen=True)
class ContactView:
    id: int
    reference: str
    version: int
    kind: str
    channel: str
    status: str
    priority: int
    priority_reason: str | None
    category: str
    received_at: datetime
    due_at: datetime | None
    working_due_at: datetime | None
    clock_period: int
    owner_id: int | None
    owner: str
    restricted: bool
    anonymous: bool
    keep_identity_from_family: bool
    consent: str
    consent_reason: str | None
    referrer: dict[str, Any]
    referrer_agency: str
    referrer_level_of_need: str | None
    form: tuple[str | None, str | None, str | None]  # id, version, content hash
    answers: dict[str, Any]
    children: list[PersonView]
    household: list[PersonView]
    thread: list[ThreadItem]
    notes: list[ThreadItem]
    attachments: list[dict[str, Any]]
    decisions: list[DecisionView]
    links: list[LinkView]
    hidden_links: int  # links to contacts this reader may not see
    history: list[HistoryItem]
    statutory_margin_minutes: float | None
    due_soon: bool  # open, at most 240 minutes left on the statutory clock
    changed_at: datetime
    changed_by: str
    # Every message queued to go out for it (emails, the case-system push) and how it went.
    deliveries: list[Delivery] = field(default_factory=list)
    # What the access policy needs, so a screen can ask it what to offer on this contact.
    facts: ContactFacts | None = None
    # Each decided child's way into the case system, with the ids it returned.
    case_system: list[CaseSystemRecord] = field(default_factory=list)
    to_complete: bool = False  # an emailed contact still without its child, category, consent
    category_label: str = ""  # the council's words for the category (its form's label)


def view_contact(ctx: Context, actor: Actor, contact_id: int) -> ContactView:
    """Open a contact as staff: rights checked, the view put on the audit trail. (Partners
    see their referrals through ``referrer_view``, never this.)"""
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, Action.STAFF_VIEW, lock=False)
        ctx.audit(session, actor, "view_contact", contact_id=contact.id)
        names = _names(session, contact)
        return _build(ctx, session, actor, contact, names)


def _names(session, contact: Contact) -> dict[int, str]:  # noqa: ANN001
    ids = {contact.owner_id, contact.changed_by_id}
    ids |= set(session.execute(select(Message.author_id).where(Message.contact_id == contact.id)).scalars())
    ids |= set(session.execute(select(Note.author_id).where(Note.contact_id == contact.id)).scalars())
    ids |= set(session.execute(select(Decision.decided_by_id).where(Decision.contact_id == contact.id)).scalars())
    ids.discard(None)
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def _person(row: ContactPerson) -> PersonView:
    return PersonView(row.id, row.role, row.display_name, row.date_of_birth, row.expected_due_date,
                      row.gender, row.relationship_to_child, row.address, row.postcode, row.school,
                      row.nhs_number, row.upn, row.person_id)


def _build(ctx: Context, session, actor: Actor, contact: Contact,  # noqa: ANN001
           names: dict[int, str]) -> ContactView:
    people = contact.people
    child_names = {p.id: p.display_name for p in people}
    referrer = dict(contact.referrer or {})
    thread = [
        ThreadItem(m.created_at, m.kind, m.direction,
                   (m.sender or names.get(m.author_id) or referrer.get("name") or "referrer")
                   if m.direction == "in" else names.get(m.author_id, "system"),
                   m.body, m.chase_by, m.state)
        for m in session.execute(select(Message).where(Message.contact_id == contact.id)
                                 .order_by(Message.created_at, Message.id)).scalars()
    ]
    notes = [
        ThreadItem(n.created_at, "note", "internal", names.get(n.author_id, "?"), n.body)
        for n in session.execute(select(Note).where(Note.contact_id == contact.id)
                                 .order_by(Note.created_at, Note.id)).scalars()
    ]
    decisions = [
        DecisionView(child_names.get(d.child_id, "?"), d.outcome, d.rationale, d.level_of_need,
                     list(d.indicators or []), d.primary_need, names.get(d.decided_by_id, "?"),
                     d.decided_at, d.state)
        for d in session.execute(select(Decision).where(Decision.contact_id == contact.id)
                                 .order_by(Decision.id)).scalars()
    ]
    links, hidden_links = [], 0
    for link in session.execute(select(ContactLink).where(or_(
            ContactLink.contact_id == contact.id, ContactLink.other_contact_id == contact.id))).scalars():
        other_id = link.other_contact_id if link.contact_id == contact.id else link.contact_id
        other = session.get(Contact, other_id)
        if ctx.policy.allows(actor, Action.STAFF_VIEW, facts(other)):
            links.append(LinkView(other.id, other.reference, other.status, link.reason))
        else:
            hidden_links += 1  # a restricted contact: neither its reference nor why it is linked
    events = list(session.execute(select(AuditEvent).where(AuditEvent.contact_id == contact.id)
                                  .order_by(AuditEvent.seq)).scalars())
    people_named = {e.data.get(key) for e in events if e.data for key in _PEOPLE} - set(names) - {None}
    if people_named:
        names = {**names, **dict(session.execute(select(User.id, User.display_name).where(
            User.id.in_([i for i in people_named if isinstance(i, int)]))).all())}
    history = [
        HistoryItem(e.seq, e.at, e.actor_name, e.action, e.from_status, e.to_status,
                    dict(e.data or {}), _shown(ctx, dict(e.data or {}), names))
        for e in events
    ]
    attachments = [
        {"id": a.id, "filename": a.filename, "media_type": a.media_type, "size": a.size,
         "sha256": a.sha256}
        for a in session.execute(select(Attachment).where(Attachment.contact_id == contact.id)).scalars()
    ]
    period = session.get(ClockPeriodRow, (contact.id, contact.clock_period))
    return ContactView(
        id=contact.id, reference=contact.reference, version=contact.version, kind=contact.kind,
        channel=contact.channel, status=contact.status, priority=contact.priority,
        priority_reason=contact.priority_reason, category=contact.category,
        received_at=contact.received_at, due_at=contact.due_at,
        working_due_at=contact.working_due_at, clock_period=contact.clock_period,
        owner_id=contact.owner_id, owner=names.get(contact.owner_id, ""),
        restricted=contact.restricted, anonymous=contact.anonymous,
        keep_identity_from_family=contact.keep_identity_from_family, consent=contact.consent,
        consent_reason=contact.consent_reason, referrer=referrer,
        referrer_agency=contact.referrer_agency.name if contact.referrer_agency else
        referrer.get("agency_name", ""),
        referrer_level_of_need=contact.referrer_level_of_need,
        form=(contact.form_id, contact.form_version, contact.form_hash),
        answers=dict(contact.answers or {}),
        children=[_person(p) for p in people if p.role == PersonRole.SUBJECT.value],
        household=[_person(p) for p in people if p.role == PersonRole.HOUSEHOLD.value],
        thread=thread, notes=notes, attachments=attachments, decisions=decisions, links=links,
        hidden_links=hidden_links,
        history=history,
        statutory_margin_minutes=period.statutory_margin_minutes if period else None,
        due_soon=ctx.lifecycle.is_open(Status(contact.status))
        and ctx.clock_policy.is_due_soon(ctx.now(), contact.due_at),
        changed_at=contact.changed_at, changed_by=names.get(contact.changed_by_id, "system"),
        deliveries=for_contact(session, contact), facts=facts(contact),
        case_system=pushes.for_contact(session, contact),
        to_complete=contact.to_complete,
        category_label=category_label(ctx, contact.category),
    )


# How a history line names what an event recorded (see HistoryItem.shown).
_PEOPLE = {"owner_id": "owner", "previous_owner_id": "previous owner"}
_LEFT_OUT = {"message_id", "note_id", "attachment_id", "agency_id", "child", "other"}
_CODES = {"channel", "kind", "consent", "outcome", "outcomes", "state", "via", "purpose",
          "level_of_need"}
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _shown(ctx: Context, data: dict[str, Any], names: dict[int, str]) -> tuple[tuple[str, Any], ...]:
    shown: list[tuple[str, Any]] = []
    for key, value in data.items():
        if key in _LEFT_OUT or value is None or value in ("", [], {}):
            continue
        if key in _PEOPLE:
            shown.append((_PEOPLE[key], names.get(value, "someone no longer listed")))
        elif key == "category":
            shown.append(("category", category_label(ctx, value)))
        elif (key == "priority" or key == "previous" and "priority" in data) \
                and value in set(Priority):  # "previous" on a priority change is one too
            shown.append((key, f"P{value} ({Priority(value).label})"))
        elif key in _CODES:
            codes = value if isinstance(value, list) else [value]
            shown.append((key.replace("_", " "), ", ".join(str(c).replace("_", " ") for c in codes)))
        elif isinstance(value, str) and _INSTANT.match(value):
            try:
                shown.append((key.replace("_", " "), datetime.fromisoformat(value)))
            except ValueError:
                shown.append((key.replace("_", " "), value))
        else:
            shown.append((key.replace("_", " "), value))
    return tuple(shown)
