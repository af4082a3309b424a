"""Read YAML keeping line numbers, so every configuration error can name file and line.

ruamel's round-trip loader records positions on each mapping and sequence; the helpers here
turn them into 1-based line numbers and plain Python data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .errors import ConfigError


def load_yaml(path: Path) -> tuple[Any, list[ConfigError]]:
    """Parse one file; a syntax error comes back as a ConfigError, never as an exception."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ConfigError(str(path), None, f"cannot read the file: {exc}")]
    return parse_yaml(text, str(path))


def parse_yaml(text: str, filename: str) -> tuple[Any, list[ConfigError]]:
    hint = "check indentation and that text containing ':' or '#' is in quotes"
    try:
        return YAML(typ="rt").load(text), []
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return None, [
            ConfigError(filename, line, f"not valid YAML: {exc.problem or exc.context}", hint)
        ]
    except YAMLError as exc:  # e.g. a control character, which has no line to show
        return None, [ConfigError(filename, None, f"not valid YAML: {exc}", hint)]


def line_of(node: Any, key: Any = None) -> int | None:
    """1-based line of a mapping key, a sequence item, or the node itself."""
    try:
        if key is None:
            return node.lc.line + 1
        if isinstance(node, CommentedMap):
            return node.lc.key(key)[0] + 1
        if isinstance(node, CommentedSeq):
            return node.lc.item(key)[0] + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return None
    return None


def plain(node: Any) -> Any:
    """Strip ruamel's wrappers: dicts, lists, str, int, float, bool, None (dates become ISO text)."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if hasattr(node, "isoformat"):
        return node.isoformat()
    return node
