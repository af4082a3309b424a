"""The contact lifecycle through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.vocab import LevelOfNeed, Outcome, Priority, Role, Status
from ffd_core.errors import (
    AlreadyClaimed, IllegalTransition, InvalidInput, MissingInput, NothingToTake,
    PermissionDenied, StaleContact,
)
from ffd_core.services import contact_view, contacts, decisions, messages, notes, ownership, screening
from ffd_core.store.tables import AuditEvent, Contact, Decision, Message, OutboxMessage
from tests.factories import child, new_contact

NFA = ChildDecision(Outcome.NO_FURTHER_ACTION, "Accident explained; school to monitor.",
                    level_of_need=LevelOfNeed.UNIVERSAL)
REFER = ChildDecision(Outcome.SOCIAL_CARE_REFERRAL, "Unexplained injury to a young child.",
                      level_of_need=LevelOfNeed.ACUTE, primary_need="N1",
                      indicators=("L4-CD-01",))


def submit(ctx, people, by="teacher", **overrides):
    """A contact as a partner sends it (by default), or as staff record it (by="olivia"):
    only staff may set a priority, restrict a contact or record an anonymous referrer."""
    return contacts.submit(ctx, people[by], new_contact(ctx.now(), **overrides))


def load(ctx, contact_id) -> Contact:
    with ctx.read() as session:
        return session.get(Contact, contact_id)


def actions(ctx, contact_id) -> list[str]:
    with ctx.read() as session:
        return list(session.execute(select(AuditEvent.action).where(
            AuditEvent.contact_id == contact_id).order_by(AuditEvent.seq)).scalars())


def test_submit_gives_reference_audit_ack_and_due_time(ctx, people):
    receipt = submit(ctx, people)
    assert receipt.reference == "FFD-2026-000001"
    contact = load(ctx, receipt.contact_id)
    assert contact.status == "received" and contact.owner_id is None
    # Received Tuesday 10:00 → due Wednesday 10:00 (one working day).
    assert contact.due_at == ctx.now() + timedelta(days=1)
    assert actions(ctx, receipt.contact_id) == ["submit"]
    with ctx.read() as session:
        ack = session.execute(select(OutboxMessage)).scalar_one()
    assert ack.kind == "email" and ack.payload["to"] == "tess@hawthorn.sch.example"
    assert submit(ctx, people).reference == "FFD-2026-000002"


def test_submit_refuses_bad_input_and_stores_nothing(ctx, people):
    with pytest.raises(InvalidInput) as error:
        submit(ctx, people, children=(), consent_reason=None,
               consent=__import__("ffd_core.domain.vocab").domain.vocab.Consent.REFUSED)
    assert "add at least one child" in str(error.value)
    assert "say why consent was refused" in str(error.value)
    with ctx.read() as session:
        assert session.execute(select(func.count(Contact.id))).scalar_one() == 0


def test_idempotent_api_retry_stores_once(ctx, people):
    first = submit(ctx, people, idempotency_key="police-77")
    again = submit(ctx, people, idempotency_key="police-77")
    assert again.duplicate and again.reference == first.reference
    with ctx.read() as session:
        assert session.execute(select(func.count(Contact.id))).scalar_one() == 1


def test_claim_decide_and_outcome(ctx, people):
    officer = people["olivia"]
    receipt = submit(ctx, people)
    version = ownership.claim(ctx, officer, receipt.contact_id, receipt.version)
    ctx.clock.advance(hours=2)
    status = decisions.decide(ctx, officer, receipt.contact_id, same_for_all=REFER,
                           expected_version=version)
    assert status is Status.DECIDED
    contact = load(ctx, receipt.contact_id)
    assert contact.status == "decided" and contact.decided_at == ctx.now()
    with ctx.read() as session:
        decision = session.execute(select(Decision)).scalar_one()
        kinds = sorted(m.kind for m in session.execute(select(OutboxMessage)).scalars())
    assert decision.outcome == "social_care_referral" and decision.state == "final"
    # ack, outcome; the push waits for the child's case-system person (services.pushes)
    assert kinds == ["email", "email"]
    assert actions(ctx, receipt.contact_id) == ["submit", "claim", "decide"]


def test_nfa_needs_sign_off_then_supervisor_approves(ctx, people):
    receipt = submit(ctx, people)
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    assert decisions.decide(ctx, people["olivia"], receipt.contact_id, same_for_all=NFA) \
        is Status.AWAITING_SIGN_OFF
    with pytest.raises(PermissionDenied):
        decisions.approve(ctx, people["oscar"], receipt.contact_id)
    decisions.approve(ctx, people["sam"], receipt.contact_id)
    assert load(ctx, receipt.contact_id).status == "decided"
    with ctx.read() as session:
        decision = session.execute(select(Decision)).scalar_one()
    assert decision.state == "final" and decision.signed_off_by_id == people["sam"].user_id


def test_supervisor_returns_with_reason_and_officer_decides_again(ctx, people):
    receipt = submit(ctx, people)
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    decisions.decide(ctx, people["olivia"], receipt.contact_id, same_for_all=NFA)
    with pytest.raises(MissingInput):
        decisions.return_for_rework(ctx, people["sam"], receipt.contact_id, reason=" ")
    decisions.return_for_rework(ctx, people["sam"], receipt.contact_id, reason="Check with GP")
    assert load(ctx, receipt.contact_id).status == "screening"
    decisions.decide(ctx, people["olivia"], receipt.contact_id, same_for_all=REFER)
    with ctx.read() as session:
        states = sorted(d.state for d in session.execute(select(Decision)).scalars())
    assert states == ["final", "returned"]


def test_decision_per_child_must_cover_every_child(ctx, people):
    receipt = submit(ctx, people, children=(child(), child("Jayden", born=child().date_of_birth
                                                           .replace(year=2017))))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    contact = load(ctx, receipt.contact_id)
    with ctx.read() as session:
        first_child = session.get(Contact, contact.id).people[0].id
    with pytest.raises(InvalidInput, match="every child"):
        decisions.decide(ctx, people["olivia"], receipt.contact_id,
                      [ChildDecision(**{**REFER.__dict__, "child_id": first_child})])
    decisions.decide(ctx, people["olivia"], receipt.contact_id, same_for_all=REFER)
    with ctx.read() as session:
        assert session.execute(select(func.count(Decision.id))).scalar_one() == 2


def test_referral_without_primary_need_is_refused(ctx, people):
    receipt = submit(ctx, people)
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    bad = ChildDecision(Outcome.SOCIAL_CARE_REFERRAL, "Serious", level_of_need=LevelOfNeed.ACUTE)
    with pytest.raises(InvalidInput, match="primary need"):
        decisions.decide(ctx, people["olivia"], receipt.contact_id, same_for_all=bad)
    assert load(ctx, receipt.contact_id).status == "screening"


def test_second_claim_gets_clear_error_naming_owner(ctx, people):
    receipt = submit(ctx, people)
    ownership.claim(ctx, people["olivia"], receipt.contact_id, receipt.version)
    with pytest.raises(AlreadyClaimed, match="claimed by Olivia Officer"):
        ownership.claim(ctx, people["oscar"], receipt.contact_id, receipt.version)


def test_stale_version_is_refused_with_who_and_when(ctx, people):
    receipt = submit(ctx, people)
    version = ownership.claim(ctx, people["olivia"], receipt.contact_id)
    screening.set_priority(ctx, people["sam"], receipt.contact_id, 2, "Sibling on CP plan",
                        expected_version=version)
    with pytest.raises(StaleContact, match="changed by Sam Supervisor at 24/11/2026 10:00"):
        decisions.decide(ctx, people["olivia"], receipt.contact_id, same_for_all=REFER,
                      expected_version=version)


def test_take_next_serves_priority_then_earliest_due(ctx, people):
    low = submit(ctx, people, by="olivia", priority=Priority.LOW)
    ctx.clock.advance(minutes=5)
    urgent_later = submit(ctx, people, by="olivia", priority=Priority.IMMEDIATE)
    ctx.clock.advance(minutes=5)
    submit(ctx, people, by="olivia", priority=Priority.IMMEDIATE)
    _, reference, _ = ownership.take_next(ctx, people["olivia"])
    assert reference == urgent_later.reference
    ownership.take_next(ctx, people["olivia"])
    _, reference, _ = ownership.take_next(ctx, people["olivia"])
    assert reference == low.reference
    with pytest.raises(NothingToTake):
        ownership.take_next(ctx, people["olivia"])


def test_request_information_pauses_and_reply_resumes(ctx, people):
    receipt = submit(ctx, people)
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    due = load(ctx, receipt.contact_id).due_at
    screening.request_information(ctx, people["olivia"], receipt.contact_id,
                               recipient="tess@hawthorn.sch.example",
                               message="Has the child said how it happened?",
                               chase_by=ctx.now() + timedelta(hours=3))
    contact = load(ctx, receipt.contact_id)
    assert contact.status == "awaiting_information"
    assert contact.working_due_at is None  # paused
    ctx.clock.advance(hours=2)
    screening.record_reply(ctx, people["teacher"], receipt.contact_id, "She says she fell off a bike.")
    contact = load(ctx, receipt.contact_id)
    assert contact.status == "screening"
    assert contact.due_at == due  # the statutory clock never pauses
    assert contact.working_due_at == due + timedelta(hours=2)
    with ctx.read() as session:
        assert [m.kind for m in session.execute(select(Message).order_by(Message.id)).scalars()] \
            == ["request_for_information", "reply"]


def test_chase_by_passing_returns_contact_to_screening(ctx, people):
    receipt = submit(ctx, people)
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    screening.request_information(ctx, people["olivia"], receipt.contact_id, recipient="tess@hawthorn.sch.example",
                               message="Any concerns?", chase_by=ctx.now() + timedelta(hours=1))
    assert screening.chase_overdue(ctx) == []
    ctx.clock.advance(hours=1, minutes=1)
    assert screening.chase_overdue(ctx) == [receipt.reference]
    assert load(ctx, receipt.contact_id).status == "screening"


def test_illegal_moves_name_status_and_edge(ctx, people):
    receipt = submit(ctx, people)
    # Rights first (Olivia does not own it), then whether the move is legal at all.
    with pytest.raises(PermissionDenied, match="only the contact's owner"):
        decisions.decide(ctx, people["olivia"], receipt.contact_id, same_for_all=REFER)
    with pytest.raises(IllegalTransition, match="cannot decide a contact that is received"):
        decisions.decide(ctx, people["sam"], receipt.contact_id, same_for_all=REFER)
    with pytest.raises(IllegalTransition, match="cannot reopen"):
        screening.reopen(ctx, people["sam"], receipt.contact_id, reason="x")


def test_social_worker_reads_but_cannot_act(ctx, people):
    receipt = submit(ctx, people)
    assert contact_view.view_contact(ctx, people["wendy"], receipt.contact_id).reference == receipt.reference
    for attempt in (
        lambda: ownership.claim(ctx, people["wendy"], receipt.contact_id),
        lambda: ownership.take_next(ctx, people["wendy"]),
        lambda: screening.set_priority(ctx, people["wendy"], receipt.contact_id, 1, "x"),
        lambda: notes.add_note(ctx, people["wendy"], receipt.contact_id, "note"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert "view_contact" in actions(ctx, receipt.contact_id)


def test_only_owner_decides_and_take_over_needs_reason(ctx, people):
    receipt = submit(ctx, people)
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    with pytest.raises(PermissionDenied, match="only the contact's owner"):
        decisions.decide(ctx, people["oscar"], receipt.contact_id, same_for_all=REFER)
    with pytest.raises(MissingInput, match="reason"):
        ownership.take_over(ctx, people["oscar"], receipt.contact_id, reason="")
    ownership.take_over(ctx, people["oscar"], receipt.contact_id, reason="Olivia is off sick")
    assert load(ctx, receipt.contact_id).owner_id == people["oscar"].user_id


def test_supervisor_allocates_and_reallocates(ctx, people):
    receipt = submit(ctx, people)
    with pytest.raises(PermissionDenied):
        ownership.allocate(ctx, people["olivia"], receipt.contact_id, people["oscar"].user_id)
    ownership.allocate(ctx, people["sam"], receipt.contact_id, people["olivia"].user_id)
    with pytest.raises(MissingInput):
        ownership.allocate(ctx, people["sam"], receipt.contact_id, people["oscar"].user_id)
    ownership.allocate(ctx, people["sam"], receipt.contact_id, people["oscar"].user_id,
                    reason="Balancing workload")
    contact = load(ctx, receipt.contact_id)
    assert contact.owner_id == people["oscar"].user_id and contact.status == "screening"


def test_withdraw_reopen_and_close_in_error(ctx, people):
    receipt = submit(ctx, people)
    screening.withdraw(ctx, people["olivia"], receipt.contact_id, reason="Sent to wrong council")
    with pytest.raises(PermissionDenied):
        screening.reopen(ctx, people["olivia"], receipt.contact_id, reason="x")
    ctx.clock.advance(days=2)
    screening.reopen(ctx, people["sam"], receipt.contact_id, reason="It was ours after all")
    contact = load(ctx, receipt.contact_id)
    assert contact.status == "screening" and contact.clock_period == 2
    assert contact.due_at == ctx.now() + timedelta(days=1)  # Thursday 10:00 → Friday 10:00
    screening.close_in_error(ctx, people["sam"], receipt.contact_id, reason="Duplicate of another")
    assert load(ctx, receipt.contact_id).status == "closed_in_error"


def test_restricted_contact_hidden_from_other_officers(ctx, people):
    receipt = submit(ctx, people, by="sam", restricted=True, restricted_reason="Staff member's family")
    with pytest.raises(PermissionDenied):
        contact_view.view_contact(ctx, people["olivia"], receipt.contact_id)
    with pytest.raises(NothingToTake):
        ownership.take_next(ctx, people["olivia"])
    ownership.allocate(ctx, people["sam"], receipt.contact_id, people["oscar"].user_id)
    assert contact_view.view_contact(ctx, people["oscar"], receipt.contact_id).restricted


def test_link_contacts_never_merges(ctx, people):
    a, b = submit(ctx, people), submit(ctx, people)
    notes.link_contacts(ctx, people["olivia"], b.contact_id, a.contact_id, "Same child")
    with pytest.raises(InvalidInput, match="already linked"):
        notes.link_contacts(ctx, people["olivia"], a.contact_id, b.contact_id, "Same child")
    assert load(ctx, a.contact_id).status == load(ctx, b.contact_id).status == "received"


def test_partner_cannot_claim_or_open_others_contacts(ctx, people):
    receipt = contacts.submit(ctx, people["olivia"], new_contact(ctx.now()))
    with pytest.raises(PermissionDenied):
        ownership.claim(ctx, people["teacher"], receipt.contact_id)
    with pytest.raises(PermissionDenied):
        contact_view.view_contact(ctx, people["teacher"], receipt.contact_id)


def test_telephone_contact_recorded_by_officer(ctx, people):
    receipt = contacts.record_telephone_contact(ctx, people["olivia"], new_contact(ctx.now()))
    contact = load(ctx, receipt.contact_id)
    assert contact.channel == "telephone" and contact.recorded_by_id == people["olivia"].user_id
    with pytest.raises(PermissionDenied):
        contacts.record_telephone_contact(ctx, people["teacher"], new_contact(ctx.now()))


def test_contact_view_has_thread_history_and_decisions_and_is_audited(ctx, people):
    from ffd_core.services.contact_view import view_contact
    from ffd_core.services.queue import workload

    receipt = submit(ctx, people)
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    notes.add_note(ctx, people["olivia"], receipt.contact_id, "Spoke to the DSL")
    screening.request_information(ctx, people["olivia"], receipt.contact_id, recipient="tess@hawthorn.sch.example",
                               message="Any siblings?", chase_by=ctx.now() + timedelta(hours=2))
    screening.record_reply(ctx, people["teacher"], receipt.contact_id, "One brother, aged 9")
    decisions.decide(ctx, people["olivia"], receipt.contact_id, same_for_all=REFER)
    view = view_contact(ctx, people["sam"], receipt.contact_id)
    assert [t.kind for t in view.thread] == ["request_for_information", "reply", "outcome"]
    assert view.notes[0].body == "Spoke to the DSL" and view.notes[0].who == "Olivia Officer"
    assert view.decisions[0].child == "Maisie Thompson" and view.decisions[0].primary_need == "N1"
    assert [h.action for h in view.history][-1] == "view_contact"
    assert view.children[0].name == "Maisie Thompson" and view.household[0].relationship == "mother"
    load = {w.officer: w for w in workload(ctx, people["sam"])}
    assert load["Olivia Officer"].decided_today == 1 and load["Oscar Officer"].screening == 0


def test_remember_me_token_signs_in_until_revoked_or_expired(ctx, people):
    from ffd_core.services import sessions

    token = sessions.remember(ctx, people["olivia"])
    assert sessions.sign_in_with_token(ctx, token).name == "Olivia Officer"
    with pytest.raises(PermissionDenied):
        sessions.sign_in_with_token(ctx, token + "x")
    ctx.clock.advance(days=15)
    with pytest.raises(PermissionDenied, match="expired"):
        sessions.sign_in_with_token(ctx, token)
    fresh = sessions.remember(ctx, people["olivia"])
    sessions.forget(ctx, fresh)
    with pytest.raises(PermissionDenied):
        sessions.sign_in_with_token(ctx, fresh)


def test_password_sign_in_and_failures_are_audited(ctx, people):
    from ffd_core.services import directory
    from tests.conftest import PASSWORD

    assert directory.authenticate(ctx, "Olivia", PASSWORD).role is Role.SCREENING_OFFICER
    with pytest.raises(PermissionDenied, match="do not match"):
        directory.authenticate(ctx, "olivia", "wrong password")
    with pytest.raises(PermissionDenied, match="do not match"):
        directory.authenticate(ctx, "nobody", "wrong password")
    with ctx.read() as session:
        acts = list(session.execute(select(AuditEvent.action).where(
            AuditEvent.action.like("sign_in%"))).scalars())
    assert acts == ["sign_in", "sign_in_failed"]


def test_decisions_and_replies_cite_known_indicators_only(ctx, people):
    from ffd_core.domain.vocab import MessageKind

    receipt = submit(ctx, people)
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    bad = ChildDecision(Outcome.SOCIAL_CARE_REFERRAL, "x", level_of_need=LevelOfNeed.ACUTE,
                        primary_need="N1", indicators=("L9-XX-99",))
    with pytest.raises(InvalidInput, match="L9-XX-99"):
        decisions.decide(ctx, people["olivia"], receipt.contact_id, same_for_all=bad)
    version = messages.send_reply(ctx, people["olivia"], receipt.contact_id,
                                kind=MessageKind.REJECTION, body="Below threshold: see L1-CD-01",
                                template_id="rejection.below_threshold", indicators=("L1-CD-01",))
    assert load(ctx, receipt.contact_id).version == version
    with ctx.read() as session:
        kinds = [m.kind for m in session.execute(select(Message)).scalars()]
        outbox_rows = session.execute(select(func.count(OutboxMessage.id))).scalar_one()
    assert kinds == ["rejection"] and outbox_rows == 2  # acknowledgement and the rejection
    anonymous = submit(ctx, people, by="olivia", anonymous=True, referrer=__import__(
        "ffd_core.domain.contact", fromlist=["Referrer"]).Referrer())
    with pytest.raises(InvalidInput, match="no referrer email"):
        messages.send_reply(ctx, people["olivia"], anonymous.contact_id,
                          kind=MessageKind.REJECTION, body="x")


def test_partner_cannot_see_the_holding_area(ctx, people):
    from ffd_core.services.queue import holding_area

    submit(ctx, people)
    with pytest.raises(PermissionDenied):
        holding_area(ctx, people["teacher"])
    assert holding_area(ctx, people["wendy"]).total == 1


def test_password_guessing_is_throttled_per_account(ctx, people):
    from ffd_core.services import directory
    from tests.conftest import PASSWORD

    for _ in range(5):
        with pytest.raises(PermissionDenied, match="do not match"):
            directory.authenticate(ctx, "oscar", "guess")
    with pytest.raises(PermissionDenied, match="too many failed sign-ins"):
        directory.authenticate(ctx, "oscar", PASSWORD)  # even the right password, for now
    ctx.clock.advance(minutes=16)
    assert directory.authenticate(ctx, "oscar", PASSWORD).name == "Oscar Officer"


def test_rejection_reply_waits_for_sign_off_then_goes_instead_of_plain_outcome(ctx, people):
    receipt = submit(ctx, people)
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    decisions.decide(ctx, people["olivia"], receipt.contact_id, same_for_all=NFA,
                  reply=("rejection.below_threshold", "Below threshold: see L1-CD-01."))
    with ctx.read() as session:
        assert session.execute(select(OutboxMessage).where(
            OutboxMessage.idempotency_key.like("outcome:%"))).first() is None
    decisions.approve(ctx, people["sam"], receipt.contact_id)
    with ctx.read() as session:
        sent = session.execute(select(OutboxMessage).where(
            OutboxMessage.idempotency_key.like("outcome:%"))).scalar_one()
        messages = session.execute(select(Message)).scalars().all()
    assert [m.kind for m in messages] == ["rejection"]
    assert sent.payload["message_id"] == messages[0].id


def test_lookups_for_screens_by_reference_id_and_p1(ctx, people):
    from ffd_core.services import directory, queue

    first = submit(ctx, people)
    urgent = submit(ctx, people, by="olivia", priority=__import__("ffd_core.domain.vocab",
                                                      fromlist=["Priority"]).Priority.IMMEDIATE)
    officer = people["olivia"]
    assert queue.find_by_reference(ctx, officer, first.reference.lower()).id == first.contact_id
    assert queue.find_by_reference(ctx, officer, "FFD-1999-000001") is None
    assert [r.reference for r in queue.rows_by_id(ctx, officer, [first.contact_id])] == [first.reference]
    assert queue.immediate_open(ctx, officer) == {urgent.contact_id: urgent.reference}
    names = [name for _id, name in directory.allocatable_staff(ctx)]
    assert "Olivia Officer" in names and "Wendy Worker" not in names and "Tess Teacher" not in names
    page = queue.holding_area(ctx, officer, sort="owner")
    assert page.total == 2
    with pytest.raises(PermissionDenied):
        queue.immediate_open(ctx, people["teacher"])
