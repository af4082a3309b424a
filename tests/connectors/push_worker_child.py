"""Run one case-system push pass in a child process, so a test can kill it (SIGKILL) at a
fault point (FFD_FAULT) or from outside."""

from __future__ import annotations

import sys
from datetime import datetime

from ffd_core.clock import FixedClock
from ffd_core.connectors.case_system import CaseSystemSender
from ffd_core.connectors.outbox_worker import Worker
from ffd_core.services.context import Context
from ffd_core.settings import Settings
from ffd_core.store.engine import make_engine
from tests.conftest import AUDIT_KEY


def main(url: str, at: str, case_system_url: str) -> None:
    settings = Settings(database_url=url, case_system_url=case_system_url,
                        case_system_timeout_seconds=5, outbox_batch_size=50)
    ctx = Context(make_engine(url), settings, AUDIT_KEY, FixedClock(datetime.fromisoformat(at)))
    with Worker(ctx, [CaseSystemSender(ctx)], run_jobs=False) as worker:
        report = worker.run_pass()
    print(f"sent {report.sent}")


if __name__ == "__main__":
    main(*sys.argv[1:])
