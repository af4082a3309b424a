"""Read templates.yaml and prove every template renders before anything is sent."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, TemplateError, TemplateSyntaxError, meta, nodes

from ffd_core.domain.vocab import Outcome
from ffd_core.forms.errors import ErrorSink
from ffd_core.forms.reading import MAX_VERSION, NodeReader, suggest
from ffd_core.forms.yaml_source import line_of, plain

from . import placeholders
from .policy import refusals
from .model import MUST_CARRY_URGENT_HELP, TEMPLATE_EXTRAS, MessageTemplate, TemplateSet

# Parses only (never renders), with every filter known so the policy can name a refused one.
_PARSER = Environment()

# Realistic values for a trial render at check time.
SAMPLE_FACTS: dict[str, Any] = {
    "reference": "FFD-2026-000123",
    "child_names": "Amy Smith and Ben Smith",
    "referrer_name": "Sam Jones",
    "council_name": "Brackenshire Council",
    "edt_phone": "01632 960 000",
    "urgent_help": "If a child is in immediate danger, call 999.",
    "guidance_url": "https://www.example.gov.uk/guidance",
    "outcome": "passed to early help",
    "questions": ["Does the child live with both parents?", "Which school does the child attend?"],
    "respond_by": "27/11/2026",
    "where_to_go": "the adult social care team on 01632 960 222",
}


def read_templates(node: Any, sink: ErrorSink) -> TemplateSet | None:
    before = len(sink.errors)
    reader = NodeReader(sink)
    keys = {"version", "urgent_help", "outcome_words", "templates"}
    if not reader.mapping(node, keys, "the templates file", 1):
        return None
    version = reader.integer(node, "version", 1, MAX_VERSION, required=True)
    outcome_words = _outcome_words(reader, node)
    urgent = reader.text(node, "urgent_help", required=True)
    if urgent:
        _check_source(
            sink, urgent, line_of(node, "urgent_help"), "urgent_help", {"council_name", "edt_phone"}
        )
    found = _flatten(reader, node.get("templates"), line_of(node, "templates"))
    templates = {}
    for template_id, (entry, line) in found.items():
        template = _template(reader, template_id, entry, line)
        if template is not None:
            templates[template_id] = template
    for missing in sorted(set(TEMPLATE_EXTRAS) - set(found)):
        group, _, name = missing.partition(".")
        where = f"under '{group}:'" if name else "under 'templates:'"
        sink.add(
            line_of(node, "templates"),
            f"the template '{missing}' is missing",
            f"add '{name or group}' {where}",
        )
    if len(sink.errors) != before:
        return None
    return TemplateSet(version, urgent, templates, outcome_words)


def _outcome_words(reader: NodeReader, node: dict) -> dict[Outcome, str]:
    """How each outcome is put to the referrer, e.g. "passed to early help"."""
    raw = node.get("outcome_words")
    expected = [o.value for o in Outcome]
    if not reader.mapping(raw, set(expected), "'outcome_words'", line_of(node, "outcome_words")):
        return {}
    words = {}
    for outcome in Outcome:
        text = reader.text(raw, outcome.value, required=True)
        if text:
            words[outcome] = text
    return words


def _flatten(reader: NodeReader, node: Any, line: int | None) -> dict[str, tuple[Any, int | None]]:
    """templates: {outcome: {early_help: {...}}} -> {"outcome.early_help": (entry, line)}."""
    if not isinstance(node, dict):
        reader.sink.add(line, "'templates' must be a mapping of template names")
        return {}
    found = {}
    for key, value in node.items():
        at = line_of(node, key)
        if isinstance(value, dict) and "body" not in value and "subject" not in value:
            for name, entry in value.items():
                found[f"{key}.{name}"] = (entry, line_of(value, name))
        else:
            found[str(key)] = (value, at)
    for template_id, (_, at) in found.items():
        if template_id not in TEMPLATE_EXTRAS:
            reader.sink.add(
                at,
                f"there is no template called '{template_id}'",
                "templates are: "
                + ", ".join(sorted(TEMPLATE_EXTRAS))
                + suggest(template_id, TEMPLATE_EXTRAS),
            )
    return {k: v for k, v in found.items() if k in TEMPLATE_EXTRAS}


def _template(
    reader: NodeReader, template_id: str, node: Any, line: int | None
) -> MessageTemplate | None:
    if not reader.mapping(node, {"subject", "body"}, f"template '{template_id}'", line):
        return None
    subject, body = (
        reader.text(node, "subject", required=True),
        reader.text(node, "body", required=True),
    )
    if not subject or not body:
        return None
    allowed = set(placeholders.COMMON) | TEMPLATE_EXTRAS[template_id]
    ok = _check_source(reader.sink, subject, line_of(node, "subject"), template_id, allowed)
    # A block scalar's text starts on the line after "body: |".
    body_line = (line_of(node, "body") or 0) + (1 if "\n" in plain(node["body"]) else 0)
    used = _check_source(reader.sink, body, body_line, template_id, allowed)
    if used is not None and template_id in MUST_CARRY_URGENT_HELP and "urgent_help" not in used:
        reader.sink.add(
            line_of(node, "body"),
            f"'{template_id}' must include {{{{ urgent_help }}}}",
            "every acknowledgement tells the partner how to get urgent help",
        )
    if (
        ok is None
        or used is None
        or not _trial_render(reader.sink, template_id, subject, body, line)
    ):
        return None
    return MessageTemplate(template_id, subject, body)


def _check_source(
    sink: ErrorSink, source: str, line: int | None, template_id: str, allowed: set[str]
) -> set[str] | None:
    """The placeholders ``source`` uses, or None after reporting a syntax error or unknown name."""
    try:
        tree = _PARSER.parse(source)
        used = meta.find_undeclared_variables(tree)
    except TemplateSyntaxError as exc:
        sink.add(
            (line or 0) + exc.lineno - 1 or None,
            f"'{template_id}' has a template error: {exc.message}",
            "placeholders are written {{ name }}; check every {{ has a matching }}",
        )
        return None
    refused = refusals(tree)
    for refusal in refused:
        sink.add(
            (line or 1) + refusal.line - 1,
            f"'{template_id}' {refusal.message}",
            "templates hold text, {{ placeholders }}, link(url, text), {% if %} and "
            "{% for %} over a list: see ffd_core/forms/README.md",
        )
    unknown = sorted(used - allowed - placeholders.HELPERS)
    first_use = {}
    for node in tree.find_all(nodes.Name):
        first_use.setdefault(node.name, node.lineno)
    for name in unknown:
        at = (line or 1) + first_use.get(name, 1) - 1
        if name in placeholders.ALL:
            sink.add(
                at,
                f"'{template_id}' uses {{{{ {name} }}}}, which this message does not have",
                "placeholders here: " + ", ".join(sorted(allowed)),
            )
        else:
            sink.add(
                at,
                f"'{template_id}' uses an unknown placeholder {{{{ {name} }}}}",
                "placeholders here: " + ", ".join(sorted(allowed)) + suggest(name, allowed),
            )
    return None if unknown or refused else set(used)


def _trial_render(
    sink: ErrorSink, template_id: str, subject: str, body: str, line: int | None
) -> bool:
    trial = TemplateSet(1, "", {template_id: MessageTemplate(template_id, subject, body)}, {})
    try:
        trial.render(template_id, SAMPLE_FACTS)
    except (TemplateError, TypeError, ValueError) as exc:
        sink.add(
            line,
            f"'{template_id}' fails when filled in: {exc}",
            "check the placeholders and any {% %} tags",
        )
        return False
    return True
