"""Stores made by `ffd demo`, and the demo accounts in them.

The demo fills a store with a synthetic county and accounts whose passwords it prints, so
it must never do that to a real store: it refuses a store holding data it did not make,
and an empty PostgreSQL database (a team's server) unless told it is not production. The
store records that the demo made it; demo accounts are marked, and sign in only to such a
store unless an administrator allows it (``allow_demo_accounts``).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ffd_core.errors import InvalidInput, PermissionDenied
from ffd_core.services.context import SYSTEM, Actor, Context
from ffd_core.store import migrate
from ffd_core.store.engine import is_postgres
from ffd_core.store.people_tables import SourceRecordRow
from ffd_core.store.tables import Agency, AuditHead, Contact, StoreOrigin, User

MADE_BY_DEMO = "ffd demo"
NOT_PRODUCTION_FLAG = "--i-know-this-is-not-production"


def made_by_demo(session: Session) -> bool:
    origin = session.get(StoreOrigin, 1)
    return origin is not None and origin.made_by == MADE_BY_DEMO


def _holds_data(session: Session) -> bool:
    head = session.get(AuditHead, 1)
    if head is not None and head.last_seq:
        return True
    return any(session.execute(select(column).limit(1)).first() for column in
               (Agency.id, User.id, Contact.id, SourceRecordRow.id))


def prepare_demo_store(ctx: Context, *, seed: int, allow_postgres: bool) -> bool:
    """Make (or find) a store the demo may use. True: it is new and empty, seed it; False:
    the demo made it and already seeded it. Refuses anything else before changing it."""
    engine = ctx.engine
    where = make_url(str(engine.url)).render_as_string(hide_password=True)
    current = migrate.current_revisions(engine)
    if current and current != migrate.head_revisions():
        raise _not_ours(where)
    if current:
        with ctx.read() as session:
            if made_by_demo(session):
                return not _holds_data(session)
            if _holds_data(session):
                raise _not_ours(where)
    if is_postgres(engine) and not allow_postgres:
        raise InvalidInput(
            f"{where} is a PostgreSQL database, which may be a team's real store; `ffd demo` "
            "fills it with synthetic children and accounts whose passwords it prints: if it is "
            f"not production, say so with `ffd demo {NOT_PRODUCTION_FLAG}`")
    migrate.upgrade(engine)
    with ctx.write() as session:
        session.add(StoreOrigin(id=1, made_by=MADE_BY_DEMO, made_at=ctx.now(), seed=seed))
        ctx.audit(session, SYSTEM, "store_made_by_demo", data={"seed": seed})
    return True


def _not_ours(where: str) -> InvalidInput:
    return InvalidInput(
        f"{where} holds data that `ffd demo` did not make, and the demo only uses a store it "
        "made: point FFD_DATA_DIR at an empty folder (or FFD_DATABASE_URL at a new database) "
        "for a demo, or use `ffd console` for this store")


def mark_demo_accounts(ctx: Context, usernames: list[str]) -> None:
    with ctx.write() as session:
        session.execute(update(User).where(User.username.in_(usernames)).values(demo=True))
        ctx.audit(session, SYSTEM, "demo_accounts_marked", data={"usernames": sorted(usernames)})


def demo_account_refusal(ctx: Context, session: Session, user: User) -> str | None:
    """Why this account may not sign in here, or None. Demo accounts sign in only to a store
    the demo made, unless an administrator allows them (allow_demo_accounts)."""
    if not user.demo or ctx.settings.allow_demo_accounts or made_by_demo(session):
        return None
    return (f"{user.username} is a demo account and this store was not made by `ffd demo`, so "
            "it may not sign in; disable it with `ffd user disable`, or allow demo accounts "
            "knowingly (allow_demo_accounts = true, or `ffd console --allow-demo-accounts`)")


def demo_actor(ctx: Context, username: str) -> Actor:
    """Sign in without a password, as `ffd demo --as USER` does: demo accounts in a demo
    store only."""
    from ffd_core.services.directory import actor_for

    with ctx.read() as session:
        user = session.execute(
            select(User).where(User.username == username.strip().lower())).scalar_one_or_none()
        if user is None or not user.demo or not made_by_demo(session):
            raise PermissionDenied(f"`ffd demo --as` signs in the demo's own accounts only, and "
                                   f"{username!r} is not one; use `ffd console` to sign in")
        if not user.active:
            raise PermissionDenied(f"{username} is disabled")
        return actor_for(user)
