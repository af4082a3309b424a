"""Completing an emailed contact: an officer adds, from the email, the child (or children),
the category and consent; the contact then passes exactly the checks any other contact
passes on arrival (``validate_new_contact``) before anything is written. The statutory
clock is untouched: it has run since the email arrived."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ffd_core.domain.access import Action, Actor
from ffd_core.domain.contact import (
    NOT_RECORDED, NewContact, PersonEntry, Referrer, new_contact_problems, validate_new_contact,
)
from ffd_core.domain.vocab import Channel, Consent, ContactKind, Status
from ffd_core.errors import InvalidInput
from ffd_core.services.contact_write import begin, record
from ffd_core.services.contacts import categories, child_summary, person_rows, search_text
from ffd_core.services.context import Context


@dataclass(frozen=True)
class Completion:
    """What the officer adds; the referrer's name, role and phone if the email says more
    than its From line."""

    category: str
    children: tuple[PersonEntry, ...]
    consent: Consent | None  # None: not said yet (refused, with the other problems)
    consent_reason: str | None = None
    household: tuple[PersonEntry, ...] = ()
    kind: ContactKind = ContactKind.CAUSE_FOR_CONCERN
    referrer_name: str | None = None
    referrer_role: str | None = None
    referrer_phone: str | None = None


def complete(ctx: Context, actor: Actor, contact_id: int, completion: Completion,
             expected_version: int | None = None) -> int:
    """Returns the contact's new version."""
    problems = completion_problems(ctx, completion)
    if problems:
        raise InvalidInput(NOT_RECORDED + "; ".join(problems))
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, Action.COMPLETE_CONTACT,
                               expected_version)
        if not contact.to_complete:
            raise InvalidInput(f"{contact.reference} is already complete")
        if not ctx.lifecycle.is_open(Status(contact.status)):
            raise InvalidInput(f"{contact.reference} is closed; reopen it first")
        given = dict(contact.referrer or {})
        referrer = replace(Referrer(**{k: given.get(k, "") for k in
                                       ("name", "role", "agency_name", "phone", "email")}),
                           **{field: value for field, value in (
                               ("name", completion.referrer_name), ("role", completion.referrer_role),
                               ("phone", completion.referrer_phone)) if value})
        new = NewContact(
            kind=completion.kind, channel=Channel(contact.channel), received_at=contact.received_at,
            category=completion.category, children=completion.children, referrer=referrer,
            consent=completion.consent, consent_reason=completion.consent_reason,
            household=completion.household, answers=dict(contact.answers or {}),
            restricted=contact.restricted, restricted_reason=contact.restricted_reason)
        validate_new_contact(new, ctx.now())  # the same checks as any contact on arrival
        contact.kind, contact.category = new.kind.value, new.category
        contact.consent, contact.consent_reason = new.consent.value, new.consent_reason
        contact.referrer = referrer.as_dict()
        contact.people = person_rows(new)
        contact.child_summary = child_summary(new)
        contact.search_text = search_text(contact.reference, new)
        contact.to_complete = False
        record(ctx, session, actor, contact, "complete_contact",
               data={"kind": new.kind.value, "category": new.category,
                     "children": len(new.children), "consent": new.consent.value})
        return contact.version


def completion_problems(ctx: Context, completion: Completion) -> list[str]:
    """Everything wrong with what the officer typed (child, category, consent, the
    referrer's role and phone), all at once and without writing, so the console can show it
    before asking to confirm. ``complete`` asks again, then checks the whole contact with
    the email's sender as any contact is checked on arrival."""
    typed = NewContact(
        kind=completion.kind, channel=Channel.SECURE_EMAIL, received_at=ctx.now(),
        category=completion.category, children=completion.children,
        # The sender is the email's (checked when it arrived, and again on write).
        referrer=Referrer(name=completion.referrer_name or "the email's sender",
                          role=completion.referrer_role or "",
                          phone=completion.referrer_phone or ""),
        consent=completion.consent, consent_reason=completion.consent_reason,
        household=completion.household)
    problems = new_contact_problems(typed, ctx.now())
    if completion.category and completion.category not in {
            value for _label, value in categories(ctx, completion.kind)}:
        problems.insert(0, f"{completion.category!r} is not a category of this council's form; "
                           "choose one from the list")
    return problems
