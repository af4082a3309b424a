"""Screening use cases: every move of a contact through the lifecycle.

Each function: load the contact under a write lock, check the version the caller saw, ask
the lifecycle whether the move is legal, apply it, and write the audit event, the change
feed entry, the clock projection and any outbox message, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ffd_core.clock import as_utc, format_uk_datetime
from ffd_core.domain.decisions import ChildDecision, for_every_child, validate_decisions
from ffd_core.domain.lifecycle import Edge
from ffd_core.domain.permissions import require_open_contact, require_role, READERS
from ffd_core.domain.vocab import ContactKind, MessageKind, Outcome, Priority, Role, Status
from ffd_core.errors import (
    AlreadyClaimed, InvalidInput, NothingToTake, NotFound, PermissionDenied, StaleContact,
)
from ffd_core.faults import checkpoint
from ffd_core.services import outbox
from ffd_core.services.clocks import project_clocks
from ffd_core.services.contacts import subject_children
from ffd_core.services.context import SYSTEM, Actor, Context
from ffd_core.store.engine import is_postgres
from ffd_core.store.tables import (
    ClockPeriodRow, Contact, ContactLink, Decision, Message, Note, User,
)

# ---------------------------------------------------------------------------- helpers


def _load(session: Session, contact_id: int, *, lock: bool = True) -> Contact:
    # PostgreSQL: a row lock held to commit. SQLite: the transaction already holds the write
    # lock, so a plain get (often from the session's identity map) is just as safe.
    if lock and is_postgres(session.get_bind()):
        contact = session.get(Contact, contact_id, with_for_update=True, populate_existing=True)
    else:
        contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"no contact with id {contact_id}; it may have been closed in error")
    return contact


def check_access(actor: Actor, contact: Contact) -> None:
    """May this person open this contact at all (role, restriction, a partner's own)?"""
    require_open_contact(actor.role, actor.user_id, contact.reference,
                         restricted=contact.restricted, owner_id=contact.owner_id,
                         referrer_user_id=contact.referrer_user_id)


def load_readable(session: Session, actor: Actor, contact_id: int) -> Contact:
    """Load a contact for reading, after checking the person may open it."""
    contact = _load(session, contact_id, lock=False)
    check_access(actor, contact)
    return contact


def _check_version(session: Session, contact: Contact, expected: int | None) -> None:
    if expected is None or contact.version == expected:
        return
    who = session.get(User, contact.changed_by_id) if contact.changed_by_id else None
    raise StaleContact(
        f"{contact.reference} was changed by {who.display_name if who else 'the system'} at "
        f"{format_uk_datetime(contact.changed_at)} after you opened it; "
        "look at the change, then try again (what you typed is kept)"
    )


def _move(
    ctx: Context,
    session: Session,
    actor: Actor,
    contact: Contact,
    edge_name: str,
    inputs: dict[str, Any],
    *,
    data: dict[str, Any] | None = None,
    target: Status | None = None,
    audit_subject: str | None = None,
) -> Edge:
    """Take one lifecycle edge (the caller has loaded and version-checked the contact)."""
    check_access(actor, contact)
    status = Status(contact.status)
    edge = ctx.lifecycle.check(
        edge_name, status=status, role=actor.role,
        is_owner=actor.user_id is not None and contact.owner_id == actor.user_id, inputs=inputs,
    )
    new_status = target or edge.target or status
    contact.status = new_status.value
    contact.version += 1
    contact.changed_at = ctx.now()
    contact.changed_by_id = actor.user_id
    ctx.audit(
        session, actor, edge_name, contact_id=contact.id, subject=audit_subject,
        from_status=status.value, to_status=new_status.value, data=_jsonable(data or {}),
    )
    if new_status is not status or "priority" in (data or {}):
        project_clocks(ctx, session, contact)
    ctx.changed(session, contact.id, f"contact.{edge_name}")
    return edge


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (as_utc(v).isoformat() if isinstance(v, datetime) else v) for k, v in data.items()}


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound(f"no active user with id {user_id}")
    return user


