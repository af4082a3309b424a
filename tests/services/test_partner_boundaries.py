"""What an independent review found partners could reach, each closed: a request for
information sent to someone else, contacts an officer typed in for their agency, a
restricted contact of their agency, text that is too long or not text (both backends)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from ffd_core.domain.contact import Referrer
from ffd_core.domain.vocab import AgencyKind, Channel, Role
from ffd_core.errors import InvalidInput, PermissionDenied
from ffd_core.services import (
    api_keys, contacts, deliveries, directory, ownership, referrer_view, screening,
)
from ffd_core.services.context import SYSTEM
from ffd_core.store.tables import AuditEvent
from tests.conftest import PASSWORD
from tests.factories import new_contact

TESS = "tess@hawthorn.sch.example"


def _claimed(ctx, people, **overrides) -> int:  # noqa: ANN001, ANN003
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now(), **overrides))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    return receipt.contact_id


def _ask(ctx, people, contact_id, recipient, message):  # noqa: ANN001, ANN202
    screening.request_information(ctx, people["olivia"], contact_id, recipient=recipient,
                                  message=message, chase_by=ctx.now() + timedelta(days=1))


def test_a_request_sent_to_someone_else_is_neither_shown_to_nor_answerable_by_the_referrer(
        ctx, people):
    contact_id = _claimed(ctx, people)
    _ask(ctx, people, contact_id, "health.visitor@bhc.nhs.example",
         "Mother disclosed a violent relationship. Please do not share with the school.")
    view = referrer_view.referrer_view(ctx, people["teacher"], contact_id)
    assert "violent relationship" not in repr(view)
    assert not view.may_reply and view.status_label == "Being looked at"
    [row] = referrer_view.my_referrals(ctx, people["teacher"]).rows
    assert not row.waiting_for_you and row.status_label == "Being looked at"
    with pytest.raises(PermissionDenied, match="not waiting for an answer from you"):
        screening.record_reply(ctx, people["teacher"], contact_id, "She is fine")
    # What the health visitor said, typed in by the officer, stays internal too.
    screening.record_reply(ctx, people["olivia"], contact_id, "HV: known to us since May",
                           sender="Health visitor")
    assert "known to us since May" not in repr(
        referrer_view.referrer_view(ctx, people["teacher"], contact_id))
    # A request to the referrer is theirs to read and answer.
    _ask(ctx, people, contact_id, TESS, "Has she said how it happened?")
    asked = referrer_view.referrer_view(ctx, people["teacher"], contact_id)
    assert asked.may_reply and asked.status_label == "More information needed"
    assert [m.body for m in asked.messages] == ["Has she said how it happened?"]
    screening.record_reply(ctx, people["teacher"], contact_id, "She said she fell.")
    assert referrer_view.referrer_view(ctx, people["teacher"], contact_id).messages[-1].body == \
        "She said she fell."


def test_a_reply_longer_than_eight_pages_or_with_control_characters_is_refused(ctx, people):
    contact_id = _claimed(ctx, people)
    _ask(ctx, people, contact_id, TESS, "Anything else?")
    with pytest.raises(InvalidInput, match="the most is 20,000"):
        screening.record_reply(ctx, people["teacher"], contact_id, "x" * 20_001)
    with pytest.raises(InvalidInput, match="U\\+001B"):
        screening.record_reply(ctx, people["teacher"], contact_id, "fine\x1b[2J")
    screening.record_reply(ctx, people["teacher"], contact_id, "Line one\nLine two\tand a tab")


@pytest.mark.parametrize("answer", ["a\x00b", "a\u202eb", "\x1b[31mred"])
def test_answers_with_control_or_invisible_characters_are_refused(ctx, people, answer):
    with pytest.raises(InvalidInput, match="contains U\\+"):
        contacts.submit(ctx, people["teacher"], new_contact(
            ctx.now(), answers={"what_happened": answer}))


def test_a_partner_system_sees_only_what_came_by_its_api_and_never_a_restricted_contact(
        ctx, people):
    police = directory.add_agency(ctx, SYSTEM, directory.AgencyInput(
        "Brackenshire Police", AgencyKind.POLICE, ("police.example",)))
    key = api_keys.create_key(ctx, SYSTEM, police, "niche")
    system = api_keys.actor_for_key(ctx, key)
    by_api = contacts.submit(ctx, system, replace(new_contact(ctx.now()), channel=Channel.API,
                                                  referrer=Referrer(name="PC Plod",
                                                                    email="pc@police.example")))
    typed_in = contacts.record_telephone_contact(ctx, people["olivia"], new_contact(
        ctx.now(), referrer=Referrer(agency_id=police, name="PC Plod")))
    restricted = contacts.submit(ctx, people["sam"], new_contact(
        ctx.now(), channel=Channel.API, restricted=True, restricted_reason="an officer's family",
        referrer=Referrer(agency_id=police, name="PC Plod")))
    seen = {r.id for r in referrer_view.my_referrals(ctx, system).rows}
    assert seen == {by_api.contact_id}
    for hidden in (typed_in.contact_id, restricted.contact_id):
        with pytest.raises(PermissionDenied):
            referrer_view.referrer_view(ctx, system, hidden)


def test_an_agency_wide_colleague_never_sees_a_restricted_contact_of_their_agency(ctx, people):
    directory.add_user(ctx, SYSTEM, directory.UserInput(
        "deputy", "Dan Deputy", Role.PARTNER, people["teacher"].agency_id, PASSWORD))
    deputy = directory.actor_by_username(ctx, "deputy")
    restricted = contacts.submit(ctx, people["sam"], new_contact(
        ctx.now(), restricted=True, restricted_reason="a teacher's own family",
        referrer=Referrer(agency_id=people["teacher"].agency_id, name="Head teacher")))
    assert referrer_view.my_referrals(ctx, deputy).total == 0
    with pytest.raises(PermissionDenied):
        referrer_view.referrer_view(ctx, deputy, restricted.contact_id)


def test_reading_the_outbox_is_audited(ctx, people):
    contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    deliveries.list_outbox(ctx, people["sam"])
    with ctx.read() as session:
        events = session.execute(select(AuditEvent).where(
            AuditEvent.action == "outbox_listed")).scalars().all()
    assert [e.actor_id for e in events] == [people["sam"].user_id]
