"""Move a draft onto the newest version of its form and tell the person what changed.

Answers follow their question id: kept where the question still exists (even if it moved to
another page), dropped where it was removed or its options no longer include the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .conditions import is_empty_value
from .drafts import Draft
from .engine import FormState
from .model import CHOICE_TYPES, FormDefinition, Question


@dataclass(frozen=True)
class FormChange:
    question_id: str
    message: str  # shown to the person, e.g. in a notification banner


@dataclass(frozen=True)
class DraftMigration:
    draft: Draft  # on the newest version
    from_version: int
    changes: tuple[FormChange, ...]  # what to tell the person; empty when nothing they see changed


def migrate_draft(
    draft: Draft,
    newest: FormDefinition,
    used: FormDefinition | None = None,
    today: date | None = None,
) -> DraftMigration:
    """Re-home ``draft`` on ``newest``.

    ``used`` is the definition the draft was made with, from the store's snapshots; without it
    the messages can only say what was lost, not what was added or reworded. With ``today``,
    new and reworded questions are only mentioned on pages this draft will show.
    """
    if draft.form_id != newest.form_id:
        raise ValueError(f"draft is for {draft.form_id!r}, not {newest.form_id!r}")
    if draft.content_hash == newest.content_hash:
        return DraftMigration(draft, draft.version, ())
    old = _answers_by_question(draft.answers)
    answers, changes = _rebuild(newest, old)
    changes += _dropped(newest, old, used)
    if used is not None:
        shown = FormState(newest, answers, today) if today is not None else None
        changes += [
            change
            for change in _added_and_reworded(newest, used)
            if shown is None or shown.section_visible(newest.section_of(change.question_id))
        ]
    moved = Draft(newest.form_id, newest.version, newest.content_hash, answers)
    return DraftMigration(moved, draft.version, tuple(changes))


def _answers_by_question(answers: Mapping[str, Any]) -> dict[str, list[Any]]:
    """question id -> its answers, one per item (a single one outside repeating sections)."""
    found: dict[str, list[Any]] = {}
    for key, value in answers.items():
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for index, item in enumerate(value):
                for question_id, answer in item.items():
                    per_item = found.setdefault(question_id, [])
                    per_item.extend([None] * (index + 1 - len(per_item)))
                    per_item[index] = answer
        else:
            found[key] = [value]
    return found


def _rebuild(
    newest: FormDefinition, old: dict[str, list[Any]]
) -> tuple[dict[str, Any], list[FormChange]]:
    answers: dict[str, Any] = {}
    changes: list[FormChange] = []
    for section in newest.sections:
        items: list[dict[str, Any]] = []
        for question in section.questions:
            values = old.get(question.id, [])
            if any(not _still_an_option(question, v) for v in values):
                changes.append(
                    FormChange(
                        question.id,
                        f"The choices for ‘{question.label}’ have changed. Answer it again.",
                    )
                )
                values = [v if _still_an_option(question, v) else None for v in values]
            if section.repeat is None:
                if values and not is_empty_value(values[0]):
                    answers[question.id] = values[0]
                continue
            while len(items) < len(values):
                items.append({})
            for index, value in enumerate(values):
                if not is_empty_value(value):
                    items[index][question.id] = value
        if section.repeat is not None and items:
            answers[section.id] = items
    return answers, changes


def _still_an_option(question: Question, value: Any) -> bool:
    if question.type not in CHOICE_TYPES or is_empty_value(value):
        return True
    chosen = value if isinstance(value, list) else [value]
    return all(v in question.option_values for v in chosen)


def _dropped(
    newest: FormDefinition, old: dict[str, list[Any]], used: FormDefinition | None
) -> list[FormChange]:
    changes = []
    for question_id, values in old.items():
        if newest.has_question(question_id) or all(is_empty_value(v) for v in values):
            continue
        if used is not None and not used.has_question(question_id):
            continue  # a repeating section's own key, or stray data: nothing the person answered
        label = used.question(question_id).label if used is not None else question_id
        changes.append(
            FormChange(
                question_id,
                f"The question ‘{label}’ is no longer asked, so your answer has been removed.",
            )
        )
    return changes


def _added_and_reworded(newest: FormDefinition, used: FormDefinition) -> list[FormChange]:
    changes = []
    for _, question in newest.questions():
        if not used.has_question(question.id):
            changes.append(
                FormChange(question.id, f"A new question has been added: ‘{question.label}’.")
            )
        elif used.question(question.id).label != question.label:
            before = used.question(question.id).label
            changes.append(
                FormChange(
                    question.id,
                    f"The question ‘{before}’ now reads ‘{question.label}’. Check your answer.",
                )
            )
    return changes
