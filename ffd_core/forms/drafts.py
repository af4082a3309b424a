"""Drafts and submissions: partial answers always save; only complete, valid ones submit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ffd_core.errors import InvalidInput

from .engine import FormState
from .model import FormDefinition
from .validation import FieldError, validate


@dataclass(frozen=True)
class Draft:
    form_id: str
    version: int
    content_hash: str  # the exact definition the answers were given against
    answers: dict[str, Any] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        return {
            "form_id": self.form_id,
            "version": self.version,
            "content_hash": self.content_hash,
            "answers": self.answers,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Draft:
        return cls(
            data["form_id"],
            int(data["version"]),
            data["content_hash"],
            dict(data.get("answers") or {}),
        )


@dataclass(frozen=True)
class Submission:
    form_id: str
    version: int
    content_hash: str
    answers: dict[str, Any]  # only answers to questions the person could see
    category: str | None


class SubmissionInvalid(InvalidInput):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__(
            f"{len(errors)} answer(s) need attention: " + "; ".join(e.message for e in errors)
        )


def save_draft(definition: FormDefinition, answers: Mapping[str, Any]) -> Draft:
    """Never refuses: whatever was typed so far is kept, as JSON-safe data, for later."""
    return Draft(
        definition.form_id, definition.version, definition.content_hash, json_safe(answers)
    )


def submit(definition: FormDefinition, answers: Mapping[str, Any], today: date) -> Submission:
    """Validate everything; raise SubmissionInvalid with the errors in page order if anything is wrong."""
    errors = validate(definition, answers, today)
    if errors:
        raise SubmissionInvalid(errors)
    kept = FormState(definition, answers, today).visible_answers()
    category = kept.get(definition.category_question) if definition.category_question else None
    return Submission(
        definition.form_id, definition.version, definition.content_hash, kept, category
    )


def json_safe(value: Any) -> Any:
    """Turn anything a front end might hand over into plain JSON data (dates become ISO text)."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    return str(value)
