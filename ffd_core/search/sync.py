"""Incremental sync of one source system over HTTP (see sync_contract for the JSON).

Each page is written in one transaction together with the cursor that says where the
next page starts, so a failure loses at most the page in flight: running sync again
resumes from the last page written. Records are keyed by (source, source id), so a page
read twice never makes a duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ffd_core.clock import Clock, SystemClock
from ffd_core.search.index_store import upsert_records
from ffd_core.search.progress import Progress, no_progress
from ffd_core.search.sync_contract import PATH, record_from_json
from ffd_core.store.engine import WRITE_OPTION
from ffd_core.store.people_tables import SyncCursor


class SyncFailed(Exception):
    """The source system could not be read; the cursor keeps the last page written."""


@dataclass(frozen=True)
class SyncReport:
    source: str
    pages: int
    records: int
    resumed: bool  # this run continued one that had failed part-way
    changed_since: datetime | None  # where the next run will start


def sync_source(engine: Engine, base_url: str, source: str, *, token: str | None = None,
                page_size: int = 500, client: httpx.Client | None = None, clock: Clock | None = None,
                progress: Progress = no_progress, retries: int = 2) -> SyncReport:
    """Fetch every record changed since the last completed sync, page by page."""
    clock = clock or SystemClock()
    writer = engine.execution_options(**{WRITE_OPTION: True})
    own_client = client is None
    client = client or httpx.Client(timeout=30.0, transport=httpx.HTTPTransport(retries=retries))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with Session(engine) as session:
        cursor = session.get(SyncCursor, source)
        since = cursor.changed_since if cursor else None
        page_token = cursor.page_token if cursor else None
        run_as_of = cursor.run_started_at if cursor else None
        seen = cursor.records_seen if cursor and page_token else 0
    resumed = page_token is not None
    pages = 0
    try:
        while True:
            params: dict[str, str | int] = {"page_size": page_size}
            if since is not None:
                params["changed_since"] = since.isoformat()
            if page_token:
                params["page_token"] = page_token
            try:
                response = client.get(base_url.rstrip("/") + PATH.format(source=source),
                                      params=params, headers=headers)
                response.raise_for_status()
            except httpx.HTTPError as error:
                raise SyncFailed(f"{source}: {error}; run sync again to resume") from error
            body = response.json()
            if run_as_of is None:
                run_as_of = datetime.fromisoformat(body["as_of"])
            records = [record_from_json(r) for r in body["records"]]
            page_token = body.get("next_page_token")
            seen += len(records)
            pages += 1
            with Session(writer) as session, session.begin():
                now = clock.now()
                upsert_records(session, records, now)
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
                return SyncReport(source, pages, seen, resumed, run_as_of)
    finally:
        if own_client:
            client.close()
