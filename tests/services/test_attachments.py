"""Documents on a contact: checked by content, stored outside the row, reads audited."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from ffd_core.errors import InvalidInput, PermissionDenied
from ffd_core.services import attachments, contacts
from ffd_core.store.tables import Attachment, AuditEvent
from tests.factories import new_contact

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_attach_and_read_back(ctx, people, tmp_path):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    attachment_id = attachments.attach(ctx, people["teacher"], receipt.contact_id, "C:\\scans\\body-map.pdf", PDF)
    with ctx.read() as session:
        row = session.get(Attachment, attachment_id)
    assert (row.filename, row.media_type, row.size) == ("body-map.pdf", "application/pdf", len(PDF))
    assert row.sha256 == hashlib.sha256(PDF).hexdigest()
    stored = list((tmp_path / "attachments").rglob(row.sha256))
    assert len(stored) == 1 and stored[0].read_bytes() == PDF
    name, media_type, data = attachments.read_attachment(ctx, people["olivia"], attachment_id)
    assert (name, data) == ("body-map.pdf", PDF)
    with ctx.read() as session:
        assert "view_attachment" in session.execute(select(AuditEvent.action)).scalars().all()


@pytest.mark.parametrize("filename, data, message", [
    ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "is not a PDF"),     # an executable
    ("photo.jpg", PDF, "does not look like its name says"),
    ("empty.pdf", b"", "is empty"),
    ("big.txt", b"a" * (20 * 1024 * 1024 + 1), "larger than 20 MB"),
])
def test_attachments_are_checked_by_content(ctx, people, filename, data, message):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    with pytest.raises(InvalidInput, match=message):
        attachments.attach(ctx, people["teacher"], receipt.contact_id, filename, data)


def test_other_partner_cannot_attach_or_read(ctx, people):
    receipt = contacts.submit(ctx, people["olivia"], new_contact(ctx.now()))
    with pytest.raises(PermissionDenied):
        attachments.attach(ctx, people["teacher"], receipt.contact_id, "x.pdf", PDF)
    attachment_id = attachments.attach(ctx, people["olivia"], receipt.contact_id, "x.pdf", PDF)
    with pytest.raises(PermissionDenied):
        attachments.read_attachment(ctx, people["teacher"], attachment_id)
