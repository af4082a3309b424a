"""Ranking search results: how well a record answers what the officer typed.

Linkage weighs fields as independent evidence; a search ranks records that already share
a key with the query, mostly namesakes and near-namesakes born close together. There a
graded name similarity matters more than agreement levels: "Pegry" is nearly "Perry"
and nothing like "Wood", so names score on a continuous scale (Jaro-Winkler, with
nicknames, double-barrelled parts, swaps and typed prefixes counted as near-exact), and
a date that differs in one part scores close to an exact one. A name nothing like the
typed one costs more than a name two slips away ("Brd" is nearer "Birc" than "Roswell"),
and a year several years out counts for little. Postcode, identifiers, gender and middle
name keep the linkage model's weights.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from os.path import commonprefix

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from ffd_core.search.compare import FORENAME_DIFFERENT, SWAPPED, Comparison, Profile, is_assessed
from ffd_core.search.model import MatchModel
from ffd_core.search.names import same_by_nickname

FORENAME = (8.0, 4.0, 3.0)  # (weight when alike, penalty when not, more when nothing alike)
SURNAME = (10.0, 6.0, 4.0)
DATE = {"exact": 10.0, "day_month_swapped": 8.0, "close": 7.0, "near": 6.0, "one_part_differs": 5.0,
        "assessed_year": 4.0,
        "swapped_and_slipped": 4.0, "both_digits_differ": 3.0, "years_apart": 2.0, "different": -5.0}
ALIKE_FROM = 0.75  # similarity below which two names are not taken for one
NOTHING_ALIKE = 0.55  # ... and below which they share nothing at all
PART = 0.95  # one part of a double-barrelled name, matched on its own
# Particles and initials are not half a surname: Al-Hassan is not near Ali, nor De Souza Dean.
PARTICLES = frozenset({"al", "el", "ul", "da", "de", "di", "do", "du", "la", "le", "van", "von", "der",
                       "den", "ten", "ter", "bin", "ben", "ibn", "bint", "abu", "mac", "mc", "st"})
DIFFERENT_FORENAME_CEILING = 0.85
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
        return PART  # one half of a double-barrelled surname
    similarity = _spelling(query, record)
    if len(query) >= 2 and record.startswith(query):
        similarity = max(similarity, 0.9)  # typed the start of it: "Moh", "Smi"
    if len(query_parts) > 1 or len(record_parts) > 1:
        # Brown-Jckson typed, Jackson held: the best-matching parts, a little below a whole match.
        similarity = max(similarity, PART * best_part_spelling(query_parts or (query,), record_parts or (record,)))
    return similarity


def best_part_spelling(query_parts: Sequence[str], record_parts: Sequence[str],
                       spelling: Callable[[str, str], float] | None = None) -> float:
    """How alike the closest two parts are; particles and initials (Al, De, J) never count."""
    spelling = spelling or _spelling
    return max((spelling(a, b) for a in query_parts if _counts(a) for b in record_parts if _counts(b)),
               default=0.0)


def _counts(part: str) -> bool:
    return len(part) >= 2 and part not in PARTICLES


def _spelling(query: str, record: str) -> float:
    # Jaro-Winkler undervalues a slip in a short name (Kia/Kai); edit distance does not.
    return max(JaroWinkler.similarity(query, record),
               (1 + DamerauLevenshtein.normalized_similarity(query, record)) / 2)


def graded(similarity: float, weights: tuple[float, float, float]) -> float:
    """From the full weight for the same name down to the penalty for an unrelated one."""
    alike_weight, penalty, unrelated = weights
    if similarity >= ALIKE_FROM:
        alike = (similarity - ALIKE_FROM) / (1 - ALIKE_FROM)
        return alike_weight * alike - penalty * (1 - alike)
    unlike = min(1.0, (ALIKE_FROM - similarity) / (ALIKE_FROM - NOTHING_ALIKE))
    return -penalty - unrelated * unlike


def date_score(q: date | None, r: date | None) -> float:
    if q is None or r is None:
        return 0.0
    if q == r:
        return DATE["exact"]
    if q.year == r.year and q.day == r.month and q.month == r.day:
        return DATE["day_month_swapped"]
    if q.year == r.year and (is_assessed(q) or is_assessed(r)) and abs((q - r).days) > 1:
        return DATE["assessed_year"]  # an assessed age: only the year was ever known
    score = _one_part_score(q, r)
    if score == DATE["different"] and q.day <= 12 and q.year == r.year:
        # Day and month swapped on one side and a slip on the other: 05/07 for 04/07.
        swapped = _one_part_score(q.replace(day=q.month, month=q.day), r)
        if swapped >= DATE["near"]:
            return DATE["swapped_and_slipped"]
    return score


def _one_part_score(q: date, r: date) -> float:
    same = (q.year == r.year) + (q.month == r.month) + (q.day == r.day)
    if abs((q - r).days) == 1:
        return DATE["close"]  # a day out, even across a month's end
    if same < 2:
        return DATE["different"]
    if q.day != r.day:
        # A slipped day (15/16) or swapped digits (13/31) is the commonest date error.
        near = abs(q.day - r.day) == 1 or sorted(f"{q.day:02d}") == sorted(f"{r.day:02d}")
        return DATE["close"] if near else _digits(q.day, r.day)
    if q.month != r.month:
        return DATE["near"] if abs(q.month - r.month) == 1 else _digits(q.month, r.month)
    # A year one out is a slip; several years out is more often another child.
    return DATE["near"] if abs(q.year - r.year) == 1 else DATE["years_apart"]


def _digits(a: int, b: int) -> float:
    """One digit typed wrong (13/23) is a slip; both wrong (07/14) rarely is."""
    one = f"{a:02d}"[0] == f"{b:02d}"[0] or f"{a:02d}"[1] == f"{b:02d}"[1]
    return DATE["one_part_differs"] if one else DATE["both_digits_differ"]


def _forename_similarity(q: Profile, p: Profile, comparison: Comparison) -> float:
    similarity = name_similarity(q.given, p.given)
    if comparison[0] == FORENAME_DIFFERENT and not comparison[SWAPPED] and _other_ending(q.given, p.given):
        # Andrei and Andreea: alike to Jaro-Winkler, but a different ending makes another
        # name (often the other gender's), and the linkage comparison calls them different.
        # Spelling variants (Hussein/Husain, Stephen/Steven) differ inside and keep their score.
        similarity = min(similarity, DIFFERENT_FORENAME_CEILING)
    return similarity


def _other_ending(a: str, b: str) -> bool:
    common = len(commonprefix((a, b)))
    return common >= 3 and common >= min(len(a), len(b)) - 2


def _both(a: object, b: object, similarity: Callable[[], float], weights: tuple[float, float, float]) -> float:
    """A name missing on either side is no evidence either way, as a missing date is not."""
    return graded(similarity(), weights) if a and b else 0.0


def _any_forename(q: Profile, p: Profile, comparison: Comparison) -> float:
    """The legal forename's similarity, or a known-as, preferred or alias forename's."""
    best = _forename_similarity(q, p, comparison) if p.given else 0.0
    for _kind, name, _ in p.other_given:
        best = max(best, name_similarity(q.given, name))
    return best


def _any_surname(q: Profile, p: Profile) -> float:
    best = name_similarity(q.family, p.family, q.family_parts, p.family_parts) if p.family else 0.0
    for _kind, name, name_parts in p.other_family:
        best = max(best, name_similarity(q.family, name, q.family_parts, name_parts))
    return best


def rank_score(q: Profile, p: Profile, comparison: Comparison, model: MatchModel) -> float:
    """The evidence that record ``p`` is the child ``q`` describes; every name the record
    carries is tried and the best counts."""
    straight = (_both(q.given, p.given_names, lambda: _any_forename(q, p, comparison), FORENAME)
                + _both(q.family, p.family_names, lambda: _any_surname(q, p), SURNAME))
    crossed = (_both(q.given, p.family, lambda: name_similarity(q.given, p.family, (), p.family_parts), FORENAME)
               + _both(q.family, p.given, lambda: name_similarity(q.family, p.given), SURNAME))
    score = max(straight, crossed - 1.0) + date_score(q.date_of_birth, p.date_of_birth)
    weights = model.field_weights(comparison)
    return score + sum(weights.get(name, 0.0) for name in MODEL_FIELDS)



def shortlist(q: Profile, candidates: Sequence[tuple[int, str, str, date | None]], size: int,
              date_fit: Callable[[date | None], float] | None = None) -> list[int]:
    """Ids of the ``size`` candidates most like the query on names and date.

    Candidates are (id, given name, family name, date of birth), names normalised. Only
    rapidfuzz's C Jaro-Winkler is called, once per distinct name (namesakes are the norm
    among candidates), so hundreds of candidates cost about a millisecond; only the
    shortlist gets the full comparison.
    """
    if len(candidates) <= size or not (q.given or q.family):
        return [c[0] for c in candidates]
    names: dict[tuple[str, str], float] = {}

    def names_score(given_key: str, family_key: str) -> float:
        given, family = given_key.replace(" ", ""), family_key.replace(" ", "")

        def alike_given() -> float:
            return 0.97 if same_by_nickname(q.given, given) else _jw(q.given, given)

        def alike_family() -> float:
            alike = _jw(q.family, family)
            if " " in family_key or len(q.family_parts) > 1:
                alike = max(alike, PART * best_part_spelling(q.family_parts or (q.family,),
                                                             family_key.split(), _jw))
            return alike

        straight = _both(q.given, given, alike_given, FORENAME) + _both(q.family, family, alike_family, SURNAME)
        crossed = (_both(q.given, family, lambda: _jw(q.given, family), FORENAME)
                   + _both(q.family, given, lambda: _jw(q.family, given), SURNAME))
        return max(straight, crossed)

    scored = []
    for record_id, given_key, family_key, born in candidates:
        pair = (given_key, family_key)
        if pair not in names:
            names[pair] = names_score(given_key, family_key)
        fit = date_fit(born) if date_fit else 0.0
        scored.append((names[pair] + date_score(q.date_of_birth, born) + fit, record_id))
    scored.sort(reverse=True)
    return [record_id for _, record_id in scored[:size]]


_jw = JaroWinkler.similarity
