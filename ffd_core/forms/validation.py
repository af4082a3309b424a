"""Check answers on submit: field-level errors, in page order, worded for an error summary.

Messages follow the GOV.UK Design System: say what to do ("Enter the child's date of
birth"), not what went wrong in the system's terms. A question's own `errors` in the form
file replace the generated wording.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ffd_core.domain.addresses import mailbox
from ffd_core.domain.text import stray_character

from .conditions import is_empty_value
from .dates import parse_date
from .engine import FormState, Slot
from .model import FormDefinition, Question, Section

PHONE_ALLOWED = re.compile(r"^[0-9 +()\-]+$")


@dataclass(frozen=True)
class FieldError:
    field: str  # matches the page view's field key, so a front end can link to the input
    question_id: str | None  # None for a problem with a whole repeating section
    section_id: str
    message: str


def validate(
    definition: FormDefinition,
    answers: Mapping[str, Any],
    today: date,
    pages: Collection[str] | None = None,
) -> list[FieldError]:
    """Every problem that stops submission; an empty list means the answers can be submitted.

    ``pages`` limits the check to some sections, for a "Continue" button on one page; a
    draft is never refused, and only a check of every page decides whether it can be submitted.
    """
    state = FormState(definition, answers, today)
    errors: list[FieldError] = []
    for section in state.visible_sections():
        if pages is not None and section.id not in pages:
            continue
        errors += _count_errors(state, section)
        for slot in state.slots(section):
            if not state.visible(slot):
                continue
            message = _problem(state, slot)
            if message:
                prefix = (
                    f"{section.repeat.item_label} {slot.item + 1}: "
                    if section.repeat and slot.item is not None
                    else ""
                )
                errors.append(
                    FieldError(slot.field, slot.question.id, section.id, prefix + message)
                )
    return errors


def _count_errors(state: FormState, section: Section) -> list[FieldError]:
    repeat = section.repeat
    if repeat is None:
        return []
    count = len(state.items(section))
    noun = repeat.item_label.lower()
    if count < repeat.min:
        return [
            FieldError(
                section.id,
                None,
                section.id,
                f"Add details of at least {repeat.min} {_plural(noun, repeat.min)}",
            )
        ]
    if count > repeat.max:
        return [
            FieldError(
                section.id,
                None,
                section.id,
                f"You can add up to {repeat.max} {_plural(noun, repeat.max)}",
            )
        ]
    return []


def _problem(state: FormState, slot: Slot) -> str | None:
    question = slot.question
    value = state.raw_value(slot)
    if is_empty_value(value):
        return _required_message(question) if state.required(slot) else None
    stray = stray_character(value) if isinstance(value, str) else None
    if stray:  # never the form's own wording: it would not say what is wrong
        return (f"{_capitalise(question.name_in_messages)} contains {stray}: type it again "
                "without it (it may have come from a copy and paste)")
    invalid = _invalid(question, value, state.today)
    if invalid:
        return question.message("invalid") or invalid
    return None


def _required_message(question: Question) -> str:
    custom = question.message("required")
    if custom:
        return custom
    name = question.name_in_messages
    if question.type == "yes_no":
        return f"Select yes or no for ‘{question.label}’"
    if question.type == "checkbox":
        return f"Tick ‘{question.label}’"
    if question.type in ("choice", "multi_choice"):
        return f"Select {name}"
    return f"Enter {name}"


def _invalid(question: Question, value: Any, today: date) -> str | None:
    """Why a given answer is not acceptable, in generated wording; None if it is fine."""
    name = question.name_in_messages
    kind = question.type
    # An answer that is not one of the options is treated as no choice at all.
    if kind in ("choice", "yes_no", "checkbox"):
        return None if value in question.option_values else _required_message(question)
    if kind == "multi_choice":
        ok = isinstance(value, list) and all(v in question.option_values for v in value)
        return None if ok else _required_message(question)
    if not isinstance(value, str):
        return f"Enter {name}"
    if kind == "date":
        return _date_problem(question, value, today)
    if kind == "email" and mailbox(value.strip()) != value.strip():
        return "Enter an email address in the correct format, like name@example.com"
    if kind == "phone" and not _is_phone(value):
        return "Enter a telephone number, like 01632 960 001 or 07700 900 982"
    if kind == "nhs_number" and not is_nhs_number(value):
        return "Enter a valid NHS number, like 943 476 5919"
    if question.max_length and len(value) > question.max_length:
        return f"{_capitalise(name)} must be {question.max_length} characters or fewer"
    return None


def _date_problem(question: Question, value: str, today: date) -> str | None:
    name = question.name_in_messages
    parsed = parse_date(value)
    if parsed is None:
        return f"{_capitalise(name)} must be a real date"
    if question.must_be == "past" and parsed > today:
        return f"{_capitalise(name)} must be today or in the past"
    if question.must_be == "future" and parsed < today:
        return f"{_capitalise(name)} must be today or in the future"
    return None


def _is_phone(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    return bool(PHONE_ALLOWED.match(value.strip())) and 10 <= len(digits) <= 15


def is_nhs_number(value: str) -> bool:
    """Ten digits whose last is the modulus 11 check digit (NHS Data Dictionary)."""
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plural(noun: str, count: int) -> str:
    if count == 1:
        return noun
    return "children" if noun == "child" else noun + "s"
