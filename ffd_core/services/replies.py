"""The council's reply templates an officer can choose from, filled in for one contact: the
replies that can go with a decision, and the request for information."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import TemplateError

from ffd_core.domain.vocab import OUTCOMES_BY_KIND, ContactKind, Outcome
from ffd_core.services.contact_view import ContactView
from ffd_core.services.context import Context
from ffd_core.services.forms import render_reply
from ffd_core.templates.model import REQUEST_FOR_INFORMATION, outcome_template

REJECTION = "rejection."


@dataclass(frozen=True)
class ReplyChoice:
    """One template, filled in for one contact."""

    template_id: str
    name: str  # short, for a list: "Below threshold", "Early help"
    outcome: Outcome | None  # the one outcome it goes with; None: any (a rejection)
    text: str  # as the referrer would read it; "" when it cannot be filled in for this contact


def decision_replies(ctx: Context, view: ContactView) -> list[ReplyChoice]:
    """What may go to the referrer with a decision on this contact: each rejection (citing
    the threshold guidance), then each outcome's own letter, for the outcomes this kind of
    contact can have. Only the templates in the council's own set are offered."""
    templates = ctx.config.templates.templates
    choices = [_choice(ctx, view, tid, None, where_to_go="")
               for tid in templates if tid.startswith(REJECTION)]
    for outcome in Outcome:  # the vocabulary's order, so the list reads the same every time
        tid = outcome_template(outcome)
        if outcome in OUTCOMES_BY_KIND[ContactKind(view.kind)] and tid in templates:
            choices.append(_choice(ctx, view, tid, outcome, outcome=outcome))
    return choices


def request_replies(ctx: Context, view: ContactView, respond_by: datetime) -> list[ReplyChoice]:
    """The request for information, filled in with the date to answer by (the officer adds
    the questions)."""
    return [_choice(ctx, view, tid, None, questions=[], respond_by=respond_by)
            for tid in ctx.config.templates.templates if tid == REQUEST_FOR_INFORMATION]


def _choice(ctx: Context, view: ContactView, template_id: str, goes_with: Outcome | None,
            **facts: Any) -> ReplyChoice:
    name = goes_with.label if goes_with else template_id.removeprefix(REJECTION)
    try:
        text = render_reply(ctx, view, template_id, **facts).text
    except TemplateError:  # it needs a fact that only the officer can give: start from blank
        text = ""
    return ReplyChoice(template_id, name.replace("_", " ").capitalize(), goes_with, text)
