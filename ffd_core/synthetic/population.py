"""The synthetic county of Brackenshire: households, carers and children with ground truth.

``build_population(seed, children, as_of)`` is pure and deterministic: the same arguments
always give the same county. Everything is fictional: the towns, streets and schools do
not exist, postcodes use the unallocated "BK" area, NHS numbers start 99 (the NHS test range
and numbers never issued to patients), and UPNs carry a made-up local authority code.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from itertools import accumulate

from rapidfuzz.distance import DamerauLevenshtein

from ffd_core.search.identifiers import nhs_check_digit, upn_check_letter
from ffd_core.search.names import formal_forms, same_by_spelling
from ffd_core.synthetic.names import (
    ADULT_MEN,
    ADULT_WOMEN,
    ETHNICITIES,
    POOLS,
    display_surname,
    zipf_weights,
)

COUNTY = "Brackenshire"
LA_CODE = "985"  # not an English local authority code
UNBORN_GIVEN_NAME = "Unborn"


@dataclass(frozen=True)
class Address:
    line1: str
    town: str
    postcode: str


@dataclass(frozen=True)
class Adult:
    key: str
    given_name: str
    family_name: str
    gender: str
    relationship: str  # "mother", "father", "stepfather", "grandmother", ...


@dataclass(frozen=True)
class TrueChild:
    key: str
    given_name: str
    middle_name: str | None
    family_name: str
    date_of_birth: date  # for an unborn child: the expected due date
    gender: str  # "male" | "female"; "unknown" only for an unborn child
    ethnicity: str  # CIN code, e.g. "WBRI"
    address: Address
    school: str | None
    year_group: int | None  # 0 = Reception ... 13 = Year 13
    nhs_number: str  # an unborn child's is the one allocated at birth; no source holds it yet
    upn: str | None
    household_key: str
    asylum_seeking: bool = False  # unaccompanied: an age assessed, often without a certificate

    @property
    def unborn(self) -> bool:
        return self.given_name == UNBORN_GIVEN_NAME and self.gender == "unknown"


@dataclass(frozen=True)
class Household:
    key: str
    address: Address
    adults: tuple[Adult, ...]
    child_keys: tuple[str, ...]


@dataclass(frozen=True)
class Population:
    households: tuple[Household, ...]
    children: tuple[TrueChild, ...]
    schools: tuple[str, ...]

    @cached_property
    def _children_by_key(self) -> dict[str, TrueChild]:
        return {c.key: c for c in self.children}

    @cached_property
    def _households_by_key(self) -> dict[str, Household]:
        return {h.key: h for h in self.households}

    def child(self, key: str) -> TrueChild:
        return self._children_by_key[key]

    def household_of(self, child: TrueChild | str) -> Household:
        household_key = child.household_key if isinstance(child, TrueChild) else self.child(child).household_key
        return self._households_by_key[household_key]


# --- Geography ---------------------------------------------------------------------

# Town -> (share of households, postcode districts)
TOWNS: dict[str, tuple[float, tuple[int, ...]]] = {
    "Brackenford": (0.26, (1, 2, 3, 4)),
    "Ashby Marsh": (0.12, (5, 6)),
    "Thornwick": (0.12, (7, 8)),
    "Kelsey Bridge": (0.10, (9, 10)),
    "Hartswell": (0.10, (11, 12)),
    "Millbrook Green": (0.08, (13,)),
    "Oakhollow": (0.08, (14, 15)),
    "Fenmoor": (0.07, (16,)),
    "Coldharbour": (0.07, (17, 18)),
}

STREET_STEMS = ["Oak", "Mill", "Church", "Station", "Victoria", "Albert", "Park", "Queen", "King", "Manor", "Chapel", "Bridge", "School", "Meadow", "Willow", "Elm", "Ash", "Beech", "Cedar", "Hawthorn", "Holly", "Rowan", "Birch", "Maple", "Orchard", "Brook", "River", "Mount", "Castle", "Abbey", "Priory", "Market", "Grange", "Farm", "Wood", "Hill", "Green", "Field", "Spring", "Highfield", "Westfield", "Fairfield", "Kingsway", "Ferndale", "Rosedale", "Glebe", "Cherry", "Laurel", "Heather", "Primrose", "Bluebell", "Clover", "Foxglove", "Kestrel", "Falcon", "Heron", "Swallow", "Linnet", "Sandpiper", "Wellington", "Nelson", "Shakespeare", "Milton", "Tennyson", "Byron", "Wordsworth", "Darwin", "Newton", "Faraday"]
STREET_KINDS = ["Road", "Street", "Lane", "Close", "Avenue", "Drive", "Way", "Crescent", "Gardens", "Terrace", "Grove", "Place", "View", "Walk", "Court"]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # Royal Mail never uses C, I, K, M, O or V inward

HOUSES_PER_STREET = 90
HOUSES_PER_POSTCODE = 15


@dataclass(frozen=True)
class _Street:
    name: str
    town: str
    district: int
    postcode_seed: int


class _Geography:
    """Streets of each town, sized so the county has room for every household."""

    def __init__(self, rng: random.Random, households: int) -> None:
        self.towns = list(TOWNS)
        self.town_cum = list(accumulate(share for share, _ in TOWNS.values()))
        self.streets: dict[str, list[_Street]] = {}
        for town, (share, districts) in TOWNS.items():
            # Aim for roughly a third of the houses occupied by families with children.
            needed = max(12, int(households * share * 3 / HOUSES_PER_STREET) + 1)
            names: list[str] = []
            seen: set[str] = set()
            while len(names) < needed:
                name = f"{rng.choice(STREET_STEMS)} {rng.choice(STREET_KINDS)}"
                if name in seen:
                    if len(seen) >= len(STREET_STEMS) * len(STREET_KINDS):
                        name = f"{name} {len(names)}"  # only in absurdly large counties
                    else:
                        continue
                seen.add(name)
                names.append(name)
            self.streets[town] = [
                _Street(n, town, rng.choice(districts), rng.randrange(10**6)) for n in names
            ]
        self.occupied: set[tuple[str, str, int]] = set()

    def town(self, rng: random.Random) -> str:
        return self.towns[bisect.bisect(self.town_cum, rng.random() * self.town_cum[-1])]

    def new_address(self, rng: random.Random, town: str, street_name: str | None = None) -> Address:
        streets = self.streets[town]
        for attempt in range(1000):
            street = streets[rng.randrange(len(streets))]
            if street_name and attempt < 999:  # cousins: the same street when a house is free
                street = next((s for s in streets if s.name == street_name), street)
            number = rng.randint(1, HOUSES_PER_STREET)
            if (town, street.name, number) in self.occupied:
                continue
            self.occupied.add((town, street.name, number))
            return Address(f"{number} {street.name}", town, self._postcode(street, number))
        raise RuntimeError(f"no free house left in {town}")

    @staticmethod
    def _postcode(street: _Street, number: int) -> str:
        block = street.postcode_seed + (number - 1) // HOUSES_PER_POSTCODE
        digit = block % 10
        first = INWARD_LETTERS[(block // 10) % len(INWARD_LETTERS)]
        second = INWARD_LETTERS[(block // 200) % len(INWARD_LETTERS)]
        return f"BK{street.district} {digit}{first}{second}"


# --- Schools -----------------------------------------------------------------------

SAINTS = ("St Mary's", "St John's", "St Peter's", "St Michael's", "St Andrew's", "All Saints",
          "Holy Trinity", "St Joseph's", "St Anne's", "Christ Church", "St Margaret's")
FEATURES = ("Hawthorn", "Willowbank", "Oakfield", "Beechwood", "Meadowside", "Brookside",
            "Riverside", "Fernhill", "Ashgrove", "Larkrise", "Heathfield", "Greenacres",
            "Springfield", "Cedarwood", "Kingfisher", "Orchard", "Hillcrest", "Foxwood")


@dataclass(frozen=True)
class _School:
    name: str
    town: str
    phase: str  # "primary" | "secondary" | "special"
    number: int  # DfE establishment number (four digits)


def _schools(rng: random.Random) -> list[_School]:
    schools: list[_School] = []
    used: set[str] = set()

    def add(name: str, town: str, phase: str) -> None:
        if name in used:
            return
        used.add(name)
        base = {"primary": 2000, "secondary": 4000, "special": 7000}[phase]
        schools.append(_School(name, town, phase, base + len(schools)))

    for town, (share, _) in TOWNS.items():
        primaries = max(3, round(share * 46))
        attempts = 0
        while sum(s.town == town and s.phase == "primary" for s in schools) < primaries:
            attempts += 1
            kind = rng.random()
            if kind < 0.3:
                faith = rng.choice(("CofE", "Catholic")) if attempts % 2 else "CofE"
                name = f"{rng.choice(SAINTS)} {faith} Primary School"
            elif kind < 0.5:
                name = f"{town} {rng.choice(('Primary School', 'Community Primary School', 'Infant and Junior School'))}"
            elif kind < 0.8:
                name = f"{rng.choice(FEATURES)} Primary School"
            else:
                name = f"{rng.choice(FEATURES)} Primary Academy"
            if attempts > 200:
                name = f"{name.removesuffix(' School')} {town} School"
            add(name, town, "primary")
        secondaries = 2 if share > 0.15 else 1
        for i in range(secondaries):
            options = (f"{rng.choice(FEATURES)} Academy", f"{town} High School",
                       f"{town} School", f"{rng.choice(SAINTS)} Catholic High School")
            add(options[(i + rng.randrange(4)) % 4] if i else options[1], town, "secondary")
    add("Oakfield Special School", "Brackenford", "special")
    add("Larkrise Special School", "Thornwick", "special")
    return schools


def school_year_group(date_of_birth: date, as_of: date) -> int:
    """National curriculum year (0 = Reception) from the England 1 September cut-off."""
    academic_year = as_of.year if as_of.month >= 9 else as_of.year - 1
    birth_cohort = date_of_birth.year if date_of_birth.month >= 9 else date_of_birth.year - 1
    return academic_year - birth_cohort - 5


# --- Households and children -------------------------------------------------------


# Flatter for surnames: Smith is about 1% of England, the commonest forename about 2%.
FORENAME_OFFSET = 25.0
SURNAME_OFFSET = 30.0


class _Drawer:
    """Weighted draws from name pools with precomputed cumulative weights."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._cum: dict[tuple[str, ...], list[float]] = {}

    def pick(self, names: tuple[str, ...], offset: float = FORENAME_OFFSET) -> str:
        cum = self._cum.get(names)
        if cum is None:
            cum = self._cum[names] = list(accumulate(zipf_weights(len(names), offset)))
        return names[bisect.bisect(cum, self.rng.random() * cum[-1])]


