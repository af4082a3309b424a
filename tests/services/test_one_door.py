"""The holes a review found in the services before partners could reach them, each closed
and tested through the real services (both backends)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from ffd_core.clock import UK
from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.referrer import ReferrerStatus
from ffd_core.domain.vocab import AgencyKind, LevelOfNeed, MessageKind, Outcome, Priority, Role
from ffd_core.errors import (
    AccountDisabled, IdempotencyConflict, InvalidInput, PermissionDenied,
)
from ffd_core.services import (
    contact_view, contacts, decisions, directory, messages, notes, ownership, queue,
    referrer_view, screening, sessions,
)
from ffd_core.services.context import SYSTEM
from ffd_core.store.tables import AuditEvent, Contact, Message, OutboxMessage
from tests.conftest import PASSWORD
from tests.factories import child, new_contact

NFA = ChildDecision(Outcome.NO_FURTHER_ACTION, "Accident explained; school to monitor.",
                    level_of_need=LevelOfNeed.UNIVERSAL)
REFER = ChildDecision(Outcome.SOCIAL_CARE_REFERRAL, "Unexplained injury to a young child.",
                      level_of_need=LevelOfNeed.ACUTE, primary_need="N1", indicators=("L4-CD-01",))


def _row(ctx, contact_id) -> Contact:
    with ctx.read() as session:
        return session.get(Contact, contact_id)


def _outcome_emails(ctx, contact_id) -> list[dict]:
    with ctx.read() as session:
        return [m.payload for m in session.execute(select(OutboxMessage).where(
            OutboxMessage.contact_id == contact_id,
            OutboxMessage.idempotency_key.like("outcome:%"))).scalars()]


def _body(ctx, message_id) -> str:
    with ctx.read() as session:
        return session.get(Message, message_id).body


# --- a partner's view ---------------------------------------------------------------


def test_a_partner_sees_the_referrers_view_never_the_staff_view(ctx, people):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    notes.add_note(ctx, people["olivia"], receipt.contact_id, "Dad known to police: do not share")
    screening.request_information(ctx, people["olivia"], receipt.contact_id,
                                  recipient="tess@hawthorn.sch.example",
                                  message="Has she said how it happened?",
                                  chase_by=ctx.now() + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        contact_view.view_contact(ctx, people["teacher"], receipt.contact_id)
    view = referrer_view.referrer_view(ctx, people["teacher"], receipt.contact_id)
    assert view.status is ReferrerStatus.MORE_INFORMATION_NEEDED and view.may_reply
    assert [m.body for m in view.messages] == ["Has she said how it happened?"]
    fields = set(vars(view))
    assert not fields & {"notes", "history", "decisions", "links", "owner", "priority"}
    assert "Dad known to police" not in repr(view)
    screening.record_reply(ctx, people["teacher"], receipt.contact_id, "She said she fell.")
    assert _row(ctx, receipt.contact_id).status == "screening"
    decisions.decide(ctx, people["olivia"], receipt.contact_id, same_for_all=REFER)
    decided = referrer_view.referrer_view(ctx, people["teacher"], receipt.contact_id)
    assert decided.status_label == "Decided"
    assert decided.children[0].outcome == "Referred to children's social care"
    assert "Unexplained injury" not in repr(decided)  # the rationale stays internal


@pytest.mark.parametrize(("status", "label"), [
    ("received", "Received"), ("screening", "Being looked at"),
    ("awaiting_sign_off", "Being looked at"), ("withdrawn", "Closed (withdrawn)"),
])
def test_the_referrer_sees_status_in_their_own_words(ctx, people, status, label):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    if status != "received":
        ownership.claim(ctx, people["olivia"], receipt.contact_id)
    if status == "awaiting_sign_off":
        decisions.decide(ctx, people["olivia"], receipt.contact_id, same_for_all=NFA)
    if status == "withdrawn":
        screening.withdraw(ctx, people["teacher"], receipt.contact_id, "sent to the wrong team")
    assert referrer_view.referrer_view(ctx, people["teacher"], receipt.contact_id).status_label == label


# --- the outcome the referrer is sent -------------------------------------------------


def test_a_returned_decisions_reply_is_never_sent(ctx, people):
    """NFA with a rejection, returned by the supervisor, re-decided as a referral: the
    referrer hears the referral, not the superseded rejection."""
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    cid = receipt.contact_id
    ownership.claim(ctx, people["olivia"], cid)
    decisions.decide(ctx, people["olivia"], cid, same_for_all=NFA,
                     reply=("rejection.below_threshold", "Below threshold: no further action."))
    assert _outcome_emails(ctx, cid) == []  # held until sign-off
    decisions.return_for_rework(ctx, people["sam"], cid, "Second bruise this term")
    decisions.decide(ctx, people["olivia"], cid, same_for_all=REFER)
    [email] = _outcome_emails(ctx, cid)
    assert email.get("outcomes") == ["social_care_referral"]
    assert "Below threshold" not in _body(ctx, email["message_id"])
    assert referrer_view.referrer_view(ctx, people["teacher"], cid).messages[-1].body != \
        "Below threshold: no further action."


def test_an_earlier_message_is_not_taken_for_the_outcome(ctx, people):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    cid = receipt.contact_id
    ownership.claim(ctx, people["olivia"], cid)
    messages.send_reply(ctx, people["olivia"], cid, kind=MessageKind.OUTCOME,
                        body="We are looking at this today.")
    decisions.decide(ctx, people["olivia"], cid, same_for_all=REFER)
    [email] = _outcome_emails(ctx, cid)
    assert email["template"] == "outcome"
    assert _body(ctx, email["message_id"]) != "We are looking at this today."


def test_the_reply_chosen_with_the_final_decision_is_sent(ctx, people):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    cid = receipt.contact_id
    ownership.claim(ctx, people["olivia"], cid)
    decisions.decide(ctx, people["olivia"], cid, same_for_all=NFA,
                     reply=("rejection.below_threshold", "Below threshold: no further action."))
    decisions.approve(ctx, people["sam"], cid)
    [email] = _outcome_emails(ctx, cid)
    assert _body(ctx, email["message_id"]) == "Below threshold: no further action."


# --- what a partner's submission may say ---------------------------------------------


def test_a_partner_cannot_choose_time_priority_restriction_or_who_referred(ctx, people):
    """An "anonymous", priority-1, restricted contact received four days ago under another
    agency's user: stored as the partner's own, received now, at the rules' priority."""
    olivia = people["olivia"]
    forged = new_contact(ctx.now() - timedelta(days=4), priority=Priority.IMMEDIATE,
                         restricted=True, restricted_reason="hide it",
                         category="neglect", answers={"what_happened": "Often hungry."})
    forged = replace(forged, referrer=replace(forged.referrer, user_id=olivia.user_id,
                                              agency_id=olivia.agency_id))
    receipt = contacts.submit(ctx, people["teacher"], forged)
    row = _row(ctx, receipt.contact_id)
    assert row.received_at == ctx.now() and not row.restricted
    assert row.referrer_user_id == people["teacher"].user_id
    assert row.referrer_agency_id == people["teacher"].agency_id
    assert row.priority == Priority.STANDARD and row.priority_reason != "hide it"
    assert referrer_view.referrer_view(ctx, people["teacher"], receipt.contact_id)
    with pytest.raises(InvalidInput, match="cannot refer anonymously"):
        contacts.submit(ctx, people["teacher"], new_contact(ctx.now(), anonymous=True))


