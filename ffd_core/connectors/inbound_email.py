"""The secure-email receiver: an SMTP or LMTP server (aiosmtpd) that the council's mail relay
forwards partners' mail to. What it does at the door, before services.intake judges a message:

- it talks only to the relay: any other address gets "550" at MAIL FROM (and a log line);
- it advertises and enforces the size limit (SIZE, default 25 MB): a larger message is
  refused with "552" — the relay returns it to the sender — and a quarantine record says
  it came, from whom, and that its content was not kept;
- it answers "250" only once the message is kept in the store; if the store cannot keep
  it, "451": the relay tries again later, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Iterable

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP

from ffd_core.domain.access import SYSTEM
from ffd_core.services import intake
from ffd_core.services.context import Context
from ffd_core.services.intake import Arrival, Scanner

log = logging.getLogger(__name__)

MAX_RECIPIENTS = 100


class IntakeHandler:
    """aiosmtpd's handler: checks the peer, then keeps and files each message off the
    event loop (the store is synchronous)."""

    def __init__(self, ctx: Context, relay_hosts: Iterable[str], scanner: Scanner | None = None,
                 *, lmtp: bool = False) -> None:
        self.ctx, self.scanner, self.lmtp = ctx, scanner, lmtp
        self.relay_hosts = frozenset(relay_hosts)
        self.filed: list[intake.Filed] = []  # what this server filed, newest last
        self.lock = threading.Condition()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: ANN001, ANN201
        peer = session.peer[0] if session.peer else "?"
        if peer not in self.relay_hosts:
            log.warning("refused mail from %s: not the council's relay", peer)
            return "550 5.7.1 This server takes mail only from the council's relay"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        raw = envelope.original_content or b""
        arrival = Arrival(session.peer[0], envelope.mail_from or "", tuple(envelope.rcpt_tos),
                          raw, len(raw))
        return await self._keep(arrival, envelope, "250 2.0.0 Kept")

    async def handle_oversized(self, session, envelope, mail_arg: str | None) -> None:  # noqa: ANN001
        """Refused as too large (announced at MAIL FROM, or found in DATA): kept as a record
        without content, if it came from the relay."""
        peer = session.peer[0] if session.peer else "?"
        if peer not in self.relay_hosts:
            return
        arg = mail_arg or ""
        announced = re.search(r"\bSIZE=(\d+)", arg, re.IGNORECASE)
        sender = re.search(r"FROM:\s*<([^>]*)>", arg, re.IGNORECASE)
        mail_from = (envelope.mail_from if envelope is not None and envelope.mail_from else
                     sender.group(1) if sender else "")
        recipients = tuple(envelope.rcpt_tos) if envelope is not None else ()
        size = int(announced.group(1)) if announced else self.ctx.settings.intake_max_bytes + 1
        await self._keep(Arrival(peer, mail_from, recipients, None, size), envelope, "")

    async def _keep(self, arrival: Arrival, envelope, accepted: str) -> str:  # noqa: ANN001
        try:
            filed = await asyncio.to_thread(intake.receive, self.ctx, SYSTEM, arrival, self.scanner)
        except Exception:  # noqa: BLE001 - the relay keeps it and tries again: nothing lost
            log.exception("could not keep an email from %s", arrival.mail_from)
            return self._each(envelope, "451 4.3.0 Could not keep the message; try again later")
        with self.lock:
            self.filed.append(filed)
            self.lock.notify_all()
        return self._each(envelope, accepted)

    def _each(self, envelope, status: str) -> str:  # noqa: ANN001
        """LMTP answers DATA once per recipient."""
        if not self.lmtp or not status or envelope is None:
            return status
        return "\r\n".join([status] * max(len(envelope.rcpt_tos), 1))

    def wait_for(self, count: int, timeout: float) -> bool:
        with self.lock:
            return self.lock.wait_for(lambda: len(self.filed) >= count, timeout)


def _with_size_record(base: type[SMTP]) -> type[SMTP]:
    """aiosmtpd refuses an oversized message with 552 (at MAIL FROM when its SIZE is
    announced, else after DATA) without asking the handler; this tells the handler first, so
    the refusal leaves a visible record."""

    class Server(base):  # type: ignore[misc, valid-type]
        _mail_arg: str | None = None

        async def smtp_MAIL(self, arg: str) -> None:
            self._mail_arg = arg
            try:
                await super().smtp_MAIL(arg)
            finally:
                self._mail_arg = None

        async def push(self, status: str) -> None:
            if status.startswith("552") and self.session is not None:  # too large
                await self.event_handler.handle_oversized(self.session, self.envelope,
                                                          self._mail_arg)
            await super().push(status)

    return Server


class _Controller(Controller):
    def __init__(self, server_class: type[SMTP], handler: IntakeHandler, **options) -> None:  # noqa: ANN003
        self.server_class = server_class
        super().__init__(handler, **options)

    def factory(self) -> SMTP:
        return self.server_class(self.handler, **self.SMTP_kwargs)


class IntakeServer:
    """``ffd intake serve``: listens on intake_host:intake_port until stopped."""

    def __init__(self, ctx: Context, scanner: Scanner | None = None, *, port: int | None = None) -> None:
        settings = ctx.settings
        self.lmtp = settings.intake_protocol == "lmtp"
        self.handler = IntakeHandler(ctx, settings.intake_relay_hosts, scanner, lmtp=self.lmtp)
        self.host, self.port = settings.intake_host, port or settings.intake_port
        self._controller = _Controller(
            _with_size_record(LMTP if self.lmtp else SMTP), self.handler,
            hostname=self.host, port=self.port, data_size_limit=settings.intake_max_bytes,
            enable_SMTPUTF8=True, server_hostname="ffd-intake")

    def start(self) -> IntakeServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
