"""What a new contact must carry, and the checks it must pass before it is stored."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any

from ffd_core.domain.addresses import mailbox
from ffd_core.domain.text import clean_name, clean_text
from ffd_core.domain.vocab import Channel, Consent, ContactKind, LevelOfNeed, PersonRole, Priority
from ffd_core.errors import InvalidInput

POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.IGNORECASE)


@dataclass(frozen=True)
class PersonEntry:
    """A child or household member, as the referrer entered them."""

    given_name: str = ""
    family_name: str = ""
    role: PersonRole = PersonRole.SUBJECT
    aliases: tuple[str, ...] = ()
    date_of_birth: date | None = None
    expected_due_date: date | None = None
    gender: str | None = None
    ethnicity: str | None = None
    relationship_to_child: str | None = None
    address: str | None = None
    postcode: str | None = None
    school: str | None = None
    nhs_number: str | None = None
    upn: str | None = None
    synthetic_key: str | None = None

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or "(name not known)"


@dataclass(frozen=True)
class Referrer:
    """A registered user (user_id) or an unregistered referrer's details."""

    user_id: int | None = None
    agency_id: int | None = None
    name: str = ""
    role: str = ""
    agency_name: str = ""
    phone: str = ""
    email: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "agency_name": self.agency_name,
            "phone": self.phone,
            "email": self.email,
        }


@dataclass(frozen=True)
class FormStamp:
    """The exact form definition the answers were made with. ``snapshot`` is the definition
    itself (FormDefinition.to_snapshot()), kept once per content hash by the store."""

    form_id: str
    version: str
    content_hash: str
    snapshot: dict[str, Any] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class NewContact:
    kind: ContactKind
    channel: Channel
    received_at: datetime
    category: str
    children: tuple[PersonEntry, ...]
    referrer: Referrer
    consent: Consent | None  # None only while an emailed contact waits to be completed
    household: tuple[PersonEntry, ...] = ()
    answers: dict[str, Any] = field(default_factory=dict)
    form: FormStamp | None = None
    consent_reason: str | None = None
    anonymous: bool = False
    keep_identity_from_family: bool = False
    referrer_priority: Priority | None = None
    referrer_level_of_need: LevelOfNeed | None = None
    priority: Priority = Priority.STANDARD
    priority_reason: str | None = None
    restricted: bool = False
    restricted_reason: str | None = None
    # Set by an API client so a retried submission is stored once (see services.contacts).
    idempotency_key: str | None = None
    # An unstructured contact (a secure email): what arrived, before an officer adds the
    # child, category and consent (services.completion), which then pass every check below.
    to_complete: bool = False

    def fingerprint(self) -> str:
        """What the submitter said, as a digest: a retry carrying the same idempotency key
        must carry the same content. The time and priority are ours, not theirs."""
        content = asdict(replace(self, received_at=None, priority=Priority.STANDARD,
                                 priority_reason=None, idempotency_key=None,
                                 form=None if self.form is None else replace(self.form, snapshot=None)))
        text = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def as_partner_submission(new: NewContact, *, user_id: int | None, agency_id: int | None,
                          now: datetime) -> NewContact:
    """A partner refers as themselves and their agency, now; whether a contact is restricted
    is the front door's decision, and its priority comes from the rules."""
    if new.anonymous:
        raise InvalidInput("a professional cannot refer anonymously; to keep your name from "
                           "the family, say so in the form (keep my identity from the family)")
    return replace(new, received_at=now, restricted=False, restricted_reason=None,
                   referrer=replace(new.referrer, user_id=user_id, agency_id=agency_id))


def validate_new_contact(contact: NewContact, now: datetime) -> None:
    """Raise one InvalidInput listing every problem, each saying what to do."""
    if contact.to_complete:
        return _validate_unstructured(contact, now)
    problems = new_contact_problems(contact, now)
    if problems:
        raise InvalidInput(NOT_RECORDED + "; ".join(problems))


NOT_RECORDED = "the contact cannot be recorded: "