def test_staff_recording_a_call_may_say_when_it_arrived(ctx, people):
    earlier = ctx.now() - timedelta(hours=2)
    receipt = contacts.record_telephone_contact(ctx, people["olivia"], new_contact(earlier))
    assert _row(ctx, receipt.contact_id).received_at == earlier


# --- idempotency keys belong to the submitting agency --------------------------------


def test_idempotency_keys_are_the_submitting_agencys_own(ctx, people):
    police = directory.add_agency(ctx, SYSTEM, directory.AgencyInput(
        "Brackenshire Police", AgencyKind.POLICE, ("police.example",)))
    directory.add_user(ctx, SYSTEM, directory.UserInput(
        "pc", "PC Plod", Role.PARTNER, police, PASSWORD, "pc@police.example"))
    pc = directory.actor_by_username(ctx, "pc")
    school = contacts.submit(ctx, people["teacher"], new_contact(ctx.now(), idempotency_key="77"))

    def from_pc(**changes):  # noqa: ANN003, ANN202 - the constable gives their own email
        new = new_contact(ctx.now(), idempotency_key="77", **changes)
        return replace(new, referrer=replace(new.referrer, email="pc@police.example"))

    mine = contacts.submit(ctx, pc, from_pc())
    assert not mine.duplicate and mine.reference != school.reference
    again = contacts.submit(ctx, pc, from_pc())
    assert again.duplicate and again.reference == mine.reference
    with pytest.raises(IdempotencyConflict, match="different content"):
        contacts.submit(ctx, pc, from_pc(children=(child("Other", "Child"),)))


