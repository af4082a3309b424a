"""Staying signed in on an officer's own machine ("remember me").

The console keeps a random token in the OS keyring; the store keeps only its SHA-256, so a
copy of the database does not let anyone sign in. Tokens expire and can be revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from ffd_core.errors import PermissionDenied, WrongCredentials
from ffd_core.services.context import Actor, Context
from ffd_core.services.demo_store import demo_account_refusal
from ffd_core.services.directory import actor_for, authenticate
from ffd_core.store.tables import RememberToken, User

LIFETIME = timedelta(days=14)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def remember(ctx: Context, actor: Actor) -> str:
    """Issue a token for a signed-in person; the caller stores it in the keyring."""
    token = secrets.token_urlsafe(32)
    with ctx.write() as session:
        session.add(RememberToken(user_id=actor.user_id, token_hash=_digest(token),
                                  created_at=ctx.now(), expires_at=ctx.now() + LIFETIME))
        ctx.audit(session, actor, "remember_me", subject=f"user:{actor.user_id}")
    return token


def sign_in_with_token(ctx: Context, token: str) -> Actor:
    failure = PermissionDenied("the saved sign-in has expired or was revoked; sign in again")
    with ctx.write() as session:
        row = session.execute(
            select(RememberToken).where(RememberToken.token_hash == _digest(token))
        ).scalar_one_or_none()
        if row is None or row.revoked_at is not None or row.expires_at <= ctx.now():
            raise failure
        user = session.get(User, row.user_id)
        if user is None or not user.active:
            raise failure
        refusal = demo_account_refusal(ctx, session, user)
        if refusal:
            raise PermissionDenied(refusal)
        actor = actor_for(user)
        ctx.audit(session, actor, "sign_in", subject=f"user:{user.id}", data={"via": "remembered"})
        return actor


def forget(ctx: Context, token: str) -> None:
    """Sign out for good on this machine: the token stops working everywhere."""
    with ctx.write() as session:
        session.execute(update(RememberToken).where(RememberToken.token_hash == _digest(token))
                        .values(revoked_at=ctx.now()))


def sign_out(ctx: Context, actor: Actor, token: str | None = None) -> None:
    """End a session (audited); with the remembered token, forget this computer too."""
    with ctx.write() as session:
        if token:
            session.execute(update(RememberToken).where(
                RememberToken.token_hash == _digest(token)).values(revoked_at=ctx.now()))
        ctx.audit(session, actor, "sign_out", subject=f"user:{actor.user_id}",
                  data={"forgot_this_computer": bool(token)})


def lock(ctx: Context, actor: Actor, *, idle: bool) -> None:
    """The console hid itself (idle or on request): audited, so an inspector can tell when
    a screen was left open and when it was not."""
    with ctx.write() as session:
        ctx.audit(session, actor, "lock", subject=f"user:{actor.user_id}", data={"idle": idle})


def unlock(ctx: Context, actor: Actor, password: str) -> Actor:
    """Back from the lock screen: the same person, with their password (checked and audited
    like a sign-in, throttled the same way)."""
    try:
        again = authenticate(ctx, actor.username, password)
    except WrongCredentials:  # only a password was typed here: say so
        raise WrongCredentials("that password is not right") from None
    if again.user_id != actor.user_id:
        raise PermissionDenied("only the person who locked the console can unlock it")
    with ctx.write() as session:
        ctx.audit(session, again, "unlock", subject=f"user:{again.user_id}")
    return again
