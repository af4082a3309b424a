"""Run one outbox worker pass in a child process, so a test can kill it (SIGKILL) at a
fault point (FFD_FAULT) or from outside, as a power cut would."""

from __future__ import annotations

import sys
from datetime import datetime

from ffd_core.clock import FixedClock
from ffd_core.connectors.email import EmailSender
from ffd_core.connectors.outbox_worker import Worker
from ffd_core.services.context import Context
from ffd_core.settings import Settings
from ffd_core.store.engine import make_engine
from tests.conftest import AUDIT_KEY


def main(url: str, at: str, port: str, batch: str = "20") -> None:
    settings = Settings(database_url=url, smtp_host="127.0.0.1", smtp_port=int(port),
                        smtp_security="none", smtp_timeout_seconds=10,
                        outbox_batch_size=int(batch))
    ctx = Context(make_engine(url), settings, AUDIT_KEY, FixedClock(datetime.fromisoformat(at)))
    with Worker(ctx, [EmailSender(ctx)], run_jobs=False) as worker:
        report = worker.run_pass()
    print(f"sent {report.sent}")


if __name__ == "__main__":
    main(*sys.argv[1:])