# --- restricted contacts never leak through lists --------------------------------------


def test_a_restricted_contact_is_absent_from_filters_counts_and_links(ctx, people):
    hidden = contacts.submit(ctx, people["sam"], new_contact(
        ctx.now(), restricted=True, restricted_reason="a colleague's family",
        children=(child("Zara", "Quill"),)))
    open_one = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    notes.link_contacts(ctx, people["sam"], open_one.contact_id, hidden.contact_id, "same family")
    olivia = people["olivia"]
    assert queue.holding_area(ctx, olivia, queue.View.ALL, text="quill").total == 0
    assert queue.counters(ctx, olivia).unallocated == 1
    assert queue.counters(ctx, people["sam"]).unallocated == 2
    view = contact_view.view_contact(ctx, olivia, open_one.contact_id)
    assert view.links == [] and view.hidden_links == 1
    assert hidden.reference not in repr(view)
    with pytest.raises(InvalidInput, match="no contact"):
        notes.link_by_reference(ctx, olivia, open_one.contact_id, hidden.reference, "guess")


# --- agency-wide and per-person partners ----------------------------------------------


def test_a_schools_safeguarding_leads_share_its_referrals_a_police_forces_do_not(ctx, people):
    school = people["teacher"].agency_id
    directory.add_user(ctx, SYSTEM, directory.UserInput(
        "deputy", "Dan Deputy", Role.PARTNER, school, PASSWORD, "dan@hawthorn.sch.example"))
    deputy = directory.actor_by_username(ctx, "deputy")
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    screening.request_information(ctx, people["olivia"], receipt.contact_id,
                                  recipient="tess@hawthorn.sch.example", message="More?",
                                  chase_by=ctx.now() + timedelta(days=1))
    screening.record_reply(ctx, deputy, receipt.contact_id, "Tess is off today; she fell at PE.")
    assert [r.id for r in referrer_view.my_referrals(ctx, deputy).rows] == [receipt.contact_id]
    ctx.settings = replace(ctx.settings, agency_wide_kinds=())  # e.g. a council that chose so
    with pytest.raises(PermissionDenied):
        referrer_view.referrer_view(ctx, deputy, receipt.contact_id)
    assert referrer_view.my_referrals(ctx, deputy).total == 0


# --- accounts ----------------------------------------------------------------------------


def test_a_disabled_account_loses_access_on_its_next_call(ctx, people):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    olivia = people["olivia"]  # an open console holds this actor
    assert queue.holding_area(ctx, olivia).total == 1
    directory.disable_user(ctx, people["ada"], "olivia")
    for call in (lambda: queue.holding_area(ctx, olivia),
                 lambda: queue.counters(ctx, olivia),
                 lambda: ownership.claim(ctx, olivia, receipt.contact_id),
                 lambda: contact_view.view_contact(ctx, olivia, receipt.contact_id)):
        with pytest.raises(AccountDisabled):
            call()
    assert _row(ctx, receipt.contact_id).owner_id is None


def test_signing_out_and_locking_are_on_the_audit_trail(ctx, people):
    olivia = people["olivia"]
    sessions.lock(ctx, olivia, idle=True)
    assert sessions.unlock(ctx, olivia, PASSWORD).user_id == olivia.user_id
    with pytest.raises(PermissionDenied):
        sessions.unlock(ctx, olivia, "not the password")
    sessions.sign_out(ctx, olivia)
    with ctx.read() as session:
        actions = session.execute(select(AuditEvent.action).where(
            AuditEvent.actor_id == olivia.user_id).order_by(AuditEvent.seq)).scalars().all()
    assert actions[-5:] == ["lock", "sign_in", "unlock", "sign_in_failed", "sign_out"]


