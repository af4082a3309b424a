"""Search on hand-made records: the true child first when the query and the record each carry
errors, beside namesakes and near-namesakes that a careless ranking would put first.

Runs on SQLite and PostgreSQL (the ``ctx`` fixture), through the real index and keys.
"""

from datetime import date

import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from ffd_core.errors import InvalidInput
from ffd_core.services import person_index
from ffd_core.services.context import SYSTEM
from ffd_core.search.records import EDUCATION, SOCIAL_CARE, SourceRecord
from ffd_core.search.search import PersonQuery, search_people
from ffd_core.search.search_keys import KEY_SCHEME
from ffd_core.store.people_tables import PersonIndexState, SearchKey

_ids = iter(range(1000, 100000))


def rec(given: str, family: str, born: date, source: str = EDUCATION) -> SourceRecord:
    return SourceRecord(source=source, source_id=str(next(_ids)), given_name=given, family_name=family,
                        date_of_birth=born)


# (what is typed, the true child's record, decoys that share a key with the query)
CASES = {
    # The record's month slipped and the query's day and surname: no date or surname key is
    # shared; the forename's sound with the surname's initial and the year still is.
    "record and query each with a date error": (
        PersonQuery(given_name="Matthew", family_name="Langord", date_of_birth=date(2024, 4, 26)),
        rec("Matthew", "Langford", date(2024, 3, 25)),
        # Enough namesakes born on the typed day that search need not fall back to prefixes.
        [rec("Matty", "Dunton", date(2018, 4, 26)),
         *(rec("Matthew", surname, date(year, 4, 26))
           for surname, year in (("Higgins", 2011), ("Shaw", 2019), ("Okoro", 2020), ("Stone", 2021),
                                 ("Marsh", 2022)))],
    ),
    # Half a double-barrelled surname held, the other half typed with a slip.
    "double-barrelled with a slip in the matching half": (
        PersonQuery(given_name="Thea", family_name="Brown-Jckson", date_of_birth=date(2016, 8, 14)),
        rec("Thea", "Jackson", date(2016, 8, 13)),
        [rec("Thea", "Brown", date(2016, 8, 7)), rec("Sophia", "Brown", date(2016, 8, 14))],
    ),
    # Two slips apart is still nearer than nothing alike, even against an exact date.
    "a badly misspelt surname beats an unrelated one": (
        PersonQuery(given_name="Violet", family_name="Brd", date_of_birth=date(2013, 7, 20)),
        rec("Violet", "Birc", date(2013, 7, 19), SOCIAL_CARE),
        [rec("Violet", "Roswell", date(2013, 7, 20))],
    ),
    # A day out is a slip; four years out is more often another child.
    "a slipped day beats a year several years out": (
        PersonQuery(given_name="Roman", family_name="Robinspn", date_of_birth=date(2011, 12, 17)),
        rec("Roman", "Roibnson", date(2011, 12, 16), SOCIAL_CARE),
        [rec("Roman", "Robinson", date(2015, 12, 17))],
    ),
    # Typed with day and month swapped, held with the month slipped as well.
    "day and month swapped on one side, slipped on the other": (
        PersonQuery(given_name="Andreea", family_name="Kowalcztk", date_of_birth=date(2009, 7, 5)),
        rec("Andreea", "Kowalczyk", date(2009, 4, 7)),
        # Andrei: one letter from the typed name to Jaro-Winkler, but another child's name.
        [rec("Andreea", "Kowalski", date(2012, 7, 5)), rec("Anna", "Kowalczyk", date(2009, 3, 7)),
         rec("Andrei", "Kowalczyk", date(2009, 7, 5))],
    ),
    # "Al" is a particle, not half a surname: Ali and Allen are not near Al-Rashid.
    "a particle does not match a short surname": (
        PersonQuery(given_name="Omar", family_name="Al-Rashid", date_of_birth=date(2016, 6, 5)),
        rec("Omar", "Rashed", date(2017, 6, 5), SOCIAL_CARE),
        [rec("Omar", "Ali", date(2016, 6, 5)), rec("Omar", "Allen", date(2016, 6, 5))],
    ),
    # The record's year slipped and the query's day: no dated key is shared. Nothing found
    # fits well, so search widens to the names alone.
    "a year and a day wrong": (
        PersonQuery(given_name="Leo", family_name="Faihram-Ogunleye", date_of_birth=date(2019, 9, 29)),
        rec("Leo", "Ogunleye", date(2018, 9, 30), SOCIAL_CARE),
        [rec("Leo", surname, date(year, 9, 29))
         for surname, year in (("Smith", 2012), ("Fairstone", 2013), ("Patel", 2014), ("Jones", 2015),
                               ("Wood", 2016), ("Hall", 2017))],
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_the_true_child_comes_first(ctx, case):
    query, true, decoys = CASES[case]
    person_index.import_records(ctx, SYSTEM, [true, *decoys])
    with Session(ctx.engine) as session:
        found = search_people(session, query, limit=5)
    assert found, f"nothing found for {case}"
    assert found[0].records[0].record.ref == true.ref, [p.records[0].record.full_name for p in found]


def test_a_store_filed_under_an_older_scheme_is_told_and_reindexed(ctx):
    query, true, decoys = CASES["record and query each with a date error"]
    person_index.import_records(ctx, SYSTEM, [true, *decoys])
    assert person_index.stale_index_warning(ctx) is None
    with Session(ctx.engine) as session, session.begin():
        # As a store filed by the previous release: no name-initial keys.
        session.execute(delete(SearchKey).where(SearchKey.key.like("fy:%") | SearchKey.key.like("sy:%")))
        session.execute(update(PersonIndexState).values(key_scheme=KEY_SCHEME - 1))
    assert "ffd people reindex" in person_index.stale_index_warning(ctx)
    with Session(ctx.engine) as session:
        assert true.ref not in {r.record.ref for p in search_people(session, query) for r in p.records}

    assert person_index.reindex(ctx, SYSTEM) == 1 + len(decoys)

    assert person_index.stale_index_warning(ctx) is None
    with Session(ctx.engine) as session:
        assert search_people(session, query)[0].records[0].record.ref == true.ref


def test_a_name_of_many_words_is_searched_not_refused(ctx):
    _, true, decoys = CASES["a badly misspelt surname beats an unrelated one"]
    person_index.import_records(ctx, SYSTEM, [true, *decoys])
    words = " ".join(f"Part{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(300))
    with Session(ctx.engine) as session:  # hundreds of keys: more than one statement may hold
        found = search_people(session, PersonQuery(name=f"Violet {words} Birc", date_of_birth="19/07/2013"))
    assert found and found[0].records[0].record.ref == true.ref


def test_a_very_long_name_is_filed_once_per_key(ctx):
    """Keys are cut to the column's width; two that differ only past it are one key."""
    # 114 letters, nearly all sounded: its keys for Bobby's two initials (b, r) differ past 80.
    long = rec("Bobby", "Bcdfghjklmnprstvwxz" * 6, date(2015, 5, 5))
    person_index.import_records(ctx, SYSTEM, [long])
    assert person_index.reindex(ctx, SYSTEM) == 1
    with Session(ctx.engine) as session:
        assert search_people(session, PersonQuery(name=f"Robert {long.family_name}", date_of_birth="05/05/2015"))


def test_a_name_wider_than_the_store_is_refused_before_anything_is_written(ctx):
    fits, too_long = rec("Ada", "Lovelace", date(2015, 12, 10)), rec("Ada", "L" * 121, date(2015, 12, 10))
    with pytest.raises(InvalidInput, match="family name is 121 characters long; at most 120 fit"):
        person_index.import_records(ctx, SYSTEM, [fits, too_long])
    with Session(ctx.engine) as session:
        assert search_people(session, PersonQuery(name="Ada Lovelace", date_of_birth="10/12/2015")) == []
