"""The outbox: effects queued in the caller's transaction, claimed and settled by workers.

A row is ``pending`` until a worker claims it; ``sending`` while one worker holds it (its
lease runs to ``next_attempt_at``); then ``sent``, back to ``pending`` with a later
``next_attempt_at`` (exponential backoff with jitter), or ``dead`` (a dead letter a
supervisor may retry). Claims take rows with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
workers never wait for or share a row; SQLite serialises writers and runs one worker.

A worker that dies while holding rows leaves them ``sending``; when the lease runs out any
worker claims them again. That is the one way an email can go twice: the server accepted
it and the worker died before recording so (see README, "Delivery guarantees").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ffd_core.domain.access import Action, Actor
from ffd_core.domain.addresses import domain_of, mailbox
from ffd_core.domain.vocab import StrEnum
from ffd_core.services.context import Context
from ffd_core.store.engine import is_postgres
from ffd_core.store.tables import OutboxMessage

log = logging.getLogger(__name__)

EMAIL = "email"
CASE_SYSTEM_PUSH = "case_system_push"

# What a row is for: the prefix of its idempotency key, as the queuing service wrote it.
PURPOSES = {
    "ack": "Acknowledgement",
    "rfi": "Request for information",
    "outcome": "Outcome",
    "message": "Message",
    "push": "Case-system push",
    "web": "Account email",  # a partner's sign-in code or link, sealed (web_messages)
}
ACCOUNT_EMAIL = "web"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"


def purpose_of(idempotency_key: str) -> str:
    return idempotency_key.split(":", 1)[0]


def enqueue(
    ctx: Context,
    session: Session,
    kind: str,
    idempotency_key: str,
    payload: dict[str, Any],
    contact_id: int | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        idempotency_key=idempotency_key,
        kind=kind,
        contact_id=contact_id,
        payload=payload,
        state=DeliveryState.PENDING.value,
        attempts=0,
        next_attempt_at=ctx.now(),
        created_at=ctx.now(),
        bounced=False,
    )
    session.add(message)
    return message


# ------------------------------------------------------------------------------ workers


@dataclass(frozen=True)
class Claimed:
    """One row a worker holds until ``lease_until``."""

    id: int
    kind: str
    idempotency_key: str
    contact_id: int | None
    payload: dict[str, Any]
    attempts: int  # including this one
    email_message_id: str | None
    lease_until: datetime

    @property
    def purpose(self) -> str:
        return purpose_of(self.idempotency_key)


def retry_delay(attempt: int, base_seconds: int, cap_seconds: int, jitter: float) -> timedelta:
    """After the ``attempt``-th failure: base x 2^(attempt-1), capped, then a random point in
    its upper half (``jitter`` in [0, 1)), so workers that failed together spread out."""
    ceiling = min(cap_seconds, base_seconds * 2 ** min(max(attempt - 1, 0), 32))
    return timedelta(seconds=ceiling / 2 + jitter * ceiling / 2)


def claim(ctx: Context, actor: Actor, worker: str, kinds: list[str], limit: int) -> list[Claimed]:
    """Take up to ``limit`` due rows of these kinds for ``worker``: pending ones whose time
    has come, and sending ones whose worker's lease ran out. Each claim counts as an attempt,
    so a message that kills every worker that tries it still ends as a dead letter."""
    now = ctx.now()
    settings = ctx.settings
    lease_until = now + timedelta(seconds=settings.outbox_lease_seconds)
    due = (OutboxMessage.kind.in_(kinds),
           OutboxMessage.state.in_([DeliveryState.PENDING.value, DeliveryState.SENDING.value]),
           OutboxMessage.next_attempt_at <= now)
    with ctx.read() as session:  # an idle worker never takes SQLite's write lock
        ctx.authorize(session, actor, Action.DELIVER)
        if not session.execute(select(exists().where(*due))).scalar():
            return []
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.DELIVER)
        rows = session.execute(
            select(OutboxMessage).where(*due)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).scalars().all()
        claimed = []
        for row in rows:
            if row.state == DeliveryState.SENDING.value and row.attempts >= settings.outbox_max_attempts:
                _give_up(ctx, session, actor, row, f"{row.attempts} workers stopped while sending "
                         "it (crashed or killed); look at the worker's log", bounced=False)
                continue
            row.state = DeliveryState.SENDING.value
            row.claimed_by, row.claimed_at = worker, now
            row.attempts += 1
            row.next_attempt_at = lease_until
            if row.kind == EMAIL and not row.email_message_id:
                row.email_message_id = new_message_id(ctx)
            claimed.append(Claimed(row.id, row.kind, row.idempotency_key, row.contact_id,
                                   dict(row.payload or {}), row.attempts, row.email_message_id,
                                   lease_until))
        return claimed


def new_message_id(ctx: Context) -> str:
    """A unique Message-ID in the sender's domain, fixed at the first claim."""
    return make_msgid(domain=domain_of(mailbox(ctx.settings.smtp_sender) or "ffd@localhost"))


