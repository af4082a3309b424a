"""Files a council's export can really produce (an unclosed quote, a column named twice, an
empty file, a stray NUL, digits from another script) cost a warning or a clear one-line
refusal: never a child lost without a word, never a crash."""

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from ffd_cli.main import cli
from ffd_core.errors import InvalidInput
from ffd_core.forms.errors import ConfigInvalid
from ffd_core.search.csv_import import load_mapping, read_csv
from ffd_core.search.identifiers import is_valid_nhs_number, is_valid_upn
from ffd_core.search.records import SOCIAL_CARE
from ffd_core.services import person_index
from ffd_core.services.context import SYSTEM
from ffd_core.store.people_tables import SourceRecordRow
from tests.conftest import AUDIT_KEY
from tests.search.test_import_robustness import TODAY

HEADER = ["ID", "FIRST", "LAST", "GENDER", "YEAR", "NHS", "UPN", "UPDATED", "FLAGS"]
MAPPING = ("source_id: ID\ngiven_name: FIRST\nfamily_name: LAST\ngender: GENDER\nyear_group: YEAR\n"
           "nhs_number: NHS\nupn: UPN\nupdated_at: UPDATED\ndetails: [FLAGS]\n")
NHS = "9434765919"  # valid check digit
UPN = "A123456789012"


def row(id_: str, first: str = "Ann", **cells: str) -> dict[str, str]:
    return {"ID": id_, "FIRST": first, "LAST": "Smith", **cells}


def csv_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text(MAPPING)
    return load_mapping(path)


def read(tmp_path: Path, mapping, text: str | bytes, **kwargs):
    path = tmp_path / "people.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return read_csv(path, SOCIAL_CARE, mapping, today=TODAY, **kwargs)


def test_an_unclosed_quote_costs_its_row_not_every_row_after_it(ctx, tmp_path, mapping):
    text = csv_text([row("1"), row("2", FLAGS="x"), row("3"), row("4"), row("5")])
    text = text.replace("2,Ann,Smith,,,,,,x", '2,Ann,Smith,,,,,,"CP plan')  # the quote is never closed
    path = tmp_path / "people.csv"
    path.write_text(text)
    report = person_index.import_csv(ctx, SYSTEM, path, source=SOCIAL_CARE, mapping=load_mapping(tmp_path / "map.yaml"))
    with Session(ctx.engine) as session:
        stored = sorted(session.execute(select(SourceRecordRow.source_id)).scalars())
    assert stored == ["1", "3", "4", "5"]
    [skipped] = report.rejected
    assert skipped.line == 3 and "quote opened on line 3 is never closed" in skipped.reason


def test_a_quote_in_a_name_is_reported_where_the_row_starts_and_spanning_rows_are_named(tmp_path, mapping):
    text = csv_text([row("1"), row("2", first="Ann"), row("3", FLAGS="line one\nline two"), row("4")])
    text = text.replace("2,Ann,", '2,"Ann,')  # closed on line 4, in the middle of a cell
    result = read(tmp_path, mapping, text)
    assert sorted(r.source_id for r in result.records) == ["1", "3", "4"]
    [skipped] = result.rejected
    assert skipped.line == 3 and "lines from 4 read again" in skipped.reason
    spanning = [i for i in result.warnings if "read as one row" in i.reason]
    assert [(i.line, i.field) for i in spanning] == [(4, "row")] and "lines 4-5" in spanning[0].reason
    assert {r.source_id: r for r in result.records}["3"].details["flags"] == "line one\nline two"


def test_a_quote_out_of_place_on_one_line_keeps_the_row_with_a_warning(tmp_path, mapping):
    result = read(tmp_path, mapping, csv_text([row("1"), row("2")]).replace("2,Ann", '2,"Ann"e'))
    assert [(r.source_id, r.given_name) for r in result.records] == [("1", "Ann"), ("2", "Anne")]
    [warning] = result.warnings
    assert warning.line == 3 and "quote out of place" in warning.reason


def test_a_row_with_more_or_fewer_cells_than_the_header_is_named(tmp_path, mapping):
    text = csv_text([row("1"), row("2")]) + "3,Ann,Smith\n4,Ann,Smith,F,,,,,,O'Neil\n"
    result = read(tmp_path, mapping, text)
    assert len(result.records) == 4
    assert [(i.line, i.reason.split(";")[0]) for i in result.warnings] == [
        (4, "3 cells where the header has 9"), (5, "10 cells where the header has 9")]


def test_a_column_named_twice_refuses_the_file(tmp_path, mapping):
    text = csv_text([row("1")]).replace("FLAGS", "FIRST", 1)
    with pytest.raises(InvalidInput, match=r"column 'FIRST' is in the header twice \(columns 2 and 9\)"):
        read(tmp_path, mapping, text)


@pytest.mark.parametrize("text", ["", "\n\n", "\r\n  \r\n"[:2]])
def test_an_empty_file_says_so_and_is_not_called_configuration(tmp_path, mapping, text):
    with pytest.raises(InvalidInput, match="people.csv is empty: no header row"):
        read(tmp_path, mapping, text)


