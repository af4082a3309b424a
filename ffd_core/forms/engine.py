"""What a form looks like for a given set of answers: which pages, items and questions show.

Answers are plain JSON-able data keyed by question id. A repeating section (the children,
the household) holds a list of items under the section's id, each item keyed by question
id::

    {"category": "neglect", "children": [{"first_name": "Amy", "dob": "2019-04-02"}]}

Only answers to visible questions count: an answer left behind on a page that is now
hidden (the referrer changed the category) neither shows other questions nor is submitted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .conditions import Condition, Ref, evaluate, is_empty_value
from .model import FormDefinition, Option, Question, Section


@dataclass(frozen=True)
class Slot:
    """One place an answer goes: a question, in one item of a repeating section or not."""

    section: Section
    question: Question
    item: int | None = None

    @property
    def field(self) -> str:
        """Stable key for front ends and error summaries: 'dob' or 'children[1].dob'."""
        if self.item is None:
            return self.question.id
        return f"{self.section.id}[{self.item}].{self.question.id}"


@dataclass(frozen=True)
class QuestionView:
    field: str
    id: str
    type: str
    label: str
    hint: str
    options: tuple[Option, ...]
    required: bool
    value: Any


@dataclass(frozen=True)
class ItemView:
    index: int | None
    label: str  # "Child 2" for repeating sections, "" otherwise
    questions: tuple[QuestionView, ...]


@dataclass(frozen=True)
class PageView:
    section_id: str
    title: str
    description: str
    repeating: bool
    items: tuple[ItemView, ...]


class FormState:
    """A definition plus answers, evaluated on a given day (ages and 'before today' need it).

    A state is a view of one set of answers; make a new one when the answers change.
    """

    def __init__(self, definition: FormDefinition, answers: Mapping[str, Any], today: date) -> None:
        self.definition = definition
        self.answers = answers if isinstance(answers, Mapping) else {}
        self.today = today
        self._sections_seen: dict[str, bool] = {}
        self._slots_seen: dict[tuple[str, int | None], bool] = {}

    # Where answers live -------------------------------------------------------------------
    def items(self, section: Section) -> list[Mapping[str, Any]]:
        raw = self.answers.get(section.id)
        if not isinstance(raw, list):
            return []
        return [item if isinstance(item, Mapping) else {} for item in raw]

    def raw_value(self, slot: Slot) -> Any:
        if slot.item is None:
            return self.answers.get(slot.question.id)
        items = self.items(slot.section)
        return items[slot.item].get(slot.question.id) if slot.item < len(items) else None

    def slots(self, section: Section) -> Iterator[Slot]:
        if section.repeat is None:
            for question in section.questions:
                yield Slot(section, question)
            return
        for index in range(len(self.items(section))):
            for question in section.questions:
                yield Slot(section, question, index)

    # Visibility ---------------------------------------------------------------------------
    # Memoised: conditions never form a circle (checked on load), so each is settled once.
    def section_visible(self, section: Section) -> bool:
        if section.id not in self._sections_seen:
            self._sections_seen[section.id] = self._holds(section.show_when, None)
        return self._sections_seen[section.id]

    def visible(self, slot: Slot) -> bool:
        key = (slot.question.id, slot.item)
        if key not in self._slots_seen:
            self._slots_seen[key] = self.section_visible(slot.section) and self._holds(
                slot.question.show_when, slot
            )
        return self._slots_seen[key]

    def required(self, slot: Slot) -> bool:
        if not self.visible(slot):
            return False
        return slot.question.required or (
            slot.question.required_when is not None
            and self._holds(slot.question.required_when, slot)
        )

    def value(self, slot: Slot) -> Any:
        """The answer as it counts: None when the question is hidden or unanswered."""
        if not self.visible(slot):
            return None
        value = self.raw_value(slot)
        return None if is_empty_value(value) else value

    def visible_sections(self) -> list[Section]:
        return [s for s in self.definition.sections if self.section_visible(s)]

    def visible_slots(self) -> Iterator[Slot]:
        for section in self.visible_sections():
            for slot in self.slots(section):
                if self.visible(slot):
                    yield slot

    def _holds(self, condition: Condition | None, scope: Slot | None) -> bool:
        if condition is None:
            return True
        return evaluate(condition, _Facts(self, scope))

    # Results ------------------------------------------------------------------------------
    def visible_answers(self) -> dict[str, Any]:
        """Only what the person could see and answered: what a submission keeps."""
        kept: dict[str, Any] = {}
        for section in self.visible_sections():
            if section.repeat is None:
                for slot in self.slots(section):
                    if (value := self.value(slot)) is not None:
                        kept[slot.question.id] = value
                continue
            items: list[dict[str, Any]] = [{} for _ in self.items(section)]
            for slot in self.slots(section):
                if (value := self.value(slot)) is not None:
                    items[slot.item][slot.question.id] = value
            if items:
                kept[section.id] = items
        return kept

    def pages(self) -> list[PageView]:
        return [self._page(section) for section in self.visible_sections()]

    def _page(self, section: Section) -> PageView:
        if section.repeat is None:
            items = [ItemView(None, "", self._question_views(section, None))]
        else:
            # An optional repeating page starts with no items: the front end offers "Add another".
            count = max(len(self.items(section)), section.repeat.min)
            items = [
                ItemView(
                    i, f"{section.repeat.item_label} {i + 1}", self._question_views(section, i)
                )
                for i in range(count)
            ]
        return PageView(
            section.id, section.title, section.description, section.repeat is not None, tuple(items)
        )

    def _question_views(self, section: Section, item: int | None) -> tuple[QuestionView, ...]:
        views = []
        for question in section.questions:
            slot = Slot(section, question, item)
            if self.visible(slot):
                q = question
                views.append(
                    QuestionView(
                        slot.field,
                        q.id,
                        q.type,
                        q.label,
                        q.hint,
                        q.options,
                        self.required(slot),
                        self.raw_value(slot),
                    )
                )
        return tuple(views)


class _Facts:
    """Resolves question references for a condition, as seen from one slot."""

    def __init__(self, state: FormState, scope: Slot | None) -> None:
        self.state = state
        self.scope = scope
        self.today = state.today

    def values(self, ref: Ref) -> Sequence[Any]:
        definition = self.state.definition
        section = definition.section_of(ref.name)
        question = definition.question(ref.name)
        if section.repeat is None:
            return [self.state.value(Slot(section, question))]
        # Inside the same repeating section a condition is about this child, not any child.
        if self.scope is not None and self.scope.section.id == section.id:
            return [self.state.value(Slot(section, question, self.scope.item))]
        return [
            self.state.value(Slot(section, question, i))
            for i in range(len(self.state.items(section)))
        ]
