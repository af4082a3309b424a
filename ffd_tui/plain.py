"""Data on screen exactly as it was typed, never read as markup.

Rich and Textual read "[b]...[/]" and "[@click=...]" in a plain string as styling and
actions. A partner's answer, a child's name or a reason typed by anyone is data: given as
a string it could hide words from an officer ("[dad hits mum]" vanishes), crash the
console ("Maisie[/x]") or plant a clickable action. Everything from the store is wrapped
here before it reaches a table, a Static or a notification.

Nor is it read as terminal control: a name holding ESC[2K ESC[1A could erase and rewrite
the line above it, and a right-to-left override (U+202E) reorders what follows. Control
characters (but new line and tab) and bidi overrides and isolates are shown as escapes,
\\x1b or \\u202e, so an officer sees they are there and the screen shows what is stored.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from ffd_core.domain.text import escaped


def visible(text: str) -> str:
    """``text`` with every character that would steer the terminal written as an escape
    (new lines and tabs are layout, and kept)."""
    return escaped(text, "\n\t")


def plain(value: Any, style: str = "") -> Text:
    """``value`` as literal text (a Text passes through unchanged)."""
    if isinstance(value, Text):
        return value
    return Text("" if value is None else visible(str(value)), style=style)


def add_plain_row(table: Table, *cells: Any) -> None:
    """A table row whose every cell is literal text."""
    table.add_row(*(plain(cell) for cell in cells))
