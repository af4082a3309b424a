"""A partner's referrals by reference (the web endpoint's addresses and the partner API),
answering a request for information with documents, and a copy for the referrer's records.

A reference that does not exist and one the partner may not see get the same answer, so
references cannot be probed. Every look at a referral is audited (by the referrer view)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ffd_core.clock import format_uk_datetime, uk_local
from ffd_core.domain.access import Action, Actor
from ffd_core.errors import NotFound
from ffd_core.services import attachments, screening
from ffd_core.services.context import Context
from ffd_core.services.drafts import check_total, checked_upload
from ffd_core.services.forms import answers_for
from ffd_core.services.referrer_view import ReferrerView, referrer_view
from ffd_core.services.visibility import visible_to
from ffd_core.store.tables import Attachment, Contact


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def referral(ctx: Context, actor: Actor, reference: str) -> ReferrerView:
    return referrer_view(ctx, actor, contact_id(ctx, actor, reference))


def contact_id(ctx: Context, actor: Actor, reference: str) -> int:
    with ctx.read() as session:
        actor = ctx.authorize(session, actor, Action.REFERRER_VIEW)
        found = session.execute(select(Contact.id).where(
            Contact.reference == reference.strip().upper(), visible_to(actor))).scalar_one_or_none()
    if found is None:
        raise NotFound(f"There is no referral {reference[:24]} that you can see")
    return found


def answer(ctx: Context, actor: Actor, reference: str, text: str,
           uploads: list[Upload]) -> int:
    """The referrer's answer to a request for information, with documents: every file is
    checked (and scanned) before anything is written, then the reply returns the contact
    to the officer's queue and the documents follow (each step audited, each on the feed)."""
    contact = contact_id(ctx, actor, reference)
    checked = [(checked_upload(ctx, u.filename, u.data)[0], u.data) for u in uploads]
    with ctx.read() as session:
        already = sum(size for (size,) in session.execute(
            select(Attachment.size).where(Attachment.contact_id == contact)))
    check_total(ctx, already, sum(len(data) for _, data in checked))
    version = screening.record_reply(ctx, actor, contact, text)
    for name, data in checked:
        attachments.attach(ctx, actor, contact, name, data)
    return version


def document(ctx: Context, actor: Actor, reference: str, attachment_id: int) -> tuple[str, str, bytes]:
    """A document the referrer's side sent (policy: never one the front door attached)."""
    contact = contact_id(ctx, actor, reference)
    with ctx.read() as session:
        row = session.get(Attachment, attachment_id)
        if row is None or row.contact_id != contact:
            raise NotFound("There is no such document on this referral")
    return attachments.read_attachment(ctx, actor, attachment_id)


def record_copy(ctx: Context, view: ReferrerView) -> str:
    """What was submitted, as plain text for the referrer's own records."""
    lines = [ctx.config.council.name, "Family Front Door: a copy of your referral", "",
             f"Reference: {view.reference}",
             f"Received: {format_uk_datetime(view.received_at)}",
             f"Status: {view.status_label}", ""]
    section = None
    for row in answers_for(ctx, view):
        heading = " - ".join(filter(None, [row.section_title, row.item_label]))
        if heading != section:
            lines += ["", heading, "-" * len(heading)]
            section = heading
        lines.append(f"{row.question}: {row.answer}")
    if view.messages:
        lines += ["", "Messages", "--------"]
        for m in view.messages:
            who = "Front door" if m.from_front_door else "You"
            lines.append(f"{format_uk_datetime(m.at)} {who}: {m.body}")
    lines += ["", f"Copied on {uk_local(ctx.now()):%d/%m/%Y %H:%M}"]
    return "\n".join(lines) + "\n"