def record_sent(ctx: Context, actor: Actor, worker: str, item: Claimed) -> None:
    """The peer accepted it. Recorded even if this worker's lease ran out meanwhile: it was
    accepted, and the sooner the row says so the less likely a second send."""
    now = ctx.now()
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.DELIVER)
        row = _load(session, item.id)
        if row is None or row.state == DeliveryState.SENT.value:
            return
        if row.claimed_by != worker:
            log.warning("outbox %s: sent after this worker's lease ran out; another worker may "
                        "send it again (the documented duplicate window)", item.id)
        row.state, row.delivered_at, row.last_attempt_at = DeliveryState.SENT.value, now, now
        row.claimed_by, row.last_error = None, None
        _forget_sealed(row)
        ctx.audit(session, actor, "message_delivered", contact_id=row.contact_id,
                  subject=f"outbox:{row.id}",
                  data={"purpose": item.purpose, "kind": row.kind,
                        "to": row.payload.get("to"), "attempts": row.attempts})
        ctx.changed(session, row.contact_id, "outbox.sent")


def record_failure(ctx: Context, actor: Actor, worker: str, item: Claimed, reason: str, *,
                   permanent: bool, jitter: float, bounced: bool = False) -> DeliveryState | None:
    """It was not delivered. A permanent failure (``bounced``: the peer refused it), or the
    last allowed attempt, makes it a dead letter; otherwise it waits with backoff. None if
    another worker holds it now."""
    now = ctx.now()
    settings = ctx.settings
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.DELIVER)
        row = _load(session, item.id)
        if row is None or row.state != DeliveryState.SENDING.value or row.claimed_by != worker:
            return None
        row.last_error, row.last_attempt_at, row.claimed_by = reason[:2000], now, None
        if permanent or row.attempts >= settings.outbox_max_attempts:
            _give_up(ctx, session, actor, row, reason, bounced=bounced)
            return DeliveryState.DEAD
        row.state = DeliveryState.PENDING.value
        row.next_attempt_at = now + retry_delay(row.attempts, settings.outbox_retry_seconds,
                                                settings.outbox_retry_max_seconds, jitter)
        return DeliveryState.PENDING


def release(ctx: Context, actor: Actor, worker: str, items: list[Claimed]) -> None:
    """Put back rows this worker claimed but never tried (it stopped early): they are due at
    once and the claim does not count as an attempt."""
    if not items:
        return
    with ctx.write() as session:
        ctx.authorize(session, actor, Action.DELIVER)
        for item in items:
            row = _load(session, item.id)
            if row is not None and row.state == DeliveryState.SENDING.value and row.claimed_by == worker:
                row.state, row.claimed_by = DeliveryState.PENDING.value, None
                row.attempts = max(row.attempts - 1, 0)
                row.next_attempt_at = ctx.now()


def release_abandoned(ctx: Context, actor: Actor) -> int:
    """Every row still marked sending is due again now. Only for a worker that knows it is
    the only one (SQLite): what is sending belongs to a worker that died."""
    with ctx.write() as session:
        ctx.authorize(session, actor, Action.DELIVER)
        rows = session.execute(select(OutboxMessage).where(
            OutboxMessage.state == DeliveryState.SENDING.value)).scalars().all()
        for row in rows:
            row.next_attempt_at = ctx.now()
        return len(rows)


def _give_up(ctx: Context, session: Session, actor: Actor, row: OutboxMessage, reason: str, *,
             bounced: bool) -> None:
    row.state, row.bounced, row.claimed_by = DeliveryState.DEAD.value, bounced, None
    row.last_error = reason[:2000]
    _forget_sealed(row)
    ctx.audit(session, actor, "delivery_failed", contact_id=row.contact_id,
              subject=f"outbox:{row.id}",
              data={"purpose": purpose_of(row.idempotency_key), "kind": row.kind,
                    "to": (row.payload or {}).get("to"), "attempts": row.attempts,
                    "reason": row.last_error, "bounced": bounced})
    ctx.changed(session, row.contact_id, "outbox.failed")


def is_account_email(row: OutboxMessage) -> bool:
    return row.contact_id is None and purpose_of(row.idempotency_key) == ACCOUNT_EMAIL


def secret_removed(row: OutboxMessage) -> bool:
    """An account email whose code or link was removed (sent, or given up)."""
    return is_account_email(row) and (row.payload or {}).get("sealed") == ""


def _forget_sealed(row: OutboxMessage) -> None:
    """Once an account email is sent or given up, its code or link is of no more use here:
    only the recipient is kept, so later copies of the database (backups) hold nothing to
    open even with the mail key. Clears one queued in clear before sealing existed too."""
    if is_account_email(row):
        row.payload = {"to": (row.payload or {}).get("to"), "sealed": ""}


def _load(session: Session, outbox_id: int) -> OutboxMessage | None:
    if is_postgres(session.get_bind()):
        return session.get(OutboxMessage, outbox_id, with_for_update=True, populate_existing=True)
    return session.get(OutboxMessage, outbox_id)
