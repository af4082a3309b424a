"""The web endpoint over HTTP: Litestar's test client (httpx against the ASGI app, lifespan
included) on the real store of each backend. Emails are read from the outbox, the edge of
the machine, until the outbox worker sends them."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from litestar.stores.memory import MemoryStore
from litestar.testing import TestClient
from sqlalchemy import select

from ffd_core.domain.vocab import AgencyKind, Role
from ffd_core.services import directory, web_messages
from ffd_core.services.context import SYSTEM, Context
from ffd_core.store.tables import OutboxMessage
from ffd_web.app import create_app

from tests.conftest import PASSWORD

BASE = "http://testserver.local"
TEACHER = "tess@hawthorn.sch.example"


@pytest.fixture
def web_ctx(ctx: Context) -> Context:
    return ctx


@pytest.fixture
def app(web_ctx: Context):  # noqa: ANN201
    return create_app(web_ctx, base_url=BASE, session_store=MemoryStore())


@pytest.fixture
def client(app) -> TestClient:  # noqa: ANN001
    with TestClient(app, base_url=BASE) as test_client:
        test_client.follow_redirects = False
        yield test_client


@pytest.fixture
def other_client(app) -> TestClient:  # noqa: ANN001
    with TestClient(app, base_url=BASE) as test_client:
        test_client.follow_redirects = False
        yield test_client


def emails(ctx: Context, to: str | None = None) -> list[dict]:
    """What was queued, as the recipient would read it: account emails opened with the mail
    key, as the worker does."""
    with ctx.read() as session:
        rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    return [{"to": r.payload["to"], **web_messages.opened(ctx, r.idempotency_key, r.payload)}
            if r.payload.get("sealed") else r.payload
            for r in rows if to is None or r.payload.get("to") == to]


def last_code(ctx: Context, to: str) -> str:
    mail = [m for m in emails(ctx, to) if m.get("subject", "").startswith("Your sign-in code")][-1]
    return re.search(r"\b(\d{6})\b", mail["text"]).group(1)


def last_link(ctx: Context, to: str, path: str) -> str:
    mail = [m for m in emails(ctx, to) if path in m.get("text", "")][-1]
    return re.search(rf"{re.escape(BASE)}({re.escape(path)}\S+)", mail["text"]).group(1)


def csrf(client: TestClient) -> str:
    if not client.cookies.get("ffd-csrf"):
        client.get("/")
    return client.cookies.get("ffd-csrf")


def post(client: TestClient, path: str, data: dict | None = None, **kwargs):  # noqa: ANN201
    return client.post(path, data={**(data or {}), "_csrf_token": csrf(client)}, **kwargs)


def sign_in(client: TestClient, ctx: Context, email: str = TEACHER, password: str = PASSWORD) -> None:
    response = post(client, "/sign-in", {"email": email, "password": password})
    assert response.status_code in (302, 303), response.text
    response = post(client, "/sign-in/code", {"code": last_code(ctx, email)})
    assert response.status_code in (302, 303), response.text


def add_partner(ctx: Context, agency: str, kind: AgencyKind, username: str, email: str) -> int:
    """Another agency's partner (services only)."""
    domain = email.split("@")[1]
    agencies = {a.name: a.id for a in directory.list_agencies(ctx, SYSTEM)}
    agency_id = agencies.get(agency) or directory.add_agency(
        ctx, SYSTEM, directory.AgencyInput(agency, kind, (domain,)))
    return directory.add_user(ctx, SYSTEM, directory.UserInput(
        username, username.title(), Role.PARTNER, agency_id, PASSWORD, email))


def with_settings(ctx: Context, **changes) -> Context:  # noqa: ANN003
    ctx.settings = replace(ctx.settings, **changes)
    return ctx


# ------------------------------------------------------------------------------ a real server


@pytest.fixture
def live_server(web_ctx: Context):  # noqa: ANN201
    """The app on uvicorn on a loopback port (no test client in between)."""
    import socket
    import threading
    import time

    from ffd_cli.web import web_server

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    app = create_app(web_ctx, base_url=base, session_store=MemoryStore())
    server = web_server(app, "127.0.0.1", port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield base
    server.should_exit = True
    thread.join(timeout=30)
