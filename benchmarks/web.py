"""Web endpoint benchmark on loopback: submissions per second and p50/p95 latency for
concurrent API clients and for partners posting the HTML form, on SQLite and PostgreSQL;
page weight and time to first byte of the form pages. Prints a table; nothing is asserted.

    .venv/bin/python benchmarks/web.py                       # SQLite (and PostgreSQL below)
    FFD_BENCH_POSTGRES_URL=postgresql://$(whoami)@127.0.0.1:5432/postgres .venv/bin/python benchmarks/web.py

The server is the one `ffd serve` runs (uvicorn, one process); clients are httpx in the
same machine's other core, so the figures include the client's own cost.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import socket
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
from litestar.stores.memory import MemoryStore
from rich.console import Console
from rich.table import Table
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from ffd_cli.web import web_server
from ffd_core.domain.vocab import AgencyKind, ContactKind, Role
from ffd_core.services import api_keys, directory
from ffd_core.services.context import SYSTEM, Context
from ffd_core.settings import Settings
from ffd_core.store import migrate
from ffd_core.store.engine import make_engine
from ffd_core.store.tables import OutboxMessage
from ffd_web.app import create_app

console = Console()
KEY = b"benchmark-audit-key"
PASSWORD = "benchmark password 1"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def answers(ctx: Context, kind: ContactKind) -> dict:
    """A complete, valid set of answers, as the forms' own tests build them."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from ffd_core.clock import uk_local
    from tests.forms.example_answers import complete_answers

    start = {"category": "neglect"} if kind is ContactKind.CAUSE_FOR_CONCERN else {}
    return complete_answers(ctx.config.form(kind), uk_local(ctx.now()).date(), start)


def prepare(url: str, partners: int) -> tuple[Context, str, list[str]]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    ctx = Context(engine, Settings(database_url=url, blob_dir=tempfile.mkdtemp()), KEY)
    police = directory.add_agency(ctx, SYSTEM, directory.AgencyInput(
        "Benchmark Constabulary", AgencyKind.POLICE, ("police.example",)))
    school = directory.add_agency(ctx, SYSTEM, directory.AgencyInput(
        "Benchmark School", AgencyKind.SCHOOL, ("school.example",)))
    emails = []
    for n in range(partners):
        email = f"dsl{n}@school.example"
        directory.add_user(ctx, SYSTEM, directory.UserInput(
            f"dsl{n}", f"Lead {n}", Role.PARTNER, school, PASSWORD, email))
        emails.append(email)
    return ctx, api_keys.create_key(ctx, SYSTEM, police, "benchmark"), emails


