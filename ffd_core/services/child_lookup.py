"""The restricted child look-up for registered partners, to help them make a referral:
exact name, date of birth and postcode; at most one child; the reason recorded; only what
the partner's agency kind may see (``lookup_agency_kinds``); every look-up audited and
limited per person."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from ffd_core.domain.access import Action, Actor, lookup_refusal
from ffd_core.errors import InvalidInput, PermissionDenied
from ffd_core.services.context import Context
from ffd_core.services.single_view import KnownChild, known_child
from ffd_core.store.tables import Agency, AuditEvent

PER_HOUR = 20  # a safeguarding lead making referrals needs a handful; more is a trawl


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
        recent = session.execute(select(func.count(AuditEvent.seq)).where(
            AuditEvent.actor_id == actor.user_id, AuditEvent.action == "child_lookup",
            AuditEvent.at >= ctx.now() - timedelta(hours=1))).scalar_one()
        if recent >= PER_HOUR:
            raise PermissionDenied(f"You have looked up {PER_HOUR} children in the last hour; "
                                   "wait, or call the front door")
        found = known_child(session, given_name, family_name, date_of_birth, postcode)
        ctx.audit(session, actor, "child_lookup", data={
            "reason": reason.strip()[:500], "given_name": given_name.strip(),
            "family_name": family_name.strip(), "date_of_birth": date_of_birth.isoformat(),
            "postcode": postcode.strip().upper(), "found": found is not None})
        return found
