"""Running the service: migrations, copies between stores, checking the audit trail.

The command line reaches the store only through here. These act as the operator of the
machine (the system actor): whoever can run them can already read the database file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ffd_core import audit
from ffd_core.audit_checkpoint import Checkpoint, append_checkpoint, checkpoint_of, read_checkpoints
from ffd_core.audit_keys import Rotation, rotate, verification_keys
from ffd_core.domain.access import Action, Actor
from ffd_core.exports import check_target, store_files
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


def verify_audit(ctx: Context, actor: Actor, checkpoint_file: Path | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 ) -> tuple[audit.Verification, int]:
    """Check every event's HMAC chain and the head (segments signed by earlier keys with
    those keys), and that the trail still reaches every checkpoint in ``checkpoint_file``.
    Returns the result and how many checkpoints it was held against."""
    checkpoints = read_checkpoints(checkpoint_file) if checkpoint_file else []
    pins = [pin for checkpoint in checkpoints for pin in checkpoint.pins()]
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.OPERATE_STORE)
        result = audit.verify(session, verification_keys(ctx.audit_key), pins=pins,
                              progress=progress)
    return result, len(checkpoints)


def audit_checkpoint(ctx: Context, actor: Actor, file: Path | None) -> Checkpoint:
    """The trail's authenticated end now; appended to ``file`` (kept outside the database)
    when one is given."""
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.OPERATE_STORE)
        checkpoint = checkpoint_of(audit.tip(session, ctx.audit_key), ctx.now())
    if file is not None:
        check_target(file, store_files(ctx.engine))  # appending to the database would corrupt it
        append_checkpoint(file, checkpoint)
    return checkpoint


def rotate_audit_key(ctx: Context, actor: Actor, given_key: str | None) -> Rotation:
    """Start a new audit key from a boundary event signed by the old key and the new one."""
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.OPERATE_STORE)
    return rotate(ctx, actor, given_key)


def store_problem(error: BaseException) -> str | None:
    """One line for a front end when the database itself could not be used (server down,
    file unreadable, wrong password), else None."""
    from sqlalchemy.exc import OperationalError

    if not isinstance(error, OperationalError):
        return None
    reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    return (f"cannot use the database: {reason}. Check database_url in the config file "
            "or FFD_DATABASE_URL, and that the server is running.")