def test_a_missing_column_is_one_line_about_the_file(tmp_path, mapping):
    with pytest.raises(InvalidInput, match=r"people.csv has no column 'FLAGS'") as raised:
        read(tmp_path, mapping, "ID,FIRST,LAST,GENDER,YEAR,NHS,UPN,UPDATED\n")
    assert "\n" not in str(raised.value) and "configuration" not in str(raised.value)


def test_long_names_are_cut_to_fit_and_the_child_kept(tmp_path, mapping):
    result = read(tmp_path, mapping, csv_text([row("1", first="A" * 121)]))
    [record] = result.records
    assert record.given_name == "A" * 120 and result.warnings[0].field == "FIRST"


@pytest.mark.parametrize("value", ["--5", "²", "Y³", "1.5"])
def test_a_year_group_int_cannot_read_is_a_warning(tmp_path, mapping, value):
    result = read(tmp_path, mapping, csv_text([row("1", YEAR=value)]))
    assert result.records[0].year_group is None and "not a year group" in result.warnings[0].reason


@pytest.mark.parametrize("value", ["²²²²²²²²²²", "943476591¹", "A¹23456789012"])
def test_identifiers_of_other_digit_likes_are_invalid_not_a_crash(value):
    assert not is_valid_nhs_number(value) and not is_valid_upn(value)


