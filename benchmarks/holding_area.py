"""Store benchmark: seed a county at scale, then time the holding-area query, claim and
take-next on SQLite and PostgreSQL. Prints a table; nothing here is asserted.

    .venv/bin/python benchmarks/holding_area.py --contacts 100000 --open 10000
    .venv/bin/python benchmarks/holding_area.py --backend sqlite --contacts 20000 --open 2000

PostgreSQL runs when FFD_BENCH_POSTGRES_URL (or FFD_TEST_DATABASE_URL) names a server on
which a scratch database may be created; it is dropped afterwards. With --sqlite-file
naming an already-seeded file, SQLite reuses it and PostgreSQL gets a copy of it (the
`ffd db copy` path), so both measure the same county without seeding twice.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
from contextlib import contextmanager
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from ffd_core.clock import FixedClock
from ffd_core.services import directory, ownership, queue
from ffd_core.services.context import SYSTEM, Context
from ffd_core.settings import Settings
from ffd_core.store import migrate
from ffd_core.store.copy import copy_store
from ffd_core.store.engine import make_engine
from ffd_core.store.tables import Contact
from ffd_core.synthetic.county import seed_county

console = Console()
KEY = b"benchmark-key"
AS_OF = date(2026, 11, 25)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(function, repeat: int) -> list[float]:  # noqa: ANN001
    samples = []
    for index in range(repeat):
        started = time.perf_counter()
        function(index)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def open_store(backend: str, workdir: Path, sqlite_file: Path | None) -> tuple[str, callable]:
    if backend == "sqlite":
        path = sqlite_file or workdir / "bench.sqlite"
        return f"sqlite:///{path}", lambda: path.stat().st_size + _size(Path(f"{path}-wal"))
    base = os.environ.get("FFD_BENCH_POSTGRES_URL") or os.environ["FFD_TEST_DATABASE_URL"]
    name = f"ffd_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)

    def size() -> int:
        with admin.connect() as connection:
            return connection.execute(text("SELECT pg_database_size(:n)"), {"n": name}).scalar_one()

    size.drop = lambda: _drop(admin, name)  # type: ignore[attr-defined]
    return url, size


def _drop(admin, name: str) -> None:  # noqa: ANN001
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def run(backend: str, contacts: int, open_: int, people: int, repeat: int,
        sqlite_file: Path | None = None) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as workdir:
        clock = FixedClock(datetime(2026, 11, 25, 11, 30, tzinfo=timezone.utc))
        seeded_file = sqlite_file is not None and sqlite_file.exists()
        how, seed_seconds = "seeded", float("nan")
        url, size = open_store(backend, Path(workdir), sqlite_file)
        engine = make_engine(url)
        migrate.upgrade(engine)
        ctx = Context(engine, Settings(database_url=url), KEY, clock)
        started = time.perf_counter()
        with _bars(backend) as report:
            if backend == "postgres" and seeded_file:
                # The same county as the SQLite run, moved with `ffd db copy`'s code path.
                copy_store(make_engine(f"sqlite:///{sqlite_file}"), engine, report)
                how = "copied from SQLite"
            elif backend == "postgres" or not seeded_file:
                seed_county(ctx, seed=1, as_of=AS_OF, contacts_total=contacts, open_total=open_,
                            people=people, progress=report)
            else:
                how = "reused"
        if how != "reused":
            seed_seconds = time.perf_counter() - started
        figures: dict[str, object] = {"backend": backend, "seed_s": seed_seconds, "how": how,
                                      "size_mb": size() / 1e6, **_volumes(engine)}
        if backend == "sqlite" and sqlite_file is not None:
            # Measure on a copy, so the claims made here never pile up in the kept file.
            engine.dispose()
            with sqlite3.connect(sqlite_file) as raw:
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            copy = Path(workdir) / "measure.sqlite"
            shutil.copy(sqlite_file, copy)
            engine = make_engine(f"sqlite:///{copy}")
            ctx = Context(engine, Settings(database_url=f"sqlite:///{copy}"), KEY, clock)
        if backend == "postgres":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        else:
            with engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
        officers = [a for a in (directory.actor_for(u) for u in directory.list_users(ctx, SYSTEM))
                    if a.role.value == "screening_officer"]
        officer = officers[0]
        surnames = [w.split()[-1].lower() for w in _children(ctx)]
        rng = random.Random(3)
        figures["queue"] = timed(lambda i: queue.holding_area(ctx, officer, limit=200), repeat)
        figures["queue_filter"] = timed(
            lambda i: queue.holding_area(ctx, officer, text=rng.choice(surnames), limit=200), repeat)
        figures["counters"] = timed(lambda i: queue.counters(ctx, officers[0]), repeat)
        unallocated = [r.id for r in queue.holding_area(ctx, officer, queue.View.UNALLOCATED,
                                                        limit=repeat * 2).rows]
        claims = unallocated[:repeat]
        figures["claim"] = timed(lambda i: ownership.claim(ctx, officers[i % len(officers)], claims[i]),
                                 len(claims))
        figures["take_next"] = timed(lambda i: ownership.take_next(ctx, officers[i % len(officers)]),
                                     min(repeat, max(len(unallocated) - len(claims), 1)))
        engine.dispose()
        if hasattr(size, "drop"):
            size.drop()
        return figures


def _volumes(engine) -> dict[str, int]:  # noqa: ANN001
    with engine.connect() as connection:
        return {
            "contacts": connection.execute(text("SELECT count(*) FROM contacts")).scalar_one(),
            "open": connection.execute(text(
                "SELECT count(*) FROM contacts WHERE status IN ('received', 'screening', "
                "'awaiting_information', 'awaiting_sign_off')")).scalar_one(),
        }


def _children(ctx: Context) -> list[str]:
    with ctx.read() as session:
        return [c for c in session.execute(
            select(Contact.child_summary).order_by(Contact.id.desc()).limit(500)
        ).scalars() if c]


@contextmanager
def _bars(backend: str):  # noqa: ANN202
    with Progress(TextColumn(f"[bold]{backend:<9}" + "{task.description:<14}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=console) as progress:
        tasks: dict[str, int] = {}

        def report(done: int, total: int, label: str) -> None:
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=total)
            progress.update(tasks[label], completed=done, total=total)

        yield report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--open", type=int, default=2_000)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--sqlite-file", type=Path, default=None,
                        help="Seed into this SQLite file and keep it (or reuse it if it exists), "
                             "e.g. for the console benchmark.")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    if "postgres" in backends and not (os.environ.get("FFD_BENCH_POSTGRES_URL")
                                       or os.environ.get("FFD_TEST_DATABASE_URL")):
        console.print("[yellow]No PostgreSQL URL given; running SQLite only.[/]")
        backends = ["sqlite"]
    results = [run(b, args.contacts, args.open, args.people, args.repeat, args.sqlite_file)
               for b in backends]
    table = Table(title=f"Holding area at {results[0]['contacts']:,} contacts "
                        f"({results[0]['open']:,} open); times in ms (p50 / p95)")
    table.add_column("measure")
    for result in results:
        table.add_column(str(result["backend"]), justify="right")
    table.add_row("how the data got there", *[str(r["how"]) for r in results])
    table.add_row("seed / copy time (s)", *[f"{r['seed_s']:.0f}" if r["seed_s"] == r["seed_s"]
                                            else "-" for r in results])
    table.add_row("database size (MB)", *[f"{r['size_mb']:.0f}" for r in results])
    for key, label in [("queue", "holding area, first 200"), ("queue_filter", "… with a text filter"),
                       ("counters", "counters strip"), ("claim", "claim"), ("take_next", "take next")]:
        table.add_row(label, *[f"{statistics.median(r[key]):.1f} / {percentile(r[key], 0.95):.1f}"
                               for r in results])
    console.print(table)


if __name__ == "__main__":
    main()
