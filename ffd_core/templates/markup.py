"""One template source, two outputs: plain text for email bodies and HTML for the web.

The source is plain text with a little structure: blank lines separate paragraphs, lines
starting "- " make a bulleted list, and {{ link(url, text) }} makes a link. Facts are
escaped in HTML (autoescape), and a missing fact is an error (StrictUndefined).
"""

from __future__ import annotations

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup


def text_environment() -> Environment:
    env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.globals["link"] = lambda url, text: f"{text} ({url})"
    return env


def html_environment() -> Environment:
    env = Environment(undefined=StrictUndefined, autoescape=True, keep_trailing_newline=False)
    env.globals["link"] = lambda url, text: Markup('<a href="{}">{}</a>').format(url, text)
    return env


def tidy_text(rendered: str) -> str:
    """Drop the blank lines left by template tags, keeping one between paragraphs."""
    blocks = [b.strip("\n") for b in rendered.strip().split("\n\n")]
    return "\n\n".join(b for b in blocks if b.strip()) + "\n"


def to_html(rendered: str) -> str:
    """Wrap already-escaped text in paragraphs and lists (GOV.UK classes for the web endpoint)."""
    parts = []
    for block in rendered.strip().split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{line[2:]}</li>" for line in lines)
            parts.append(f'<ul class="govuk-list govuk-list--bullet">{items}</ul>')
        else:
            parts.append(f'<p class="govuk-body">{"<br>".join(lines)}</p>')
    return "\n".join(parts) + "\n"
