"""Field-by-field comparison of two records (or a query and a record) into agreement levels.

A comparison is a tuple with one level index per field (``None`` when either side is
missing the field), then whether forename and surname were swapped, then which of the
records' other names matched. The levels know UK reality: nicknames, double-barrelled
surnames, a known-as or preferred name, a previous surname, transposed day and month, an
assessed 01/01 date of birth, forename and surname swapped, an old address in the history.
Every name a record carries is compared with every name of the other: the best pair wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from ffd_core.search.addresses import NO_HOME, Home, home, normal_postcode
from ffd_core.search.identifiers import is_valid_nhs_number
from ffd_core.search.names import (
    MUHAMMAD_FORMS, compact, formal_forms, parts, same_by_nickname, same_by_spelling, sound,
)
from ffd_core.search.records import SourceRecord

# Names that stand in for "no forename yet" on an unborn baby's record.
PLACEHOLDER_FORENAMES = frozenset({"unborn", "baby", "babyof", "unknown"})

FIELDS = ("forename", "surname", "date_of_birth", "postcode", "nhs_number", "upn", "gender",
          "middle_name", "address")
LEVELS: dict[str, tuple[str, ...]] = {
    "forename": ("exact", "nickname", "typo", "one_letter_changed", "middle_name", "initial", "different"),
    "surname": ("exact", "part", "typo", "different"),
    "date_of_birth": ("exact", "day_month_swapped", "a_day_out", "one_part_differs", "assessed_year", "different"),
    "postcode": ("exact", "previous", "district", "different"),
    "nhs_number": ("same", "different"),
    "upn": ("same", "different"),
    "gender": ("same", "different"),
    "middle_name": ("same", "initial", "different"),
    "address": ("same_home", "same_street", "different"),
}
FORENAME_DIFFERENT = LEVELS["forename"].index("different")
_DOB_SWAPPED, _DOB_DAY_OUT, _DOB_ONE_PART, _DOB_ASSESSED, _DOB_DIFFERENT = (
    LEVELS["date_of_birth"].index(level)
    for level in ("day_month_swapped", "a_day_out", "one_part_differs", "assessed_year", "different"))

REASONS = {
    ("forename", "exact"): "same forename",
    ("forename", "nickname"): "forename is a nickname of the other",
    ("forename", "typo"): "forename spelt slightly differently",
    ("forename", "one_letter_changed"): "forename differs by one letter",
    ("forename", "middle_name"): "known by middle name",
    ("forename", "initial"): "forename initial matches",
    ("forename", "different"): "different forename",
    ("surname", "exact"): "same surname",
    ("surname", "part"): "one part of a double-barrelled surname",
    ("surname", "typo"): "surname sounds or is spelt alike",
    ("surname", "different"): "different surname",
    ("date_of_birth", "exact"): "same date of birth",
    ("date_of_birth", "day_month_swapped"): "date of birth with day and month swapped",
    ("date_of_birth", "a_day_out"): "date of birth a day out",
    ("date_of_birth", "one_part_differs"): "date of birth differs in one part",
    ("date_of_birth", "assessed_year"): "born the same year (an assessed 01/01 date of birth)",
    ("date_of_birth", "different"): "different date of birth",
    ("postcode", "exact"): "same postcode",
    ("postcode", "previous"): "a previous postcode matches",
    ("postcode", "district"): "same postcode district",
    ("postcode", "different"): "different postcode",
    ("nhs_number", "same"): "same NHS number",
    ("nhs_number", "different"): "different NHS number",
    ("upn", "same"): "same UPN",
    ("upn", "different"): "different UPN",
    ("gender", "same"): "same gender",
    ("gender", "different"): "different gender",
    ("middle_name", "same"): "same middle name",
    ("middle_name", "initial"): "middle initial matches",
    ("middle_name", "different"): "different middle name",
    ("address", "same_home"): "same home address",
    ("address", "same_street"): "same street",
    ("address", "different"): "different address",
}

Comparison = tuple  # (level index | None, ...) in FIELDS order, then SWAPPED, then VIA
SWAPPED = len(FIELDS)  # forename and surname matched the other way round
VIA = SWAPPED + 1  # ("forename", kind) / ("surname", kind) when another name matched
LEGAL = "legal name"

NameForm = tuple[str, str, tuple[str, ...]]  # (kind, normal form, parts)


@dataclass(frozen=True, slots=True)
class Profile:
    """A record in comparison-ready form, computed once and compared many times."""

    ref: tuple[str, str]
    given: str
    given_formal: frozenset[str]
    middle: str
    middle_parts: tuple[str, ...]
    family: str
    family_parts: tuple[str, ...]
    family_sound: str
    date_of_birth: date | None
    postcode: str
    previous_postcodes: frozenset[str]
    nhs_number: str
    upn: str
    gender: str
    home: Home = NO_HOME
    town: str = ""
    # Other forenames and surnames (preferred, known-as, aliases, previous surnames).
    other_given: tuple[NameForm, ...] = ()
    other_family: tuple[NameForm, ...] = ()

    @property
    def given_names(self) -> tuple[NameForm, ...]:
        return ((LEGAL, self.given, ()), *self.other_given) if self.given else self.other_given

    @property
    def family_names(self) -> tuple[NameForm, ...]:
        legal = ((LEGAL, self.family, self.family_parts),) if self.family else ()
        return (*legal, *self.other_family)

    @property
    def all_given_formal(self) -> frozenset[str]:
        """Every forename and its formal forms (Bob -> Robert), for keys."""
        if not self.other_given:
            return self.given_formal
        return self.given_formal.union(*(formal_forms(name) for _, name, _ in self.other_given))


def _forename(value: str | None) -> str:
    given = compact(value)
    return "" if given in PLACEHOLDER_FORENAMES else given


def _other_names(record: SourceRecord, given: str, family: str) -> tuple[tuple[NameForm, ...], tuple[NameForm, ...]]:
    other_given: dict[str, NameForm] = {}
    other_family: dict[str, NameForm] = {}
    words = parts(record.given_name)
    if len(words) > 1 and words[0] in MUHAMMAD_FORMS:
        rest = "".join(words[1:])
        other_given[rest] = ("forename after Muhammad", rest, ())
    for kind, forename, surname in record.other_names():
        name = _forename(forename)
        if name and name != given and name not in other_given:
            other_given[name] = (kind, name, ())
        name = compact(surname)
        if name and name != family and name not in other_family:
            other_family[name] = (kind, name, parts(surname))
    return tuple(other_given.values()), tuple(other_family.values())


def profile(record: SourceRecord) -> Profile:
    given = _forename(record.given_name)
    family = compact(record.family_name)
    nhs = (record.nhs_number or "").replace(" ", "")
    other_given, other_family = _other_names(record, given, family)
    return Profile(
        ref=record.ref,
        given=given,
        given_formal=formal_forms(given) if given else frozenset(),
        middle=compact(record.middle_name),
        middle_parts=parts(record.middle_name),
        family=family,
        family_parts=parts(record.family_name),
        family_sound=sound(family),
        date_of_birth=record.date_of_birth,
        postcode=normal_postcode(record.postcode),
        previous_postcodes=frozenset(normal_postcode(p) for p in record.previous_postcodes),
        # A mistyped NHS number fails its check digit: treat it as unknown, not as different.
        nhs_number=nhs if is_valid_nhs_number(nhs) else "",
        upn=(record.upn or "").upper(),
        gender=record.gender if record.gender in ("male", "female") else "",
        home=home(record.address_line1, record.address_line2),
        town=compact(record.town),
        other_given=other_given,
        other_family=other_family,
    )


def _forename_level(a: str, b: str, a_middle: tuple[str, ...], b_middle: tuple[str, ...]) -> int | None:
    if not a or not b:
        return None
    if a == b:
        return 0
    if same_by_nickname(a, b) or _shortened(a, b):
        return 1
    if same_by_spelling(a, b):
        return 2  # Mohammed/Maxamed, Kacper/Kasper: one name, spelt another way
    if a[0] == b[0] and _typo(a, b, surname=False):  # Lena and Elena are two names, not a slip
        # One changed letter in a short name is as often a twin (Lina/Linh) as a slip.
        return 3 if len(a) == len(b) <= 5 and sorted(a) != sorted(b) else 2
    if b in a_middle or a in b_middle:
        return 4
    if (len(a) == 1 or len(b) == 1) and a[0] == b[0]:
        return 5
    return 6


def _shortened(a: str, b: str) -> bool:
    """Theo for Theodore, Max for Maximilian: the known-as name is the start of the other
    (two letters or more shorter, so Leo/Leon and Ali/Alia stay apart)."""
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return len(short) >= 3 and len(long_) - len(short) >= 2 and long_.startswith(short)


def _middle_level(a: str, b: str) -> int | None:
    if not a or not b:
        return None
    if a == b:
        return 0
    return 1 if (len(a) == 1 or len(b) == 1) and a[0] == b[0] else 2


def _typo(a: str, b: str, *, surname: bool) -> bool:
    shorter = min(len(a), len(b))
    if shorter >= 4 and DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1:
        return True
    if shorter >= 7 and DamerauLevenshtein.distance(a, b, score_cutoff=2) <= 2:
        return True
    if surname:
        if shorter == 3 and a[0] == b[0] and DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1:
            return True
        if shorter >= 4 and sound(a) == sound(b):
            return True
        return JaroWinkler.similarity(a, b) >= 0.93
    if shorter == 3 and a[0] == b[0] and DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1:
        # Short forenames: a dropped, doubled or swapped letter is a slip (Leo/Loe, Ivy/Ivyy),
        # a changed one is usually another child (Ava/Eva, Leo/Lea).
        return len(a) != len(b) or sorted(a) == sorted(b)
    return shorter >= 5 and JaroWinkler.similarity(a, b) >= 0.94


def _surname_level(a: str, b: str, a_parts: tuple[str, ...], b_parts: tuple[str, ...]) -> int | None:
    if not a or not b:
        return None
    if a == b:
        return 0
    if (len(a_parts) > 1 or len(b_parts) > 1) and set(a_parts) & set(b_parts):
        return 1
    if _typo(a, b, surname=True):
        return 2
    return 3


def is_assessed(d: date) -> bool:
    """01/01: what is written when a child's age was assessed (no birth certificate)."""
    return d.day == 1 and d.month == 1


