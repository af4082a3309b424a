"""The `ffd` command, run in-process with click's runner against a real store."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from ffd_cli.main import cli
from ffd_core.services import contacts
from tests.conftest import AUDIT_KEY
from tests.factories import new_contact


@pytest.fixture
def run(database_url, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("FFD_DATABASE_URL", database_url)
    monkeypatch.setenv("FFD_AUDIT_KEY", AUDIT_KEY.decode())
    monkeypatch.setenv("FFD_CONFIG", "/nonexistent/ffd.toml")
    monkeypatch.delenv("FFD_CONFIG")
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):  # noqa: A002, ANN202
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def _command_paths(group: click.Group, path: tuple[str, ...] = ()):
    yield path
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _command_paths(command, (*path, name))
        else:
            yield (*path, name)


def test_every_command_has_help(run):
    paths = list(_command_paths(cli))
    assert ("people", "reindex") in paths and len(paths) > 30  # the walk sees the whole tree
    for path in paths:
        result = run(*path, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output, path


def test_agencies_and_users_round_trip(run, tmp_path):
    result = run("agency", "add", "Fenmoor Academy", "--kind", "school", "--domain", "fenmoor.sch.example")
    assert result.exit_code == 0, result.output
    csv = tmp_path / "agencies.csv"
    csv.write_text("name,kind,email_domains,cin_source_code\n"
                   "Thornwick Surgery,gp_practice,thornwick.nhs.example,\n"
                   "Brackenshire YOT,council_internal,yot.example,5B\n")
    assert run("agency", "import", str(csv)).exit_code == 0
    listing = run("agency", "list").output
    assert "Thornwick Surgery" in listing and "3A" in listing
    result = run("user", "add", "pat", "--name", "Pat Officer", "--role", "screening_officer",
                 "--agency", "Fenmoor Academy", "--password-stdin", input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert "pat" in run("user", "list").output
    assert run("user", "disable", "pat").exit_code == 0


def test_bad_input_is_one_clear_line_and_nonzero(run, tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("name,kind\nSomewhere,spaceship\n")
    result = run("agency", "import", str(csv))
    assert result.exit_code == 2
    assert "line 2" in result.output and "unknown agency kind 'spaceship'" in result.output
    assert "Traceback" not in result.output
    short = run("user", "add", "kim", "--name", "Kim", "--role", "supervisor", "--agency", "1",
                "--password-stdin", input="short\n")
    assert short.exit_code == 2 and "at least 12 characters" in short.output


def test_a_domain_another_agency_lists_is_refused_naming_it(run, tmp_path):
    assert run("agency", "add", "Fenmoor Academy", "--kind", "school",
               "--domain", "fenmoor.sch.example").exit_code == 0
    taken = run("agency", "add", "Fenmoor Academy Trust", "--kind", "education_service",
                "--domain", "FENMOOR.sch.example")
    assert taken.exit_code == 2 and len(taken.output.strip().splitlines()) == 1
    assert "fenmoor.sch.example is already listed by 'Fenmoor Academy'" in taken.output
    assert "ffd user add" in taken.output and "Traceback" not in taken.output
    csv = tmp_path / "agencies.csv"
    csv.write_text("name,kind,email_domains\nFenmoor Nursery,early_years,fenmoor.sch.example\n")
    imported = run("agency", "import", str(csv))
    assert imported.exit_code == 2 and "already listed by 'Fenmoor Academy'" in imported.output
    assert "Fenmoor Academy Trust" not in run("agency", "list").output


def test_agency_domains_shows_and_changes_an_agencys_domains(run):
    assert run("agency", "add", "Fenmoor Academy", "--kind", "school",
               "--domain", "fenmoor.sch.example").exit_code == 0
    assert run("agency", "domains", "fenmoor academy").output.strip() == "Fenmoor Academy: fenmoor.sch.example"
    moved = run("agency", "domains", "Fenmoor Academy", "--add", "fenmoor.academy.example",
                "--remove", "fenmoor.sch.example")
    assert moved.exit_code == 0 and moved.output.strip() == "Fenmoor Academy: fenmoor.academy.example"
    assert run("agency", "domains", "Fenmoor Academy").output.strip() == "Fenmoor Academy: fenmoor.academy.example"
    unknown = run("agency", "domains", "Nowhere School", "--add", "nowhere.example")
    assert unknown.exit_code == 2 and "no agency 'Nowhere School'; see `ffd agency list`" in unknown.output
    absent = run("agency", "domains", "Fenmoor Academy", "--remove", "fenmoor.sch.example")
    assert absent.exit_code == 2 and "does not list fenmoor.sch.example" in absent.output


def test_audit_verify_names_first_broken_event(run, ctx, people):
    contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ok = run("audit", "verify")
    assert ok.exit_code == 0 and "intact" in ok.output
    with ctx.write() as session:
        if ctx.engine.dialect.name == "sqlite":
            session.execute(text("DROP TRIGGER audit_events_no_update"))
        else:
            session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        session.execute(text("UPDATE audit_events SET action = 'nothing' WHERE seq = 4"))
    broken = run("audit", "verify")
    assert broken.exit_code == 1 and "broken at event 4" in broken.output


def test_clocks_rebuild_and_db_status(run, ctx, people):
    contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    assert "1 contacts" in run("clocks", "rebuild").output
    assert "current" in run("db", "status").output


def test_unmigrated_database_is_refused_with_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("FFD_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    monkeypatch.setenv("FFD_AUDIT_KEY", "k")
    result = CliRunner().invoke(cli, ["user", "list"])
    assert result.exit_code != 0
    assert "ffd db upgrade" in str(result.exception) or "ffd db upgrade" in result.output


def test_config_export_check_and_broken_copy_names_file_and_line(run, tmp_path):
    folder = tmp_path / "council"
    assert run("config", "export", str(folder)).exit_code == 0
    assert run("config", "export", str(folder)).exit_code == 2  # refuses to overwrite
    assert run("config", "check", str(folder)).exit_code == 0
    cfc = folder / "cfc.yaml"
    lines = cfc.read_text().splitlines()
    target = next(i for i, line in enumerate(lines) if "type: choice" in line)
    lines[target] = lines[target].replace("type: choice", "type: chioce")
    cfc.write_text("\n".join(lines) + "\n")
    result = run("config", "check", str(folder))
    assert result.exit_code == 1
    assert f"cfc.yaml:{target + 1}" in result.output


def test_names_with_brackets_are_listed_as_typed(run, ctx):
    """A name is data: "[/b]" in it once made `ffd user list` fail (read as markup)."""
    from ffd_core.domain.vocab import Role
    from ffd_core.services import directory
    from ffd_core.services.context import SYSTEM

    agency = directory.list_agencies(ctx, SYSTEM)[0].id
    directory.add_user(ctx, SYSTEM, directory.UserInput(
        "eve", "Eve [/b] [red]Evans[/]", Role.PARTNER, agency, None, "eve@hawthorn.sch.example"))
    listed = run("user", "list")
    assert listed.exit_code == 0, listed.output
    assert "[/b]" in listed.output and "[red]" in listed.output


def test_results_go_to_standard_output_and_warnings_to_standard_error(run):
    """`ffd agency list > file` keeps the list; cron and pipes read results on stdout."""
    run("agency", "add", "Fenmoor Academy", "--kind", "school", "--domain", "fenmoor.sch.example")
    listing = run("agency", "list")
    assert "Fenmoor Academy" in listing.stdout and "Fenmoor Academy" not in listing.stderr
    status = run("db", "status")
    assert status.stdout.strip() and not status.stderr.strip()
