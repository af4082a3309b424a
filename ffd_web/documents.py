"""Sending a stored document back to its owner: always as a download (never shown inline,
so no uploaded file can run in this site's origin), under a name that is safe to save."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from litestar.response import Response

UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_name(name: str) -> str:
    """ASCII, no folders, no control characters, no leading dots; keeps the extension."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    cleaned = UNSAFE.sub("_", ascii_name.replace("/", "_").replace("\\", "_")).strip(" .")
    return cleaned[-120:] or "document"


def download(name: str, media_type: str, data: bytes) -> Response:
    disposition = f'attachment; filename="{safe_name(name)}"; filename*=UTF-8\'\'{quote(name[-120:], safe="")}'
    return Response(content=data, media_type=media_type,
                    headers={"content-disposition": disposition})