ETHNICITY_CODES = tuple(ETHNICITIES)
ETHNICITY_CUM = list(accumulate(w for w, _, _ in ETHNICITIES.values()))

# (probability, carers of the household)
CARER_SHAPES = (
    (0.54, ("mother", "father")),
    (0.28, ("mother",)),
    (0.08, ("mother", "stepfather")),
    (0.03, ("father",)),
    (0.02, ("father", "stepmother")),
    (0.03, ("grandmother",)),
    (0.01, ("grandmother", "grandfather")),
    (0.01, ("aunt",)),
)
CHILDREN_PER_HOUSEHOLD = ((0.44, 1), (0.35, 2), (0.14, 3), (0.05, 4), (0.02, 5))
TWIN_BIRTH_RATE = 0.016  # twin pairs per birth (1.6% of births)
COUSINS_RATE = 0.05  # a household followed by cousins on the same street, sharing the surname
ASYLUM_SEEKING_RATE = 0.004  # of children aged 14+: unaccompanied asylum-seeking children
UNBORN_RATE = 0.006  # households expecting a baby that social care may already know of
DOUBLE_BARRELLED_RATE = 0.03
HALF_SIBLING_RATE = 0.12


def _pick_weighted(rng: random.Random, options):
    roll = rng.random()
    for probability, value in options:
        roll -= probability
        if roll < 0:
            return value
    return options[-1][1]


