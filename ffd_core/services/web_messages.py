"""The web endpoint's own emails (registration link, one-time sign-in code, password reset),
rendered here in full so the outbox worker sends them as they are.

Their subject and text carry a live code or link, so they are sealed under the mail key
(``ffd_core.sealing``) before they reach the outbox: someone who can read the database (a
backup, a reporting account) sees only the recipient. Outbox payload (kind ``email``, key
``web:...``, no contact): ``{"to", "sealed", "key"}``, where ``sealed`` opens to ``{"subject",
"text", "html"}``; only the worker opens it (``opened``), and the outbox blanks it once the
message is sent or given up. Everything a person typed is escaped in the HTML part; links are
built from the ``web_base_url`` setting, never from a request's Host header.
"""

from __future__ import annotations

from html import escape
from typing import Any

from sqlalchemy.orm import Session

from ffd_core.services import outbox
from ffd_core.services.context import Context


def web_link(ctx: Context, path: str) -> str:
    return ctx.settings.web_base_url.rstrip("/") + path


def enqueue_message(ctx: Context, session: Session, key: str, to: str, subject: str,
                    paragraphs: list[str], link: str | None = None) -> None:
    """Queue one plain message: paragraphs of text and at most one link."""
    footer = (f"If you think a child is in immediate danger, call 999. Out of hours, call "
              f"the emergency duty team on {ctx.config.council.edt_phone}.")
    text = "\n\n".join([*paragraphs, *([link] if link else []), footer,
                        ctx.config.council.name])
    html_parts = [f"<p>{escape(p)}</p>" for p in paragraphs]
    if link:
        html_parts.append(f'<p><a href="{escape(link, quote=True)}">{escape(link)}</a></p>')
    html_parts += [f"<p>{escape(footer)}</p>", f"<p>{escape(ctx.config.council.name)}</p>"]
    sealed = ctx.mail_sealer.seal({"subject": subject, "text": text,
                                   "html": "\n".join(html_parts)}, _bound_to(key, to))
    payload: dict[str, Any] = {"to": to, **sealed}
    outbox.enqueue(ctx, session, outbox.EMAIL, key, payload)


def opened(ctx: Context, idempotency_key: str, payload: dict[str, Any]) -> dict[str, str]:
    """The subject, text and HTML of a sealed account email, for the worker that sends it.
    Raises SealBroken (or ConfigurationError without a mail key) saying why it cannot."""
    return ctx.mail_sealer.open(payload, _bound_to(idempotency_key, str(payload.get("to") or "")))


def _bound_to(idempotency_key: str, to: str) -> str:
    """What a seal is tied to: this row and this recipient, nothing else."""
    return f"{idempotency_key}\n{to}"