def _stamp(contact: Contact) -> tuple[int, str, int]:
    return contact.id, contact.reference, contact.version


# ---------------------------------------------------------------------------- owning


def claim(ctx: Context, actor: Actor, contact_id: int, expected_version: int | None = None) -> int:
    """Become the contact's owner. Two officers at once: exactly one wins."""
    with ctx.write() as session:
        contact = _load(session, contact_id)
        if contact.owner_id is not None and contact.owner_id != actor.user_id:
            owner = session.get(User, contact.owner_id)
            raise AlreadyClaimed(
                f"{contact.reference} was claimed by {owner.display_name if owner else 'someone'} "
                f"at {format_uk_datetime(contact.changed_at)}; take next instead"
            )
        _check_version(session, contact, expected_version)
        contact.owner_id = actor.user_id
        _move(ctx, session, actor, contact, "claim", {}, data={"owner_id": actor.user_id})
        return contact.version


def take_next(ctx: Context, actor: Actor) -> tuple[int, str, int]:
    """Claim the most urgent unallocated contact: priority first, then earliest due."""
    require_role(actor.role, frozenset({Role.SCREENING_OFFICER, Role.SUPERVISOR}), "take next")
    with ctx.write() as session:
        query = (
            select(Contact)
            .where(Contact.status == Status.RECEIVED.value, Contact.owner_id.is_(None))
            .where(Contact.restricted.is_(False))
            .order_by(Contact.priority, Contact.due_at, Contact.received_at, Contact.id)
            .limit(1)
        )
        if is_postgres(session.get_bind()):
            # Two officers pressing "take next" together get different contacts.
            query = query.with_for_update(skip_locked=True)
        contact = session.execute(query).scalar_one_or_none()
        if contact is None:
            raise NothingToTake("nothing is waiting: every contact has an owner")
        contact.owner_id = actor.user_id
        _move(ctx, session, actor, contact, "claim", {}, data={"owner_id": actor.user_id,
                                                              "via": "take_next"})
        return _stamp(contact)


def release(ctx: Context, actor: Actor, contact_id: int, expected_version: int | None = None) -> int:
    with ctx.write() as session:
        contact = _load(session, contact_id)
        _check_version(session, contact, expected_version)
        _move(ctx, session, actor, contact, "release", {}, data={"owner_id": None})
        contact.owner_id = None
        return contact.version


def allocate(
    ctx: Context, actor: Actor, contact_id: int, owner_id: int, reason: str = "",
    expected_version: int | None = None,
) -> int:
    """A supervisor gives a contact to an officer (reallocating needs a reason)."""
    with ctx.write() as session:
        contact = _load(session, contact_id)
        _check_version(session, contact, expected_version)
        owner = _user(session, owner_id)
        require_role(Role(owner.role), frozenset({Role.SCREENING_OFFICER, Role.SUPERVISOR}),
                     "be allocated contacts")
        edge = "allocate" if contact.status == Status.RECEIVED.value else "reallocate"
        _move(ctx, session, actor, contact, edge, {"owner": owner_id, "reason": reason},
              data={"owner_id": owner_id, "previous_owner_id": contact.owner_id, "reason": reason})
        contact.owner_id = owner_id
        return contact.version


def take_over(
    ctx: Context, actor: Actor, contact_id: int, reason: str, expected_version: int | None = None
) -> int:
    with ctx.write() as session:
        contact = _load(session, contact_id)
        _check_version(session, contact, expected_version)
        _move(ctx, session, actor, contact, "take_over", {"reason": reason},
              data={"owner_id": actor.user_id, "previous_owner_id": contact.owner_id,
                    "reason": reason})
        contact.owner_id = actor.user_id
        return contact.version


# ---------------------------------------------------------------------------- screening


def set_priority(
    ctx: Context, actor: Actor, contact_id: int, priority: Priority | int, reason: str,
    expected_version: int | None = None,
) -> int:
    try:
        priority = Priority(int(priority))
    except ValueError:
        raise InvalidInput("priority is 1 (immediate), 2 (high), 3 (standard) or 4 (low)") from None
    with ctx.write() as session:
        contact = _load(session, contact_id)
        _check_version(session, contact, expected_version)
        previous = contact.priority
        _move(ctx, session, actor, contact, "set_priority",
              {"priority": priority, "reason": reason},
              data={"priority": int(priority), "previous": previous, "reason": reason})
        contact.priority, contact.priority_reason = int(priority), reason
        project_clocks(ctx, session, contact)
        return contact.version


