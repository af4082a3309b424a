"""What the county's two case systems hold about its children, errors and all.

Social care (Framework-i) knows a minority of children, typed in from phone calls and
forms; education (Capita ONE) knows every child on a school roll. Each record is made
from the true child, then spoiled the way real records are: nicknames, typos, a day and
month swapped, an old address, half of a double-barrelled surname, forename and surname
swapped, no NHS number, and the occasional second record for the same child. The ground
truth (which child each record is about) comes with them, so linkage can be scored.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from ffd_core.search.names import NICKNAME_GROUPS, compact, same_by_nickname
from ffd_core.search.records import EDUCATION, SOCIAL_CARE, SourceRecord
from ffd_core.synthetic.population import UNBORN_GIVEN_NAME, Population, TrueChild


@dataclass(frozen=True)
class ErrorRates:
    """Chance that one record carries each kind of error."""

    nickname: float
    forename_typo: float
    surname_typo: float
    day_month_swap: float
    date_typo: float
    missing_date: float
    moved_address: float
    name_swap: float
    no_middle_name: float
    shouting_case: float  # "O BRIEN" typed in capitals without the apostrophe
    no_accents: float
    duplicate: float  # a second record for the same child in the same system


SOCIAL_CARE_ERRORS = ErrorRates(
    nickname=0.08, forename_typo=0.04, surname_typo=0.04, day_month_swap=0.02, date_typo=0.02,
    missing_date=0.01, moved_address=0.12, name_swap=0.01, no_middle_name=0.5,
    shouting_case=0.05, no_accents=0.5, duplicate=0.03,
)
EDUCATION_ERRORS = ErrorRates(
    nickname=0.03, forename_typo=0.015, surname_typo=0.015, day_month_swap=0.005, date_typo=0.005,
    missing_date=0.0, moved_address=0.06, name_swap=0.002, no_middle_name=0.2,
    shouting_case=0.0, no_accents=0.3, duplicate=0.01,
)


@dataclass(frozen=True)
class SourceExtract:
    records: tuple[SourceRecord, ...]
    truth: Mapping[tuple[str, str], str]  # (source, source_id) -> true child key

    def true_key(self, record: SourceRecord | tuple[str, str]) -> str:
        return self.truth[record.ref if isinstance(record, SourceRecord) else record]

    def of(self, source: str) -> tuple[SourceRecord, ...]:
        return tuple(r for r in self.records if r.source == source)


def build_sources(
    population: Population,
    seed: int,
    as_of: date,
    *,
    social_care_share: float = 0.3,
    social_care_errors: ErrorRates = SOCIAL_CARE_ERRORS,
    education_errors: ErrorRates = EDUCATION_ERRORS,
) -> SourceExtract:
    """Both systems' records for ``population``, deterministic for a given seed."""
    rng = random.Random(seed)
    spoiler = _Spoiler(rng, population)
    records: list[SourceRecord] = []
    truth: dict[tuple[str, str], str] = {}
    ids = _Ids(rng)
    updated = _UpdateTimes(rng, as_of)
    builders = _Builders(rng)

    def emit(child: TrueChild, source: str, errors: ErrorRates, build: Callable[..., SourceRecord]) -> None:
        copies = 2 if rng.random() < errors.duplicate else 1
        for _ in range(copies):
            record = spoiler.spoil(build(child, ids.next(source), updated.next()), child, errors)
            records.append(record)
            truth[record.ref] = child.key

    for child in population.children:
        # Unborn babies and children under social care's eye: known through their families.
        if child.unborn or rng.random() < social_care_share:
            emit(child, SOCIAL_CARE, social_care_errors, builders.social_care)
        if child.school is not None:
            emit(child, EDUCATION, education_errors, builders.education)
    return SourceExtract(tuple(records), truth)


