"""Waking live screens when another officer acts, within a second and cheaply.

PostgreSQL: LISTEN on the change channel on a connection of its own (services NOTIFY on
commit). SQLite: poll the change feed's high-water mark, one indexed read. Either way the
caller then asks the change feed what moved and refreshes only that.
"""

from __future__ import annotations

import time

from ffd_core.services.context import CHANGE_CHANNEL, Context
from ffd_core.services.queue import last_change
from ffd_core.store.engine import is_postgres

POLL_SECONDS = 0.25


class ChangeWatcher:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.seen = last_change(ctx)
        self._listener = None
        if is_postgres(ctx.engine):
            import psycopg

            url = ctx.engine.url  # already carries the password from the keyring, if any
            self._listener = psycopg.connect(
                host=url.host, port=url.port, user=url.username, password=url.password,
                dbname=url.database, autocommit=True)
            self._listener.execute(f"LISTEN {CHANGE_CHANNEL}")

    def wait(self, timeout: float) -> int | None:
        """Block up to ``timeout`` seconds; the new high-water mark if anything changed."""
        deadline = time.monotonic() + timeout
        if self._listener is not None:
            for _ in self._listener.notifies(timeout=timeout, stop_after=1):
                break
        else:
            while time.monotonic() < deadline and last_change(self.ctx) == self.seen:
                time.sleep(min(POLL_SECONDS, max(deadline - time.monotonic(), 0)))
        current = last_change(self.ctx)
        if current == self.seen:
            return None
        self.seen = current
        return current

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
