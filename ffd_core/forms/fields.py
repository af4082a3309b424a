"""Turn posted form fields back into answers, so a web page needs no knowledge of the form.

Field names are the keys the page view gives (``dob``, ``children[1].dob``). A GOV.UK date
input posts three fields, ``<field>-day``, ``-month`` and ``-year``; they are joined into one
ISO date, or kept as typed when they do not make one, so validation can say "must be a real
date". Fields that are not questions (a CSRF token, the button pressed) are ignored.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from .model import FormDefinition

FIELD = re.compile(
    r"^(?:(?P<section>[a-z][a-z0-9_]*)\[(?P<item>\d+)\]\.)?(?P<question>[a-z][a-z0-9_]*)$"
)
DATE_PARTS = ("day", "month", "year")


def answers_from_fields(
    definition: FormDefinition,
    fields: Mapping[str, Any],
    answers: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``answers`` (a draft so far) updated with one page's posted ``fields``."""
    merged: dict[str, Any] = copy.deepcopy(dict(answers or {}))
    for name, value in _join_dates(fields).items():
        match = FIELD.match(name)
        if not match or not definition.has_question(match["question"]):
            continue
        section = definition.section_of(match["question"])
        question = definition.question(match["question"])
        if question.type == "multi_choice" and not isinstance(value, list):
            value = [] if value in (None, "") else [value]
        if section.repeat is None and match["section"] is None:
            merged[question.id] = value
        elif section.repeat is not None and match["section"] == section.id:
            index = int(match["item"])
            if index >= section.repeat.max:
                continue  # more people than the form allows: not a place an answer can go
            items = merged.setdefault(section.id, [])
            items.extend({} for _ in range(index + 1 - len(items)))
            items[index][question.id] = value
    return merged


def _join_dates(fields: Mapping[str, Any]) -> dict[str, Any]:
    joined: dict[str, Any] = {}
    parts: dict[str, dict[str, str]] = {}
    for name, value in fields.items():
        base, _, part = name.rpartition("-")
        if base and part in DATE_PARTS:
            parts.setdefault(base, {})[part] = str(value or "").strip()
        else:
            joined[name] = value
    for base, found in parts.items():
        day, month, year = (found.get(p, "") for p in DATE_PARTS)
        if not (day or month or year):
            joined[base] = None
        elif day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4:
            joined[base] = f"{year}-{int(month):02d}-{int(day):02d}"
        else:
            joined[base] = f"{year}-{month}-{day}"  # not a date: validation will say so
    return joined
