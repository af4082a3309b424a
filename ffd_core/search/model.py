"""The Fellegi–Sunter match model: how much each level of agreement says "same child".

For each field and level, m is the chance of that level when two records are the same
child and u the chance when they are not; the evidence (weight) of a comparison is the
sum of log2(m/u) over the fields both records have. u is measured on random pairs of
records (almost all different children); m on candidate pairs anchored by independent
evidence (see :func:`estimate_m`); the match share by expectation–maximisation.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ffd_core.search.compare import FIELDS, LEVELS, Comparison, Profile, compare

# Priors: what a county of 200,000 children showed (m on corroborated identifier pairs, u
# on random pairs); each county's own records refine them where it has enough examples.
PRIOR_M: dict[str, tuple[float, ...]] = {
    "forename": (0.92, 0.01, 0.035, 0.005, 0.019, 0.005, 0.006),
    "surname": (0.877, 0.028, 0.052, 0.043),
    "date_of_birth": (0.9415, 0.016, 0.0096, 0.018, 0.003, 0.0119),
    "postcode": (0.833, 0.03, 0.01, 0.127),
    "nhs_number": (0.995, 0.005),
    "upn": (0.95, 0.05),
    "gender": (0.99, 0.01),
    "middle_name": (0.95, 0.03, 0.02),
    "address": (0.816, 0.05, 0.134),
}
PRIOR_U: dict[str, tuple[float, ...]] = {
    "forename": (0.0033, 0.0015, 0.0005, 0.0003, 0.003, 0.001, 0.9904),
    "surname": (0.002, 0.0005, 0.0012, 0.9963),
    "date_of_birth": (0.00015, 0.00005, 0.0003, 0.0089, 0.0003, 0.99035),
    "postcode": (0.0001, 0.00002, 0.058, 0.94188),
    "nhs_number": (0.00001, 0.99999),
    "upn": (0.00001, 0.99999),
    "gender": (0.5, 0.5),
    "middle_name": (0.0033, 0.01, 0.9867),
    "address": (0.0002, 0.003, 0.9968),
}
# Levels never seen among random pairs still happen by chance; never let u reach zero.
U_FLOOR = 1e-6
M_FLOOR = 1e-4
# A level seen fewer times than this among the pairs measured keeps its prior: too few
# examples to measure (an assessed 01/01 date, a middle initial), whatever the county's size.
MIN_SEEN = 20
# No one level says more than this, either way (log2 units). Agreement on a postcode says
# more in a county of many postcodes than in a town, and one identifier is never proof:
# capped, the weights hold from a town to a county and no single field decides a link.
WEIGHT_CAP = (-8.0, 10.0)


@dataclass(frozen=True)
class MatchModel:
    m: Mapping[str, tuple[float, ...]]
    u: Mapping[str, tuple[float, ...]]
    prior: float = 0.05  # share of candidate pairs that are the same child
    _weights: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        low, high = WEIGHT_CAP
        for name in FIELDS:
            self._weights[name] = tuple(
                min(high, max(low, math.log2(max(m, M_FLOOR) / max(u, U_FLOOR))))
                for m, u in zip(self.m[name], self.u[name])
            )

    def capped(self, name: str, level: int) -> bool:
        """Whether this level's weight was held at the cap (reported by the benchmark)."""
        raw = math.log2(max(self.m[name][level], M_FLOOR) / max(self.u[name][level], U_FLOOR))
        return raw != self._weights[name][level]

    def field_weights(self, comparison: Comparison) -> dict[str, float]:
        return {
            name: self._weights[name][level]
            for name, level in zip(FIELDS, comparison[: len(FIELDS)])
            if level is not None
        }

    def level_weight(self, name: str, level: int) -> float:
        return self._weights[name][level]

    def weight(self, comparison: Comparison) -> float:
        total = 0.0
        for name, level in zip(FIELDS, comparison[: len(FIELDS)]):
            if level is not None:
                total += self._weights[name][level]
        return total

    def probability(self, weight: float) -> float:
        """Chance the pair is the same child, given the evidence and the prior."""
        odds = self.prior / (1 - self.prior) * 2.0**weight
        return odds / (1 + odds)

    def to_dict(self) -> dict:
        return {"m": {k: list(v) for k, v in self.m.items()},
                "u": {k: list(v) for k, v in self.u.items()}, "prior": self.prior}

    @classmethod
    def from_dict(cls, data: Mapping) -> MatchModel:
        """A stored model; a field whose levels changed since it was fitted takes the prior."""
        def levels(stored: Mapping, prior: Mapping[str, tuple[float, ...]]) -> dict[str, tuple[float, ...]]:
            return {name: tuple(stored[name]) if len(stored.get(name) or ()) == len(prior[name]) else prior[name]
                    for name in FIELDS}
        return cls(levels(data["m"], PRIOR_M), levels(data["u"], PRIOR_U), float(data["prior"]))


