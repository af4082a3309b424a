"""The store's own files are private: folders 0700, files 0600, whatever the umask.

They hold children's records, password hashes and attachments: no other local account may
read them. Files are created with the mode from the start (never chmod-ed after a window in
which they were readable); a start-up warning names any that are wider.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600

log = logging.getLogger("ffd.store")
_warned: set[tuple[str, ...]] = set()


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents 0700. An existing folder keeps its mode: an
    administrator may have chosen it; the start-up warning says so."""
    missing, folder = [], path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
    return path


def create_private_file(path: Path) -> bool:
    """Create an empty file 0600 if there is none. True if it was created."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    os.close(descriptor)
    return True


def exposed(paths: Iterable[Path]) -> list[str]:
    """'PATH (mode)' for each existing path that other accounts may read or write."""
    found = []
    for path in paths:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue
        if mode & 0o077:
            found.append(f"{path} ({mode:o})")
    return found


def warn_if_exposed(paths: Iterable[Path]) -> None:
    """One line, once per process for the same files, naming what other users can read."""
    wide = exposed(paths)
    if not wide or tuple(wide) in _warned:
        return
    _warned.add(tuple(wide))
    log.warning("warning: other users on this machine can read %s; run `chmod 700` on the "
                "folder and `chmod 600` on the files (see SECURITY.md)", ", ".join(wide))