def test_identifiers_in_other_scripts_digits_are_stored_as_ascii(tmp_path, mapping):
    arabic = NHS.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert is_valid_nhs_number(arabic)
    result = read(tmp_path, mapping, csv_text([row("1", NHS=arabic, UPN="A" + UPN[1:].translate(
        str.maketrans("0123456789", "０１２３４５６７８９"))), row("2", NHS="²²²²²²²²²²", UPN="A¹23456789012")]))
    first, second = result.records
    assert (first.nhs_number, first.upn) == (NHS, UPN)
    assert second.nhs_number is None and [i.field for i in result.warnings] == ["NHS", "UPN"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_search_by_an_nhs_number_of_superscripts_finds_nothing_without_a_crash(ctx):
    from ffd_core.search.search import PersonQuery
    from ffd_core.services import single_view

    single_view.find_people(ctx, SYSTEM, PersonQuery(name="Ann", nhs_number="²²²²²²²²²²"))


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_last_updated_time_outside_the_years_a_datetime_holds_is_a_warning(tmp_path, mapping, value):
    result = read(tmp_path, mapping, csv_text([row("1", UPDATED=value)]))
    assert result.records[0].updated_at is None and "outside the years" in result.warnings[0].reason


def test_control_and_direction_characters_are_removed_from_every_value(ctx, tmp_path):
    (tmp_path / "map.yaml").write_text(MAPPING)
    path = tmp_path / "people.csv"
    path.write_text(csv_text([row("1", first="A\x00nn", FLAGS="CP\x00 plan\nsince May"),
                              row("2", first="\x1b[2KBo\u202eb")]))
    report = person_index.import_csv(ctx, SYSTEM, path, source=SOCIAL_CARE, mapping=load_mapping(tmp_path / "map.yaml"))
    with Session(ctx.engine) as session:
        stored = session.execute(select(SourceRecordRow).order_by(SourceRecordRow.source_id)).scalars().all()
        assert [(r.given_name, r.details["flags"]) for r in stored] == [("Ann", "CP plan\nsince May"), ("[2KBob", None)]
    assert [(i.line, i.field, i.value) for i in report.warnings if i.field != "row"] == [
        (2, "FIRST", "A\\x00nn"), (2, "FLAGS", "CP\\x00 plan\nsince May"), (4, "FIRST", "\\x1b[2KBo\\u202eb")]


def test_genders_as_written_at_school_are_read_and_others_named(tmp_path, mapping):
    result = read(tmp_path, mapping, csv_text([row("1", GENDER="Girl"), row("2", GENDER="Boy"),
                                               row("3", GENDER="Not stated"), row("4", GENDER="Other")]))
    assert [r.gender for r in result.records] == ["female", "male", "unknown", "unknown"]
    [warning] = result.warnings
    assert (warning.line, warning.value) == (5, "Other") and "kept as unknown" in warning.reason


@pytest.mark.parametrize("encoding", ["rot13", "base64", "hex", "zlib"])
def test_a_codec_that_is_not_a_text_encoding_is_refused(tmp_path, mapping, encoding):
    with pytest.raises(InvalidInput, match="not a text encoding: "):
        read(tmp_path, mapping, csv_text([row("1")]), encoding=encoding)


def test_byte_order_marks_never_reach_the_first_column(tmp_path, mapping):
    text = "\ufeff" + csv_text([row("1", first="Zoë")])
    for encoding in ("utf-8", "utf-16-le", "utf-32"):
        given = None if encoding == "utf-32" else encoding  # UTF-32 is found by its mark
        [record] = read(tmp_path, mapping, text.encode(encoding), encoding=given).records
        assert record.given_name == "Zoë", encoding


def test_a_device_or_unreadable_file_is_one_line(mapping):
    with pytest.raises(InvalidInput, match="zero is not a regular file"):
        read_csv(Path("/dev/zero"), SOCIAL_CARE, mapping, today=TODAY)
    if Path("/proc/self/mem").exists():
        with pytest.raises(InvalidInput, match="cannot read /proc/self/mem"):
            read_csv(Path("/proc/self/mem"), SOCIAL_CARE, mapping, today=TODAY)


@pytest.mark.parametrize(("line", "message"), [
    ('date_format: "%Q"', "date_format '%Q' does not read back"),
    ('date_format: "%Y"', "date_format '%Y' does not read back"),
    ("details: TEAM", "details must be a list of column names, not 'TEAM'"),
    ("details: [TEAM, [A]]", "details must be a list of column names"),
    ("gender: [SEX]", "gender must be one column name, not ['SEX']"),
    ("gender: true", "gender must be one column name, not True"),
])
def test_a_mapping_value_of_the_wrong_kind_is_refused_naming_the_file(tmp_path, line, message):
    path = tmp_path / "map.yaml"
    path.write_text("source_id: ID\ngiven_name: FIRST\nfamily_name: LAST\n" + line + "\n")
    with pytest.raises(ConfigInvalid, match="map.yaml") as raised:
        load_mapping(path)
    assert message in str(raised.value)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_cli_exits_3_for_an_unclosed_quote_and_2_for_a_refused_file(ctx, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("FFD_DATABASE_URL", database_url)
    monkeypatch.setenv("FFD_AUDIT_KEY", AUDIT_KEY.decode())
    (tmp_path / "map.yaml").write_text(MAPPING)
    path = tmp_path / "people.csv"
    path.write_text(csv_text([row("1"), row("2"), row("3")]).replace("2,Ann", '2,"Ann'))
    command = ["people", "import", "--source", SOCIAL_CARE, "--map", str(tmp_path / "map.yaml"), str(path)]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 3, result.output
    assert "2 new and 0 updated" in result.output and "skipped line 3: row: a quote opened on line 3" in result.output
    path.write_text(csv_text([row("1")]).replace("FLAGS", "ID"))
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 2 and "is in the header twice" in result.output
    result = CliRunner().invoke(cli, [*command[:-1], "--encoding", "rot13", str(path)])
    assert result.exit_code == 2 and "not a text encoding" in result.output


def test_placeholder_nhs_numbers_and_a_parents_birth_date_are_named(tmp_path):
    mapping_file = tmp_path / "dated.yaml"
    mapping_file.write_text('source_id: ID\ngiven_name: FIRST\nfamily_name: LAST\ndate_of_birth: DOB\n'
                            'nhs_number: NHS\ndate_format: "%d/%m/%Y"\n')
    rows = [("1", "0000000000", "14/03/2015"), ("2", "1111111111", "14/03/2015"), ("3", NHS, "14/03/0215"),
            ("4", NHS, "01/01/1990"), ("5", NHS, "01/01/2005")]
    text = "ID,FIRST,LAST,DOB,NHS\n" + "".join(f"{i},Ann,Smith,{born},{nhs}\n" for i, nhs, born in rows)
    path = tmp_path / "dated.csv"
    path.write_text(text)
    result = read_csv(path, SOCIAL_CARE, load_mapping(mapping_file), today=TODAY)
    assert len(result.records) == 5  # every child kept
    assert [r.nhs_number for r in result.records] == [None, None, NHS, NHS, NHS]
    assert not is_valid_nhs_number("0000000000") and not is_valid_nhs_number("1111111111")
    named = {(w.line, w.field): w.reason for w in result.warnings}
    assert set(named) == {(2, "NHS"), (3, "NHS"), (4, "DOB"), (5, "DOB")}  # named by the file's columns
    assert "a placeholder, not an NHS number" in named[(2, "NHS")]
    assert "makes them 1811 years old" in named[(4, "DOB")]
    assert "makes them 36 years old" in named[(5, "DOB")]  # line 6 (born 2005) is 21: no warning


def test_a_postcode_too_long_to_keep_gets_one_warning_that_says_so(tmp_path):
    mapping_file = tmp_path / "pc.yaml"
    mapping_file.write_text("source_id: ID\ngiven_name: FIRST\nfamily_name: LAST\npostcode: POSTCODE\n")
    path = tmp_path / "pc.csv"
    path.write_text("ID,FIRST,LAST,POSTCODE\n1,Ann,Smith," + "BK11 4TF " * 5 + "\n2,Bob,Smith,zz9\n")
    result = read_csv(path, SOCIAL_CARE, load_mapping(mapping_file), today=TODAY)
    assert [r.postcode for r in result.records] == [None, "ZZ9"]
    first, second = result.warnings
    assert first.line == 2 and "kept the record without it" in first.reason and "kept as written" not in first.reason
    assert second.line == 3 and "not a UK postcode; kept as written" in second.reason