DEFAULT_MODEL = MatchModel(PRIOR_M, PRIOR_U, prior=0.05)
_NHS = FIELDS.index("nhs_number")
_UPN = FIELDS.index("upn")


def estimate_u(profiles: Sequence[Profile], seed: int = 0, samples: int = 30_000) -> dict[str, tuple[float, ...]]:
    """Level frequencies among random pairs of records: nearly all are different children."""
    if len(profiles) < 2:
        return dict(PRIOR_U)
    rng = random.Random(seed)
    counts = {name: [0] * len(LEVELS[name]) for name in FIELDS}
    for _ in range(samples):
        a, b = rng.sample(range(len(profiles)), 2)
        for name, level in zip(FIELDS, compare(profiles[a], profiles[b])):
            if level is not None:
                counts[name][level] += 1
    return {name: _measured(counts[name], PRIOR_U[name]) for name in FIELDS}


def _measured(counts: Sequence[int], prior: Sequence[float], pseudo: float = 0.0) -> tuple[float, ...]:
    """Shares from counts (with ``pseudo`` observations of the prior), each level seen fewer
    than MIN_SEEN times held at its prior share."""
    rare = {i for i, n in enumerate(counts) if n < MIN_SEEN}
    if len(rare) == len(counts):
        return tuple(prior)
    kept = 1.0 - sum(prior[i] for i in rare)
    smoothed = {i: n + pseudo * prior[i] for i, n in enumerate(counts) if i not in rare}
    seen = sum(smoothed.values())
    return tuple(prior[i] if i in rare else smoothed[i] / seen * kept for i in range(len(counts)))


CORE = (FIELDS.index("forename"), FIELDS.index("surname"), FIELDS.index("date_of_birth"))


def _corroborated(comparison: Comparison, skip: int) -> bool:
    """Another of forename, surname and date of birth (not the field being measured) agrees
    closely: a shared identifier on a child whose name and date do not fit is a keying
    error, not an example of how one child's records differ."""
    return any(comparison[i] is not None and comparison[i] <= 2 for i in CORE if i != skip)


def estimate_m(comparisons: Sequence[Comparison], u: Mapping[str, tuple[float, ...]],
               start: MatchModel = DEFAULT_MODEL, pseudo_pairs: float = 50.0) -> MatchModel:
    """m from pairs that are almost surely the same child, then the match share by EM.

    Plain EM over blocked pairs drifts: siblings agree on surname and address far more
    than random pairs do, and namesakes grow with the county, so EM calls them matches and
    learns that a different date of birth is common in one child's records. Instead, a
    field's m is measured on pairs that agree on *other* strong evidence: a shared NHS
    number or UPN corroborated by another of forename, surname and date of birth (never
    the identifier alone: keyed-in numbers collide) for the name, date and address fields;
    the same full name and date of birth for the identifier fields. What is measured is a
    share of true pairs, which does not grow with the county, so the weights hold from a
    town to a county. Priors act as ``pseudo_pairs`` observations, so small extracts still
    get sane weights.
    """
    by_identifier = [c for c in comparisons if c[_NHS] == 0 or c[_UPN] == 0]
    anchored_by_name = [c for c in comparisons if c[0] == 0 and c[1] == 0 and c[2] == 0]
    m: dict[str, tuple[float, ...]] = {}
    for index, name in enumerate(FIELDS):
        if name in ("nhs_number", "upn"):
            anchors = anchored_by_name
        else:
            anchors = [c for c in by_identifier if _corroborated(c, index)]
        counts = [0] * len(LEVELS[name])
        for c in anchors:
            if c[index] is not None:
                counts[c[index]] += 1
        m[name] = _measured(counts, start.m[name], pseudo_pairs)
    return MatchModel(m, dict(u), _match_share(comparisons, MatchModel(m, dict(u), start.prior)))


def _match_share(comparisons: Sequence[Comparison], model: MatchModel, iterations: int = 20) -> float:
    """EM for the one free parameter left: the share of candidate pairs that match."""
    weights = Counter(round(model.weight(c), 3) for c in comparisons)
    if not weights:
        return model.prior
    prior = model.prior
    total = sum(weights.values())
    for _ in range(iterations):
        odds = prior / (1 - prior)
        matched = sum(n * (odds * 2.0**w) / (1 + odds * 2.0**w) for w, n in weights.items())
        prior = min(0.99, max(1e-4, matched / total))
    return prior
