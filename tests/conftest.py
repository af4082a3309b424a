"""Shared fixtures: a migrated store per test on SQLite, and on PostgreSQL when
FFD_TEST_DATABASE_URL is given (CI gives it and sets FFD_REQUIRE_POSTGRES=1, so a missing
server fails the run instead of skipping).

Each backend is migrated and seeded with a small directory (agencies and staff) once per
worker, then every test gets its own copy: a file copy on SQLite, a template clone on
PostgreSQL. Tests never share state.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.engine import make_url

from ffd_core.clock import UK, FixedClock
from ffd_core.domain.vocab import AgencyKind, Role
from ffd_core.services import directory
from ffd_core.services.context import SYSTEM, Actor, Context
from ffd_core.settings import Settings
from ffd_core.store import migrate
from ffd_core.store.engine import make_engine
from tests.clamd import clamd  # noqa: F401 - a real ClamAV for the scanning tests

# Property tests: a small, quick profile in CI; more examples on a developer's machine.
for _name, _examples in (("ci", 50), ("dev", 300)):
    hypothesis_settings.register_profile(
        _name, max_examples=_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

AUDIT_KEY = b"test-audit-key-not-a-secret"
MAIL_KEY = b"test-mail-key-not-a-secret"
PASSWORD = "correct horse battery staple"
# A Tuesday morning in term time, UK local.
START = datetime(2026, 11, 24, 10, 0, tzinfo=UK)

STAFF = [
    ("olivia", "Olivia Officer", Role.SCREENING_OFFICER),
    ("oscar", "Oscar Officer", Role.SCREENING_OFFICER),
    ("sam", "Sam Supervisor", Role.SUPERVISOR),
    ("wendy", "Wendy Worker", Role.SOCIAL_WORKER),
    ("ada", "Ada Admin", Role.ADMINISTRATOR),
]

BACKENDS = ["sqlite", "postgres"]

# Tests wait for conditions and go on as soon as they hold; this is only the ceiling after
# which one gives up. Generous, so a busy or slow machine passes: how fast something is
# goes in benchmarks/, never in a test.
WAIT_CEILING = 60.0


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def postgres_url() -> str | None:
    url = os.environ.get("FFD_TEST_DATABASE_URL")
    if not url and os.environ.get("FFD_REQUIRE_POSTGRES") == "1":
        pytest.fail("FFD_REQUIRE_POSTGRES=1 but FFD_TEST_DATABASE_URL is not set")
    return url


def _seed_directory(engine) -> None:  # noqa: ANN001
    ctx = Context(engine, Settings(), AUDIT_KEY, FixedClock(START))
    council = directory.add_agency(ctx, SYSTEM, directory.AgencyInput(
        "Brackenshire Family Front Door", AgencyKind.COUNCIL_SOCIAL_CARE,
        ("brackenshire.gov.example",)))
    school = directory.add_agency(ctx, SYSTEM, directory.AgencyInput(
        "Hawthorn Primary School", AgencyKind.SCHOOL, ("hawthorn.sch.example",)))
    for username, name, role in STAFF:
        directory.add_user(ctx, SYSTEM, directory.UserInput(
            username, name, role, council, PASSWORD, f"{username}@brackenshire.gov.example"))
    directory.add_user(ctx, SYSTEM, directory.UserInput(
        "teacher", "Tess Teacher", Role.PARTNER, school, PASSWORD, "tess@hawthorn.sch.example"))


@dataclass
class Template:
    backend: str
    url: str


_templates: dict[str, Template] = {}


def _template(backend: str, tmp_root: Path) -> Template:
    if backend in _templates:
        return _templates[backend]
    if backend == "sqlite":
        path = tmp_root / "template.sqlite"
        url = f"sqlite:///{path}"
    else:
        base = postgres_url()
        if not base:
            pytest.skip("PostgreSQL tests need FFD_TEST_DATABASE_URL")
        name = f"ffd_tpl_{_worker()}_{uuid.uuid4().hex[:8]}"
        _admin(base, f'CREATE DATABASE "{name}"')
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    _seed_directory(engine)
    engine.dispose()
    if backend == "sqlite":
        # Fold the WAL into the main file so a plain copy is complete.
        import sqlite3

        with sqlite3.connect(path) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _templates[backend] = Template(backend, url)
    return _templates[backend]


def _admin(base_url: str, statement: str) -> None:
    engine = make_engine(make_url(base_url).render_as_string(hide_password=False))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(statement))
    engine.dispose()


@pytest.fixture(autouse=True)
def _mail_key(monkeypatch) -> None:  # noqa: ANN001
    """Every context and `ffd` command in a test finds the mail key in the environment, as
    on a headless server (never in the developer's own keyring)."""
    monkeypatch.setenv("FFD_MAIL_KEY", MAIL_KEY.decode())


@pytest.fixture(scope="session")
def _tmp_root(tmp_path_factory) -> Path:  # noqa: ANN001
    return tmp_path_factory.mktemp("ffd")


@pytest.fixture(scope="session", autouse=True)
def _drop_templates():  # noqa: ANN202
    yield
    base = os.environ.get("FFD_TEST_DATABASE_URL")
    for template in _templates.values():
        if template.backend == "postgres" and base:
            _admin(base, f'DROP DATABASE IF EXISTS "{make_url(template.url).database}"')


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:  # noqa: ANN001
    if request.param == "postgres":
        request.applymarker(pytest.mark.postgres)
    return request.param


@pytest.fixture
def database_url(backend: str, _tmp_root: Path, tmp_path: Path) -> str:
    template = _template(backend, _tmp_root)
    if backend == "sqlite":
        copy = tmp_path / "ffd.sqlite"
        shutil.copy(make_url(template.url).database, copy)
        yield f"sqlite:///{copy}"
        return
    base = postgres_url()
    name = f"ffd_t_{_worker()}_{uuid.uuid4().hex[:10]}"
    _admin(base, f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template.url).database}"')
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, blob_dir=str(tmp_path / "attachments"))


@pytest.fixture
def ctx(database_url: str, settings: Settings, clock: FixedClock) -> Context:
    engine = make_engine(database_url)
    context = Context(engine, settings, AUDIT_KEY, clock, mail_key=MAIL_KEY)
    yield context
    engine.dispose()


@pytest.fixture
def people(ctx: Context) -> dict[str, Actor]:
    """The seeded staff and partner, as actors, by username."""
    return {user.username: directory.actor_for(user) for user in directory.list_users(ctx, SYSTEM)}