def request_information(
    ctx: Context, actor: Actor, contact_id: int, *, recipient: str, message: str,
    chase_by: datetime | None, expected_version: int | None = None,
) -> int:
    if chase_by is not None and as_utc(chase_by) <= ctx.now():
        raise InvalidInput("the chase-by time has already passed; give a time in the future")
    with ctx.write() as session:
        contact = _load(session, contact_id)
        _check_version(session, contact, expected_version)
        inputs = {"recipient": recipient, "message": message, "chase_by": chase_by}
        _move(ctx, session, actor, contact, "request_information", inputs,
              data={"recipient": recipient, "chase_by": chase_by})
        note = Message(contact_id=contact.id, kind=MessageKind.REQUEST_FOR_INFORMATION.value,
                       direction="out", recipient=recipient, body=message, chase_by=chase_by,
                       author_id=actor.user_id, created_at=ctx.now())
        session.add(note)
        session.flush()
        outbox.enqueue(ctx, session, outbox.EMAIL, f"rfi:{note.id}",
                       {"template": "request_for_information", "to": recipient,
                        "reference": contact.reference, "message_id": note.id},
                       contact_id=contact.id)
        return contact.version


def record_reply(
    ctx: Context, actor: Actor, contact_id: int, message: str, sender: str = ""
) -> int:
    """The referrer answered. Waiting contacts go back to screening; a reply is never stale."""
    if not message.strip():
        raise InvalidInput("the reply is empty; paste or type what the referrer said")
    with ctx.write() as session:
        contact = _load(session, contact_id)
        if contact.status == Status.AWAITING_INFORMATION.value:
            _move(ctx, session, actor, contact, "record_reply", {"message": message},
                  data={"sender": sender})
        else:
            check_access(actor, contact)
            contact.version += 1
            contact.changed_at, contact.changed_by_id = ctx.now(), actor.user_id
            ctx.audit(session, actor, "reply_received", contact_id=contact.id,
                      data={"sender": sender})
            ctx.changed(session, contact.id, "contact.reply_received")
        session.add(Message(contact_id=contact.id, kind=MessageKind.REPLY.value, direction="in",
                            recipient=None, body=message, author_id=actor.user_id,
                            created_at=ctx.now()))
        return contact.version


