"""Data on screen exactly as it was typed, never read as markup.

Rich and Textual read "[b]...[/]" and "[@click=...]" in a plain string as styling and
actions. A partner's answer, a child's name or a reason typed by anyone is data: given as
a string it could hide words from an officer ("[dad hits mum]" vanishes), crash the
console ("Maisie[/x]") or plant a clickable action. Everything from the store is wrapped
here before it reaches a table, a Static or a notification.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text


def plain(value: Any, style: str = "") -> Text:
    """``value`` as literal text (a Text passes through unchanged)."""
    if isinstance(value, Text):
        return value
    return Text("" if value is None else str(value), style=style)


def add_plain_row(table: Table, *cells: Any) -> None:
    """A table row whose every cell is literal text."""
    table.add_row(*(plain(cell) for cell in cells))
