"""What may be attached: size limits and types checked by content, not by the name given."""

from __future__ import annotations

from ffd_core.errors import InvalidInput

MAX_BYTES = 20 * 1024 * 1024

# Magic numbers of the types partners send: documents, scans and photos.
SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
]
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "text/plain": (".txt",),
}


def sniff_media_type(data: bytes) -> str | None:
    for signature, media_type in SIGNATURES:
        if data.startswith(signature):
            return media_type
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain" if b"\x00" not in data else None


def check_attachment(filename: str, data: bytes) -> tuple[str, str]:
    """Return (safe file name, media type) or raise with what the person should do."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name.startswith("."):
        raise InvalidInput("give the file a name, such as body-map.pdf")
    if not data:
        raise InvalidInput(f"{name} is empty; choose the file again")
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB; "
                           "send a smaller file or split it")
    media_type = sniff_media_type(data)
    if media_type is None:
        raise InvalidInput(f"{name} is not a PDF, Word document, JPEG, PNG or text file")
    if not name.lower().endswith(EXTENSIONS[media_type]):
        raise InvalidInput(f"{name} does not look like its name says (its content is "
                           f"{media_type}); check the file")
    return name, media_type
