"""The "needs a person" list: decided children the case system cannot take yet, because the
child is not linked to a person with a case-system record, or the case system refused the
person it was sent to (merged, unknown). An officer links the child to the right person, or
confirms that the case system should create a new one — a human decision, audited. Either
way the child's push goes back in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from ffd_core.domain.access import Action, Actor
from ffd_core.errors import InvalidInput
from ffd_core.services.contact_write import begin, record
from ffd_core.services.context import Context
from ffd_core.services.pushes import TransferState, case_person_for, load_transfer, queue
from ffd_core.services.visibility import visible_to
from ffd_core.store.tables import CaseSystemTransfer, Contact, ContactPerson, Decision


@dataclass(frozen=True)
class WaitingChild:
    transfer_id: int
    contact_id: int
    reference: str
    child: str
    date_of_birth: date | None
    postcode: str | None
    person_id: str | None  # the person in the index the child is linked to, if any
    reason: str
    outcome: str
    waiting_since: datetime


@dataclass(frozen=True)
class WaitingPage:
    rows: list[WaitingChild]  # the oldest ``limit``
    total: int  # how many wait in all (that this person may see)


def waiting(ctx: Context, actor: Actor, limit: int = 500) -> list[WaitingChild]:
    """Oldest first; only contacts the actor may see."""
    return waiting_page(ctx, actor, limit).rows


def waiting_page(ctx: Context, actor: Actor, limit: int = 500) -> WaitingPage:
    """The oldest ``limit`` waiting children and how many wait in all, read together, so a
    list can say "500 of 3,012 shown"."""
    with ctx.read() as session:
        actor = ctx.authorize(session, actor, Action.SEE_QUEUE)
        query = (
            select(CaseSystemTransfer, Contact.reference, ContactPerson, Decision.outcome)
            .join(Contact, Contact.id == CaseSystemTransfer.contact_id)
            .join(ContactPerson, ContactPerson.id == CaseSystemTransfer.child_id)
            .join(Decision, (Decision.contact_id == CaseSystemTransfer.contact_id)
                  & (Decision.child_id == CaseSystemTransfer.child_id)
                  & (Decision.clock_period == CaseSystemTransfer.clock_period)
                  & (Decision.state == "final"))
            .where(CaseSystemTransfer.state == TransferState.NEEDS_PERSON.value, visible_to(actor)))
        rows = session.execute(query.order_by(CaseSystemTransfer.created_at, CaseSystemTransfer.id)
                               .limit(limit)).all()
        total = len(rows) if len(rows) < limit else session.execute(
            select(func.count()).select_from(query.subquery())).scalar_one()
        return WaitingPage([WaitingChild(t.id, t.contact_id, reference, child.display_name,
                                         child.date_of_birth, child.postcode, child.person_id,
                                         t.reason or "", outcome, t.created_at)
                            for t, reference, child, outcome in rows], total)


def link_person(ctx: Context, actor: Actor, transfer_id: int, person_id: str) -> None:
    """The child is this person in the index: linked on the contact, and pushed to the
    person's case-system record."""
    with ctx.write() as session:
        actor, transfer, contact, child = _waiting(ctx, session, actor, transfer_id,
                                                   Action.LINK_CHILD)
        target, problem = case_person_for(session, person_id.strip())
        if target is None:
            raise InvalidInput(f"{problem}; choose another person, or confirm that the case "
                               "system should create a new one")
        previous, child.person_id = child.person_id, person_id.strip()
        transfer.case_person_id, transfer.new_person = target, False
        record(ctx, session, actor, contact, "case_system_person_chosen",
               subject=f"person:{child.person_id}",
               data={"child": child.id, "person_id": child.person_id, "previous": previous,
                     "case_person_id": target, "period": transfer.clock_period})
        queue(ctx, session, contact, child, transfer)


def confirm_new_person(ctx: Context, actor: Actor, transfer_id: int, reason: str) -> None:
    """The officer has checked: this child is not in the case system, which should create
    them with this push. Audited with the reason."""
    if not reason.strip():
        raise InvalidInput("say how you know the child is new to the case system (e.g. "
                           "\"searched by name, date of birth and address: no record\"); it is "
                           "kept on the audit trail")
    with ctx.write() as session:
        actor, transfer, contact, child = _waiting(ctx, session, actor, transfer_id,
                                                   Action.CONFIRM_NEW_PERSON)
        transfer.new_person, transfer.case_person_id = True, None
        transfer.confirmed_by_id, transfer.confirmed_at = actor.user_id, ctx.now()
        record(ctx, session, actor, contact, "case_system_new_person_confirmed",
               subject=f"child:{child.id}",
               data={"child": child.id, "reason": reason, "period": transfer.clock_period})
        queue(ctx, session, contact, child, transfer)


def _waiting(ctx: Context, session, actor: Actor, transfer_id: int,  # noqa: ANN001 - Session
             action: Action) -> tuple[Actor, CaseSystemTransfer, Contact, ContactPerson]:
    transfer = load_transfer(session, transfer_id)
    actor, contact = begin(ctx, session, actor, transfer.contact_id, action)
    if transfer.state != TransferState.NEEDS_PERSON.value:
        raise InvalidInput(f"{contact.reference}: that child no longer needs a person "
                           f"(it is {transfer.state.replace('_', ' ')}); refresh the list")
    return actor, transfer, contact, session.get(ContactPerson, transfer.child_id)
