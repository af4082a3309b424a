"""Find a child: any mix of name, date of birth, postcode, school, UPN, NHS number, source id.

Candidates come from the query's search keys (each tolerating a different error) and, for
partial names, a prefix look-up; they are ranked by the linkage model's evidence and
grouped into people, so both sources' records about one child come back together.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from datetime import date

from sqlalchemy import TextClause, or_, select, text
from sqlalchemy.orm import Session

from ffd_core.errors import InvalidInput
from ffd_core.forms.dates import age_in_years
from ffd_core.search.addresses import home, is_postcode, partial_postcode
from ffd_core.search.compare import Profile, compare, profile, reasons
from ffd_core.search.identifiers import ascii_digits, is_valid_nhs_number
from ffd_core.search.index_store import MATCHING_COLUMNS, matching_record, to_record
from ffd_core.search.model import DEFAULT_MODEL, MatchModel
from ffd_core.search.names import compact, normalise
from ffd_core.search.ranking import rank_score, shortlist
from ffd_core.search.records import SourceRecord
from ffd_core.search.search_keys import name_keys, query_keys, street_key
from ffd_core.store.people_tables import LinkageRun, SearchKey, SourceRecordRow

# No key is read past this many records: a key that common says little about the child.
PER_KEY_LIMIT = 400
PREFIX_LIMIT = 400
# Candidates past this many are cut down by a bulk name-and-date score before full ranking.
SHORTLIST = 60
SCHOOL_BONUS = 3.0
PARTIAL_DATE_BONUS = 2.0
SOURCE_ID_BONUS = 20.0
# A best score below this (a typo'd name and a good date score about 20) widens the search.
WIDEN_BELOW = 15.0
AGE_BONUS = 6.0  # born inside the age range typed: about a year of birth's worth
DATE_OUT_OF_RANGE = 5.0
DISTRICT_BONUS = 2.0  # postcode in the outward code typed ("BK2")
SECTOR_BONUS = 4.0  # ... in the sector typed ("BK2 3")
STREET_BONUS = 4.0


@dataclass(frozen=True)
class PersonQuery:
    """What an officer types. ``name`` is free text ("Bobby Smith", "Smith"); the separate
    name fields win when given. ``date_of_birth`` takes "12/03/2015", "2015-03-12",
    "03/2015" or "2015". ``postcode`` is a full postcode, an outward code ("BK2") or a
    sector ("BK2 3"). :func:`ffd_core.search.query_text.parse_person_query` makes one from
    what is typed in one box."""

    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: date | str | None = None
    postcode: str | None = None
    school: str | None = None
    upn: str | None = None
    nhs_number: str | None = None
    source_id: str | None = None
    # What officers type when the date of birth is not known: an age or an age range (in
    # whole years on the day of the search), a gender, a street ("Oak Road").
    age_from: int | None = None
    age_to: int | None = None
    gender: str | None = None  # "male" | "female"
    street: str | None = None


@dataclass(frozen=True)
class RecordMatch:
    record_id: int
    record: SourceRecord
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class PersonMatch:
    person_id: str
    score: float
    reasons: tuple[str, ...]  # why the best record matched
    records: tuple[RecordMatch, ...]  # all the person's records, best match first

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({r.record.source for r in self.records}))


@dataclass(frozen=True)
class PartialDate:
    year: int | None = None
    month: int | None = None
    day: int | None = None

    @property
    def full(self) -> date | None:
        if self.year and self.month and self.day:
            try:
                return date(self.year, self.month, self.day)
            except ValueError:
                return None
        return None


_DATE = re.compile(r"^\s*(?:(\d{1,2})[/.\- ])?(?:(\d{1,2})[/.\- ])?(\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\s*$")


DATE_FORMS = "use dd/mm/yyyy, mm/yyyy or yyyy"


def parse_date(value: date | str | None) -> PartialDate:
    """UK order (day/month/year), ISO, month/year or a year alone."""
    if value is None or value == "":
        return PartialDate()
    if isinstance(value, date):
        return PartialDate(value.year, value.month, value.day)
    iso = _ISO.match(value)
    if iso:
        return _real(PartialDate(int(iso[1]), int(iso[2]), int(iso[3]) if iso[3] else None), value)
    uk = _DATE.match(value)
    if not uk:
        raise InvalidInput(f"the date of birth {value!r} is not a date ({DATE_FORMS})")
    first, second, year = uk[1], uk[2], int(uk[3])
    if first and second:
        return _real(PartialDate(year, int(second), int(first)), value)
    return _real(PartialDate(year, int(first) if first else None), value)


def _real(when: PartialDate, typed: str) -> PartialDate:
    """31/02/2026 or 13/2026 would otherwise be searched as if no date had been given."""
    bad_month = when.month is not None and not 1 <= when.month <= 12
    if bad_month or (when.day is not None and when.full is None):
        raise InvalidInput(f"the date of birth {typed!r} is not a real date ({DATE_FORMS})")
    return when


def _split_name(query: PersonQuery) -> tuple[str, str]:
    given, family = query.given_name or "", query.family_name or ""
    if query.name and not (given or family):
        words = query.name.replace(",", " ").split()
        if len(words) == 1:
            family = words[0]
        elif words:
            given, family = words[0], " ".join(words[1:])
    return given, family


def query_profile(query: PersonQuery) -> tuple[Profile, PartialDate]:
    given, family = _split_name(query)
    when = parse_date(query.date_of_birth)
    nhs = ascii_digits((query.nhs_number or "").replace(" ", ""))
    full_postcode = query.postcode if query.postcode and is_postcode(query.postcode) else None
    record = SourceRecord(
        source="query", source_id="query", given_name=given, family_name=family,
        date_of_birth=when.full, postcode=full_postcode, gender=query.gender,
        nhs_number=nhs if is_valid_nhs_number(nhs) else None, upn=query.upn,
    )
    return profile(record), when


@dataclass(frozen=True)
class _Wanted:
    """A query made ready to score records against, once per search."""

    query: PersonQuery
    q: Profile
    when: PartialDate
    today: date
    postcode_part: str | None  # "BK2" or "BK2 3" when only part of a postcode was typed
    street: str  # normalised, "" when none

    @classmethod
    def of(cls, query: PersonQuery, today: date) -> _Wanted:
        q, when = query_profile(query)
        part = None
        if query.postcode and not q.postcode:
            part = partial_postcode(query.postcode)
            if part is None:
                raise InvalidInput(f"not a postcode: {query.postcode!r} (e.g. BK2 3AB, BK2 3 or BK2)")
        return cls(query, q, when, today, part, home(f"1 {query.street}").street if query.street else "")

    def date_fit(self, born: date | None) -> tuple[float, str | None]:
        """How well a date of birth fits a partial date (a year, a month) or an age typed."""
        when = self.when
        if when.full is None and born and when.year:
            if born.year == when.year and when.month in (None, born.month):
                return PARTIAL_DATE_BONUS, "born in the year (and month) given"
            return -PARTIAL_DATE_BONUS, None
        return self.age_score(born)

    def age_score(self, born: date | None) -> tuple[float, str | None]:
        """Born inside the typed age range: about what a year of birth is worth."""
        if born is None or self.query.age_from is None:
            return 0.0, None
        age = age_in_years(born, self.today)
        low, high = self.query.age_from, self.query.age_to if self.query.age_to is not None else self.query.age_from
        if low <= age <= high:
            return AGE_BONUS, "age as given"
        if low - 1 <= age <= high + 1:
            return 1.0, "a year off the age given"
        return -DATE_OUT_OF_RANGE, None


def _model(session: Session) -> MatchModel:
    run = session.execute(select(LinkageRun).order_by(LinkageRun.id.desc()).limit(1)).scalar_one_or_none()
    return MatchModel.from_dict(run.model) if run else DEFAULT_MODEL


Brief = tuple  # (record id, given key, family key, date of birth): what the shortlist reads


def _candidates(session: Session, query: PersonQuery, q: Profile, given: str, family: str,
                street: str = "") -> dict[int, Brief]:
    """Records sharing a key with the query (or, failing that, a name prefix), briefly."""
    found: dict[int, Brief] = {}
    keys = query_keys(q, query.source_id)
    if query.school:
        keys.add(f"sc:{compact(query.school)[:60]}")
    if street:
        keys.add(street_key(street))
    found.update(_keyed(session, keys))
    more: set[int] = set()
    # A partial name ("Moh", "Smi") has no sound key worth the name: look it up by prefix.
    for column, typed in ((SourceRecordRow.family_key, family), (SourceRecordRow.given_key, given)):
        prefix = normalise(typed)
        if prefix and (len(found) < 5 or q.date_of_birth is None):
            more.update(session.execute(
                select(SourceRecordRow.id).where(_starts_with(session, column, prefix)).limit(PREFIX_LIMIT)
            ).scalars())
    if family and len(found) + len(more) < 5 and session.get_bind().dialect.name == "postgresql":
        # PostgreSQL: when no key fits, pg_trgm's similarity operator finds a misspelt surname.
        more.update(session.execute(
            select(SourceRecordRow.id).where(SourceRecordRow.family_key.op("%")(normalise(family)))
            .limit(PREFIX_LIMIT)
        ).scalars())
    more -= found.keys()
    if more:
        found.update((row[0], tuple(row)) for row in session.execute(
            select(*_BRIEF_COLUMNS).where(SourceRecordRow.id.in_(more))))
    return found


# SQLite allows 500 terms in a compound SELECT; a name of many words makes many keys.
KEYS_PER_STATEMENT = 200


def _keyed(session: Session, keys: set[str]) -> dict[int, Brief]:
    found: dict[int, Brief] = {}
    ordered = sorted({key[:80] for key in keys})  # as filed: cut to the column's width
    if ordered and session.get_bind().dialect.name == "postgresql":
        rows = session.execute(_KEYED_BRIEFS_POSTGRESQL, {"keys": ordered})
        return {row[0]: tuple(row) for row in rows}
    for start in range(0, len(ordered), KEYS_PER_STATEMENT):
        params = {f"k{i}": key for i, key in enumerate(ordered[start:start + KEYS_PER_STATEMENT])}
        found.update((row[0], tuple(row)) for row in session.execute(_keyed_briefs(len(params)), params))
    return found


_BRIEF_COLUMNS = (SourceRecordRow.id, SourceRecordRow.given_key, SourceRecordRow.family_key,
                  SourceRecordRow.date_of_birth)


# PostgreSQL: one statement whatever the number of keys (an array, each key capped in a
# LATERAL look-up), so it is planned once and prepared by the driver, not re-planned per
# search: planning a 40-branch UNION ALL cost more than running it.
_KEYED_BRIEFS_POSTGRESQL = text(
    f"SELECT r.id, r.given_key, r.family_key, r.date_of_birth "
    f"FROM unnest(CAST(:keys AS text[])) AS wanted(key) "
    f"CROSS JOIN LATERAL (SELECT record_id FROM {SearchKey.__tablename__} AS k "
    f"WHERE k.key = wanted.key LIMIT {PER_KEY_LIMIT}) AS hits "
    f"JOIN {SourceRecordRow.__tablename__} AS r ON r.id = hits.record_id"
).columns(*(column.expression for column in _BRIEF_COLUMNS))


@lru_cache(maxsize=256)
def _keyed_briefs(count: int) -> TextClause:
    """One round trip for ``count`` keys: each key's records (capped) joined to their names
    and dates. Written as text and cached by size: building it as a SQLAlchemy expression
    cost more than running it."""
    keys, records = SearchKey.__tablename__, SourceRecordRow.__tablename__
    each = " UNION ALL ".join(
        f"SELECT record_id FROM (SELECT record_id FROM {keys} WHERE key = :k{i} LIMIT {PER_KEY_LIMIT}) AS k{i}"
        for i in range(count))
    return text(f"SELECT r.id, r.given_key, r.family_key, r.date_of_birth FROM ({each}) AS hits "
                f"JOIN {records} AS r ON r.id = hits.record_id").columns(
        *(column.expression for column in _BRIEF_COLUMNS))


def _starts_with(session: Session, column, prefix: str):
    if session.get_bind().dialect.name == "postgresql":
        return column.like(prefix + "%")  # served by the pg_trgm GIN index
    # SQLite: LIKE is case-insensitive and skips a binary index; a range uses it.
    return (column >= prefix) & (column < prefix + "\uffff")


def _score(wanted: _Wanted, record: SourceRecord, model: MatchModel) -> tuple[float, tuple[str, ...]]:
    q, query = wanted.q, wanted.query
    p = profile(record)
    comparison = compare(q, p)
    score = rank_score(q, p, comparison, model)
    why = list(reasons(comparison))
    bonus, said = wanted.date_fit(record.date_of_birth)
    score += bonus
    if said:
        why.append(said)
    if wanted.postcode_part and p.postcode:
        if p.postcode.startswith(wanted.postcode_part + ("" if " " in wanted.postcode_part else " ")):
            score += SECTOR_BONUS if " " in wanted.postcode_part else DISTRICT_BONUS
            why.append(f"postcode in {wanted.postcode_part}")
    if wanted.street and p.home.street == wanted.street:
        score += STREET_BONUS
        why.append("same street")
    if query.source_id and record.source_id.lower() == query.source_id.lower():
        score += SOURCE_ID_BONUS
        why.insert(0, "same source id")
    if query.school and record.school and compact(query.school) in compact(record.school):
        score += SCHOOL_BONUS
        why.append("same school")
    return score, tuple(why)


def search_people(session: Session, query: PersonQuery, limit: int = 10,
                  model: MatchModel | None = None, today: date | None = None) -> list[PersonMatch]:
    """People best matching ``query``, best first, each with all their records. ``today``
    is the day an age is counted on."""
    model = model or _model(session)
    wanted = _Wanted.of(query, today or date.today())
    q = wanted.q
    given, family = _split_name(query)
    found = _candidates(session, query, q, given, family, wanted.street)
    best: dict[str, Ranked] = {}
    _rank_into(best, session, found, wanted, model)
    if q.date_of_birth is not None and max((s for s, _, _ in best.values()), default=0.0) < WIDEN_BELOW:
        # Nothing fits well: the date may be wrong twice over (a year and a day). Look
        # under the names alone too; a well-fitting answer never pays for this.
        wider = _keyed(session, name_keys(q))
        _rank_into(best, session, {i: b for i, b in wider.items() if i not in found}, wanted, model)
    if not best:
        return []
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    return _with_all_records(session, ranked, q, model)


Ranked = tuple[float, int, tuple[str, ...]]  # (score, best record id, why)


def _rank_into(best: dict[str, Ranked], session: Session, found: dict[int, Brief], wanted: _Wanted,
               model: MatchModel) -> None:
    """Score the shortlist of ``found`` and keep each person's best record in ``best``."""
    if not found:
        return
    ids = (shortlist(wanted.q, list(found.values()), SHORTLIST, lambda born: wanted.date_fit(born)[0])
           if len(found) > SHORTLIST else list(found))
    for row in session.execute(select(*MATCHING_COLUMNS).where(SourceRecordRow.id.in_(ids))):
        score, why = _score(wanted, matching_record(row), model)
        person = row.person_id or f"R{row.id}"
        if person not in best or score > best[person][0]:
            best[person] = (score, row.id, why)


