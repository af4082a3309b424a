"""The audit trail: append-only, and tamper-evident by an HMAC chain.

Each event's HMAC covers its own content and the previous event's HMAC, keyed with a secret
that is not in the database: someone with only database access can neither edit an event
(triggers refuse it) nor rewrite history and recompute the chain.
"""

from __future__ import annotations

import hashlib
import hmac as hmac_lib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ffd_core.clock import as_utc
from ffd_core.store.base import canonical_json
from ffd_core.store.engine import is_postgres
from ffd_core.store.tables import AuditEvent, AuditHead

GENESIS_HMAC = "0" * 64


def _content(event: AuditEvent) -> str:
    return canonical_json(
        {
            "seq": event.seq,
            "at": as_utc(event.at).isoformat(timespec="microseconds"),
            "actor_id": event.actor_id,
            "actor_name": event.actor_name,
            "action": event.action,
            "contact_id": event.contact_id,
            "subject": event.subject,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "data": event.data or {},
        }
    )


def sign(key: bytes, prev_hmac: str, event: AuditEvent) -> str:
    message = (prev_hmac + _content(event)).encode("utf-8")
    return hmac_lib.new(key, message, hashlib.sha256).hexdigest()


def append(
    session: Session,
    key: bytes,
    *,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    contact_id: int | None = None,
    subject: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add the next event to the chain inside the caller's transaction."""
    head = _locked_head(session)
    event = AuditEvent(
        seq=head.last_seq + 1,
        at=as_utc(at),
        actor_id=actor_id,
        actor_name=actor_name,
        action=action,
        contact_id=contact_id,
        subject=subject,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
        prev_hmac=head.last_hmac,
    )
    event.hmac = sign(key, head.last_hmac, event)
    head.last_seq, head.last_hmac = event.seq, event.hmac
    session.add(event)
    session.flush()
    return event


def _locked_head(session: Session) -> AuditHead:
    """The chain's tip, locked for this transaction. PostgreSQL needs a row lock to serialise
    chain writers (SQLite's write lock already does); once held, the session's copy is current
    until the transaction ends, so later events in the same transaction skip the query."""
    if session.info.get("audit_head_locked") is session.get_transaction():
        return session.get(AuditHead, 1)
    query = select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)
    if is_postgres(session.get_bind()):
        query = query.with_for_update()
    head = session.execute(query).scalar_one()
    session.info["audit_head_locked"] = session.get_transaction()
    return head


@dataclass(frozen=True)
class Verification:
    events_checked: int
    first_broken_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None and self.problem is None


def verify(
    session: Session,
    key: bytes,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 5000,
) -> Verification:
    """Walk the whole chain; name the first event whose link or content does not check out."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    total = head.last_seq
    expected_prev, expected_seq, checked = GENESIS_HMAC, 1, 0
    for event in _events_in_order(session, batch):
        if event.seq != expected_seq:
            return Verification(checked, expected_seq, f"event {expected_seq} is missing")
        if event.prev_hmac != expected_prev:
            return Verification(checked, event.seq, "its link to the previous event is wrong")
        if not hmac_lib.compare_digest(event.hmac, sign(key, expected_prev, event)):
            return Verification(checked, event.seq, "its content does not match its HMAC")
        expected_prev, expected_seq, checked = event.hmac, event.seq + 1, checked + 1
        if progress and checked % batch == 0:
            progress(checked, total)
    if checked != total or expected_prev != head.last_hmac:
        return Verification(
            checked, checked + 1, f"the chain ends at event {checked} but the head says {total}"
        )
    if progress:
        progress(checked, total)
    return Verification(checked)


def _events_in_order(session: Session, batch: int) -> Iterable[AuditEvent]:
    after = 0
    while True:
        rows = session.execute(
            select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(batch)
        ).scalars().all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq
        session.expunge_all()
