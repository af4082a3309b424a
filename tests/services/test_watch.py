"""Another officer's change wakes a waiting screen within a second, on both backends."""

from __future__ import annotations

import threading
import time

from ffd_core.services import contacts
from ffd_core.services.watch import ChangeWatcher
from tests.factories import new_contact


def test_change_wakes_watcher_quickly_and_quiet_times_out(ctx, people):
    watcher = ChangeWatcher(ctx)
    try:
        started = time.monotonic()
        assert watcher.wait(0.3) is None
        assert time.monotonic() - started >= 0.25
        submitted = threading.Timer(0.2, lambda: contacts.submit(
            ctx, people["teacher"], new_contact(ctx.now())))
        submitted.start()
        started = time.monotonic()
        mark = watcher.wait(5)
        waited = time.monotonic() - started
        submitted.join()
        assert mark is not None and mark == watcher.seen
        assert waited < 1.5
    finally:
        watcher.close()
