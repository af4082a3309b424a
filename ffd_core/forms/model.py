"""A form definition: sections (one page each) of questions, with conditions and a version.

Definitions are immutable values. ``to_snapshot`` gives the canonical plain-data form the store
keeps, and ``content_hash`` identifies exactly which questions a submission was made with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ffd_core.domain.vocab import ContactKind

from . import conditions
from .conditions import Condition

QUESTION_TYPES = (
    "text",
    "long_text",
    "date",
    "choice",
    "multi_choice",
    "yes_no",
    "checkbox",  # a single tick box ("Not known"); ticked is the answer "yes"
    "email",
    "phone",
    "nhs_number",
)
CHOICE_TYPES = ("choice", "multi_choice", "yes_no", "checkbox")
# Types whose options are implied, so form files do not list them.
FIXED_OPTIONS = {"yes_no": (("yes", "Yes"), ("no", "No")), "checkbox": (("yes", "Yes"),)}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    hint: str = ""
    options: tuple[Option, ...] = ()
    required: bool = False
    required_when: Condition | None = None
    show_when: Condition | None = None
    # How error messages name the answer, e.g. "the child's date of birth".
    error_name: str = ""
    # Messages that replace the generated ones: keys "required" and "invalid".
    errors: tuple[tuple[str, str], ...] = ()
    must_be: str = ""  # dates: "past" or "future"
    max_length: int | None = None

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)

    def message(self, key: str) -> str | None:
        return dict(self.errors).get(key)

    @property
    def name_in_messages(self) -> str:
        return self.error_name or _lower_first(self.label)


@dataclass(frozen=True)
class Repeat:
    """A section answered once per person (children, household members)."""

    item_label: str  # "Child" -> "Child 1", "Child 2" in messages
    min: int = 1
    max: int = 10


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]
    description: str = ""
    show_when: Condition | None = None
    repeat: Repeat | None = None


@dataclass(frozen=True)
class FormDefinition:
    form_id: str
    version: int
    kind: ContactKind
    title: str
    sections: tuple[Section, ...]
    description: str = ""
    # The question whose answer picks which sections appear (the CfC's category).
    category_question: str | None = None

    @cached_property
    def _index(self) -> dict[str, tuple[Section, Question]]:
        return {q.id: (s, q) for s in self.sections for q in s.questions}

    # Lookups -----------------------------------------------------------------------------
    def questions(self) -> Iterator[tuple[Section, Question]]:
        for section in self.sections:
            for question in section.questions:
                yield section, question

    def question(self, question_id: str) -> Question:
        return self._index[question_id][1]

    def section_of(self, question_id: str) -> Section:
        return self._index[question_id][0]

    def has_question(self, question_id: str) -> bool:
        return question_id in self._index

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    @property
    def categories(self) -> tuple[Option, ...]:
        if self.category_question is None:
            return ()
        return self.question(self.category_question).options

    # Snapshots ---------------------------------------------------------------------------
    def to_snapshot(self) -> dict[str, Any]:
        return {
            "form_id": self.form_id,
            "version": self.version,
            "kind": self.kind.value,
            "title": self.title,
            "description": self.description,
            "category_question": self.category_question,
            "sections": [_section_data(s) for s in self.sections],
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> FormDefinition:
        # Imported here: the reader builds these classes, so it imports this module.
        from .definition_reader import definition_from_data

        return definition_from_data(data)

    @cached_property  # definitions are immutable, and drafts ask on every save
    def content_hash(self) -> str:
        return content_hash(self.to_snapshot())


def content_hash(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _section_data(section: Section) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": section.id,
        "title": section.title,
        "description": section.description,
        "show_when": _condition_data(section.show_when),
        "questions": [_question_data(q) for q in section.questions],
    }
    if section.repeat is not None:
        r = section.repeat
        data["repeat"] = {"item_label": r.item_label, "min": r.min, "max": r.max}
    return data


def _question_data(q: Question) -> dict[str, Any]:
    return {
        "id": q.id,
        "type": q.type,
        "label": q.label,
        "hint": q.hint,
        "options": [{"value": o.value, "label": o.label, "hint": o.hint} for o in q.options]
        if q.type not in FIXED_OPTIONS
        else [],
        "required": q.required,
        "required_when": _condition_data(q.required_when),
        "show_when": _condition_data(q.show_when),
        "error_name": q.error_name,
        "errors": dict(q.errors),
        "must_be": q.must_be,
        "max_length": q.max_length,
    }


def _condition_data(condition: Condition | None) -> dict[str, Any] | None:
    return None if condition is None else conditions.to_data(condition)


def _lower_first(text: str) -> str:
    # "Date of birth" -> "date of birth", but leave acronyms such as "NHS number" alone.
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text
