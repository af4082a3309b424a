"""Emails as the council's relay would hand them over, and the intake's settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY

from ffd_core.services import contacts, ownership, screening
from ffd_core.services.referrer_mail import reply_address
from ffd_core.settings import Settings
from tests.factories import new_contact

RELAY = "relay.brackenshire.example"
PC = "PC Jo Marsh <jo.marsh@police.example>"
INTAKE = "secure-intake@brackenshire.example"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def intake_settings(settings: Settings) -> Settings:
    return replace(settings, intake_relay_hosts=("127.0.0.1",), intake_authserv_id=RELAY,
                   intake_partner_domains=("police.example", "hawthorn.sch.example"),
                   smtp_reply_to="replies@brackenshire.example")


def passed(domain: str, method: str = "spf", authserv: str = RELAY) -> str:
    if method == "spf":
        return f"{authserv}; spf=pass smtp.mailfrom=someone@{domain}; dkim=none"
    return f"{authserv}; spf=softfail smtp.mailfrom={domain}; dkim=pass header.d={domain} header.s=s1"


def an_email(sender: str = PC, to: str = INTAKE, *, subject: str = "Concern: child at 4 Oak Street",
             body: str = "Officers attended 4 Oak Street at 02:10. Maisie Thompson (6) was alone.",
             results: tuple[str, ...] | None = None, attachments: tuple[tuple[str, bytes], ...] = (),
             ) -> bytes:
    """``results``: the Authentication-Results headers, topmost first (default: the relay
    says SPF passed for the sender's domain)."""
    message = EmailMessage(policy=SMTP_POLICY)
    domain = sender.rpartition("@")[2].rstrip(">")
    for value in (results if results is not None else (passed(domain),)):
        message["Authentication-Results"] = value
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash((sender, to, subject, body)))}@{domain}>"
    message.set_content(body)
    for name, data in attachments:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def awaiting_reply(ctx, people, recipient: str = "tess@hawthorn.sch.example"):  # noqa: ANN001, ANN201
    """A contact whose officer asked ``recipient`` for more: (its receipt, its reply-to address)."""
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    screening.request_information(ctx, people["olivia"], receipt.contact_id, recipient=recipient,
                                  message="Who lives there?", chase_by=ctx.now() + timedelta(days=1))
    return receipt, reply_address(ctx, receipt.reference)
