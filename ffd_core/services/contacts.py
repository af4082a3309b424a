"""Receiving contacts: every channel comes through ``submit``."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ffd_core.clock import uk_local
from ffd_core.domain.access import Action, Actor, referrer_email_refusal
from ffd_core.domain.contact import (
    NOT_RECORDED, NewContact, PersonEntry, Referrer, as_partner_submission,
    new_contact_problems, validate_new_contact,
)
from ffd_core.domain.vocab import Channel, Consent, ContactKind, PersonRole, Priority, Role, Status
from ffd_core.errors import FFDError, IdempotencyConflict, InvalidInput, ReferrerEmailRefused
from ffd_core.faults import checkpoint
from ffd_core.services import outbox
from ffd_core.services.clocks import project_clocks
from ffd_core.services.context import Context
from ffd_core.priority import suggest_priority
from ffd_core.priority.facts import facts_for
from ffd_core.store.references import next_reference
from ffd_core.store.tables import Agency, Contact, ContactPerson, User

@dataclass(frozen=True)
class Receipt:
    contact_id: int
    reference: str
    version: int
    duplicate: bool = False  # an idempotent retry of an earlier submission


def submit(ctx: Context, actor: Actor, new: NewContact) -> Receipt:
    """Store a contact from any channel, with its audit event and acknowledgement, at once.

    A partner's submission is received now, at the priority the rules suggest, never
    restricted, and always from the partner's own agency (and from the partner, when a
    person rather than a system sent it); contact details in the body are kept as given.
    Staff typing in a call or a letter may say when it actually arrived.

    An idempotency key is the submitting agency's own: a retry with the same key and the
    same content returns the first receipt; the same key with different content is refused.
    """
    scope = idempotency_scope(actor)
    fingerprint = new.fingerprint() if new.idempotency_key else None
    try:
        return _store(ctx, actor, new, scope, fingerprint)
    except IntegrityError:
        # Two deliveries of one keyed submission raced: the first stored it.
        if not new.idempotency_key:
            raise
        with ctx.read() as session:
            earlier = _keyed(session, scope, new.idempotency_key)
            if earlier is None:
                raise
            return _duplicate(earlier, fingerprint)


def idempotency_scope(actor: Actor) -> str:
    return f"agency:{actor.agency_id}" if actor.agency_id is not None else "system"


def _store(ctx: Context, actor: Actor, new: NewContact, scope: str,
           fingerprint: str | None) -> Receipt:
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.SUBMIT)
        if actor.role is Role.PARTNER:
            new = with_suggested_priority(ctx, as_partner_submission(
                new, user_id=actor.user_id, agency_id=actor.agency_id, now=ctx.now()))
            new = _partner_referrer_email(session, actor, new)
        validate_new_contact(new, ctx.now())
        if new.idempotency_key:
            earlier = _keyed(session, scope, new.idempotency_key)
            if earlier is not None:
                return _duplicate(earlier, fingerprint)
        contact = _new_row(ctx, session, actor, new)
        contact.idempotency_scope = scope if new.idempotency_key else None
        contact.idempotency_fingerprint = fingerprint
        if new.form is not None and new.form.snapshot is not None:
            _keep_form_snapshot(ctx, session, new.form)
        session.add(contact)
        session.flush()
        checkpoint("submit.after_contact")
        ctx.audit(
            session, actor, "submit", contact_id=contact.id, to_status=Status.RECEIVED.value,
            data={"reference": contact.reference, "channel": new.channel.value,
                  "priority": int(new.priority), "received_at": new.received_at.isoformat()},
        )
        project_clocks(ctx, session, contact)
        _acknowledge(ctx, session, contact)
        ctx.changed(session, contact.id, "contact.received")
        checkpoint("submit.before_commit")
        return Receipt(contact.id, contact.reference, contact.version)


def _partner_referrer_email(session: Session, actor: Actor, new: NewContact) -> NewContact:
    """The email the front door will write to about the child: one the policy lets this
    partner give (their own, or their agency's domain for a system), or a person's own
    when they gave none."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    own = ((user.email or "").strip() if user is not None else "") or None
    agency = session.get(Agency, actor.agency_id) if actor.agency_id is not None else None
    refusal = referrer_email_refusal(actor, new.referrer.email, own_email=own,
                                     agency_domains=(agency.email_domains or []) if agency else [])
    if refusal:
        raise ReferrerEmailRefused(refusal)
    if user is not None and own and not new.referrer.email.strip():
        return replace(new, referrer=replace(new.referrer, email=own))
    return new


def _keyed(session: Session, scope: str, key: str) -> Contact | None:
    return session.execute(select(Contact).where(
        Contact.idempotency_scope == scope, Contact.idempotency_key == key)).scalar_one_or_none()


def _duplicate(earlier: Contact, fingerprint: str | None) -> Receipt:
    if earlier.idempotency_fingerprint != fingerprint:
        raise IdempotencyConflict(
            f"the idempotency key was already used for {earlier.reference} with different "
            "content; send a new key for a new contact, or resend exactly the same content")
    return Receipt(earlier.id, earlier.reference, earlier.version, duplicate=True)


def with_suggested_priority(ctx: Context, new: NewContact) -> NewContact:
    """The priority the rules suggest on receipt, with their reasons (officers may change it)."""
    suggestion = suggest_priority(ctx.config.priority_rules,
                                  facts_for(new, uk_local(ctx.now()).date()))
    return replace(new, priority=Priority(int(suggestion.priority)),
                   priority_reason="suggested: " + "; ".join(suggestion.reasons)
                   if suggestion.reasons else None)


def record_telephone_contact(ctx: Context, officer: Actor, new: NewContact) -> Receipt:
    """An officer types in a call; it becomes a contact like any other."""
    with ctx.read() as session:
        ctx.authorize(session, officer, Action.RECORD_CONTACT)
    return submit(ctx, officer, replace(new, channel=Channel.TELEPHONE))


@dataclass(frozen=True)
class TelephoneCall:
    """What an officer types while on the phone: enough to open a contact now; the rest is
    added while screening it."""

    category: str
    given_name: str
    family_name: str
    date_of_birth: date | None
    caller: str
    caller_agency: str
    caller_phone: str
    consent: Consent
    consent_reason: str = ""
    what_was_said: str = ""
    received_at: datetime | None = None  # when the call came in, if not just now


def record_call(ctx: Context, officer: Actor, call: TelephoneCall) -> Receipt:
    """Record a telephone contact from what the officer typed. The category must be one of
    the council's own (its forms folder); the call came in when the officer says, or now."""
    problems = call_problems(ctx, call)
    if problems:
        raise InvalidInput(NOT_RECORDED + "; ".join(problems))
    return record_telephone_contact(ctx, officer, _call_contact(ctx, call))


def call_problems(ctx: Context, call: TelephoneCall) -> list[str]:
    """Everything ``record_call`` would refuse in ``call``, all at once and without writing,
    so the console can show it before asking the officer to confirm."""
    problems = new_contact_problems(_call_contact(ctx, call), ctx.now())
    if call.category and call.category not in {value for _label, value in categories(ctx)}:
        problems.insert(0, f"{call.category!r} is not a category of this council's form; "
                           "choose one from the list")
    return problems


def _call_contact(ctx: Context, call: TelephoneCall) -> NewContact:
    return NewContact(
        kind=ContactKind.CAUSE_FOR_CONCERN, channel=Channel.TELEPHONE,
        received_at=call.received_at or ctx.now(), category=call.category,
        children=(PersonEntry(given_name=call.given_name, family_name=call.family_name,
                              date_of_birth=call.date_of_birth),),
        referrer=Referrer(name=call.caller, agency_name=call.caller_agency,
                          phone=call.caller_phone),
        consent=call.consent, consent_reason=call.consent_reason or None,
        answers={"what_happened": call.what_was_said} if call.what_was_said else {},
    )


def categories(ctx: Context, kind: ContactKind = ContactKind.CAUSE_FOR_CONCERN) -> list[tuple[str, str]]:
    """(label, value) of the categories of the council's own form for ``kind``."""
    return [(o.label, o.value) for o in ctx.config.form(kind).categories]


def category_label(ctx: Context, category: str | None) -> str:
    """The council's words for a category (its cause-for-concern form's label), so every
    screen says "Sexual abuse" rather than the stored code; a code the form no longer
    offers is shown in words."""
    try:
        labels = {value: words for words, value in categories(ctx)}
    except FFDError:  # no readable form: the code, in words
        labels = {}
    return labels.get(category or "", (category or "").replace("_", " "))


def _keep_form_snapshot(ctx: Context, session: Session, stamp) -> None:  # noqa: ANN001
    from ffd_core.store.forms_tables import FormSnapshot

    if session.get(FormSnapshot, stamp.content_hash) is None:
        session.add(FormSnapshot(content_hash=stamp.content_hash, form_id=stamp.form_id,
                                 version=stamp.version, definition=stamp.snapshot,
                                 first_used_at=ctx.now()))
        session.flush()


def _new_row(ctx: Context, session: Session, actor: Actor, new: NewContact) -> Contact:
    now = ctx.now()
    reference = next_reference(session, uk_local(now).year)
    return Contact(
        reference=reference,
        idempotency_key=new.idempotency_key,
        kind=new.kind.value,
        channel=new.channel.value,
        received_at=new.received_at,
        recorded_at=now,
        recorded_by_id=actor.user_id if actor.is_staff else None,
        category=new.category,
        form_id=new.form.form_id if new.form else None,
        form_version=new.form.version if new.form else None,
        form_hash=new.form.content_hash if new.form else None,
        answers=new.answers,
        referrer_user_id=new.referrer.user_id,
        referrer_agency_id=new.referrer.agency_id,
        referrer={} if new.anonymous else new.referrer.as_dict(),
        anonymous=new.anonymous,
        keep_identity_from_family=new.keep_identity_from_family,
        consent=new.consent.value if new.consent else "",
        consent_reason=new.consent_reason,
        referrer_priority=int(new.referrer_priority) if new.referrer_priority else None,
        referrer_level_of_need=new.referrer_level_of_need.value if new.referrer_level_of_need else None,
        priority=int(new.priority),
        priority_reason=new.priority_reason,
        status=Status.RECEIVED.value,
        restricted=new.restricted,
        restricted_reason=new.restricted_reason,
        version=1,
        changed_at=now,
        changed_by_id=actor.user_id,
        clock_period=1,
        child_summary=child_summary(new),
        search_text=search_text(reference, new),
        people=person_rows(new),
        to_complete=new.to_complete,
    )


def child_summary(new: NewContact) -> str:
    """The holding area's line for who the contact is about."""
    if not new.children:
        sender = new.referrer.name or new.referrer.email
        return f"To complete: email from {sender}"[:300]
    first = new.children[0].display_name
    return first + (f" +{len(new.children) - 1}" if len(new.children) > 1 else "")


def person_rows(new: NewContact) -> list[ContactPerson]:
    return [_person_row(position, person)
            for position, person in enumerate((*new.children, *new.household))]


def search_text(reference: str, new: NewContact) -> str:
    """Lower-case words the holding-area filter matches against."""
    words = [reference, new.category, new.referrer.agency_name, new.referrer.name]
    for person in new.children:
        words += [person.given_name, person.family_name, *person.aliases, person.postcode or ""]
    return " ".join(w for w in words if w).lower()


def _person_row(position: int, person: PersonEntry) -> ContactPerson:
    return ContactPerson(
        position=position,
        role=person.role.value,
        given_name=person.given_name.strip(),
        family_name=person.family_name.strip(),
        aliases=list(person.aliases),
        date_of_birth=person.date_of_birth,
        expected_due_date=person.expected_due_date,
        gender=person.gender,
        ethnicity=person.ethnicity,
        relationship_to_child=person.relationship_to_child,
        address=person.address,
        postcode=person.postcode.strip().upper() if person.postcode else None,
        school=person.school,
        nhs_number=person.nhs_number,
        upn=person.upn,
        synthetic_key=person.synthetic_key,
    )


def _acknowledge(ctx: Context, session: Session, contact: Contact) -> None:
    """Tell a named referrer we have it (rendered and sent by the outbox worker)."""
    email = (contact.referrer or {}).get("email")
    if contact.anonymous or not email:
        return
    outbox.enqueue(
        ctx, session, outbox.EMAIL, f"ack:{contact.reference}",
        {"template": "acknowledgement", "to": email, "reference": contact.reference},
        contact_id=contact.id,
    )


def subject_children(contact: Contact) -> list[ContactPerson]:
    return [p for p in contact.people if p.role == PersonRole.SUBJECT.value]
