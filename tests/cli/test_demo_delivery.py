"""The demo's worker and SMTP sink run in a process beside the console; when the console
dies without a word (SIGKILL, a closed terminal) they stop too and free the store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ffd_core.connectors.outbox_worker import Worker, WorkerRunning
from ffd_core.services import contacts
from tests.conftest import AUDIT_KEY
from tests.factories import new_contact

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the one-worker lock is SQLite's
def test_the_demo_mail_process_sends_and_stops_when_the_console_is_killed(
        ctx, people, database_url, tmp_path):
    contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FFD_DATABASE_URL": database_url,
           "FFD_DATA_DIR": str(tmp_path), "FFD_AUDIT_KEY": AUDIT_KEY.decode(),
           "FFD_CONFIG": str(tmp_path / "none.toml")}
    (tmp_path / "none.toml").write_text("")
    console = subprocess.Popen([sys.executable, str(ROOT / "tests/cli/demo_delivery_parent.py")],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    parent, _child, note = console.stdout.readline().split(" ", 2)
    assert "local SMTP sink" in note
    maildir = tmp_path / "demo-mail" / "new"
    deadline = time.monotonic() + 60
    while not any(maildir.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(list(maildir.iterdir())) == 1  # the acknowledgement, really sent

    os.kill(int(parent), signal.SIGKILL)
    console.wait(timeout=30)
    assert worker_lock_freed(ctx, within=60)  # the mail process stopped with its console


def worker_lock_freed(ctx, within: float) -> bool:  # noqa: ANN001
    """Whether a worker can take the store's lock (its holder is gone) within the time."""
    deadline = time.monotonic() + within
    while True:
        try:
            with Worker(ctx, [], run_jobs=False):
                return True
        except WorkerRunning:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
