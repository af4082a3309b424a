"""Fault-injection points for crash-safety tests.

A test runs a real subprocess with ``FFD_FAULT=<point>``; reaching that point kills the
process outright (SIGKILL: no cleanup, no rollback handler), as a power cut would.
"""

from __future__ import annotations

import os
import signal


def checkpoint(point: str) -> None:
    if os.environ.get("FFD_FAULT") == point:
        os.kill(os.getpid(), signal.SIGKILL)
