"""Read YAML keeping line numbers, so every configuration error can name file and line.

ruamel's round-trip loader records positions on each mapping and sequence; the helpers here
turn them into 1-based line numbers and plain Python data.

Every YAML file the product reads comes through here, and council staff (or whoever can
write to their folder) edit them, so a file is screened before it is built: anchors and
aliases are refused (an alias bomb expands to gigabytes), nesting is bounded (thousands of
brackets would exhaust the stack when built or walked), and so are size and custom tags.
The screen reads the event stream, which ruamel produces without recursion, and stops at
the first problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent

from .errors import ConfigError


# The deepest bundled file nests 7 levels and the largest is 25 kB: these leave room to grow.
MAX_DEPTH = 20
MAX_BYTES = 1_000_000
# The plain types (!!str, !!int...) are harmless; any other tag (!!python/object..., !custom)
# would build an object the readers do not expect.
PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
}


def load_yaml(path: Path) -> tuple[Any, list[ConfigError]]:
    """Parse one file; a syntax error comes back as a ConfigError, never as an exception."""
    try:
        with path.open("rb") as handle:  # read no more than the cap, whatever the file is
            data = handle.read(MAX_BYTES + 1)
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"cannot read the file: it is not UTF-8 text (byte {exc.start})"
        return None, [ConfigError(str(path), None, message, "save it as UTF-8 text")]
    except OSError as exc:
        return None, [ConfigError(str(path), None, f"cannot read the file: {exc.strerror or exc}")]
    return parse_yaml(text, str(path))


def parse_yaml(text: str, filename: str) -> tuple[Any, list[ConfigError]]:
    hint = "check indentation and that text containing ':' or '#' is in quotes"
    if len(text) > MAX_BYTES:
        return None, [_too_big(filename)]
    text = text.removeprefix("\ufeff")  # a byte-order mark from Windows editors
    try:
        refused = _screen(text, filename)
        if refused:
            return None, [refused]
        return YAML(typ="rt").load(text), []
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return None, [
            ConfigError(filename, line, f"not valid YAML: {exc.problem or exc.context}", hint)
        ]
    except YAMLError as exc:  # e.g. a control character, which has no line to show
        return None, [ConfigError(filename, None, f"not valid YAML: {exc}", hint)]


def _screen(text: str, filename: str) -> ConfigError | None:
    """The first anchor, alias, custom tag or too-deep nesting in ``text``, if any."""
    depth = 0
    for event in YAML(typ="rt").parse(text):
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
            return ConfigError(
                filename,
                line,
                "anchors (&name) and aliases (*name) are not allowed",
                "write the values out in full where they are needed",
            )
        tag = getattr(event, "tag", None)
        if tag is not None and str(tag) not in PLAIN_TAGS:
            return ConfigError(
                filename, line, f"the tag {tag} is not allowed", "remove it; write plain values"
            )
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return ConfigError(
                    filename,
                    line,
                    f"the lists and mappings here are nested more than {MAX_DEPTH} deep",
                    "no configuration needs this much nesting; flatten it",
                )
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
    return None


def _too_big(filename: str) -> ConfigError:
    return ConfigError(
        filename,
        None,
        f"the file is larger than {MAX_BYTES // 1_000_000} MB",
        "configuration files are a few kilobytes; check this is the right file",
    )


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
