"""A sandbox source system: serves synthetic records over the sync contract, on loopback.

The demo and the tests start one per source system. It can be told to misbehave on chosen
requests (HTTP 503 or 500, 429 with Retry-After, invalid JSON, an HTML page, a missing
field, an answer that never comes, a page token that repeats, a 55 MB page, a redirect to
another host), so every failure sync must survive is shown against a real server.
"""

from __future__ import annotations

import asyncio
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
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from ffd_core.search.records import SourceRecord
from ffd_core.search.sync_contract import (
    MAX_PAGE_SIZE,
    PATH,
    make_token,
    read_token,
    record_to_json,
)


FAULTS = ("503", "500", "429", "invalid_json", "html", "missing_field", "slow",
          "repeat_token", "oversized", "oversized_declared", "redirect_away")
OVERSIZED_BYTES = 55 * 1024 * 1024


@dataclass
class Faults:
    """How chosen requests (counted from 1 across the server's life) misbehave: ``plan`` maps
    a request number to one of FAULTS, ``always`` applies one to every request, and
    ``fail_requests`` is shorthand for 503s. Oversized answers count the bytes they sent."""

    fail_requests: set[int] = field(default_factory=set)
    plan: dict[int, str] = field(default_factory=dict)
    always: str | None = None
    requests: int = 0
    oversized_sent: int = 0
    oversized_done: threading.Event = field(default_factory=threading.Event)

    def next_fault(self) -> str | None:
        self.requests += 1
        if self.requests in self.fail_requests:
            return "503"
        return self.plan.get(self.requests, self.always)

    async def oversized(self, request: Request):  # noqa: ANN201 - an async byte stream
        """55 MB of one never-ending JSON string, counted as it goes out, until the client
        hangs up (as a real server stops writing to a closed connection)."""
        try:
            yield b'{"as_of": "2026-01-01T00:00:00+00:00", "next_page_token": null, "records": ["'
            chunk = b"x" * 65536
            while self.oversized_sent < OVERSIZED_BYTES and not await request.is_disconnected():
                self.oversized_sent += len(chunk)
                yield chunk
        finally:
            self.oversized_done.set()


async def _misbehave(fault: str, faults: Faults, request: Request) -> Response | None:
    """The answer for a fault, or None for those that bend a real page (tokens, fields)."""
    if fault in ("503", "500"):
        return JSONResponse({"error": "sandbox told to fail"}, status_code=int(fault))
    if fault == "429":
        return JSONResponse({"error": "slow down"}, status_code=429, headers={"Retry-After": "7"})
    if fault == "invalid_json":
        return Response('{"as_of": "2026-01-01", "records": [', media_type="application/json")
    if fault == "html":
        return Response("<html><body><h1>Sign in</h1></body></html>", media_type="text/html")
    if fault == "slow":
        while not await request.is_disconnected():  # until the client gives up
            await asyncio.sleep(0.05)
        return Response(status_code=204)
    if fault == "oversized":
        return StreamingResponse(faults.oversized(request), media_type="application/json")
    if fault == "oversized_declared":
        return StreamingResponse(faults.oversized(request), media_type="application/json",
                                 headers={"Content-Length": str(OVERSIZED_BYTES)})
    if fault == "redirect_away":
        return RedirectResponse("https://collector.example/steal", status_code=302)
    return None


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
        fault = faults.next_fault()
        answer = await _misbehave(fault, faults, request) if fault else None
        if answer is not None:
            return answer
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
        if fault == "repeat_token" and params.get("page_token"):
            next_token = params["page_token"]  # the same page again, forever
        page = {"source": request.path_params["source"], "as_of": now().isoformat(),
                "records": [record_to_json(r) for r in chunk], "next_page_token": next_token}
        if fault == "missing_field":
            del page["records"]
        return JSONResponse(page)

    return Starlette(routes=[Route(PATH, list_records)])


@contextmanager
def serve(app: Starlette, port: int | None = None) -> Iterator[str]:
    """Run ``app`` on a loopback port (a free one unless given) in a background thread;
    yields its base URL."""
    if port is None:
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
