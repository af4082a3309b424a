"""`ffd intake`: the secure-email receiver and its quarantine."""

from __future__ import annotations

import logging
import signal
import threading

import click

from ffd_cli.progress import console
from ffd_cli.runtime import cli_actor, open_context, settings_from
from ffd_core.clock import format_uk_datetime
from ffd_core.connectors.inbound_email import IntakeServer
from ffd_core.errors import ConfigurationError
from ffd_core.services import intake as intake_service
from ffd_core.services import quarantine


@click.group()
def intake() -> None:
    """Secure email from partners: the receiver the council's relay forwards to, and the
    quarantine of what it would not file."""


@intake.command("serve")
def serve() -> None:
    """Receive secure email until stopped (Ctrl+C or SIGTERM).

    Listens on intake_host:intake_port (SMTP, or LMTP with intake_protocol = "lmtp") and takes
    mail only from intake_relay_hosts. Partners' mail becomes contacts to complete, replies
    find their contact, anything else waits in quarantine (`ffd intake quarantine list`)."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("ffd_core").setLevel(logging.INFO)
    settings = settings_from(click.get_current_context())
    if not settings.intake_authserv_id or not settings.intake_partner_domains:
        raise ConfigurationError(
            "set intake_authserv_id (the relay's name in its Authentication-Results header) "
            "and intake_partner_domains (e.g. [\"police.example\"]) before receiving secure email")
    context = open_context(settings)
    filed = intake_service.file_waiting(context, cli_actor())
    if filed:
        console.print(f"Filed {filed} email(s) kept before the last stop.")
    server = IntakeServer(context).start()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    console.print(f"Receiving secure email ({settings.intake_protocol.upper()}) on "
                  f"{server.host}:{server.port} from {', '.join(settings.intake_relay_hosts)}; "
                  "Ctrl+C stops.")
    try:
        stop.wait()
    finally:
        server.stop()


@intake.group("quarantine")
def quarantine_group() -> None:
    """Email the intake held back: see it, read it, release it as a contact, or delete it
    (supervisors; every step audited)."""


@quarantine_group.command("list")
@click.option("--all", "everything", is_flag=True, help="Also those already released or deleted.")
@click.pass_context
def quarantine_list(ctx: click.Context, everything: bool) -> None:
    """Newest first, with why each was held."""
    rows = quarantine.held(open_context(settings_from(ctx)), cli_actor(), include_decided=everything)
    if not rows:
        console.print("Nothing in quarantine.")
    for row in rows:  # one block each: the reasons are sentences, a table would fold them
        console.print(f"[bold]{row.id}[/]  {format_uk_datetime(row.received_at)}  {row.state}"
                      f"{'' if row.kept else '  (content not kept)'}")
        console.print(f"  from: {row.from_address or row.mail_from}\n  subject: {row.subject or '-'}"
                      f"\n  held because: {row.reason}", markup=False, soft_wrap=True)


@quarantine_group.command("show")
@click.argument("email_id", type=int)
@click.pass_context
def quarantine_show(ctx: click.Context, email_id: int) -> None:
    """The email's text and attachment names (the read is audited)."""
    held = quarantine.read(open_context(settings_from(ctx)), cli_actor(), email_id)
    email = held.email
    console.print(f"From: {email.from_address or email.mail_from}\nSubject: {email.subject or '-'}\n"
                  f"Held because: {email.reason}\nAttachments: {', '.join(held.attachments) or '-'}"
                  + ("" if held.readable else "\n(malformed: showing what could be read)")
                  + "\n", markup=False)
    console.print(held.text if email.kept else "(its content was not kept)", markup=False)


@quarantine_group.command("release")
@click.argument("email_id", type=int)
@click.option("--reason", required=True, help="Why it is safe (kept on the audit trail).")
@click.pass_context
def quarantine_release(ctx: click.Context, email_id: int, reason: str) -> None:
    """Make it a contact to complete (attachments that fail the upload checks stay out)."""
    filed = quarantine.release(open_context(settings_from(ctx)), cli_actor(), email_id, reason)
    console.print(f"Email {email_id} is now contact id {filed.contact_id}, in the holding area.")


@quarantine_group.command("delete")
@click.argument("email_id", type=int)
@click.option("--reason", required=True, help="Why (kept on the audit trail).")
@click.pass_context
def quarantine_delete(ctx: click.Context, email_id: int, reason: str) -> None:
    """Remove its content for good; the record of it stays."""
    quarantine.delete(open_context(settings_from(ctx)), cli_actor(), email_id, reason)
    console.print(f"Email {email_id}'s content is deleted; the record stays.")
