"""Pushing decided children into the case system, so nobody types a contact in twice.

A final decision queues one transfer per child (``queue_for_decision``, in the decision's
own transaction). A child linked to a person with exactly one case-system (Framework-i)
record is queued in the outbox at once; any other child waits in the "needs a person" list
(services.needs_person) until an officer links it or confirms a new person — the product
never asks the case system to create a person by itself.

The worker's sender (connectors.case_system) asks ``request_for`` what to send (built from
the store as it is then, through the council's field mapping), and records the answer:
``record_transferred`` keeps the ids the case system returned, and moves the contact to
transferred when every child of the period is there; ``person_refused`` sends a child back
to an officer when the case system says its person was merged or does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ffd_core.clock import as_utc
from ffd_core.connectors.case_system_contract import Transferred, idempotency_key
from ffd_core.domain.access import Action, Actor
from ffd_core.domain.case_mapping import CaseSystemMapping, load_mapping
from ffd_core.domain.vocab import Status, StrEnum
from ffd_core.errors import InvalidInput, NotFound
from ffd_core.search.records import SOCIAL_CARE
from ffd_core.services import outbox
from ffd_core.services.contact_write import begin, move
from ffd_core.services.context import Context
from ffd_core.services.outbox import DeliveryState
from ffd_core.store.people_tables import SourceRecordRow
from ffd_core.store.tables import (
    CaseSystemTransfer, Contact, ContactPerson, Decision, OutboxMessage, User,
)

CHANGE = "contact.case_system"


class TransferState(StrEnum):
    NEEDS_PERSON = "needs_person"
    QUEUED = "queued"
    TRANSFERRED = "transferred"


class NotToSend(InvalidInput):
    """The push cannot be made as things stand (retrying will not help)."""


@dataclass(frozen=True)
class PushRequest:
    reference: str
    child: str
    key: str  # the Idempotency-Key
    body: dict[str, Any]
    episode_expected: bool


def mapping(ctx: Context) -> CaseSystemMapping:
    return load_mapping(ctx.settings.case_system_mapping)


# ------------------------------------------------------------------------------ queuing


def queue_for_decision(ctx: Context, session: Session, contact: Contact,
                       final: list[Decision]) -> None:
    """One transfer per decided child of this period, queued or waiting for a person."""
    waiting = 0
    for decision in final:
        child = session.get(ContactPerson, decision.child_id)
        target, reason = case_person_for(session, child.person_id)
        transfer = CaseSystemTransfer(
            contact_id=contact.id, child_id=child.id, clock_period=contact.clock_period,
            created_at=ctx.now(), round=1, new_person=False, case_person_id=target,
            state=TransferState.NEEDS_PERSON.value, reason=reason)
        session.add(transfer)
        if target is None:
            waiting += 1
        else:
            queue(ctx, session, contact, child, transfer)
    if waiting:
        ctx.changed(session, contact.id, CHANGE)


def case_person_for(session: Session, person_id: str | None) -> tuple[str | None, str | None]:
    """(the case-system id of the person's social care record, None) or (None, why not)."""
    if person_id is None:
        return None, "the child is not linked to a person in the index"
    ids = session.execute(select(SourceRecordRow.source_id).where(
        SourceRecordRow.person_id == person_id, SourceRecordRow.source == SOCIAL_CARE)
        .order_by(SourceRecordRow.source_id)).scalars().all()
    if not ids:
        return None, f"person {person_id} has no case-system record"
    if len(ids) > 1:
        return None, (f"person {person_id} has {len(ids)} case-system records "
                      f"({', '.join(ids)}); the case system's team should merge them")
    return ids[0], None


def queue(ctx: Context, session: Session, contact: Contact, child: ContactPerson,
          transfer: CaseSystemTransfer) -> None:
    """Put the child's push in the outbox (one row per child and period, ever: a push the
    case system refused is the same row, due again)."""
    session.flush()
    transfer.state, transfer.reason = TransferState.QUEUED.value, None
    key = f"push:{contact.reference}:{transfer.clock_period}:c{child.id}"
    row = session.execute(select(OutboxMessage).where(
        OutboxMessage.idempotency_key == key)).scalar_one_or_none()
    if row is None:
        outbox.enqueue(ctx, session, outbox.CASE_SYSTEM_PUSH, key,
                       {"transfer_id": transfer.id, "reference": contact.reference,
                        "to": f"case system: {child.display_name}"}, contact_id=contact.id)
    elif row.state == DeliveryState.DEAD.value:
        row.state, row.attempts, row.bounced = DeliveryState.PENDING.value, 0, False
        row.next_attempt_at = ctx.now()
    ctx.changed(session, contact.id, CHANGE)


# ------------------------------------------------------------------------------ the sender


def request_for(ctx: Context, actor: Actor, outbox_id: int) -> PushRequest:
    """What to send for one outbox row, from the store as it is now."""
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.DELIVER)
        transfer, contact, child = _loaded(session, outbox_id)
        if contact.status == Status.CLOSED_IN_ERROR.value:
            raise NotToSend(f"{contact.reference} was closed in error; not sent")
        if transfer.state == TransferState.NEEDS_PERSON.value:
            raise NotToSend(f"{child.display_name} waits for an officer to choose the person "
                            "(needs a person)")
        decision = session.execute(select(Decision).where(
            Decision.contact_id == contact.id, Decision.child_id == child.id,
            Decision.clock_period == transfer.clock_period, Decision.state == "final")
            .order_by(Decision.id.desc()).limit(1)).scalar_one_or_none()
        if decision is None:
            raise NotToSend(f"no final decision for {child.display_name} in that period")
        layout = mapping(ctx)
        record, episode = layout.lay_out(_facts(session, layout, contact, child, decision))
        if transfer.new_person:
            person: dict[str, Any] = {"create": _new_person(child)}
        else:
            person = {"id": transfer.case_person_id}
        return PushRequest(
            contact.reference, child.display_name,
            idempotency_key(contact.reference, transfer.clock_period, child.id, transfer.round),
            {"person": person, "contact": record, "episode": episode}, episode is not None)


