"""Case-system benchmark: pushes per second from the outbox to the sandbox case system with
one and two worker processes, and the time from a final decision to its referral episode
made in the sandbox (p50/p95). Real services, real worker, real HTTP on loopback. Prints a
table; nothing here is asserted.

    PYTHONPATH=. .venv/bin/python benchmarks/case_system.py                  # both backends
    PYTHONPATH=. .venv/bin/python benchmarks/case_system.py --referrals 600 --decisions 100

PostgreSQL runs when FFD_BENCH_POSTGRES_URL (or FFD_TEST_DATABASE_URL) names a server on
which a scratch database may be created (SQLite takes one worker); it is dropped afterwards.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from rich.table import Table
from sqlalchemy import func, select

from benchmarks.outbox import (
    console, idle_worker, latency_table, prepare, run_workers, scratch_postgres,
)
from ffd_core.connectors.case_system_sandbox import CaseSystemState, case_system_app, serve
from ffd_core.services import contacts, decisions, directory, ownership, single_view
from ffd_core.services.contact_view import view_contact
from ffd_core.services.context import Context
from ffd_core.settings import Settings
from ffd_core.store.tables import Contact, OutboxMessage
from tests.connectors.case_system_world import REFER, case_people, decided_referrals
from tests.factories import child, new_contact


def settings_for(url: str, case_system_url: str) -> Settings:
    return Settings(database_url=url, case_system_url=case_system_url, outbox_batch_size=20,
                    worker_poll_seconds=1)


def waiting_pushes(ctx: Context) -> int:
    with ctx.read() as session:
        return session.execute(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "case_system_push",
            OutboxMessage.state.in_(["pending", "sending"]))).scalar_one()


def throughput(url: str, ctx: Context, people: dict, persons: list[str], workers: int,
               referrals: int, case_system_url: str) -> tuple[int, float]:
    decided_referrals(ctx, people, persons, referrals)
    return run_workers(url, settings_for(url, case_system_url), workers)


def decision_latency(url: str, ctx: Context, people: dict, persons: list[str],
                     state: CaseSystemState, case_system_url: str, count: int) -> list[float]:
    """One idle worker; contacts decided one at a time; from each decision's commit to the
    sandbox making its referral episode."""
    olivia, teacher = people["olivia"], people["teacher"]
    ready = []
    with ctx.batch():
        for number, person in zip(range(count), persons):
            receipt = contacts.submit(ctx, teacher, new_contact(ctx.now(), children=(child(f"Lat{number}"),)))
            [entry] = view_contact(ctx, olivia, receipt.contact_id).children
            single_view.link_child(ctx, olivia, entry.id, person)
            ownership.claim(ctx, olivia, receipt.contact_id)
            ready.append((receipt.contact_id, receipt.reference))
    with idle_worker(url, settings_for(url, case_system_url)):
        while waiting_pushes(ctx):
            time.sleep(0.2)
        time.sleep(2)  # the worker is idle, waiting for the store to change
        samples = []
        for contact_id, reference in ready:
            made_before = len(state.made)
            decisions.decide(ctx, olivia, contact_id, same_for_all=REFER)
            decided = time.time()  # committed
            state.wait_for(made_before + 1, timeout=60)
            made = next(m for m in state.made[made_before:] if f":{reference}:" in m.key)
            samples.append((made.at - decided) * 1000)
        return samples


def run_backend(backend: str, workdir: Path, state: CaseSystemState, case_system_url: str,
                args: argparse.Namespace) -> tuple[list[tuple[str, ...]], list[float]]:
    """Throughput rows (one and, on PostgreSQL, two workers) and latency samples."""
    if backend == "postgres":
        url, drop = scratch_postgres()
    else:
        url, drop = f"sqlite:///{workdir / 'bench.sqlite'}", lambda: None
    rows = []
    try:
        ctx = prepare(url)
        ctx.settings = settings_for(url, case_system_url)
        people = {name: directory.actor_by_username(ctx, name) for name in ("olivia", "teacher")}
        runs = (1, 2) if backend == "postgres" else (1,)
        needed = args.referrals * 4 // 3 + 1  # a third of the referrals are about two children
        persons = case_people(ctx, len(runs) * needed + args.decisions)
        for number, workers in enumerate(runs):
            sent, seconds = throughput(url, ctx, people, persons[number * needed:], workers,
                                       args.referrals, case_system_url)
            rows.append((backend, str(workers), str(sent), f"{seconds:.1f}", f"{sent / seconds:.0f}"))
            console.print(f"{backend}, {workers} worker(s): {sent} pushes in {seconds:.1f} s")
        samples = decision_latency(url, ctx, people, persons[len(runs) * needed:], state,
                                   case_system_url, args.decisions)
        with ctx.read() as session:
            transferred = session.execute(select(func.count()).select_from(Contact).where(
                Contact.status == "transferred")).scalar_one()
        console.print(f"{backend}: {transferred} contacts transferred")
        ctx.engine.dispose()
        return rows, samples
    finally:
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=600,
                        help="referrals decided per throughput run (a third about two children)")
    parser.add_argument("--decisions", type=int, default=100, help="decisions timed for latency")
    parser.add_argument("--backend", choices=["postgres", "sqlite", "both"], default="both")
    args = parser.parse_args()
    rates, latencies = Table(title=f"Outbox → sandbox case system ({args.referrals} referrals a run)"), {}
    for column in ("backend", "workers", "pushes", "seconds", "pushes/s"):
        rates.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as workdir:
        for backend in (["postgres", "sqlite"] if args.backend == "both" else [args.backend]):
            # A case system of its own per store: both stores make the same references.
            state = CaseSystemState()
            with serve(case_system_app(state)) as case_system_url:
                rows, latencies[backend] = run_backend(backend, Path(workdir), state,
                                                       case_system_url, args)
            for row in rows:
                rates.add_row(*row)
    console.print(rates)
    console.print(latency_table("A final decision to its referral episode made in the sandbox "
                                "(one idle worker)", latencies))


if __name__ == "__main__":
    main()
