"""Deciding a contact, child by child, and management oversight (sign-off).

A reply to the referrer chosen with a decision belongs to that decision: it is held while
the decision waits for sign-off, superseded if the decision is returned, and sent only
when that decision becomes final. A final decision with no reply of its own sends the
plain outcome.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ffd_core.domain.access import Actor, sign_off_refusal
from ffd_core.domain.decisions import ChildDecision, for_every_child, validate_decisions
from ffd_core.domain.vocab import ContactKind, MessageKind, MessageState, Outcome, Role, Status
from ffd_core.errors import InvalidInput, PermissionDenied
from ffd_core.faults import checkpoint
from ffd_core.services import outbox, pushes
from ffd_core.services.contact_write import begin, move
from ffd_core.services.contacts import subject_children
from ffd_core.services.context import Context
from ffd_core.services.messages import referrer_email
from ffd_core.store.tables import Contact, Decision, Message, User


def decide(
    ctx: Context,
    actor: Actor,
    contact_id: int,
    decisions: Sequence[ChildDecision] | None = None,
    *,
    same_for_all: ChildDecision | None = None,
    expected_version: int | None = None,
    reply: tuple[str, str] | None = None,
) -> Status:
    """Record a decision for every subject child. Outcomes that need management oversight
    wait for a supervisor's sign-off (a supervisor's own, for another supervisor's); the
    rest are final at once.

    ``reply`` is (template id, text) of the message the referrer gets with this decision
    (e.g. a rejection citing the threshold guidance) instead of the plain outcome."""
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, "decide", expected_version)
        child_ids = [child.id for child in subject_children(contact)]
        if same_for_all is not None:
            decisions = for_every_child(same_for_all, child_ids)
        decisions = list(decisions or [])
        validate_decisions(ContactKind(contact.kind), decisions, child_ids)
        unknown = ctx.config.guidance.unknown_indicators(
            [i for d in decisions for i in d.indicators])
        if unknown:
            raise InvalidInput(f"unknown threshold indicator(s): {', '.join(unknown)}; "
                               "cite ids from the threshold guidance")
        needs_sign_off = _needs_sign_off(ctx, actor, decisions)
        edge = ctx.lifecycle.edge("decide")
        target = edge.target_when_sign_off if needs_sign_off else edge.target
        message = _reply_message(ctx, session, actor, contact, reply, held=needs_sign_off)
        move(ctx, session, actor, contact, "decide", {"decisions": decisions}, target=target,
             data={"outcomes": sorted({d.outcome.value for d in decisions}),
                   "children": len(decisions), "reply_message_id": message.id if message else None,
                   "sign_off": needs_sign_off})
        for d in decisions:
            session.add(Decision(
                contact_id=contact.id, child_id=d.child_id, clock_period=contact.clock_period,
                outcome=d.outcome.value, rationale=d.rationale,
                level_of_need=d.level_of_need.value if d.level_of_need else None,
                indicators=list(d.indicators), primary_need=d.primary_need,
                decided_by_id=actor.user_id, decided_at=ctx.now(),
                state="proposed" if needs_sign_off else "final",
                reply_message_id=message.id if message else None,
            ))
        checkpoint("decide.after_decisions")
        if not needs_sign_off:
            session.flush()
            _after_final_decision(ctx, session, contact)
        checkpoint("decide.before_commit")
        return target


def _needs_sign_off(ctx: Context, actor: Actor, decisions: Sequence[ChildDecision]) -> bool:
    oversight = any(d.outcome.value in ctx.settings.sign_off_outcomes for d in decisions)
    if not oversight:
        return False
    return actor.role is not Role.SUPERVISOR or ctx.settings.four_eyes


def approve(ctx: Context, actor: Actor, contact_id: int, expected_version: int | None = None,
            reason: str = "") -> int:
    """A supervisor signs off a proposed decision; it becomes final and the referrer is told.
    A supervisor's own decision needs another supervisor, unless none is active (then a
    reason is required and recorded)."""
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, "approve", expected_version)
        proposed = _current_decisions(session, contact, "proposed")
        proposer = proposed[0].decided_by_id if proposed else None
        refusal = sign_off_refusal(
            actor, proposer, four_eyes=ctx.settings.four_eyes,
            another_supervisor_active=another_supervisor_active(session, actor), reason=reason)
        if refusal:
            raise PermissionDenied(refusal)
        data: dict[str, object] = {"reason": reason} if reason.strip() else {}
        if proposer is not None and proposer == actor.user_id:
            data["own_decision"] = True
        move(ctx, session, actor, contact, "approve", {}, data=data)
        for decision in proposed:
            decision.state, decision.signed_off_by_id = "final", actor.user_id
        session.flush()
        _after_final_decision(ctx, session, contact)
        return contact.version


def another_supervisor_active(session: Session, actor: Actor) -> bool:
    return bool(session.execute(select(func.count(User.id)).where(
        User.role == Role.SUPERVISOR.value, User.active.is_(True),
        User.id != actor.user_id)).scalar_one())


def needs_another_supervisor(ctx: Context, actor: Actor) -> bool:
    """For screens: would this supervisor's own decision wait for someone else?"""
    with ctx.read() as session:
        return ctx.settings.four_eyes and another_supervisor_active(session, actor)