def _loaded(session: Session, outbox_id: int) -> tuple[CaseSystemTransfer, Contact, ContactPerson]:
    row = session.get(OutboxMessage, outbox_id)
    transfer = session.get(CaseSystemTransfer, (row.payload or {}).get("transfer_id")) if row else None
    if transfer is None:
        raise NotToSend("it names no child to transfer")
    return transfer, session.get(Contact, transfer.contact_id), session.get(ContactPerson, transfer.child_id)


def _facts(session: Session, layout: CaseSystemMapping, contact: Contact, child: ContactPerson,
           decision: Decision) -> dict[str, Any]:
    agency = contact.referrer_agency
    officer = session.get(User, decision.decided_by_id)
    return {
        "reference": contact.reference, "channel": contact.channel,
        "received_at": as_utc(contact.received_at).isoformat(),
        "decided_at": as_utc(decision.decided_at).isoformat(),
        "category": contact.category, "concerns": (contact.answers or {}).get("what_happened"),
        "consent": contact.consent, "consent_reason": contact.consent_reason,
        "outcome": decision.outcome, "rationale": decision.rationale,
        "level_of_need": decision.level_of_need, "primary_need": decision.primary_need,
        "indicators": list(decision.indicators or []),
        "officer": officer.display_name if officer else None,
        "referral_source_code": agency.cin_source_code if agency else
        layout.default_referral_source_code,
        "referrer_agency": agency.name if agency else (contact.referrer or {}).get("agency_name"),
        "child_name": child.display_name,
        "child_date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
    }


def _new_person(child: ContactPerson) -> dict[str, Any]:
    return {"given_name": child.given_name, "family_name": child.family_name,
            "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
            "gender": child.gender, "nhs_number": child.nhs_number, "address": child.address,
            "postcode": child.postcode}


