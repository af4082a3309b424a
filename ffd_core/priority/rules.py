"""Priority rules as data, read from priority_rules.yaml with line-numbered errors."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from ffd_core.domain.vocab import Priority
from ffd_core.forms.condition_syntax import parse_condition
from ffd_core.forms.conditions import Condition, comparisons
from ffd_core.forms.errors import ErrorSink
from ffd_core.forms.reading import MAX_VERSION, NodeReader, items_of, suggest
from ffd_core.forms.yaml_source import line_of, plain

from .facts import FACT_NAMES

SUBJECTS = ("answer", "fact")
# "Recent" contacts about the same child: up to ten years back (the store keeps them that long).
MAX_WINDOW_DAYS = 3650


@dataclass(frozen=True)
class Effect:
    priority: Priority | None = None  # suggest this priority
    raise_by: int = 0  # make the suggestion this many levels more urgent
    route: str = ""  # a routing hint for the officer


@dataclass(frozen=True)
class Rule:
    id: str
    reason: str
    when: Condition
    then: Effect

    @property
    def facts_needed(self) -> frozenset[str]:
        return frozenset(c.ref.name for c in comparisons(self.when) if c.ref.subject == "fact")


@dataclass(frozen=True)
class PriorityRules:
    version: int
    default_priority: Priority
    recent_contacts_window_days: int
    rules: tuple[Rule, ...]


def read_rules(
    node: Any, sink: ErrorSink, question_ids: Collection[str] = (), categories: Collection[str] = ()
) -> PriorityRules | None:
    """``question_ids`` and ``categories`` come from the forms, so typos in rules are caught."""
    before = len(sink.errors)
    reader = NodeReader(sink)
    keys = {"version", "default_priority", "recent_contacts_window_days", "rules"}
    if not reader.mapping(node, keys, "the priority rules", 1):
        return None
    version = reader.integer(node, "version", 1, MAX_VERSION, required=True)
    default = _priority(reader, node, "default_priority")
    window = reader.integer(
        node, "recent_contacts_window_days", 1, MAX_WINDOW_DAYS, required=True
    )
    entries = items_of(reader, node, "rules", "the priority rules") or []
    rules = [_rule(reader, item, line, question_ids, categories) for item, line in entries]
    seen: set[str] = set()
    for rule, (_, line) in zip(rules, entries, strict=True):
        if rule is not None and rule.id in seen:
            sink.add(
                line,
                f"rule id '{rule.id}' is used twice",
                "give every rule its own id; officers see it in the reasons",
            )
        seen.add(rule.id if rule else "")
    if len(sink.errors) != before:
        return None
    return PriorityRules(version, default, window, tuple(rules))


def _priority(reader: NodeReader, node: dict, key: str) -> Priority | None:
    value = plain(node.get(key))
    if value not in {p.value for p in Priority}:
        reader.sink.add(
            line_of(node, key) or line_of(node),
            f"'{key}' must be 1, 2, 3 or 4",
            "1 immediate, 2 high, 3 standard, 4 low",
        )
        return None
    return Priority(value)


def _rule(reader: NodeReader, node: Any, line: int | None, question_ids, categories) -> Rule | None:
    if not reader.mapping(node, {"id", "reason", "when", "then"}, "a rule", line):
        return None
    before = len(reader.sink.errors)
    rule_id = reader.ident(node, "id")
    reason = reader.text(node, "reason", required=True)
    when = parse_condition(node.get("when"), reader.sink, SUBJECTS, line_of(node, "when") or line)
    then = _effect(reader, node.get("then"), line_of(node, "then") or line)
    if when is not None:
        _check_refs(reader.sink, when, line_of(node, "when") or line, question_ids, categories)
    if len(reader.sink.errors) != before:
        return None
    return Rule(rule_id, reason, when, then)


def _effect(reader: NodeReader, node: Any, line: int | None) -> Effect | None:
    hint = 'write one of: {priority: 1}, {raise: 1}, {route: "Route to ..."}'
    if not reader.mapping(node, {"priority", "raise", "route"}, "'then'", line) or len(node) != 1:
        reader.sink.add(line, "'then' must say exactly one thing to do", hint)
        return None
    if "priority" in node:
        priority = _priority(reader, node, "priority")
        return Effect(priority=priority) if priority else None
    if "raise" in node:
        levels = reader.integer(node, "raise", 1, len(Priority) - 1, required=True)
        return Effect(raise_by=levels) if levels else None
    route = reader.text(node, "route", required=True)
    return Effect(route=route) if route else None


def _check_refs(sink: ErrorSink, when: Condition, line, question_ids, categories) -> None:
    for compare in comparisons(when):
        name = compare.ref.name
        if compare.ref.subject == "fact" and name not in FACT_NAMES:
            sink.add(
                line,
                f"unknown fact '{name}'",
                "facts are: " + ", ".join(FACT_NAMES) + suggest(name, FACT_NAMES),
            )
        if compare.ref.subject == "answer" and question_ids and name not in question_ids:
            sink.add(
                line,
                f"no form asks a question with id '{name}'",
                "use a question id from cfc.yaml or rfi.yaml" + suggest(name, question_ids),
            )
        if compare.ref.subject == "fact" and name == "category" and categories:
            values = compare.operand if compare.op == "one_of" else (compare.operand,)
            for value in values:
                if value not in categories:
                    sink.add(
                        line,
                        f"category {value!r} is not one of the form's categories",
                        "use a value from cfc.yaml" + suggest(value, categories),
                    )
