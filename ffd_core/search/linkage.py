"""Record linkage: group source records about the same child into one person.

Pure: records and officers' decisions in, people and scored pairs out. Steps: block,
compare, fit the Fellegi–Sunter model to these records, score every candidate pair, then
merge pairs into people strongest first, never merging across a "different child" pair.

Why a family guard on top of the model: Fellegi–Sunter adds field evidence as if fields
were independent, but within a family they are not. Twins share surname, date of birth,
address and often school; the sum of that agreement outweighs one different forename.
A different forename (not a nickname, typo, middle name or initial) therefore means
"different child" unless an NHS number or UPN says otherwise: a missed link costs an
officer a search, a wrong one shows one child's history on another's record.

Why namesakes wait: in a county of 200,000 children there is another child of the same
name born a day away, or the same forename and birthday under another surname. Living
elsewhere, anything short of the same names and date waits for an officer, unless a
brother's or sister's records show the family's move between the same two postcodes (a
second pass). Pairs that could not plausibly be one child never reach the review queue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ffd_core.search.blocking import candidate_pairs
from ffd_core.search.compare import (
    FIELDS,
    FORENAME_DIFFERENT,
    LEVELS,
    Comparison,
    Profile,
    compare,
    profile,
    reasons,
    shares_identifier,
)
from ffd_core.search.model import DEFAULT_MODEL, MatchModel, estimate_m, estimate_u
from ffd_core.search.progress import Progress, no_progress
from ffd_core.search.records import SourceRecord

Ref = tuple[str, str]  # (source, source_id)

NHS = FIELDS.index("nhs_number")
DOB = FIELDS.index("date_of_birth")
UPN = FIELDS.index("upn")
DOB_DIFFERENT = LEVELS["date_of_birth"].index("different")
DOB_ONE_PART = LEVELS["date_of_birth"].index("one_part_differs")
DOB_ASSESSED = LEVELS["date_of_birth"].index("assessed_year")
SURNAME = FIELDS.index("surname")
DOB_SWAPPED = LEVELS["date_of_birth"].index("day_month_swapped")
GENDER = FIELDS.index("gender")
SURNAME_TYPO = LEVELS["surname"].index("typo")
SURNAME_PART = LEVELS["surname"].index("part")
FORENAME_TYPO = LEVELS["forename"].index("typo")
# The same day of birth, as near as records give it (exact, or day and month swapped).
SAME_DAY = (LEVELS["date_of_birth"].index("exact"), DOB_SWAPPED, None)
POSTCODE_DISTRICT = LEVELS["postcode"].index("district")
POSTCODE_DIFFERENT = LEVELS["postcode"].index("different")
SURNAME_DIFFERENT = LEVELS["surname"].index("different")
ADDRESS = FIELDS.index("address")
POSTCODE = FIELDS.index("postcode")
FORENAME_MIDDLE = LEVELS["forename"].index("middle_name")
FORENAME_ONE_LETTER = LEVELS["forename"].index("one_letter_changed")
MIDDLE = FIELDS.index("middle_name")


@dataclass(frozen=True)
class Thresholds:
    """Match weights (log2 likelihood ratios): link at or above ``link``, review from ``review``."""

    link: float = 16.0
    review: float = 8.0


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Decision:
    """An officer's word on two records: the same child (confirm) or not (split)."""

    a: Ref
    b: Ref
    same: bool


@dataclass(frozen=True)
class PairScore:
    a: Ref
    b: Ref
    weight: float
    probability: float
    status: str  # "link" | "review" | "distinct"
    reasons: tuple[str, ...]
    apart: bool = False  # different children whatever the weight (family guard, NHS clash)


