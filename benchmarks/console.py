"""Console benchmark: the holding area at scale, measured as a terminal would pay for it.

    .venv/bin/python benchmarks/console.py                         # 20k contacts, 2k open
    .venv/bin/python benchmarks/console.py --keys 400 --runs 4 --load 1   # one busy core beside it
    .venv/bin/python benchmarks/console.py --contacts 100000 --open 10000 --people 60000
    .venv/bin/python benchmarks/console.py --store /path/to/seeded-county.sqlite

The store is seeded once into a SQLite file under ~/.cache/ffd-bench/ and reused (seeding
100k contacts through the services takes most of an hour); ``--store`` reuses any county
seeded the same way (e.g. by benchmarks/holding_area.py --sqlite-file). Each run works on a
copy. Nothing here is asserted; it prints a table and, with --write, README-console.md.
``--load N`` runs N CPU-bound processes (``while True: pass``) beside the console while it is
measured; ``--runs N`` measures N times, each in a fresh process, and pools the samples.

What is measured (headless, real store, real app):
- first screen: from starting the app to the first painted frame that shows queue rows;
- cursor key -> painted frame: ``events.Key`` posted through the app's driver, then the
  time until the first compositor update after it has been rendered to terminal segments
  (the app's ``_display`` is wrapped to do what a real terminal would pay for);
- filter keystroke -> updated list: a key typed into the ``/`` filter, until the first frame
  painted after the store answered that keystroke's query;
- live change: another officer claims a visible contact through the services, until the
  first frame showing the new owner.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from rich.console import Console

from ffd_core.clock import FixedClock
from ffd_core.services.context import Context
from ffd_core.settings import Settings
from ffd_core.store import migrate
from ffd_core.store.engine import make_engine
from ffd_core.synthetic.county import seed_county

BUSY_LOOP = "while True: pass"

console = Console()
KEY = b"benchmark-key"
AS_OF = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 11, 30, tzinfo=UTC)
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



def _add_missing_columns(path: Path) -> None:
    """Counties seeded before 0001_foundation gained contacts.idempotency_key (edited in place,
    not a new migration) lack it; add it to this copy so today's code can read them."""
    with sqlite3.connect(path) as raw:
        columns = {row[1] for row in raw.execute("PRAGMA table_info(contacts)")}
        if "idempotency_key" not in columns:
            raw.execute("ALTER TABLE contacts ADD COLUMN idempotency_key VARCHAR(120)")
            raw.execute("CREATE UNIQUE INDEX IF NOT EXISTS uq_contacts_idempotency_key "
                        "ON contacts (idempotency_key)")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class FrameClock:
    """Wraps ``app._display``: render each compositor update to segments, timestamp it.
    Waiting for a frame is woken by the frame itself: polling the event loop every fraction
    of a millisecond would steal time from the app being measured."""

    def __init__(self, app) -> None:
        from rich.console import Console as RichConsole

        self.app = app
        self.frames: list[float] = []
        self.painted = asyncio.Event()
        self.console = RichConsole(width=200, height=60, color_system="truecolor",
                                   force_terminal=True, file=open(os.devnull, "w"))  # noqa: SIM115
        self.watch = None  # optional callable checked on every frame
        self.watch_hit: float | None = None
        original = app._display

        def display(screen, renderable) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            if hasattr(renderable, "render_segments"):
                renderable.render_segments(self.console)
            now = time.perf_counter()
            self.frames.append(now)
            if self.watch is not None and self.watch_hit is None and self.watch():
                self.watch_hit = now
            self.painted.set()

        app._display = display

    async def _next_frame(self, deadline: float) -> None:
        self.painted.clear()
        await asyncio.wait_for(self.painted.wait(), max(deadline - time.perf_counter(), 0))

    async def first_frame_after(self, started: float, timeout: float = 30.0) -> float:
        deadline = started + timeout
        try:
            while not (self.frames and self.frames[-1] > started):
                await self._next_frame(deadline)
        except TimeoutError:
            raise TimeoutError("no frame painted") from None
        return next(f for f in self.frames if f > started) - started

    async def until_watch(self, started: float, watch, timeout: float = 5.0) -> float:
        self.watch_hit = None
        self.watch = watch
        deadline = started + timeout
        try:
            while self.watch_hit is None:
                await self._next_frame(deadline)
            return self.watch_hit - started
        except TimeoutError:
            raise TimeoutError(f"the change was never painted ({len(self.frames)} frames)") \
                from None
        finally:
            self.watch = None


def post_key(app, key: str, character: str | None = None) -> float:
    from textual import events

    started = time.perf_counter()
    app._driver.process_message(events.Key(key, character))
    return started


