"""A sandbox case system: serves the transfer contract (case_system_contract) on loopback,
keeping what it made in memory, for the demo, the tests and the benchmark.

It honours idempotency keys as a real one must (a repeated key gets the first answer and
makes nothing; the same key with another body is refused), knows merged and unknown people,
and can be told to misbehave on chosen requests: 500, 503, an answer that comes too late
(it still makes the record: the client times out and asks again), an answer lost after the
record was made, a duplicate response (the request handled twice), a permanent 422, or an
HTML page. Stopping the server gives "connection refused".
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ffd_core.connectors.case_system_contract import (
    KEY_REUSED, PATH, PERSON_MERGED, PERSON_NOT_FOUND, REPLAYED_HEADER,
)
from ffd_core.search.sandbox import serve  # noqa: F401 - the one loopback server runner

FAULTS = ("500", "503", "slow", "lost_answer", "duplicate", "422", "html")


@dataclass
class Made:
    key: str
    person_id: str
    contact_id: str
    episode_id: str | None
    contact: dict[str, Any]
    episode: dict[str, Any] | None
    at: float  # time.time() when it was made


@dataclass
class CaseSystemState:
    """What the sandbox holds and how it behaves. ``people``: the person ids that exist
    (None: any id does); ``merged``: person -> the person it was merged into; ``plan``: a
    request number (from 1) -> a fault; ``always``: a fault for every request."""

    people: set[str] | None = None
    merged: dict[str, str] = field(default_factory=dict)
    plan: dict[int, str] = field(default_factory=dict)
    always: str | None = None
    slow_seconds: float = 3.0
    requests: int = 0
    made: list[Made] = field(default_factory=list)
    answers: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)

    def next_fault(self) -> str | None:
        with self.lock:
            self.requests += 1
            return self.plan.get(self.requests, self.always)

    def wait_for(self, count: int, timeout: float) -> bool:
        """Until ``count`` records were made (or the timeout)."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.made) >= count, timeout)

    def handle(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], bool]:
        """(status, answer, replayed) for one request; records what it makes."""
        fingerprint = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        with self.changed:
            if key in self.answers:
                earlier, answer = self.answers[key]
                if earlier != fingerprint:
                    return 409, {"error": KEY_REUSED,
                                 "message": "this idempotency key came with another body"}, False
                return 200, answer, True
            person = body.get("person") or {}
            if "create" in person:
                person_id = f"P-{len(self.made) + 1:06d}"
                if self.people is not None:
                    self.people.add(person_id)
            else:
                person_id = str(person.get("id") or "")
                if person_id in self.merged:
                    return 409, {"error": PERSON_MERGED, "merged_into": self.merged[person_id],
                                 "message": f"{person_id} was merged into "
                                            f"{self.merged[person_id]}"}, False
                if not person_id or (self.people is not None and person_id not in self.people):
                    return 404, {"error": PERSON_NOT_FOUND,
                                 "message": f"no person {person_id or '(none given)'}"}, False
            number = len(self.made) + 1
            episode = body.get("episode")
            made = Made(key, person_id, f"C-{number:06d}",
                        f"E-{number:06d}" if episode else None, body.get("contact") or {},
                        episode, time.time())
            answer = {"person_id": made.person_id, "contact_id": made.contact_id,
                      "episode_id": made.episode_id}
            self.made.append(made)
            self.answers[key] = (fingerprint, answer)
            self.changed.notify_all()
            return 201, answer, False


def case_system_app(state: CaseSystemState, *, token: str | None = None) -> Starlette:
    async def transfers(request: Request) -> Response:
        if token and request.headers.get("authorization") != f"Bearer {token}":
            return JSONResponse({"error": "unauthorised"}, status_code=401)
        fault = state.next_fault()
        if fault in ("500", "503"):
            return JSONResponse({"error": "sandbox told to fail"}, status_code=int(fault))
        if fault == "422":
            return JSONResponse({"error": "invalid", "message": "category code not known"},
                                status_code=422)
        if fault == "html":
            return Response("<html><body>Maintenance</body></html>", media_type="text/html")
        key = request.headers.get("idempotency-key", "")
        try:
            body = json.loads(await request.body())
        except ValueError:
            body = None
        if not key or not isinstance(body, dict) or not isinstance(body.get("contact"), dict):
            return JSONResponse({"error": "invalid", "message": "an Idempotency-Key header and "
                                 "a JSON object with person and contact are required"},
                                status_code=400)
        if fault == "slow":  # it still makes the record, after the client gave up
            await asyncio.sleep(state.slow_seconds)
        status, answer, replayed = state.handle(key, body)
        if fault == "duplicate":  # the same request handled twice: the second is a replay
            status, answer, replayed = state.handle(key, body)
        if fault == "lost_answer":
            while not await request.is_disconnected():  # made, but no answer ever comes
                await asyncio.sleep(0.05)
            return Response(status_code=204)
        headers = {REPLAYED_HEADER: "true"} if replayed else {}
        return JSONResponse(answer, status_code=status, headers=headers)

    return Starlette(routes=[Route(PATH, transfers, methods=["POST"])])
