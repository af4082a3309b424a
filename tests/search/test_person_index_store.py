"""The person index in the store (SQLite, and PostgreSQL when configured): import, relink,
stable person ids, audited decisions that survive re-linking, search, export."""

import csv
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ffd_core.services import person_index, single_view
from ffd_core.services.context import SYSTEM
from ffd_core.synthetic.demo_people import load_demo_people
from ffd_core.search.quality import pairwise_quality
from ffd_core.search.records import EDUCATION, SOCIAL_CARE
from ffd_core.search.search import PersonQuery, find_exactly, search_people
from ffd_core.store.people_tables import SearchKey, SourceRecordRow
from ffd_core.store.tables import AuditEvent
from ffd_core.synthetic.population import build_population
from ffd_core.synthetic.sources import build_sources

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def county():
    return build_population(seed=8, children=1000, as_of=AS_OF)


@pytest.fixture(scope="module")
def extract(county):
    return build_sources(county, seed=8, as_of=AS_OF)


@pytest.fixture
def index(ctx, extract):
    person_index.import_records(ctx, SYSTEM, extract.records)
    person_index.relink(ctx, SYSTEM)
    return ctx.engine


def person_ids(engine):
    with Session(engine) as session:
        return {(s, i): p for s, i, p in session.execute(
            select(SourceRecordRow.source, SourceRecordRow.source_id, SourceRecordRow.person_id))}


def test_import_is_idempotent(ctx, extract, index):
    again = person_index.import_records(ctx, SYSTEM, extract.records[:300])
    assert (again.inserted, again.updated) == (0, 300)
    with Session(ctx.engine) as session:
        assert session.execute(select(func.count(SourceRecordRow.id))).scalar_one() == len(extract.records)
        keys = session.execute(select(func.count()).select_from(SearchKey)).scalar_one()
    person_index.import_records(ctx, SYSTEM, extract.records[:300])
    with Session(ctx.engine) as session:
        assert session.execute(select(func.count()).select_from(SearchKey)).scalar_one() == keys


def test_person_ids_stay_stable_across_relinking(ctx, index):
    before = person_ids(index)
    person_index.relink(ctx, SYSTEM)
    assert person_ids(index) == before


def test_a_person_keeps_its_id_when_a_record_joins(ctx, extract, index):
    before = person_ids(index)
    child_key = extract.true_key(extract.records[0])
    newcomer = replace(next(r for r in extract.records if extract.true_key(r) == child_key),
                       source_id="NEW-1")
    person_index.import_records(ctx, SYSTEM, [newcomer])
    person_index.relink(ctx, SYSTEM)
    after = person_ids(index)
    assert after[newcomer.ref] == after[extract.records[0].ref] == before[extract.records[0].ref]


def test_confirm_and_split_are_audited_and_survive_relinking(ctx, index, people):
    ids = person_ids(index)
    by_person = {}
    for ref, pid in ids.items():
        by_person.setdefault(pid, []).append(ref)
    linked = next(refs for refs in by_person.values() if len(refs) == 2)
    lonely = [refs[0] for refs in by_person.values() if len(refs) == 1][:2]
    officer = people["olivia"]

    single_view.decide_link(ctx, officer, linked[0], linked[1], same=False,
                            reason="different children")
    merged = single_view.decide_link(ctx, officer, lonely[0], lonely[1], same=True,
                                     reason="same child, checked with the school")
    now = person_ids(index)
    assert now[linked[0]] != now[linked[1]]
    assert now[lonely[0]] == now[lonely[1]] == merged

    person_index.relink(ctx, SYSTEM)
    relinked = person_ids(index)
    assert relinked[linked[0]] != relinked[linked[1]]
    assert relinked[lonely[0]] == relinked[lonely[1]]
    with Session(index) as session:
        actions = session.execute(select(AuditEvent.action).where(
            AuditEvent.action.like("person_link_%"))).scalars().all()
    assert sorted(actions) == ["person_link_confirmed", "person_link_split"]


def test_search_finds_the_child_with_a_typo_and_groups_both_sources(county, extract, index):
    child = next(c for c in county.children if c.school and len(c.family_name) > 5
                 and any(extract.true_key(r) == c.key and r.source == SOCIAL_CARE for r in extract.records))
    typo = child.family_name[:2] + child.family_name[3] + child.family_name[2] + child.family_name[4:]
    with Session(index) as session:
        found = search_people(session, PersonQuery(name=f"{child.given_name} {typo}",
                                                   date_of_birth=child.date_of_birth.strftime("%d/%m/%Y")))
    assert found
    assert {extract.true_key(r.record) for r in found[0].records} == {child.key}
    assert found[0].reasons


@pytest.mark.parametrize("query_for", [
    lambda c: PersonQuery(upn=c.upn),
    lambda c: PersonQuery(given_name=c.given_name[:3], family_name=c.family_name,
                          date_of_birth=str(c.date_of_birth.year)),
    lambda c: PersonQuery(name=f"{c.family_name} {c.given_name}",
                          date_of_birth=c.date_of_birth.strftime("%m/%d/%Y")),
    lambda c: PersonQuery(name=c.family_name, postcode=c.address.postcode, school=c.school),
], ids=["upn", "partial forename and birth year", "swapped names and day/month", "surname postcode school"])
def test_search_by_each_mix_of_fields(county, extract, index, query_for):
    child = next(c for c in county.children if c.school and c.date_of_birth.day <= 12
                 and sum(extract.true_key(r) == c.key for r in extract.records) >= 1
                 and c.given_name in {r.given_name for r in extract.records if extract.true_key(r) == c.key})
    with Session(index) as session:
        found = search_people(session, query_for(child), limit=5)
    assert any(extract.true_key(r.record) == child.key for p in found for r in p.records)


