"""A partner's account emails (confirmation link, sign-in code) are really sent: queued by
the web endpoint in the same transaction, delivered by the outbox worker over SMTP to a
real server on loopback, and usable from the inbox."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from ffd_core.connectors.email import EmailSender
from ffd_core.connectors.outbox_worker import Worker
from tests.connectors.smtp_server import smtp_server  # noqa: F401 - a fixture
from tests.web.conftest import BASE, TEACHER, post

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _deliver(ctx, server):  # noqa: ANN001, ANN202
    ctx.settings = replace(ctx.settings, smtp_host="127.0.0.1", smtp_port=server.port,
                           smtp_security="none", smtp_timeout_seconds=10)
    with Worker(ctx, [EmailSender(ctx)], run_jobs=False) as worker:
        worker.run_pass()


def _body(message) -> str:  # noqa: ANN001
    return message.get_body(("plain",)).get_content()


def test_a_sign_in_code_arrives_by_email_and_signs_in(client, web_ctx, smtp_server):
    assert post(client, "/sign-in", {"email": TEACHER,
                                     "password": "correct horse battery staple"}).status_code == 302
    _deliver(web_ctx, smtp_server)
    [mail] = [m for m in smtp_server.received if m["To"] == TEACHER]
    assert mail["Subject"].startswith("Your sign-in code") and "Reply-To" not in mail
    code = re.search(r"\b(\d{6})\b", _body(mail)).group(1)
    assert post(client, "/sign-in/code", {"code": code}).status_code == 302
    assert client.get("/home").status_code == 200


def test_a_registration_link_arrives_by_email(client, web_ctx, smtp_server):
    new = "nina.nurse@hawthorn.sch.example"
    assert post(client, "/register", {"email": new, "name": "Nina Nurse"}).status_code == 200
    _deliver(web_ctx, smtp_server)
    [mail] = [m for m in smtp_server.received if m["To"] == new]
    link = re.search(rf"{re.escape(BASE)}(/register/confirm/\S+)", _body(mail)).group(1)
    assert "Choose a password" in client.get(link).text


def test_a_request_for_information_links_to_the_answer_page(client, web_ctx, people, smtp_server):
    from datetime import timedelta

    from ffd_core.services import contacts, ownership, screening
    from tests.factories import new_contact
    from tests.web.conftest import sign_in

    receipt = contacts.submit(web_ctx, people["teacher"], new_contact(web_ctx.now()))
    ownership.claim(web_ctx, people["olivia"], receipt.contact_id)
    screening.request_information(web_ctx, people["olivia"], receipt.contact_id,
                                  recipient=TEACHER, message="Has she said how it happened?",
                                  chase_by=web_ctx.now() + timedelta(days=1))
    _deliver(web_ctx, smtp_server)
    [mail] = [m for m in smtp_server.received if "Has she said" in _body(m)]
    link = f"{BASE}/submissions/{receipt.reference}"
    assert link in _body(mail)
    sign_in(client, web_ctx)
    page = client.get(link.removeprefix(BASE))
    assert page.status_code == 200 and "Has she said how it happened?" in page.text
