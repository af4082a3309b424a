"""Your referrals: the referrer's words for the status, the front door's messages, answering
a request for information with documents (back in the officer's queue, on the change feed),
copies for the referrer's records; and everything an outsider would try."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ffd_core.domain.access import SYSTEM
from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.vocab import AgencyKind, LevelOfNeed, Outcome
from ffd_core.services import contacts, decisions, outbox, ownership, screening
from ffd_core.store.tables import Attachment, Change, Contact
from ffd_web.rendering import date_time
from tests.factories import new_contact
from tests.web.conftest import add_partner, csrf, post, sign_in
from tests.web.forms_helpers import send_new, start_draft

PDF = b"%PDF-1.4\n% a body map\n"


def _contact(ctx, reference):  # noqa: ANN001, ANN202
    with ctx.read() as session:
        return session.execute(select(Contact).where(Contact.reference == reference)).scalar_one()


def ask(ctx, people, reference, message="Is the child in school today?"):  # noqa: ANN001, ANN201
    contact = _contact(ctx, reference)
    ownership.claim(ctx, people["olivia"], contact.id)
    screening.request_information(ctx, people["olivia"], contact.id,
                                  recipient=contact.referrer["email"],  # asked of the referrer
                                  message=message, chase_by=ctx.now() + timedelta(days=1))
    return contact.id


def test_the_list_and_a_referral_in_the_referrers_words(client, web_ctx, people):
    sign_in(client, web_ctx)
    reference = send_new(client, web_ctx)
    listing = client.get("/submissions").text
    assert reference in listing and "Received" in listing
    ask(web_ctx, people, reference)
    page = client.get(f"/submissions/{reference}").text
    assert "More information needed" in page and "Is the child in school today?" in page
    assert "Olivia" not in page  # never the officer's name, notes or priority
    assert "Answer the front door" in page


def test_answering_with_documents_returns_the_contact_to_the_officer_at_once(client, web_ctx, people):
    sign_in(client, web_ctx)
    reference = send_new(client, web_ctx)
    contact_id = ask(web_ctx, people, reference)
    with web_ctx.read() as session:
        seen = session.execute(select(Change.seq).order_by(Change.seq.desc()).limit(1)).scalar_one()
    files = [("files", ("body map.pdf", PDF, "application/pdf")),
             ("files", ("notes.txt", b"Seen at 9am.", "text/plain"))]
    response = client.post(f"/submissions/{reference}/reply",
                           data={"message": "Yes, she is in class.", "_csrf_token": csrf(client)},
                           files=files)
    assert response.status_code == 302
    page = client.get(f"/submissions/{reference}").text
    assert "Your answer has been sent" in page and "Yes, she is in class." in page
    assert "body map.pdf" in page and "Being looked at" in page
    contact = _contact(web_ctx, reference)
    assert contact.status == "screening"
    with web_ctx.read() as session:
        kinds = [c.kind for c in session.execute(select(Change).where(
            Change.seq > seen, Change.contact_id == contact_id)).scalars()]
        names = [a.filename for a in session.execute(select(Attachment).where(
            Attachment.contact_id == contact_id)).scalars()]
    assert "contact.record_reply" in kinds and "contact.attachment" in kinds  # the console's feed
    assert sorted(names) == ["body map.pdf", "notes.txt"]


def test_an_answer_with_a_bad_file_changes_nothing(client, web_ctx, people):
    sign_in(client, web_ctx)
    reference = send_new(client, web_ctx)
    ask(web_ctx, people, reference)
    response = client.post(f"/submissions/{reference}/reply",
                           data={"message": "Here it is", "_csrf_token": csrf(client)},
                           files=[("files", ("report.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"))])
    assert response.status_code == 200 and "<title>Error: " in response.text
    assert _contact(web_ctx, reference).status == "awaiting_information"


def test_a_copy_to_download_and_a_print_stylesheet(client, web_ctx):
    sign_in(client, web_ctx)
    reference = send_new(client, web_ctx)
    copy = client.get(f"/submissions/{reference}/copy")
    assert copy.headers["content-disposition"].startswith(f'attachment; filename="{reference}.txt"')
    assert f"Reference: {reference}" in copy.text and "Received: 24/11/2026" in copy.text
    assert "Example details." in copy.text
    page = client.get(f"/submissions/{reference}/confirmation").text
    assert 'href="/static/print.css" media="print"' in page


def test_another_agency_and_guessed_references_are_not_found(client, other_client, web_ctx):
    sign_in(client, web_ctx)
    reference = send_new(client, web_ctx)
    add_partner(web_ctx, "Brackenshire Constabulary", AgencyKind.POLICE, "pc.plod",
                "pc.plod@police.example")
    sign_in(other_client, web_ctx, "pc.plod@police.example")
    for path in (f"/submissions/{reference}", f"/submissions/{reference}/copy",
                 f"/submissions/{reference}/confirmation", "/submissions/FFD-2026-999999",
                 f"/submissions/{reference}/documents/1"):
        response = other_client.get(path)
        assert response.status_code == 404 and "Example" not in response.text, path
    assert reference not in other_client.get("/submissions").text
    reply = post(other_client, f"/submissions/{reference}/reply", {"message": "hijack"})
    assert reply.status_code == 404


def test_a_colleague_at_an_agency_wide_school_sees_the_schools_referrals(client, other_client, web_ctx):
    sign_in(client, web_ctx)
    reference = send_new(client, web_ctx)
    add_partner(web_ctx, "Hawthorn Primary School", AgencyKind.SCHOOL, "dsl2", "dsl2@hawthorn.sch.example")
    sign_in(other_client, web_ctx, "dsl2@hawthorn.sch.example")
    assert other_client.get(f"/submissions/{reference}").status_code == 200


def test_a_front_door_document_is_not_the_referrers(client, web_ctx, people):
    from ffd_core.services import attachments

    sign_in(client, web_ctx)
    reference = send_new(client, web_ctx)
    internal = attachments.attach(web_ctx, people["olivia"], _contact(web_ctx, reference).id,
                                  "internal.txt", b"officer's working")
    assert client.get(f"/submissions/{reference}/documents/{internal}").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for path in ("/home", "/submissions", "/drafts", "/look-up", "/submissions/FFD-2026-000001"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["location"].startswith("/sign-in"), path


def test_staff_reading_the_console_never_see_a_web_only_draft(client, web_ctx, people):
    sign_in(client, web_ctx)
    start_draft(client)
    with web_ctx.read() as session:
        assert session.execute(select(Contact)).first() is None


@pytest.mark.parametrize("name", ["../../etc/passwd.txt", "ré\u202esumé.txt", "a\r\nb.txt"])
def test_download_names_are_safe(name):
    from ffd_web.documents import download

    header = download(name, "text/plain", b"x").headers["content-disposition"]
    plain = header.split('filename="')[1].split('"')[0]
    assert "/" not in plain and "\r" not in header and "\n" not in header and "\u202e" not in plain
    assert plain.endswith(".txt")


def _deliver_emails(ctx) -> None:  # noqa: ANN001
    """What the outbox worker does once the mail server accepts each email."""
    for item in outbox.claim(ctx, SYSTEM, "test-worker", [outbox.EMAIL], 100):
        outbox.record_sent(ctx, SYSTEM, "test-worker", item)


def test_answers_recorded_without_a_form_show_the_forms_labels(client, web_ctx, people):
    receipt = contacts.submit(web_ctx, people["teacher"], new_contact(
        web_ctx.now(), category="sexual_abuse",
        answers={"category": "sexual_abuse", "what_happened": "She told her teacher."}))
    sign_in(client, web_ctx)
    page = client.get(f"/submissions/{receipt.reference}").text
    assert "Sexual abuse" in page and "sexual_abuse" not in page
    assert "What is your main worry about the child or children?" in page
    assert "What happened" in page and "She told her teacher." in page  # typed text: its short name


def test_the_emails_sent_to_the_referrer_are_on_their_page_with_when_they_went(client, web_ctx, people):
    sign_in(client, web_ctx)
    reference = send_new(client, web_ctx)
    assert "No messages yet" in client.get(f"/submissions/{reference}").text  # queued, not sent
    _deliver_emails(web_ctx)
    page = client.get(f"/submissions/{reference}").text
    assert "No messages yet" not in page and "Acknowledgement" in page
    assert "We emailed you to say we have your referral" in page
    sent = date_time(web_ctx.now())
    assert f"emailed to you {sent}" in page
    contact = _contact(web_ctx, reference)
    version = ownership.claim(web_ctx, people["olivia"], contact.id)
    web_ctx.clock.advance(hours=2)
    decisions.decide(web_ctx, people["olivia"], contact.id, expected_version=version,
                     same_for_all=ChildDecision(Outcome.SOCIAL_CARE_REFERRAL, "Unexplained injury.",
                                                level_of_need=LevelOfNeed.ACUTE, primary_need="N1"))
    _deliver_emails(web_ctx)
    sign_in(client, web_ctx)  # the two hours signed the teacher out
    page = client.get(f"/submissions/{reference}").text
    assert "Decided" in page and "Outcome" in page
    assert page.count("emailed to you") == 2 and f"emailed to you {date_time(web_ctx.now())}" in page
    assert page.index("Acknowledgement") < page.index("Outcome</strong>")  # in the order sent


def test_emails_to_someone_else_about_the_child_are_not_the_referrers(client, web_ctx, people):
    sign_in(client, web_ctx)
    reference = send_new(client, web_ctx)
    contact = _contact(web_ctx, reference)
    ownership.claim(web_ctx, people["olivia"], contact.id)
    screening.request_information(web_ctx, people["olivia"], contact.id,
                                  recipient="hv@bhc.nhs.example", message="Seen lately?",
                                  chase_by=web_ctx.now() + timedelta(days=1))
    _deliver_emails(web_ctx)
    page = client.get(f"/submissions/{reference}").text
    assert "Acknowledgement" in page  # theirs
    assert "Seen lately?" not in page and page.count("emailed to you") == 1
