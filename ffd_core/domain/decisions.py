"""A decision per subject child, and the checks it must pass."""

from __future__ import annotations

from dataclasses import dataclass, replace
from collections.abc import Sequence

from ffd_core.domain.vocab import (
    CIN_PRIMARY_NEED_CODES,
    ContactKind,
    LevelOfNeed,
    Outcome,
    OUTCOMES_BY_KIND,
)
from ffd_core.errors import InvalidInput


@dataclass(frozen=True)
class ChildDecision:
    outcome: Outcome
    rationale: str
    child_id: int | None = None  # None in a template applied to every child
    level_of_need: LevelOfNeed | None = None
    indicators: tuple[str, ...] = ()
    primary_need: str | None = None  # CIN primary need code, required for a referral


def for_every_child(template: ChildDecision, child_ids: Sequence[int]) -> list[ChildDecision]:
    """The one-keystroke case: the same decision for all children on the contact."""
    return [replace(template, child_id=child_id) for child_id in child_ids]


def validate_decisions(
    kind: ContactKind, decisions: Sequence[ChildDecision], child_ids: Sequence[int]
) -> None:
    if not child_ids:
        raise InvalidInput("the contact names no child yet: complete it first (add the child, "
                           "category and consent from the email)")
    problems: list[str] = []
    seen = [d.child_id for d in decisions]
    missing = [c for c in child_ids if c not in seen]
    unknown = [c for c in seen if c not in child_ids]
    if missing:
        problems.append(f"decide for every child on the contact (missing {len(missing)})")
    if unknown or len(seen) != len(set(seen)):
        problems.append("give exactly one decision per child on this contact")
    for decision in decisions:
        if decision.outcome not in OUTCOMES_BY_KIND[kind]:
            allowed = ", ".join(sorted(o.label for o in OUTCOMES_BY_KIND[kind]))
            problems.append(f"{decision.outcome.label} is not an outcome for a {kind.label}; "
                            f"choose one of: {allowed}")
        if not decision.rationale.strip():
            problems.append("write the rationale for the decision")
        if decision.outcome is Outcome.SOCIAL_CARE_REFERRAL:
            if decision.primary_need not in CIN_PRIMARY_NEED_CODES:
                problems.append("a referral needs its CIN primary need code (N0–N9)")
            if decision.level_of_need is None:
                problems.append("a referral needs the level of need")
    if problems:
        raise InvalidInput("the decision cannot be recorded: " + "; ".join(dict.fromkeys(problems)))
