"""A local SMTP server that keeps every message it is sent: the demo's mail server, so the
real worker and the real SMTP client run end to end with nothing leaving the machine.

Messages land in a Maildir (one file per message, readable by any mail client or a text
editor); ``ffd outbox list`` and the console's sent-messages screen show what went out.
"""

from __future__ import annotations

import socket
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """A port nothing listens on now (aiosmtpd needs one named up front)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class LocalSink:
    def __init__(self, maildir: Path, *, port: int | None = None) -> None:
        self.maildir = Path(maildir)
        for folder in ("tmp", "new", "cur"):  # a Maildir, even where an empty folder was
            (self.maildir / folder).mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self._controller = Controller(Mailbox(self.maildir), hostname=LOOPBACK, port=self.port)

    def start(self) -> LocalSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def host(self) -> str:
        return LOOPBACK
