"""Read thresholds.yaml, reporting problems with their line."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from ffd_core.domain.vocab import LevelOfNeed
from ffd_core.forms.errors import ErrorSink
from ffd_core.forms.reading import MAX_VERSION, NodeReader, items_of, suggest
from ffd_core.forms.yaml_source import line_of, plain

from .model import Domain, Indicator, Level, ThresholdGuidance

INDICATOR_ID = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")


def read_guidance(
    node: Any, sink: ErrorSink, categories: Collection[str] = ()
) -> ThresholdGuidance | None:
    """``categories`` are the form's categories; an indicator tagged with another is a typo."""
    before = len(sink.errors)
    reader = NodeReader(sink)
    if not reader.mapping(
        node, {"version", "base_url", "domains", "levels"}, "the threshold guidance", 1
    ):
        return None
    version = reader.integer(node, "version", 1, MAX_VERSION, required=True)
    base_url = reader.text(node, "base_url", required=True)
    if base_url and not base_url.startswith("https://"):
        sink.add(
            line_of(node, "base_url"),
            "'base_url' must start with https://",
            "use the public address of the guidance page",
        )
    domains = _domains(reader, node)
    seen: set[str] = set()  # indicator ids so far, to catch a reused id where it is reused
    levels = [
        _level(reader, item, line, domains, categories, seen)
        for item, line in items_of(reader, node, "levels", "the guidance") or []
    ]
    _check_levels(sink, node, [lv for lv in levels if lv is not None])
    if len(sink.errors) != before:
        return None
    return ThresholdGuidance(
        version,
        base_url.rstrip("/"),
        tuple(domains),
        tuple(sorted(levels, key=lambda lv: lv.number)),
    )


def _domains(reader: NodeReader, node: dict) -> list[Domain]:
    domains = []
    for item, line in items_of(reader, node, "domains", "the guidance") or []:
        if reader.mapping(item, {"id", "title"}, "a domain", line):
            domain_id, title = reader.ident(item, "id"), reader.text(item, "title", required=True)
            if domain_id and title:
                domains.append(Domain(domain_id, title))
    return domains


def _level(reader, node, line, domains, categories, seen) -> Level | None:
    if not reader.mapping(
        node, {"level", "number", "title", "summary", "indicators"}, "a level", line
    ):
        return None
    raw = plain(node.get("level"))
    try:
        level = LevelOfNeed(raw)
    except ValueError:
        reader.sink.add(
            line_of(node, "level") or line,
            f"unknown level {raw!r}",
            "use one of: " + ", ".join(v.value for v in LevelOfNeed),
        )
        return None
    number = reader.integer(node, "number", 1, len(LevelOfNeed), required=True)
    title = reader.text(node, "title", required=True)
    summary = reader.text(node, "summary", required=True)
    indicators = [
        _indicator(reader, item, at, level, domains, categories, seen)
        for item, at in items_of(reader, node, "indicators", "a level") or []
    ]
    if None in (number, title, summary) or any(i is None for i in indicators):
        return None
    return Level(level, number, title, summary, tuple(indicators))


def _indicator(reader, node, line, level, domains, categories, seen) -> Indicator | None:
    if not reader.mapping(node, {"id", "domain", "text", "categories"}, "an indicator", line):
        return None
    indicator_id = plain(node.get("id"))
    if not isinstance(indicator_id, str) or not INDICATOR_ID.match(indicator_id):
        reader.sink.add(
            line,
            f"indicator id {indicator_id!r} is not valid",
            "use capitals, digits and hyphens, such as L4-CD-01",
        )
        return None
    if indicator_id in seen:
        reader.sink.add(
            line,
            f"indicator id {indicator_id} is used twice",
            "every indicator needs its own id; decisions cite it",
        )
    seen.add(indicator_id)
    domain = plain(node.get("domain"))
    domain_ids = [d.id for d in domains]
    if domain not in domain_ids:
        reader.sink.add(
            line,
            f"indicator {indicator_id} names domain {domain!r}, which is not listed under 'domains'",
            "use one of: " + ", ".join(domain_ids) + suggest(domain, domain_ids),
        )
        return None
    tags = plain(node.get("categories")) or []
    if not isinstance(tags, list):
        reader.sink.add(line, f"indicator {indicator_id}: 'categories' must be a list")
        return None
    for tag in tags:
        if categories and tag not in categories:
            reader.sink.add(
                line,
                f"indicator {indicator_id} is tagged with category {tag!r}, which the cause for concern form does not have",
                "use a category value from cfc.yaml" + suggest(tag, categories),
            )
    text = reader.text(node, "text", required=True)
    return Indicator(indicator_id, level, domain, text, tuple(tags)) if text else None


def _check_levels(sink: ErrorSink, node: dict, levels: list[Level]) -> None:
    present = [lv.level for lv in levels]
    for level in LevelOfNeed:
        if present.count(level) != 1:
            sink.add(
                line_of(node, "levels"),
                f"level '{level.value}' must appear exactly once (found {present.count(level)})",
            )
