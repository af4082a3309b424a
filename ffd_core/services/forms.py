"""Forms meet the store: submissions become contacts, every definition used is kept by its
hash, and a contact's answers, suggested priority and replies come from the very definition
and rules it was made with. Used identically by the console, the web endpoint and the API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ffd_core.clock import format_uk_date, uk_local
from ffd_core.domain.contact import FormStamp, NewContact, PersonEntry, Referrer
from ffd_core.domain.vocab import (
    Channel, Consent, ContactKind, LevelOfNeed, Outcome, PersonRole,
)
from ffd_core.errors import InvalidInput, NotFound, ReferrerEmailRefused
from ffd_core.forms import FieldError, FormDefinition, Submission, SubmissionInvalid
from ffd_core.forms import submit as submit_answers
from ffd_core.forms.summary import AnswerRow, answer_summary, display
from ffd_core.priority import PriorityFacts, suggest_priority
from ffd_core.priority.facts import police_involved
from ffd_core.services import contacts
from ffd_core.services.contact_view import ContactView
from ffd_core.services.context import Actor, Context
from ffd_core.store.forms_tables import FormSnapshot


def previous_hashes(ctx: Context) -> dict[tuple[str, int], str]:
    """Every (form, version) the store has used, with its content hash, for `config check`."""
    with ctx.read() as session:
        return {(form_id, int(version)): content_hash for form_id, version, content_hash in
                session.execute(select(FormSnapshot.form_id, FormSnapshot.version,
                                       FormSnapshot.content_hash))}


def definition_for(ctx: Context, content_hash: str) -> FormDefinition:
    """The exact definition a submission was made with, even after the files changed."""
    with ctx.read() as session:
        row = session.get(FormSnapshot, content_hash)
    if row is None:
        raise NotFound(f"no stored form definition with hash {content_hash[:12]}…")
    return FormDefinition.from_snapshot(row.definition)


def answers_for(ctx: Context, view: ContactView) -> list[AnswerRow]:
    """A contact's answers in page order, labelled with the questions it was asked."""
    form_hash = view.form[2]
    if not form_hash:
        own = ctx.config.form(ContactKind(view.kind))
        return _unstamped([own, *(d for d in ctx.config.forms.values() if d is not own)],
                          view.answers)
    return answer_summary(definition_for(ctx, form_hash), view.answers,
                          uk_local(view.received_at).date())


def _unstamped(definitions: list[FormDefinition], answers: Mapping[str, Any]) -> list[AnswerRow]:
    """Answers recorded without a form (a telephone call, an email, the demo's history): a
    choice is labelled by the current forms (the contact's own kind first), so it reads
    "Sexual abuse", never "sexual_abuse"; typed text keeps its short name."""
    rows = []
    for key, value in answers.items():
        question = next((d.question(key) for d in definitions
                         if d.has_question(key) and not d.section_of(key).repeat), None)
        if question is not None and question.options:
            rows.append(AnswerRow("", "Answers", "", key, question.label, display(question, value)))
        else:
            rows.append(AnswerRow("", "Answers", "", key, key.replace("_", " ").capitalize(),
                                  _plain(value)))
    return rows


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return str(value)


# ------------------------------------------------------------------------------ intake


# The question whose answer becomes the referrer's email (see contact_from_submission).
EMAIL_QUESTION = {ContactKind.REQUEST_FOR_INFORMATION: "requester_email",
                  ContactKind.CAUSE_FOR_CONCERN: "referrer_email"}


@dataclass(frozen=True)
class Intake:
    channel: Channel
    received_at: datetime | None = None
    idempotency_key: str | None = None
    anonymous: bool = False
    keep_identity_from_family: bool = False


def submit_form(
    ctx: Context, actor: Actor, kind: ContactKind, answers: Mapping[str, Any], intake: Intake
) -> contacts.Receipt:
    """Validate answers against the current form, then store them as a contact.

    Raises SubmissionInvalid (an InvalidInput) with field-level errors in page order."""
    definition = ctx.config.form(kind)
    today = uk_local(ctx.now()).date()
    submission = submit_answers(definition, answers, today)
    new = contact_from_submission(definition, submission, intake, ctx.now())
    try:
        return contacts.submit(ctx, actor, contacts.with_suggested_priority(ctx, new))
    except ReferrerEmailRefused as refused:  # the policy's refusal, at the email question
        question = EMAIL_QUESTION[definition.kind]
        if not definition.has_question(question):
            raise
        section = definition.section_of(question).id
        raise SubmissionInvalid([FieldError(question, question, section, str(refused))]) from None