def _date_level(a: date | None, b: date | None) -> int | None:
    if a is None or b is None:
        return None
    if a == b:
        return 0
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return _DOB_SWAPPED
    if abs((a - b).days) == 1:  # even across a month's end (31/08 and 01/09)
        return _DOB_DAY_OUT
    if a.year == b.year and (is_assessed(a) or is_assessed(b)):
        return _DOB_ASSESSED  # only the year was ever known: it agrees, the rest is no evidence
    same = (a.year == b.year) + (a.month == b.month) + (a.day == b.day)
    return _DOB_ONE_PART if same == 2 else _DOB_DIFFERENT


def _address_level(a: Profile, b: Profile) -> int | None:
    if not a.home.street or not b.home.street:
        return None
    if a.home.home and a.home.home == b.home.home:
        return 0
    # Oak Road is in several towns: the same street needs the same town or postcode district.
    if a.home.street == b.home.street and (
            (a.town and a.town == b.town) or (a.postcode and a.postcode.split(" ")[0] == b.postcode.split(" ")[0])):
        return 1
    return 2


def _postcode_level(a: Profile, b: Profile) -> int | None:
    if not a.postcode or not b.postcode:
        return None
    if a.postcode == b.postcode:
        return 0
    if a.postcode in b.previous_postcodes or b.postcode in a.previous_postcodes:
        return 1
    if a.postcode.split(" ")[0] == b.postcode.split(" ")[0]:
        return 2
    return 3


