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

from collections.abc import Sequence
from datetime import date

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from ffd_core.search.compare import Comparison, Profile
from ffd_core.search.model import MatchModel
from ffd_core.search.names import same_by_nickname

FORENAME = (8.0, 4.0)  # (weight when alike, penalty when not)
SURNAME = (10.0, 6.0)
DATE = {"exact": 10.0, "day_month_swapped": 8.0, "close": 7.0, "near": 6.0, "one_part_differs": 5.0,
        "different": -2.0}
MODEL_FIELDS = ("postcode", "nhs_number", "upn", "gender", "middle_name")


def name_similarity(query: str, record: str, query_parts: tuple[str, ...] = (),
                    record_parts: tuple[str, ...] = ()) -> float:
    """1.0 for the same name, near 1 for a nickname, a part or a typed prefix, else Jaro-Winkler."""
    if not query or not record:
        return 0.0
    if query == record:
        return 1.0
    if same_by_nickname(query, record):
        return 0.97
    if query in record_parts or record in query_parts:
        return 0.95  # one half of a double-barrelled surname
    similarity = JaroWinkler.similarity(query, record)
    if len(query) >= 2 and record.startswith(query):
        similarity = max(similarity, 0.9)
    # Jaro-Winkler undervalues a slip in a short name (Kia/Kai); edit distance does not.
    return max(similarity, (1 + DamerauLevenshtein.normalized_similarity(query, record)) / 2)


def graded(similarity: float, weights: tuple[float, float]) -> float:
    alike = min(1.0, max(0.0, (similarity - 0.75) / 0.25))
    return weights[0] * alike - weights[1] * (1 - alike)


def date_score(q: date | None, r: date | None) -> float:
    if q is None or r is None:
        return 0.0
    if q == r:
        return DATE["exact"]
    if q.year == r.year and q.day == r.month and q.month == r.day:
        return DATE["day_month_swapped"]
    same = (q.year == r.year) + (q.month == r.month) + (q.day == r.day)
    if same < 2:
        return DATE["different"]
    if q.day != r.day:
        # A slipped day (15/16) or swapped digits (13/31) is the commonest date error.
        near = abs(q.day - r.day) == 1 or sorted(f"{q.day:02d}") == sorted(f"{r.day:02d}")
        return DATE["close"] if near else DATE["one_part_differs"]
    near = abs(q.year - r.year) == 1 if q.month == r.month else abs(q.month - r.month) == 1
    return DATE["near"] if near else DATE["one_part_differs"]


def rank_score(q: Profile, p: Profile, comparison: Comparison, model: MatchModel) -> float:
    straight = (graded(name_similarity(q.given, p.given), FORENAME) if q.given else 0.0) + (
        graded(name_similarity(q.family, p.family, q.family_parts, p.family_parts), SURNAME) if q.family else 0.0)
    crossed = (graded(name_similarity(q.given, p.family, (), p.family_parts), FORENAME) if q.given else 0.0) + (
        graded(name_similarity(q.family, p.given), SURNAME) if q.family else 0.0)
    score = max(straight, crossed - 1.0) + date_score(q.date_of_birth, p.date_of_birth)
    weights = model.field_weights(comparison)
    return score + sum(weights.get(name, 0.0) for name in MODEL_FIELDS)



def shortlist(q: Profile, candidates: Sequence[tuple[int, str, str, date | None]], size: int) -> list[int]:
    """Ids of the ``size`` candidates most like the query on names and date.

    Candidates are (id, given name, family name, date of birth), names normalised. Only
    rapidfuzz's C Jaro-Winkler is called per name, so hundreds of candidates cost about a
    millisecond; only the shortlist gets the full comparison.
    """
    if len(candidates) <= size or not (q.given or q.family):
        return [c[0] for c in candidates]
    similarity = JaroWinkler.similarity
    scored = []
    for record_id, given_key, family_key, born in candidates:
        given, family = given_key.replace(" ", ""), family_key.replace(" ", "")
        straight = crossed = 0.0
        if q.given:
            alike = 0.97 if same_by_nickname(q.given, given) else similarity(q.given, given)
            straight += graded(alike, FORENAME)
            crossed += graded(similarity(q.given, family), FORENAME)
        if q.family:
            straight += graded(similarity(q.family, family), SURNAME)
            crossed += graded(similarity(q.family, given), SURNAME)
        scored.append((max(straight, crossed) + date_score(q.date_of_birth, born), record_id))
    scored.sort(reverse=True)
    return [record_id for _, record_id in scored[:size]]
