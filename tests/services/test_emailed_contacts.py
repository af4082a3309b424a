"""Emailed contacts through the services: completing one (the same checks as any contact),
quarantine for supervisors (read, release, delete, audited), and filing what a stopped
receiver had kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from ffd_core.domain.contact import PersonEntry
from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.vocab import Consent, LevelOfNeed, Outcome, Status
from ffd_core.errors import InvalidInput, NotFound, PermissionDenied
from ffd_core.services import completion, contacts, decisions, intake, ownership, quarantine, screening
from ffd_core.services.contact_view import view_contact
from ffd_core.services.context import SYSTEM
from ffd_core.services.referrer_mail import reply_address
from ffd_core.services.scanning import ScannerUnavailable
from ffd_core.store.blobs import BlobStore
from ffd_core.store.tables import AuditEvent, CaseSystemTransfer, ContactLink
from tests.clamd import EICAR
from tests.connectors.mail_world import INTAKE, PDF, an_email, awaiting_reply, intake_settings
from tests.factories import new_contact

MAISIE = PersonEntry(given_name="Maisie", family_name="Thompson", date_of_birth=date(2020, 3, 14))


@pytest.fixture
def settings(settings):  # noqa: ANN001, ANN201
    return intake_settings(settings)


def arrive(ctx, raw: bytes, to: str = INTAKE) -> intake.Filed:  # noqa: ANN001
    return intake.receive(ctx, SYSTEM, intake.Arrival("127.0.0.1", "bounces@police.example",
                                                      (to,), raw, len(raw)))


def emailed(ctx, people) -> int:  # noqa: ANN001
    """An emailed contact, claimed by Olivia; its id."""
    filed = arrive(ctx, an_email())
    ownership.claim(ctx, people["olivia"], filed.contact_id)
    return filed.contact_id


def test_an_emailed_contact_is_completed_through_the_same_checks_then_decided(ctx, people):
    contact_id = emailed(ctx, people)
    olivia = people["olivia"]
    with pytest.raises(InvalidInput, match="complete it first"):
        decisions.decide(ctx, olivia, contact_id, same_for_all=ChildDecision(
            Outcome.NO_FURTHER_ACTION, "x"))
    for who in ("wendy", "teacher", "ada"):
        with pytest.raises(PermissionDenied):
            completion.complete(ctx, people[who], contact_id, completion.Completion(
                "physical_abuse", (MAISIE,), Consent.GIVEN))
    with pytest.raises(InvalidInput) as refused:  # the very checks of a new contact
        completion.complete(ctx, olivia, contact_id, completion.Completion(
            "physical_abuse", (), Consent.REFUSED))
    assert "add at least one child" in str(refused.value)
    assert "say why consent was refused" in str(refused.value)
    with pytest.raises(InvalidInput, match="not a category"):
        completion.complete(ctx, olivia, contact_id, completion.Completion(
            "made_up", (MAISIE,), Consent.GIVEN))
    assert view_contact(ctx, olivia, contact_id).children == []  # nothing half-written

    received = view_contact(ctx, olivia, contact_id)
    completion.complete(ctx, olivia, contact_id, completion.Completion(
        "physical_abuse", (MAISIE,), Consent.NOT_SOUGHT_RISK, "asking would alert the carer",
        referrer_role="Police constable"), expected_version=received.version)
    view = view_contact(ctx, olivia, contact_id)
    assert [c.name for c in view.children] == ["Maisie Thompson"]
    assert (view.category, view.consent, view.due_at) == ("physical_abuse", "not_sought_risk",
                                                          received.due_at)  # clock untouched
    assert view.referrer["role"] == "Police constable"
    [done] = [h for h in view.history if h.action == "complete_contact"]
    assert done.actor == "Olivia Officer" and done.detail["children"] == 1
    with pytest.raises(InvalidInput, match="already complete"):
        completion.complete(ctx, olivia, contact_id, completion.Completion(
            "physical_abuse", (MAISIE,), Consent.GIVEN))

    decisions.decide(ctx, olivia, contact_id, same_for_all=ChildDecision(
        Outcome.SOCIAL_CARE_REFERRAL, "Young child left alone at night.",
        level_of_need=LevelOfNeed.ACUTE, primary_need="N1"))
    with ctx.read() as session:
        [transfer] = session.execute(select(CaseSystemTransfer)).scalars().all()
    assert transfer.state == "needs_person"  # its child is not in the case system yet


def test_quarantine_is_for_supervisors_who_release_or_delete_with_a_reason(ctx, people):
    sam = people["sam"]
    held = arrive(ctx, an_email("Someone <someone@elsewhere.example>",
                                attachments=(("scan.pdf", PDF),)))
    gone = arrive(ctx, an_email("Spam <spam@elsewhere.example>", body="Buy now"))
    assert held.state == gone.state == "quarantined"
    for who in ("olivia", "wendy", "ada", "teacher"):
        with pytest.raises(PermissionDenied):
            quarantine.held(ctx, people[who])
        with pytest.raises(PermissionDenied):
            quarantine.release(ctx, people[who], held.email_id, "checked")
    assert [h.id for h in quarantine.held(ctx, sam)] == [gone.email_id, held.email_id]
    content = quarantine.read(ctx, sam, held.email_id)
    assert "4 Oak Street" in content.text and content.attachments == ("scan.pdf",)

    with pytest.raises(InvalidInput, match="say why"):
        quarantine.release(ctx, sam, held.email_id, " ")
    released = quarantine.release(ctx, sam, held.email_id, "the sender phoned to confirm")
    view = view_contact(ctx, people["olivia"], released.contact_id)
    assert view.channel == "secure_email" and [a["filename"] for a in view.attachments] == ["scan.pdf"]
    with pytest.raises(InvalidInput, match="already released"):
        quarantine.release(ctx, sam, held.email_id, "again")

    with ctx.read() as session:
        digest = session.execute(select(intake.InboundEmail.sha256).where(
            intake.InboundEmail.id == gone.email_id)).scalar_one()
    quarantine.delete(ctx, sam, gone.email_id, "spam")
    with pytest.raises(NotFound):
        BlobStore(ctx.settings.resolved_blob_dir).get(digest)
    [deleted] = [h for h in quarantine.held(ctx, sam, include_decided=True) if h.id == gone.email_id]
    assert (deleted.state, deleted.kept, deleted.decision_reason) == ("deleted", False, "spam")
    assert quarantine.held(ctx, sam) == []
    with ctx.read() as session:
        actions = session.execute(select(AuditEvent.action, AuditEvent.actor_name).where(
            AuditEvent.action.in_(["email_read", "email_released", "email_deleted"]))
            .order_by(AuditEvent.seq)).all()
    assert actions == [("email_read", "Sam Supervisor"), ("email_released", "Sam Supervisor"),
                       ("email_deleted", "Sam Supervisor")]


def test_a_released_reply_to_a_closed_contact_is_a_new_contact_linked_to_it(ctx, people):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    screening.withdraw(ctx, people["olivia"], receipt.contact_id, "sent twice")
    to = reply_address(ctx, receipt.reference)
    held = arrive(ctx, an_email("Tess <tess@hawthorn.sch.example>", to,
                                body="Maisie came in with a new bruise today."), to)
    assert held.state == "quarantined"
    released = quarantine.release(ctx, people["sam"], held.email_id, "new information")
    with ctx.read() as session:
        link = session.execute(select(ContactLink)).scalar_one()
    assert {link.contact_id, link.other_contact_id} == {receipt.contact_id, released.contact_id}


def test_forbidden_attachments_are_withheld_on_release_and_named(ctx, people):
    held = arrive(ctx, an_email(attachments=(("statement.pdf", PDF), ("run.exe", b"MZ\x90binary"))))
    assert "attachment refused" in held.reason
    released = quarantine.release(ctx, people["sam"], held.email_id, "statement needed today")
    view = view_contact(ctx, people["olivia"], released.contact_id)
    assert [a["filename"] for a in view.attachments] == ["statement.pdf"]
    assert view.answers["attachments_withheld"] == ["run.exe"]


def test_a_receiver_that_stopped_after_keeping_files_on_restart(ctx, people):
    raw = an_email()
    email_id = intake.keep(ctx, SYSTEM, intake.Arrival("127.0.0.1", "b@police.example",
                                                       (INTAKE,), raw, len(raw)))
    assert intake.file_waiting(ctx, SYSTEM) == 1
    assert intake.file_waiting(ctx, SYSTEM) == 0
    filed = intake.file_email(ctx, SYSTEM, email_id)
    assert filed.state == "accepted"
    assert view_contact(ctx, people["olivia"], filed.contact_id).status == Status.RECEIVED.value


def test_a_reply_from_elsewhere_is_held_even_with_the_right_token(ctx, people):
    receipt, to = awaiting_reply(ctx, people)
    ctx.settings = replace(ctx.settings, intake_partner_domains=("police.example",))
    filed = arrive(ctx, an_email("Mallory <mallory@evil.example>", to), to)
    assert filed.state == "quarantined" and "not where the request went" in filed.reason
    assert view_contact(ctx, people["olivia"], receipt.contact_id).status == "awaiting_information"


def test_a_reply_from_the_address_a_request_went_to_is_taken(ctx, people):
    receipt, to = awaiting_reply(ctx, people, "practice.manager@elmtree.example")
    filed = arrive(ctx, an_email("Practice Manager <practice.manager@elmtree.example>", to,
                                 body="Seen on Monday; no concerns noted."), to)
    assert (filed.state, filed.contact_id) == ("accepted", receipt.contact_id)
    assert view_contact(ctx, people["olivia"], receipt.contact_id).status == "screening"


def test_the_scanning_hook_quarantines_what_it_finds(ctx, people):
    def scanner(filename: str, data: bytes) -> str | None:  # a scanner's verdict (e.g. clamd)
        return "Eicar-Test-Signature" if b"EICAR" in data else None

    raw = an_email(attachments=(("notes.txt", b"X5O!P%@AP EICAR test file"),))
    filed = intake.receive(ctx, SYSTEM, intake.Arrival("127.0.0.1", "b@police.example", (INTAKE,),
                                                       raw, len(raw)), scanner)
    assert filed.state == "quarantined"
    assert filed.reason == "attachment notes.txt refused by the scanner: Eicar-Test-Signature"


def test_the_clamd_that_checks_uploads_checks_emailed_attachments(ctx, people, clamd):
    ctx.settings = replace(ctx.settings, clamd_address=clamd)
    filed = arrive(ctx, an_email(attachments=(("notes.txt", EICAR),)))
    assert (filed.state, filed.reason) == ("quarantined",
                                           "attachment notes.txt refused by the scanner: a virus")
    clean = arrive(ctx, an_email(subject="Clean", attachments=(("notes.pdf", PDF),)))
    assert clean.state == "accepted"


def test_an_unreachable_scanner_keeps_the_email_waiting_and_the_relay_retries(ctx, people,
                                                                             clamd, tmp_path):
    ctx.settings = replace(ctx.settings, clamd_address=str(tmp_path / "no-such.sock"))
    raw = an_email(attachments=(("notes.pdf", PDF),))
    with pytest.raises(ScannerUnavailable):  # the receiver answers 451: the relay tries again
        arrive(ctx, raw)
    assert intake.file_waiting(ctx, SYSTEM) == 0  # still not checked, still kept
    ctx.settings = replace(ctx.settings, clamd_address=clamd)
    assert intake.file_waiting(ctx, SYSTEM) == 1
    assert arrive(ctx, raw).state == "accepted"  # the relay's retry: the same email, filed once
