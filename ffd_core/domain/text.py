"""Text people type (names of agencies, staff and children; answers; messages): what may be
stored.

A name is shown in terminals, web pages, emails and exports. Control characters can
rewrite a terminal (an escape sequence in an agency's name could clear the screen or fake
a line of output) and bidirectional overrides can make text read differently from what is
stored ("Trojan Source", CVE-2021-42574). Such characters never belong in a name, so they
are refused with a message rather than silently dropped, which would store something other
than what the person typed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from ffd_core.errors import InvalidInput

# Unicode categories never needed in a name: controls (Cc, including tab and newline),
# invisible formatting (Cf: bidi overrides and isolates, zero-width space, BOM), line and
# paragraph separators, surrogates and private use.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co"}
# Zero-width (non-)joiners are part of correct spelling in Persian, Indic scripts and more.
_ALLOWED_FORMAT = {"\u200c", "\u200d"}


# Longest free text kept from one person at one time (a reply, a note, a message, one
# answer): about eight pages. More is a mistake or an attack on the console and the store.
MAX_TEXT = 20_000
# Line breaks and tabs belong in free text, never in a name.
_TEXT_CONTROLS = {"\n", "\t", "\r"}
# Refused even in free text: controls (but the above) and surrogates.
_STRAY_CATEGORIES = {"Cc", "Cs"}


def clean_name(value: str, what: str) -> str:
    """``value`` trimmed and in composed (NFC) form; InvalidInput naming ``what`` if it holds
    a control, bidirectional or other invisible formatting character."""
    return _checked(unicodedata.normalize("NFC", value).strip(), what, allowed=set(),
                    again="type the name again without it")


def clean_text(value: str, what: str, *, limit: int = MAX_TEXT) -> str:
    """Free text (an answer, a reply, a note): as ``clean_name`` but keeping line breaks and
    tabs, and at most ``limit`` characters."""
    text = unicodedata.normalize("NFC", value)
    if len(text) > limit:
        raise InvalidInput(f"{what} is {len(text):,} characters long; the most is {limit:,}: "
                           "shorten it, or attach the rest as a document")
    return _checked(text, what, allowed=_TEXT_CONTROLS, again="type it again without it")


def stray_character(value: str) -> str | None:
    """Where ``value`` holds a character that no text coming in from outside may hold, as
    "U+0000 (a control character) at character 3"; None if it holds none. These are the
    control characters other than line breaks and tabs (nobody types them; a NUL cannot
    even be stored by PostgreSQL, and an escape rewrites a terminal) and halves of
    surrogate pairs (not text at all). Checked for every answer, form field and address
    the web endpoint and the API take, on every backend alike."""
    for position, char in enumerate(value, start=1):
        if unicodedata.category(char) in _STRAY_CATEGORIES and char not in _TEXT_CONTROLS:
            return _described(char, position)
    return None


def _checked(text: str, what: str, *, allowed: set[str], again: str) -> str:
    for position, char in enumerate(text, start=1):
        if (unicodedata.category(char) in _REFUSED_CATEGORIES and char not in _ALLOWED_FORMAT
                and char not in allowed):
            raise InvalidInput(f"{what} contains {_described(char, position)}; {again} "
                               "(it may have come from a copy and paste)")
    return text


def _described(char: str, position: int) -> str:
    name = unicodedata.name(char, "a control character").lower()
    return f"U+{ord(char):04X} ({name}) at character {position}"


# What steers a terminal or reorders text, in data that comes from elsewhere (an import, the
# store): C0 and C1 controls (ESC moves the cursor; NUL cannot be stored by PostgreSQL) and
# the bidi overrides and isolates. Imports remove them; the console shows them as escapes.
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"


@cache
def steering(kept: str = "") -> re.Pattern[str]:
    """The steering characters but those in ``kept`` (e.g. line breaks in free text)."""
    controls = "".join(chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in kept)
    return re.compile(f"[{re.escape(controls)}{_BIDI_CONTROLS}]")


def escaped(text: str, kept: str = "") -> str:
    """``text`` with each steering character (but those in ``kept``) written as an escape,
    \\x1b or \\u202e, so a reader sees it is there and the terminal is not steered by it."""
    return steering(kept).sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
