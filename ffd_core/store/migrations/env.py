"""Alembic environment: runs against the connection handed in by ffd_core.store.migrate."""

from alembic import context

import ffd_core.store.all_tables  # noqa: F401 - registers every table on Base.metadata
from ffd_core.store.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