def serve(ctx: Context):  # noqa: ANN201
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    app = create_app(ctx, base_url=base, session_store=MemoryStore(), requests_per_minute=1_000_000)
    server = web_server(app, "127.0.0.1", port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, base


async def api_run(base: str, key: str, body: dict, clients: int, total: int) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    failures = 0
    queue = list(range(total))

    async def client() -> None:
        nonlocal failures
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            while queue:
                queue.pop()
                started = time.perf_counter()
                response = await http.post("/api/v1/contacts", json=body,
                                           headers={"Authorization": f"Bearer {key}"})
                latencies.append((time.perf_counter() - started) * 1000)
                failures += response.status_code != 201

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, time.perf_counter() - started, failures


def code_for(ctx: Context, email: str) -> str:
    with ctx.read() as session:
        rows = session.execute(select(OutboxMessage.payload).order_by(OutboxMessage.id.desc())).scalars()
        mail = next(p for p in rows if p.get("to") == email and "code" in p.get("subject", ""))
    return re.search(r"\b(\d{6})\b", mail["text"]).group(1)


async def form_run(ctx: Context, base: str, emails: list[str], fields: dict, posts: int
                   ) -> tuple[list[float], float, int]:
    """Each partner signs in, starts a draft and posts the children page ``posts`` times."""
    latencies: list[float] = []
    failures = 0

    async def partner(email: str) -> None:
        nonlocal failures
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            await http.get("/")
            token = http.cookies["ffd-csrf"]
            await http.post("/sign-in", data={"email": email, "password": PASSWORD, "_csrf_token": token})
            code = await asyncio.to_thread(code_for, ctx, email)
            await http.post("/sign-in/code", data={"code": code, "_csrf_token": token})
            draft = await http.post("/drafts/new", data={"kind": "cause_for_concern", "_csrf_token": token})
            key = draft.headers["location"].rsplit("/", 1)[-1]
            await http.post(f"/drafts/{key}/concern", data={"category": "neglect", "action": "continue",
                                                            "_csrf_token": token})
            for _ in range(posts):
                started = time.perf_counter()
                response = await http.post(f"/drafts/{key}/children",
                                           data={**fields, "action": "continue", "_csrf_token": token})
                latencies.append((time.perf_counter() - started) * 1000)
                failures += response.status_code != 302

    started = time.perf_counter()
    await asyncio.gather(*(partner(e) for e in emails))
    return latencies, time.perf_counter() - started, failures


def page_weight(base: str, ctx: Context, email: str) -> list[tuple[str, int, float]]:
    """(page, bytes including its stylesheet and script, time to first byte in ms)."""
    rows = []
    with httpx.Client(base_url=base, timeout=60) as http:
        http.get("/")
        token = http.cookies["ffd-csrf"]
        http.post("/sign-in", data={"email": email, "password": PASSWORD, "_csrf_token": token})
        http.post("/sign-in/code", data={"code": code_for(ctx, email), "_csrf_token": token})
        key = http.post("/drafts/new", data={"kind": "cause_for_concern", "_csrf_token": token},
                        follow_redirects=False).headers["location"].rsplit("/", 1)[-1]
        assets = sum(len(http.get(a).content) for a in ("/static/app.css", "/static/app.js"))
        for name, path in (("start page", "/"), ("category page", f"/drafts/{key}/concern"),
                           ("children page", f"/drafts/{key}/children"),
                           ("check answers", f"/drafts/{key}/check")):
            ttfb = []
            for _ in range(20):
                started = time.perf_counter()
                with http.stream("GET", path) as response:  # headers received: the first byte
                    ttfb.append((time.perf_counter() - started) * 1000)
            size = len(http.get(path).content)
            rows.append((name, size + assets, statistics.median(ttfb)))
    return rows


def measure(label: str, url: str, args: argparse.Namespace, table: Table, weights: Table) -> None:
    ctx, key, emails = prepare(url, args.partners)
    server, base = serve(ctx)
    try:
        body = {"form": "cause_for_concern", "answers": answers(ctx, ContactKind.CAUSE_FOR_CONCERN)}
        asyncio.run(api_run(base, key, body, 5, 20))  # warm up
        for clients in (5, args.clients):
            latencies, elapsed, failures = asyncio.run(api_run(base, key, body, clients, args.contacts))
            table.add_row(label, f"API POST /api/v1/contacts, {clients} clients", str(len(latencies)),
                          f"{len(latencies) / elapsed:.0f}", f"{statistics.median(latencies):.0f}",
                          f"{percentile(latencies, 0.95):.0f}", str(failures))
        children = {"children[0].first_name": "Amy", "children[0].last_name": "Smith",
                    "children[0].dob-day": "4", "children[0].dob-month": "5", "children[0].dob-year": "2019",
                    "children[0].gender": "female", "children[0].address": "1 High Street, BK1 2AB"}
        latencies, elapsed, failures = asyncio.run(form_run(ctx, base, emails, children, args.posts))
        table.add_row(label, f"HTML form page post, {len(emails)} partners", str(len(latencies)),
                      f"{len(latencies) / elapsed:.0f}", f"{statistics.median(latencies):.0f}",
                      f"{percentile(latencies, 0.95):.0f}", str(failures))
        for name, size, ttfb in page_weight(base, ctx, emails[0]):
            weights.add_row(label, name, f"{size / 1024:.1f}", f"{ttfb:.1f}")
    finally:
        server.should_exit = True
        ctx.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=500, help="API submissions per run")
    parser.add_argument("--clients", type=int, default=50, help="concurrent API clients")
    parser.add_argument("--partners", type=int, default=5, help="concurrent partners on the form")
    parser.add_argument("--posts", type=int, default=40, help="form posts per partner")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    table = Table(title="Submissions on loopback (ms)")
    for column in ("store", "what", "requests", "per second", "p50", "p95", "failed"):
        table.add_column(column)
    weights = Table(title="Form pages: weight (HTML + CSS + JS) and time to first byte (median of 20)")
    for column in ("store", "page", "KB", "TTFB ms"):
        weights.add_column(column)
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("FFD_DATA_DIR", folder)
        if args.backend in ("sqlite", "both"):
            measure("SQLite", f"sqlite:///{folder}/bench.sqlite", args, table, weights)
        pg = os.environ.get("FFD_BENCH_POSTGRES_URL") or os.environ.get("FFD_TEST_DATABASE_URL")
        if args.backend in ("postgres", "both") and pg:
            name = f"ffd_bench_web_{uuid.uuid4().hex[:8]}"
            admin = make_engine(pg)
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                measure("PostgreSQL", make_url(pg).set(database=name).render_as_string(hide_password=False),
                        args, table, weights)
            finally:
                with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    console.print(table)
    console.print(weights)


if __name__ == "__main__":
    main()
