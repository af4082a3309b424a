"""Filling the shared forms page by page over HTTP, as a person would."""

from __future__ import annotations

from datetime import date
from typing import Any

from ffd_core.clock import uk_local
from ffd_core.domain.vocab import ContactKind
from ffd_core.forms import FormState
from ffd_core.services.forms import EMAIL_QUESTION
from tests.forms.example_answers import complete_answers
from tests.web.conftest import TEACHER, post


def example(ctx, kind: ContactKind = ContactKind.CAUSE_FOR_CONCERN, email: str = TEACHER,  # noqa: ANN001
            **start: Any) -> dict:
    """Complete answers, giving ``email`` as the referrer's (a partner may give only their
    own, a partner system only one at its agency's domain)."""
    today = uk_local(ctx.now()).date()
    start = start or ({"category": "neglect"} if kind is ContactKind.CAUSE_FOR_CONCERN else {})
    return complete_answers(ctx.config.form(kind), today, start) | {EMAIL_QUESTION[kind]: email}


def page_fields(definition, section_id: str, answers: dict) -> dict[str, Any]:  # noqa: ANN001
    """One page's answers as its form posts them (dates in three boxes)."""
    section = definition.section(section_id)
    fields: dict[str, Any] = {}
    items = answers.get(section_id, []) if section.repeat else [answers]
    for index, item in enumerate(items):
        for question in section.questions:
            if question.id not in item:
                continue
            name = f"{section_id}[{index}].{question.id}" if section.repeat else question.id
            value = item[question.id]
            if question.type == "date":
                year, month, day = value.split("-")
                fields |= {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}
            else:
                fields[name] = value
    return fields


def start_draft(client, kind: ContactKind = ContactKind.CAUSE_FOR_CONCERN) -> str:  # noqa: ANN001
    response = post(client, "/drafts/new", {"kind": kind.value})
    assert response.status_code in (302, 303), response.text
    return response.headers["location"].rsplit("/", 1)[-1]


def fill(client, ctx, key: str, answers: dict, kind=ContactKind.CAUSE_FOR_CONCERN) -> str:  # noqa: ANN001
    """Every page the answers show, in order, with Continue; returns where it ended."""
    definition = ctx.config.form(kind)
    today: date = uk_local(ctx.now()).date()
    location = ""
    for page in FormState(definition, answers, today).pages():
        response = post(client, f"/drafts/{key}/{page.section_id}",
                        {**page_fields(definition, page.section_id, answers), "action": "continue"})
        assert response.status_code in (302, 303), response.text[-2000:]
        location = response.headers["location"]
    return location


def send_new(client, ctx, kind=ContactKind.CAUSE_FOR_CONCERN, answers: dict | None = None) -> str:  # noqa: ANN001
    """Start, fill and send a referral; returns its reference."""
    key = start_draft(client, kind)
    fill(client, ctx, key, answers or example(ctx, kind), kind)
    response = post(client, f"/drafts/{key}/send")
    assert response.status_code in (302, 303), response.text[-2000:]
    return response.headers["location"].split("/")[2]