class _CountyBuilder:
    def __init__(self, seed: int, children: int, as_of: date) -> None:
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.target = children
        self.names = _Drawer(self.rng)
        self.geo = _Geography(self.rng, households=max(1, children // 2))
        self.schools = _schools(self.rng)
        self.primaries = {t: [s for s in self.schools if s.phase == "primary" and s.town == t] for t in TOWNS}
        self.secondaries = [s for s in self.schools if s.phase == "secondary"]
        self.specials = [s for s in self.schools if s.phase == "special"]
        self.nhs_numbers: set[str] = set()
        self.upn_serials: dict[tuple[int, int], int] = {}
        self.households: list[Household] = []
        self.children: list[TrueChild] = []
        self.adult_count = 0

    # identifiers
    def nhs_number(self) -> str:
        while True:
            # 99x...: never issued to patients (England issues 400-499 and 600-708; 999 is the
            # NHS test range, too small on its own for a county of a million).
            first_nine = f"99{self.rng.randrange(10**7):07d}"
            check = nhs_check_digit(first_nine)
            if check is None:
                continue
            number = f"{first_nine}{check}"
            if number not in self.nhs_numbers:
                self.nhs_numbers.add(number)
                return number

    def upn(self, school: _School, entry_year: int) -> str:
        key = (school.number, entry_year)
        serial = self.upn_serials.get(key, 0)
        self.upn_serials[key] = serial + 1
        # Past 999 pupils a school-year, allocate from a sibling establishment number.
        establishment = school.number + 100 * (serial // 1000)
        twelve = f"{LA_CODE}{establishment:04d}{entry_year % 100:02d}{serial % 1000:03d}"
        return upn_check_letter(twelve) + twelve

    # people
    def forename(self, groups: tuple[str, ...], gender: str, avoid: set[str]) -> str:
        for _ in range(20):
            group = groups[0] if len(groups) == 1 or self.rng.random() < 0.6 else self.rng.choice(groups)
            pool = POOLS[group].boys if gender == "male" else POOLS[group].girls
            name = self.names.pick(pool)
            # Parents do not call two children Alfie and Alfred, Zain and Zayn, or Luca and Lucas.
            if name not in avoid and not (formal_forms(name) & {f for a in avoid for f in formal_forms(a)}) \
                    and not any(same_by_spelling(name, a) or DamerauLevenshtein.distance(name, a) <= 1
                                for a in avoid):
                return name
        return name

    def surname(self, groups: tuple[str, ...]) -> str:
        return display_surname(self.names.pick(POOLS[self.rng.choice(groups)].surnames, SURNAME_OFFSET))

    def build(self) -> Population:
        while len(self.children) < self.target:
            self.household()
            if self.rng.random() < COUSINS_RATE and len(self.children) < self.target:
                last = self.households[-1]
                self.household(cousins_of=(last.address, self.children[-1].family_name))
        return Population(tuple(self.households), tuple(self.children), tuple(s.name for s in self.schools))

    def household(self, cousins_of: tuple[Address, str] | None = None) -> None:
        rng = self.rng
        number = len(self.households) + 1
        key = f"H{number:07d}"
        if cousins_of:
            town = cousins_of[0].town
            address = self.geo.new_address(rng, town, cousins_of[0].line1.split(" ", 1)[1])
        else:
            town = self.geo.town(rng)
            address = self.geo.new_address(rng, town)
        ethnicity = ETHNICITY_CODES[bisect.bisect(ETHNICITY_CUM, rng.random() * ETHNICITY_CUM[-1])]
        _, forename_groups, surname_groups = ETHNICITIES[ethnicity]
        family_name = cousins_of[1] if cousins_of else self.surname(surname_groups)
        if rng.random() < DOUBLE_BARRELLED_RATE:
            other = self.surname(surname_groups)
            if other != family_name:
                family_name = f"{family_name}-{other}"
        carers = _pick_weighted(rng, CARER_SHAPES)

        wanted = min(_pick_weighted(rng, CHILDREN_PER_HOUSEHOLD), self.target - len(self.children))
        births = self.births(wanted)
        child_keys: list[str] = []
        given: set[str] = set()
        half_sibling_name = self.surname(surname_groups) if "stepfather" in carers else None
        for birth_index, (dob, twins) in enumerate(births):
            for _ in range(twins):
                if len(self.children) >= self.target:
                    break
                surname = family_name
                if half_sibling_name and birth_index == 0 and len(births) > 1:
                    surname = half_sibling_name  # the eldest is from the mother's earlier partner
                elif len(births) > 1 and rng.random() < HALF_SIBLING_RATE / 4:
                    surname = self.surname(surname_groups)
                child = self.child(key, address, town, ethnicity, forename_groups, surname, dob, given)
                given.add(child.given_name)
                child_keys.append(child.key)
                self.children.append(child)
        if len(self.children) < self.target and rng.random() < UNBORN_RATE:
            due = self.as_of + timedelta(days=rng.randint(14, 250))
            self.children.append(self.unborn_child(key, address, ethnicity, family_name, due))
            child_keys.append(self.children[-1].key)

        adults = tuple(self.adult(role, family_name, surname_groups) for role in carers)
        self.households.append(Household(key, address, adults, tuple(child_keys)))

    def births(self, wanted: int) -> list[tuple[date, int]]:
        """Birth dates, youngest first, spaced like real siblings; twins count twice."""
        rng = self.rng
        max_age_days = 18 * 365 - 1
        age = rng.randrange(max_age_days)
        births: list[tuple[date, int]] = []
        count = 0
        while count < wanted and age < max_age_days:
            twins = 2 if rng.random() < TWIN_BIRTH_RATE and count + 2 <= max(wanted, 2) else 1
            births.append((self.as_of - timedelta(days=age), twins))
            count += twins
            age += rng.randint(330, 6 * 365)
        return births

    def child(self, household_key: str, address: Address, town: str, ethnicity: str,
              forename_groups: tuple[str, ...], surname: str, dob: date, given: set[str]) -> TrueChild:
        rng = self.rng
        gender = "male" if rng.random() < 0.512 else "female"
        given_name = self.forename(forename_groups, gender, given)
        middle = None
        if rng.random() < (0.7 if forename_groups[0] == "british" else 0.45):
            middle = self.forename(forename_groups, gender, given | {given_name})
        year_group = school_year_group(dob, self.as_of)
        school, upn = self.school_place(town, year_group)
        return TrueChild(
            key=f"C{len(self.children) + 1:07d}",
            given_name=given_name,
            middle_name=middle,
            family_name=surname,
            date_of_birth=dob,
            gender=gender,
            ethnicity=ethnicity,
            address=address,
            school=school.name if school else None,
            year_group=year_group if school else None,
            nhs_number=self.nhs_number(),
            upn=upn,
            household_key=household_key,
            asylum_seeking=(self.as_of - dob).days >= 14 * 365 and rng.random() < ASYLUM_SEEKING_RATE,
        )

    def school_place(self, town: str, year_group: int) -> tuple[_School | None, str | None]:
        rng = self.rng
        if year_group < 0 or year_group > 13:
            return None, None
        if year_group >= 12 and rng.random() < 0.45:
            return None, None  # at a further education college, outside the schools data
        if rng.random() < 0.015:
            school = rng.choice(self.specials)
        elif year_group <= 6:
            school = rng.choice(self.primaries[town])
        else:
            local = [s for s in self.secondaries if s.town == town]
            school = rng.choice(local if local and rng.random() < 0.8 else self.secondaries)
        academic_year = self.as_of.year if self.as_of.month >= 9 else self.as_of.year - 1
        entry_year = academic_year - year_group
        allocating = school if school.phase != "secondary" else rng.choice(self.primaries[town])
        return school, self.upn(allocating, entry_year)

    def unborn_child(self, household_key: str, address: Address, ethnicity: str,
                     family_name: str, due: date) -> TrueChild:
        return TrueChild(
            key=f"C{len(self.children) + 1:07d}",
            given_name=UNBORN_GIVEN_NAME,
            middle_name=None,
            family_name=family_name,
            date_of_birth=due,
            gender="unknown",
            ethnicity=ethnicity,
            address=address,
            school=None,
            year_group=None,
            nhs_number=self.nhs_number(),
            upn=None,
            household_key=household_key,
        )

    def adult(self, relationship: str, family_name: str, surname_groups: tuple[str, ...]) -> Adult:
        rng = self.rng
        self.adult_count += 1
        female = relationship in {"mother", "stepmother", "grandmother", "aunt"}
        given = self.names.pick(ADULT_WOMEN if female else ADULT_MEN)
        if relationship in {"father", "grandfather", "uncle"} or (
            relationship in {"mother", "grandmother"} and rng.random() < 0.65
        ):
            surname = family_name
        else:
            surname = self.surname(surname_groups)
        return Adult(f"A{self.adult_count:07d}", given, surname, "female" if female else "male", relationship)


def build_population(seed: int, children: int, as_of: date) -> Population:
    """A county with exactly ``children`` children (some unborn), all under 18 on ``as_of``."""
    if children < 0:
        raise ValueError("children must not be negative")
    return _CountyBuilder(seed, children, as_of).build()
