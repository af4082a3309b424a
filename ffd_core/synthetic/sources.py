"""What the county's two case systems hold about its children, errors and all.

Social care (Framework-i) knows a minority of children, typed in from phone calls and
forms; education (Capita ONE) knows every child on a school roll. Each record is made
from the true child, then given the discrepancies real records of one child carry between
the two systems, at the rates in :class:`Discrepancies`: a known-as name, a spelling
variant, a middle name used, a changed or hyphenated surname, naming customs, typos, dates
swapped, slipped, missing or assessed (01/01), a stale address, a postcode without its
space, a mistyped NHS number, a second record in social care, a pupil under two UPNs. The
ground truth (which child each record is about, and which discrepancies it drew) comes
with them, so linkage and search can be scored per discrepancy.
"""

from __future__ import annotations

import random
import unicodedata
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources

from ffd_core.search.identifiers import is_valid_nhs_number, upn_check_letter
from ffd_core.search.names import NICKNAME_GROUPS, compact, same_by_nickname
from ffd_core.search.records import EDUCATION, SOCIAL_CARE, SourceRecord
from ffd_core.synthetic.names import POOLS, display_surname
from ffd_core.synthetic.population import UNBORN_GIVEN_NAME, Population, TrueChild


@dataclass(frozen=True)
class Discrepancies:
    """How often the two records of a child known to both systems disagree, by kind.

    Round figures from front doors' experience. Each kind is drawn once per child; most
    land on the social care record (typed in from calls and forms), some on either side.
    """

    known_as: float = 0.05  # social care's forename is the name the child is known by
    spelling_variant: float = 0.03  # Mohammed/Muhammad, Kacper/Kasper, a "Muhammad" prefix
    middle_name_used: float = 0.02  # known by a middle name
    surname_changed: float = 0.05  # after separation or remarriage; one system stale
    hyphenation: float = 0.03  # hyphenated in one system and not the other
    names_swapped: float = 0.01
    forename_typo: float = 0.02
    surname_typo: float = 0.025
    naming_custom: float = 0.02  # Singh/Kaur, Begum, a father's name as surname, -ska/-ski
    day_month_swapped: float = 0.02  # where the day is 12 or less
    date_one_day_out: float = 0.01
    date_missing: float = 0.005  # in social care
    assessed_date: float = 1 / 3  # of unaccompanied asylum-seeking children aged 14+
    moved: float = 0.15  # the family moved and one system is stale
    postcode_without_space: float = 0.10  # in lower case some of the time
    nhs_mistyped: float = 0.005  # failing its check digit
    duplicate_in_social_care: float = 0.02
    duplicate_upn: float = 0.003  # a pupil on the roll twice under two UPNs
    # Background: what else varies between records.
    no_middle_name_social_care: float = 0.5
    no_middle_name_education: float = 0.2
    no_accents: float = 0.5
    shouting_case: float = 0.05
    preferred_name_at_school: float = 0.8  # the school records the known-as name too
    former_surname_kept: float = 0.4  # the up-to-date system keeps the old surname


DISCREPANCIES = Discrepancies()
# About the error mix of the previous release's generator (nicknames, typos, dates, stale
# addresses, duplicates; no changed surnames, customs, middle names or spelling variants):
# to compare search figures with that release's on like data.
PREVIOUS_RELEASE_MIX = Discrepancies(
    known_as=0.08, spelling_variant=0.0, middle_name_used=0.0, surname_changed=0.0, hyphenation=0.012,
    names_swapped=0.01, forename_typo=0.04, surname_typo=0.04, naming_custom=0.0, day_month_swapped=0.02,
    date_one_day_out=0.01, date_missing=0.01, assessed_date=0.0, moved=0.12, postcode_without_space=0.0,
    nhs_mistyped=0.0, duplicate_in_social_care=0.03, duplicate_upn=0.0, preferred_name_at_school=0.0,
)
KINDS = tuple(name for name in Discrepancies.__dataclass_fields__ if not name.startswith(
    ("no_", "shouting", "preferred_", "former_")))