def record_transferred(ctx: Context, actor: Actor, outbox_id: int, result: Transferred) -> bool:
    """Keep what the case system made; the contact is transferred once every child of the
    period is. Recording the same answer again changes nothing. True if it moved."""
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.DELIVER)
        transfer, contact, child = _loaded(session, outbox_id)
        if transfer.state == TransferState.TRANSFERRED.value:
            return False
        transfer.state = TransferState.TRANSFERRED.value
        transfer.case_person_id = result.person_id
        transfer.case_contact_id, transfer.episode_id = result.contact_id, result.episode_id
        transfer.transferred_at, transfer.reason = ctx.now(), None
        ctx.audit(session, actor, "case_system_recorded", contact_id=contact.id,
                  subject=f"child:{child.id}",
                  data={"period": transfer.clock_period, "person_id": result.person_id,
                        "contact_id": result.contact_id, "episode_id": result.episode_id,
                        "new_person": transfer.new_person})
        ctx.changed(session, contact.id, CHANGE)
        session.flush()
        every = transfers(session, contact.id, transfer.clock_period)
        if (any(t.state != TransferState.TRANSFERRED.value for t in every)
                or contact.status != Status.DECIDED.value
                or contact.clock_period != transfer.clock_period):
            return False
        actor, contact = begin(ctx, session, actor, contact.id, "push")
        ids = "; ".join(f"{t.case_contact_id}" + (f" (episode {t.episode_id})" if t.episode_id else "")
                        for t in every)
        move(ctx, session, actor, contact, "push", {"episode_id": ids},
             data={"case_system": [{"child": t.child_id, "person_id": t.case_person_id,
                                    "contact_id": t.case_contact_id, "episode_id": t.episode_id}
                                   for t in every]})
        return True


def person_refused(ctx: Context, actor: Actor, outbox_id: int, merged_into: str | None) -> str:
    """The case system refused the person (merged into another, or unknown): nothing was
    made, and an officer chooses again (the needs a person list). Returns why."""
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.DELIVER)
        transfer, contact, child = _loaded(session, outbox_id)
        sent_to = transfer.case_person_id or "a new person"
        reason = (f"the case system merged {sent_to} into {merged_into}" if merged_into
                  else f"the case system has no person {sent_to}")
        transfer.state, transfer.reason = TransferState.NEEDS_PERSON.value, reason
        transfer.round += 1  # nothing was made: the next target is a new request, a new key
        # The row ends here, in the same transaction, so an officer who chooses the person
        # at once finds it finished (the worker's own record of the failure is then a no-op).
        row = session.get(OutboxMessage, outbox_id)
        if row.state == DeliveryState.SENDING.value:
            row.last_attempt_at = ctx.now()
            outbox._give_up(ctx, session, actor, row, f"{reason}; an officer chooses the person "
                            "(needs a person)", bounced=True)
        ctx.audit(session, actor, "case_system_person_refused", contact_id=contact.id,
                  subject=f"child:{child.id}",
                  data={"period": transfer.clock_period, "reason": reason,
                        "case_person_id": transfer.case_person_id, "merged_into": merged_into})
        ctx.changed(session, contact.id, CHANGE)
        return reason


@dataclass(frozen=True)
class CaseSystemRecord:
    """One child's way into the case system, as staff see it on the contact."""

    child: str
    period: int
    state: str
    person_id: str | None
    contact_id: str | None
    episode_id: str | None
    reason: str | None

    @property
    def line(self) -> str:
        if self.state == TransferState.TRANSFERRED:
            return (f"{self.child}: in the case system as person {self.person_id}, contact "
                    f"{self.contact_id}" + (f", episode {self.episode_id}" if self.episode_id else ""))
        if self.state == TransferState.NEEDS_PERSON:
            return f"{self.child}: waits for an officer to choose the person ({self.reason})"
        return f"{self.child}: queued for the case system"


def for_contact(session: Session, contact: Contact) -> list[CaseSystemRecord]:
    """Every child's transfer, every period (the caller has authorised the view)."""
    names = {p.id: p.display_name for p in contact.people}
    return [CaseSystemRecord(names.get(t.child_id, "?"), t.clock_period, t.state,
                             t.case_person_id, t.case_contact_id, t.episode_id, t.reason)
            for t in transfers(session, contact.id)]


def transfers(session: Session, contact_id: int, period: int | None = None) -> list[CaseSystemTransfer]:
    query = select(CaseSystemTransfer).where(CaseSystemTransfer.contact_id == contact_id)
    if period is not None:
        query = query.where(CaseSystemTransfer.clock_period == period)
    return list(session.execute(query.order_by(CaseSystemTransfer.clock_period,
                                               CaseSystemTransfer.child_id)).scalars())


def load_transfer(session: Session, transfer_id: int) -> CaseSystemTransfer:
    transfer = session.get(CaseSystemTransfer, transfer_id)
    if transfer is None:
        raise NotFound(f"no child {transfer_id} waiting for the case system; refresh the list")
    return transfer
