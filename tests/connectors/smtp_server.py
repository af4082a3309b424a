"""A real SMTP server on loopback (aiosmtpd) whose answers a test can change: accept,
say "try later" (4xx), refuse our sender (5xx), bounce a mailbox (5xx), or be down."""

from __future__ import annotations

import threading
from collections import Counter
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from ffd_core.connectors.smtp_sink import LOOPBACK, free_port

ACCEPT = "accept"
BUSY = "busy"  # 451 to every recipient
REFUSE_SENDER = "refuse_sender"  # 550 to MAIL FROM: the relay will not take our sender


class Handler:
    def __init__(self) -> None:
        self.mode = ACCEPT
        self.bouncing: set[str] = set()  # 550 no such mailbox
        self.received: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: ANN001, ANN201
        if self.mode == REFUSE_SENDER:
            return "550 5.7.1 Sender not permitted to relay"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201
        if self.mode == BUSY:
            return "451 4.3.0 Mail server temporarily busy, try again later"
        if address in self.bouncing:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        message = message_from_bytes(envelope.content, policy=default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self.changed:
            self.received.append(message)
            self.changed.notify_all()
        return "250 2.0.0 Queued"

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(m["Message-ID"] for m in self.received)

    def wait_for(self, count: int, timeout: float = 30.0) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: len(self.received) >= count, timeout)


class SmtpServer:
    """``options`` go to aiosmtpd: tls_context (STARTTLS), ssl_context (implicit TLS),
    authenticator, auth_required..."""

    def __init__(self, **options) -> None:  # noqa: ANN003
        self.handler = Handler()
        self.port = free_port()
        self.options = options
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        self._controller = Controller(self.handler, hostname=LOOPBACK, port=self.port,
                                      **self.options)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[EmailMessage]:
        return self.handler.received


@pytest.fixture
def smtp_server():  # noqa: ANN201
    """A server that accepts, for the test to change (import this fixture where needed)."""
    server = SmtpServer().start()
    yield server
    server.stop()
