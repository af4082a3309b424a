"""Ranking search results: how well a record answers what the officer typed.

Linkage weighs fields as independent evidence; a search ranks records that already share
a key with the query, mostly namesakes and near-namesakes born close together. There a
graded name similarity matters more than agreement levels: "Pegry" is nearly "Perry"
and nothing like "Wood", so names score on a continuous scale (Jaro-Winkler, with
nicknames, double-barrelled parts, swaps and typed prefixes counted as near-exact), and
a date that differs in one part scores close to an exact one. Postcode, identifiers,
gender and middle name keep the linkage model's weights.
"""

from __future__ import annotations

from datetime import date

from rapidfuzz.distance import JaroWinkler

from ffd_core.search.compare import Comparison, Profile
from ffd_core.search.model import MatchModel
from ffd_core.search.names import same_by_nickname

FORENAME = (8.0, 4.0)  # (weight when alike, penalty when not)
SURNAME = (10.0, 6.0)
DATE = {"exact": 10.0, "day_month_swapped": 8.0, "close": 7.0, "one_part_differs": 5.0, "different": -2.0}
MODEL_FIELDS = ("postcode", "nhs_number", "upn", "gender", "middle_name")


def name_similarity(query: str, record: str, record_parts: tuple[str, ...] = ()) -> float:
    """1.0 for the same name, near 1 for a nickname, a part or a typed prefix, else Jaro-Winkler."""
    if not query or not record:
        return 0.0
    if query == record:
        return 1.0
    if same_by_nickname(query, record):
        return 0.97
    if query in record_parts:
        return 0.95
    if len(query) >= 2 and record.startswith(query):
        return 0.9
    return JaroWinkler.similarity(query, record)


def _graded(similarity: float, weights: tuple[float, float]) -> float:
    alike = min(1.0, max(0.0, (similarity - 0.75) / 0.25))
    return weights[0] * alike - weights[1] * (1 - alike)


def _date_score(q: date | None, r: date | None) -> float:
    if q is None or r is None:
        return 0.0
    if q == r:
        return DATE["exact"]
    if q.year == r.year and q.day == r.month and q.month == r.day:
        return DATE["day_month_swapped"]
    same = (q.year == r.year) + (q.month == r.month) + (q.day == r.day)
    if same < 2:
        return DATE["different"]
    # One part differs: a digit slip (15/16, 03/30, 2014/2015) is closer than any other.
    for a, b in ((q.day, r.day), (q.month, r.month), (q.year, r.year)):
        if a != b:
            sa, sb = f"{a:02d}", f"{b:02d}"
            near = abs(a - b) == 1 or sorted(sa) == sorted(sb) or sum(x != y for x, y in zip(sa, sb)) == 1
            return DATE["close"] if near else DATE["one_part_differs"]
    return DATE["one_part_differs"]


def rank_score(q: Profile, p: Profile, comparison: Comparison, model: MatchModel) -> float:
    straight = (_graded(name_similarity(q.given, p.given), FORENAME) if q.given else 0.0) + (
        _graded(name_similarity(q.family, p.family, p.family_parts), SURNAME) if q.family else 0.0)
    crossed = (_graded(name_similarity(q.given, p.family, p.family_parts), FORENAME) if q.given else 0.0) + (
        _graded(name_similarity(q.family, p.given), SURNAME) if q.family else 0.0)
    score = max(straight, crossed - 1.0) + _date_score(q.date_of_birth, p.date_of_birth)
    weights = model.field_weights(comparison)
    return score + sum(weights.get(name, 0.0) for name in MODEL_FIELDS)

