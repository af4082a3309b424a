"""The JSON contract between a source system (or its adapter) and incremental sync.

    GET {base}/api/v1/sources/{source}/records?changed_since=ISO&page_size=N&page_token=T
    Authorization: Bearer TOKEN            (when the source requires one)

    200 {"source": "framework_i",
         "as_of": "2026-11-26T09:00:00+00:00",       # the server's clock when the page was cut
         "records": [{...record...}, ...],           # oldest change first
         "next_page_token": "..." | null}            # null on the last page

Records changed at or after ``changed_since`` (all when it is absent), ordered by
(``updated_at``, ``source_id``). ``page_token`` is opaque to the client: it names the
last record returned, so paging is stable while records change. A record is an object
with the fields of :class:`SourceRecord`; dates are ISO 8601, ``details`` is an object.
The client remembers the ``as_of`` of a run's first page and asks for changes since it
next time; re-reading a record is harmless (records are keyed by source and source id).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from ffd_core.search.records import LIST_FIELDS, SourceRecord

PATH = "/api/v1/sources/{source}/records"
MAX_PAGE_SIZE = 1000


def record_to_json(record: SourceRecord) -> dict[str, Any]:
    data = asdict(record)
    for name in LIST_FIELDS:
        data[name] = list(getattr(record, name))
    data["details"] = dict(record.details)
    for name in ("date_of_birth", "updated_at"):
        value = data[name]
        data[name] = value.isoformat() if value is not None else None
    return data


def record_from_json(data: Mapping[str, Any]) -> SourceRecord:
    values = dict(data)
    for name in LIST_FIELDS:
        values[name] = tuple(values.get(name) or ())
    values["details"] = dict(values.get("details") or {})
    if values.get("date_of_birth"):
        values["date_of_birth"] = date.fromisoformat(values["date_of_birth"])
    if values.get("updated_at"):
        values["updated_at"] = datetime.fromisoformat(values["updated_at"])
    known = SourceRecord.__dataclass_fields__
    return SourceRecord(**{k: v for k, v in values.items() if k in known})


def make_token(updated_at: datetime, source_id: str) -> str:
    return base64.urlsafe_b64encode(f"{updated_at.isoformat()}|{source_id}".encode()).decode()


def read_token(token: str) -> tuple[datetime, str]:
    text = base64.urlsafe_b64decode(token.encode()).decode()
    when, source_id = text.split("|", 1)
    return datetime.fromisoformat(when), source_id
