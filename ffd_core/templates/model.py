"""Reply templates, rendered from a plain mapping of contact facts to a subject, text and HTML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from ffd_core.domain.vocab import Outcome

from .markup import html_environment, text_environment, tidy_text, to_html

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

_TEXT = text_environment()
_HTML = html_environment()


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
        return " ".join(_TEXT.from_string(self.urgent_help_source).render(facts).split())

    def render(self, template_id: str, facts: Mapping[str, Any]) -> RenderedMessage:
        """Fill a template; a fact the template uses but ``facts`` lacks raises jinja2's UndefinedError."""
        template = self.templates[template_id]
        values = dict(facts)
        values.setdefault("urgent_help", self.urgent_help(facts))
        subject = " ".join(_TEXT.from_string(template.subject).render(values).split())
        text = tidy_text(_TEXT.from_string(template.body).render(values))
        html = to_html(_HTML.from_string(template.body).render(values))
        return RenderedMessage(subject, text, html)


def plain_message(subject: str, body: str) -> RenderedMessage:
    """A message a person typed, as data and never as a template (so "{{ ... }}" in it is
    just text): the same paragraphs and lists as a template's body, escaped for HTML."""
    return RenderedMessage(" ".join(subject.split()), tidy_text(body), to_html(str(escape(body))))