def chase_overdue(ctx: Context) -> list[str]:
    """System job: requests whose chase-by time passed go back to the officer."""
    now = ctx.now()
    with ctx.write() as session:
        waiting = session.execute(
            select(Contact).where(Contact.status == Status.AWAITING_INFORMATION.value)
        ).scalars().all()
        moved = []
        for contact in waiting:
            last = session.execute(
                select(Message.chase_by)
                .where(Message.contact_id == contact.id,
                       Message.kind == MessageKind.REQUEST_FOR_INFORMATION.value)
                .order_by(Message.id.desc()).limit(1)
            ).scalar_one_or_none()
            if last is not None and as_utc(last) <= now:
                _move(ctx, session, SYSTEM, contact, "chase_due", {})
                moved.append(contact.reference)
        return moved


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
    wait for a supervisor's sign-off; the rest are final at once.

    ``reply`` is (template id, text) of the message the referrer gets (e.g. a rejection
    citing the threshold guidance) instead of the plain outcome; it goes out when the
    decision is final."""
    with ctx.write() as session:
        contact = _load(session, contact_id)
        _check_version(session, contact, expected_version)
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
        needs_sign_off = any(
            d.outcome.value in ctx.settings.sign_off_outcomes for d in decisions
        ) and actor.role is not Role.SUPERVISOR
        target = Status.AWAITING_SIGN_OFF if needs_sign_off else Status.DECIDED
        _move(ctx, session, actor, contact, "decide", {"decisions": decisions}, target=target,
              data={"outcomes": sorted({d.outcome.value for d in decisions}),
                    "children": len(decisions)})
        for d in decisions:
            session.add(Decision(
                contact_id=contact.id, child_id=d.child_id, clock_period=contact.clock_period,
                outcome=d.outcome.value, rationale=d.rationale,
                level_of_need=d.level_of_need.value if d.level_of_need else None,
                indicators=list(d.indicators), primary_need=d.primary_need,
                decided_by_id=actor.user_id, decided_at=ctx.now(),
                state="proposed" if needs_sign_off else "final",
            ))
        if reply is not None:
            _reply_with_decision(ctx, session, actor, contact, *reply)
        checkpoint("decide.after_decisions")
        if not needs_sign_off:
            session.flush()
            _after_final_decision(ctx, session, contact)
        checkpoint("decide.before_commit")
        return target


def approve(ctx: Context, actor: Actor, contact_id: int, expected_version: int | None = None) -> int:
    with ctx.write() as session:
        contact = _load(session, contact_id)
        _check_version(session, contact, expected_version)
        _move(ctx, session, actor, contact, "approve", {})
        for decision in _current_decisions(session, contact, "proposed"):
            decision.state, decision.signed_off_by_id = "final", actor.user_id
        session.flush()
        _after_final_decision(ctx, session, contact)
        return contact.version


def return_for_rework(
    ctx: Context, actor: Actor, contact_id: int, reason: str, expected_version: int | None = None
) -> int:
    """A supervisor sends a proposed decision back to screening, saying why."""
    with ctx.write() as session:
        contact = _load(session, contact_id)
        _check_version(session, contact, expected_version)
        _move(ctx, session, actor, contact, "return", {"reason": reason}, data={"reason": reason})
        for decision in _current_decisions(session, contact, "proposed"):
            decision.state = "returned"
        return contact.version


def _current_decisions(session: Session, contact: Contact, state: str) -> list[Decision]:
    return list(session.execute(
        select(Decision).where(Decision.contact_id == contact.id,
                               Decision.clock_period == contact.clock_period,
                               Decision.state == state)
    ).scalars())


def _reply_with_decision(ctx: Context, session: Session, actor: Actor, contact: Contact,
                         template_id: str, body: str) -> None:
    email = (contact.referrer or {}).get("email")
    if contact.anonymous or not email:
        raise InvalidInput(f"{contact.reference} has no referrer email for a reply; "
                           "decide without a reply template")
    if not body.strip():
        raise InvalidInput("the reply to the referrer is empty")
    kind = MessageKind.REJECTION if template_id.startswith("rejection.") else MessageKind.OUTCOME
    session.add(Message(contact_id=contact.id, kind=kind.value, direction="out", recipient=email,
                        body=body, author_id=actor.user_id, created_at=ctx.now()))
    session.flush()


def _after_final_decision(ctx: Context, session: Session, contact: Contact) -> None:
    """Tell the referrer, and queue the push to the case system (delivered by the outbox)."""
    outcomes = sorted({d.outcome for d in _current_decisions(session, contact, "final")})
    key = f"{contact.reference}:{contact.clock_period}"
    email = (contact.referrer or {}).get("email")
    period_start = session.get(ClockPeriodRow, (contact.id, contact.clock_period)).started_at
    written = session.execute(select(Message).where(
        Message.contact_id == contact.id, Message.direction == "out",
        Message.kind.in_([MessageKind.REJECTION.value, MessageKind.OUTCOME.value]),
        Message.created_at >= period_start).order_by(Message.id.desc())).scalars().first()
    if written is not None:
        # The officer's own reply, held until the decision was final.
        outbox.enqueue(ctx, session, outbox.EMAIL, f"outcome:{key}",
                       {"to": written.recipient, "reference": contact.reference,
                        "message_id": written.id}, contact_id=contact.id)
    elif email and not contact.anonymous:
        message = Message(contact_id=contact.id, kind=MessageKind.OUTCOME.value, direction="out",
                          recipient=email, body="; ".join(Outcome(o).label for o in outcomes),
                          author_id=None, created_at=ctx.now())
        session.add(message)
        outbox.enqueue(ctx, session, outbox.EMAIL, f"outcome:{key}",
                       {"template": "outcome", "to": email, "reference": contact.reference,
                        "outcomes": outcomes}, contact_id=contact.id)
    outbox.enqueue(ctx, session, outbox.CASE_SYSTEM_PUSH, f"push:{key}",
                   {"reference": contact.reference, "period": contact.clock_period},
                   contact_id=contact.id)


def send_reply(
    ctx: Context, actor: Actor, contact_id: int, *, kind: MessageKind, body: str,
    template_id: str | None = None, indicators: Sequence[str] = (),
    expected_version: int | None = None,
) -> int:
    """A message to the referrer (e.g. a rejection citing the threshold guidance), kept on
    the thread and queued for delivery; the status does not change."""
    require_role(actor.role, frozenset({Role.SCREENING_OFFICER, Role.SUPERVISOR}),
                 "write to referrers")
    if not body.strip():
        raise InvalidInput("the message is empty")
    unknown = ctx.config.guidance.unknown_indicators(list(indicators))
    if unknown:
        raise InvalidInput(f"unknown threshold indicator(s): {', '.join(unknown)}")
    with ctx.write() as session:
        contact = _load(session, contact_id)
        _check_version(session, contact, expected_version)
        check_access(actor, contact)
        email = (contact.referrer or {}).get("email")
        if contact.anonymous or not email:
            raise InvalidInput(f"{contact.reference} has no referrer email to write to; "
                               "record the reply by phone as a note instead")
        message = Message(contact_id=contact.id, kind=kind.value, direction="out",
                          recipient=email, body=body, author_id=actor.user_id,
                          created_at=ctx.now())
        session.add(message)
        contact.version += 1
        contact.changed_at, contact.changed_by_id = ctx.now(), actor.user_id
        session.flush()
        ctx.audit(session, actor, "send_reply", contact_id=contact.id,
                  data={"kind": kind.value, "template": template_id, "message_id": message.id,
                        "indicators": list(indicators)})
        outbox.enqueue(ctx, session, outbox.EMAIL, f"message:{message.id}",
                       {"to": email, "reference": contact.reference, "message_id": message.id},
                       contact_id=contact.id)
        ctx.changed(session, contact.id, "contact.message")
        return contact.version


def record_transfer(
    ctx: Context, actor: Actor, contact_id: int, episode_id: str
) -> int:
    """The case system accepted the contact: record its episode id."""
    with ctx.write() as session:
        contact = _load(session, contact_id)
        _move(ctx, session, actor, contact, "push", {"episode_id": episode_id},
              data={"episode_id": episode_id})
        return contact.version


# ---------------------------------------------------------------------------- ending, reopening


def withdraw(ctx: Context, actor: Actor, contact_id: int, reason: str,
             expected_version: int | None = None) -> int:
    return _with_reason(ctx, actor, contact_id, "withdraw", reason, expected_version)


def close_in_error(ctx: Context, actor: Actor, contact_id: int, reason: str,
                   expected_version: int | None = None) -> int:
    return _with_reason(ctx, actor, contact_id, "close_in_error", reason, expected_version)


def reopen(ctx: Context, actor: Actor, contact_id: int, reason: str,
           expected_version: int | None = None) -> int:
    """A supervisor reopens: a new statutory period starts; the old one keeps its result."""
    return _with_reason(ctx, actor, contact_id, "reopen", reason, expected_version)


def _with_reason(ctx: Context, actor: Actor, contact_id: int, edge: str, reason: str,
                 expected_version: int | None) -> int:
    with ctx.write() as session:
        contact = _load(session, contact_id)
        _check_version(session, contact, expected_version)
        _move(ctx, session, actor, contact, edge, {"reason": reason}, data={"reason": reason})
        return contact.version


# ---------------------------------------------------------------------------- notes and links


def add_note(ctx: Context, actor: Actor, contact_id: int, body: str) -> int:
    require_role(actor.role, frozenset({Role.SCREENING_OFFICER, Role.SUPERVISOR}), "add notes")
    if not body.strip():
        raise InvalidInput("the note is empty")
    with ctx.write() as session:
        contact = _load(session, contact_id)
        check_access(actor, contact)
        note = Note(contact_id=contact.id, body=body, author_id=actor.user_id,
                    created_at=ctx.now())
        session.add(note)
        session.flush()
        ctx.audit(session, actor, "add_note", contact_id=contact.id, data={"note_id": note.id})
        ctx.changed(session, contact.id, "contact.note")
        return note.id


def link_contacts(ctx: Context, actor: Actor, contact_id: int, other_id: int, reason: str) -> None:
    """Two contacts about the same child are linked, never merged."""
    require_role(actor.role, frozenset({Role.SCREENING_OFFICER, Role.SUPERVISOR}),
                 "link contacts")
    if contact_id == other_id:
        raise InvalidInput("a contact cannot be linked to itself")
    if not reason.strip():
        raise InvalidInput("say why the contacts are linked (e.g. same child)")
    low, high = sorted((contact_id, other_id))
    with ctx.write() as session:
        for cid in (low, high):
            contact = _load(session, cid)
            check_access(actor, contact)
        exists = session.execute(select(ContactLink.id).where(
            ContactLink.contact_id == low, ContactLink.other_contact_id == high)).first()
        if exists:
            raise InvalidInput("those contacts are already linked")
        session.add(ContactLink(contact_id=low, other_contact_id=high, reason=reason,
                                created_by_id=actor.user_id, created_at=ctx.now()))
        for cid, other in ((low, high), (high, low)):
            ctx.audit(session, actor, "link", contact_id=cid, data={"other": other,
                                                                     "reason": reason})
            ctx.changed(session, cid, "contact.link")


def open_contact(ctx: Context, actor: Actor, contact_id: int) -> Contact:
    """Read a contact for a person: checked against their rights and put on the audit trail."""
    require_role(actor.role, READERS | {Role.PARTNER}, "open contacts")
    with ctx.write() as session:
        contact = load_readable(session, actor, contact_id)
        ctx.audit(session, actor, "view_contact", contact_id=contact.id)
        _ = contact.people  # load while the session is open
        return contact


def attach(ctx: Context, actor: Actor, contact_id: int, filename: str, data: bytes) -> int:
    """Add a document to a contact: content to the blob store first, then the row."""
    from ffd_core.domain.attachments import check_attachment
    from ffd_core.store.blobs import BlobStore
    from ffd_core.store.tables import Attachment

    name, media_type = check_attachment(filename, data)
    with ctx.write() as session:
        contact = _load(session, contact_id)
        check_access(actor, contact)
        if actor.role not in (Role.SCREENING_OFFICER, Role.SUPERVISOR, Role.PARTNER):
            raise PermissionDenied(f"a {actor.role.label} may not attach documents")
        digest = BlobStore(ctx.settings.resolved_blob_dir).put(data)
        row = Attachment(contact_id=contact.id, filename=name, media_type=media_type,
                         size=len(data), sha256=digest, uploaded_by_id=actor.user_id,
                         uploaded_at=ctx.now())
        session.add(row)
        session.flush()
        ctx.audit(session, actor, "attach", contact_id=contact.id,
                  data={"attachment_id": row.id, "filename": name, "sha256": digest})
        ctx.changed(session, contact.id, "contact.attachment")
        return row.id


def read_attachment(ctx: Context, actor: Actor, attachment_id: int) -> tuple[str, str, bytes]:
    """Open a document: rights checked against its contact, and the read audited."""
    from ffd_core.store.blobs import BlobStore
    from ffd_core.store.tables import Attachment

    with ctx.write() as session:
        row = session.get(Attachment, attachment_id)
        if row is None:
            raise NotFound(f"no attachment with id {attachment_id}")
        contact = load_readable(session, actor, row.contact_id)
        ctx.audit(session, actor, "view_attachment", contact_id=contact.id,
                  data={"attachment_id": row.id})
        return row.filename, row.media_type, BlobStore(ctx.settings.resolved_blob_dir).get(row.sha256)
