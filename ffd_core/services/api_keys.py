"""API keys for partner systems (a police force's case system, another council): one
agency each, shown once, stored as SHA-256 (a key has 256 random bits, so a slow password
hash would add nothing but latency on every call), revocable at once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ffd_core.domain.access import Action, Actor
from ffd_core.domain.text import clean_name
from ffd_core.domain.vocab import Role
from ffd_core.errors import NotFound, PermissionDenied
from ffd_core.services.context import Context
from ffd_core.store.tables import Agency
from ffd_core.store.web_tables import ApiKey

PREFIX = "ffd"
# How often a key's "last used" time is written: not on every call (that would turn each
# read into a write), but often enough for an administrator to see an unused key.
LAST_USED_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class KeyRow:
    prefix: str
    agency: str
    label: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(ctx: Context, actor: Actor, agency_id: int, label: str) -> str:
    """Make a key for an agency; the only time the whole key is ever seen is this return."""
    label = clean_name(label or "", "the key's label") or "API key"
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.ADMINISTER)
        agency = session.get(Agency, agency_id)
        if agency is None or not agency.active:
            raise NotFound(f"no active agency with id {agency_id}; see `ffd agency list`")
        prefix = secrets.token_hex(4)
        key = f"{PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
        session.add(ApiKey(agency_id=agency.id, prefix=prefix, key_hash=_digest(key),
                           label=label, created_at=ctx.now()))
        ctx.audit(session, actor, "api_key_create", subject=f"agency:{agency.id}",
                  data={"prefix": prefix, "label": label})
        return key


def revoke_key(ctx: Context, actor: Actor, prefix: str) -> None:
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.ADMINISTER)
        row = session.execute(select(ApiKey).where(ApiKey.prefix == prefix.strip())).scalar_one_or_none()
        if row is None:
            raise NotFound(f"no API key {prefix!r}; see `ffd agency key list`")
        if row.revoked_at is None:
            row.revoked_at = ctx.now()
            ctx.audit(session, actor, "api_key_revoke", subject=f"agency:{row.agency_id}",
                      data={"prefix": row.prefix})


def list_keys(ctx: Context, actor: Actor) -> list[KeyRow]:
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.ADMINISTER)
        rows = session.execute(select(ApiKey, Agency.name).join(Agency, Agency.id == ApiKey.agency_id)
                               .order_by(Agency.name, ApiKey.created_at)).all()
        return [KeyRow(k.prefix, name, k.label, k.created_at, k.revoked_at, k.last_used_at)
                for k, name in rows]


def actor_for_key(ctx: Context, presented: str) -> Actor:
    """Who a presented key acts as. Services re-check the key on every call
    (Context.resolve), so a key revoked mid-request stops at the next use case."""
    refused = PermissionDenied("the API key is missing, wrong or revoked")
    if not presented or len(presented) > 200:
        raise refused
    with ctx.write() as session:
        row = session.execute(select(ApiKey).where(ApiKey.key_hash == _digest(presented))
                              ).scalar_one_or_none()
        if row is None or row.revoked_at is not None:
            raise refused
        agency = session.get(Agency, row.agency_id)
        if row.last_used_at is None or row.last_used_at <= ctx.now() - LAST_USED_EVERY:
            row.last_used_at = ctx.now()
        actor = Actor(user_id=None, name=f"{agency.name} system (key {row.prefix})",
                      role=Role.PARTNER, agency_id=row.agency_id, api_key_id=row.id)
        return ctx.resolve(session, actor)
