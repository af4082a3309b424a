"""Running the service: migrations, copies between stores, checking the audit trail.

The command line reaches the store only through here. These act as the operator of the
machine (the system actor): whoever can run them can already read the database file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ffd_core import audit
from ffd_core.domain.access import Action, Actor
from ffd_core.services.context import Context, database_url_with_secret
from ffd_core.settings import Settings
from ffd_core.store import migrate
from ffd_core.store.engine import make_engine


def _engine(url: str):  # noqa: ANN202 - sqlalchemy Engine
    # The database password comes from the keyring or the environment, as for every command.
    return make_engine(database_url_with_secret(url))


@dataclass(frozen=True)
class Upgrade:
    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return self.before != self.after


def upgrade_store(settings: Settings) -> Upgrade:
    """Create or migrate the schema to this release's (back up first)."""
    engine = _engine(settings.resolved_database_url)
    try:
        before = tuple(sorted(migrate.current_revisions(engine)))
        migrate.upgrade(engine)
        return Upgrade(before, tuple(sorted(migrate.current_revisions(engine))))
    finally:
        engine.dispose()


def check_store(settings: Settings) -> tuple[str, ...]:
    """Raise SchemaMismatch (saying what to do) unless the schema is exactly current."""
    engine = _engine(settings.resolved_database_url)
    try:
        migrate.ensure_current(engine)
        return tuple(sorted(migrate.head_revisions()))
    finally:
        engine.dispose()


def copy_store_to(settings: Settings, target_url: str,
                  progress: Callable[[int, int, str], None]) -> dict[str, int]:
    """Copy the whole store (ids, sequences and the audit chain kept) into an empty,
    freshly migrated database, e.g. the embedded SQLite into a team PostgreSQL server."""
    from ffd_core.store.copy import copy_store

    source = _engine(settings.resolved_database_url)
    target = _engine(target_url)
    try:
        migrate.ensure_current(source)
        migrate.upgrade(target)
        return copy_store(source, target, progress)
    finally:
        source.dispose()
        target.dispose()


def verify_audit(ctx: Context, actor: Actor,
                 progress: Callable[[int, int], None] | None = None) -> audit.Verification:
    """Check every event's HMAC chain; the result names the first broken event."""
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.OPERATE_STORE)
        return audit.verify(session, ctx.audit_key, progress=progress)


def store_problem(error: BaseException) -> str | None:
    """One line for a front end when the database itself could not be used (server down,
    file unreadable, wrong password), else None."""
    from sqlalchemy.exc import OperationalError

    if not isinstance(error, OperationalError):
        return None
    reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    return (f"cannot use the database: {reason}. Check database_url in the config file "
            "or FFD_DATABASE_URL, and that the server is running.")
