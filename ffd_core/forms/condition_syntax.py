"""Read a condition from YAML (or a snapshot), reporting mistakes with their line."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .conditions import (
    COMBINATORS,
    OPERATORS,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Not,
    Ref,
)
from .dates import parse_date
from .errors import ErrorSink
from .yaml_source import line_of, plain

VOCABULARY_HINT = (
    "a condition is {question: <id>, <operator>: <value>} with one operator of "
    + ", ".join(OPERATORS)
    + "; or {all: [...]}, {any: [...]}, {not: {...}}"
)
# all/any/not inside each other; real rules use two or three levels. The bound keeps a
# condition (from a file or a stored snapshot) from exhausting the stack when evaluated.
MAX_NESTING = 8
# Largest sensible operand (years of age, a count of contacts); also refuses .inf and .nan.
NUMBER_LIMITS = {"age_under": 120, "at_least": 1_000_000}


def parse_condition(
    node: Any, sink: ErrorSink, subjects: Collection[str], line: int | None = None, depth: int = 0
) -> Condition | None:
    """Return the condition, or None after adding at least one error to ``sink``."""
    here = line_of(node) or line
    if not isinstance(node, dict) or not node:
        sink.add(here, "a condition must be a mapping", VOCABULARY_HINT)
        return None
    combinators = [k for k in node if k in COMBINATORS]
    if combinators and depth >= MAX_NESTING:
        sink.add(
            here,
            f"conditions are nested more than {MAX_NESTING} deep",
            "simplify it: 'not' of 'not' cancels out, and 'all' or 'any' take a whole list",
        )
        return None
    if combinators:
        return _parse_combination(node, combinators, sink, subjects, here, depth + 1)
    return _parse_compare(node, sink, subjects, here)


def _parse_combination(node, combinators, sink, subjects, here, depth) -> Condition | None:
    if len(node) != 1:
        sink.add(here, f"'{combinators[0]}' must be the only key in its condition", VOCABULARY_HINT)
        return None
    key = combinators[0]
    body = node[key]
    if key == "not":
        part = parse_condition(body, sink, subjects, line_of(node, key), depth)
        return Not(part) if part is not None else None
    if not isinstance(body, list) or len(body) < 2:
        sink.add(
            line_of(node, key), f"'{key}' needs a list of at least two conditions", VOCABULARY_HINT
        )
        return None
    parts = [
        parse_condition(item, sink, subjects, line_of(body, i), depth)
        for i, item in enumerate(body)
    ]
    if any(p is None for p in parts):
        return None
    return AllOf(tuple(parts)) if key == "all" else AnyOf(tuple(parts))


def _parse_compare(node, sink, subjects, here) -> Condition | None:
    named = [k for k in node if k in subjects]
    ops = [k for k in node if k in OPERATORS]
    unknown = [k for k in node if k not in subjects and k not in OPERATORS]
    if unknown:
        sink.add(
            line_of(node, unknown[0]) or here,
            f"unknown word '{unknown[0]}' in a condition",
            VOCABULARY_HINT,
        )
        return None
    if len(named) != 1 or len(ops) != 1:
        what = " or ".join(subjects)
        sink.add(here, f"a comparison names exactly one {what} and one operator", VOCABULARY_HINT)
        return None
    subject, op = named[0], ops[0]
    name, operand = plain(node[subject]), plain(node[op])
    if not isinstance(name, str) or not name:
        sink.add(line_of(node, subject), f"'{subject}' must name an id")
        return None
    checked = _check_operand(op, operand)
    if isinstance(checked, str):
        sink.add(line_of(node, op), f"'{op}' {checked}", VOCABULARY_HINT)
        return None
    return Compare(Ref(subject, name), op, checked[0])


def _check_operand(op: str, operand: Any) -> tuple[Any] | str:
    """Return (normalised operand,) or a complaint."""
    if op == "one_of":
        if not isinstance(operand, list) or not operand:
            return "needs a list of values"
        return (tuple(operand),)
    if op == "is_empty":
        return (operand,) if isinstance(operand, bool) else "takes true or false"
    if op in ("before", "after"):
        if operand == "today" or parse_date(operand) is not None:
            return (operand,)
        return "needs a date written YYYY-MM-DD, or the word today"
    if op in NUMBER_LIMITS:
        limit = NUMBER_LIMITS[op]
        number = isinstance(operand, (int, float)) and not isinstance(operand, bool)
        if number and 0 <= operand <= limit:
            return (operand,)
        return f"needs a number from 0 to {limit}"
    if operand is None or isinstance(operand, (list, dict)):
        return "needs a single value"
    return (operand,)


def from_data(data: Any, subjects: Collection[str]) -> Condition | None:
    """Rebuild a condition from a snapshot, which was valid when it was taken."""
    if data is None:
        return None
    sink = ErrorSink("snapshot")
    condition = parse_condition(data, sink, subjects)
    if condition is None:
        raise ValueError(f"invalid condition in snapshot: {sink.errors}")
    return condition