@dataclass(frozen=True)
class SourceExtract:
    records: tuple[SourceRecord, ...]
    truth: Mapping[tuple[str, str], str]  # (source, source_id) -> true child key
    # (source, source_id) -> the discrepancy kinds drawn for that record's child
    discrepancies: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

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
    discrepancies: Discrepancies = DISCREPANCIES,
) -> SourceExtract:
    """Both systems' records for ``population``, deterministic for a given seed."""
    rng = random.Random(seed)
    spoiler = _Spoiler(rng, population, discrepancies, as_of)
    records: list[SourceRecord] = []
    truth: dict[tuple[str, str], str] = {}
    drawn: dict[tuple[str, str], tuple[str, ...]] = {}
    ids = _Ids(rng)
    updated = _UpdateTimes(rng, as_of)
    builders = _Builders(rng)

    for child in population.children:
        kinds = spoiler.draw(child)
        made: list[SourceRecord] = []
        # Unborn babies and children under social care's eye: known through their families,
        # so brothers and sisters are mostly known together.
        family_known = zlib.crc32(f"{child.household_key}:social care".encode()) % 1000 < social_care_share * 1000
        if child.unborn or rng.random() < (SIBLINGS_KNOWN if family_known else ALONE_KNOWN):
            made.append(spoiler.social_care(builders.social_care(child, ids.next(SOCIAL_CARE), updated.next()),
                                            child, kinds))
            if "duplicate_in_social_care" in kinds:
                made.append(spoiler.duplicate(builders.social_care(child, ids.next(SOCIAL_CARE), updated.next()),
                                              child, kinds))
        if child.school is not None:
            made.append(spoiler.education(builders.education(child, ids.next(EDUCATION), updated.next()),
                                          child, kinds))
            if "duplicate_upn" in kinds:
                second = builders.education(child, ids.next(EDUCATION), updated.next())
                made.append(spoiler.education(replace(second, upn=spoiler.other_upn(child)), child, kinds))
        for record in made:
            records.append(record)
            truth[record.ref] = child.key
            drawn[record.ref] = kinds
    return SourceExtract(tuple(records), truth, drawn)


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


SIBLINGS_KNOWN = 0.9  # children of a family social care knows, that it holds a record of
ALONE_KNOWN = 0.03  # ... and of other families (a contact about one child)
PER_HOUSEHOLD = ("assessed_date", "moved")  # drawn otherwise than child by child
# Drawn more often where they can apply, so that the rate holds over all children.
CONDITIONAL = {"middle_name_used": 1 / 0.62, "day_month_swapped": 1 / 0.38}
PET_NAMES = ("Jay", "Bee", "Kiki", "Bubba", "Tia", "Mo", "Nana", "Sunny", "Rocky", "Dee")
# Respellings parents and clerks make (at the end only where marked with $).
SPELLING_KINDS = (("ie$", "y"), ("y$", "ie"), ("ey$", "y"), ("ph", "f"), ("ll", "l"), ("nn", "n"),
                  ("tt", "t"), ("l", "ll"), ("n", "nn"))


