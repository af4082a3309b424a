"""A contact's child linked to the single view feeds the priority rules' facts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ffd_core.errors import InvalidInput, PermissionDenied
from ffd_core.search.records import SOCIAL_CARE, SourceRecord
from ffd_core.services import contacts, forms, ownership, person_index
from ffd_core.services import single_view as person_links
from ffd_core.services.context import SYSTEM
from ffd_core.services.contact_view import view_contact
from ffd_core.store.people_tables import SourceRecordRow
from tests.factories import child, new_contact


def _person(ctx, **details) -> str:  # noqa: ANN003
    record = SourceRecord(source=SOCIAL_CARE, source_id="FI-1", given_name="Maisie",
                          family_name="Thompson", date_of_birth=date(2020, 3, 14),
                          postcode="BK4 7QT", details=details)
    person_index.import_records(ctx, SYSTEM, [record])
    person_index.relink(ctx, SYSTEM)
    with ctx.read() as session:
        return session.execute(select(SourceRecordRow.person_id)).scalar_one()


def test_linked_child_brings_open_case_and_repeat_contacts_to_the_rules(ctx, people):
    person_id = _person(ctx, open_episodes=["child_in_need"], allocated_worker="Chloe Price")
    officer = people["olivia"]
    receipts = []
    for days_ago in (60, 30, 0):
        ctx.clock.set(ctx.now() - timedelta(days=days_ago)) if days_ago else None
        receipts.append(contacts.submit(ctx, people["teacher"], new_contact(ctx.now())))
        ctx.clock.advance(days=days_ago)
    latest = view_contact(ctx, officer, receipts[-1].contact_id)
    before = forms.suggestion_for(ctx, latest)
    assert {r.rule_id if hasattr(r, "rule_id") else r for r in before.inactive}  # facts unknown yet
    for receipt in receipts:
        child_id = view_contact(ctx, officer, receipt.contact_id).children[0].id
        person_links.link_child(ctx, officer, child_id, person_id)
    after = forms.suggestion_for(ctx, view_contact(ctx, officer, receipts[-1].contact_id))
    assert not after.inactive
    assert after.priority < before.priority  # the third contact in three months raises it
    assert after.routes  # open to social care: route to the allocated worker's team
    assert person_links.recent_contacts(ctx, person_id, 91) == 3


def test_linking_is_for_officers_and_to_known_people(ctx, people):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now(), children=(child(),)))
    child_id = view_contact(ctx, people["olivia"], receipt.contact_id).children[0].id
    with pytest.raises(PermissionDenied):
        person_links.link_child(ctx, people["wendy"], child_id, "P0000")
    with pytest.raises(InvalidInput, match="no person"):
        person_links.link_child(ctx, people["olivia"], child_id, "P0000")
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
