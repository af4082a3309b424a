"""`ffd people` against a real store holding the demo county's linked records."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from ffd_cli.main import cli
from ffd_core.search.records import SOCIAL_CARE, SourceRecord
from ffd_core.services import person_index, single_view
from ffd_core.services.context import SYSTEM
from ffd_core.synthetic.demo_people import load_demo_people
from ffd_core.search.search_keys import KEY_SCHEME
from ffd_core.store.people_tables import PersonIndexState
from ffd_core.store.tables import AuditEvent
from tests.cli.runner import wide_output
from tests.conftest import AUDIT_KEY


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_search_show_review_and_export(ctx, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("FFD_DATABASE_URL", database_url)
    monkeypatch.setenv("FFD_AUDIT_KEY", AUDIT_KEY.decode())
    demo = load_demo_people(ctx, SYSTEM, seed=5, children=400, as_of=date(2026, 11, 24))
    child = next(c for c in demo.population.children if not c.unborn)
    run = CliRunner()
    found = run.invoke(cli, ["people", "search", f"{child.given_name} {child.family_name}",
                             "--dob", child.date_of_birth.strftime("%d/%m/%Y")])
    assert found.exit_code == 0, found.output
    person_id = found.output.split("│")[1].strip() if "│" in found.output else ""
    assert person_id.startswith("P")
    shown = run.invoke(cli, ["people", "show", person_id, "--reason", "screening a contact"])
    assert shown.exit_code == 0 and child.family_name in shown.output
    with ctx.read() as session:
        assert session.execute(select(AuditEvent).where(
            AuditEvent.subject.like(f"%{person_id}%"))).first() is not None
    assert run.invoke(cli, ["people", "review"]).exit_code == 0
    out = tmp_path / "links.csv"
    assert run.invoke(cli, ["people", "links", "export", str(out)]).exit_code == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == len(demo.extract.records) and set(rows[0]) == {"source", "source_id",
                                                                       "person_id", "score"}
    pending = single_view.possible_matches(ctx, SYSTEM, limit=10)
    assert pending  # this seed's county leaves two pairs for review
    a, b = (":".join(pending[0].a), ":".join(pending[0].b))
    split = run.invoke(cli, ["people", "split", a, b, "--reason", "different children"])
    assert split.exit_code == 0, split.output
    assert (pending[0].a, pending[0].b) not in {(m.a, m.b) for m in single_view.possible_matches(ctx, SYSTEM)}
    bad = run.invoke(cli, ["people", "confirm", "nowhere:1", "capita_one:2", "--reason", "x"])
    assert bad.exit_code == 2 and "SOURCE:ID" in bad.output
    nothing = run.invoke(cli, ["people", "search"])
    assert nothing.exit_code == 2 and "give at least" in nothing.output


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_stale_index_is_reported_and_reindexed(ctx, database_url, monkeypatch):
    monkeypatch.setenv("FFD_DATABASE_URL", database_url)
    monkeypatch.setenv("FFD_AUDIT_KEY", AUDIT_KEY.decode())
    load_demo_people(ctx, SYSTEM, seed=5, children=100, as_of=date(2026, 11, 24))
    with ctx.engine.begin() as connection:  # as a store filed by the previous release
        connection.execute(update(PersonIndexState).values(key_scheme=KEY_SCHEME - 1))
    run = CliRunner()
    for command in (["db", "status"], ["people", "search", "Smith"]):
        assert "ffd people reindex" in run.invoke(cli, command).output
    reindexed = run.invoke(cli, ["people", "reindex"])
    assert reindexed.exit_code == 0 and "re-filed" in reindexed.output
    assert "reindex" not in run.invoke(cli, ["db", "status"]).output


TERMINAL_CONTROL = "\x1b[2K\x1b[1A\x07\x9b\u202e\u2066"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_terminal_control_in_data_is_shown_escaped_never_sent_to_the_terminal(ctx, database_url, monkeypatch):
    monkeypatch.setenv("FFD_DATABASE_URL", database_url)
    monkeypatch.setenv("FFD_AUDIT_KEY", AUDIT_KEY.decode())
    person_index.import_records(ctx, SYSTEM, [SourceRecord(
        SOCIAL_CARE, "1", "Amy", f"Smith{TERMINAL_CONTROL}", date_of_birth=date(2015, 3, 9), postcode="BK2 3AB",
        details={"allocated_worker": f"Sam{TERMINAL_CONTROL}", "team": "North"})])
    person_index.relink(ctx, SYSTEM)
    wide_output(monkeypatch)  # no cell wrapped
    run = CliRunner()
    found = run.invoke(cli, ["people", "search", "Amy Smith", "--dob", "09/03/2015"])
    assert found.exit_code == 0, found.output
    person_id = found.output.split("│")[1].strip()
    shown = run.invoke(cli, ["people", "show", person_id, "--reason", "screening a contact"])
    assert shown.exit_code == 0, shown.output
    for output in (found.output, shown.output):
        assert not any(c in output for c in "\x1b\x07\x9b\u202e\u2066"), repr(output)
        assert "Smith\\x1b[2K\\x1b[1A\\x07\\x9b\\u202e\\u2066" in output
    assert "Who to contact: Sam\\x1b[2K" in shown.output
