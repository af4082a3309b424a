"""`ffd demo` makes its own store and only uses stores it made; its passwords are random
and shown once; its accounts sign in only to a demo store unless allowed."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.engine import make_url

from ffd_cli.main import cli
from ffd_core.services.demo_store import demo_actor, mark_demo_accounts
from ffd_core.errors import ConfigurationError, PermissionDenied
from ffd_core.services import directory, sessions
from ffd_core.services.context import SYSTEM, Context
from ffd_core.settings import Settings, load_settings
from ffd_core.store.engine import make_engine
from ffd_core.store.tables import AuditHead, StoreOrigin, User
from tests.conftest import AUDIT_KEY, PASSWORD, _admin, postgres_url

SMALL = ("--contacts", "12", "--open", "4", "--people", "40", "--as-of", "2026-11-24")
PASSWORD_CELL = re.compile(r"│\s*(demo\.admin)\s*│\s*\w+\s*│\s*(\S+)\s*│")


def _run(url: str, monkeypatch, *args: str):  # noqa: ANN001, ANN202
    monkeypatch.setenv("FFD_DATABASE_URL", url)
    monkeypatch.setenv("FFD_AUDIT_KEY", AUDIT_KEY.decode())
    monkeypatch.delenv("FFD_CONFIG", raising=False)
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False,
                                env={"COLUMNS": "200"})
    assert "Traceback" not in result.output
    return result


def _admin_password(output: str) -> str:
    return PASSWORD_CELL.search(output).group(2)


def _store(url: str) -> Context:
    return Context(make_engine(url), Settings(database_url=url), AUDIT_KEY)


def test_demo_makes_its_store_with_random_passwords_and_reuses_only_it(tmp_path, monkeypatch):
    first, second = (f"sqlite:///{tmp_path / name}" for name in ("a.sqlite", "b.sqlite"))
    made = _run(first, monkeypatch, "demo", "--no-console", *SMALL)
    assert made.exit_code == 0, made.output
    again = _run(second, monkeypatch, "demo", "seed", *SMALL)
    assert again.exit_code == 0, again.output
    # Same seed, same county, but not the same administrator password.
    assert _admin_password(made.output) != _admin_password(again.output)

    reused = _run(first, monkeypatch, "demo", "--no-console", *SMALL)
    assert reused.exit_code == 0 and "nothing was seeded" in reused.output
    refused = _run(first, monkeypatch, "demo", "seed", *SMALL)
    assert refused.exit_code == 2 and "already seeded" in refused.output

    ctx = _store(first)
    with ctx.read() as session:
        assert session.get(StoreOrigin, 1).made_by == "ffd demo"
        flags = dict(session.execute(select(User.username, User.demo)).all())
    assert flags["demo.admin"] and flags["demo.officer"] and all(flags.values())
    actor = directory.authenticate(ctx, "demo.admin", _admin_password(made.output))
    assert actor.username == "demo.admin"


def test_demo_refuses_a_store_it_did_not_make(database_url, monkeypatch):
    ctx = _store(database_url)
    with ctx.read() as session:
        before = session.get(AuditHead, 1).last_seq
    result = _run(database_url, monkeypatch, "demo", "--no-console", *SMALL)
    assert result.exit_code == 2 and "did not make" in result.output
    with ctx.read() as session:
        assert session.get(StoreOrigin, 1) is None
        assert session.get(AuditHead, 1).last_seq == before


@pytest.mark.postgres
def test_demo_refuses_an_empty_postgresql_database_unless_told(monkeypatch):
    base = postgres_url()
    if not base:
        pytest.skip("PostgreSQL tests need FFD_TEST_DATABASE_URL")
    name = f"ffd_demo_{uuid.uuid4().hex[:10]}"
    _admin(base, f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        refused = _run(url, monkeypatch, "demo", "--no-console", *SMALL)
        assert refused.exit_code == 2 and "--i-know-this-is-not-production" in refused.output
        engine = make_engine(url)
        with engine.connect() as connection:  # refused before anything was created
            assert not connection.exec_driver_sql(
                "SELECT 1 FROM information_schema.tables WHERE table_name = 'audit_head'").first()
        engine.dispose()
        told = _run(url, monkeypatch, "demo", "--no-console", "--i-know-this-is-not-production",
                    *SMALL)
        assert told.exit_code == 0, told.output
        assert "nothing was seeded" in _run(url, monkeypatch, "demo", "--no-console").output
    finally:
        _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_demo_accounts_sign_in_only_to_a_demo_store_unless_allowed(ctx, people):
    mark_demo_accounts(ctx, ["olivia"])  # as if a demo account had reached a real store
    with pytest.raises(PermissionDenied, match="olivia is a demo account"):
        directory.authenticate(ctx, "olivia", PASSWORD)
    token = sessions.remember(ctx, people["olivia"])
    with pytest.raises(PermissionDenied, match="demo account"):
        sessions.sign_in_with_token(ctx, token)
    assert directory.authenticate(ctx, "oscar", PASSWORD).username == "oscar"
    allowed = Context(ctx.engine, replace(ctx.settings, allow_demo_accounts=True), AUDIT_KEY, ctx.clock)
    assert directory.authenticate(allowed, "olivia", PASSWORD).username == "olivia"
    assert sessions.sign_in_with_token(allowed, token).username == "olivia"


def test_demo_as_signs_in_only_the_demos_own_accounts(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert _run(url, monkeypatch, "demo", "seed", *SMALL).exit_code == 0
    ctx = _store(url)
    assert demo_actor(ctx, "demo.supervisor").username == "demo.supervisor"
    council = directory.list_agencies(ctx, SYSTEM)[0].id
    directory.add_user(ctx, SYSTEM,
                       directory.UserInput("real.person", "Real Person", directory.Role.SCREENING_OFFICER,
                                           council, "a long enough password"))
    with pytest.raises(PermissionDenied, match="demo's own accounts only"):
        demo_actor(ctx, "real.person")
    result = _run(url, monkeypatch, "demo", "--as", "real.person")
    assert result.exit_code == 2 and "demo's own accounts only" in result.output


def test_allow_demo_accounts_is_a_setting_of_true_or_false(tmp_path):
    config = tmp_path / "ffd.toml"
    config.write_text("allow_demo_accounts = true\n")
    assert load_settings(config).allow_demo_accounts is True
    config.write_text('allow_demo_accounts = "yes"\n')
    with pytest.raises(ConfigurationError, match="true or false"):
        load_settings(config)
