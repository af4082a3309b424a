"""Getting records in: CSV import with a column mapping, and resumable sync over HTTP
from the sandbox source system served on loopback."""

import csv
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from click.testing import CliRunner

from ffd_cli.main import cli
from ffd_core.forms.errors import ConfigInvalid
from ffd_core.services import person_index
from ffd_core.services.context import SYSTEM
from ffd_core.search.csv_import import bundled_mapping, iter_rows, load_mapping
from ffd_core.search.records import EDUCATION, SOCIAL_CARE
from ffd_core.search.sandbox import Faults, sandbox_app, serve
from ffd_core.search.sync import SyncFailed, sync_source
from ffd_core.store.people_tables import SourceRecordRow, SyncCursor
from ffd_core.synthetic.population import build_population
from ffd_core.synthetic.sources import build_sources
from tests.cli.runner import wide_output
from tests.conftest import AUDIT_KEY

AS_OF = date(2026, 11, 26)
SERVER_NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def extract():
    return build_sources(build_population(seed=3, children=400, as_of=AS_OF), seed=3, as_of=AS_OF)


def stored(engine, source=None):
    with Session(engine) as session:
        query = select(SourceRecordRow.source, SourceRecordRow.source_id)
        if source:
            query = query.where(SourceRecordRow.source == source)
        return session.execute(query).all()


def write_csv(path, records, mapping):
    rows = list(iter_rows(records, mapping))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_csv_import_with_the_bundled_framework_i_mapping(ctx, extract, tmp_path):
    mapping = bundled_mapping("framework_i")
    records = list(extract.of(SOCIAL_CARE))
    path = tmp_path / "fwi.csv"
    write_csv(path, records, mapping)
    report = person_index.import_csv(ctx, SYSTEM, path, source=SOCIAL_CARE, mapping=mapping)
    assert (report.inserted, report.rejected) == (len(records), ())
    with Session(ctx.engine) as session:
        row = session.execute(select(SourceRecordRow).where(
            SourceRecordRow.source_id == records[0].source_id)).scalar_one()
    assert (row.family_name, row.date_of_birth, row.postcode) == (
        records[0].family_name, records[0].date_of_birth, records[0].postcode)


