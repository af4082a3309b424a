"""An account email's code or link is of use to whoever reads it, so someone who can read
the database (a backup, a reporting account) must not find one: it is sealed under the mail
key until the worker sends it, and removed once sent or given up. Tried here as such a
reader would: every row of every table, read straight from the store."""

from __future__ import annotations

import logging
from dataclasses import replace

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring
from sqlalchemy import select, update

import ffd_core.store.all_tables  # noqa: F401 - every table in the metadata
from ffd_core.connectors.email import EmailSender
from ffd_core.connectors.outbox_worker import Worker
from ffd_core.errors import InvalidInput
from ffd_core.services import contacts, deliveries, outbox
from ffd_core.services.context import SYSTEM, Context
from ffd_core.store.base import Base
from ffd_core.store.tables import OutboxMessage
from tests.conftest import AUDIT_KEY, PASSWORD
from tests.connectors.smtp_server import smtp_server  # noqa: F401 - a fixture
from tests.factories import new_contact
from tests.web.conftest import TEACHER, last_code, last_link, post

NEW = "nina.nurse@hawthorn.sch.example"


def everything_in_the_store(ctx: Context) -> str:
    """Every row of every table, as text: what a DBA or a stolen backup shows."""
    with ctx.read() as session:
        return "\n".join(str(row) for table in Base.metadata.sorted_tables
                         for row in session.execute(select(table)).all())


def outbox_rows(ctx: Context) -> list[OutboxMessage]:
    with ctx.read() as session:
        return list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def worker_context(ctx: Context, server, mail_key: bytes | None) -> Context:  # noqa: ANN001
    """The worker's own context (its own key, or none), sending to the test's SMTP server."""
    settings = replace(ctx.settings, smtp_host="127.0.0.1", smtp_port=server.port,
                       smtp_security="none", smtp_timeout_seconds=10)
    return Context(ctx.engine, settings, AUDIT_KEY, ctx.clock, mail_key=mail_key)


def deliver(ctx: Context) -> None:
    with Worker(ctx, [EmailSender(ctx)], run_jobs=False) as worker:
        worker.run_pass()


def test_no_code_or_link_can_be_read_from_the_store(client, web_ctx):
    post(client, "/register", {"email": NEW, "name": "Nina Nurse"})
    post(client, "/password-reset", {"email": TEACHER})
    post(client, "/sign-in", {"email": TEACHER, "password": PASSWORD})
    code = last_code(web_ctx, TEACHER)  # opened with the mail key, as the worker does
    links = [last_link(web_ctx, NEW, "/register/confirm/"),
             last_link(web_ctx, TEACHER, "/password-reset/")]
    stored = everything_in_the_store(web_ctx)
    assert f"is {code}" not in stored and "sign-in code" not in stored
    for link in links:
        assert link.rsplit("/", 1)[1] not in stored
    assert {row.payload["to"] for row in outbox_rows(web_ctx)} == {NEW, TEACHER}  # still listed


def test_once_sent_or_given_up_the_sealed_part_is_removed(client, web_ctx, smtp_server):
    post(client, "/sign-in", {"email": TEACHER, "password": PASSWORD})
    post(client, "/register", {"email": NEW, "name": "Nina Nurse"})
    smtp_server.handler.bouncing.add(NEW)
    deliver(worker_context(web_ctx, smtp_server, web_ctx.mail_key))
    [sent] = [m for m in smtp_server.received if m["To"] == TEACHER]
    assert sent["Subject"].startswith("Your sign-in code is ")
    rows = {row.payload["to"]: row for row in outbox_rows(web_ctx)}
    assert (rows[TEACHER].state, rows[NEW].state) == ("sent", "dead")
    assert rows[TEACHER].payload == {"to": TEACHER, "sealed": ""}
    assert rows[NEW].payload == {"to": NEW, "sealed": ""}
    with pytest.raises(InvalidInput, match="nothing is left to send"):
        deliveries.retry(web_ctx, SYSTEM, rows[NEW].id, "mailbox fixed")


@pytest.mark.parametrize("worker_key", [b"another-key-entirely", None], ids=["wrong", "missing"])
def test_a_worker_without_the_right_key_gives_up_with_a_reason_and_sends_the_rest(
        client, web_ctx, people, smtp_server, monkeypatch, caplog, worker_key):
    post(client, "/sign-in", {"email": TEACHER, "password": PASSWORD})
    reference = contacts.submit(web_ctx, people["teacher"], new_contact(web_ctx.now())).reference
    if worker_key is None:
        monkeypatch.delenv("FFD_MAIL_KEY")
        previous = keyring.get_keyring()
        keyring.set_keyring(NoKeyring())
    try:
        with caplog.at_level(logging.WARNING):
            deliver(worker_context(web_ctx, smtp_server, worker_key))
    finally:
        if worker_key is None:
            keyring.set_keyring(previous)
    [acknowledgement] = smtp_server.received  # the other message still went
    assert reference in acknowledgement["Subject"]
    [account] = [d for d in deliveries.list_outbox(web_ctx, SYSTEM) if d.purpose == "Account email"]
    assert account.state == "dead"
    reason = "another mail key" if worker_key else "the mail-key is not set"
    assert reason in account.last_error and "asks for a new one" in account.last_error
    assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)


def test_a_sealed_email_readdressed_in_the_database_is_not_sent(client, web_ctx, smtp_server):
    post(client, "/password-reset", {"email": TEACHER})
    [row] = outbox_rows(web_ctx)
    with web_ctx.write() as session:  # someone who can write to the database
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(
            payload={**row.payload, "to": "mallory@evil.example"}))
    deliver(worker_context(web_ctx, smtp_server, web_ctx.mail_key))
    assert smtp_server.received == []
    [dead] = deliveries.list_outbox(web_ctx, SYSTEM)
    assert dead.state == "dead" and "does not open" in dead.last_error


def test_an_account_email_queued_before_sealing_is_sent_then_cleared(web_ctx, smtp_server):
    """Rows queued by an earlier version (in clear) still go, and are then cleared."""
    with web_ctx.write() as session:
        outbox.enqueue(web_ctx, session, outbox.EMAIL, "web:code:queued-in-clear", {
            "to": TEACHER, "subject": "Your sign-in code is 123456", "text": "Your code is 123456."})
    deliver(worker_context(web_ctx, smtp_server, web_ctx.mail_key))
    assert [m["Subject"] for m in smtp_server.received] == ["Your sign-in code is 123456"]
    [row] = outbox_rows(web_ctx)
    assert row.payload == {"to": TEACHER, "sealed": ""}