def _same(a: str, b: str) -> int | None:
    if not a or not b:
        return None
    return 0 if a == b else 1


def _best(level: int | None, others: bool, names_a: tuple[NameForm, ...], names_b: tuple[NameForm, ...],
          level_of) -> tuple[int | None, str | None]:  # noqa: ANN001
    """The best level over every pair of names (the legal pair's ``level`` given), and the
    kind of name that gave it when it was not the legal one."""
    if level == 0 or not others:
        return level, None
    kind = None
    for kind_a, name_a, parts_a in names_a:
        for kind_b, name_b, parts_b in names_b:
            if kind_a == kind_b == LEGAL:
                continue
            other = level_of(name_a, parts_a, name_b, parts_b)
            if other is not None and (level is None or other < level):
                level, kind = other, kind_b if kind_a == LEGAL else kind_a
    return level, kind


def _best_forename(a: Profile, b: Profile) -> tuple[int | None, str | None]:
    def level_of(x: str, _x: tuple, y: str, _y: tuple) -> int | None:
        return _forename_level(x, y, a.middle_parts, b.middle_parts)

    return _best(level_of(a.given, (), b.given, ()), bool(a.other_given or b.other_given),
                 a.given_names, b.given_names, level_of)


def _best_surname(a: Profile, b: Profile) -> tuple[int | None, str | None]:
    def level_of(x: str, x_parts: tuple, y: str, y_parts: tuple) -> int | None:
        return _surname_level(x, y, x_parts, y_parts)

    return _best(level_of(a.family, a.family_parts, b.family, b.family_parts),
                 bool(a.other_family or b.other_family), a.family_names, b.family_names, level_of)


