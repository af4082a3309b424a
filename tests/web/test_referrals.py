"""Your referrals: the referrer's words for the status, the front door's messages, answering
a request for information with documents (back in the officer's queue, on the change feed),
copies for the referrer's records; and everything an outsider would try."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ffd_core.domain.vocab import AgencyKind
from ffd_core.services import ownership, screening
from ffd_core.store.tables import Attachment, Change, Contact
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
