"""Linkage compares every name a record carries and normalised addresses; assessed dates,
identifiers as evidence not proof, a review queue with a floor, and weights that hold."""

from dataclasses import replace
from datetime import date

from ffd_core.search.addresses import home, normal_postcode, partial_postcode
from ffd_core.search.compare import compare, profile, reasons
from ffd_core.search.linkage import KEYING_ERROR, REVIEW, link_records, score_pair
from ffd_core.search.model import DEFAULT_MODEL, WEIGHT_CAP, estimate_m, estimate_u
from ffd_core.search.records import EDUCATION, SOCIAL_CARE, SourceRecord

SCHOOL = SourceRecord(
    source=EDUCATION, source_id="ONE1", given_name="Mohammed", middle_name="Ali Reza", family_name="Rahman",
    preferred_given_name="Mo", date_of_birth=date(2014, 6, 3), gender="male",
    address_line1="Flat 2", address_line2="12 Oak Rd", town="Brackenford", postcode="BK11 4TF",
    upn="A985200214001",
)
CARE = SourceRecord(
    source=SOCIAL_CARE, source_id="101", given_name="Mo", family_name="Rahman", date_of_birth=date(2014, 6, 3),
    gender="male", address_line1="2/12 Oak Road", town="Brackenford", postcode="bk114tf",
)


def test_a_known_as_name_matches_the_preferred_name_and_says_so():
    pair = score_pair(CARE, SCHOOL)
    assert pair.status == "link"
    assert "same forename (through the preferred name)" in pair.reasons
    assert {"same postcode", "same home address"} <= set(pair.reasons)


def test_a_previous_surname_an_alias_and_a_muhammad_prefix_each_match():
    changed = replace(CARE, family_name="Hughes")
    assert "different surname" in score_pair(changed, SCHOOL).reasons
    with_previous = replace(SCHOOL, previous_family_names=("Hughes",))
    assert "same surname (through the previous surname)" in score_pair(changed, with_previous).reasons
    alias = replace(SCHOOL, aliases=("Mo Hughes",))
    assert "same surname (through the alias)" in score_pair(changed, alias).reasons
    prefixed = replace(CARE, given_name="Muhammad Yusuf")
    assert "same forename (through the forename after Muhammad)" in reasons(
        compare(profile(prefixed), profile(replace(SCHOOL, given_name="Yusuf", preferred_given_name=None))))


def test_spelling_variants_and_transliterations_are_one_name():
    for held, typed in (("Mohammed", "Maxamed"), ("Kacper", "Kasper"), ("Aiden", "Aidan"), ("Rosie", "Rosy")):
        pair = score_pair(replace(CARE, given_name=typed), replace(SCHOOL, given_name=held, preferred_given_name=None))
        assert pair.status == "link", (held, typed, pair.reasons)
    # Lily and Lola share their consonants but are two names (twins).
    lily = score_pair(replace(CARE, given_name="Lily"), replace(SCHOOL, given_name="Lola", preferred_given_name=None))
    assert lily.status == "distinct"


def test_addresses_and_postcodes_are_normalised():
    assert normal_postcode("bk114tf") == normal_postcode("BK11 4TF") == "BK11 4TF"
    assert partial_postcode("bk2") == "BK2" and partial_postcode("BK2 3") == "BK2 3"
    assert home("Flat 2", "12 Oak Rd") == home("2/12 Oak Road") == home("flat 2 12 oak road")
    assert home("12 Oak Rd").home != home("14 Oak Road").home
    assert home("12 Oak Rd").street == home("14 Oak Road").street == "oak road"


def test_an_assessed_01_01_date_counts_as_the_year_only():
    assessed = replace(CARE, date_of_birth=date(2014, 1, 1))
    assert "born the same year (an assessed 01/01 date of birth)" in score_pair(assessed, SCHOOL).reasons
    new_year = replace(SCHOOL, date_of_birth=date(2014, 1, 1))
    assert "same date of birth" in score_pair(assessed, new_year).reasons  # a real New Year's Day birth
    other_year = replace(CARE, date_of_birth=date(2015, 1, 1))
    assert "different date of birth" in score_pair(other_year, SCHOOL).reasons


