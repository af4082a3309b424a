"""Copy a whole store to another database: start embedded on SQLite, move to a team's
PostgreSQL server later with every contact, decision and audit event intact.

The target must be migrated to the same schema and empty. Rows are copied table by table
in dependency order, keeping their ids (so the audit chain still verifies), then
PostgreSQL's id sequences are moved past the copied ids.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, func, insert, select, text

import ffd_core.store.all_tables  # noqa: F401 - every table on the metadata
from ffd_core.errors import InvalidInput
from ffd_core.store.base import Base
from ffd_core.store.engine import WRITE_OPTION, is_postgres
from ffd_core.store.migrate import current_revisions

Progress = Callable[[int, int, str], None]
CHUNK = 5000


def copy_store(source: Engine, target: Engine, progress: Progress | None = None) -> dict[str, int]:
    if current_revisions(source) != current_revisions(target):
        raise InvalidInput("the two databases are at different schema revisions; run "
                           "`ffd db upgrade` against both first")
    tables = Base.metadata.sorted_tables
    with target.connect() as connection:
        busy = [t.name for t in tables if t.name != "audit_head"
                and connection.execute(select(func.count()).select_from(t)).scalar_one()]
    if busy:
        raise InvalidInput(f"the target database is not empty ({', '.join(busy[:3])}…); "
                           "copy into a freshly migrated database")
    copied: dict[str, int] = {}
    with source.connect() as reader, target.execution_options(**{WRITE_OPTION: True}).begin() as writer:
        for table in tables:
            total = reader.execute(select(func.count()).select_from(table)).scalar_one()
            if table.name == "audit_head":
                # The migration made the genesis row; the source's tip replaces it.
                writer.execute(table.delete())
            done = 0
            order = list(table.primary_key.columns)
            result = reader.execution_options(yield_per=CHUNK).execute(
                select(table).order_by(*order))
            for rows in result.partitions(CHUNK):
                writer.execute(insert(table), [dict(row._mapping) for row in rows])
                done += len(rows)
                if progress:
                    progress(done, total, table.name)
            copied[table.name] = done
        if is_postgres(target):
            _advance_sequences(writer, tables)
    return copied


def _advance_sequences(connection, tables) -> None:  # noqa: ANN001
    for table in tables:
        # Only single-column keys can own a serial sequence; tables without one are skipped.
        columns = list(table.primary_key.columns)
        for column in columns if len(columns) == 1 else []:
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            ).scalar_one()
            if sequence:
                connection.execute(text(
                    f"SELECT setval('{sequence}', COALESCE((SELECT MAX({column.name}) FROM "
                    f"{table.name}), 0) + 1, false)"))
