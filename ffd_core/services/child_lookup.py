"""The restricted child look-up for registered partners, to help them make a referral:
exact name, date of birth and postcode; at most one child; the reason recorded; only what
the partner's agency kind may see (``lookup_agency_kinds``); every look-up audited and
limited per person (one mailbox, whatever its accounts) and per agency (all its people
together), so neither a second account nor many colleagues can trawl the index."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ffd_core.domain.access import Action, Actor, lookup_refusal
from ffd_core.errors import InvalidInput, PermissionDenied, RateLimited
from ffd_core.services.context import Context
from ffd_core.services.single_view import KnownChild, known_child
from ffd_core.services.web_accounts import mailbox_partners
from ffd_core.store.tables import Agency, AuditEvent, User

LOOKUP = "child_lookup"


def look_up(ctx: Context, actor: Actor, *, given_name: str, family_name: str,
            date_of_birth: date, postcode: str, reason: str) -> KnownChild | None:
    if not reason.strip():
        raise InvalidInput("Enter why you are looking this child up")
    if not (given_name.strip() and family_name.strip() and postcode.strip()):
        raise InvalidInput("Enter the child's first name, last name and postcode")
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.LOOK_UP_CHILD)
        kind = session.get(Agency, actor.agency_id).kind
        refusal = lookup_refusal(kind, tuple(ctx.settings.lookup_agency_kinds))
        if refusal:
            raise PermissionDenied(refusal)
        limited = _over_limit(ctx, session, actor)
        if limited is None:
            found = known_child(session, given_name, family_name, date_of_birth, postcode)
            ctx.audit(session, actor, LOOKUP, data={
                "reason": reason.strip()[:500], "given_name": given_name.strip(),
                "family_name": family_name.strip(), "date_of_birth": date_of_birth.isoformat(),
                "postcode": postcode.strip().upper(), "found": found is not None})
            return found
        # Refused, and on the audit trail (committed): a person or agency at its limit is
        # worth a supervisor's look. What they asked for is not searched, nor kept.
        ctx.audit(session, actor, "child_lookup_refused", data={"limit": limited[0]})
    raise RateLimited(limited[1])


def _over_limit(ctx: Context, session: Session, actor: Actor) -> tuple[str, str] | None:
    """Which hourly limit this look-up would pass ("person" or "agency") and what to tell
    the person, or None."""
    since = ctx.now() - timedelta(hours=1)
    per_person, per_agency = (ctx.settings.lookup_per_person_per_hour,
                              ctx.settings.lookup_per_agency_per_hour)
    user = session.get(User, actor.user_id)
    mine = {u.id for u in mailbox_partners(session, user.email)} if user.email else set()
    recent = session.execute(select(func.count(AuditEvent.seq)).where(
        AuditEvent.actor_id.in_(mine | {actor.user_id}), AuditEvent.action == LOOKUP,
        AuditEvent.at >= since)).scalar_one()
    if recent >= per_person:
        return "person", (f"You have looked up {per_person} children in the last hour; "
                          "wait, or call the front door")
    agency_recent = session.execute(select(func.count(AuditEvent.seq)).join(
        User, User.id == AuditEvent.actor_id).where(
        User.agency_id == actor.agency_id, AuditEvent.action == LOOKUP,
        AuditEvent.at >= since)).scalar_one()
    if agency_recent >= per_agency:
        return "agency", (f"Your organisation has looked up {per_agency} children in the last "
                          "hour, the most the front door allows; wait, or call the front door")
    return None