class _Ids:
    """Opaque, unique, source-shaped identifiers (Framework-i person ids, ONE person ids)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def next(self, source: str) -> str:
        while True:
            value = (f"{self.rng.randrange(10**6, 10**7)}" if source == SOCIAL_CARE
                     else f"ONE{self.rng.randrange(10**7, 10**8)}")
            if value not in self.used:
                self.used.add(value)
                return value


class _UpdateTimes:
    """Last-changed instants over the two years before ``as_of``, for "changed since" sync."""

    def __init__(self, rng: random.Random, as_of: date) -> None:
        self.rng = rng
        self.end = datetime.combine(as_of, time(0), tzinfo=UTC)

    def next(self) -> datetime:
        return self.end - timedelta(seconds=self.rng.randrange(2 * 365 * 86400))


TEAMS = ("Front Door North", "Front Door South", "Children in Need Brackenford",
         "Children in Need Thornwick", "Child Protection East", "Child Protection West",
         "Children in Care", "Disabled Children's Team", "Leaving Care")
WORKERS = ("Priya Nair", "Tom Gallagher", "Sian Roberts", "Kwame Boateng", "Helen Marsh",
           "Joanna Kowalczyk", "Imran Qureshi", "Beth Holloway", "Martin Shaw", "Grace Adeyemi",
           "Lucy Fenwick", "Daniel Okoro", "Rachel Stone", "Amir Haddad", "Claire Whitfield")
FLAGS = ("domestic abuse in household", "missing episodes", "risk of exploitation",
         "young carer", "disabled child", "parental substance misuse", "no recourse to public funds")


class _Builders:
    """The true child as each system would hold it before any error creeps in."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _common(self, child: TrueChild, source: str, source_id: str, updated_at: datetime) -> SourceRecord:
        return SourceRecord(
            source=source, source_id=source_id, given_name=child.given_name,
            middle_name=child.middle_name, family_name=child.family_name,
            date_of_birth=child.date_of_birth, gender=child.gender, ethnicity=child.ethnicity,
            address_line1=child.address.line1, town=child.address.town,
            postcode=child.address.postcode, updated_at=updated_at,
        )

    def social_care(self, child: TrueChild, source_id: str, updated_at: datetime) -> SourceRecord:
        rng = self.rng
        worker = rng.choice(WORKERS) if rng.random() < 0.35 else None
        episodes = []
        roll = rng.random()
        if roll < 0.03:
            episodes.append("looked_after")
        elif roll < 0.07:
            episodes.append("child_protection_plan")
        elif roll < 0.2:
            episodes.append("child_in_need")
        details = {
            "allocated_worker": worker,
            "team": rng.choice(TEAMS) if worker else None,
            "worker_phone": f"01632 960{rng.randrange(1000):03d}" if worker else None,  # Ofcom drama range
            "worker_email": (f"{worker.lower().replace(' ', '.')}@brackenshire.example" if worker else None),
            "open_episodes": episodes,
            "flags": rng.sample(FLAGS, k=1) if rng.random() < 0.15 else [],
        }
        record = self._common(child, SOCIAL_CARE, source_id, updated_at)
        return replace(
            record,
            given_name="Unborn" if child.unborn and rng.random() < 0.5 else ("Baby" if child.unborn else child.given_name),
            nhs_number=child.nhs_number if not child.unborn and rng.random() < 0.6 else None,
            upn=child.upn if child.upn and rng.random() < 0.15 else None,
            school=child.school if child.school and rng.random() < 0.5 else None,
            details=details,
        )

    def education(self, child: TrueChild, source_id: str, updated_at: datetime) -> SourceRecord:
        rng = self.rng
        details = {
            "attendance_percent": round(min(100.0, rng.gauss(94, 5)), 1),
            "exclusions": 0 if rng.random() < 0.95 else rng.randint(1, 4),
            "sen_status": rng.choices(("none", "sen_support", "ehc_plan"), (83, 13, 4))[0],
            "free_school_meals": rng.random() < 0.24,
        }
        record = self._common(child, EDUCATION, source_id, updated_at)
        return replace(record, upn=child.upn, school=child.school, year_group=child.year_group, details=details)


# --- Spoiling ------------------------------------------------------------------------

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {
    ch: "".join(
        row2[j] for row2_index, row2 in enumerate(_KEYBOARD_ROWS) for j in range(len(row2))
        if abs(row2_index - r) <= 1 and abs(j - c) <= 1 and row2[j] != ch
    )
    for r, row in enumerate(_KEYBOARD_ROWS) for c, ch in enumerate(row)
}
_SOUND_SWAPS = (("ph", "f"), ("ie", "y"), ("ey", "y"), ("ck", "k"), ("mc", "mac"), ("ll", "l"),
                ("tt", "t"), ("nn", "n"), ("ss", "s"), ("th", "t"), ("ou", "o"), ("ai", "ay"))