def test_csv_rows_without_a_name_are_skipped_and_bad_dates_kept_by_line(ctx, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("ID,FIRST,LAST,BORN\n1,Amara,Okafor,2015-03-09\n2,Zofia,Nowak,31/02/2015\n3,,Smith,2014-01-01\n")
    mapping_file = tmp_path / "map.yaml"
    mapping_file.write_text("source_id: ID\ngiven_name: FIRST\nfamily_name: LAST\ndate_of_birth: BORN\n")
    report = person_index.import_csv(ctx, SYSTEM, path, source="school_census", mapping=load_mapping(mapping_file))
    assert report.inserted == 2  # Zofia is kept, without a date of birth
    assert [(r.line, r.field) for r in report.rejected] == [(4, "FIRST")]
    assert [(r.line, r.field) for r in report.warnings] == [(3, "BORN")]


def test_a_mapping_without_a_required_field_is_refused(tmp_path):
    mapping_file = tmp_path / "map.yaml"
    mapping_file.write_text("source_id: ID\ngiven_name: FIRST\nnickname: NICK\n")
    with pytest.raises(ConfigInvalid, match="family_name"):
        load_mapping(mapping_file)


def test_sync_fetches_every_record_of_both_sources(ctx, extract):
    app = sandbox_app({SOCIAL_CARE: extract.of(SOCIAL_CARE), EDUCATION: extract.of(EDUCATION)},
                      token="sandbox-token", clock=lambda: SERVER_NOW)
    with serve(app) as url:
        for source in (SOCIAL_CARE, EDUCATION):
            report = sync_source(ctx.engine, url, source, token="sandbox-token", page_size=50)
            assert report.records == len(extract.of(source)) and not report.resumed
    assert len(stored(ctx.engine)) == len(extract.records)


def test_sync_resumes_after_the_sandbox_fails_midway_without_duplicates(ctx, extract):
    records = extract.of(EDUCATION)
    faults = Faults(fail_requests={3})
    app = sandbox_app({EDUCATION: records}, faults=faults, clock=lambda: SERVER_NOW)
    with serve(app) as url:
        with pytest.raises(SyncFailed, match="resume"):
            sync_source(ctx.engine, url, EDUCATION, page_size=40, retries=0)
        assert len(stored(ctx.engine)) == 80  # the two pages written before the failure
        with Session(ctx.engine) as session:
            assert session.get(SyncCursor, EDUCATION).page_token
        report = sync_source(ctx.engine, url, EDUCATION, page_size=40, retries=0)
    assert report.resumed and report.records == len(records)
    refs = stored(ctx.engine)
    assert len(refs) == len(set(refs)) == len(records)


def test_the_next_sync_fetches_only_what_changed(ctx, extract):
    records = list(extract.of(SOCIAL_CARE))
    with serve(sandbox_app({SOCIAL_CARE: records}, clock=lambda: SERVER_NOW)) as url:
        sync_source(ctx.engine, url, SOCIAL_CARE)
    moved = replace(records[0], postcode="BK9 9ZZ", updated_at=SERVER_NOW + timedelta(hours=1))

    def later():  # noqa: ANN202
        return SERVER_NOW + timedelta(hours=2)

    with serve(sandbox_app({SOCIAL_CARE: [moved, *records[1:]]}, clock=later)) as url:
        report = sync_source(ctx.engine, url, SOCIAL_CARE)
    assert report.records == 1
    with Session(ctx.engine) as session:
        assert session.execute(select(SourceRecordRow.postcode).where(
            SourceRecordRow.source_id == moved.source_id)).scalar_one() == "BK9 9ZZ"
        assert session.execute(select(func.count(SourceRecordRow.id))).scalar_one() == len(records)


OLDER_HEADER = "PERSON_ID,FORENAME,SURNAME,UPDATED\n"
OLDER_MAPPING = "source_id: PERSON_ID\ngiven_name: FORENAME\nfamily_name: SURNAME\nupdated_at: UPDATED\n"


def stored_name(engine, source_id):
    with Session(engine) as session:
        return session.execute(select(SourceRecordRow.family_name, SourceRecordRow.updated_at).where(
            SourceRecordRow.source_id == source_id)).one()


def test_an_older_export_does_not_overwrite_newer_records(ctx, tmp_path):
    mapping_path = tmp_path / "map.yaml"
    mapping_path.write_text(OLDER_MAPPING)
    mapping = load_mapping(mapping_path)

    def import_(body: str, report=None):  # noqa: ANN001, ANN202
        path = tmp_path / "people.csv"
        path.write_text(OLDER_HEADER + body)
        return person_index.import_csv(ctx, SYSTEM, path, source=SOCIAL_CARE, mapping=mapping, report=report)

    import_("1,Amara,Newer,2024-06-01T09:00:00+00:00\n2,Leo,First,\n3,Ivy,Hart,2024-06-01T09:00:00+00:00\n")
    report = tmp_path / "report.csv"
    result = import_("1,Amara,Older,2019-01-01T09:00:00+00:00\n2,Leo,Second,2019-01-01T09:00:00+00:00\n"
                     "3,Ivy,Later,2024-06-02T09:00:00+00:00\n", report)
    assert (result.inserted, result.updated) == (0, 2)
    assert [(o.ref, o.updated_at.year, o.stored_updated_at.year) for o in result.older] == [
        ((SOCIAL_CARE, "1"), 2019, 2024)]
    assert stored_name(ctx.engine, "1") == ("Newer", datetime(2024, 6, 1, 9, tzinfo=UTC))
    assert stored_name(ctx.engine, "2")[0] == "Second"  # the store had no time: no telling, applied
    assert stored_name(ctx.engine, "3")[0] == "Later"
    rows = list(csv.reader(report.open(encoding="utf-8")))
    assert rows[1:] == [["", "PERSON_ID", "1", "last updated 01/01/2019 09:00, before the stored version "
                         "(01/06/2024 10:00): not applied", "record not applied"]]
    assert result.report_rows == 1
    # The same version again, or one without a time, is applied as before.
    again = import_("1,Amara,Newer,2024-06-01T09:00:00+00:00\n")
    assert (again.updated, again.older) == (1, ())
    assert import_("1,Amara,Undated,\n").older == ()
    assert stored_name(ctx.engine, "1")[0] == "Undated"


def test_sync_leaves_a_record_newer_than_the_one_it_fetches(ctx, extract, tmp_path):
    records = list(extract.of(SOCIAL_CARE))[:5]
    newer = replace(records[0], family_name="Renamed", updated_at=SERVER_NOW + timedelta(days=30))
    person_index.import_records(ctx, SYSTEM, [newer])
    with serve(sandbox_app({SOCIAL_CARE: records}, clock=lambda: SERVER_NOW)) as url:
        report = sync_source(ctx.engine, url, SOCIAL_CARE)
    assert (report.records, report.older) == (len(records), 1)
    assert stored_name(ctx.engine, newer.source_id)[0] == "Renamed"
    assert len(stored(ctx.engine, SOCIAL_CARE)) == len(records)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_ffd_people_sync_says_what_it_left_because_the_store_was_newer(ctx, extract, database_url, monkeypatch):
    monkeypatch.setenv("FFD_DATABASE_URL", database_url)
    monkeypatch.setenv("FFD_AUDIT_KEY", AUDIT_KEY.decode())
    wide_output(monkeypatch)
    records = list(extract.of(SOCIAL_CARE))[:3]
    person_index.import_records(ctx, SYSTEM, [replace(records[1], updated_at=SERVER_NOW + timedelta(days=1))])
    with serve(sandbox_app({SOCIAL_CARE: records}, clock=lambda: SERVER_NOW)) as url:
        result = CliRunner().invoke(cli, ["people", "sync", "--source", SOCIAL_CARE, "--url", url])
    assert result.exit_code == 0, result.output
    assert f"3 records in 1 page from {SOCIAL_CARE}; 1 record older than the stored version, not applied." \
        in result.output
