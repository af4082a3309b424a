"""Priority suggestions from data-driven rules, each with its reasons."""

from .engine import FiredRule, InactiveRule, PrioritySuggestion, suggest_priority
from .facts import FACT_NAMES, PriorityFacts, dates_of_birth
from .rules import Effect, PriorityRules, Rule, read_rules

__all__ = [
    "FACT_NAMES",
    "Effect",
    "FiredRule",
    "InactiveRule",
    "PriorityFacts",
    "PriorityRules",
    "PrioritySuggestion",
    "Rule",
    "dates_of_birth",
    "read_rules",
    "suggest_priority",
]
