"""A stand-in for `ffd demo`'s console: start the demo's mail process, say its pid, wait to
be killed (see test_demo_delivery)."""

from __future__ import annotations

import os
import time

from ffd_cli.outbox import DemoDelivery
from ffd_core.settings import load_settings

if __name__ == "__main__":
    delivery = DemoDelivery(load_settings())
    print(os.getpid(), delivery.process.pid, delivery.note, flush=True)
    time.sleep(600)