def new_contact_problems(contact: NewContact, now: datetime) -> list[str]:
    """Every problem with a (structured) new contact, each saying what to do; none: it may go."""
    problems: list[str] = []
    if not contact.children:
        problems.append("add at least one child the contact is about")
    for number, child in enumerate(contact.children, start=1):
        if child.role is not PersonRole.SUBJECT:
            problems.append(f"child {number} must have the subject role")
        if not (child.given_name.strip() or child.family_name.strip()):
            problems.append(f"child {number}: enter a name, or 'not known'")
        if child.date_of_birth and child.date_of_birth > now.date():
            problems.append(f"child {number}: the date of birth is in the future; "
                            "for an unborn child give the expected due date instead")
        problems.extend(_person_format_problems(f"child {number}", child))
    for number, person in enumerate(contact.household, start=1):
        if person.role is not PersonRole.HOUSEHOLD:
            problems.append(f"household member {number} must have the household role")
        problems.extend(_person_format_problems(f"household member {number}", person))
    if contact.received_at > now:
        problems.append("the received time is in the future; give when the contact reached us")
    if not contact.category.strip():
        problems.append("choose a category")
    if contact.consent is None:
        problems.append("say whether consent was given")
    elif contact.consent is not Consent.GIVEN and not (contact.consent_reason or "").strip():
        problems.append("say why consent was refused or not sought")
    if not contact.anonymous:
        ref = contact.referrer
        if ref.user_id is None and not ref.name.strip():
            problems.append("enter the referrer's name, or mark the contact as anonymous")
        if ref.email and mailbox(ref.email) != ref.email.strip():
            # The same strict reading the email sender uses: an address it could not send
            # to is refused now, while the referrer is here to correct it.
            problems.append("enter the referrer's email as one address in the form "
                            "name@example.org (letters without accents)")
    if contact.restricted and not (contact.restricted_reason or "").strip():
        problems.append("say why the contact is restricted")
    if contact.kind is ContactKind.REQUEST_FOR_INFORMATION and contact.anonymous:
        problems.append("a request for information cannot be anonymous")
    problems.extend(_text_problems(contact))
    return problems


def _text_problems(contact: NewContact) -> list[str]:
    """Every word a referrer typed is shown on consoles, pages and emails: control and
    invisible formatting characters are refused, and no answer is longer than MAX_TEXT."""
    problems = []
    people = [(f"child {n}", p) for n, p in enumerate(contact.children, start=1)]
    people += [(f"household member {n}", p) for n, p in enumerate(contact.household, start=1)]
    checks = [(f"{who}'s {part}", value, clean_name) for who, person in people
              for part, value in (("given name", person.given_name),
                                  ("family name", person.family_name))]
    checks += [(f"the referrer's {part}", value, clean_name) for part, value in
               contact.referrer.as_dict().items()]
    checks += [(f"the answer {path}", value, clean_text) for path, value in _strings(contact.answers)]
    for what, value, check in checks:
        try:
            check(value, what)
        except InvalidInput as error:
            problems.append(str(error))
    return problems


def _strings(value: Any, path: str = "") -> list[tuple[str, str]]:
    """(where, text) for every string inside answers (repeating sections included)."""
    if isinstance(value, str):
        return [(path or "(answers)", value)]
    if isinstance(value, dict):
        return [item for key, inner in value.items()
                for item in _strings(inner, f"{path}.{key}" if path else str(key))]
    if isinstance(value, (list, tuple)):
        return [item for n, inner in enumerate(value) for item in _strings(inner, f"{path}[{n}]")]
    return []


def _validate_unstructured(contact: NewContact, now: datetime) -> None:
    """An emailed contact before completion: it carries its sender and when it came."""
    problems = []
    if contact.channel is not Channel.SECURE_EMAIL:
        problems.append("only a secure email arrives as a contact to complete")
    if contact.children or contact.category or contact.consent is not None:
        problems.append("a contact to complete carries no child, category or consent yet")
    if mailbox(contact.referrer.email or "") != (contact.referrer.email or "").strip() or not contact.referrer.email:
        problems.append("give the sender's email address")
    if contact.received_at > now:
        problems.append("the received time is in the future; give when the email reached us")
    if problems:
        raise InvalidInput("the emailed contact cannot be recorded: " + "; ".join(problems))


def _person_format_problems(who: str, person: PersonEntry) -> list[str]:
    problems = []
    if person.postcode and not POSTCODE.match(person.postcode.strip()):
        problems.append(f"{who}: enter a UK postcode such as BK4 7QT")
    if person.nhs_number and not valid_nhs_number(person.nhs_number):
        problems.append(f"{who}: the NHS number is not valid; check the 10 digits")
    return problems


def valid_nhs_number(value: str) -> bool:
    """Modulus 11 check on the 10-digit NHS number."""
    digits = re.sub(r"\s", "", value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])