def compare(a: Profile, b: Profile) -> Comparison:
    """Agreement levels of two profiles; tries forename and surname swapped as well."""
    forename, forename_via = _best_forename(a, b)
    surname, surname_via = _best_surname(a, b)
    swapped = False
    if (forename is None or forename >= 2) and (surname is None or surname >= 2) and a.given and b.given:
        crossed_fore = _forename_level(a.given, b.family, (), ())
        crossed_sur = _surname_level(a.family, b.given, a.family_parts, (b.given,))
        if crossed_fore is not None and crossed_sur is not None and crossed_fore <= 2 and crossed_sur <= 2:
            forename, surname, swapped = crossed_fore, crossed_sur, True
            forename_via = surname_via = None
    via = ()
    if forename_via:
        via += (("forename", forename_via),)
    if surname_via:
        via += (("surname", surname_via),)
    return (
        forename,
        surname,
        _date_level(a.date_of_birth, b.date_of_birth),
        _postcode_level(a, b),
        _same(a.nhs_number, b.nhs_number),
        _same(a.upn, b.upn),
        _same(a.gender, b.gender),
        _middle_level(a.middle, b.middle),
        _address_level(a, b),
        swapped,
        via,
    )


def reasons(comparison: Comparison) -> tuple[str, ...]:
    """Plain words for what agreed and what did not, strongest evidence first; a name
    that matched through a known-as, preferred, alias or previous surname says so."""
    words = ["forename and surname swapped"] if comparison[SWAPPED] else []
    via = dict(comparison[VIA])
    for field, level in zip(FIELDS, comparison[:SWAPPED]):
        if level is not None:
            word = REASONS[(field, LEVELS[field][level])]
            if field in via:
                word += f" (through the {via[field]})"
            words.append(word)
    return tuple(words)


def shares_identifier(comparison: Comparison) -> bool:
    return comparison[FIELDS.index("nhs_number")] == 0 or comparison[FIELDS.index("upn")] == 0
