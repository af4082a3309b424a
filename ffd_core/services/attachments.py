"""Documents on a contact: content to the blob store first, then the row; reads audited."""

from __future__ import annotations

from ffd_core.domain.access import Action, Actor, attachment_refusal
from ffd_core.domain.attachments import check_attachment
from ffd_core.domain.vocab import Role
from ffd_core.errors import NotFound, PermissionDenied
from ffd_core.services.contact_write import begin
from ffd_core.services.context import Context
from ffd_core.store.blobs import BlobStore
from ffd_core.store.tables import Attachment, User


def attach(ctx: Context, actor: Actor, contact_id: int, filename: str, data: bytes) -> int:
    """Add a document to a contact. Type and size are checked by content first."""
    name, media_type = check_attachment(filename, data)
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, contact_id, Action.ATTACH)
        return keep_document(ctx, session, actor, contact.id, name, media_type, data).id


def keep_document(ctx: Context, session, actor: Actor, contact_id: int, name: str,  # noqa: ANN001
                  media_type: str, data: bytes, message_id: int | None = None) -> Attachment:
    """Content to the blob store, then the row, audited (checked and authorised by the
    caller; the emailed-contact intake files an email's attachments with this too)."""
    digest = BlobStore(ctx.settings.resolved_blob_dir).put(data)
    row = Attachment(contact_id=contact_id, message_id=message_id, filename=name,
                     media_type=media_type, size=len(data), sha256=digest,
                     uploaded_by_id=actor.user_id, uploaded_at=ctx.now())
    session.add(row)
    session.flush()
    ctx.audit(session, actor, "attach", contact_id=contact_id,
              data={"attachment_id": row.id, "filename": name, "sha256": digest})
    ctx.changed(session, contact_id, "contact.attachment")
    return row


def read_attachment(ctx: Context, actor: Actor, attachment_id: int) -> tuple[str, str, bytes]:
    """Open a document: rights checked against its contact, and the read audited."""
    with ctx.write() as session:
        row = session.get(Attachment, attachment_id)
        if row is None:
            raise NotFound(f"no attachment with id {attachment_id}")
        actor, contact = begin(ctx, session, actor, row.contact_id, Action.READ_ATTACHMENT,
                               lock=False)
        refusal = attachment_refusal(actor, from_referrer_side=from_referrer_side(
            session, row, contact.referrer_agency_id))
        if refusal:
            raise PermissionDenied(refusal)
        ctx.audit(session, actor, "view_attachment", contact_id=contact.id,
                  data={"attachment_id": row.id})
        return row.filename, row.media_type, BlobStore(ctx.settings.resolved_blob_dir).get(row.sha256)


def from_referrer_side(session, row: Attachment, referrer_agency_id: int | None) -> bool:  # noqa: ANN001
    """Sent by a partner of the referring agency (with the contact or with a reply)."""
    return by_referrer_side(session, row.uploaded_by_id, referrer_agency_id)


def by_referrer_side(session, user_id: int | None, referrer_agency_id: int | None) -> bool:  # noqa: ANN001
    """The person is a partner of the referring agency (not front-door staff, not another
    agency): what they wrote or sent belongs on the referrer's view."""
    author = session.get(User, user_id) if user_id else None
    return (author is not None and author.role == Role.PARTNER.value
            and author.agency_id == referrer_agency_id)