def test_restricted_lookup_answers_only_an_exact_match(county, extract, index):
    record = next(r for r in extract.of(EDUCATION))
    with Session(index) as session:
        person = find_exactly(session, record.given_name, record.family_name, record.date_of_birth,
                              record.postcode)
        assert person is not None and record.ref in {r.record.ref for r in person.records}
        assert find_exactly(session, record.given_name + "x", record.family_name,
                            record.date_of_birth, record.postcode) is None


def test_links_export_matches_the_store(ctx, index, tmp_path, extract):
    path = tmp_path / "links.csv"
    written = person_index.export_links(ctx, SYSTEM, path)
    rows = list(csv.DictReader(path.open()))
    assert written == len(rows) == len(extract.records)
    assert set(rows[0]) == {"source", "source_id", "person_id", "score"}
    assert all(row["person_id"] for row in rows)


def test_single_view_shows_both_sources(ctx, extract, index, people):
    ids = person_ids(index)
    pid = next(p for ref, p in ids.items() if ref[0] == SOCIAL_CARE
               and any(o[0] == EDUCATION and q == p for o, q in ids.items()))
    view = single_view.person_view(ctx, people["olivia"], pid, reason="contact about this child")
    assert view.of(SOCIAL_CARE) and view.of(EDUCATION) and view.links
    with Session(index) as session:
        viewed = session.execute(select(AuditEvent.subject).where(AuditEvent.action == "person_viewed")).scalars()
        assert list(viewed) == [f"person:{pid}"]


def test_single_view_says_who_to_contact(ctx, extract, index, people):
    ids = person_ids(index)
    allocated = next(r for r in extract.of(SOCIAL_CARE) if r.details.get("allocated_worker"))
    view = single_view.person_view(ctx, people["olivia"], ids[allocated.ref])
    assert view.open_to_social_care
    assert allocated.details["allocated_worker"] in {c["worker"] for c in view.who_to_contact}


def test_demo_people_can_be_checked_against_their_ground_truth(ctx, tmp_path):
    demo = load_demo_people(ctx, SYSTEM, seed=4, children=600, as_of=AS_OF)
    assert demo.linkage.records == len(demo.extract.records)
    path = tmp_path / "links.csv"
    person_index.export_links(ctx, SYSTEM, path)
    people = {}
    for row in csv.DictReader(path.open()):
        people.setdefault(row["person_id"], []).append((row["source"], row["source_id"]))
    quality = pairwise_quality(list(people.values()), demo.extract.truth)
    assert quality.precision >= 0.99 and quality.recall >= 0.9


def test_possible_matches_wait_for_review_until_decided(ctx, index, people):
    waiting = single_view.possible_matches(ctx, SYSTEM)
    assert waiting and all(8 <= m.weight for m in waiting) and waiting[0].reasons
    first = waiting[0]
    single_view.decide_link(ctx, people["sam"], first.a, first.b, same=False,
                            reason="different dates of birth")
    assert (first.a, first.b) not in {(m.a, m.b) for m in single_view.possible_matches(ctx, SYSTEM)}


def test_a_decision_taken_while_relinking_is_not_overwritten(ctx, index, people):
    """An officer splits a pair while a re-link is computing (the re-link loaded the
    decisions before the split): the split still holds when the re-link saves."""
    ids = person_ids(index)
    by_person = {}
    for ref, pid in ids.items():
        by_person.setdefault(pid, []).append(ref)
    a, b = next(refs for refs in by_person.values() if len(refs) == 2)

    def meanwhile(done, _total, label):
        if label == "saving people and links":
            single_view.decide_link(ctx, people["olivia"], a, b, same=False,
                                    reason="twins: different children")

    summary = person_index.relink(ctx, SYSTEM, progress=meanwhile)
    assert summary.decisions_reapplied == 1
    after = person_ids(index)
    assert after[a] != after[b]


def test_searches_review_lists_and_exports_are_on_the_audit_trail(ctx, index, people, tmp_path):
    single_view.find_people(ctx, people["wendy"], PersonQuery(name="Smith"), reason="contact")
    pairs = single_view.possible_matches(ctx, people["olivia"])
    single_view.records_for(ctx, people["olivia"], {pairs[0].a, pairs[0].b})
    person_index.export_links(ctx, people["sam"], tmp_path / "links.csv")
    with Session(index) as session:
        events = {e.action: e for e in session.execute(select(AuditEvent).where(
            AuditEvent.action.in_(["person_search", "possible_matches_listed",
                                   "match_records_viewed", "people_links_export"]))).scalars()}
    assert events["person_search"].actor_id == people["wendy"].user_id
    assert events["person_search"].data["query"] == {"name": "Smith"}
    assert events["possible_matches_listed"].actor_id == people["olivia"].user_id
    assert len(events["match_records_viewed"].data["records"]) == 2
    assert events["people_links_export"].data["file"].endswith("links.csv")
