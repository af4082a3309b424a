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


def test_a_person_index_filed_before_0004_is_marked_for_reindexing(tmp_path):
    from datetime import UTC, date, datetime

    from sqlalchemy import MetaData, Table, insert

    from ffd_core.search.index_store import record_values
    from ffd_core.search.records import EDUCATION, SourceRecord
    from ffd_core.services.context import SYSTEM, Context
    from ffd_core.services.person_index import reindex, stale_index_warning
    from ffd_core.settings import Settings
    from ffd_core.store.people_tables import SourceRecordRow

    filed, empty = (make_engine(f"sqlite:///{tmp_path / name}") for name in ("filed.sqlite", "empty.sqlite"))
    for engine in (filed, empty):
        migrate.upgrade(engine, "0003_form_snapshots")
    record = SourceRecord(source=EDUCATION, source_id="ONE1", given_name="Ada", family_name="Lovelace",
                          date_of_birth=date(2015, 12, 10))
    with filed.begin() as connection:
        # The table as 0003 made it: later revisions add columns.
        table = Table(SourceRecordRow.__tablename__, MetaData(), autoload_with=connection)
        values = record_values(record, datetime.now(UTC))
        connection.execute(insert(table), [{k: v for k, v in values.items() if k in table.c}])
    for engine in (filed, empty):
        migrate.upgrade(engine)

    filed_ctx, empty_ctx = (Context(engine, Settings(), b"test-key") for engine in (filed, empty))
    assert "ffd people reindex" in stale_index_warning(filed_ctx)
    assert stale_index_warning(empty_ctx) is None
    assert reindex(filed_ctx, SYSTEM) == 1
    assert stale_index_warning(filed_ctx) is None


def test_account_emails_sent_before_0011_keep_only_their_recipient(tmp_path):
    """Codes and links queued in clear by an earlier version: gone once sent or given up;
    one still waiting keeps its text until the worker sends it (and then clears it)."""
    import json
    from datetime import UTC, datetime

    from sqlalchemy import text

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    migrate.upgrade(engine, "0010_case_system")
    clear = {"to": "tess@hawthorn.sch.example", "subject": "Your sign-in code is 123456",
             "text": "Your code is 123456."}
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for key, state in (("web:code:sent", "sent"), ("web:reset:dead", "dead"),
                           ("web:code:waiting", "pending"), ("ack:FFD-1", "sent")):
            connection.execute(text(
                "INSERT INTO outbox (idempotency_key, kind, payload, state, attempts, "
                "next_attempt_at, created_at, bounced) VALUES (:key, 'email', :payload, :state, "
                "1, :now, :now, 0)"), {"key": key, "payload": json.dumps(clear), "state": state,
                                        "now": now})
    migrate.upgrade(engine)
    with engine.connect() as connection:
        payloads = {key: json.loads(payload) for key, payload in connection.execute(
            text("SELECT idempotency_key, payload FROM outbox"))}
    assert payloads["web:code:sent"] == payloads["web:reset:dead"] == {
        "to": "tess@hawthorn.sch.example", "sealed": ""}
    assert payloads["web:code:waiting"] == payloads["ack:FFD-1"] == clear
