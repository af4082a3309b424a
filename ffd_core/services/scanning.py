"""The upload scanning hook: ClamAV's clamd over its INSTREAM protocol when
``clamd_address`` is set (a unix socket path, or host:port); off otherwise.

The protocol is four messages (zINSTREAM, length-prefixed chunks, a zero length, one reply
line), so it is spoken here rather than through the clamd client packages on PyPI, which
have not been maintained since 2014/2017. A scanner that cannot be reached refuses the
upload: a document is never let through unscanned when scanning is configured."""

from __future__ import annotations

import socket
import struct

from ffd_core.errors import InvalidInput

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 30


class VirusFound(InvalidInput):
    pass


class ScannerUnavailable(InvalidInput):
    pass


def scan(address: str, name: str, data: bytes) -> None:
    """Raise VirusFound (worded as GOV.UK's upload pattern says) or ScannerUnavailable."""
    if not address:
        return
    try:
        with _connect(address) as conn:
            conn.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start:start + CHUNK]
                conn.sendall(struct.pack("!L", len(chunk)) + chunk)
            conn.sendall(struct.pack("!L", 0))
            reply = _read_reply(conn)
    except OSError as error:
        raise ScannerUnavailable(f"{name} could not be checked for viruses just now; try again "
                                 f"in a few minutes ({error.strerror or error})") from None
    if reply.endswith("FOUND"):
        raise VirusFound(f"{name} contains a virus")
    if not reply.endswith("OK"):
        raise ScannerUnavailable(f"{name} could not be checked for viruses ({reply}); try again")


def finding(address: str, name: str, data: bytes) -> str | None:
    """The scanning hook's verdict as a finding (None: clean, or scanning is off), for
    callers that quarantine rather than refuse; ScannerUnavailable still raises."""
    try:
        scan(address, name, data)
    except VirusFound:
        return "a virus"
    return None


def _connect(address: str) -> socket.socket:
    if address.startswith("/"):
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(TIMEOUT_SECONDS)
        conn.connect(address)
        return conn
    host, _, port = address.rpartition(":")
    return socket.create_connection((host, int(port)), timeout=TIMEOUT_SECONDS)


def _read_reply(conn: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0") and len(reply) < 4096:
        part = conn.recv(4096)
        if not part:
            break
        reply += part
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()
