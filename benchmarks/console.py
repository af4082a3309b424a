"""Console benchmark: the holding area at scale, measured as a terminal would pay for it.

    .venv/bin/python benchmarks/console.py                         # 20k contacts, 2k open
    .venv/bin/python benchmarks/console.py --contacts 100000 --open 10000

The store is seeded once into a SQLite file under ~/.cache/ffd-bench/ and reused (seeding
100k contacts through the services takes about half an hour); each run works on a copy.
Nothing here is asserted; it prints a table and, with --write, updates README-console.md.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import time
from datetime import date, datetime, timezone
from pathlib import Path

from rich.console import Console

from ffd_core.clock import FixedClock
from ffd_core.services.context import Context
from ffd_core.settings import Settings
from ffd_core.store import migrate
from ffd_core.store.engine import make_engine
from ffd_core.synthetic.county import seed_county

console = Console()
KEY = b"benchmark-key"
AS_OF = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 11, 30, tzinfo=timezone.utc)
CACHE = Path.home() / ".cache" / "ffd-bench"


def store_file(contacts: int, open_: int) -> Path:
    return CACHE / f"console-{contacts}-{open_}.sqlite"


def build(contacts: int, open_: int, people: int) -> Path:
    """Seed the county once into a kept file (written under a temporary name, then renamed)."""
    path = store_file(contacts, open_)
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in CACHE.glob(partial.name + "*"):
        leftover.unlink()
    url = f"sqlite:///{partial}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    ctx = Context(engine, Settings(database_url=url), KEY, FixedClock(NOW))
    started = time.perf_counter()
    last = [0.0]

    def report(done: int, total: int, label: str) -> None:
        if time.perf_counter() - last[0] > 10:
            last[0] = time.perf_counter()
            console.print(f"  {label}: {done:,}/{total:,} ({time.perf_counter() - started:.0f} s)")

    seed_county(ctx, seed=1, as_of=AS_OF, contacts_total=contacts, open_total=open_,
                people=people, progress=report)
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    with sqlite3.connect(partial) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    partial.rename(path)
    console.print(f"seeded {contacts:,} contacts in {time.perf_counter() - started:.0f} s -> {path}")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--open", type=int, default=2_000)
    parser.add_argument("--people", type=int, default=20_000)
    args = parser.parse_args()
    build(args.contacts, args.open, args.people)
