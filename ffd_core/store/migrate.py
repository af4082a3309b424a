"""Schema migrations (Alembic) and the start-up check that the schema is exactly current."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from ffd_core.errors import SchemaMismatch

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def upgrade(engine: Engine, target: str = "heads") -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, target)


def ensure_current(engine: Engine) -> None:
    """Refuse to run against a schema that is not exactly the one this code expects."""
    current, heads = current_revisions(engine), head_revisions()
    if current == heads:
        return
    if not current:
        raise SchemaMismatch(
            "the database has no schema yet; run `ffd db upgrade` to create it"
        )
    known = set()
    script = ScriptDirectory.from_config(alembic_config())
    for revision in script.walk_revisions():
        known.add(revision.revision)
    if current - known:
        raise SchemaMismatch(
            "the database was migrated by a newer version of this product "
            f"(revision {', '.join(sorted(current - known))}); upgrade the software"
        )
    raise SchemaMismatch(
        "the database schema is out of date; back it up, then run `ffd db upgrade`"
    )
