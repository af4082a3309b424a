"""Names people type (agencies, staff, teams): what may be stored.

A name is shown in terminals, web pages, emails and exports. Control characters can
rewrite a terminal (an escape sequence in an agency's name could clear the screen or fake
a line of output) and bidirectional overrides can make text read differently from what is
stored ("Trojan Source", CVE-2021-42574). Such characters never belong in a name, so they
are refused with a message rather than silently dropped, which would store something other
than what the person typed.
"""

from __future__ import annotations

import unicodedata

from ffd_core.errors import InvalidInput

# Unicode categories never needed in a name: controls (Cc, including tab and newline),
# invisible formatting (Cf: bidi overrides and isolates, zero-width space, BOM), line and
# paragraph separators, surrogates and private use.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co"}
# Zero-width (non-)joiners are part of correct spelling in Persian, Indic scripts and more.
_ALLOWED_FORMAT = {"\u200c", "\u200d"}


def clean_name(value: str, what: str) -> str:
    """``value`` trimmed and in composed (NFC) form; InvalidInput naming ``what`` if it holds
    a control, bidirectional or other invisible formatting character."""
    text = unicodedata.normalize("NFC", value).strip()
    for position, char in enumerate(text, start=1):
        if unicodedata.category(char) in _REFUSED_CATEGORIES and char not in _ALLOWED_FORMAT:
            name = unicodedata.name(char, "a control character").lower()
            raise InvalidInput(
                f"{what} contains U+{ord(char):04X} ({name}) at character {position}; "
                "type the name again without it (it may have come from a copy and paste)"
            )
    return text
