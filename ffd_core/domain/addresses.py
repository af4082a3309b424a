"""Email addresses and hosts, read strictly: one mailbox, no header tricks."""

from __future__ import annotations

import ipaddress
from email.errors import HeaderParseError
from email.headerregistry import HeaderRegistry

_HEADERS = HeaderRegistry()


def mailbox(text: str) -> str | None:
    """The one addr-spec in ``text`` ("Name <a@b.example>" or "a@b.example"), or None when it
    is not exactly one well-formed address: a comma, a second address, a line break or a
    missing domain could otherwise add recipients or headers to a message."""
    if not isinstance(text, str) or any(c in text for c in "\r\n\0"):
        return None
    try:
        header = _HEADERS("to", text)  # the standard library's RFC 5322 parser
        found = header.addresses
    except (ValueError, IndexError, HeaderParseError):
        return None
    if (header.defects or len(found) != 1 or len(header.groups) != 1
            or header.groups[0].display_name is not None):
        return None
    spec = found[0].addr_spec
    local, at, domain = spec.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in spec):
        return None
    return spec


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def mailbox_key(address: str) -> str:
    """One person's mailbox, for counting and for "an account already exists": lower-cased,
    with a "+tag" removed from the local part, so ``Tess+1@school.example``,
    ``tess+2@school.example`` and ``TESS@school.example`` are all ``tess@school.example``.
    Only an identity: mail still goes to the address as typed."""
    local, _, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0] or local}@{domain}"


def is_loopback(host: str) -> bool:
    """This machine only: "localhost" or a loopback IP (::1, 127.0.0.0/8)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
