"""Search takes what officers type: free text parsed in ffd_core (names, full or partial
postcode, date, age or age range, gender, street, school), and every name a record carries.

The store cases run on SQLite and PostgreSQL (the ``ctx`` fixture), through the real keys.
"""

from datetime import date

import pytest

from ffd_core.search.query_text import parse_age, parse_person_query
from ffd_core.search.records import EDUCATION, SOCIAL_CARE, SourceRecord
from ffd_core.search.search import PersonQuery
from ffd_core.services import person_index, single_view
from ffd_core.services.context import SYSTEM

@pytest.mark.parametrize(("typed", "expected"), [
    ("Harry Ford BK2 3", {"name": "Harry Ford", "postcode": "BK2 3"}),
    ("Harry Ford bk2", {"name": "Harry Ford", "postcode": "BK2"}),
    ("Harry Ford bk23ab", {"name": "Harry Ford", "postcode": "BK2 3AB"}),
    ("Mo Khan about 9", {"name": "Mo Khan", "age_from": 8, "age_to": 10}),
    ("Mo Khan 9 girl", {"name": "Mo Khan", "age_from": 9, "age_to": 9, "gender": "female"}),
    ("Zofia Nowak 8 to 10", {"name": "Zofia Nowak", "age_from": 8, "age_to": 10}),
    ("Amara Okafor 09/03/2015 BK1 2AB", {"name": "Amara Okafor", "date_of_birth": "09/03/2015",
                                         "postcode": "BK1 2AB"}),
    ("Olivia 2015", {"name": "Olivia", "date_of_birth": "2015"}),
    ("Jay Smith 12 Oak Rd", {"name": "Jay Smith", "street": "Oak Road"}),
    ("Ali Musa Larkrise Academy", {"name": "Ali Musa", "school": "Larkrise Academy"}),
])
def test_what_is_typed_is_parsed_in_core(typed, expected):
    query = parse_person_query(typed)
    assert {k: getattr(query, k) for k in expected} == expected
    assert parse_person_query("   ") is None
    assert parse_age("about 9") == (8, 10) and parse_age("8-10") == (8, 10)


def rec(source_id: str, given: str, family: str, born: date, postcode: str, **more) -> SourceRecord:
    return SourceRecord(source=more.pop("source", EDUCATION), source_id=source_id, given_name=given,
                        family_name=family, date_of_birth=born, postcode=postcode, **more)


def first(ctx, text: str) -> str:
    found = single_view.find_people(ctx, SYSTEM, parse_person_query(text), limit=5)
    assert found, text
    return found[0].records[0].record.source_id


def test_age_partial_postcode_street_and_known_as_rank_the_right_child_first(ctx):
    # The ctx clock's day is 24/11/2026: ages count from it.
    records = [
        rec("A9", "Harry", "Ford", date(2017, 6, 15), "BK2 3AB", address_line1="12 Oak Road"),
        rec("A4", "Harry", "Ford", date(2022, 6, 1), "BK7 1XY", address_line1="3 Mill Lane"),
        rec("A14", "Harry", "Ford", date(2012, 6, 1), "BK2 9ZZ", address_line1="8 Elm Close"),
        rec("B9", "Harry", "Ford", date(2017, 3, 1), "BK5 5EE", address_line1="4 Ash Grove"),
        rec("K1", "Mohammed", "Khan", date(2019, 3, 3), "BK11 4TF", preferred_given_name="Mo"),
        rec("K2", "Mohammed", "Khan", date(2019, 8, 8), "BK4 1AA"),
    ]
    person_index.import_records(ctx, SYSTEM, records)
    assert first(ctx, "Harry Ford BK2 3") == "A9"  # a sector
    assert first(ctx, "Harry Ford bk7") == "A4"  # an outward code
    assert first(ctx, "Harry Ford about 14") == "A14"  # an age instead of a date
    assert first(ctx, "Harry Ford 12 Oak Rd") == "A9"  # a street
    assert first(ctx, "Mo Khan 7 BK11") == "K1"  # the name the child goes by
    found = single_view.find_people(ctx, SYSTEM, parse_person_query("Mo Khan 7 BK11"), limit=1)
    assert "same forename (through the preferred name)" in found[0].reasons


def test_an_assessed_date_scores_as_the_year_when_the_typed_date_differs(ctx):
    records = [
        rec("U1", "Abdi", "Farah", date(2010, 1, 1), "BK3 1AA", source=SOCIAL_CARE),
        rec("U3", "Abdi", "Farah", date(2012, 3, 5), "BK8 2BB"),
    ]
    person_index.import_records(ctx, SYSTEM, records)
    found = single_view.find_people(ctx, SYSTEM, PersonQuery(name="Abdi Farah", date_of_birth="14/06/2010"))
    by_id = {m.records[0].record.source_id: m for m in found}
    assert "born the same year (an assessed 01/01 date of birth)" in by_id["U1"].reasons
    assert by_id["U1"].score > by_id["U3"].score
    new_year = single_view.find_people(ctx, SYSTEM, PersonQuery(name="Abdi Farah", date_of_birth="01/01/2010"))
    assert "same date of birth" in new_year[0].reasons  # a real New Year's Day birth keeps full credit
    # A day out from a New Year's Day birth is a slip, not an assessed age.
    day_out = single_view.find_people(ctx, SYSTEM, PersonQuery(name="Abdi Farah", date_of_birth="02/01/2010"))
    assert day_out[0].records[0].record.source_id == "U1" and day_out[0].score >= 24
