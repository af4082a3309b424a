"""Shared checks for reading configuration mappings, so every file reports problems the same way."""

from __future__ import annotations

import difflib
import re
from typing import Any

from .errors import ErrorSink
from .yaml_source import line_of, plain

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# A definition's version: bumped by hand on each change, so a million is never reached.
MAX_VERSION = 1_000_000


class NodeReader:
    def __init__(self, sink: ErrorSink) -> None:
        self.sink = sink

    def mapping(self, node: Any, allowed: set[str], what: str, line: int | None) -> bool:
        if not isinstance(node, dict):
            self.sink.add(line_of(node) or line, f"{what} must be a mapping of keys to values")
            return False
        ok = True
        for key in node:
            if key not in allowed:
                ok = False
                self.sink.add(
                    line_of(node, key),
                    f"unknown key '{key}' in {what}",
                    "allowed keys: " + ", ".join(sorted(allowed)) + suggest(key, allowed),
                )
        return ok

    def ident(self, node: dict, key: str, pattern: re.Pattern[str] = ID_PATTERN) -> str | None:
        value = plain(node.get(key))
        if not isinstance(value, str) or not pattern.match(value):
            self.sink.add(
                line_of(node, key) or line_of(node),
                f"'{key}' must be an id such as child_dob, got {value!r}",
                "use lower-case letters, digits and underscores, starting with a letter",
            )
            return None
        return value

    def text(self, node: dict, key: str, required: bool = False) -> str | None:
        value = plain(node.get(key))
        if value in (None, "") and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            self.sink.add(line_of(node, key) or line_of(node), f"'{key}' must be some text")
            return None
        return value.strip()

    def integer(
        self, node: dict, key: str, minimum: int, maximum: int, required: bool = False
    ) -> int | None:
        """Every number in the schema has both bounds: a huge one crashes code far from here."""
        value = plain(node.get(key))
        if value is None and not required:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
            self.sink.add(
                line_of(node, key) or line_of(node),
                f"'{key}' must be a whole number from {minimum} to {maximum}, got {value!r}",
            )
            return None
        return value


def suggest(word: Any, choices: Any) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def items_of(
    reader: NodeReader, node: dict, key: str, what: str
) -> list[tuple[Any, int | None]] | None:
    """The entries of a non-empty list with their lines, or None after reporting the problem."""
    value = node.get(key)
    if not isinstance(value, list) or not value:
        reader.sink.add(line_of(node, key) or line_of(node), f"{what} needs a list under '{key}'")
        return None
    return [(item, line_of(value, i)) for i, item in enumerate(value)]
