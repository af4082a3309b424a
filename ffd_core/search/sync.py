"""Incremental sync of one source system over HTTP (see sync_contract for the JSON).

Each page is written in one transaction together with the cursor that says where the
next page starts, so a failure loses at most the page in flight: running sync again
resumes from the last page written. Records are keyed by (source, source id), so a page
read twice never makes a duplicate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ffd_core.clock import Clock, SystemClock
from ffd_core.connectors.http import OutboundClient, OutboundFailed, PageTokens, Policy
from ffd_core.errors import FFDError
from ffd_core.search.index_store import upsert_records
from ffd_core.search.progress import Progress, no_progress
from ffd_core.search.records import SourceRecord
from ffd_core.search.sync_contract import PATH, record_from_json
from ffd_core.store.engine import WRITE_OPTION
from ffd_core.store.people_tables import SyncCursor

RESUME = "the pages before it are saved: run `ffd people sync` again to resume"


class SyncFailed(FFDError):
    """The source system could not be read; the cursor keeps the last page written."""


@dataclass(frozen=True)
class SyncReport:
    source: str
    pages: int
    records: int
    resumed: bool  # this run continued one that had failed part-way
    changed_since: datetime | None  # where the next run will start
    older: int = 0  # fetched, but older than the stored version (an import was newer): not applied


@dataclass(frozen=True)
class _Page:
    as_of: datetime
    records: list[SourceRecord]
    next_token: str | None


def sync_source(engine: Engine, base_url: str, source: str, *, token: str | None = None,
                page_size: int = 500, client: OutboundClient | None = None,
                clock: Clock | None = None, progress: Progress = no_progress,
                retries: int = 3) -> SyncReport:
    """Fetch every record changed since the last completed sync, page by page."""
    clock = clock or SystemClock()
    writer = engine.execution_options(**{WRITE_OPTION: True})
    own_client = client is None
    client = client or OutboundClient(token=token, policy=replace(Policy(), attempts=retries + 1))
    url = base_url.rstrip("/") + PATH.format(source=source)
    with Session(engine) as session:
        cursor = session.get(SyncCursor, source)
        since = cursor.changed_since if cursor else None
        page_token = cursor.page_token if cursor else None
        run_as_of = cursor.run_started_at if cursor else None
        seen = cursor.records_seen if cursor and page_token else 0
    resumed = page_token is not None
    tokens = PageTokens(page_token)
    pages = older = 0
    try:
        while True:
            params: dict[str, str | int] = {"page_size": page_size}
            if since is not None:
                params["changed_since"] = since.isoformat()
            if page_token:
                params["page_token"] = page_token
            what = f"{source} page {pages + 1}"
            try:
                page = _read_page(client.get_json(url, params=params, what=what), source, what)
                tokens.add(page.next_token, pages + 1, what)
            except OutboundFailed as error:
                raise SyncFailed(f"{error}; {RESUME}") from None
            run_as_of = run_as_of or page.as_of
            page_token = page.next_token
            seen += len(page.records)
            pages += 1
            with Session(writer) as session, session.begin():
                now = clock.now()
                older += len(upsert_records(session, page.records, now).older)
                cursor = session.get(SyncCursor, source) or SyncCursor(source=source)
                session.add(cursor)
                cursor.updated_at = now
                cursor.records_seen = seen
                if page_token:
                    cursor.page_token, cursor.run_started_at = page_token, run_as_of
                    cursor.changed_since = since
                else:  # finished: next time, ask for what changed since this run began
                    cursor.page_token, cursor.run_started_at = None, None
                    cursor.changed_since = run_as_of
            progress(seen, seen + (1 if page_token else 0), f"syncing {source}")
            if not page_token:
                return SyncReport(source, pages, seen, resumed, run_as_of, older)
    finally:
        if own_client:
            client.close()


def _read_page(body: Any, source: str, what: str) -> _Page:
    """Hold the answer to the contract (sync_contract): every field present and of its type,
    every record readable and of this source, before anything is written."""
    def refuse(problem: str) -> OutboundFailed:
        return OutboundFailed(f"{what}: {problem}; the source does not follow the sync contract")

    if not isinstance(body, Mapping):
        raise refuse("the answer is not a JSON object")
    missing = [name for name in ("as_of", "records", "next_page_token") if name not in body]
    if missing:
        raise refuse(f"the answer lacks {', '.join(repr(m) for m in missing)}")
    token = body["next_page_token"]
    if not isinstance(body["records"], list) or not (token is None or isinstance(token, str) and token):
        raise refuse("'records' must be a list and 'next_page_token' a string or null")
    try:
        as_of = datetime.fromisoformat(body["as_of"])
    except (TypeError, ValueError):
        raise refuse(f"'as_of' is not an ISO date and time: {str(body['as_of'])[:40]!r}") from None
    if as_of.tzinfo is None:
        raise refuse("'as_of' has no time zone")
    records = []
    for number, data in enumerate(body["records"], start=1):
        try:
            record = record_from_json(data)
        except (TypeError, ValueError, AttributeError) as error:
            raise refuse(f"record {number} cannot be read ({error})") from None
        if record.source != source:
            raise refuse(f"record {number} belongs to {record.source!r}, not {source!r}")
        records.append(record)
    return _Page(as_of, records, token)