def test_a_shared_identifier_on_another_child_is_a_keying_error_for_review():
    other = SourceRecord(source=SOCIAL_CARE, source_id="202", given_name="Grace", family_name="Whitfield",
                         date_of_birth=date(2011, 2, 9), postcode="BK3 1AB", upn=SCHOOL.upn)
    pair = score_pair(other, SCHOOL)
    assert pair.status == "review" and pair.reasons[0] == REVIEW + KEYING_ERROR
    result = link_records([other, SCHOOL])
    assert not result.same_person(other.ref, SCHOOL.ref)


def test_a_pupil_under_two_upns_is_one_child():
    second = replace(SCHOOL, source_id="ONE2", upn="B985200214002")
    assert score_pair(second, SCHOOL).status == "link"


def test_known_by_a_middle_name_links_unless_a_twin_carries_that_name():
    school = replace(SCHOOL, given_name="Hamza", middle_name="Aariz", preferred_given_name=None)
    care = replace(CARE, given_name="Aariz")
    assert link_records([care, school]).same_person(care.ref, school.ref)
    twin = replace(SCHOOL, source_id="ONE9", given_name="Aariz", middle_name="Musa", upn="C985200214003",
                   preferred_given_name=None)
    result = link_records([care, school, twin])
    assert not result.same_person(care.ref, school.ref)
    assert result.same_person(care.ref, twin.ref)


def test_boy_and_girl_twins_with_names_alike_are_kept_apart():
    zain = replace(CARE, given_name="Zain", gender="male")
    zainab = replace(SCHOOL, given_name="Zainab", gender="female", preferred_given_name=None, upn=None)
    assert score_pair(zain, zainab).apart


def test_neighbours_of_one_forename_are_not_a_question_for_review():
    neighbour = replace(CARE, family_name="Howard", date_of_birth=date(2009, 3, 30))
    assert score_pair(neighbour, SCHOOL).status == "distinct"


def test_namesakes_living_elsewhere_wait_for_review_unless_a_sibling_shows_the_move():
    moved = replace(CARE, date_of_birth=date(2014, 6, 4), address_line1="5 Mill Lane", postcode="BK2 3XY")
    assert score_pair(moved, SCHOOL).status == "review"
    sister_school = replace(SCHOOL, source_id="ONE3", given_name="Amina", middle_name=None,
                            preferred_given_name=None, date_of_birth=date(2016, 9, 1), gender="female",
                            upn="D985200216004")
    sister_care = replace(moved, source_id="103", given_name="Amina", date_of_birth=date(2016, 9, 1),
                          gender="female")
    result = link_records([moved, SCHOOL, sister_school, sister_care], model=DEFAULT_MODEL)
    assert result.same_person(sister_care.ref, sister_school.ref)
    assert result.same_person(moved.ref, SCHOOL.ref)
    assert any("the family moved" in r for p in result.pairs for r in p.reasons)


def test_weights_are_capped_and_identifier_collisions_teach_nothing():
    records = [CARE, SCHOOL, replace(CARE, source_id="102")]
    fair = [compare(profile(a), profile(b)) for a, b in ((CARE, SCHOOL), (records[2], SCHOOL))]
    collision = compare(profile(SourceRecord(source=SOCIAL_CARE, source_id="9", given_name="Grace",
                                             family_name="Whitfield", date_of_birth=date(2011, 2, 9),
                                             upn=SCHOOL.upn)), profile(SCHOOL))
    u = estimate_u([profile(r) for r in records])
    assert estimate_m(fair, u).m == estimate_m([*fair, collision] * 1, u).m
    model = estimate_m(fair, u)
    low, high = WEIGHT_CAP
    assert all(low <= w <= high for weights in model._weights.values() for w in weights)
