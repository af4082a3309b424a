"""The small condition vocabulary shared by forms ("show when", "required when") and priority rules.

A condition is written in YAML as a mapping, for example::

    {question: category, one_of: [missing, child_sexual_exploitation]}
    {all: [{question: police_attended, equals: "yes"}, {question: child_present, equals: "yes"}]}

Comparisons look at every value a reference has: a checkbox answer contributes each ticked
option, and a question in a repeating section (several children) contributes one value per
child, so a comparison is true when it holds for *any* of them. ``is_empty`` is the
exception: it is true only when *no* value is given.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from .dates import age_in_years, parse_date

OPERATORS = ("equals", "one_of", "is_empty", "before", "after", "age_under", "at_least")
COMBINATORS = ("all", "any", "not")


@dataclass(frozen=True)
class Ref:
    subject: str  # "question" in forms; "answer" or "fact" in priority rules
    name: str


@dataclass(frozen=True)
class Compare:
    ref: Ref
    op: str
    operand: Any


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    part: Condition


Condition = Compare | AllOf | AnyOf | Not


class Facts(Protocol):
    """What a condition is evaluated against."""

    today: date

    def values(self, ref: Ref) -> Sequence[Any]:
        """Every value the reference currently has (empty when unanswered)."""


def evaluate(condition: Condition, facts: Facts) -> bool:
    if isinstance(condition, AllOf):
        return all(evaluate(part, facts) for part in condition.parts)
    if isinstance(condition, AnyOf):
        return any(evaluate(part, facts) for part in condition.parts)
    if isinstance(condition, Not):
        return not evaluate(condition.part, facts)
    values = [v for v in _flatten(facts.values(condition.ref)) if not is_empty_value(v)]
    return _compare(condition.op, condition.operand, values, facts.today)


def _compare(op: str, operand: Any, values: list[Any], today: date) -> bool:
    if op == "is_empty":
        return (not values) == bool(operand)
    if op == "equals":
        return any(_same(v, operand) for v in values)
    if op == "one_of":
        return any(_same(v, o) for v in values for o in operand)
    if op == "at_least":
        return any(_number(v) is not None and _number(v) >= operand for v in values)
    dates = [d for d in (parse_date(v) for v in values) if d is not None]
    if op == "before":
        return any(d < _operand_date(operand, today) for d in dates)
    if op == "after":
        return any(d > _operand_date(operand, today) for d in dates)
    if op == "age_under":
        return any(age_in_years(d, today) < operand for d in dates)
    raise ValueError(f"unknown condition operator {op!r}")


def _same(value: Any, expected: Any) -> bool:
    # YAML authors write `equals: yes` and `equals: "yes"` interchangeably; answers are text.
    if isinstance(expected, bool) and isinstance(value, str):
        return value == ("yes" if expected else "no")
    return value == expected


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _operand_date(operand: Any, today: date) -> date:
    if operand == "today":
        return today
    parsed = parse_date(operand)
    if parsed is None:  # the loader rejects these, so reaching here is a programming error
        raise ValueError(f"not a date: {operand!r}")
    return parsed


def _flatten(values: Sequence[Any]) -> Iterator[Any]:
    for value in values:
        if isinstance(value, (list, tuple)):
            yield from value
        else:
            yield value


def is_empty_value(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, (str, list, tuple, dict)) and not value)
        or (isinstance(value, str) and not value.strip())
    )


def refs(condition: Condition | None) -> Iterator[Ref]:
    for compare in comparisons(condition):
        yield compare.ref


def comparisons(condition: Condition | None) -> Iterator[Compare]:
    if condition is None:
        return
    if isinstance(condition, Compare):
        yield condition
    elif isinstance(condition, Not):
        yield from comparisons(condition.part)
    else:
        for part in condition.parts:
            yield from comparisons(part)


def to_data(condition: Condition) -> dict[str, Any]:
    """The YAML/snapshot form; parse(to_data(c)) == c."""
    if isinstance(condition, AllOf):
        return {"all": [to_data(p) for p in condition.parts]}
    if isinstance(condition, AnyOf):
        return {"any": [to_data(p) for p in condition.parts]}
    if isinstance(condition, Not):
        return {"not": to_data(condition.part)}
    operand = list(condition.operand) if condition.op == "one_of" else condition.operand
    return {condition.ref.subject: condition.ref.name, condition.op: operand}
