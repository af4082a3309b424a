"""What independent reviews found partners could reach, each closed: a request for
information sent to someone else, contacts an officer typed in for their agency, a
restricted contact of their agency, text that is too long or not text; registering into an
agency that is not theirs, second accounts and tagged addresses around the limits, and a
referrer email that sends the child's news to a third party (both backends)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ffd_core.domain.contact import Referrer
from ffd_core.domain.vocab import AgencyKind, Channel, Role
from ffd_core.errors import InvalidInput, PermissionDenied, RateLimited, ReferrerEmailRefused
from ffd_core.services import (
    api_keys, child_lookup, contacts, deliveries, directory, ownership, referrer_view, screening,
    web_accounts, web_messages,
)
from ffd_core.services.context import SYSTEM
from ffd_core.store.tables import Agency, AuditEvent, Contact, OutboxMessage
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


# --- a second review: accounts, look-ups and the referrer's email ------------------------


def _mail_to(ctx, address: str) -> list[str]:  # noqa: ANN001
    """Subjects of the emails queued for exactly this address (opened with the mail key,
    as the worker that sends them does)."""
    with ctx.read() as session:
        rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    return [web_messages.opened(ctx, r.idempotency_key, r.payload)["subject"]
            for r in rows if r.payload.get("to") == address]


def _events(ctx, action: str) -> list[AuditEvent]:  # noqa: ANN001
    with ctx.read() as session:
        return session.execute(select(AuditEvent).where(AuditEvent.action == action)
                               .order_by(AuditEvent.seq)).scalars().all()


def test_registration_joins_only_the_one_partner_agency_that_lists_the_domain(ctx, people):
    # The council's own front door (its kind) is staff: nobody registers into it.
    with pytest.raises(InvalidInput, match="this service is for organisations") as unknown:
        web_accounts.start_registration(ctx, "someone@nowhere.example", "Some One")
    with pytest.raises(InvalidInput) as staff:
        web_accounts.start_registration(ctx, "new.starter@brackenshire.gov.example", "New Starter")
    assert str(staff.value) == str(unknown.value)  # nothing to tell the two apart
    # So is an agency that holds a staff account, whatever its kind.
    yjs = directory.add_agency(ctx, SYSTEM, directory.AgencyInput(
        "Youth Justice Service", AgencyKind.COUNCIL_INTERNAL, ("yjs.example",)))
    directory.add_user(ctx, SYSTEM, directory.UserInput(
        "yusuf", "Yusuf Worker", Role.SOCIAL_WORKER, yjs, PASSWORD, "yusuf@yjs.example"))
    with pytest.raises(InvalidInput, match="this service is for organisations"):
        web_accounts.start_registration(ctx, "colleague@yjs.example", "A Colleague")
    # A domain two agencies list (a store from before agencies had to differ) joins neither.
    trust = directory.add_agency(ctx, SYSTEM, directory.AgencyInput(
        "Hawthorn Learning Trust", AgencyKind.EDUCATION_SERVICE, ("trust.example",)))
    web_accounts.start_registration(ctx, "nina@hawthorn.sch.example", "Nina Nurse")
    assert _mail_to(ctx, "nina@hawthorn.sch.example") == ["Confirm your email address"]
    with ctx.write() as session:  # as an older store may hold it
        session.get(Agency, trust).email_domains = ["trust.example", "hawthorn.sch.example"]
    with pytest.raises(InvalidInput, match="this service is for organisations"):
        web_accounts.start_registration(ctx, "ned@hawthorn.sch.example", "Ned Newman")
    for address in ("new.starter@brackenshire.gov.example", "colleague@yjs.example",
                    "ned@hawthorn.sch.example"):
        assert _mail_to(ctx, address) == []
    refused = [e.data for e in _events(ctx, "web_register_refused")]
    assert [r["domain"] for r in refused] == ["brackenshire.gov.example", "yjs.example",
                                             "hawthorn.sch.example"]
    assert "staff agency" in refused[0]["why"] and "staff agency" in refused[1]["why"]
    assert "Hawthorn Learning Trust" in refused[2]["why"] and "Hawthorn Primary" in refused[2]["why"]
    # Nina's link, sent before the overlap, no longer makes an account either.
    with ctx.read() as session:
        [mail] = [web_messages.opened(ctx, m.idempotency_key, m.payload)
                  for m in session.execute(select(OutboxMessage)).scalars()
                  if m.payload.get("to") == "nina@hawthorn.sch.example"]
    token = re.search(r"/register/confirm/(\S+)", mail["text"]).group(1)
    with pytest.raises(PermissionDenied, match="ask the front door"):
        web_accounts.complete_registration(ctx, token, "a long enough password")


def test_an_agency_may_not_list_a_domain_another_agency_lists(ctx, tmp_path):
    with pytest.raises(InvalidInput, match="hawthorn.sch.example is already listed by "
                                           "'Hawthorn Primary School'.*ffd user add"):
        directory.add_agency(ctx, SYSTEM, directory.AgencyInput(
            "Hawthorn Learning Trust", AgencyKind.EDUCATION_SERVICE, ("Hawthorn.sch.example",)))
    rows = tmp_path / "agencies.csv"
    rows.write_text("name,kind,email_domains\nElm Tree Surgery,gp_practice,elmtree.example\n"
                    "Elm Tree Pharmacy,other_health,pharmacy.example elmtree.example\n")
    with pytest.raises(InvalidInput, match="elmtree.example is already listed by 'Elm Tree Surgery'"):
        directory.import_agencies(ctx, SYSTEM, rows)
    assert [a.name for a in directory.list_agencies(ctx, SYSTEM)] == [
        "Brackenshire Family Front Door", "Hawthorn Primary School"]  # all or nothing


def test_an_agency_that_moves_domain_registers_from_the_new_one_only(ctx, people):
    school = next(a.id for a in directory.list_agencies(ctx, SYSTEM) if a.name == "Hawthorn Primary School")
    domains = directory.change_agency_domains(ctx, SYSTEM, school, add=["@Hawthorn.Academy.example"],
                                              remove=["hawthorn.sch.example"])
    assert domains == ("hawthorn.academy.example",)
    with pytest.raises(InvalidInput, match="organisations the front door has approved"):
        web_accounts.start_registration(ctx, "nina@hawthorn.sch.example", "Nina Nurse")
    web_accounts.start_registration(ctx, "ned@hawthorn.academy.example", "Ned Newman")
    assert _mail_to(ctx, "nina@hawthorn.sch.example") == []
    assert _mail_to(ctx, "ned@hawthorn.academy.example") == ["Confirm your email address"]
    [change] = _events(ctx, "agency_domains_change")
    assert change.subject == f"agency:{school}" and change.data == {
        "added": ["hawthorn.academy.example"], "removed": ["hawthorn.sch.example"],
        "domains": ["hawthorn.academy.example"]}


def test_changing_domains_is_refused_whole_when_any_part_is_wrong(ctx, people):
    school = next(a.id for a in directory.list_agencies(ctx, SYSTEM) if a.name == "Hawthorn Primary School")
    front_door = next(a.id for a in directory.list_agencies(ctx, SYSTEM) if a.name != "Hawthorn Primary School")
    directory.change_agency_domains(ctx, SYSTEM, front_door, add=["trust.example"])
    for add, remove, why in ((["trust.example"], [], "trust.example is already listed by"),
                             (["not a domain"], ["hawthorn.sch.example"], "is not an email domain"),
                             ([], ["elsewhere.example"], "does not list elsewhere.example")):
        with pytest.raises(InvalidInput, match=why):
            directory.change_agency_domains(ctx, SYSTEM, school, add=add, remove=remove)
    for not_allowed in (people["olivia"], people["wendy"], people["teacher"]):
        with pytest.raises(PermissionDenied):
            directory.change_agency_domains(ctx, not_allowed, school, add=["new.example"])
    assert [a.email_domains for a in directory.list_agencies(ctx, SYSTEM) if a.id == school] == [
        ["hawthorn.sch.example"]]
    assert len(_events(ctx, "agency_domains_change")) == 1  # the front door's, only


def test_one_mailbox_is_one_person_for_accounts_and_the_emails_sent_to_it(ctx, people):
    # An account at tess@ is the account of Tess+2@ too: the notice goes where it was typed.
    web_accounts.start_registration(ctx, "Tess+2@Hawthorn.sch.example", "Tess Again")
    assert _mail_to(ctx, "tess+2@hawthorn.sch.example") == ["You already have an account"]
    # Five registration emails to one mailbox in 15 minutes, however the address is dressed.
    for n in range(1, 6):
        web_accounts.start_registration(ctx, f"nina+{n}@hawthorn.sch.example", "Nina Nurse")
    web_accounts.start_registration(ctx, "NINA+6@hawthorn.sch.example", "Nina Nurse")
    web_accounts.start_registration(ctx, "nina@hawthorn.sch.example", "Nina Nurse")
    assert _mail_to(ctx, "nina+6@hawthorn.sch.example") == _mail_to(ctx, "nina@hawthorn.sch.example") == []
    # Sign-in codes and reset links count per mailbox too, across accounts an older store holds.
    directory.add_user(ctx, SYSTEM, directory.UserInput(
        "tess.old", "Tess Teacher", Role.PARTNER, people["teacher"].agency_id, PASSWORD,
        "Tess+old@hawthorn.sch.example"))
    for _ in range(5):
        web_accounts.start_sign_in(ctx, TESS, PASSWORD)
    with pytest.raises(PermissionDenied, match="Too many codes"):
        web_accounts.start_sign_in(ctx, "tess+old@hawthorn.sch.example", PASSWORD)
    for _ in range(5):
        web_accounts.request_password_reset(ctx, TESS)
    web_accounts.request_password_reset(ctx, "tess+old@hawthorn.sch.example")
    assert _mail_to(ctx, "tess+old@hawthorn.sch.example") == []
    assert _mail_to(ctx, TESS).count("Reset your password") == 5


def _look_up(ctx, actor):  # noqa: ANN001, ANN202
    return child_lookup.look_up(ctx, actor, given_name="Maisie", family_name="Thompson",
                                date_of_birth=date(2020, 3, 14), postcode="BK1 2AB",
                                reason="Deciding whether to refer")


def test_look_ups_are_limited_per_mailbox_and_per_agency(ctx, people, clock):
    ctx.settings = replace(ctx.settings, lookup_per_person_per_hour=3, lookup_per_agency_per_hour=5)
    school = people["teacher"].agency_id
    for username, email in (("tess.old", "TESS+old@hawthorn.sch.example"),
                            ("deputy", "dan@hawthorn.sch.example")):
        directory.add_user(ctx, SYSTEM, directory.UserInput(
            username, username.title(), Role.PARTNER, school, PASSWORD, email))
    tess_old, deputy = (directory.actor_by_username(ctx, u) for u in ("tess.old", "deputy"))
    for _ in range(3):
        _look_up(ctx, people["teacher"])
    with pytest.raises(RateLimited, match="You have looked up 3 children"):
        _look_up(ctx, tess_old)  # a second account at the same mailbox is the same person
    _look_up(ctx, deputy)
    _look_up(ctx, deputy)
    with pytest.raises(RateLimited, match="Your organisation has looked up 5 children"):
        _look_up(ctx, deputy)  # the school as a whole has had its hour's share
    police = directory.add_agency(ctx, SYSTEM, directory.AgencyInput(
        "Brackenshire Police", AgencyKind.POLICE, ("police.example",)))
    directory.add_user(ctx, SYSTEM, directory.UserInput(
        "pc", "PC Plod", Role.PARTNER, police, PASSWORD, "pc@police.example"))
    _look_up(ctx, directory.actor_by_username(ctx, "pc"))  # another agency: its own share
    assert [e.data["limit"] for e in _events(ctx, "child_lookup_refused")] == ["person", "agency"]
    assert len(_events(ctx, "child_lookup")) == 6
    clock.advance(hours=1, minutes=1)
    _look_up(ctx, deputy)


def test_a_partner_gives_only_their_own_email_and_a_system_only_its_agencys(ctx, people):
    def sent_by(actor, email: str):  # noqa: ANN001, ANN202
        new = new_contact(ctx.now())
        return contacts.submit(ctx, actor, replace(new, referrer=replace(new.referrer, email=email)))

    # The front door would write about the child to this address: not a third party's.
    with pytest.raises(ReferrerEmailRefused, match="Enter your own work email address"):
        sent_by(people["teacher"], "kerry.thompson@mail.example")
    with pytest.raises(ReferrerEmailRefused):
        sent_by(people["teacher"], "tess+cc@hawthorn.sch.example")  # maybe someone else's box
    assert _mail_to(ctx, "kerry.thompson@mail.example") == []
    assert sent_by(people["teacher"], "TESS@hawthorn.sch.example").reference
    empty = sent_by(people["teacher"], "")  # none given: their own
    with ctx.read() as session:
        assert session.get(Contact, empty.contact_id).referrer["email"] == TESS
    # A partner system writes for its agency: an address at one of the agency's domains.
    police = directory.add_agency(ctx, SYSTEM, directory.AgencyInput(
        "Brackenshire Police", AgencyKind.POLICE, ("police.example", "mash.police.example")))
    system = api_keys.actor_for_key(ctx, api_keys.create_key(ctx, SYSTEM, police, "niche"))
    assert sent_by(system, "pc.reed@mash.police.example").reference
    for elsewhere in ("kerry.thompson@mail.example", "pc@police.example.mail.example"):
        with pytest.raises(ReferrerEmailRefused, match=r"\(mash.police.example, police.example\)"):
            sent_by(system, elsewhere)
    # Staff record what a caller gave them.
    assert sent_by(people["olivia"], "kerry.thompson@mail.example").reference
