"""What happened to the messages that go out: per contact (on its thread), the whole outbox
for supervisors, today's figures, and a supervisor's retry of a dead letter."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ffd_core.clock import format_uk_datetime
from ffd_core.domain.access import Action, Actor
from ffd_core.errors import InvalidInput, NotFound
from ffd_core.services.context import Context
from ffd_core.services.outbox import PURPOSES, DeliveryState, purpose_of, secret_removed
from ffd_core.services.queue import local_midnight
from ffd_core.store.tables import ClockPeriodRow, Contact, OutboxMessage

ACK_WITHIN = timedelta(minutes=1)


@dataclass(frozen=True)
class Delivery:
    """One message that goes out, as staff see it."""

    id: int
    contact_id: int | None
    reference: str
    purpose: str  # "Acknowledgement", "Outcome"...
    kind: str  # email, case_system_push
    to: str
    state: str  # pending, sending, sent, dead
    attempts: int
    queued_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime
    last_error: str | None
    bounced: bool
    # Sent in time: an acknowledgement within a minute of receipt, an outcome by the
    # statutory due time of its period. None where not measured (or not sent yet).
    in_time: bool | None = None

    @property
    def timeliness(self) -> str:
        if self.in_time is None:
            return ""
        target = "a minute of receipt" if self.purpose == PURPOSES["ack"] else "the decision target"
        return f"{'within' if self.in_time else 'not within'} {target}"

    @property
    def status(self) -> str:
        """Queued, sending, sent at ..., failed (retrying at ...) or failed (dead letter)."""
        if self.state == DeliveryState.SENT:
            return f"sent {format_uk_datetime(self.sent_at)}" if self.sent_at else "sent"
        if self.state == DeliveryState.SENDING:
            return "sending"
        if self.state == DeliveryState.DEAD:
            return "bounced" if self.bounced else "failed: dead letter"
        if self.attempts:
            return f"failed, retrying {format_uk_datetime(self.next_attempt_at)}"
        return "queued"


@dataclass(frozen=True)
class DeliveryFigures:
    """Today (since local midnight), for supervisors."""

    acknowledgements: int  # queued today
    acknowledged_within_a_minute: int
    outcomes: int  # queued today (decisions made final today)
    outcomes_within_target: int  # sent by the statutory due time of their period
    bounced: int  # refused for good by the mail server, today
    dead_letters: int  # gave up after every attempt, today
    waiting: int  # queued or retrying now, whenever queued


def for_contact(session: Session, contact: Contact) -> list[Delivery]:
    """Every message queued for one contact (the caller has authorised the view)."""
    rows = session.execute(select(OutboxMessage).where(OutboxMessage.contact_id == contact.id)
                           .order_by(OutboxMessage.created_at, OutboxMessage.id)).scalars().all()
    dues = _statutory_dues(session, rows)
    return [_delivery(row, contact.reference, dues.get(row.id)) for row in rows]


def list_outbox(ctx: Context, actor: Actor, *, state: DeliveryState | None = None,
                reference: str | None = None, limit: int = 100) -> list[Delivery]:
    """Newest first; optionally one state, or one contact by its reference. Who looked is
    audited: the list names referrers and children's contacts."""
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.READ_OUTBOX)
        ctx.audit(session, actor, "outbox_listed", subject="outbox",
                  data={"state": state.value if state else None, "reference": reference})
        query = (select(OutboxMessage, Contact.reference)
                 .outerjoin(Contact, Contact.id == OutboxMessage.contact_id)
                 .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit))
        if state is not None:
            query = query.where(OutboxMessage.state == state.value)
        if reference:
            query = query.where(Contact.reference == reference.strip().upper())
        found = session.execute(query).all()
        dues = _statutory_dues(session, [row for row, _ref in found])
        return [_delivery(row, ref or "", dues.get(row.id)) for row, ref in found]


