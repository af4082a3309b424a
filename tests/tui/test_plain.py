"""Data never steers the terminal: control characters and bidi overrides are shown as
escapes (an independent review moved the cursor and reordered a name with them)."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.table import Table

from ffd_tui.plain import add_plain_row, plain


@pytest.mark.parametrize("typed, shown", [
    ("Amy\x1b[2K\x1b[1ASmith", "Amy\\x1b[2K\\x1b[1ASmith"),
    ("over\rwrite\x07\x08", "over\\x0dwrite\\x07\\x08"),
    ("C1\x9b2J\x85\x7f", "C1\\x9b2J\\x85\\x7f"),
    ("abc\u202edcba\u202c", "abc\\u202edcba\\u202c"),
    ("\u202a\u202b\u202d\u2066\u2067\u2068\u2069", "\\u202a\\u202b\\u202d\\u2066\\u2067\\u2068\\u2069"),
    ("two\nlines\tand a tab", "two\nlines\tand a tab"),  # layout the screen shows, not control
    ("Zoë O'Neill-Łukasz 李", "Zoë O'Neill-Łukasz 李"),
])
def test_control_and_bidi_characters_are_shown_as_escapes(typed, shown):
    assert plain(typed).plain == shown


def test_a_table_row_never_sends_an_escape_to_the_terminal():
    console = Console(width=120, force_terminal=True, color_system=None, record=True)
    table = Table()
    table.add_column("name")
    add_plain_row(table, "Amy\x1b[2K\x1b[1A\u202eSmith")
    console.print(table)
    text = console.export_text()
    assert "\x1b" not in text and "\u202e" not in text and "Amy\\x1b[2K\\x1b[1A\\u202eSmith" in text
