"""Reply templates and the urgent-help text, rendered to plain text and HTML from one source."""

from .council import Council, read_council
from .model import (
    REJECTION_REASONS,
    MessageTemplate,
    RenderedMessage,
    TemplateSet,
    outcome_template,
    plain_message,
    rejection_template,
)
from .placeholders import ALL as PLACEHOLDERS
from .reader import read_templates

__all__ = [
    "PLACEHOLDERS",
    "REJECTION_REASONS",
    "Council",
    "MessageTemplate",
    "RenderedMessage",
    "TemplateSet",
    "outcome_template",
    "plain_message",
    "read_council",
    "read_templates",
    "rejection_template",
]