def figures_today(ctx: Context, actor: Actor) -> DeliveryFigures:
    now = ctx.now()
    since = local_midnight(now)
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.READ_OUTBOX)
        today = session.execute(select(OutboxMessage).where(
            OutboxMessage.created_at >= since)).scalars().all()
        failed_today = session.execute(select(OutboxMessage.bounced, func.count()).where(
            OutboxMessage.state == DeliveryState.DEAD.value,
            OutboxMessage.last_attempt_at >= since).group_by(OutboxMessage.bounced)).all()
        waiting = session.execute(select(func.count()).where(OutboxMessage.state.in_(
            [DeliveryState.PENDING.value, DeliveryState.SENDING.value]))).scalar_one()
        acks = [r for r in today if purpose_of(r.idempotency_key) == "ack"]
        outcomes = [r for r in today if purpose_of(r.idempotency_key) == "outcome"]
        dues = _statutory_dues(session, outcomes)
    failed = dict(failed_today)
    return DeliveryFigures(
        acknowledgements=len(acks),
        acknowledged_within_a_minute=sum(1 for r in acks if _in_time(r, None)),
        outcomes=len(outcomes),
        outcomes_within_target=sum(1 for r in outcomes if _in_time(r, dues.get(r.id))),
        bounced=failed.get(True, 0), dead_letters=failed.get(False, 0), waiting=waiting)


def _in_time(row: OutboxMessage, due: datetime | None) -> bool | None:
    """An acknowledgement sent within a minute of the contact arriving (it is queued as the
    contact is stored); an outcome sent by its period's statutory due time."""
    if row.delivered_at is None:
        return None
    purpose = purpose_of(row.idempotency_key)
    if purpose == "ack":
        return row.delivered_at - row.created_at <= ACK_WITHIN
    if purpose == "outcome" and due is not None:
        return row.delivered_at <= due
    return None


def _statutory_dues(session: Session, rows: Iterable[OutboxMessage]) -> dict[int, datetime]:
    """outbox id -> the statutory due time of the period its outcome key names."""
    dues = {}
    for row in rows:
        if purpose_of(row.idempotency_key) != "outcome":
            continue
        period = int(row.idempotency_key.rsplit(":", 1)[1])
        clock = session.get(ClockPeriodRow, (row.contact_id, period))
        if clock is not None:
            dues[row.id] = clock.statutory_due_at
    return dues


def retry(ctx: Context, actor: Actor, outbox_id: int, reason: str) -> Delivery:
    """A supervisor sends a dead letter again (after the address or the server was put
    right): it is due at once with a fresh set of attempts. Audited with the reason."""
    if not reason.strip():
        raise InvalidInput("say why it should go again (e.g. \"address corrected\"); "
                           "the reason is kept on the audit trail")
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.RETRY_DELIVERY)
        row = session.get(OutboxMessage, outbox_id)
        if row is None:
            raise NotFound(f"no outbox message {outbox_id}; see `ffd outbox list`")
        if row.state != DeliveryState.DEAD.value:
            raise InvalidInput(f"outbox message {outbox_id} is {row.state}, not a dead letter; "
                               "only failed messages can be retried")
        if secret_removed(row):
            raise InvalidInput(f"outbox message {outbox_id} is an account email whose code or "
                               "link was removed when it failed, so nothing is left to send; "
                               "the person asks for a new one on the web endpoint")
        ctx.audit(session, actor, "delivery_retried", contact_id=row.contact_id,
                  subject=f"outbox:{row.id}",
                  data={"purpose": purpose_of(row.idempotency_key), "reason": reason,
                        "last_error": row.last_error, "attempts": row.attempts})
        row.state, row.attempts, row.bounced = DeliveryState.PENDING.value, 0, False
        row.next_attempt_at = ctx.now()
        ctx.changed(session, row.contact_id, "outbox.retried")
        contact = session.get(Contact, row.contact_id) if row.contact_id else None
        return _delivery(row, contact.reference if contact else "")


def _delivery(row: OutboxMessage, reference: str, due: datetime | None = None) -> Delivery:
    return Delivery(
        id=row.id, contact_id=row.contact_id, reference=reference,
        purpose=PURPOSES.get(purpose_of(row.idempotency_key), row.kind), kind=row.kind,
        to=str((row.payload or {}).get("to") or ""), state=row.state, attempts=row.attempts,
        queued_at=row.created_at, sent_at=row.delivered_at, next_attempt_at=row.next_attempt_at,
        last_error=row.last_error, bounced=row.bounced, in_time=_in_time(row, due))
