"""A sandbox source system: serves synthetic records over the sync contract, on loopback.

The demo and the tests start one per source system. It can be told to fail (HTTP 503)
on chosen requests, so resuming after a failure can be shown, not just claimed.
"""

from __future__ import annotations

import bisect
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ffd_core.search.records import SourceRecord
from ffd_core.search.sync_contract import (
    MAX_PAGE_SIZE,
    PATH,
    make_token,
    read_token,
    record_to_json,
)


@dataclass
class Faults:
    """Which requests (counted from 1 across the server's life) answer 503."""

    fail_requests: set[int] = field(default_factory=set)
    requests: int = 0

    def next_fails(self) -> bool:
        self.requests += 1
        return self.requests in self.fail_requests


class _Store:
    """One source's records in change order, for keyset paging."""

    def __init__(self, records: Sequence[SourceRecord]) -> None:
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        self.records = sorted(records, key=lambda r: (r.updated_at or epoch, r.source_id))
        self.keys = [(r.updated_at or epoch, r.source_id) for r in self.records]

    def page(self, since: datetime | None, after: tuple[datetime, str] | None, size: int):
        if after is not None:
            start = bisect.bisect_right(self.keys, after)
        elif since is not None:
            start = bisect.bisect_left(self.keys, (since, ""))
        else:
            start = 0
        chunk = self.records[start:start + size]
        more = start + size < len(self.records)
        token = make_token(*self.keys[start + len(chunk) - 1]) if chunk and more else None
        return chunk, token


def sandbox_app(records: Mapping[str, Sequence[SourceRecord]], *, token: str | None = None,
                faults: Faults | None = None, clock: Callable[[], datetime] | None = None) -> Starlette:
    stores = {source: _Store(rows) for source, rows in records.items()}
    faults = faults or Faults()
    now = clock or (lambda: datetime.now(UTC))

    async def list_records(request: Request) -> JSONResponse:
        if token and request.headers.get("authorization") != f"Bearer {token}":
            return JSONResponse({"error": "unauthorised"}, status_code=401)
        if faults.next_fails():
            return JSONResponse({"error": "sandbox told to fail"}, status_code=503)
        store = stores.get(request.path_params["source"])
        if store is None:
            return JSONResponse({"error": "no such source"}, status_code=404)
        params = request.query_params
        try:
            size = min(MAX_PAGE_SIZE, max(1, int(params.get("page_size", "500"))))
            since = datetime.fromisoformat(params["changed_since"]) if params.get("changed_since") else None
            after = read_token(params["page_token"]) if params.get("page_token") else None
        except (ValueError, KeyError):
            return JSONResponse({"error": "bad changed_since, page_size or page_token"}, status_code=400)
        chunk, next_token = store.page(since, after, size)
        return JSONResponse({
            "source": request.path_params["source"], "as_of": now().isoformat(),
            "records": [record_to_json(r) for r in chunk], "next_page_token": next_token,
        })

    return Starlette(routes=[Route(PATH, list_records)])


@contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """Run ``app`` on a free loopback port in a background thread; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the sandbox server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
