"""Outbox benchmark: emails per second from the outbox to the local SMTP sink with one and
with two worker processes, and the time from a decision to its outcome email being accepted
by the sink (p50/p95). Real services, real worker, real SMTP on loopback. Prints a table;
nothing here is asserted.

    .venv/bin/python benchmarks/outbox.py                      # PostgreSQL (and SQLite, 1 worker)
    .venv/bin/python benchmarks/outbox.py --messages 4000 --decisions 200

PostgreSQL runs when FFD_BENCH_POSTGRES_URL (or FFD_TEST_DATABASE_URL) names a server on
which a scratch database may be created; it is dropped afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiosmtpd.controller import Controller
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from ffd_core.connectors.outbox_worker import Worker
from ffd_core.connectors.senders import senders_for
from ffd_core.connectors.smtp_sink import LOOPBACK, LocalSink, free_port
from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.vocab import AgencyKind, LevelOfNeed, Outcome, Role
from ffd_core.services import contacts, decisions, directory, ownership
from ffd_core.services.context import SYSTEM, Context
from ffd_core.settings import Settings
from ffd_core.store import migrate
from ffd_core.store.engine import make_engine
from ffd_core.store.tables import OutboxMessage
from tests.factories import new_contact

console = Console()
KEY = b"benchmark-key"
SPAWN = multiprocessing.get_context("spawn")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# ------------------------------------------------------------------------------ stores


def scratch_postgres() -> tuple[str, callable]:
    base = os.environ.get("FFD_BENCH_POSTGRES_URL") or os.environ["FFD_TEST_DATABASE_URL"]
    name = f"ffd_bench_outbox_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(base).set(database=name).render_as_string(hide_password=False), drop


def settings_for(url: str, port: int) -> Settings:
    return Settings(database_url=url, smtp_host=LOOPBACK, smtp_port=port, smtp_security="none",
                    outbox_batch_size=20, worker_poll_seconds=1)


def prepare(url: str) -> Context:
    engine = make_engine(url)
    migrate.upgrade(engine)
    ctx = Context(engine, Settings(database_url=url), KEY)
    council = directory.add_agency(ctx, SYSTEM, directory.AgencyInput(
        "Brackenshire Family Front Door", AgencyKind.COUNCIL_SOCIAL_CARE, ("brackenshire.example",)))
    school = directory.add_agency(ctx, SYSTEM, directory.AgencyInput(
        "Hawthorn Primary School", AgencyKind.SCHOOL, ("hawthorn.sch.example",)))
    directory.add_user(ctx, SYSTEM, directory.UserInput(
        "olivia", "Olivia Officer", Role.SCREENING_OFFICER, council, "bench password 1",
        "olivia@brackenshire.example"))
    directory.add_user(ctx, SYSTEM, directory.UserInput(
        "teacher", "Tess Teacher", Role.PARTNER, school, "bench password 2",
        "tess@hawthorn.sch.example"))
    return ctx


def submit(ctx: Context, count: int) -> list[int]:
    teacher = directory.actor_by_username(ctx, "teacher")
    with ctx.batch():
        return [contacts.submit(ctx, teacher, new_contact(ctx.now())).contact_id
                for _ in range(count)]


def pending_emails(ctx: Context) -> int:
    with ctx.read() as session:
        return session.execute(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "email", OutboxMessage.state != "sent")).scalar_one()


# ------------------------------------------------------------------------------ processes


def _sink_process(maildir: str, port: int, ready, stop) -> None:  # noqa: ANN001
    sink = LocalSink(Path(maildir), port=port).start()
    ready.set()
    stop.wait()
    sink.stop()


def _drain_process(url: str, settings: Settings, ready, go, results) -> None:  # noqa: ANN001
    """One worker process: get ready (imports, connections, config), wait for the start,
    deliver everything due, report when it finished."""
    ctx = Context(make_engine(url), settings, KEY)
    worker = Worker(ctx, senders_for(ctx), run_jobs=False).start()
    _ = ctx.config
    ready.put(os.getpid())
    go.wait()
    report = worker.run_pass()
    results.put((report.sent, time.time()))
    worker.close()


def throughput(url: str, ctx: Context, workers: int, messages: int, port: int) -> tuple[int, float]:
    submit(ctx, messages)
    return run_workers(url, settings_for(url, port), workers)


def run_workers(url: str, settings: Settings, workers: int) -> tuple[int, float]:
    """Worker processes deliver everything due (of the kinds ``settings`` configure);
    (messages sent, seconds from their start signal to the last one finishing)."""
    ready, results, go = SPAWN.Queue(), SPAWN.Queue(), SPAWN.Event()
    processes = [SPAWN.Process(target=_drain_process, args=(url, settings, ready, go, results))
                 for _ in range(workers)]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=120)
    started = time.time()
    go.set()
    finished = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    sent = sum(n for n, _ in finished)
    return sent, max(at for _, at in finished) - started


# ------------------------------------------------------------------------------ latency


class Stamps:
    """An SMTP sink that notes when it accepted each subject."""

    def __init__(self) -> None:
        self.accepted: dict[str, float] = {}
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        for line in envelope.content.decode("utf-8", "replace").splitlines():
            if line.startswith("Subject:"):
                with self.arrived:
                    self.accepted[line[8:].strip()] = time.time()
                    self.arrived.notify_all()
                break
        return "250 2.0.0 Queued"


def _run_worker(url: str, settings: Settings, stop) -> None:  # noqa: ANN001
    ctx = Context(make_engine(url), settings, KEY)
    worker = Worker(ctx, senders_for(ctx), run_jobs=False).start()
    threading.Thread(target=lambda: (stop.wait(), worker.stop()), daemon=True).start()
    worker.run()
    worker.close()


@contextmanager
def idle_worker(url: str, settings: Settings) -> Iterator[None]:
    """One worker process running (waking when the store changes) until the block ends."""
    stop = SPAWN.Event()
    worker = SPAWN.Process(target=_run_worker, args=(url, settings, stop))
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join(timeout=30)


def decision_latency(url: str, ctx: Context, decisions_count: int) -> list[float]:
    olivia = directory.actor_by_username(ctx, "olivia")
    ids = submit(ctx, decisions_count)
    for contact_id in ids:
        ownership.claim(ctx, olivia, contact_id)
    stamps, port = Stamps(), free_port()
    controller = Controller(stamps, hostname=LOOPBACK, port=port)
    controller.start()
    try:
        with idle_worker(url, settings_for(url, port)):
            while pending_emails(ctx):  # the acknowledgements go first
                time.sleep(0.2)
            samples = []
            for contact_id in ids:
                decisions.decide(ctx, olivia, contact_id, same_for_all=ChildDecision(
                    Outcome.SOCIAL_CARE_REFERRAL, "benchmark", level_of_need=LevelOfNeed.ACUTE,
                    primary_need="N1"))
                decided = time.time()  # committed
                reference = _reference(ctx, contact_id)
                subject = f"Outcome of your concern: {reference}"
                with stamps.arrived:
                    stamps.arrived.wait_for(lambda: subject in stamps.accepted, timeout=60)
                samples.append((stamps.accepted[subject] - decided) * 1000)
            return samples
    finally:
        controller.stop()


def _reference(ctx: Context, contact_id: int) -> str:
    from ffd_core.store.tables import Contact

    with ctx.read() as session:
        return session.get(Contact, contact_id).reference


# ------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="emails per throughput run")
    parser.add_argument("--decisions", type=int, default=100, help="decisions timed for latency")
    parser.add_argument("--backend", choices=["postgres", "sqlite", "both"], default="both")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        port = free_port()
        ready, stop = SPAWN.Event(), SPAWN.Event()
        sink = SPAWN.Process(target=_sink_process, args=(str(Path(workdir) / "mail"), port, ready, stop))
        sink.start()
        ready.wait(60)
        rates, latencies = Table(title=f"Outbox → local SMTP sink ({args.messages} emails a run)"), {}
        for column in ("backend", "workers", "emails", "seconds", "emails/s"):
            rates.add_column(column, justify="right")
        try:
            for backend in (["postgres", "sqlite"] if args.backend == "both" else [args.backend]):
                if backend == "postgres":
                    url, drop = scratch_postgres()
                else:
                    url, drop = f"sqlite:///{Path(workdir) / 'bench.sqlite'}", lambda: None
                try:
                    ctx = prepare(url)
                    for workers in ((1, 2) if backend == "postgres" else (1,)):
                        sent, seconds = throughput(url, ctx, workers, args.messages, port)
                        rates.add_row(backend, str(workers), str(sent), f"{seconds:.1f}",
                                      f"{sent / seconds:.0f}")
                        console.print(f"{backend}, {workers} worker(s): {sent} in {seconds:.1f} s")
                    latencies[backend] = decision_latency(url, ctx, args.decisions)
                    ctx.engine.dispose()
                finally:
                    drop()
        finally:
            stop.set()
            sink.join(timeout=30)
    console.print(rates)
    console.print(latency_table("A decision to its outcome email accepted by the sink (one worker, "
                                "idle)", latencies))


def latency_table(title: str, latencies: dict[str, list[float]]) -> Table:
    table = Table(title=title)
    for column in ("backend", "decisions", "p50 ms", "p95 ms", "max ms"):
        table.add_column(column, justify="right")
    for backend, samples in latencies.items():
        table.add_row(backend, str(len(samples)), f"{statistics.median(samples):.0f}",
                      f"{percentile(samples, 0.95):.0f}", f"{max(samples):.0f}")
    return table


if __name__ == "__main__":
    main()
