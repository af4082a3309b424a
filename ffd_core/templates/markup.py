"""One template source, two outputs: plain text for email bodies and HTML for the web.

The source is plain text with a little structure: blank lines separate paragraphs, lines
starting "- " make a bulleted list, and {{ link(url, text) }} makes a link. Facts are
escaped in HTML (autoescape), and so is the template's own text, which is plain text too;
a missing fact is an error (StrictUndefined).

Templates come from a council's configuration folder, so they are untrusted: each is
checked against the policy (policy.py) before it is compiled, compiled in Jinja's
immutable sandbox with no globals but ``link`` and only the policy's filters, and rendered
as a stream that stops past MAX_OUTPUT characters or RENDER_SECONDS.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Environment, StrictUndefined, Template, TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from .policy import FILTERS, LINK_SCHEMES, refusals

# A letter to a referrer is a few kilobytes; a hundred thousand characters is a runaway.
MAX_OUTPUT = 100_000
RENDER_SECONDS = 5.0


class TemplateRefused(TemplateError):
    """A template uses something the policy does not allow, or ran past a limit."""

    def __init__(self, message: str, lineno: int | None = None) -> None:
        super().__init__(message)
        self.lineno = lineno


def _checked_url(url: Any) -> str:
    url = str(url)
    if not url.startswith(LINK_SCHEMES):
        raise TemplateRefused("a link must start with " + ", ".join(LINK_SCHEMES))
    return url


def _environment(autoescape: bool, link: Callable[[Any, Any], Any]) -> Environment:
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, autoescape=autoescape, keep_trailing_newline=False
    )
    env.globals.clear()  # no range, lipsum, cycler...: only what a letter needs
    env.globals["link"] = link
    env.filters = {name: env.filters[name] for name in FILTERS}
    return env


def text_environment() -> Environment:
    return _environment(False, lambda url, text: f"{text} ({_checked_url(url)})")


def html_environment() -> Environment:
    return _environment(
        True, lambda url, text: Markup('<a href="{}">{}</a>').format(_checked_url(url), text)
    )


def compile_template(env: Environment, source: str) -> Template:
    """The template, or TemplateRefused (with its line) if the policy forbids any of it."""
    try:
        tree = env.parse(source)
        found = refusals(tree)
        if found:
            raise TemplateRefused(found[0].message, found[0].line)
        if env.autoescape:  # the template's own words are plain text, not markup
            for data in tree.find_all(nodes.TemplateData):
                data.data = str(escape(data.data))
        return env.from_string(tree)
    except RecursionError:  # Jinja's parser recurses; absurd nesting must not crash us
        raise TemplateRefused("the template is nested too deeply") from None


def render_capped(template: Template, values: Mapping[str, Any]) -> str:
    """Render as a stream, stopping as soon as the output or the time passes its limit."""
    deadline = time.monotonic() + RENDER_SECONDS
    parts, size = [], 0
    for part in template.generate(values):
        size += len(part)
        if size > MAX_OUTPUT:
            raise TemplateRefused(f"the message is longer than {MAX_OUTPUT} characters")
        if time.monotonic() > deadline:
            raise TemplateRefused(f"the message took more than {RENDER_SECONDS:g} s to fill in")
        parts.append(part)
    return "".join(parts)


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
