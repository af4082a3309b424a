"""Email to referrers over SMTP, with the standard library's smtplib.

Why smtplib and not aiosmtplib: the worker is a plain loop over a synchronous store
(SQLAlchemy sessions), sending one message at a time over one reused connection, at most a
few thousand a day. smtplib does STARTTLS, implicit TLS, AUTH and per-recipient replies,
ships with Python and is maintained with it; an asyncio client would add an event loop and
a dependency to gain concurrency this volume does not need (throughput: benchmarks/).

Security: "none" (no TLS) is refused for any host but this machine; STARTTLS is required
when configured — a server that does not offer it (or a man in the middle who strips it)
gets nothing; certificates and host names are verified against the system's CAs or
``smtp_ca_file``. Every message goes to exactly one parsed address, and header values
cannot carry line breaks (email.policy refuses them).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime

from markupsafe import escape

from ffd_core.connectors.delivery import DeliveryError
from ffd_core.domain.access import SYSTEM
from ffd_core.domain.addresses import is_loopback, mailbox
from ffd_core.errors import ConfigurationError
from ffd_core.secrets import get_secret
from ffd_core.services import outbox, referrer_mail
from ffd_core.services.context import Context
from ffd_core.services.outbox import Claimed
from ffd_core.services.referrer_mail import Letter, Undeliverable

log = logging.getLogger(__name__)


class EmailSender:
    kind = outbox.EMAIL

    def __init__(self, ctx: Context) -> None:
        settings = ctx.settings
        if not settings.smtp_host:
            raise ConfigurationError("smtp_host is not set, so email cannot be sent; set it in "
                                     "the config file (see README, Configuration)")
        self.password = get_secret("smtp-password") if settings.smtp_username else None
        if settings.smtp_username and not self.password:
            raise ConfigurationError("smtp_username is set but the smtp-password is not: run "
                                     "`ffd secret set smtp-password` or set FFD_SMTP_PASSWORD")
        self.ctx = ctx
        self.tls = ssl.create_default_context(cafile=settings.smtp_ca_file or None)

    def open(self) -> SmtpChannel:
        return SmtpChannel(self.ctx, self.password, self.tls)


class SmtpChannel:
    """One SMTP connection for a batch, opened on the first message and dropped after any
    error, so the next message starts from a clean session."""

    def __init__(self, ctx: Context, password: str | None, tls: ssl.SSLContext) -> None:
        self.ctx, self.password, self.tls = ctx, password, tls
        self.settings = ctx.settings
        self.sender = mailbox(self.settings.smtp_sender) or ""
        self._smtp: smtplib.SMTP | None = None

    def deliver(self, item: Claimed) -> None:
        try:
            letter = referrer_mail.letter_to_send(self.ctx, SYSTEM, item.id)
            message = self._message(letter, item.email_message_id)
        except Undeliverable as error:
            raise DeliveryError(str(error), permanent=True) from error
        except ValueError as error:  # a header value email.policy refuses (a line break...)
            raise DeliveryError(f"the message cannot be built: {error}", permanent=True) from error
        smtp = self._connection()
        try:
            smtp.send_message(message, from_addr=self.sender, to_addrs=[letter.to])
        except (smtplib.SMTPException, OSError) as error:
            self._drop()  # the next message starts from a clean session
            raise self._failure(error, letter.to) from error

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._drop()
            self._smtp = None

    def _failure(self, error: Exception, to: str) -> DeliveryError:
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            code, reply = next(iter(error.recipients.values()))
            return _refused(code, reply, f"the server refused {to}")
        if isinstance(error, smtplib.SMTPSenderRefused):  # our own sender: the configuration
            return DeliveryError(f"the server refused the sender {self.sender}: "
                                 f"{_said(error.smtp_code, error.smtp_error)}", peer_down=True)
        if isinstance(error, smtplib.SMTPNotSupportedError):  # e.g. non-ASCII, no SMTPUTF8
            return DeliveryError(f"the server cannot take this message: {error}", permanent=True)
        if isinstance(error, smtplib.SMTPResponseException):
            return _refused(error.smtp_code, error.smtp_error, "the server refused it")
        # Lost mid-message: had the server accepted it, the retry is a duplicate with the
        # same Message-ID (the documented window).
        return DeliveryError(f"the connection to {self._where()} broke: {error}", peer_down=True)

    def _drop(self) -> None:
        _close_quietly(self._smtp)
        self._smtp = None

    # ------------------------------------------------------------------ internals
    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = self._connect()
        return self._smtp

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_security == "none" and not is_loopback(s.smtp_host):
            raise DeliveryError(f"refusing to send without TLS to {s.smtp_host}; set "
                                "smtp_security to starttls or tls", peer_down=True)
        smtp: smtplib.SMTP | None = None
        try:
            if s.smtp_security == "tls":
                smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds,
                                        context=self.tls)
            else:
                smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
            smtp.ehlo()
            if s.smtp_security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(f"{self._where()} does not offer STARTTLS; refusing to "
                                        "send children's details in clear", peer_down=True)
                smtp.starttls(context=self.tls)
                smtp.ehlo()
            if s.smtp_username:
                smtp.login(s.smtp_username, self.password or "")
            return smtp
        except DeliveryError:
            _close_quietly(smtp)
            raise
        except smtplib.SMTPResponseException as error:
            _close_quietly(smtp)
            raise DeliveryError(f"{self._where()} answered {_said(error.smtp_code, error.smtp_error)}",
                                peer_down=True) from error
        except (smtplib.SMTPException, OSError) as error:  # refused, timed out, TLS, DNS
            _close_quietly(smtp)
            raise DeliveryError(f"cannot reach {self._where()}: {error}", peer_down=True) from error

    def _message(self, letter: Letter, message_id: str | None) -> EmailMessage:
        message = EmailMessage(policy=SMTP_POLICY)
        message["From"] = self.settings.smtp_sender
        message["To"] = letter.to
        if letter.reply_to:
            message["Reply-To"] = letter.reply_to
        message["Subject"] = letter.subject
        message["Date"] = format_datetime(self.ctx.now())
        message["Message-ID"] = message_id or outbox.new_message_id(self.ctx)
        # RFC 3834: an automatic message; out-of-office replies should not answer it.
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(letter.text)
        message.add_alternative(
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(letter.subject)}</title></head>\n<body>\n{letter.html}</body></html>\n",
            subtype="html")
        return message

    def _where(self) -> str:
        return f"{self.settings.smtp_host}:{self.settings.smtp_port}"


def _refused(code: int, reply: bytes | str, what: str) -> DeliveryError:
    """5xx: refused for good; 421: the server is going away; other 4xx: try again later."""
    said = f"{what}: {_said(code, reply)}"
    if code == 421:
        return DeliveryError(said, peer_down=True)
    return DeliveryError(said, bounced=500 <= code < 600)


def _said(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}"


def _close_quietly(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        try:
            smtp.close()
        except OSError:
            pass