async def measure(path: Path, keys: int, filters: int, lives: int) -> dict[str, object]:
    from ffd_core.services import directory, ownership, queue
    from ffd_tui.app import FrontDoorApp
    from ffd_tui.screens.holding import HoldingScreen
    from ffd_tui.tokens import MemoryTokens

    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate.upgrade(engine)  # a kept county may predate the latest migration; this is a copy
    _add_missing_columns(path)
    ctx = Context(engine, Settings(database_url=url, idle_lock_minutes=600), KEY, FixedClock(NOW))
    officer = directory.actor_by_username(ctx, "demo.officer")
    other = directory.actor_by_username(ctx, "j.holloway")
    with ctx.read() as session:
        from sqlalchemy import func, select

        from ffd_core.store.tables import Contact

        total = session.execute(select(func.count(Contact.id))).scalar_one()
        open_ = session.execute(select(func.count(Contact.id)).where(
            Contact.status.in_([s.value for s in ctx.lifecycle.open_statuses]))).scalar_one()
        surnames = [name.split()[-1].lower() for name in session.execute(
            select(Contact.child_summary).where(Contact.status == "received").limit(400)
        ).scalars() if name and " " in name]
    app = FrontDoorApp(ctx, officer, tokens=MemoryTokens(), poll_interval=0.25)
    frames = FrameClock(app)
    figures: dict[str, object] = {"contacts": total, "open": open_}

    def table():
        screen = app.screen
        return screen.table if isinstance(screen, HoldingScreen) else None

    def rows_shown() -> bool:
        t = table()
        return bool(t is not None and t.rows and t.loaded_generation == t.generation)

    started = time.perf_counter()
    async with app.run_test(size=(160, 45), headless=True) as pilot:
        figures["first_screen_ms"] = await frames.until_watch(started, rows_shown, 30) * 1000
        await pilot.pause(0.5)
        t = table()
        figures["total_rows"] = t.total

        # Cursor keys: down through the queue (windows load as it goes), then back up.
        samples = []
        for index in range(keys):
            key = "down" if index < keys // 2 else "up"
            began = post_key(app, key)
            try:
                samples.append(await frames.first_frame_after(began) * 1000)
            except TimeoutError:
                raise TimeoutError(f"key {index} {key}: cursor {t.cursor}/{t.total}, "
                                   f"focus {app.focused}") from None
            await asyncio.sleep(0.004)  # about 250 keys a second: a held-down key
        figures["cursor"] = samples

        # Filter keystrokes: type the start of a surname, one key at a time.
        t.focus()
        app.screen.action_filter()
        await pilot.pause(0.2)
        samples = []
        rng = random.Random(5)
        box = app.screen.query_one("#filter")
        while len(samples) < filters:
            word = rng.choice(surnames)[:4]
            for char in word:
                began = post_key(app, char, char)
                generation = t.generation

                def updated(generation=generation) -> bool:
                    return t.generation > generation and t.loaded_generation == t.generation

                samples.append(await frames.until_watch(began, updated, 10) * 1000)
            box.value = ""
            await pilot.pause(0.3)
        figures["filter"] = samples[:filters]
        app.screen.action_clear_filter()
        await pilot.pause(0.5)

        # Live: another officer claims a visible unallocated contact.
        app.screen.action_view("unallocated")
        await pilot.pause(0.5)
        samples = []
        for index in range(lives):
            row = t.rows.get(index)
            if row is None:
                break
            began = time.perf_counter()
            await asyncio.to_thread(ownership.claim, ctx, other, row.id)

            def shown(contact_id=row.id) -> bool:
                return any(r.id == contact_id and r.owner == other.name for r in t.rows.values())\
                    or all(r.id != contact_id for r in t.rows.values())

            samples.append(await frames.until_watch(began, shown, 5) * 1000)
            await asyncio.sleep(rng.uniform(0.05, 0.3))
        figures["live"] = samples
    engine.dispose()
    return figures


