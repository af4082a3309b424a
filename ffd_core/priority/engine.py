"""Suggest a priority from the rules and say why; the officer decides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ffd_core.domain.vocab import Priority
from ffd_core.forms.conditions import Ref, evaluate

from .facts import PriorityFacts
from .rules import PriorityRules, Rule


@dataclass(frozen=True)
class FiredRule:
    rule_id: str
    reason: str
    effect: str  # "priority 1 (immediate)", "raise 1 level", or the route


@dataclass(frozen=True)
class InactiveRule:
    rule_id: str
    reason: str
    missing_facts: tuple[str, ...]  # not known yet, so the rule could not be judged


@dataclass(frozen=True)
class PrioritySuggestion:
    priority: Priority
    fired: tuple[FiredRule, ...]
    inactive: tuple[InactiveRule, ...]
    routes: tuple[str, ...]

    @property
    def reasons(self) -> list[str]:
        return [f.reason for f in self.fired] or ["No rule applies: standard priority."]


def suggest_priority(rules: PriorityRules, facts: PriorityFacts) -> PrioritySuggestion:
    """The most urgent priority any fired rule sets (else the default), then any raises."""
    fired: list[tuple[Rule, FiredRule]] = []
    inactive: list[InactiveRule] = []
    for rule in rules.rules:
        missing = tuple(sorted(n for n in rule.facts_needed if facts.fact(n) is None))
        if missing:
            inactive.append(InactiveRule(rule.id, rule.reason, missing))
        elif evaluate(rule.when, _RuleFacts(facts)):
            fired.append((rule, FiredRule(rule.id, rule.reason, _describe(rule))))
    set_by_rules = [r.then.priority for r, _ in fired if r.then.priority is not None]
    level = min(set_by_rules) if set_by_rules else rules.default_priority
    level = max(Priority.IMMEDIATE, level - sum(r.then.raise_by for r, _ in fired))
    routes = tuple(r.then.route for r, _ in fired if r.then.route)
    return PrioritySuggestion(Priority(level), tuple(f for _, f in fired), tuple(inactive), routes)


def _describe(rule: Rule) -> str:
    effect = rule.then
    if effect.priority is not None:
        return f"priority {effect.priority.value} ({effect.priority.label})"
    if effect.raise_by:
        return f"raise {effect.raise_by} level{'s' if effect.raise_by > 1 else ''}"
    return effect.route


class _RuleFacts:
    def __init__(self, facts: PriorityFacts) -> None:
        self.facts = facts
        self.today = facts.today

    def values(self, ref: Ref) -> Sequence[Any]:
        if ref.subject == "answer":
            return self.facts.answer(ref.name)
        return self.facts.fact(ref.name) or []