def contact_from_submission(
    definition: FormDefinition, submission: Submission, intake: Intake, now: datetime
) -> NewContact:
    """Map a validated submission's answers onto the contact's own fields."""
    a = submission.answers
    stamp = FormStamp(submission.form_id, str(submission.version), submission.content_hash,
                      definition.to_snapshot())
    if definition.kind is ContactKind.REQUEST_FOR_INFORMATION:
        children = tuple(_person(p, "person_") for p in a.get("people") or [])
        referrer = Referrer(name=a.get("requester_name", ""), role=a.get("requester_role", ""),
                            agency_name=a.get("requesting_agency", ""),
                            email=a.get(EMAIL_QUESTION[definition.kind], ""),
                            phone=a.get("requester_phone", ""))
        consent, reason, category = Consent.NOT_SOUGHT_RISK, "Request for information", "request_for_information"
    else:
        children = tuple(_person(c, "") for c in a.get("children") or [])
        referrer = Referrer(name=a.get("referrer_name", ""), role=a.get("referrer_role", ""),
                            agency_name=a.get("referrer_agency", ""),
                            email=a.get(EMAIL_QUESTION[definition.kind], ""),
                            phone=a.get("referrer_phone", ""))
        consent = Consent(a.get("consent", Consent.NOT_SOUGHT_RISK.value))
        reason = a.get("consent_refused_reason") or a.get("consent_risk_reason")
        category = submission.category or "other"
    household = tuple(
        PersonEntry(given_name=_first(h.get("adult_name", "")), family_name=_rest(h.get("adult_name", "")),
                    role=PersonRole.HOUSEHOLD, relationship_to_child=h.get("relationship"),
                    date_of_birth=_date(h.get("adult_dob")))
        for h in a.get("household") or []
    )
    level = a.get("level_of_need")
    return NewContact(
        kind=definition.kind, channel=intake.channel, received_at=intake.received_at or now,
        category=category, children=children, household=household, referrer=referrer,
        consent=consent, consent_reason=reason, answers=dict(a), form=stamp,
        anonymous=intake.anonymous, keep_identity_from_family=intake.keep_identity_from_family,
        referrer_level_of_need=LevelOfNeed(level) if level in {l.value for l in LevelOfNeed} else None,
        idempotency_key=intake.idempotency_key,
    )


def _person(entry: Mapping[str, Any], prefix: str) -> PersonEntry:
    unborn = entry.get("unborn") == "yes"
    return PersonEntry(
        given_name="Unborn" if unborn and not entry.get(f"{prefix}first_name") else
        entry.get(f"{prefix}first_name", ""),
        family_name=entry.get(f"{prefix}last_name", ""),
        aliases=tuple(filter(None, [entry.get("other_names")])),
        date_of_birth=None if unborn else _date(entry.get(f"{prefix}dob")),
        expected_due_date=_date(entry.get("due_date")) if unborn else None,
        gender=entry.get("gender"), ethnicity=entry.get("ethnicity"),
        address=entry.get("address") or entry.get(f"{prefix}address"),
        school=entry.get("school"), nhs_number=(entry.get("nhs_number") or "").replace(" ", "") or None,
        upn=entry.get("upn"),
    )


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(f"{value!r} is not a date") from None
    return None


def _first(name: str) -> str:
    return name.strip().split(" ", 1)[0] if name.strip() else ""


def _rest(name: str) -> str:
    parts = name.strip().split(" ", 1)
    return parts[1] if len(parts) > 1 else ""


# ------------------------------------------------------------------------------ screening aids


def suggestion_for(ctx: Context, view: ContactView):  # noqa: ANN201
    """The suggested priority for a stored contact, with the rules that fired and why.
    Facts about the child come from the single view once a child is linked to a person;
    until then the rules that need them are reported inactive."""
    from ffd_core.services import single_view as people

    today = uk_local(ctx.now()).date()
    linked = [c.person_id for c in view.children if c.person_id]
    recent_contacts = open_to_social_care = None
    if linked:
        window = ctx.config.priority_rules.recent_contacts_window_days
        # Earlier contacts about the same child (the rules' fact excludes this one).
        recent_contacts = max(people.recent_contacts(ctx, p, window, before_contact=view.id)
                              for p in linked)
        open_to_social_care = any(people.open_to_social_care(ctx, p) for p in linked)
    facts = PriorityFacts(
        today=today, answers=view.answers, category=view.category,
        child_dates_of_birth=[c.date_of_birth or c.expected_due_date for c in view.children],
        police_involved=police_involved(view.answers, view.referrer_agency),
        recent_contacts_same_child=recent_contacts, open_to_social_care=open_to_social_care,
    )
    return suggest_priority(ctx.config.priority_rules, facts)


def reply_facts(ctx: Context, view: ContactView, **extra: Any) -> dict[str, Any]:
    """The placeholders a reply template may use, filled from the contact."""
    names = [c.name for c in view.children]
    child_names = " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else \
        (names[0] if names else "the child")
    facts: dict[str, Any] = {
        "reference": view.reference, "child_names": child_names,
        "referrer_name": view.referrer.get("name") or "colleague",
    }
    if "outcome" in extra and isinstance(extra["outcome"], Outcome):
        extra["outcome"] = ctx.config.templates.describe_outcome(extra["outcome"])
    if isinstance(extra.get("respond_by"), (date, datetime)):
        extra["respond_by"] = format_uk_date(extra["respond_by"]) if isinstance(
            extra["respond_by"], datetime) else extra["respond_by"].strftime("%d/%m/%Y")
    return {**facts, **extra}


def render_reply(ctx: Context, view: ContactView, template_id: str, **extra: Any):  # noqa: ANN201
    """A reply for one contact (text and HTML from one source)."""
    return ctx.config.render(template_id, reply_facts(ctx, view, **extra))
