"""The outbox worker's senders, as the settings configure them: email with an SMTP host,
the case system with its URL. A kind with no sender waits in the outbox."""

from __future__ import annotations

from ffd_core.connectors.case_system import CaseSystemSender
from ffd_core.connectors.delivery import Sender
from ffd_core.connectors.email import EmailSender
from ffd_core.services.context import Context


def senders_for(ctx: Context) -> list[Sender]:
    senders: list[Sender] = [EmailSender(ctx)] if ctx.settings.smtp_host else []
    if ctx.settings.case_system_url:
        senders.append(CaseSystemSender(ctx))
    return senders