class _Spoiler:
    def __init__(self, rng: random.Random, population: Population, rates: Discrepancies, as_of: date) -> None:
        self.rng = rng
        self.population = population
        self.households = population.households
        self.rates = rates
        self.as_of = as_of
        self.spellings = _spelling_groups()
        self.upn_serial = 0

    def draw(self, child: TrueChild) -> tuple[str, ...]:
        """The discrepancy kinds this child's records carry (only those that can apply)."""
        rng, rates = self.rng, self.rates
        kinds = [kind for kind in KINDS if kind not in PER_HOUSEHOLD and rng.random() < getattr(rates, kind) * (
            CONDITIONAL.get(kind, 1.0))]
        # A family moves together: one system has the whole household at the old address.
        if zlib.crc32(f"{child.household_key}:moved".encode()) % 100_000 < rates.moved * 100_000:
            kinds.append("moved")
        if child.asylum_seeking and rng.random() < rates.assessed_date:
            kinds.append("assessed_date")
        if child.unborn:
            kinds = [k for k in kinds if k in ("moved", "postcode_without_space", "duplicate_in_social_care")]
        if not child.middle_name and "middle_name_used" in kinds:
            kinds.remove("middle_name_used")
        if swap_day_month(child.date_of_birth) == child.date_of_birth and "day_month_swapped" in kinds:
            kinds.remove("day_month_swapped")
        return tuple(kinds)

    # --- each system's record -----------------------------------------------------

    def social_care(self, record: SourceRecord, child: TrueChild, kinds: tuple[str, ...]) -> SourceRecord:
        rng, rates = self.rng, self.rates
        given, middle, family = record.given_name, record.middle_name, record.family_name
        dob = record.date_of_birth
        known = given not in (UNBORN_GIVEN_NAME, "Baby")
        changes: dict = {}
        if known:
            if "known_as" in kinds:
                given = self.known_as(child)
            if "spelling_variant" in kinds:
                given = self.spelling(given, child)
            if "middle_name_used" in kinds and middle:
                given, middle = middle, None
            if "forename_typo" in kinds:
                given = typo(given, rng)
        if "surname_changed" in kinds:
            family, changes = self.changed_surname(child, stale=self._stale_side(child, "surname"), ours=SOCIAL_CARE)
        if "hyphenation" in kinds:
            family = self.hyphenated(family, child)
        if "naming_custom" in kinds:
            family = self.custom_surname(child, family)
        if "surname_typo" in kinds:
            family = typo(family, rng)
        if known and "names_swapped" in kinds:
            given, family = family, given
        if middle and rng.random() < rates.no_middle_name_social_care:
            middle = None
        if dob is not None:
            if "day_month_swapped" in kinds:
                dob = swap_day_month(dob)
            if "date_one_day_out" in kinds:
                dob = dob + timedelta(days=rng.choice((-1, 1)))
            if "assessed_date" in kinds:
                dob = date(dob.year, 1, 1)
            if "date_missing" in kinds:
                dob = None
        if record.nhs_number and "nhs_mistyped" in kinds:
            changes["nhs_number"] = mistyped_nhs_number(record.nhs_number, rng)
        if rng.random() < rates.no_accents:
            given, family = _strip_accents(given), _strip_accents(family)
        if rng.random() < rates.shouting_case:
            family = family.upper().replace("'", " ").replace("  ", " ")
        record = replace(record, given_name=given, middle_name=middle, family_name=family, date_of_birth=dob,
                         **changes)
        return self.address(record, child, kinds)

    def education(self, record: SourceRecord, child: TrueChild, kinds: tuple[str, ...]) -> SourceRecord:
        rng, rates = self.rng, self.rates
        changes: dict = {}
        if "known_as" in kinds and rng.random() < rates.preferred_name_at_school:
            changes["preferred_given_name"] = self.known_as(child)
        if "surname_changed" in kinds:
            family, more = self.changed_surname(child, stale=self._stale_side(child, "surname"), ours=EDUCATION)
            changes.update(more, family_name=family)
        # A school keeps the legal name whole when the child goes by the middle one.
        if record.middle_name and "middle_name_used" not in kinds and rng.random() < rates.no_middle_name_education:
            changes["middle_name"] = None
        if rng.random() < rates.no_accents:
            changes.update(given_name=_strip_accents(record.given_name),
                           family_name=_strip_accents(changes.get("family_name", record.family_name)))
        return self.address(replace(record, **changes), child, kinds)

    def duplicate(self, record: SourceRecord, child: TrueChild, kinds: tuple[str, ...]) -> SourceRecord:
        """A second social care record for the child, typed in again on another day."""
        record = self.social_care(record, child, tuple(k for k in kinds if k != "known_as"))
        roll = self.rng.random()
        if roll < 0.4:
            return replace(record, family_name=typo(record.family_name, self.rng))
        if roll < 0.7:
            return replace(record, nhs_number=None)
        return record

    # --- the kinds ----------------------------------------------------------------

    def _stale_side(self, child: TrueChild, what: str) -> str:
        """Which system is out of date for this child (the same for each of its records)."""
        return (SOCIAL_CARE, EDUCATION)[_stable_bit(child.key, what)]

    def known_as(self, child: TrueChild) -> str:
        options = [n for n in _NICKNAMES_OF.get(compact(child.given_name), []) if len(n) >= 2]
        rng = random.Random(f"{child.key}:known_as")  # the same name in both systems
        if options:
            return rng.choice(options).capitalize()
        if len(child.given_name) >= 5 and rng.random() < 0.85:
            return child.given_name[:rng.choice((3, 4)) if len(child.given_name) >= 6 else 3]
        return rng.choice(PET_NAMES)  # a name that grows from nothing on the record

    def spelling(self, given: str, child: TrueChild) -> str:
        rng = self.rng
        group = self.spellings.get(compact(given))
        if group and child.gender == "male" and compact(given) not in MUHAMMAD and rng.random() < 0.2:
            return f"Muhammad {given}"
        others = [n for n in group or () if compact(n) != compact(given)]
        if others:
            return rng.choice(others)
        lower = given.lower()
        for old, new in rng.sample(SPELLING_KINDS, len(SPELLING_KINDS)):
            at = len(lower) - len(old) + 1 if old.endswith("$") and lower.endswith(old[:-1]) else (
                -1 if old.endswith("$") else lower.find(old, 1))
            if at > 0:
                return _recase(given, lower[:at] + new + lower[at + len(old.rstrip("$")):])
        return typo(given, rng)

    def changed_surname(self, child: TrueChild, *, stale: str, ours: str) -> tuple[str, dict]:
        """The stale system keeps the old surname; the other has the new one and sometimes
        the old one as a former surname."""
        rng = random.Random(f"{child.key}:surname")
        old = display_surname(rng.choice(POOLS["british"].surnames[:300]))
        if ours == stale:
            return old, {}
        if self.rng.random() < self.rates.former_surname_kept:
            return child.family_name, {"previous_family_names": (old,)}
        return child.family_name, {}

    def hyphenated(self, family: str, child: TrueChild) -> str:
        if "-" in family:
            halves = family.split("-")
            return self.rng.choice((halves[0], halves[-1], " ".join(halves)))
        mother = next((a for a in self.population.household_of(child).adults if a.relationship == "mother"), None)
        other = mother.family_name if mother and mother.family_name != family else "Wright"
        return f"{family}-{other}" if self.rng.random() < 0.5 else f"{other}-{family}"

    def custom_surname(self, child: TrueChild, family: str) -> str:
        plain = compact(family)
        if plain in ("singh", "kaur"):
            return "Kaur" if plain == "singh" else "Singh"
        if child.ethnicity in ("AIND",):
            return "Kaur" if child.gender == "female" else "Singh"
        if child.ethnicity in ("ABAN", "APKN") and child.gender == "female":
            return "Begum"
        if family.endswith("ski"):
            return family[:-1] + "a"
        if family.endswith("ska"):
            return family[:-1] + "i"
        father = next((a for a in self.population.household_of(child).adults if a.relationship == "father"), None)
        return father.given_name if father else family

    def other_upn(self, child: TrueChild) -> str:
        """A second UPN for a pupil entered twice (another school's number, a valid check letter)."""
        self.upn_serial += 1
        twelve = f"986{(self.upn_serial // 1000) % 10000:04d}{child.date_of_birth.year % 100:02d}{self.upn_serial % 1000:03d}"
        return upn_check_letter(twelve) + twelve

    def address(self, record: SourceRecord, child: TrueChild, kinds: tuple[str, ...]) -> SourceRecord:
        rng = self.rng
        changes: dict = {}
        if "moved" in kinds and _stable_bit(child.household_key, "address") == (record.source == EDUCATION):
            # The record still has the family's old address; the true one is in the history.
            elsewhere = self.households[_stable_index(child.household_key, len(self.households))].address
            changes.update(address_line1=elsewhere.line1, town=elsewhere.town, postcode=elsewhere.postcode)
        elif record.source == SOCIAL_CARE and rng.random() < 0.2:
            other = self.households[rng.randrange(len(self.households))].address
            changes.update(previous_postcodes=(other.postcode,))
        postcode = changes.get("postcode", record.postcode)
        if postcode and "postcode_without_space" in kinds and _stable_bit(child.key, "postcode") == (
                record.source == SOCIAL_CARE):
            postcode = postcode.replace(" ", "")
            changes["postcode"] = postcode.lower() if rng.random() < 0.3 else postcode
        return replace(record, **changes) if changes else record


def _stable_bit(key: str, what: str) -> int:
    return zlib.crc32(f"{key}:{what}".encode()) % 2


def _stable_index(key: str, size: int) -> int:
    return zlib.crc32(f"{key}:old-address".encode()) % size


def mistyped_nhs_number(number: str, rng: random.Random) -> str:
    """One digit keyed wrong, so that the check digit fails (as a clerk's slip nearly always does)."""
    while True:
        at = rng.randrange(10)
        wrong = number[:at] + str((int(number[at]) + rng.randint(1, 9)) % 10) + number[at + 1:]
        if not is_valid_nhs_number(wrong):
            return wrong


MUHAMMAD = frozenset({"muhammad", "mohammed", "mohammad", "mohamed", "muhammed", "mohamad"})


def _spelling_groups() -> dict[str, tuple[str, ...]]:
    text = resources.files("ffd_core.search").joinpath("data/spellings.txt").read_text("utf-8")
    groups: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            names = tuple(line.split())
            for name in names:
                groups.setdefault(compact(name), names)
    return groups


def _strip_accents(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
