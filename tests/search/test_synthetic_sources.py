"""Source records made from the synthetic county carry realistic errors and ground truth."""

from datetime import date

import pytest

from ffd_core.search.names import same_by_nickname
from ffd_core.search.records import EDUCATION, SOCIAL_CARE
from ffd_core.synthetic.population import build_population
from ffd_core.search.identifiers import is_valid_nhs_number
from ffd_core.synthetic.sources import DISCREPANCIES, KINDS, build_sources, swap_day_month

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def county():
    return build_population(seed=5, children=5000, as_of=AS_OF)


@pytest.fixture(scope="module")
def extract(county):
    return build_sources(county, seed=5, as_of=AS_OF)


def test_deterministic_for_a_seed(county, extract):
    assert build_sources(county, seed=5, as_of=AS_OF) == extract


def test_every_record_has_ground_truth_and_a_unique_reference(county, extract):
    refs = [r.ref for r in extract.records]
    assert len(set(refs)) == len(refs)
    assert all(county.child(extract.true_key(r)) for r in extract.records)


def test_each_system_knows_a_subset_and_education_only_pupils(county, extract):
    social = {extract.true_key(r) for r in extract.of(SOCIAL_CARE)}
    pupils = {extract.true_key(r) for r in extract.of(EDUCATION)}
    assert 0.2 < len(social) / len(county.children) < 0.45
    assert all(county.child(k).school for k in pupils)
    assert social & pupils and social - pupils and pupils - social


def test_records_carry_each_kind_of_error(county, extract):
    seen = set()
    for record in extract.records:
        child = county.child(extract.true_key(record))
        if record.given_name != child.given_name and same_by_nickname(record.given_name, child.given_name):
            seen.add("nickname")
        if record.given_name == child.family_name and record.family_name == child.given_name:
            seen.add("name swap")
        if record.date_of_birth and record.date_of_birth != child.date_of_birth:
            seen.add("day/month swap" if record.date_of_birth == swap_day_month(child.date_of_birth) else "date slip")
        if record.postcode != child.address.postcode:
            seen.add("moved or no space")
        if record.source == SOCIAL_CARE and not child.unborn and record.nhs_number is None:
            seen.add("no NHS number")
    assert seen == {"nickname", "name swap", "day/month swap", "date slip", "moved or no space", "no NHS number"}


def test_each_discrepancy_is_drawn_near_its_rate(county, extract):
    """Children known to both systems: each kind of discrepancy at about its rate."""
    both = {}
    for ref, key in extract.truth.items():
        both.setdefault(key, set()).add(ref[0])
    known = [key for key, sources in both.items() if sources == {SOCIAL_CARE, EDUCATION}]
    kinds_of = {extract.truth[ref]: kinds for ref, kinds in extract.discrepancies.items()}
    for kind in KINDS:
        if kind == "assessed_date":
            continue  # a third of the few asylum-seeking children aged 14+
        rate = sum(kind in kinds_of[k] for k in known) / len(known)
        target = getattr(DISCREPANCIES, kind)
        assert 0.3 * target <= rate <= 2.5 * target + 0.005, (kind, rate, target)
    shapes = {}
    for record in extract.records:
        kinds = extract.discrepancies[record.ref]
        child = county.child(extract.true_key(record))
        if record.source == SOCIAL_CARE and "known_as" in kinds:
            shapes["known_as"] = record.given_name != child.given_name
        if record.source == SOCIAL_CARE and "nhs_mistyped" in kinds and record.nhs_number:
            shapes["nhs_mistyped"] = not is_valid_nhs_number(record.nhs_number)
    assert shapes == {"known_as": True, "nhs_mistyped": True}