def report(figures: dict[str, object], command: str) -> tuple[object, str]:
    from rich.table import Table

    first = figures["first_screen_ms"]
    rows = [(f"first screen (ms), n={len(first)}", f"{percentile(first, 0.5):.0f}",
             f"{max(first):.0f} (max)", "≤ 1000")]
    for key, title, target in (("cursor", "cursor key → painted frame (ms)", "p95 ≤ 35"),
                               ("filter", "filter keystroke → updated list (ms)", "p95 ≤ 100"),
                               ("live", "live change → painted (ms)", "≤ 1000")):
        samples = figures[key]
        rows.append((f"{title}, n={len(samples)}", f"{percentile(samples, 0.5):.1f}",
                     f"{percentile(samples, 0.95):.1f}", target))
    runs = figures["runs"]
    table = Table(title=f"Console at {figures['contacts']:,} contacts ({figures['open']:,} open), "
                        f"{runs} run(s) pooled, {figures['load']} busy process(es) beside it")
    for column in ("measure", "p50 / value", "p95", "target"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for row in rows:
        table.add_row(*row)
    per_run = ", ".join(f"{p:.1f}" for p in figures["cursor_p95_per_run"])
    table.caption = (f"cursor p95 per run: {per_run} ms; load average before "
                     f"{figures['loadavg_before']}, after {figures['loadavg_after']}")
    markdown = [(f"Store: {figures['contacts']:,} contacts, {figures['open']:,} open (SQLite); "
                 f"{os.cpu_count()} CPUs; {figures['load']} CPU-bound process(es) beside the "
                 f"console; {runs} run(s) pooled (cursor p95 per run: {per_run} ms). "
                 f"Load average (1, 5, 15 min) before {figures['loadavg_before']}, "
                 f"after {figures['loadavg_after']}. Command: `{command}`"), "",
                "| measure | p50 / value | p95 | target |",
                "| --- | ---: | ---: | ---: |"]
    markdown += [f"| {' | '.join(row)} |" for row in rows]
    return table, "\n".join(markdown)


def write_readme(markdown: str, block: str) -> None:
    """Replace one named block of figures (quiet and loaded runs are kept side by side)."""
    path = Path(__file__).with_name("README-console.md")
    text = path.read_text("utf-8") if path.exists() else ""
    start, end = f"<!-- figures:{block}:start -->", f"<!-- figures:{block}:end -->"
    block = f"{start}\n{markdown}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text += "\n" + block + "\n"
    path.write_text(text, "utf-8")


def loadavg() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def one_run(source: Path, args: argparse.Namespace) -> dict[str, object]:
    """Measure a fresh copy of the store with a fresh app."""
    with tempfile.TemporaryDirectory() as workdir:
        copy = Path(workdir) / "console.sqlite"
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as raw:
            target = sqlite3.connect(copy)
            raw.backup(target)
            target.close()
        return asyncio.run(measure(copy, args.keys, args.filters, args.live))


def pooled(source: Path, args: argparse.Namespace) -> dict[str, object]:
    """``--runs`` runs, each in a fresh interpreter (as an officer starts the console), with
    ``--load`` busy processes running beside them; the samples pooled."""
    burners = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(args.load)]
    try:
        before = loadavg()
        runs = []
        for _ in range(args.runs):
            done = subprocess.run(
                [sys.executable, __file__, "--store", str(source), "--keys", str(args.keys),
                 "--filters", str(args.filters), "--live", str(args.live), "--one-run-json"],
                capture_output=True, text=True, check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        after = loadavg()
    finally:
        for burner in burners:
            burner.terminate()
        for burner in burners:
            burner.wait()
    figures: dict[str, object] = {"contacts": runs[0]["contacts"], "open": runs[0]["open"],
                                  "runs": len(runs), "load": args.load,
                                  "loadavg_before": before, "loadavg_after": after}
    figures["first_screen_ms"] = [r["first_screen_ms"] for r in runs]
    for key in ("cursor", "filter", "live"):
        figures[key] = [sample for r in runs for sample in r[key]]
    figures["cursor_p95_per_run"] = [percentile(r["cursor"], 0.95) for r in runs]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--open", type=int, default=2_000)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--store", type=Path, help="a seeded county SQLite file to copy and use")
    parser.add_argument("--keys", type=int, default=300)
    parser.add_argument("--filters", type=int, default=100)
    parser.add_argument("--live", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1, help="measure N times and pool (default 1)")
    parser.add_argument("--load", type=int, default=0, metavar="N",
                        help="run N CPU-bound processes beside the console while measuring")
    parser.add_argument("--write", action="store_true",
                        help="update README-console.md (the block for this --load)")
    parser.add_argument("--one-run-json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    source = args.store or build(args.contacts, args.open, args.people)
    if args.one_run_json:
        print(json.dumps(one_run(source, args)))
        return
    figures = pooled(source, args)
    command = "python benchmarks/console.py " + " ".join(
        a for a in sys.argv[1:] if a != "--write")
    table, markdown = report(figures, command.strip())
    console.print(table)
    if args.write:
        write_readme(markdown, f"load{args.load}")


if __name__ == "__main__":
    main()
