"""The synthetic county: deterministic, well-formed identifiers, realistic households."""

import re
from collections import Counter
from datetime import date

import pytest

from ffd_core.search.identifiers import (
    is_valid_nhs_number,
    is_valid_upn,
    upn_check_letter,
)
from ffd_core.synthetic.population import build_population

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def county():
    return build_population(seed=11, children=6000, as_of=AS_OF)


def test_same_seed_gives_the_same_county(county):
    again = build_population(seed=11, children=6000, as_of=AS_OF)
    assert again == county
    assert build_population(seed=12, children=6000, as_of=AS_OF) != county


def test_exactly_the_children_asked_for_all_under_eighteen(county):
    assert len(county.children) == 6000
    for child in county.children:
        if child.unborn:
            assert child.date_of_birth > AS_OF
        else:
            assert 0 <= (AS_OF - child.date_of_birth).days < 18 * 365.25


def test_identifiers_are_valid_and_unique(county):
    nhs = [c.nhs_number for c in county.children]
    upns = [c.upn for c in county.children if c.upn]
    assert all(is_valid_nhs_number(n) for n in nhs) and len(set(nhs)) == len(nhs)
    assert all(n.startswith("99") for n in nhs)  # never issued to patients
    assert all(is_valid_upn(u) for u in upns) and len(set(upns)) == len(upns)


def test_upn_check_letter_matches_the_dfe_algorithm():
    # Weights 2..13 over the 12 characters, modulus 23, letters without I, O and S.
    twelve = "820200101001"
    total = sum(int(ch) * w for w, ch in enumerate(twelve, start=2))
    assert upn_check_letter(twelve) == "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23]


def test_households_hold_their_children(county):
    for household in county.households[:500]:
        assert household.adults
        for key in household.child_keys:
            child = county.child(key)
            assert county.household_of(child) == household
            assert child.address == household.address


def test_twins_share_birthday_and_home_but_not_forename(county):
    births = Counter((c.household_key, c.date_of_birth) for c in county.children if not c.unborn)
    twins = [k for k, n in births.items() if n == 2]
    assert 0.01 < 2 * len(twins) / len(county.children) < 0.04
    for household_key, dob in twins:
        pair = [c for c in county.children if c.household_key == household_key and c.date_of_birth == dob]
        assert pair[0].given_name != pair[1].given_name


def test_school_age_children_have_a_school_and_year_group(county):
    for child in county.children:
        if child.school is not None:
            assert child.school in county.schools
            assert 0 <= child.year_group <= 13 and child.upn
    assert 50 <= len(county.schools) <= 70


def test_ethnicity_mix_is_roughly_englands(county):
    shares = Counter(c.ethnicity for c in county.children)
    assert 0.55 < shares["WBRI"] / len(county.children) < 0.72
    assert {"MWBC", "APKN", "BAFR", "AIND"} <= set(shares)


def test_postcodes_look_like_uk_postcodes_of_the_fictional_area(county):
    pattern = re.compile(r"^BK\d{1,2} \d[ABD-HJLNP-UW-Z]{2}$")
    assert all(pattern.match(h.address.postcode) for h in county.households)
