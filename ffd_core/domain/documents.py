"""What a partner may upload: the attachment rules (type by content) under the council's
size limit, and Word documents opened far enough to refuse a zip bomb or a zip dressed up
as a document. Plain code: the caller hands over the bytes."""

from __future__ import annotations

import io
import zipfile

from ffd_core.domain.attachments import check_attachment
from ffd_core.errors import InvalidInput

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_ENTRIES = 2000  # a long Word document has a few dozen parts
MAX_EXPANSION = 100  # text compresses well, but not a hundredfold overall
MAX_UNPACKED = 200 * 1024 * 1024


def check_upload(filename: str, data: bytes, max_bytes: int) -> tuple[str, str]:
    """(safe file name, media type), or InvalidInput worded for the GOV.UK error summary."""
    shown = filename.replace("\\", "/").rsplit("/", 1)[-1].strip() or "The file"
    if len(data) > max_bytes:
        raise InvalidInput(f"{shown} must be smaller than {max_bytes // (1024 * 1024)} MB")
    name, media_type = check_attachment(filename, data)
    if media_type == DOCX:
        _check_word_document(name, data)
    return name, media_type


def _check_word_document(name: str, data: bytes) -> None:
    not_word = InvalidInput(f"{name} must be a Word document (.docx), PDF, JPEG, PNG or text file")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise not_word from None
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or not any(n.startswith("word/") for n in names):
        raise not_word
    if len(entries) > MAX_ENTRIES:
        raise InvalidInput(f"{name} has too many parts to be a Word document; save it as PDF")
    # Unpack for real, counting as we go: declared sizes in a zip can lie.
    unpacked = 0
    limit = min(MAX_UNPACKED, max(len(data), 1024 * 1024) * MAX_EXPANSION)
    try:
        for entry in entries:
            with archive.open(entry) as part:
                while chunk := part.read(1024 * 1024):
                    unpacked += len(chunk)
                    if unpacked > limit:
                        raise InvalidInput(f"{name} expands to far more than its size (a zip "
                                           "bomb?); save it as PDF and upload that")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError, EOFError, OSError):
        raise not_word from None