def return_for_rework(
    ctx: Context, actor: Actor, contact_id: int, reason: str, expected_version: int | None = None
) -> int:
    """A supervisor sends a proposed decision back to screening, saying why. The reply that
    came with it is superseded: it is never sent."""
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, "return", expected_version)
        move(ctx, session, actor, contact, "return", {"reason": reason}, data={"reason": reason})
        for decision in _current_decisions(session, contact, "proposed"):
            decision.state = "returned"
            if decision.reply_message_id is not None:
                session.execute(update(Message).where(Message.id == decision.reply_message_id)
                                .values(state=MessageState.SUPERSEDED.value))
        return contact.version


def _current_decisions(session: Session, contact: Contact, state: str) -> list[Decision]:
    return list(session.execute(
        select(Decision).where(Decision.contact_id == contact.id,
                               Decision.clock_period == contact.clock_period,
                               Decision.state == state).order_by(Decision.id)
    ).scalars())


def _reply_message(ctx: Context, session: Session, actor: Actor, contact: Contact,
                   reply: tuple[str, str] | None, *, held: bool) -> Message | None:
    if reply is None:
        return None
    template_id, body = reply
    email = referrer_email(contact)
    if email is None:
        raise InvalidInput(f"{contact.reference} has no referrer email for a reply; "
                           "decide without a reply template")
    if not body.strip():
        raise InvalidInput("the reply to the referrer is empty")
    kind = MessageKind.REJECTION if template_id.startswith("rejection.") else MessageKind.OUTCOME
    message = Message(contact_id=contact.id, kind=kind.value, direction="out", recipient=email,
                      body=body, author_id=actor.user_id, created_at=ctx.now(),
                      state=(MessageState.HELD if held else MessageState.CURRENT).value)
    session.add(message)
    session.flush()
    return message


def _after_final_decision(ctx: Context, session: Session, contact: Contact) -> None:
    """Tell the referrer what was decided — with the reply chosen for this decision, or the
    plain outcome — and queue each child's push to the case system (both delivered by the
    outbox; a child with no case-system person waits for an officer: services.pushes)."""
    final = _current_decisions(session, contact, "final")
    key = f"{contact.reference}:{contact.clock_period}"
    reply_id = next((d.reply_message_id for d in final if d.reply_message_id), None)
    email = referrer_email(contact)
    if reply_id is not None:
        message = session.get(Message, reply_id)
        message.state = MessageState.CURRENT.value
        outbox.enqueue(ctx, session, outbox.EMAIL, f"outcome:{key}",
                       {"to": message.recipient, "reference": contact.reference,
                        "message_id": message.id}, contact_id=contact.id)
    elif email is not None:
        outcomes = sorted({d.outcome for d in final})
        message = Message(contact_id=contact.id, kind=MessageKind.OUTCOME.value, direction="out",
                          recipient=email, body="; ".join(Outcome(o).label for o in outcomes),
                          author_id=None, created_at=ctx.now(), state=MessageState.CURRENT.value)
        session.add(message)
        session.flush()
        outbox.enqueue(ctx, session, outbox.EMAIL, f"outcome:{key}",
                       {"template": "outcome", "to": email, "reference": contact.reference,
                        "outcomes": outcomes, "message_id": message.id}, contact_id=contact.id)
    pushes.queue_for_decision(ctx, session, contact, final)
