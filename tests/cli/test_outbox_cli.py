"""`ffd worker --once` and `ffd outbox list / show / retry`, in-process against a real store
and a real SMTP server on loopback."""

from __future__ import annotations

import pytest

from ffd_core.services import contacts, web_accounts
from tests.cli.runner import ffd_with_config
from tests.conftest import PASSWORD
from tests.connectors.smtp_server import smtp_server  # noqa: F401 - a fixture
from tests.factories import new_contact


@pytest.fixture
def run(database_url, monkeypatch, tmp_path, smtp_server):  # noqa: ANN001, ANN201
    return ffd_with_config(monkeypatch, database_url, tmp_path / "ffd.toml",
                           f'smtp_host = "127.0.0.1"\nsmtp_port = {smtp_server.port}\n'
                           'smtp_security = "none"\n')


def test_a_pass_sends_a_bounce_is_listed_and_a_retry_sends_it(run, ctx, people, smtp_server):
    reference = contacts.submit(ctx, people["teacher"], new_contact(ctx.now())).reference
    smtp_server.handler.bouncing.add("tess@hawthorn.sch.example")

    result = run("worker", "--once")
    assert result.exit_code == 0 and "sent 0, retrying 0, dead letters 1" in result.output
    listing = run("outbox", "list", "--state", "dead").output
    assert reference in listing and "bounced" in listing and "550" in listing
    assert "1 bounced" in listing

    refused = run("outbox", "retry", "1", "--reason", "")
    assert refused.exit_code == 2 and "say why" in refused.output
    assert run("outbox", "retry", "1", "--reason", "mailbox fixed").exit_code == 0
    smtp_server.handler.bouncing.clear()
    assert "sent 1" in run("worker", "--once").output
    assert len(smtp_server.received) == 1
    shown = run("outbox", "show", "1").output
    assert f"Subject: We have received your concern: {reference}" in shown
    assert "If a child is in immediate danger" in shown


def test_retrying_what_did_not_fail_is_one_clear_line(run, ctx, people):
    contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    result = run("outbox", "retry", "1", "--reason", "again")
    assert result.exit_code == 2 and "not a dead letter" in result.output
    assert "Traceback" not in result.output


def test_without_an_smtp_host_emails_wait_and_timed_jobs_still_run(run, ctx, people, monkeypatch,
                                                                   tmp_path):
    contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    monkeypatch.setenv("FFD_CONFIG", str(empty))
    result = run("worker", "--once")
    assert result.exit_code == 0 and "emails wait in the outbox" in result.output
    assert "timed jobs: chase_by 0, due_soon 0" in result.output
    assert "queued" in run("outbox", "list").output


def test_a_list_cut_at_its_limit_says_so(run, ctx, people):
    for _ in range(3):
        contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    cut = run("outbox", "list", "--limit", "2")
    assert "The newest 2 shown; --limit N shows more" in cut.stderr
    assert "newest" not in run("outbox", "list", "--limit", "100").stderr


def test_an_account_email_is_listed_and_shown_only_as_sealed(run, ctx, smtp_server):
    web_accounts.start_sign_in(ctx, "tess@hawthorn.sch.example", PASSWORD)
    listing, shown = run("outbox", "list").output, run("outbox", "show", "1").output
    assert "Account email" in listing and "Subject: account email (sealed)" in shown
    assert "sign-in code is" not in listing + shown and "Your code" not in shown
    assert "sent 1" in run("worker", "--once").output  # the worker opens it with the mail key
    [mail] = smtp_server.received
    assert mail["Subject"].startswith("Your sign-in code is ")
    assert "removed when it was sent" in run("outbox", "show", "1").output
