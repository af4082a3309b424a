"""Search keys: what a record is filed under, and what a query looks under.

Each key tolerates a different error in a name-and-date query. The exact date finds a
record whatever the names say; sound-alike forename (and its formal form) or surname
with year-and-month finds it when the day is wrong; with month-and-day, when the year
is wrong. Sound-alike forename with the surname's initial and the birth year (and the
other way round) finds it when one name and the day or month are both wrong. A query
also looks under its day and month swapped, and under forename and surname the other
way round. Identifiers, source ids and postcodes are keys too.
"""

from __future__ import annotations

from datetime import date

from ffd_core.search.blocking import forename_sounds, surname_sounds
from ffd_core.search.compare import Profile
from ffd_core.search.names import compact

# Raise when record_keys files records differently: stores filed under an older scheme are
# told to run `ffd people reindex` (2: sound-alike name with the other name's initial and
# year; 3: every name a record carries, normalised postcodes, street).
KEY_SCHEME = 3


def _ym(d: date) -> str:
    return f"{d.year:04d}{d.month:02d}"


def _md(d: date) -> str:
    return f"{d.month:02d}{d.day:02d}"


def _swapped(d: date) -> date | None:
    if d.day > 12 or d.day == d.month:
        return None
    return date(d.year, d.day, d.month)


def forename_initials(p: Profile) -> set[str]:
    return {name[0] for name in p.all_given_formal if name}


def surname_initials(p: Profile) -> set[str]:
    return {part[0] for part in p.family_parts if part} | {
        part[0] for _kind, _name, name_parts in p.other_family for part in name_parts if part}


def record_keys(p: Profile, source_id: str, school: str | None) -> set[str]:
    keys = {f"i:{source_id.lower()}"}
    if p.nhs_number:
        keys.add(f"n:{p.nhs_number}")
    if p.upn:
        keys.add(f"u:{p.upn}")
    if p.postcode:
        keys.add(f"p:{p.postcode}")
    if school:
        keys.add(f"sc:{compact(school)[:60]}")
    if p.home.street:
        keys.add(street_key(p.home.street))
    forenames, surnames = forename_sounds(p), surname_sounds(p)
    dob = p.date_of_birth
    if dob is not None:
        keys.add(f"d:{dob.isoformat()}")
        for f in forenames:
            keys.update((f"fm:{f}:{_ym(dob)}", f"fd:{f}:{_md(dob)}"))
        for s in surnames:
            keys.update((f"sm:{s}:{_ym(dob)}", f"sd:{s}:{_md(dob)}"))
        # First letters are rarely mistyped: they carry a name whose spelling is wrong.
        keys.update(f"fy:{f}:{i}:{dob.year}" for f in forenames for i in surname_initials(p))
        keys.update(f"sy:{s}:{i}:{dob.year}" for s in surnames for i in forename_initials(p))
    for f in forenames:
        for s in surnames:
            keys.add(f"nn:{f}:{s}")
    return keys


def street_key(street: str) -> str:
    return f"st:{street.replace(' ', '')[:60]}"


def query_keys(q: Profile, source_id: str | None = None) -> set[str]:
    """Keys to look under for a query; every error the record keys tolerate, both ways round."""
    keys: set[str] = set()
    if source_id:
        keys.add(f"i:{source_id.lower()}")
    if q.nhs_number:
        keys.add(f"n:{q.nhs_number}")
    if q.upn:
        keys.add(f"u:{q.upn}")
    forenames, surnames = forename_sounds(q), surname_sounds(q)
    dob = q.date_of_birth
    if dob is not None:
        keys.add(f"d:{dob.isoformat()}")
        swapped = _swapped(dob)
        if swapped:
            keys.add(f"d:{swapped.isoformat()}")
        # Any name is looked up as forename and as surname: records swap them.
        for name in forenames | surnames:
            keys.update((f"fm:{name}:{_ym(dob)}", f"fd:{name}:{_md(dob)}",
                         f"sm:{name}:{_ym(dob)}", f"sd:{name}:{_md(dob)}"))
        for sounds, initials in ((forenames, surname_initials(q)), (surnames, forename_initials(q))):
            for name in sounds:
                for i in initials:
                    keys.update((f"fy:{name}:{i}:{dob.year}", f"sy:{name}:{i}:{dob.year}"))
    else:
        keys |= name_keys(q)
    if q.postcode:
        keys.add(f"p:{q.postcode}")
    return keys


def name_keys(q: Profile) -> set[str]:
    """The forename-and-surname sound keys, both ways round, whatever the date says."""
    forenames, surnames = forename_sounds(q), surname_sounds(q)
    return {key for f in forenames for s in surnames for key in (f"nn:{f}:{s}", f"nn:{s}:{f}")}
