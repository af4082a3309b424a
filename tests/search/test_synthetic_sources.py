"""Source records made from the synthetic county carry realistic errors and ground truth."""

from datetime import date

import pytest

from ffd_core.search.names import same_by_nickname
from ffd_core.search.records import EDUCATION, SOCIAL_CARE
from ffd_core.synthetic.population import build_population
from ffd_core.synthetic.sources import build_sources, swap_day_month

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
    per_source_count: dict = {}
    for record in extract.records:
        child = county.child(extract.true_key(record))
        per_source_count[(record.source, child.key)] = per_source_count.get((record.source, child.key), 0) + 1
        if record.given_name != child.given_name and same_by_nickname(record.given_name, child.given_name):
            seen.add("nickname")
        if record.given_name == child.family_name and record.family_name == child.given_name:
            seen.add("name swap")
        if record.date_of_birth and record.date_of_birth != child.date_of_birth:
            if record.date_of_birth == swap_day_month(child.date_of_birth):
                seen.add("day/month swap")
            else:
                seen.add("date slip")
        if record.postcode != child.address.postcode:
            seen.add("moved")
        if "-" in child.family_name and record.family_name in child.family_name.split("-"):
            seen.add("half of double-barrelled")
        if record.source == SOCIAL_CARE and not child.unborn and record.nhs_number is None:
            seen.add("no NHS number")
    if any(n > 1 for n in per_source_count.values()):
        seen.add("duplicate")
    assert seen == {"nickname", "name swap", "day/month swap", "date slip", "moved",
                    "half of double-barrelled", "no NHS number", "duplicate"}
