"""Save and return: a partner's unsent referral, kept on the server and saved on every
Continue, with its documents, until it is sent or expires (``draft_days``, default 28).

A draft is its author's alone: anyone else asking for it (a colleague, another agency, a
guessed key) is told there is no such draft. Sending a draft goes through the same
validation and submission as every channel; its key is the submission's idempotency key,
so a double click, a retry or a crash between the steps never makes a second contact.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ffd_core.clock import uk_local
from ffd_core.domain.access import SYSTEM, Action, Actor, draft_refusal
from ffd_core.domain.documents import check_upload
from ffd_core.domain.vocab import Channel, ContactKind
from ffd_core.errors import InvalidInput, NotFound
from ffd_core.forms import Draft, migrate_draft
from ffd_core.services import contacts
from ffd_core.services.contact_write import begin
from ffd_core.services.context import Context
from ffd_core.services.forms import Intake, submit_form
from ffd_core.services.scanning import scan
from ffd_core.store.blobs import BlobStore
from ffd_core.store.forms_tables import FormSnapshot
from ffd_core.store.tables import Attachment, Contact
from ffd_core.store.web_tables import WebDraft, WebDraftAttachment

MAX_DRAFTS = 50  # per person: plenty for real work, a ceiling for a runaway script
MB = 1024 * 1024


@dataclass(frozen=True)
class DraftDocument:
    id: int
    filename: str
    media_type: str
    size: int


@dataclass(frozen=True)
class DraftView:
    key: str
    kind: ContactKind
    answers: dict[str, Any]
    updated_at: datetime
    expires_at: datetime
    documents: tuple[DraftDocument, ...]
    changes: tuple[str, ...] = ()  # the form changed since the draft was saved: what to tell


@dataclass(frozen=True)
class DraftRow:
    key: str
    kind: ContactKind
    summary: str
    updated_at: datetime
    expires_at: datetime


def start(ctx: Context, actor: Actor, kind: ContactKind) -> str:
    definition = ctx.config.form(kind)
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.KEEP_DRAFTS)
        count = session.execute(select(func.count(WebDraft.id)).where(
            WebDraft.user_id == actor.user_id, WebDraft.expires_at > ctx.now())).scalar_one()
        if count >= MAX_DRAFTS:
            raise InvalidInput(f"You have {count} drafts; send or delete some before starting another")
        key = secrets.token_urlsafe(18)
        session.add(WebDraft(key=key, user_id=actor.user_id, agency_id=actor.agency_id,
                             kind=kind.value, form_id=definition.form_id,
                             form_version=definition.version, content_hash=definition.content_hash,
                             answers={}, created_at=ctx.now(), updated_at=ctx.now(),
                             expires_at=_expiry(ctx)))
        return key


def open_draft(ctx: Context, actor: Actor, key: str) -> DraftView:
    """The draft on the newest version of its form (what changed is said once, then saved).
    Reading takes no write lock unless the form changed since the draft was saved."""
    with ctx.read() as session:
        _, row = _own(ctx, session, actor, key)
        if row.content_hash == ctx.config.form(ContactKind(row.kind)).content_hash:
            return _view(session, row)
    with ctx.write() as session:
        actor, row = _own(ctx, session, actor, key)
        newest = ctx.config.form(ContactKind(row.kind))
        changes: tuple[str, ...] = ()
        if row.content_hash != newest.content_hash:
            moved = migrate_draft(Draft(row.form_id, row.form_version, row.content_hash, row.answers),
                                  newest, _definition(session, row.content_hash),
                                  uk_local(ctx.now()).date())
            row.answers, row.form_version = moved.draft.answers, newest.version
            row.content_hash = newest.content_hash
            changes = tuple(c.message for c in moved.changes)
        return _view(session, row, changes)


def save(ctx: Context, actor: Actor, key: str, answers: dict[str, Any]) -> DraftView:
    """Keep what was typed so far (never refused: validation is the page's business)."""
    from ffd_core.forms import save_draft

    with ctx.write() as session:
        actor, row = _own(ctx, session, actor, key)
        definition = ctx.config.form(ContactKind(row.kind))
        row.answers = save_draft(definition, answers).answers
        row.updated_at, row.expires_at = ctx.now(), _expiry(ctx)
        return _view(session, row)


def list_drafts(ctx: Context, actor: Actor) -> list[DraftRow]:
    with ctx.read() as session:
        actor = ctx.authorize(session, actor, Action.KEEP_DRAFTS)
        rows = session.execute(select(WebDraft).where(
            WebDraft.user_id == actor.user_id, WebDraft.expires_at > ctx.now())
            .order_by(WebDraft.updated_at.desc())).scalars()
        return [DraftRow(r.key, ContactKind(r.kind), _summary(r.answers), r.updated_at, r.expires_at)
                for r in rows]


def delete_draft(ctx: Context, actor: Actor, key: str) -> None:
    with ctx.write() as session:
        actor, row = _own(ctx, session, actor, key)
        session.delete(row)


def purge_expired(ctx: Context) -> int:
    """Timed job (the outbox worker runs it): drafts past their expiry are deleted
    with their documents' rows (content shared with a sent contact stays in the blob store)."""
    with ctx.write() as session:
        ctx.authorize(session, SYSTEM, Action.KEEP_DRAFTS)
        expired = select(WebDraft.id).where(WebDraft.expires_at <= ctx.now())
        session.execute(delete(WebDraftAttachment).where(WebDraftAttachment.draft_id.in_(expired)))
        count = session.execute(delete(WebDraft).where(WebDraft.expires_at <= ctx.now())).rowcount
        if count:
            ctx.audit(session, SYSTEM, "drafts_expired", data={"count": count})
        return count


# ------------------------------------------------------------------------------ documents


def checked_upload(ctx: Context, filename: str, data: bytes) -> tuple[str, str]:
    """Size (the council's limit), type by content, Word documents unpacked safely, and the
    virus scan when one is configured. Before anything is stored."""
    name, media_type = check_upload(filename, data, ctx.settings.attachment_max_mb * MB)
    scan(ctx.settings.clamd_address, name, data)
    return name, media_type


def check_total(ctx: Context, already: int, adding: int) -> None:
    limit = ctx.settings.contact_attachments_max_mb
    if already + adding > limit * MB:
        raise InvalidInput(f"The files you add to one referral must be smaller than {limit} MB "
                           "in total; remove a file or send a smaller one")


def attach(ctx: Context, actor: Actor, key: str, filename: str, data: bytes) -> int:
    name, media_type = checked_upload(ctx, filename, data)
    with ctx.write() as session:
        actor, row = _own(ctx, session, actor, key)
        already = session.execute(select(func.coalesce(func.sum(WebDraftAttachment.size), 0))
                                  .where(WebDraftAttachment.draft_id == row.id)).scalar_one()
        check_total(ctx, int(already), len(data))
        digest = BlobStore(ctx.settings.resolved_blob_dir).put(data)
        document = WebDraftAttachment(draft_id=row.id, filename=name, media_type=media_type,
                                      size=len(data), sha256=digest, uploaded_at=ctx.now())
        session.add(document)
        row.updated_at, row.expires_at = ctx.now(), _expiry(ctx)
        session.flush()
        return document.id


def remove_document(ctx: Context, actor: Actor, key: str, document_id: int) -> None:
    with ctx.write() as session:
        actor, row = _own(ctx, session, actor, key)
        session.delete(_document(session, row, document_id))


def read_document(ctx: Context, actor: Actor, key: str, document_id: int) -> tuple[str, str, bytes]:
    with ctx.read() as session:
        actor, row = _own(ctx, session, actor, key)
        document = _document(session, row, document_id)
        return (document.filename, document.media_type,
                BlobStore(ctx.settings.resolved_blob_dir).get(document.sha256))


# ------------------------------------------------------------------------------ sending


def send(ctx: Context, actor: Actor, key: str) -> contacts.Receipt:
    """Validate and submit (SubmissionInvalid lists every problem in page order), then move
    the documents onto the contact and delete the draft. A second send of the same draft,
    after a double click or a crash between the two steps, returns the first receipt."""
    with ctx.read() as session:
        actor = ctx.authorize(session, actor, Action.KEEP_DRAFTS)
        row = session.execute(select(WebDraft).where(WebDraft.key == key)).scalar_one_or_none()
        earlier = None if row is not None else session.execute(select(Contact).where(
            Contact.idempotency_scope == contacts.idempotency_scope(actor),
            Contact.idempotency_key == _idempotency_key(key),
            Contact.referrer_user_id == actor.user_id)).scalar_one_or_none()
        if earlier is not None:  # sent already: the same receipt again
            return contacts.Receipt(earlier.id, earlier.reference, earlier.version, duplicate=True)
        actor, row = _own(ctx, session, actor, key)
        kind, answers = ContactKind(row.kind), dict(row.answers)
    receipt = submit_form(ctx, actor, kind, answers,
                          Intake(channel=Channel.WEB_FORM, idempotency_key=_idempotency_key(key)))
    with ctx.write() as session:
        actor, contact = begin(ctx, session, actor, receipt.contact_id, Action.ATTACH, lock=False)
        row = session.execute(select(WebDraft).where(WebDraft.key == key)).scalar_one_or_none()
        if row is None:
            return receipt  # moved already
        for document in session.execute(select(WebDraftAttachment).where(
                WebDraftAttachment.draft_id == row.id)).scalars():
            moved = Attachment(contact_id=contact.id, filename=document.filename,
                               media_type=document.media_type, size=document.size,
                               sha256=document.sha256, uploaded_by_id=actor.user_id,
                               uploaded_at=document.uploaded_at)
            session.add(moved)
            session.flush()
            ctx.audit(session, actor, "attach", contact_id=contact.id,
                      data={"attachment_id": moved.id, "filename": moved.filename,
                            "sha256": moved.sha256, "from_draft": True})
        session.delete(row)  # its documents' rows go with it (ON DELETE CASCADE)
        ctx.changed(session, contact.id, "contact.attachment")
    return receipt


# ------------------------------------------------------------------------------ helpers


def _own(ctx: Context, session: Session, actor: Actor, key: str) -> tuple[Actor, WebDraft]:
    actor = ctx.authorize(session, actor, Action.KEEP_DRAFTS)
    row = session.execute(select(WebDraft).where(WebDraft.key == key)).scalar_one_or_none()
    # Someone else's draft is "not found", exactly like a guessed key: nothing to learn.
    if row is None or row.expires_at <= ctx.now() or draft_refusal(actor, row.user_id):
        raise NotFound("There is no draft at that address: it may have been sent, deleted "
                       "or expired. See your drafts")
    return actor, row


def _document(session: Session, row: WebDraft, document_id: int) -> WebDraftAttachment:
    document = session.get(WebDraftAttachment, document_id)
    if document is None or document.draft_id != row.id:
        raise NotFound("There is no such file on this draft")
    return document


def _view(session: Session, row: WebDraft, changes: tuple[str, ...] = ()) -> DraftView:
    documents = tuple(
        DraftDocument(d.id, d.filename, d.media_type, d.size)
        for d in session.execute(select(WebDraftAttachment).where(
            WebDraftAttachment.draft_id == row.id).order_by(WebDraftAttachment.id)).scalars())
    return DraftView(row.key, ContactKind(row.kind), dict(row.answers or {}), row.updated_at,
                     row.expires_at, documents, changes)


def _definition(session: Session, content_hash: str):  # noqa: ANN202 - FormDefinition | None
    from ffd_core.forms import FormDefinition

    snapshot = session.get(FormSnapshot, content_hash)
    return FormDefinition.from_snapshot(snapshot.definition) if snapshot else None


def _idempotency_key(key: str) -> str:
    return f"web-draft:{key}"


def _expiry(ctx: Context) -> datetime:
    return ctx.now() + timedelta(days=ctx.settings.draft_days)


def _summary(answers: dict[str, Any]) -> str:
    """Which child a draft is about, as the drafts list shows it."""
    people = answers.get("children") or answers.get("people") or []
    names = []
    for person in people if isinstance(people, list) else []:
        if isinstance(person, dict):
            first = person.get("first_name") or person.get("person_first_name") or ""
            last = person.get("last_name") or person.get("person_last_name") or ""
            if f"{first} {last}".strip():
                names.append(f"{first} {last}".strip())
    return ", ".join(names) or "No child named yet"
