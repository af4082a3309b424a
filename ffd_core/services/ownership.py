"""Who holds a contact: claim, take next, release, allocate, take over."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from ffd_core.clock import format_uk_datetime
from ffd_core.domain.access import Action, Actor
from ffd_core.domain.vocab import Role, Status
from ffd_core.errors import AlreadyClaimed, FFDError, InvalidInput, NothingToTake, NotFound
from ffd_core.services.contact_write import begin, check_version, load, move, stamp
from ffd_core.services.context import Context
from ffd_core.services.visibility import visible_to
from ffd_core.store.engine import is_postgres
from ffd_core.store.tables import Contact, User

ALLOCATABLE = frozenset({Role.SCREENING_OFFICER, Role.SUPERVISOR})


def claim(ctx: Context, actor: Actor, contact_id: int, expected_version: int | None = None) -> int:
    """Become the contact's owner. Two officers at once: exactly one wins."""
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, "claim")
        if contact.owner_id is not None and contact.owner_id != actor.user_id:
            owner = session.get(User, contact.owner_id)
            raise AlreadyClaimed(
                f"{contact.reference} was claimed by {owner.display_name if owner else 'someone'} "
                f"at {format_uk_datetime(contact.changed_at)}; take next instead"
            )
        check_version(session, contact, expected_version)
        move(ctx, session, actor, contact, "claim", {}, data={"owner_id": actor.user_id})
        contact.owner_id = actor.user_id
        return contact.version


def take_next(ctx: Context, actor: Actor) -> tuple[int, str, int]:
    """Claim the most urgent unallocated contact the officer may see: priority first, then
    earliest due."""
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.TAKE_NEXT)
        query = (
            select(Contact.id)
            .where(Contact.status == Status.RECEIVED.value, Contact.owner_id.is_(None),
                   visible_to(actor))
            .order_by(Contact.priority, Contact.due_at, Contact.received_at, Contact.id)
            .limit(1)
        )
        if is_postgres(session.get_bind()):
            # Two officers pressing "take next" together get different contacts.
            query = query.with_for_update(of=Contact, skip_locked=True)
        contact_id = session.execute(query).scalar_one_or_none()
        if contact_id is None:
            raise NothingToTake("nothing is waiting: every contact has an owner")
        actor, contact = begin(ctx, session, actor, contact_id, "claim")
        move(ctx, session, actor, contact, "claim", {},
             data={"owner_id": actor.user_id, "via": "take_next"})
        contact.owner_id = actor.user_id
        return stamp(contact)


def release(ctx: Context, actor: Actor, contact_id: int, expected_version: int | None = None) -> int:
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, "release", expected_version)
        move(ctx, session, actor, contact, "release", {}, data={"owner_id": None})
        contact.owner_id = None
        return contact.version


def allocate(
    ctx: Context, actor: Actor, contact_id: int, owner_id: int, reason: str = "",
    expected_version: int | None = None,
) -> int:
    """A supervisor gives a contact to an officer (reallocating needs a reason)."""
    with ctx.write() as session:
        return _allocate(ctx, session, actor, contact_id, owner_id, reason, expected_version)


def _allocate(ctx: Context, session, actor: Actor, contact_id: int, owner_id: int,  # noqa: ANN001
              reason: str, expected_version: int | None) -> int:
    edge = "allocate" if load(session, contact_id).status == Status.RECEIVED.value \
        else "reallocate"
    actor, contact = begin(ctx, session, actor, contact_id, edge, expected_version)
    owner = session.get(User, owner_id)
    if owner is None or not owner.active:
        raise NotFound(f"no active user with id {owner_id}")
    if Role(owner.role) not in ALLOCATABLE:
        raise InvalidInput(f"{owner.display_name} is a {Role(owner.role).label} and cannot be "
                           "given contacts; choose a screening officer or a supervisor")
    move(ctx, session, actor, contact, edge, {"owner": owner_id, "reason": reason},
         data={"owner_id": owner_id, "previous_owner_id": contact.owner_id, "reason": reason})
    contact.owner_id = owner_id
    return contact.version


@dataclass(frozen=True)
class AllocationResult:
    contact_id: int
    version: int | None  # the new version, or None when this one was refused
    error: str | None


def allocate_many(
    ctx: Context, actor: Actor, items: Sequence[tuple[int, int | None]], owner_id: int,
    reason: str = "",
) -> list[AllocationResult]:
    """Reallocate several contacts at once: each (contact id, version seen) succeeds or is
    refused on its own, with the reason, and every success is its own transaction so one
    stale row does not undo the rest."""
    results = []
    for contact_id, version in items:
        try:
            new_version = allocate(ctx, actor, contact_id, owner_id, reason, version)
        except FFDError as error:
            results.append(AllocationResult(contact_id, None, str(error)))
        else:
            results.append(AllocationResult(contact_id, new_version, None))
    return results


def take_over(
    ctx: Context, actor: Actor, contact_id: int, reason: str, expected_version: int | None = None
) -> int:
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, "take_over", expected_version)
        move(ctx, session, actor, contact, "take_over", {"reason": reason},
             data={"owner_id": actor.user_id, "previous_owner_id": contact.owner_id,
                   "reason": reason})
        contact.owner_id = actor.user_id
        return contact.version
