"""Reply templates, rendered from a plain mapping of contact facts to a subject, text and HTML."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Template
from markupsafe import escape

from ffd_core.domain.vocab import Outcome

from . import placeholders
from .markup import (
    compile_template,
    html_environment,
    render_capped,
    text_environment,
    tidy_text,
    to_html,
)

REJECTION_REASONS = (
    "below_threshold",
    "not_enough_information",
    "consent_not_recorded",
    "wrong_service",
)
ACKNOWLEDGEMENT = "acknowledgement"
REQUEST_FOR_INFORMATION = "request_for_information"

# Each template id, and the facts it may use beyond the common ones.
TEMPLATE_EXTRAS: dict[str, frozenset[str]] = {
    ACKNOWLEDGEMENT: frozenset(),
    REQUEST_FOR_INFORMATION: frozenset({"questions", "respond_by"}),
    **{f"outcome.{o.value}": frozenset({"outcome"}) for o in Outcome},
    **{f"rejection.{r}": frozenset() for r in REJECTION_REASONS},
}
TEMPLATE_EXTRAS["rejection.wrong_service"] = frozenset({"where_to_go"})

# Partners must always be told how to get urgent help when we acknowledge them.
MUST_CARRY_URGENT_HELP = frozenset({ACKNOWLEDGEMENT, REQUEST_FOR_INFORMATION})

# The facts the urgent-help text may use (it is filled in before any message).
URGENT_HELP_FACTS = frozenset({"council_name", "edt_phone"})

_ENVIRONMENTS = {"text": text_environment(), "html": html_environment()}


@functools.lru_cache(maxsize=512)
def _compiled(output: str, source: str) -> Template:
    return compile_template(_ENVIRONMENTS[output], source)


def fill(output: str, source: str, facts: Mapping[str, Any], allowed: frozenset[str]) -> str:
    """Render ``source`` ("text" or "html") seeing only the ``allowed`` facts."""
    return render_capped(_compiled(output, source), {k: facts[k] for k in allowed if k in facts})


def outcome_template(outcome: Outcome) -> str:
    return f"outcome.{outcome.value}"


def rejection_template(reason: str) -> str:
    if reason not in REJECTION_REASONS:
        raise KeyError(
            f"no rejection reason {reason!r}; reasons are {', '.join(REJECTION_REASONS)}"
        )
    return f"rejection.{reason}"


@dataclass(frozen=True)
class MessageTemplate:
    id: str
    subject: str
    body: str


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class TemplateSet:
    version: int
    urgent_help_source: str
    templates: Mapping[str, MessageTemplate]
    outcome_words: Mapping[Outcome, str]

    def describe_outcome(self, outcome: Outcome) -> str:
        """The outcome as the referrer reads it: the value for the {{ outcome }} placeholder."""
        return self.outcome_words[outcome]

    def urgent_help(self, facts: Mapping[str, Any]) -> str:
        """The urgent-help text for form pages and messages (needs council_name and edt_phone)."""
        return " ".join(fill("text", self.urgent_help_source, facts, URGENT_HELP_FACTS).split())

    def render(self, template_id: str, facts: Mapping[str, Any]) -> RenderedMessage:
        """Fill a template; a fact the template uses but ``facts`` lacks raises jinja2's
        UndefinedError, and so does any fact this message is not documented to have."""
        template = self.templates[template_id]
        values = dict(facts)
        values.setdefault("urgent_help", self.urgent_help(facts))
        allowed = frozenset(placeholders.COMMON) | TEMPLATE_EXTRAS[template_id]
        subject = " ".join(fill("text", template.subject, values, allowed).split())
        text = tidy_text(fill("text", template.body, values, allowed))
        html = to_html(fill("html", template.body, values, allowed))
        return RenderedMessage(subject, text, html)


def plain_message(subject: str, body: str) -> RenderedMessage:
    """A message a person typed, as data and never as a template (so "{{ ... }}" in it is
    just text): the same paragraphs and lists as a template's body, escaped for HTML."""
    return RenderedMessage(" ".join(subject.split()), tidy_text(body), to_html(str(escape(body))))