@dataclass
class LinkResult:
    people: list[tuple[Ref, ...]]  # every record in exactly one person, singletons included
    pairs: list[PairScore]  # every candidate pair that was compared
    model: MatchModel
    person_index: dict[Ref, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.person_index:
            self.person_index = {ref: i for i, refs in enumerate(self.people) for ref in refs}

    def same_person(self, a: Ref, b: Ref) -> bool:
        return self.person_index[a] == self.person_index[b]

    def possible_matches(self) -> list[PairScore]:
        """Pairs worth an officer's look: in the review band and not already one person."""
        return [p for p in self.pairs if p.status == "review" and not self.same_person(p.a, p.b)]


def is_distinct(comparison: Comparison) -> bool:
    """Different children whatever the rest says: the family guard, or clashing NHS numbers.
    Two UPNs are evidence, not proof: a pupil entered twice gets a second one."""
    if shares_identifier(comparison):
        return False
    if comparison[0] == FORENAME_DIFFERENT or comparison[NHS] == 1:
        return True
    # Zain and Zainab born the same day: a boy and a girl, twins, whatever the names share.
    return comparison[GENDER] == 1 and comparison[0] != 0 and comparison[DOB] in (0, DOB_SWAPPED)


# Why a pair waits for an officer: the first of its reasons, so the queue counts by it.
REVIEW = "review: "
KEYING_ERROR = "likely keying error: the same identifier on a different name and date of birth"
BELOW_LINK = "fits, but not well enough to link"


def likely_keying_error(comparison: Comparison) -> bool:
    """An identifier agrees but the child plainly does not: a number typed into the wrong record."""
    return (shares_identifier(comparison) and comparison[DOB] == DOB_DIFFERENT
            and (comparison[0] == FORENAME_DIFFERENT or comparison[SURNAME] == SURNAME_DIFFERENT))


@dataclass(frozen=True)
class PairFacts:
    """What the rest of the county says about a pair, beyond its two records."""

    both_names_common: bool = True  # both forename spellings are real names here
    twin_by_middle_name: bool = True  # the other system holds a child of that name born that day
    both_surnames_common: bool = True
    moved_together: bool = False  # a brother's or sister's records show the same two addresses


NO_FACTS = PairFacts()
# A family seen moving (a sibling's two records at the same two addresses) is as good as
# an old address in the history.
MOVED_TOGETHER = 8.0
MOVED_REASON = "the family moved: a brother's or sister's records show the same two addresses"


def _needs_review(comparison: Comparison, facts: PairFacts = NO_FACTS) -> str | None:
    """Evidence that is another child as often as a slip: an officer decides, not the score.

    A wholly different date of birth; a forename that is the other's middle name when the
    other's system also holds a child of that forename born that day (twins Hamza Aariz and
    Aariz Musa); a forename one letter from the other when both spellings are common names
    here (twins Lina and Linh, but Enily is a slip); a different surname with a date that
    is not the same (neighbours' children). And, living elsewhere, anything short of the
    same names and date: in a county of 200,000 children there is another Olivia Bell born
    a day apart, another Tommy Hall for Tommy Hill, another Imogen of that birthday under
    another surname. Returns why, or None.
    """
    if likely_keying_error(comparison):
        return KEYING_ERROR
    if shares_identifier(comparison):
        return None
    forename, surname, born = comparison[0], comparison[SURNAME], comparison[DOB]
    if born == DOB_DIFFERENT:
        return "date of birth differs"
    if forename == FORENAME_MIDDLE and facts.twin_by_middle_name:
        return "known by the other's middle name, and a twin may carry it"
    if forename == FORENAME_ONE_LETTER and facts.both_names_common and comparison[MIDDLE] != 0:
        return "forenames one letter apart, both common names"
    if surname == SURNAME_DIFFERENT and born not in SAME_DAY:
        return "a different surname and another date of birth"
    if comparison[POSTCODE] in (0, 1) or comparison[ADDRESS] in (0, 1) or facts.moved_together:
        return None
    if born not in SAME_DAY or born == DOB_SWAPPED:
        return "a namesake born on another day, living elsewhere"
    if surname in (SURNAME_DIFFERENT, SURNAME_PART):
        return "another surname or part of one, living elsewhere"
    if forename == FORENAME_MIDDLE:
        return "known by the other's middle name, living elsewhere"
    if (surname == SURNAME_TYPO and facts.both_surnames_common) or (
            forename == FORENAME_TYPO and facts.both_names_common):
        return "two real names spelt alike, living elsewhere"
    return None


def plausible(comparison: Comparison, moved_together: bool = False) -> bool:
    """Could an officer reasonably find these the same child? The floor of the review queue:
    two of forename, surname and date of birth agree (a slip, a nickname, a part, a changed
    surname), or all but the date when the home agrees too. Two Tobys born years apart in
    one postcode are neighbours, not a question."""
    if shares_identifier(comparison):
        return True
    forename, surname, born = comparison[0], comparison[SURNAME], comparison[DOB]
    names = (forename is not None and forename <= FORENAME_MIDDLE) + (surname is not None and surname < SURNAME_DIFFERENT)
    home = comparison[POSTCODE] in (0, 1) or comparison[ADDRESS] in (0, 1) or moved_together
    near = home or comparison[MIDDLE] == 0
    if born == DOB_DIFFERENT:
        return names == 2 and home
    if born in (None, DOB_ONE_PART, DOB_ASSESSED) and not near:
        return False  # namesakes born another month or year, or undated, living elsewhere
    if comparison[SURNAME] == SURNAME_DIFFERENT and not near:
        return False  # a namesake born that day elsewhere in the county, far more often than not
    return names + (born is not None) >= 2


class _NameCounts:
    """How often each forename spelling occurs (a spelling seen once or twice is a slip), and
    who is born on each day under each forename in each system (a twin's own record)."""

    COMMON = 3

    def __init__(self, profiles: Sequence[Profile]) -> None:
        self.counts = Counter(p.given for p in profiles)
        self.family_counts = Counter(p.family for p in profiles)
        self.born = {(p.ref[0], p.given, p.family, p.date_of_birth) for p in profiles if p.date_of_birth}

    def both_common(self, a: Profile, b: Profile) -> bool:
        return self.counts[a.given] >= self.COMMON and self.counts[b.given] >= self.COMMON

    def both_surnames_common(self, a: Profile, b: Profile) -> bool:
        return self.family_counts[a.family] >= self.COMMON and self.family_counts[b.family] >= self.COMMON

    def twin_by_middle_name(self, a: Profile, b: Profile) -> bool:
        """``a`` goes by ``b``'s middle name: does ``b``'s system hold a child of that
        forename and ``b``'s surname born on ``b``'s birthday? Then ``a`` may be that child,
        ``b``'s twin."""
        if b.given in a.middle_parts:
            a, b = b, a
        # Either record's date: one of them may have day and month swapped.
        return any((b.ref[0], a.given, b.family, born) in self.born for born in (b.date_of_birth, a.date_of_birth))


def link_records(
    records: Sequence[SourceRecord],
    decisions: Iterable[Decision] = (),
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    model: MatchModel | None = None,
    progress: Progress = no_progress,
    seed: int = 0,
) -> LinkResult:
    """Group ``records`` into people. Without a ``model`` one is fitted to these records."""
    progress(0, 5, "profiling records")
    profiles = [profile(r) for r in records]
    progress(1, 5, "finding candidate pairs")
    index_pairs = sorted(candidate_pairs(profiles))
    progress(2, 5, "comparing candidate pairs")
    comparisons = [compare(profiles[i], profiles[j]) for i, j in index_pairs]
    if model is None:
        progress(3, 5, "estimating the match model")
        model = estimate_m(comparisons, estimate_u(profiles, seed=seed))
    progress(4, 5, "grouping records into people")
    names = _NameCounts(profiles)
    facts = [PairFacts(names.both_common(profiles[i], profiles[j]),
                       c[0] == FORENAME_MIDDLE and names.twin_by_middle_name(profiles[i], profiles[j]),
                       names.both_surnames_common(profiles[i], profiles[j]))
             for (i, j), c in zip(index_pairs, comparisons)]
    scored = [_score(profiles[i].ref, profiles[j].ref, c, model, thresholds, f)
              for (i, j), c, f in zip(index_pairs, comparisons, facts)]
    # Families move together: where a sibling's linked records sit at the same two
    # addresses, a held pair living "elsewhere" is the same move, not a namesake.
    moves = _moves(profiles, index_pairs, comparisons, scored)
    for n, ((i, j), c) in enumerate(zip(index_pairs, comparisons)):
        if scored[n].status != "link" and not scored[n].apart and _move(profiles[i], profiles[j], c) in moves:
            scored[n] = _score(profiles[i].ref, profiles[j].ref, c, model, thresholds,
                               replace(facts[n], moved_together=True))
    people = _cluster([p.ref for p in profiles], scored, list(decisions))
    progress(5, 5, "done")
    return LinkResult(people=people, pairs=scored, model=model)


def _move(a: Profile, b: Profile, comparison: Comparison) -> frozenset[str] | None:
    """The two postcodes of a pair living apart (None when they live at one address)."""
    if comparison[POSTCODE] not in (POSTCODE_DISTRICT, POSTCODE_DIFFERENT) or comparison[ADDRESS] in (0, 1):
        return None
    return frozenset((a.postcode, b.postcode))


def _moves(profiles: Sequence[Profile], index_pairs, comparisons, scored) -> set[frozenset[str]]:  # noqa: ANN001
    """Pairs of postcodes that linked records of one child sit at: a family's move."""
    moves = set()
    for (i, j), c, pair in zip(index_pairs, comparisons, scored):
        if pair.status == "link":
            move = _move(profiles[i], profiles[j], c)
            if move:
                moves.add(move)
    return moves


def score_pair(a: SourceRecord | Profile, b: SourceRecord | Profile, model: MatchModel = DEFAULT_MODEL,
               thresholds: Thresholds = DEFAULT_THRESHOLDS) -> PairScore:
    pa = a if isinstance(a, Profile) else profile(a)
    pb = b if isinstance(b, Profile) else profile(b)
    return _score(pa.ref, pb.ref, compare(pa, pb), model, thresholds, explain=True)


def _score(a: Ref, b: Ref, comparison: Comparison, model: MatchModel, thresholds: Thresholds,
           facts: PairFacts = NO_FACTS, explain: bool = False) -> PairScore:
    """The pair's weight and status; its reasons when it links or waits for review (or
    ``explain``: a county's distinct pairs are never shown, and wording them is not free)."""
    weight = model.weight(comparison) + (MOVED_TOGETHER if facts.moved_together else 0.0)
    apart = is_distinct(comparison)
    held = None if apart else _needs_review(comparison, facts)
    if held == KEYING_ERROR:
        status = "review"  # whatever the score: an identifier is evidence, not proof
    elif apart or not plausible(comparison, facts.moved_together):
        status = "distinct"
    elif weight >= thresholds.link and held is None:
        status = "link"
    elif weight >= thresholds.review:
        status, held = "review", held or BELOW_LINK
    else:
        status = "distinct"
    why = ()
    if explain or status != "distinct":
        why = reasons(comparison) + ((MOVED_REASON,) if facts.moved_together else ())
    if status == "review":
        why = (REVIEW + held, *why)
    return PairScore(a, b, round(weight, 3), model.probability(weight), status, why, apart)


class _People:
    """Union-find over records that refuses merges across a "different child" pair."""

    def __init__(self, refs: Sequence[Ref]) -> None:
        self.parent = {r: r for r in refs}
        self.members = {r: [r] for r in refs}
        self.apart: dict[Ref, set[Ref]] = {}

    def find(self, ref: Ref) -> Ref:
        root = ref
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[ref] != root:
            self.parent[ref], ref = root, self.parent[ref]
        return root

    def keep_apart(self, a: Ref, b: Ref) -> None:
        self.apart.setdefault(a, set()).add(b)
        self.apart.setdefault(b, set()).add(a)

    def merge(self, a: Ref, b: Ref) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if len(self.members[ra]) > len(self.members[rb]):
            ra, rb = rb, ra
        for member in self.members[ra]:
            for other in self.apart.get(member, ()):
                if self.find(other) == rb:
                    return False
        self.parent[ra] = rb
        self.members[rb].extend(self.members.pop(ra))
        return True

    def groups(self) -> list[tuple[Ref, ...]]:
        return [tuple(sorted(m)) for m in self.members.values()]


def _cluster(refs: Sequence[Ref], scored: Sequence[PairScore], decisions: Sequence[Decision]) -> list[tuple[Ref, ...]]:
    people = _People(refs)
    known = set(refs)
    relevant = [d for d in decisions if d.a in known and d.b in known]
    for d in relevant:
        if not d.same:
            people.keep_apart(d.a, d.b)
    for d in relevant:  # an officer's confirmation beats any score
        if d.same:
            people.merge(d.a, d.b)
    for pair in scored:
        if pair.apart:
            people.keep_apart(pair.a, pair.b)
    for pair in sorted((p for p in scored if p.status == "link"), key=lambda p: -p.weight):
        people.merge(pair.a, pair.b)
    return sorted(people.groups())

