"""Reading a secure email the council's relay forwarded: its MIME, and whom the relay vouched
for. Plain Python (the standard library's email parser and authres), no I/O.

What is trusted and why:

- Only the topmost Authentication-Results header is read, and only if it carries the
  relay's own authserv-id: the relay adds it on top of everything the sender wrote (and
  removes any that claims its name, RFC 8601 section 5), so a header the sender forged is
  never the one read.
- A domain counts as authenticated when SPF passed for the envelope sender's domain or DKIM
  passed for the signing domain (header.d); the From header's domain must be that domain or
  below it (alignment), so passing SPF for one domain cannot vouch for a From of another.
- A message with any MIME defect the parser reports (a missing boundary, bad base64, a
  broken header) is malformed: it is not guessed at, it goes to quarantine.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser

import authres

from ffd_core.errors import InvalidInput

MAX_PARTS = 100  # more is a MIME bomb, not a referral
MAX_DEPTH = 8


class Unreadable(InvalidInput):
    """Malformed MIME, or a message that names no single sender."""


@dataclass(frozen=True)
class EmailAttachment:
    filename: str
    data: bytes


@dataclass(frozen=True)
class ReadEmail:
    from_address: str
    from_name: str
    subject: str
    message_id: str | None
    text: str
    attachments: tuple[EmailAttachment, ...]

    @property
    def from_domain(self) -> str:
        return self.from_address.rpartition("@")[2].lower()


def read_email(raw: bytes, *, strict: bool = True) -> ReadEmail:
    """The sender, subject, text and attachments. ``strict``: any MIME defect refuses it
    (a supervisor releasing a quarantined email reads what can be read)."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        parts = _parts(message)
        if strict:
            defects = _defects(message, parts)
            if defects:
                raise Unreadable(f"malformed MIME ({', '.join(sorted(set(defects)))})")
        sender = _sender(message)
        text, html, attachments = "", "", []
        for part in parts:
            if part.is_multipart():
                continue
            content_type = part.get_content_type()
            if part.is_attachment() or part.get_filename():
                attachments.append(EmailAttachment(_filename(part, len(attachments)), _bytes(part)))
            elif content_type == "text/plain" and not text:
                text = part.get_content()
            elif content_type == "text/html" and not html:
                html = part.get_content()
            elif strict:
                raise Unreadable(f"a {content_type} part that is neither text nor an attachment")
    except Unreadable:
        raise
    except (LookupError, ValueError, TypeError, binascii.Error, AttributeError) as error:
        raise Unreadable(f"malformed MIME ({error})") from None
    return ReadEmail(
        from_address=sender.addr_spec if sender else "", from_name=sender.display_name if sender else "",
        subject=" ".join(str(message.get("subject", "")).split())[:300],
        message_id=str(message.get("message-id", "")).strip()[:255] or None,
        text=(text or _html_text(html)).strip(), attachments=tuple(attachments))


def _parts(message: EmailMessage) -> list[EmailMessage]:
    found: list[EmailMessage] = []

    def walk(part: EmailMessage, depth: int) -> None:
        if depth > MAX_DEPTH or len(found) >= MAX_PARTS:
            raise Unreadable(f"more than {MAX_PARTS} parts or {MAX_DEPTH} levels of nesting")
        found.append(part)
        if part.is_multipart():
            for child in part.iter_parts():
                walk(child, depth + 1)

    walk(message, 0)
    return found


def _defects(message: EmailMessage, parts: list[EmailMessage]) -> list[str]:
    defects = [type(d).__name__ for part in parts for d in part.defects]
    for part in parts:
        for _name, value in part.items():
            defects += [type(d).__name__ for d in getattr(value, "defects", ())]
    return defects


def _sender(message: EmailMessage) -> Address | None:
    header = message.get("from")
    addresses = getattr(header, "addresses", ()) if header is not None else ()
    if len(addresses) != 1 or "@" not in addresses[0].addr_spec:
        raise Unreadable("the From header must name exactly one sender")
    return addresses[0]


def _filename(part: EmailMessage, number: int) -> str:
    return (part.get_filename() or f"attachment-{number + 1}").strip()[:200]


def _bytes(part: EmailMessage) -> bytes:
    content = part.get_content()
    return content.encode("utf-8") if isinstance(content, str) else bytes(content)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:  # noqa: ANN001
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "li", "tr"):
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)


def _html_text(html: str) -> str:
    """The words of an HTML-only email (never rendered: scripts and styles dropped)."""
    if not html:
        return ""
    reader = _Text()
    reader.feed(html)
    return "\n".join(" ".join(line.split()) for line in "".join(reader.chunks).splitlines()
                     if line.strip())


# ------------------------------------------------------------------------------ who sent it


def authenticated_domains(results: list[str], authserv_id: str) -> set[str]:
    """Domains the relay says passed SPF or DKIM, from the topmost Authentication-Results
    header (``results`` in the order they appear) if it is the relay's own; else none."""
    if not results or not authserv_id:
        return set()
    try:
        header = authres.AuthenticationResultsHeader.parse_value(" ".join(results[0].split()))
    except authres.AuthResError:
        return set()
    if (header.authserv_id or "").lower() != authserv_id.lower():
        return set()
    domains = set()
    for result in header.results:
        if str(result.result).lower() != "pass":
            continue
        wanted = {"spf": ("smtp", "mailfrom"), "dkim": ("header", "d")}.get(str(result.method).lower())
        for prop in result.properties:
            if wanted and (prop.type, prop.name) == wanted and prop.value:
                domains.add(str(prop.value).rpartition("@")[2].lower().strip("."))
    return domains


def within(domain: str, parent: str) -> bool:
    """``domain`` is ``parent`` or one of its subdomains."""
    domain, parent = domain.lower().strip("."), parent.lower().strip(".")
    return bool(parent) and (domain == parent or domain.endswith("." + parent))


def vouched_domain(email: ReadEmail, authenticated: set[str]) -> str | None:
    """The authenticated domain the From address is aligned with, or None."""
    return next((d for d in sorted(authenticated) if within(email.from_domain, d)), None)
