"""CSV import never loses the file for one bad row and never drops a child silently:
every skipped or warned row is named (line, column, value, reason) and can be written to
a report; the CLI exits 3 when rows were skipped."""

import csv
import os
import stat
from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from ffd_cli.main import cli
from ffd_core.errors import InvalidInput
from ffd_core.search.csv_import import bundled_mapping, load_mapping, read_csv
from ffd_core.search.identifiers import nhs_check_digit
from ffd_core.search.records import SOCIAL_CARE
from ffd_core.services import person_index
from ffd_core.services.context import SYSTEM
from ffd_core.store.people_tables import SourceRecordRow
from tests.cli.runner import wide_output
from tests.conftest import AUDIT_KEY

TODAY = date(2026, 11, 26)
HEADER = "ID,FIRST,LAST,BORN,UPDATED,YEAR,NHS,POSTCODE,ADDRESS,NOTE\n"
MAPPING = ("source_id: ID\ngiven_name: FIRST\nfamily_name: LAST\ndate_of_birth: BORN\ndate_format: \"%d/%m/%Y\"\n"
           "updated_at: UPDATED\nyear_group: YEAR\nnhs_number: NHS\npostcode: POSTCODE\n"
           "address_line1: ADDRESS\ndetails: [NOTE]\n")


def valid_nhs(stem: str = "999000001") -> str:
    for last in range(10):
        candidate = f"{stem[:8]}{last}"
        check = nhs_check_digit(candidate)
        if check is not None:
            return candidate + str(check)
    raise AssertionError("no valid NHS number")


@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text(MAPPING)
    return load_mapping(path)


def read(tmp_path, mapping, body: str, **kwargs):
    path = tmp_path / "people.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return read_csv(path, SOCIAL_CARE, mapping, today=TODAY, **kwargs)


