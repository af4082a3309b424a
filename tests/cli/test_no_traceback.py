"""No traceback, ever, from `ffd`: bad arguments, bad files and bad settings give one line
that says what is wrong and what to do, and a non-zero exit (issue 10, item 10)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ffd_cli import runtime
from ffd_cli.main import cli
from tests.conftest import AUDIT_KEY

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def ffd(database_url, monkeypatch, tmp_path):  # noqa: ANN001, ANN201
    """Run `ffd` in-process against a migrated store, from an empty working folder."""
    for name in list(os.environ):
        if name.startswith("FFD_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FFD_DATABASE_URL", database_url)
    monkeypatch.setenv("FFD_AUDIT_KEY", AUDIT_KEY.decode())
    monkeypatch.setenv("FFD_DATA_DIR", str(tmp_path / "data"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    runner = CliRunner()

    def invoke(*args: str):  # noqa: ANN202
        return runner.invoke(cli, list(args), input="")

    return invoke


def lines(result) -> list[str]:  # noqa: ANN001
    return [line for line in result.output.splitlines() if line.strip()]


def assert_one_clear_line(result, *words: str) -> None:  # noqa: ANN001
    assert result.exit_code not in (0, None), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert len(lines(result)) == 1, result.output
    for word in words:
        assert word in result.output, result.output


def binary_file(folder: Path) -> Path:
    path = folder / "binary.dat"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\x00binary")
    return path


# The cases named in the issue, each with its own clear message ------------------------------


@SQLITE
@pytest.mark.parametrize("verb", ["confirm", "split"])
def test_confirm_or_split_of_an_unknown_record(ffd, verb):
    result = ffd("people", verb, "framework_i:404", "capita_one:404", "--reason", "x")
    assert_one_clear_line(result, "no source record framework_i:404", "ffd people search")


@SQLITE
@pytest.mark.parametrize("dob", ["abc", "31/02/2026", "13/2026", "00/01/2020"])
def test_search_refuses_a_date_of_birth_that_is_not_a_real_date(ffd, dob):
    assert_one_clear_line(ffd("people", "search", "Amy", "--dob", dob), f"date of birth {dob!r}",
                          "dd/mm/yyyy")


@SQLITE
def test_links_export_to_a_missing_folder_or_a_file_or_an_unwritable_folder(ffd, tmp_path):
    assert_one_clear_line(ffd("people", "links", "export", str(tmp_path / "nowhere" / "l.csv")),
                          "the folder", "does not exist")
    a_file = binary_file(tmp_path)
    assert_one_clear_line(ffd("people", "links", "export", str(a_file / "l.csv")),
                          "is a file, not a folder")
    assert_one_clear_line(ffd("people", "links", "export", str(unwritable(tmp_path) / "l.csv")),
                          "cannot write")


def unwritable(tmp_path: Path) -> Path:
    """A folder this process cannot create files in (root ignores permission bits; /sys not)."""
    if os.geteuid() == 0:
        return Path("/sys")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    return folder


@SQLITE
def test_config_export_into_an_unwritable_folder(ffd, tmp_path):
    assert_one_clear_line(ffd("config", "export", str(unwritable(tmp_path) / "council")),
                          "cannot write into")


@SQLITE
@pytest.mark.parametrize("url, words", [
    ("not a url", ("is not a database URL",)),
    ("mysql://ffd@db/ffd", ("mysql databases are not supported",)),
    ("postgresql+nodriver://ffd@db/ffd", ("driver 'nodriver' is not known",)),
])
def test_db_copy_to_a_url_it_cannot_use(ffd, url, words):
    assert_one_clear_line(ffd("db", "copy", url), "TARGET_URL", *words)


@SQLITE
def test_a_database_url_of_an_unsupported_scheme(ffd, monkeypatch):
    monkeypatch.setenv("FFD_DATABASE_URL", "oracle://ffd@db/ffd")
    assert_one_clear_line(ffd("user", "list"), "FFD_DATABASE_URL", "not supported")


@SQLITE
def test_a_binary_settings_file(ffd, tmp_path):
    path = binary_file(tmp_path)
    assert_one_clear_line(ffd("--config", str(path), "user", "list"), str(path), "UTF-8")


@SQLITE
def test_agency_import_of_a_file_that_is_not_utf8(ffd, tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_bytes("name,kind\nSaint-Étienne Primary,school\n".encode("latin-1"))
    assert_one_clear_line(ffd("agency", "import", str(path)), "not UTF-8", "save it as CSV UTF-8")


@SQLITE
def test_a_mapping_whose_date_format_is_not_text(ffd, tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("source_id: ID\ngiven_name: FORENAME\nfamily_name: SURNAME\ndate_format: 5\n")
    data = tmp_path / "records.csv"
    data.write_text("ID,FORENAME,SURNAME\n1,Amy,Smith\n")
    result = ffd("people", "import", str(data), "--source", "framework_i", "--map", str(mapping))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "date_format must be text in quotes, not 5" in result.output


@SQLITE
@pytest.mark.parametrize("name", ["Evil\u202egpj.exe", "Clear\x1b[2Jscreen", "Two\nlines",
                                  "Zero\u200bwidth"])
def test_names_with_control_or_bidi_characters_are_refused(ffd, name):
    assert_one_clear_line(ffd("agency", "add", name, "--kind", "school"), "type the name again")
    assert name not in ffd("agency", "list").output


@SQLITE
def test_user_names_with_bidi_characters_are_refused(ffd):
    result = ffd("user", "add", "pat", "--name", "Pat \u202eOfficer", "--role", "partner",
                 "--agency", "1")
    assert_one_clear_line(result, "U+202E", "type the name again")


@SQLITE
def test_a_file_given_where_a_folder_is_expected_says_so(ffd, tmp_path):
    a_file = binary_file(tmp_path)
    result = ffd("config", "check", str(a_file))
    assert result.exit_code == 1 and "is a file, not a folder" in result.output
    assert "does not exist" not in result.output
    settings = tmp_path / "ffd.toml"
    settings.write_text(f'forms_dir = "{a_file}"\n')
    assert_one_clear_line(ffd("--config", str(settings), "user", "list"), "is a file, not a folder")


# The last resort -----------------------------------------------------------------------------


@SQLITE
def test_an_unexpected_error_is_one_line_with_the_trace_in_a_private_file(ffd, tmp_path):
    @cli.command("explode-for-test", hidden=True)
    def explode() -> None:
        raise ZeroDivisionError("division by zero in a place nobody checked")

    try:
        result = ffd("explode-for-test")
    finally:
        cli.commands.pop("explode-for-test")
    assert result.exit_code == 70
    assert_one_clear_line(result, "unexpected ZeroDivisionError", "please report it")
    log = tmp_path / "data" / "logs" / "ffd-errors.log"
    assert str(log) in result.output
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    assert "Traceback" in log.read_text() and "nobody checked" in log.read_text()


# The whole command tree ----------------------------------------------------------------------


def leaf_commands(group: click.Group, path: tuple[str, ...] = ()):  # noqa: ANN201
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*path, name))
        else:
            yield (*path, name), command


def bad_values(tmp_path: Path) -> list[str]:
    folder = tmp_path / "a folder"
    folder.mkdir(exist_ok=True)
    return ["", "not a url", "31/02/2026", "\u202eevil\x1b[2J", str(tmp_path / "missing" / "x.csv"),
            str(folder), str(binary_file(tmp_path)), "-1", "9" * 40]


def with_required(command: click.Command, value: str) -> list[str] | None:
    """Every argument and required option given ``value``; None if nothing is required
    (such commands would run for real, e.g. the console or the demo)."""
    args: list[str] = []
    for param in command.params:
        if isinstance(param, click.Argument) and param.required:
            args.append(value)
        elif isinstance(param, click.Option) and param.required:
            args += [param.opts[0], value]
    return args or None


# These may rightly write a folder or file with an odd name (or replace one).
MAY_SUCCEED = {("config", "export"), ("people", "links", "export"), ("audit", "checkpoint")}


@SQLITE
def test_every_command_refuses_bad_arguments_and_files_in_one_line(ffd, tmp_path):
    commands = list(leaf_commands(cli))
    assert len(commands) > 25  # the walk sees the whole tree
    checked = 0
    for path, command in commands:
        assert_one_clear_line(ffd(*path, "--no-such-option"), "--no-such-option")
        for value in bad_values(tmp_path):
            args = with_required(command, value)
            if args is None:
                continue
            result = ffd(*path, *args)
            checked += 1
            context = f"ffd {' '.join(path)} {args!r}: {result.output}"
            assert "Traceback" not in result.output, context
            assert result.exception is None or isinstance(result.exception, SystemExit), context
            if path in MAY_SUCCEED and result.exit_code == 0:
                continue
            assert result.exit_code != 0, context
            assert len(lines(result)) == 1, context
    assert checked > 100


@SQLITE
def test_every_command_refuses_a_binary_settings_file_in_one_line(ffd, tmp_path):
    settings = binary_file(tmp_path)
    named = 0
    for path, command in leaf_commands(cli):
        if path in {("config", "export"), ("secret", "set")}:
            continue  # they do not read the settings
        args = with_required(command, "x") or []
        result = ffd("--config", str(settings), *path, *args)
        assert_one_clear_line(result)
        named += str(settings) in result.output
    assert named >= 15  # the rest refuse their arguments first (a choice, a missing file)


def test_the_last_resort_does_not_swallow_clicks_own_exits():
    assert issubclass(runtime.UnexpectedError, click.ClickException)
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and "version" in result.output


# A council's configuration never silently fails to apply (item 7) ----------------------------


@pytest.fixture
def console_must_not_open(monkeypatch):  # noqa: ANN001, ANN201
    """A tripwire, not a stand-in: the console must not get as far as its first screen."""
    from ffd_tui.app import FrontDoorApp

    def opened(self) -> None:  # noqa: ANN001
        raise AssertionError("the console started")

    monkeypatch.setattr(FrontDoorApp, "run", opened)


@SQLITE
def test_the_console_refuses_to_start_on_an_invalid_council_folder(ffd, tmp_path,
                                                                     console_must_not_open):
    from ffd_core.forms import export_defaults

    folder = tmp_path / "council"
    export_defaults(folder)
    cfc = folder / "cfc.yaml"
    cfc.write_text(cfc.read_text().replace("max_length: 13", "max_length: lots", 1))
    settings = tmp_path / "ffd.toml"
    settings.write_text(f'forms_dir = "{folder}"\n')
    result = ffd("--config", str(settings), "console")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{cfc}:" in result.output and "'max_length' must be a whole number" in result.output


@SQLITE
def test_the_console_refuses_to_start_on_a_mistyped_key_id(ffd, tmp_path, console_must_not_open):
    settings = tmp_path / "ffd.toml"
    settings.write_text('[keymap]\nholding.take_nxt = "n"\n')
    result = ffd("--config", str(settings), "console")
    assert_one_clear_line(result, "[keymap]", "did you mean 'holding.take_next'")


@SQLITE
def test_the_console_refuses_to_start_on_a_missing_council_folder(ffd, tmp_path,
                                                                    console_must_not_open):
    settings = tmp_path / "ffd.toml"
    settings.write_text(f'forms_dir = "{tmp_path / "councl"}"\n')
    result = ffd("--config", str(settings), "console")
    assert_one_clear_line(result, f"{settings}: forms_dir:", "does not exist", "ffd config export")
