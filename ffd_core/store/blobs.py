"""Attachment content, kept outside the database and addressed by its SHA-256.

A blob is written to a temporary file, flushed to disk and renamed into place before the
row that names it is committed: a crash leaves at worst an unreferenced file, never a row
pointing at nothing. The same content is stored once. Folders are 0700 and files 0600 from
the moment they exist (mkstemp makes them so): attachments are about children.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from ffd_core.errors import NotFound
from ffd_core.store.files import PRIVATE_FILE, private_dir, warn_if_exposed


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        warn_if_exposed([root])

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self._path(digest)
        if target.exists():
            return digest
        private_dir(target.parent)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, PRIVATE_FILE)  # mkstemp's mode already; kept explicit
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        return digest

    def delete(self, sha256: str) -> None:
        """Remove content for good (a quarantined email a supervisor deleted)."""
        self._path(sha256).unlink(missing_ok=True)

    def get(self, sha256: str) -> bytes:
        path = self._path(sha256)
        if not path.exists():
            raise NotFound(f"attachment content {sha256[:12]}… is missing from {self.root}")
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise NotFound(f"attachment content {sha256[:12]}… is damaged on disk")
        return data