def test_a_bad_date_keeps_the_child_without_it_and_says_how_to_fix_it(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("source_id: ID\ngiven_name: FIRST\nfamily_name: LAST\ndate_of_birth: BORN\n")
    csv_path = tmp_path / "people.csv"
    csv_path.write_text("ID,FIRST,LAST,BORN\n1,Amara,Okafor,09/03/2015\n")
    result = read_csv(csv_path, SOCIAL_CARE, load_mapping(path), today=TODAY)
    assert [(r.source_id, r.date_of_birth) for r in result.records] == [("1", None)]
    [warning] = result.warnings
    assert (warning.line, warning.field, warning.value) == (2, "BORN", "09/03/2015")
    assert "date_format" in warning.reason and not warning.skipped


def test_the_crash_cases_of_the_last_release_cost_one_value_not_the_file(tmp_path, mapping):
    huge = "x" * 131_073
    result = read(tmp_path, mapping, (
        "1,Amara,Okafor,09/03/2015,2026-11-20T09:15:00,4,,BK1 2AB,,\n"  # naive timestamp
        "2,Zofia,Nowak,10/04/2014,,12345678901234567890,,,,\n"  # 20-digit year group
        f"3,Leo,Shaw,11/05/2013,,,,,{huge},\n"  # an address of 131,073 characters
        f"4,Ivy,Hart,12/06/2012,,,,,,{huge}\n"  # a note of 131,073 characters
        f"5,{huge},Long,13/07/2011,,,,,,\n"  # a forename no store could hold: cut, the child kept
        f"{'9' * 81},Ann,Id,13/07/2011,,,,,,\n"  # an id cut short could be another child's: skipped
    ))
    by_id = {r.source_id: r for r in result.records}
    assert sorted(by_id) == ["1", "2", "3", "4", "5"]
    assert by_id["1"].updated_at == datetime(2026, 11, 20, 9, 15, tzinfo=UTC)  # GMT in November
    assert by_id["2"].year_group is None and by_id["3"].address_line1 is None
    assert len(by_id["4"].details["note"]) == 2000
    assert (by_id["5"].given_name, by_id["5"].family_name) == ("x" * 120, "Long")
    assert [(i.line, i.field) for i in result.warnings] == [(3, "YEAR"), (4, "ADDRESS"), (5, "NOTE"), (6, "FIRST")]
    assert "kept the first 120" in result.warnings[-1].reason and len(result.warnings[-1].value) <= 200
    [skipped] = result.rejected
    assert (skipped.line, skipped.field) == (7, "ID") and "81 characters" in skipped.reason


def test_identifiers_dates_and_repeats_are_reported(tmp_path, mapping):
    good, bad = valid_nhs(), valid_nhs()[:-1] + str((int(valid_nhs()[-1]) + 1) % 10)
    result = read(tmp_path, mapping, (
        f"1,Amara,Okafor,09/03/2015,,,{good[:3]} {good[3:6]} {good[6:]},bk114tf,,\n"
        f"2,Zofia,Nowak,10/04/2014,,,{bad},,,\n"
        "3,Leo,Shaw,11/05/2031,,,,,,\n"  # born in the future
        "4,Unborn,Shaw,11/05/2027,,,,,,\n"  # an unborn baby's due date is no mistake
        "1,Amara,Okafor,09/03/2015,,,,BK11 4TF,,\n"  # the same id again
    ))
    by_id = {r.source_id: r for r in result.records}
    assert by_id["1"].postcode == "BK11 4TF" and by_id["2"].nhs_number == bad
    assert [(i.line, i.field) for i in result.warnings] == [(3, "NHS"), (4, "BORN")]
    assert "check digit" in result.warnings[0].reason and "future" in result.warnings[1].reason
    [repeat] = result.rejected
    assert (repeat.line, repeat.field, repeat.value) == (2, "ID", "1") and "line 6" in repeat.reason
    assert [r.source_id for r in result.records] == ["2", "3", "4", "1"]


def test_encodings_by_mark_by_option_and_a_clear_error_otherwise(tmp_path):
    mapping_path = tmp_path / "map.yaml"
    mapping_path.write_text("source_id: ID\ngiven_name: FIRST\nfamily_name: LAST\n")
    mapping_ = load_mapping(mapping_path)
    text = "ID,FIRST,LAST\n1,Zoë,Ó Súilleabháin\n"
    path = tmp_path / "people.csv"
    for encoding in ("utf-16", "utf-8-sig", "utf-16-le"):
        path.write_bytes(text.encode(encoding))
        [record] = read_csv(path, SOCIAL_CARE, mapping_, today=TODAY).records
        assert (record.given_name, record.family_name) == ("Zoë", "Ó Súilleabháin"), encoding
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(InvalidInput, match=r"byte 0xeb at byte position 18 \(line 2\).*--encoding cp1252"):
        read_csv(path, SOCIAL_CARE, mapping_, today=TODAY)
    [record] = read_csv(path, SOCIAL_CARE, mapping_, encoding="cp1252", today=TODAY).records
    assert record.given_name == "Zoë"


def test_a_mapping_takes_every_name_and_address_part(ctx, tmp_path):
    mapping_path = tmp_path / "map.yaml"
    mapping_path.write_text(
        "source_id: ID\ngiven_name: LEGAL_FORENAME\nfamily_name: LEGAL_SURNAME\nmiddle_name: MIDDLE\n"
        "preferred_given_name: PREF_FORENAME\npreferred_family_name: PREF_SURNAME\nknown_as: KNOWN_AS\n"
        "aliases: ALIASES\nprevious_family_names: FORMER_SURNAMES\naddress_line1: ADDR1\n"
        "address_line2: ADDR2\ntown: TOWN\npostcode: POSTCODE\n")
    path = tmp_path / "people.csv"
    path.write_text("ID,LEGAL_FORENAME,LEGAL_SURNAME,MIDDLE,PREF_FORENAME,PREF_SURNAME,KNOWN_AS,ALIASES,"
                    "FORMER_SURNAMES,ADDR1,ADDR2,TOWN,POSTCODE\n"
                    "7,Muhammad,Khan,Ali Reza,Mo,Khan-Smith,Mo Smith,Ali Khan;Mohammed Smith,Smith;Jones,"
                    "Flat 2,12 Oak Rd,Brackenford,bk1 2ab\n")
    report = person_index.import_csv(ctx, SYSTEM, path, source=SOCIAL_CARE, mapping=load_mapping(mapping_path))
    assert (report.inserted, report.rejected, report.warnings) == (1, (), ())
    with Session(ctx.engine) as session:
        row = session.execute(select(SourceRecordRow)).scalar_one()
    assert (row.preferred_given_name, row.preferred_family_name, row.known_as) == ("Mo", "Khan-Smith", "Mo Smith")
    assert (row.aliases, row.previous_family_names) == (["Ali Khan", "Mohammed Smith"], ["Smith", "Jones"])
    assert (row.address_line1, row.address_line2, row.postcode) == ("Flat 2", "12 Oak Rd", "BK1 2AB")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_cli_writes_a_safe_report_and_exits_3_when_rows_were_skipped(ctx, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("FFD_DATABASE_URL", database_url)
    monkeypatch.setenv("FFD_AUDIT_KEY", AUDIT_KEY.decode())
    path = tmp_path / "people.csv"
    path.write_text("PERSON_ID,FORENAME,SURNAME,DOB\n1,Amara,Okafor,09/03/2015\n2,=1+1,,31/02/2015\n"
                    "3,Leo,Shaw,=HYPERLINK(\"http://x\")\n")
    mapping_path = tmp_path / "map.yaml"
    mapping_path.write_text("source_id: PERSON_ID\ngiven_name: FORENAME\nfamily_name: SURNAME\n"
                            "date_of_birth: DOB\ndate_format: \"%d/%m/%Y\"\n")
    report = tmp_path / "report.csv"
    result = CliRunner().invoke(cli, ["people", "import", "--source", SOCIAL_CARE, "--map", str(mapping_path),
                                      "--report", str(report), str(path)])
    assert result.exit_code == 3, result.output
    assert "2 new and 0 updated" in result.output and "1 row skipped, 1 warning." in result.output
    assert stat.S_IMODE(os.stat(report).st_mode) == 0o600
    rows = list(csv.reader(report.open(encoding="utf-8")))
    assert rows[0] == ["line", "field", "value", "reason", "outcome"]
    assert [(r[0], r[1], r[2], r[4]) for r in rows[1:]] == [
        ("3", "SURNAME", "", "row skipped"), ("4", "DOB", "'=HYPERLINK(\"http://x\")", "record kept")]
    clean = tmp_path / "clean.csv"
    clean.write_text("PERSON_ID,FORENAME,SURNAME,DOB\n4,Ivy,Hart,12/06/2012\n")
    result = CliRunner().invoke(cli, ["people", "import", "--source", SOCIAL_CARE, "--map", str(mapping_path),
                                      str(clean)])
    assert result.exit_code == 0, result.output


def test_the_bundled_mappings_still_load():
    assert bundled_mapping("framework_i").columns["known_as"] == "KNOWN_AS"
    assert bundled_mapping("capita_one").columns["preferred_given_name"] == "PREFERRED_FORENAME"


def test_a_file_too_large_to_read_at_once_is_refused_with_what_to_do(tmp_path, mapping):
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(2**30 + 1)  # sparse: no gigabyte is written
    with pytest.raises(InvalidInput, match="split the export"):
        read_csv(path, SOCIAL_CARE, mapping, today=TODAY)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_search_refuses_a_postcode_or_date_it_cannot_read_in_one_line(ctx):
    from ffd_core.search.search import PersonQuery
    from ffd_core.services import single_view

    with pytest.raises(InvalidInput, match="not a postcode"):
        single_view.find_people(ctx, SYSTEM, PersonQuery(name="Amara", postcode="12345"))
    with pytest.raises(InvalidInput, match="not a date"):
        single_view.find_people(ctx, SYSTEM, PersonQuery(name="Amara", date_of_birth="31/31/20x5"))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_cli_says_what_was_older_than_the_store_and_when_there_is_nothing_to_report(
        ctx, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("FFD_DATABASE_URL", database_url)
    monkeypatch.setenv("FFD_AUDIT_KEY", AUDIT_KEY.decode())
    mapping_path = tmp_path / "map.yaml"
    mapping_path.write_text("source_id: PERSON_ID\ngiven_name: FORENAME\nfamily_name: SURNAME\nupdated_at: UPDATED\n")
    newer, older = tmp_path / "2024.csv", tmp_path / "2019.csv"
    newer.write_text("PERSON_ID,FORENAME,SURNAME,UPDATED\n1,Amara,Okafor,2024-06-01T09:00:00+00:00\n")
    older.write_text("PERSON_ID,FORENAME,SURNAME,UPDATED\n1,Amara,Oldname,2019-01-01T09:00:00+00:00\n")
    report = tmp_path / "report.csv"
    wide_output(monkeypatch)  # one line each: nothing wrapped

    def ffd(path):  # noqa: ANN001, ANN202
        return CliRunner().invoke(cli, [
            "people", "import", "--source", SOCIAL_CARE, "--map", str(mapping_path), "--report", str(report),
            str(path)])

    first = ffd(newer)
    assert first.exit_code == 0, first.output
    assert "Nothing to report; " in first.output and "holds the header only" in first.output
    assert "All 0" not in first.output
    assert [r for r in csv.reader(report.open(encoding="utf-8"))] == [["line", "field", "value", "reason", "outcome"]]
    second = ffd(older)
    assert second.exit_code == 0, second.output
    assert "0 new and 0 updated records from 2019.csv; 1 older than the stored version, not applied;" in second.output
    assert "not applied framework_i:1: last updated 01/01/2019 09:00, before the stored version" in second.output
    assert "All 1 written to" in second.output
    with Session(ctx.engine) as session:
        assert session.execute(select(SourceRecordRow.family_name)).scalar_one() == "Okafor"
