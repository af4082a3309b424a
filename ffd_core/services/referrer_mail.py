"""What an email to a referrer says, and where their answer comes back to.

Every email is made from the reply templates, text and HTML from one source, and carries
the urgent-help text and the referral's status in the referrer's own words. An
acknowledgement and a plain outcome are rendered from their templates when sent; a message
an officer wrote (a request for information, a rejection, a reply) is sent as written —
as data, never as a template — with the subject of its template.

The Reply-To address carries the contact's reference and a keyed token, so an emailed
answer can be attached to the right contact and nobody can make up the address of
another contact (the intake that reads them is a later issue).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from ffd_core.domain.access import Action, Actor
from ffd_core.domain.addresses import mailbox
from ffd_core.domain.referrer import ReferrerStatus, addressed_to_referrer, referrer_state
from ffd_core.domain.vocab import MessageState, Outcome, PersonRole, Status
from ffd_core.errors import ConfigurationError, InvalidInput, NotFound
from ffd_core.sealing import SealBroken
from ffd_core.services import web_messages
from ffd_core.services.context import Context
from ffd_core.services.forms import reply_facts
from ffd_core.services.outbox import purpose_of, secret_removed
from ffd_core.services.referrer_view import waiting_for_referrer
from ffd_core.store.tables import Contact, Decision, Message, OutboxMessage
from ffd_core.templates import RenderedMessage, outcome_template, plain_message

# The status each kind of email reports, whatever happened since it was queued.
STATUS_FOR = {
    "ack": ReferrerStatus.RECEIVED,
    "rfi": ReferrerStatus.MORE_INFORMATION_NEEDED,
    "outcome": ReferrerStatus.DECIDED,
}
# Subject of a message an officer wrote outside any template's purpose.
MESSAGE_SUBJECT = "About your contact {reference}"
# What staff see for a partner's account email: never its code or link.
SEALED_SUBJECT = "account email (sealed)"
TOKEN_LABEL = b"ffd reply-to address v1"
TOKEN_CHARS = 12  # base32: 60 bits


class Undeliverable(InvalidInput):
    """This email cannot be made (no valid address, a message withdrawn): retrying will not
    help, so it goes straight to the dead letters with this reason."""


@dataclass(frozen=True)
class Letter:
    reference: str
    to: str
    reply_to: str | None
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class _Child:
    name: str


@dataclass(frozen=True)
class _Facts:
    """What ``forms.reply_facts`` reads of a contact."""

    reference: str
    referrer: dict[str, Any]
    children: list[_Child] = field(default_factory=list)


def letter(ctx: Context, actor: Actor, outbox_id: int) -> Letter:
    """The email for one outbox row as staff may see it (the console, `ffd outbox show`):
    as it is sent now, except that an account email is shown only as sealed."""
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.READ_OUTBOX)
        return compose(ctx, session, _row(session, outbox_id), unseal=False)


def letter_to_send(ctx: Context, actor: Actor, outbox_id: int) -> Letter:
    """The email for one outbox row as the worker sends it: the one place an account
    email's sealed subject and text are opened."""
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.DELIVER)
        return compose(ctx, session, _row(session, outbox_id), unseal=True)


def _row(session: Session, outbox_id: int) -> OutboxMessage:
    row = session.get(OutboxMessage, outbox_id)
    if row is None:
        raise NotFound(f"no outbox message {outbox_id}; see `ffd outbox list`")
    return row


def compose(ctx: Context, session: Session, row: OutboxMessage, *, unseal: bool) -> Letter:
    payload = row.payload or {}
    to = mailbox(payload.get("to") or "")
    if to is None:
        raise Undeliverable(f"{payload.get('to')!r} is not one valid email address; tell the "
                            "referrer another way and record it as a note")
    contact = session.get(Contact, row.contact_id) if row.contact_id else None
    if contact is None:
        return _account_letter(ctx, row, to) if unseal else _sealed_letter(row, to)
    purpose = purpose_of(row.idempotency_key)
    facts = reply_facts(ctx, _facts_of(contact))
    if purpose == "ack":
        rendered = ctx.config.render("acknowledgement", facts)
    elif payload.get("template") == "outcome":  # a decision with no reply of its own
        rendered = _plain_outcome(ctx, [Outcome(o) for o in payload.get("outcomes", [])],
                                  contact, facts)
    else:
        rendered = _written(ctx, session, contact, row, purpose, facts)
    status = STATUS_FOR.get(purpose) or referrer_state(
        Status(contact.status), asked_referrer=waiting_for_referrer(session, contact)).status
    to_referrer = addressed_to_referrer(to, (contact.referrer or {}).get("email"))
    return _with_status(contact.reference, to, reply_address(ctx, contact.reference), rendered,
                        status.label,
                        _answer_online(ctx, contact.reference, purpose) if to_referrer else "")


def _account_letter(ctx: Context, row: OutboxMessage, to: str) -> Letter:
    """An email about a partner's account (a confirmation link, a sign-in code, a password
    reset): rendered and sealed by the web endpoint when it was queued, opened and sent as
    it is. It names no child, so it carries no reference, status or Reply-To."""
    payload = row.payload or {}
    if "sealed" not in payload:  # queued before account emails were sealed: as it was
        content = payload
    elif not payload["sealed"]:
        raise Undeliverable("its code or link was removed when it was sent or given up; "
                            "the person asks for a new one on the web endpoint")
    else:
        try:
            content = web_messages.opened(ctx, row.idempotency_key, payload)
        except (SealBroken, ConfigurationError) as error:
            raise Undeliverable(f"the account email cannot be opened: {error}; the person "
                                "asks for a new one on the web endpoint") from None
    if not all(isinstance(content.get(key), str) and content[key] for key in ("subject", "text")):
        raise Undeliverable("it belongs to no contact and carries no message of its own")
    return Letter("", to, None, content["subject"], content["text"],
                  content.get("html") or f"<pre>{escape(content['text'])}</pre>")


