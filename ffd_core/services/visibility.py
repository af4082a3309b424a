"""The access policy's visibility rule as a query predicate, for list reads: what a person
may not see is never loaded, counted or paged. The rule itself lives in
``ffd_core.domain.access.Visibility``; this is its translation, term for term."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true

from ffd_core.domain.access import API_CHANNEL, Actor, contact_visibility
from ffd_core.store.tables import Contact


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """Contacts the actor may see (the actor as resolved by ``Context.resolve``)."""
    rule = contact_visibility(actor)
    if rule.everything:
        return true()
    terms = []
    if rule.unrestricted:
        terms.append(Contact.restricted.is_(False))
    if rule.owner_id is not None:
        terms.append(Contact.owner_id == rule.owner_id)
    if rule.referrer_user_id is not None:
        terms.append(Contact.referrer_user_id == rule.referrer_user_id)
    if rule.referrer_agency_id is not None:
        terms.append(and_(Contact.referrer_agency_id == rule.referrer_agency_id,
                          Contact.restricted.is_(False)))
    if rule.system_agency_id is not None:
        terms.append(and_(Contact.referrer_user_id.is_(None),
                          Contact.referrer_agency_id == rule.system_agency_id,
                          Contact.channel == API_CHANNEL, Contact.restricted.is_(False)))
    return or_(*terms) if terms else false()
