"""The outbox worker: runs the timed jobs that are due, then delivers what is due, as the
system, until nothing is left; then waits for the store to change (or a few seconds).

Each message is claimed (a lease: see ffd_core.services.outbox), handed to the sender for
its kind, and its result recorded in a transaction of its own right after the peer
answers. So a worker killed at any point loses nothing: what it held is claimed again
when the lease runs out (at once on SQLite, where the worker knows it is the only one),
and a message can go twice only if the kill falls between the peer's acceptance and that
commit (``checkpoint("deliver.after_accept")`` marks the spot for the test that shows it).

Senders plug in by kind: email now; the case-system push adds a second sender and no
change here. Rows of kinds no sender handles stay pending, untouched.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from filelock import FileLock, Timeout

from ffd_core.connectors.delivery import Channel, DeliveryError, Sender
from ffd_core.domain.access import SYSTEM
from ffd_core.errors import ConfigurationError
from ffd_core.faults import checkpoint
from ffd_core.services import outbox, timed_jobs
from ffd_core.services.context import Context
from ffd_core.services.outbox import Claimed, retry_delay
from ffd_core.services.watch import ChangeWatcher
from ffd_core.store.engine import is_sqlite

log = logging.getLogger(__name__)

# A message is started only with at least this many SMTP timeouts left on its lease (the
# settings keep the lease at ten or more), so no second worker can take it mid-send.
MESSAGE_BUDGET_TIMEOUTS = 6


class WorkerRunning(ConfigurationError):
    """SQLite takes one worker, and another has the store."""


@dataclass
class PassReport:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    jobs: dict[str, int] = field(default_factory=dict)
    paused: list[str] = field(default_factory=list)  # kinds whose peer was down

    def add(self, state: outbox.DeliveryState | None) -> None:
        if state is outbox.DeliveryState.DEAD:
            self.dead += 1
        elif state is outbox.DeliveryState.PENDING:
            self.retrying += 1


class Worker:
    def __init__(self, ctx: Context, senders: Sequence[Sender], *, run_jobs: bool = True,
                 jitter: Callable[[], float] = random.random) -> None:
        self.ctx = ctx
        self.senders = list(senders)
        self.run_jobs = run_jobs
        self.jitter = jitter
        self.id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._lock: FileLock | None = None
        # A peer that was down is left alone until then (one outage costs each message
        # nothing, instead of an attempt per message per pass).
        self._peer_back_at: dict[str, datetime] = {}
        self._peer_failures: dict[str, int] = {}
        self.stopping = threading.Event()

    # ------------------------------------------------------------------ lifetime
    def start(self) -> Worker:
        """On SQLite, hold the store's worker lock (released by the OS if this process
        dies), then take back what a dead worker left mid-delivery."""
        if is_sqlite(self.ctx.engine):
            path = Path(self.ctx.engine.url.database or "ffd").with_suffix(".worker.lock")
            lock = FileLock(str(path))
            try:
                lock.acquire(timeout=0)
            except Timeout:
                raise WorkerRunning(
                    f"another worker is already delivering from {self.ctx.engine.url.database} "
                    "(SQLite runs one: stop the other, e.g. a running `ffd demo`, or use "
                    "PostgreSQL for several)") from None
            self._lock = lock
            taken_back = outbox.release_abandoned(self.ctx, SYSTEM)
            if taken_back:
                log.warning("%d message(s) a stopped worker was sending are due again", taken_back)
        return self

    def close(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Worker:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ work
    def run_pass(self) -> PassReport:
        """Timed jobs that are due, then every due message of every sender's kind."""
        report = PassReport()
        if self.run_jobs:
            report.jobs = timed_jobs.run_due(self.ctx, SYSTEM)
        for sender in self.senders:
            back_at = self._peer_back_at.get(sender.kind)
            if back_at is not None and self.ctx.now() < back_at:
                continue
            self._drain(sender, report)
        return report

    def run(self, on_pass: Callable[[PassReport], None] | None = None) -> None:
        """Pass after pass until ``stop()``; between passes, wait for the store to change
        (LISTEN/NOTIFY on PostgreSQL, the change feed on SQLite) or the poll time."""
        watcher = ChangeWatcher(self.ctx)
        try:
            while not self.stopping.is_set():
                try:
                    report = self.run_pass()
                    if on_pass is not None:
                        on_pass(report)
                except Exception:  # noqa: BLE001 - a dropped database must not end the worker
                    log.exception("outbox worker pass failed; trying again shortly")
                    self.stopping.wait(self.ctx.settings.worker_poll_seconds)
                    continue
                deadline = time.monotonic() + self.ctx.settings.worker_poll_seconds
                while not self.stopping.is_set() and time.monotonic() < deadline:
                    if watcher.wait(min(1.0, max(deadline - time.monotonic(), 0.0))) is not None:
                        break
        finally:
            watcher.close()

    def stop(self) -> None:
        """Finish the message in hand, put back the rest of the batch, leave the loop."""
        self.stopping.set()

    def _drain(self, sender: Sender, report: PassReport) -> None:
        """Batch after batch over one channel (one SMTP connection) until nothing is due."""
        batch = self.ctx.settings.outbox_batch_size
        channel = sender.open()
        try:
            while not self.stopping.is_set():
                items = outbox.claim(self.ctx, SYSTEM, self.id, [sender.kind], batch)
                if not items or not self._deliver(sender.kind, channel, items, report):
                    return
                if len(items) < batch:
                    return
        finally:
            channel.close()

    def _deliver(self, kind: str, channel: Channel, items: list[Claimed],
                 report: PassReport) -> bool:
        """Deliver a claimed batch in order; False if it stopped early (the rest put back)."""
        budget = timedelta(seconds=MESSAGE_BUDGET_TIMEOUTS * self.ctx.settings.smtp_timeout_seconds)
        for index, item in enumerate(items):
            if self.stopping.is_set() or item.lease_until - self.ctx.now() < budget:
                outbox.release(self.ctx, SYSTEM, self.id, items[index:])
                return False
            try:
                channel.deliver(item)
            except DeliveryError as error:
                report.add(outbox.record_failure(
                    self.ctx, SYSTEM, self.id, item, error.reason, permanent=error.permanent,
                    bounced=error.bounced, jitter=self.jitter()))
                if error.peer_down:
                    self._peer_down(kind, error.reason)
                    report.paused.append(kind)
                    outbox.release(self.ctx, SYSTEM, self.id, items[index + 1:])
                    return False
                continue
            except Exception as error:  # noqa: BLE001 - a fault of ours: logged, retried, never lost
                log.exception("outbox %s: unexpected error while delivering", item.id)
                report.add(outbox.record_failure(self.ctx, SYSTEM, self.id, item,
                                                 f"internal error: {error!r}", permanent=False,
                                                 jitter=self.jitter()))
                continue
            checkpoint("deliver.after_accept")  # the duplicate window: accepted, not recorded
            outbox.record_sent(self.ctx, SYSTEM, self.id, item)
            report.sent += 1
            self._peer_failures.pop(kind, None)
            self._peer_back_at.pop(kind, None)
        return True

    def _peer_down(self, kind: str, reason: str) -> None:
        settings = self.ctx.settings
        failures = self._peer_failures.get(kind, 0) + 1
        self._peer_failures[kind] = failures
        wait = retry_delay(failures, settings.outbox_retry_seconds,
                           settings.outbox_retry_max_seconds, self.jitter())
        self._peer_back_at[kind] = self.ctx.now() + wait
        log.warning("%s peer unavailable (%s); trying again in %d s", kind, reason,
                    wait.total_seconds())