def _sealed_letter(row: OutboxMessage, to: str) -> Letter:
    """An account email as staff see it: never its subject or text (a live code or link)."""
    if secret_removed(row):
        state = "Its code or link was removed when it was sent or given up."
    else:
        state = "Only the worker that sends it opens them; they are removed once it is sent."
    text = (f"A partner's account email: a registration or password-reset link, or a sign-in "
            f"code. Its subject and text are sealed, so nobody reads them here. {state}")
    return Letter("", to, None, SEALED_SUBJECT, text, f"<p>{escape(text)}</p>")


def _facts_of(contact: Contact) -> _Facts:
    return _Facts(contact.reference, dict(contact.referrer or {}),
                  [_Child(p.display_name) for p in contact.people
                   if p.role == PersonRole.SUBJECT.value])


def _plain_outcome(ctx: Context, outcomes: list[Outcome], contact: Contact,
                   facts: dict[str, Any]) -> RenderedMessage:
    """The outcome template of the most intensive outcome; with several, each named."""
    if not outcomes:
        raise Undeliverable("the decision it reports has no outcome")
    ordered = sorted(set(outcomes), key=list(Outcome).index)
    words = "; ".join(ctx.config.templates.describe_outcome(o) for o in ordered)
    return ctx.config.render(outcome_template(ordered[0]), {**facts, "outcome": words})


def _written(ctx: Context, session: Session, contact: Contact, row: OutboxMessage,
             purpose: str, facts: dict[str, Any]) -> RenderedMessage:
    message = session.get(Message, (row.payload or {}).get("message_id"))
    if message is None or message.contact_id != contact.id:
        raise Undeliverable("the message it should carry is missing")
    if message.state != MessageState.CURRENT.value:
        raise Undeliverable("the message was withdrawn with its decision")
    body = message.body
    urgent = ctx.config.template_facts()["urgent_help"]
    if " ".join(urgent.split()) not in " ".join(body.split()):
        body = f"{body.rstrip()}\n\n{urgent}"
    return plain_message(_subject(ctx, session, contact, row, purpose, facts), body)


def _subject(ctx: Context, session: Session, contact: Contact, row: OutboxMessage,
             purpose: str, facts: dict[str, Any]) -> str:
    """The subject line of the template the message was written from."""
    if purpose == "rfi":
        return ctx.config.render("request_for_information",
                                 {**facts, "questions": [], "respond_by": ""}).subject
    if purpose == "outcome":
        period = int(row.idempotency_key.rsplit(":", 1)[1])
        outcomes = session.execute(select(Decision.outcome).where(
            Decision.contact_id == contact.id, Decision.clock_period == period,
            Decision.state == "final")).scalars().all()
        if outcomes:
            first = min((Outcome(o) for o in outcomes), key=list(Outcome).index)
            return ctx.config.render(outcome_template(first), {
                **facts, "outcome": ctx.config.templates.describe_outcome(first)}).subject
    return MESSAGE_SUBJECT.format(reference=contact.reference)


def _answer_online(ctx: Context, reference: str, purpose: str) -> str:
    """Where a registered partner answers a request for information on the web endpoint
    (when it has an address); partners without an account reply to the email."""
    base = ctx.settings.web_base_url
    if purpose != "rfi" or not base:
        return ""
    return f" Answer online: {base}/submissions/{reference}"


def _with_status(reference: str, to: str, reply_to: str | None, rendered: RenderedMessage,
                 status: str, more: str = "") -> Letter:
    line = f"Reference {reference}. Status: {status}.{more}"
    return Letter(reference, to, reply_to, rendered.subject, f"{rendered.text}\n{line}\n",
                  f'{rendered.html}<p class="govuk-body">{escape(line)}</p>\n')


# ------------------------------------------------------------------------------ Reply-To


def reply_address(ctx: Context, reference: str) -> str | None:
    """replies+ffd-2026-000123.<token>@council.example, or None with no reply address set."""
    base = ctx.settings.smtp_reply_to
    if not base:
        return None
    local, _, domain = base.rpartition("@")
    return f"{local}+{reference.lower()}.{_token(ctx, reference)}@{domain}"


def reference_for_reply(ctx: Context, address: str) -> str | None:
    """The contact reference an answer was sent to, or None if the address was not one this
    product made (a wrong or forged token, another mailbox)."""
    base = ctx.settings.smtp_reply_to
    spec = mailbox(address)
    if not base or spec is None:
        return None
    local, _, domain = spec.rpartition("@")
    base_local, _, base_domain = base.rpartition("@")
    mailbox_part, plus, tag = local.partition("+")
    if not plus or mailbox_part.lower() != base_local.lower() or domain.lower() != base_domain.lower():
        return None
    reference, _, token = tag.rpartition(".")
    reference = reference.upper()
    if not reference or not hmac.compare_digest(token.lower(), _token(ctx, reference)):
        return None
    return reference


def _token(ctx: Context, reference: str) -> str:
    key = hmac.new(ctx.audit_key, TOKEN_LABEL, hashlib.sha256).digest()
    digest = hmac.new(key, reference.upper().encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:TOKEN_CHARS].lower()
