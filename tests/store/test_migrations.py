"""Migrations build the schema from empty, and the models match what they build."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import ffd_core.store.all_tables  # noqa: F401
from ffd_core.errors import SchemaMismatch
from ffd_core.store import migrate
from ffd_core.store.base import Base
from ffd_core.store.engine import make_engine


def test_models_match_migrated_schema(ctx):
    with ctx.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": False}),
                                Base.metadata)
    assert diff == []
    migrate.ensure_current(ctx.engine)


def test_unmigrated_database_is_refused_with_what_to_do(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with pytest.raises(SchemaMismatch, match="ffd db upgrade"):
        migrate.ensure_current(engine)
    migrate.upgrade(engine)
    migrate.ensure_current(engine)


def test_newer_schema_is_refused(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'newer.sqlite'}")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(SchemaMismatch, match="newer version"):
        migrate.ensure_current(engine)
