"""A process killed (SIGKILL) inside a use case leaves the whole change or nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ffd_core import audit
from ffd_core.services import contacts, ownership
from ffd_core.store.tables import AuditEvent, CaseSystemTransfer, Contact, Decision, OutboxMessage
from tests.conftest import AUDIT_KEY
from tests.factories import new_contact

ROOT = Path(__file__).resolve().parents[2]


def run_child(database_url, action, at, arg="", fault=None):  # noqa: ANN001, ANN201
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FFD_FAULT", None)
    if fault:
        env["FFD_FAULT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "tests.services.crash_child", database_url, action, at.isoformat(), arg],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def counts(ctx) -> tuple[int, int, int, int]:  # noqa: ANN001
    with ctx.read() as session:
        return tuple(session.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (Contact, AuditEvent, OutboxMessage, Decision))


@pytest.mark.parametrize("fault", ["submit.after_contact", "submit.before_commit"])
def test_killed_submit_leaves_nothing(ctx, database_url, fault):
    before = counts(ctx)
    result = run_child(database_url, "submit", ctx.now(), fault=fault)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert counts(ctx) == before
    with ctx.read() as session:
        assert audit.verify(session, AUDIT_KEY).ok
    # And the same submission without the fault lands whole.
    assert run_child(database_url, "submit", ctx.now()).returncode == 0
    contacts_after, events_after, outbox_after, _ = counts(ctx)
    assert (contacts_after, events_after, outbox_after) == (before[0] + 1, before[1] + 1, before[2] + 1)


@pytest.mark.parametrize("fault", ["decide.after_decisions", "decide.before_commit"])
def test_killed_decide_leaves_contact_in_screening(ctx, people, database_url, fault):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    before = counts(ctx)
    result = run_child(database_url, "decide", ctx.now(), str(receipt.contact_id), fault=fault)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert counts(ctx) == before
    with ctx.read() as session:
        assert session.get(Contact, receipt.contact_id).status == "screening"
        assert audit.verify(session, AUDIT_KEY).ok
    assert run_child(database_url, "decide", ctx.now(), str(receipt.contact_id)).returncode == 0
    with ctx.read() as session:
        assert session.get(Contact, receipt.contact_id).status == "decided"
        kinds = set(session.execute(select(OutboxMessage.kind)).scalars())
        waiting = session.execute(select(CaseSystemTransfer.state)).scalars().all()
    assert kinds == {"email"}
    assert waiting == ["needs_person"]  # the child is linked to no case-system person yet
