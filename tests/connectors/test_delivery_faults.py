"""Faults, against a real SMTP server on loopback: refusals, a server that is down, a
worker killed mid-batch or between the server's acceptance and its commit, two workers.
Nothing is lost; a duplicate happens only in the documented window, with the same
Message-ID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from ffd_core.connectors.email import EmailSender
from ffd_core.connectors.outbox_worker import Worker, WorkerRunning
from ffd_core.errors import PermissionDenied
from ffd_core.services import contacts, deliveries
from ffd_core.services.context import Context
from ffd_core.services.outbox import DeliveryState
from ffd_core.store.engine import make_engine
from ffd_core.store.tables import AuditEvent, OutboxMessage
from tests.conftest import AUDIT_KEY
from tests.connectors.smtp_server import ACCEPT, BUSY, REFUSE_SENDER
from tests.factories import new_contact

ROOT = Path(__file__).resolve().parents[2]
TESS = "tess@hawthorn.sch.example"


def submit(ctx, people, count: int) -> None:  # noqa: ANN001
    with ctx.batch():
        for _ in range(count):
            contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))


def rows(ctx) -> list[OutboxMessage]:  # noqa: ANN001
    with ctx.read() as session:
        return list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def later(ctx, hours: float = 2) -> None:  # noqa: ANN001
    """Past any backoff or pause (the cap is an hour) and any lease (ten minutes)."""
    ctx.clock.advance(hours=hours)


def child(ctx, database_url, smtp_server, *, fault=None, batch=20) -> subprocess.Popen:  # noqa: ANN001
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FFD_FAULT", None)
    if fault:
        env["FFD_FAULT"] = fault
    return subprocess.Popen(
        [sys.executable, "-m", "tests.connectors.worker_child", database_url,
         ctx.now().isoformat(), str(smtp_server.port), str(batch)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_refused_busy_then_down_then_accepting_every_email_arrives_once(ctx, people, smtp_server):
    submit(ctx, people, 5)
    handler = smtp_server.handler
    with Worker(ctx, [EmailSender(ctx)], run_jobs=False) as worker:
        handler.mode = BUSY  # 451 for every recipient: each message waits its turn again
        report = worker.run_pass()
        assert (report.sent, report.retrying) == (0, 5)
        assert all(r.state == "pending" and r.attempts == 1 and "451" in r.last_error
                   for r in rows(ctx))

        later(ctx)
        handler.mode = REFUSE_SENDER  # 550 to our sender: the relay's problem, not a message's
        report = worker.run_pass()
        assert (report.sent, report.paused) == (0, ["email"])
        assert sorted(r.attempts for r in rows(ctx)) == [1, 1, 1, 1, 2]  # the rest put back

        later(ctx)
        smtp_server.stop()  # connection refused
        assert worker.run_pass().paused == ["email"]
        assert any("cannot reach" in (r.last_error or "") for r in rows(ctx))

        later(ctx)
        smtp_server.start()
        handler.mode = ACCEPT
        assert worker.run_pass().sent == 5

    assert all(r.state == DeliveryState.SENT for r in rows(ctx))
    assert handler.message_ids() == {r.email_message_id: 1 for r in rows(ctx)}


def test_a_permanent_refusal_is_a_dead_letter_with_its_reason_until_a_supervisor_retries(
        ctx, people, smtp_server):
    submit(ctx, people, 1)
    smtp_server.handler.bouncing.add(TESS)
    with Worker(ctx, [EmailSender(ctx)], run_jobs=False) as worker:
        assert worker.run_pass().dead == 1
        [row] = rows(ctx)
        assert (row.state, row.bounced, row.attempts) == ("dead", True, 1)
        assert row.last_error == f"the server refused {TESS}: 550 5.1.1 No such mailbox here"
        later(ctx)
        assert worker.run_pass().sent == 0  # a dead letter stays put

        with pytest.raises(PermissionDenied):
            deliveries.retry(ctx, people["olivia"], row.id, "school fixed its mailbox")
        smtp_server.handler.bouncing.clear()
        retried = deliveries.retry(ctx, people["sam"], row.id, "school fixed its mailbox")
        assert retried.status == "queued"
        assert worker.run_pass().sent == 1

    assert len(smtp_server.received) == 1
    with ctx.read() as session:
        actions = session.execute(select(AuditEvent.action, AuditEvent.actor_name).where(
            AuditEvent.subject == f"outbox:{row.id}").order_by(AuditEvent.seq)).all()
    assert actions == [("delivery_failed", "system"), ("delivery_retried", "Sam Supervisor"),
                       ("message_delivered", "system")]


def test_killed_between_the_servers_acceptance_and_the_commit_sends_that_one_twice(
        ctx, people, smtp_server, database_url):
    """The documented duplicate window, shown: the only way an email goes twice."""
    submit(ctx, people, 3)
    killed = child(ctx, database_url, smtp_server, fault="deliver.after_accept")
    killed.wait(timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.read()
    [first] = smtp_server.received
    held = [r for r in rows(ctx) if r.state == "sending"]
    assert [r.email_message_id for r in held][:1] == [first["Message-ID"]]

    later(ctx, hours=0.25)  # PostgreSQL: the dead worker's lease runs out (SQLite: at once)
    with Worker(ctx, [EmailSender(ctx)], run_jobs=False) as worker:
        assert worker.run_pass().sent == 3

    counts = smtp_server.handler.message_ids()
    assert counts[first["Message-ID"]] == 2  # the same Message-ID: a mail client can tell
    assert sorted(counts.values()) == [1, 1, 2]
    assert all(r.state == "sent" for r in rows(ctx))


def test_a_worker_killed_mid_batch_and_restarted_loses_nothing(ctx, people, smtp_server, database_url):
    submit(ctx, people, 12)
    handler = smtp_server.handler
    process: list[subprocess.Popen] = []
    original = handler.handle_DATA

    async def kill_after_five(server, session, envelope):  # noqa: ANN001, ANN202
        reply = await original(server, session, envelope)
        if len(handler.received) == 5:
            process[0].send_signal(signal.SIGKILL)  # before the worker hears "250"
        return reply

    handler.handle_DATA = kill_after_five
    process.append(child(ctx, database_url, smtp_server, batch=50))
    process[0].wait(timeout=120)
    assert process[0].returncode == -signal.SIGKILL
    before = handler.message_ids()
    assert len(before) == 5
    handler.handle_DATA = original

    later(ctx, hours=0.25)
    with Worker(ctx, [EmailSender(ctx)], run_jobs=False) as worker:
        worker.run_pass()

    counts = handler.message_ids()
    assert set(counts) == {r.email_message_id for r in rows(ctx)}  # every one arrived
    twice = [mid for mid, n in counts.items() if n > 1]
    assert len(twice) <= 1 and set(twice) <= set(before)  # only the one in the window
    assert all(r.state == "sent" for r in rows(ctx))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # PostgreSQL runs many
def test_sqlite_runs_one_worker_and_says_so(ctx):
    with Worker(ctx, [], run_jobs=False):
        with pytest.raises(WorkerRunning, match="SQLite runs one"):
            Worker(ctx, [], run_jobs=False).start()
    with Worker(ctx, [], run_jobs=False):  # the first one's lock went with it
        pass


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_two_workers_on_postgres_never_deliver_a_message_twice(
        ctx, people, smtp_server, database_url, settings):
    submit(ctx, people, 60)
    from dataclasses import replace

    small_batches = replace(settings, outbox_batch_size=3)
    workers = [Worker(Context(make_engine(database_url), small_batches, AUDIT_KEY, ctx.clock),
                      [], run_jobs=False) for _ in range(2)]
    for worker in workers:
        worker.senders = [EmailSender(worker.ctx)]
    reports = []
    start = threading.Barrier(2)

    def run(worker: Worker) -> None:
        start.wait()
        reports.append(worker.run_pass())

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    counts = smtp_server.handler.message_ids()
    assert len(counts) == 60 and set(counts.values()) == {1}
    assert sum(r.sent for r in reports) == 60
    assert all(r.sent > 0 for r in reports)  # both took part
    assert all(r.state == "sent" for r in rows(ctx))