def _with_all_records(session: Session, ranked: Sequence[tuple[str, tuple[float, int, tuple[str, ...]]]],
                      q: Profile, model: MatchModel) -> list[PersonMatch]:
    person_ids = [pid for pid, _ in ranked if not pid.startswith("R")]
    top_ids = [record_id for _, (_, record_id, _) in ranked]
    rows = session.execute(select(SourceRecordRow).where(
        or_(SourceRecordRow.person_id.in_(person_ids), SourceRecordRow.id.in_(top_ids)))).scalars()
    by_person: dict[str, list[RecordMatch]] = defaultdict(list)
    for row in rows:
        record = to_record(row)
        p = profile(record)
        comparison = compare(q, p)
        by_person[row.person_id or f"R{row.id}"].append(
            RecordMatch(row.id, record, round(rank_score(q, p, comparison, model), 3), reasons(comparison)))
    people = []
    for pid, (score, top_id, why) in ranked:
        records = by_person.get(pid, [])
        top = next(r for r in records if r.record_id == top_id)
        rest = sorted((r for r in records if r.record_id != top_id), key=lambda r: (-r.score, r.record.ref))
        people.append(PersonMatch(pid, round(score, 3), why, (replace(top, score=round(score, 3), reasons=why), *rest)))
    return people


def find_exactly(session: Session, given_name: str, family_name: str, date_of_birth: date,
                 postcode: str) -> PersonMatch | None:
    """The restricted partner look-up: one person, only on an exact name, date and postcode."""
    query = PersonQuery(given_name=given_name, family_name=family_name,
                        date_of_birth=date_of_birth, postcode=postcode)
    wanted_postcode = " ".join(postcode.upper().split())
    exact = [
        person for person in search_people(session, query, limit=5)
        if any(compact(r.record.given_name) == compact(given_name)
               and compact(r.record.family_name) == compact(family_name)
               and r.record.date_of_birth == date_of_birth
               and " ".join((r.record.postcode or "").upper().split()) == wanted_postcode
               for r in person.records)
    ]
    return exact[0] if len(exact) == 1 else None  # two children alike: say nothing
