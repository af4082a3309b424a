"""Checkpoints: the audit trail's end, written down outside the database.

A head signed with the key stops someone without the key cutting the trail, but not
someone who puts back an older copy of the whole store (or of its head), nor a key holder
who rewrites the last segment. A line appended now and then to a file the store's users
cannot change (another machine, the system log, an append-only file) pins the trail: a
later verify refuses a trail that ends before a checkpoint or differs at one.

One line per checkpoint, readable by people and found anywhere in a line (so a syslog prefix
does no harm)::

    ffd-audit-checkpoint v1 at=2026-11-24T10:00:00Z seq=1234 hmac=<64 hex> first=<64 hex|-> key=<16 hex|->
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ffd_core.audit import Pin, Tip, short
from ffd_core.clock import as_utc, format_uk_datetime
from ffd_core.errors import InvalidInput
from ffd_core.store.files import PRIVATE_FILE, warn_if_exposed

MARK = "ffd-audit-checkpoint"
_LINE = re.compile(MARK + r" v1 at=(?P<at>\S+) seq=(?P<seq>\d+) hmac=(?P<hmac>[0-9a-f]{64}) "
                   r"first=(?P<first>[0-9a-f]{64}|-) key=(?P<key>[0-9a-f]{16}|-)")


@dataclass(frozen=True)
class Checkpoint:
    at: datetime
    seq: int
    hmac: str
    first_hmac: str | None
    key: str | None
    where: str = ""  # file:line it was read from

    @property
    def line(self) -> str:
        return (f"{MARK} v1 at={as_utc(self.at).strftime('%Y-%m-%dT%H:%M:%SZ')} seq={self.seq} "
                f"hmac={self.hmac} first={self.first_hmac or '-'} key={short(self.key) if self.key else '-'}")

    def pins(self) -> list[Pin]:
        source = f"the checkpoint of {format_uk_datetime(self.at)} ({self.where})"
        pins = [Pin(self.seq, self.hmac, source)] if self.seq else []
        if self.first_hmac:
            pins.append(Pin(1, self.first_hmac, source))
        return pins


def checkpoint_of(tip: Tip, at: datetime) -> Checkpoint:
    return Checkpoint(as_utc(at).replace(microsecond=0), tip.seq, tip.hmac, tip.first_hmac,
                      tip.key_fingerprint)


def append_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Append one line: opened for appending only, created readable by the owner only,
    written in one call and flushed to disk. Earlier lines are never rewritten."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
    except OSError as error:
        raise InvalidInput(f"cannot open {path} for appending: {error.strerror}; give a file "
                           "in a folder you can write") from None
    try:
        os.write(descriptor, (checkpoint.line + "\n").encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    warn_if_exposed([path])


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """Every checkpoint line in ``path`` (other lines, e.g. the rest of a system log, are
    skipped); a line that names itself a checkpoint but does not parse is refused."""
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError as error:
        raise InvalidInput(f"cannot read the checkpoint file {path}: {error.strerror}") from None
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if MARK not in line:
            continue
        match = _LINE.search(line)
        try:
            at = datetime.fromisoformat(match["at"].replace("Z", "+00:00")) if match else None
        except ValueError:
            at = None
        if match is None or at is None:
            raise InvalidInput(f"{path}:{number}: a damaged checkpoint line; restore the file "
                               "from its copy, or remove that line knowingly")
        found.append(Checkpoint(as_utc(at), int(match["seq"]), match["hmac"],
                                None if match["first"] == "-" else match["first"],
                                None if match["key"] == "-" else match["key"],
                                f"{path.name}:{number}"))
    if not found:
        raise InvalidInput(f"{path} holds no checkpoint lines; make one with "
                           "`ffd audit checkpoint FILE`")
    return found