# --- four eyes -----------------------------------------------------------------------------


def test_a_supervisors_own_decision_is_signed_off_by_another(ctx, people):
    directory.add_user(ctx, SYSTEM, directory.UserInput(
        "sue", "Sue Supervisor", Role.SUPERVISOR, people["sam"].agency_id, PASSWORD))
    sue = directory.actor_by_username(ctx, "sue")
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, people["sam"], receipt.contact_id)
    decisions.decide(ctx, people["sam"], receipt.contact_id, same_for_all=NFA)
    assert _row(ctx, receipt.contact_id).status == "awaiting_sign_off"
    with pytest.raises(PermissionDenied, match="another supervisor"):
        decisions.approve(ctx, people["sam"], receipt.contact_id, reason="I'm sure")
    decisions.approve(ctx, sue, receipt.contact_id)
    assert _row(ctx, receipt.contact_id).status == "decided"


def test_a_lone_supervisor_signs_off_their_own_decision_saying_why(ctx, people):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, people["sam"], receipt.contact_id)
    decisions.decide(ctx, people["sam"], receipt.contact_id, same_for_all=NFA)
    with pytest.raises(PermissionDenied, match="say why"):
        decisions.approve(ctx, people["sam"], receipt.contact_id)
    decisions.approve(ctx, people["sam"], receipt.contact_id, reason="Sole manager on duty")
    with ctx.read() as session:
        event = session.execute(select(AuditEvent).where(
            AuditEvent.action == "approve")).scalar_one()
    assert event.data == {"reason": "Sole manager on duty", "own_decision": True}


# --- due soon, in office minutes ----------------------------------------------------------


def test_due_soon_counts_office_minutes_left(ctx, people):
    # Monday 10:00: due Tuesday 10:00. At Monday 16:00, 60 + 60 office minutes are left.
    ctx.clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=UK))
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ctx.clock.set(datetime(2026, 11, 30, 11, 0, tzinfo=UK))
    assert queue.counters(ctx, people["olivia"]).due_soon == 0
    ctx.clock.set(datetime(2026, 11, 30, 16, 0, tzinfo=UK))
    assert queue.counters(ctx, people["olivia"]).due_soon == 1
    assert [r.id for r in queue.holding_area(ctx, people["olivia"], queue.View.DUE_SOON).rows] == \
        [receipt.contact_id]
    assert queue.holding_area(ctx, people["olivia"]).rows[0].due_soon
    assert contact_view.view_contact(ctx, people["olivia"], receipt.contact_id).due_soon


def test_administrators_record_a_push_without_reading_the_contact(ctx, people):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    decisions.decide(ctx, people["olivia"], receipt.contact_id, same_for_all=REFER)
    screening.record_transfer(ctx, people["ada"], receipt.contact_id, "EP-2026-1")
    assert _row(ctx, receipt.contact_id).status == "transferred"
    with pytest.raises(PermissionDenied):
        contact_view.view_contact(ctx, people["ada"], receipt.contact_id)
    with ctx.read() as session:
        assert session.execute(select(func.count(AuditEvent.seq)).where(
            AuditEvent.action == "push")).scalar_one() == 1


@pytest.mark.parametrize("address", ["charlotte.dąbrowski@probation.example",
                                     "a@b.example, c@d.example", "Tess <tess@x.example>\nBcc: x@y"])
def test_an_address_the_mail_could_not_go_to_is_refused_while_the_referrer_is_here(ctx, people, address):
    contact = new_contact(ctx.now())
    contact = replace(contact, referrer=replace(contact.referrer, email=address))
    with pytest.raises(InvalidInput, match="one address"):  # an officer typing in a call
        contacts.submit(ctx, people["olivia"], contact)
    with pytest.raises(InvalidInput, match="your own work email"):  # a partner: not theirs
        contacts.submit(ctx, people["teacher"], contact)
