"""The council's own details (council.yaml): its name and the numbers partners are given."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ffd_core.forms.errors import ErrorSink
from ffd_core.forms.reading import NodeReader
from ffd_core.forms.yaml_source import line_of, plain

PHONE = re.compile(r"^[0-9 +()-]{6,}$")


@dataclass(frozen=True)
class Council:
    name: str
    edt_phone: str  # emergency duty team, out of hours
    front_door_phone: str = ""

    def template_facts(self) -> dict[str, str]:
        return {"council_name": self.name, "edt_phone": self.edt_phone}


def read_council(node: Any, sink: ErrorSink) -> Council | None:
    before = len(sink.errors)
    reader = NodeReader(sink)
    if not reader.mapping(node, {"name", "edt_phone", "front_door_phone"}, "the council file", 1):
        return None
    name = reader.text(node, "name", required=True)
    phones = {}
    for key, required in (("edt_phone", True), ("front_door_phone", False)):
        value = plain(node.get(key))
        if value is None and not required:
            continue
        if not isinstance(value, str) or not PHONE.match(value):
            sink.add(
                line_of(node, key) or 1,
                f"'{key}' must be a telephone number, got {value!r}",
                'write it in quotes if it starts with 0, for example "01632 960 000"',
            )
        phones[key] = str(value)
    if len(sink.errors) != before:
        return None
    return Council(name, phones["edt_phone"], phones.get("front_door_phone", ""))