# What a clerk writes for a child: the formal name, or a short form that grows from it.
_NICKNAMES_OF: dict[str, list[str]] = {}
for _group in NICKNAME_GROUPS:
    for _name in _group:
        _NICKNAMES_OF.setdefault(_name, []).extend(
            n for n in _group if n != _name and same_by_nickname(n, _name)
        )


def typo(name: str, rng: random.Random) -> str:
    """One slip of the keyboard or the ear: substitute, drop, double, transpose or respell."""
    if len(name) < 3:
        return name
    lower = name.lower()
    kind = rng.random()
    if kind < 0.25:
        for old, new in rng.sample(_SOUND_SWAPS, len(_SOUND_SWAPS)):
            at = lower.find(old, 1)
            if at > 0:
                return _recase(name, lower[:at] + new + lower[at + len(old):])
    i = rng.randrange(1, len(name))  # first letters are rarely wrong
    if kind < 0.5 and lower[i] in _NEIGHBOURS:
        changed = lower[:i] + rng.choice(_NEIGHBOURS[lower[i]]) + lower[i + 1:]
    elif kind < 0.7:
        changed = lower[:i] + lower[i + 1:]
    elif kind < 0.85 and i < len(name) - 1:
        changed = lower[:i] + lower[i + 1] + lower[i] + lower[i + 2:]
    else:
        changed = lower[:i] + lower[i] + lower[i:]
    return _recase(name, changed)


def _recase(original: str, lower: str) -> str:
    """Keep capitals at the start of each part, as the original was written."""
    out = []
    capital_next = True
    for ch in lower:
        out.append(ch.upper() if capital_next else ch)
        capital_next = ch in " -'"
    return "".join(out) if original[:1].isupper() else lower


def swap_day_month(dob: date) -> date:
    if dob.day > 12 or dob.day == dob.month:
        return dob
    return dob.replace(day=dob.month, month=dob.day)


class _Spoiler:
    def __init__(self, rng: random.Random, population: Population) -> None:
        self.rng = rng
        self.households = population.households

    def spoil(self, record: SourceRecord, child: TrueChild, errors: ErrorRates) -> SourceRecord:
        rng = self.rng
        given, middle, family = record.given_name, record.middle_name, record.family_name
        dob = record.date_of_birth
        changes: dict = {}
        known = given not in (UNBORN_GIVEN_NAME, "Baby")
        if known and rng.random() < errors.nickname:
            options = _NICKNAMES_OF.get(compact(given))
            if options:
                given = rng.choice(options).capitalize()
        if known and rng.random() < errors.forename_typo:
            given = typo(given, rng)
        if "-" in family and rng.random() < 0.4:
            halves = family.split("-")
            family = rng.choice((halves[0], halves[-1], " ".join(halves)))
        if rng.random() < errors.surname_typo:
            family = typo(family, rng)
        if middle and rng.random() < errors.no_middle_name:
            middle = None
        if known and rng.random() < errors.name_swap:
            given, family = family, given
        if dob is not None:
            if rng.random() < errors.day_month_swap:
                dob = swap_day_month(dob)
            if rng.random() < errors.date_typo:
                dob = self._date_slip(dob)
            if rng.random() < errors.missing_date:
                dob = None
        if rng.random() < errors.moved_address:
            # The record still has the family's old address; the true one is in the history.
            elsewhere = self.households[rng.randrange(len(self.households))].address
            changes.update(address_line1=elsewhere.line1, town=elsewhere.town, postcode=elsewhere.postcode)
        elif record.source == SOCIAL_CARE and rng.random() < 0.2:
            other = self.households[rng.randrange(len(self.households))].address
            changes.update(previous_postcodes=(other.postcode,))
        if rng.random() < errors.no_accents:
            given, family = _strip_accents(given), _strip_accents(family)
        if rng.random() < errors.shouting_case:
            family = family.upper().replace("'", " ").replace("  ", " ")
        return replace(record, given_name=given, middle_name=middle, family_name=family,
                       date_of_birth=dob, **changes)

    def _date_slip(self, dob: date) -> date:
        rng = self.rng
        kind = rng.random()
        try:
            if kind < 0.5:
                return dob.replace(day=max(1, min(28, dob.day + rng.choice((-10, -1, 1, 10)))))
            if kind < 0.8:
                return dob.replace(year=dob.year + rng.choice((-1, 1)))
            return dob.replace(month=max(1, min(12, dob.month + rng.choice((-1, 1)))))
        except ValueError:
            return dob


def _strip_accents(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
