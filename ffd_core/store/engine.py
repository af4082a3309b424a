"""Engines for the two supported backends, tuned for many officers at once.

SQLite (embedded default): WAL so readers never block the writer, foreign keys on, a busy
timeout and ``BEGIN IMMEDIATE`` so concurrent writers queue instead of failing half-way.
PostgreSQL (team deployment): plain psycopg 3 with a small pool.

Both hide bound parameters from error messages and logs (``hide_parameters``): they are
what people typed about children, and an error's text ends up in logs and traces.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from ffd_core.store.files import create_private_file, private_dir, warn_if_exposed

SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "ffd_write"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` as people write it and use the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_sqlite_file(Path(parsed.database))
        engine = create_engine(
            url,
            echo=echo,
            hide_parameters=True,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "isolation_level": None},
        )
        _tune_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, echo=echo, hide_parameters=True, pool_size=5, max_overflow=5,
                             pool_pre_ping=True)
    raise ValueError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite:///PATH or postgresql://..."
    )


def _private_sqlite_file(path: Path) -> None:
    """The folder 0700 and the database 0600 before SQLite first opens it: SQLite gives its
    -wal and -shm files the database file's mode, so they are private too."""
    private_dir(path.parent)
    create_private_file(path)
    warn_if_exposed([path.parent, path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))])


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # noqa: ANN001 - DB-API types
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # pysqlite's own transaction handling is off (isolation_level=None). Writers take the
    # write lock up front (BEGIN IMMEDIATE) so two writers queue on the busy timeout instead
    # of deadlocking when both upgrade a read lock; readers stay deferred and never block.
    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # noqa: ANN001
        writing = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
