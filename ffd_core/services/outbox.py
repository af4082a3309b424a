"""Queue an effect for later delivery, in the caller's transaction (delivery: connectors)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ffd_core.services.context import Context
from ffd_core.store.tables import OutboxMessage

EMAIL = "email"
CASE_SYSTEM_PUSH = "case_system_push"


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
        state="pending",
        attempts=0,
        next_attempt_at=ctx.now(),
        created_at=ctx.now(),
    )
    session.add(message)
    return message
