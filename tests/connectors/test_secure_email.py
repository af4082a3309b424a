"""Secure email through a real receiver on loopback (aiosmtpd, SMTP and LMTP), sent with
smtplib as the council's relay would: partners' mail becomes contacts to complete, replies
find their contact, and everything else is quarantined with a visible record — never
dropped."""

from __future__ import annotations

import smtplib
from dataclasses import replace

import pytest
from sqlalchemy import select

from ffd_core.connectors.inbound_email import IntakeServer
from ffd_core.connectors.smtp_sink import free_port
from ffd_core.domain.vocab import Channel, Status
from ffd_core.services import contacts, ownership, screening
from ffd_core.services.contact_view import view_contact
from ffd_core.services.referrer_mail import reply_address
from ffd_core.store.tables import Contact, InboundEmail
from tests.connectors.mail_world import (
    INTAKE, PDF, RELAY, an_email, awaiting_reply, intake_settings, passed,
)
from tests.factories import new_contact

TESS = "Tess Teacher <tess@hawthorn.sch.example>"
WAIT = 60


@pytest.fixture
def settings(settings):  # noqa: ANN001, ANN201
    return intake_settings(settings)


@pytest.fixture(params=["smtp", "lmtp"])
def server(request, ctx):  # noqa: ANN001, ANN201
    ctx.settings = replace(ctx.settings, intake_protocol=request.param)
    receiver = IntakeServer(ctx, port=free_port()).start()
    yield receiver
    receiver.stop()


def send(server: IntakeServer, raw: bytes, to: str = INTAKE, sender: str = "bounces@police.example"):  # noqa: ANN201
    client = (smtplib.LMTP if server.lmtp else smtplib.SMTP)(server.host, server.port, timeout=WAIT)
    try:  # smtplib's LMTP greets with LHLO
        return client.sendmail(sender, [to], raw)
    finally:
        client.quit()


def emails(ctx) -> list[InboundEmail]:  # noqa: ANN001
    with ctx.read() as session:
        return list(session.execute(select(InboundEmail).order_by(InboundEmail.id)).scalars())


def test_a_partners_email_becomes_a_contact_to_complete_with_its_attachment(ctx, people, server):
    assert send(server, an_email(attachments=(("statement.pdf", PDF),))) == {}
    [row] = emails(ctx)
    assert (row.state, row.reason) == ("accepted", None)
    view = view_contact(ctx, people["olivia"], row.contact_id)
    assert (view.channel, view.status, view.received_at) == (Channel.SECURE_EMAIL.value, "received",
                                                             ctx.now())
    assert view.due_at is not None  # the statutory clock runs from receipt
    assert view.children == [] and view.category == "" and view.consent == ""
    assert view.to_complete
    assert view.answers["what_happened"].startswith("Officers attended 4 Oak Street")
    assert view.referrer["email"] == "jo.marsh@police.example"
    assert [a["filename"] for a in view.attachments] == ["statement.pdf"]


def test_a_reply_with_its_token_returns_the_contact_to_its_officer(ctx, people, server):
    receipt, to = awaiting_reply(ctx, people)
    send(server, an_email(TESS, to, subject="Re: your question", body="Mum and her partner."), to)
    [row] = emails(ctx)
    assert (row.state, row.contact_id) == ("accepted", receipt.contact_id)
    view = view_contact(ctx, people["olivia"], receipt.contact_id)
    assert view.status == Status.SCREENING.value
    assert view.thread[-1].direction == "in" and "Mum and her partner." in view.thread[-1].body
    assert view.thread[-1].who == TESS


@pytest.mark.parametrize("case", [
    "malformed_mime", "unknown_domain", "no_authentication", "forged_authentication",
    "another_authserv", "misaligned_from", "forbidden_attachment", "forged_token",
    "closed_contact"])
