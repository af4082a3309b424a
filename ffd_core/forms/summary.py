"""Answers as a person reads them: the "check your answers" page, and a stored submission
shown with the exact questions (from its snapshot) it was made with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .dates import parse_date
from .engine import FormState, Slot
from .model import FormDefinition, Question


@dataclass(frozen=True)
class AnswerRow:
    section_id: str
    section_title: str
    item_label: str  # "Child 2" on repeating pages, "" elsewhere
    field: str  # the same key as the page view and validation errors, for a "Change" link
    question: str
    answer: str


def answer_summary(
    definition: FormDefinition, answers: Mapping[str, Any], today: date
) -> list[AnswerRow]:
    """Every visible, answered question in page order, with option labels instead of codes."""
    state = FormState(definition, answers, today)
    rows = []
    for slot in state.visible_slots():
        value = state.value(slot)
        if value is not None:
            rows.append(_row(slot, display(slot.question, value)))
    return rows


def _row(slot: Slot, answer: str) -> AnswerRow:
    repeat = slot.section.repeat
    item_label = f"{repeat.item_label} {slot.item + 1}" if repeat and slot.item is not None else ""
    return AnswerRow(
        slot.section.id, slot.section.title, item_label, slot.field, slot.question.label, answer
    )


def display(question: Question, value: Any) -> str:
    labels = {o.value: o.label for o in question.options}
    if question.type == "multi_choice" and isinstance(value, list):
        return ", ".join(labels.get(v, str(v)) for v in value)
    if question.type == "checkbox":
        return question.label if value == "yes" else str(value)
    if question.type in ("choice", "yes_no"):
        return labels.get(value, str(value))
    if question.type == "date" and (parsed := parse_date(value)):
        return f"{parsed.day} {parsed:%B %Y}"  # GOV.UK style: 4 May 2019
    return str(value)