def test_anything_else_is_quarantined_with_its_reason(ctx, people, server, case):
    to, raw = INTAKE, an_email()
    if case == "malformed_mime":
        raw = (b"From: PC Jo Marsh <jo.marsh@police.example>\r\nTo: " + INTAKE.encode()
               + b"\r\nContent-Type: multipart/mixed; boundary=AAA\r\n\r\n--BBB\r\nhello\r\n")
    elif case == "unknown_domain":
        raw = an_email("Someone <someone@elsewhere.example>")
    elif case == "no_authentication":
        raw = an_email(results=())
    elif case == "forged_authentication":  # the sender wrote a "pass" in the relay's name,
        raw = an_email(results=(f"{RELAY}; spf=none smtp.mailfrom=police.example",  # under
                                passed("police.example")))  # the relay's own header
    elif case == "another_authserv":  # a pass from some other server is not the relay's word
        raw = an_email(results=(passed("police.example", authserv="mx.elsewhere.example"),))
    elif case == "misaligned_from":  # SPF passed, but for another domain than the From's
        raw = an_email(results=(passed("elsewhere.example"),))
    elif case == "forbidden_attachment":
        raw = an_email(attachments=(("invoice.pdf.exe", b"MZ\x90\x00\x03binary"),))
    elif case == "forged_token":
        to = "replies+ffd-2026-000001.aaaaaaaaaaaa@brackenshire.example"
        raw = an_email(TESS, to)
    elif case == "closed_contact":
        receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
        ownership.claim(ctx, people["olivia"], receipt.contact_id)
        screening.withdraw(ctx, people["olivia"], receipt.contact_id, "sent twice")
        to = reply_address(ctx, receipt.reference)
        raw = an_email(TESS, to)
    assert send(server, raw, to) == {}  # accepted from the relay: kept, never dropped
    [row] = emails(ctx)
    assert row.state == "quarantined" and row.sha256
    expected = {
        "malformed_mime": "malformed MIME", "unknown_domain": "is not in a partner domain",
        "no_authentication": "did not authenticate police.example",
        "forged_authentication": "did not authenticate police.example",
        "another_authserv": "did not authenticate police.example",
        "misaligned_from": "did not authenticate police.example",
        "forbidden_attachment": "attachment refused", "forged_token": "forged or wrong",
        "closed_contact": "the reply-to token has expired"}[case]
    assert expected in row.reason
    with ctx.read() as session:
        emailed = session.execute(select(Contact).where(
            Contact.channel == Channel.SECURE_EMAIL.value)).scalars().all()
    assert emailed == []


@pytest.mark.parametrize("announced", [True, False], ids=["size-announced", "size-in-data"])
def test_a_60_mb_message_is_refused_and_leaves_a_record(ctx, server, announced):
    raw = an_email(body="x" * 100) + b"\r\n" + (b"y" * 998 + b"\r\n") * 60_000
    client = (smtplib.LMTP if server.lmtp else smtplib.SMTP)(server.host, server.port, timeout=WAIT)
    try:
        if announced:  # as a relay does: MAIL FROM ... SIZE=, refused before any data
            with pytest.raises(smtplib.SMTPSenderRefused) as refused:
                client.sendmail("bounces@police.example", [INTAKE], raw)
        else:  # a sender that says nothing: refused once the data passes the limit
            client.ehlo_or_helo_if_needed()
            client.esmtp_features.pop("size", None)
            with pytest.raises(smtplib.SMTPDataError) as refused:
                client.sendmail("bounces@police.example", [INTAKE], raw)
    finally:
        client.close()
    assert refused.value.smtp_code == 552
    assert server.handler.wait_for(1, WAIT)
    [row] = emails(ctx)
    assert row.state == "quarantined" and row.sha256 is None
    assert "larger than the 25 MB limit" in row.reason
    assert row.mail_from == "bounces@police.example"
    assert row.size > 25_000_000


def test_the_same_message_sent_twice_by_the_relay_is_kept_once(ctx, server):
    raw = an_email()
    send(server, raw)
    send(server, raw)  # the relay never heard our 250 and tried again
    [row] = emails(ctx)
    with ctx.read() as session:
        assert session.execute(select(Contact.id)).scalars().all() == [row.contact_id]


def test_only_the_relay_may_deliver(ctx, server):
    server.handler.relay_hosts = frozenset({"192.0.2.25"})
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        send(server, an_email())
    assert refused.value.smtp_code == 550
    assert emails(ctx) == []
