"""Search benchmark: index N synthetic source records, then time typo'd name + date queries.

Each query is a true child's forename, surname and date of birth with a typo in the
surname plus one more error (a forename typo, day and month swapped, a slipped date
digit, or a nickname). The names typed are the child's own where a record of the child
holds them, else the ones its records hold (--typed legal: always the child's own).
Prints index build time, database size, p50/p95 latency and top-1 / top-5 accuracy (is the
true child in the first person returned, in the first five).

    .venv/bin/python benchmarks/search.py                       # 100k records, SQLite
    .venv/bin/python benchmarks/search.py --records 1000000 --backend both
    # build once, then re-measure ranking changes against the same store and print misses:
    .venv/bin/python benchmarks/search.py --records 1000000 --keep /tmp/search-1m.sqlite --misses 20
    # after a change to the search keys, re-file the kept store first (and time it):
    .venv/bin/python benchmarks/search.py --records 1000000 --keep /tmp/search-1m.sqlite --reindex
    # PostgreSQL, kept in a database of its own so that a second run only measures:
    .venv/bin/python benchmarks/search.py --records 1000000 --backend postgres --keep /tmp/search-1m.sqlite \
        --postgres-db ffd_bench_search_1m

PostgreSQL runs when FFD_BENCH_POSTGRES_URL (or FFD_TEST_DATABASE_URL) names a server on
which a scratch database may be created; it is dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ffd_core.clock import FixedClock
from ffd_core.services import person_index
from ffd_core.services.context import SYSTEM, Context
from ffd_core.settings import Settings
from ffd_core.search.names import compact, nicknames_of, same_by_nickname
from ffd_core.search.records import SourceRecord
from ffd_core.search.search import PersonQuery, search_people
from ffd_core.store import migrate
from ffd_core.store.engine import make_engine
from ffd_core.store.people_tables import SourceRecordRow
from ffd_core.synthetic.population import TrueChild, build_population
from ffd_core.synthetic.sources import (
    DISCREPANCIES, PREVIOUS_RELEASE_MIX, build_sources, swap_day_month, typo,
)

console = Console(width=160)
AS_OF = date(2026, 11, 26)
RECORDS_PER_CHILD = 1.1  # what build_sources gives with its default shares
MIXES = {"current": DISCREPANCIES, "previous": PREVIOUS_RELEASE_MIX}


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _short_forms(given: str) -> list[str]:
    return [n for n in nicknames_of(given) if same_by_nickname(n, given)]


def _forenames(record: SourceRecord) -> set[str]:
    names = (record.given_name, record.preferred_given_name, record.known_as, *record.aliases)
    return {compact(n.split()[0]) for n in names if n and n.split()}


def _surnames(record: SourceRecord) -> set[str]:
    names = (record.family_name, record.preferred_family_name, *record.previous_family_names)
    held = {compact(n) for n in names if n}
    return held | {compact(part) for n in names if n for part in n.replace("-", " ").split()}


def held_names(child: TrueChild, records: list[SourceRecord]) -> tuple[str, str, bool]:
    """The forename and surname to type: the child's own where a record of the child holds
    them (as any of its names), else the names the newest record holds. A child whose only
    record still has a surname changed since, or a known-as or middle name in place of the
    forename, can be found by that name, not by one no system holds (the referral-style
    benchmark, benchmarks/county.py, measures queries typed from the child's current
    details). The flag says whether a name was substituted."""
    newest = max(records, key=lambda r: r.updated_at or datetime.min.replace(tzinfo=UTC))
    every = set().union(*(_forenames(r) | _surnames(r) for r in records))
    given = child.given_name if compact(child.given_name) in every else newest.given_name
    family = child.family_name if compact(child.family_name) in every else newest.family_name
    return given, family, (given, family) != (child.given_name, child.family_name)


def typod_query(child: TrueChild, rng: random.Random, names: tuple[str, str] | None = None) -> PersonQuery:
    """A typo in the surname plus one more error, in ``names`` (forename, surname) or the
    child's own."""
    given, held_family = names or (child.given_name, child.family_name)
    family, dob = typo(held_family, rng), child.date_of_birth
    while family == held_family:  # names too short to slip get a doubled letter
        family = typo(held_family, rng) if len(held_family) >= 3 else family + family[-1]
    second = rng.choice(("forename", "swap", "date", "nickname"))
    if second == "forename":
        given = typo(given, rng)
    elif second == "swap" and swap_day_month(dob) != dob:
        dob = swap_day_month(dob)
    elif second == "nickname" and _short_forms(given):
        given = rng.choice(_short_forms(given)).capitalize()
    else:  # a slipped day within the month, as a mistyped digit would be
        dob = dob.replace(day=dob.day + 1) if dob.day < 28 else dob.replace(day=dob.day - 1)
    return PersonQuery(given_name=given, family_name=family, date_of_birth=dob)


def open_store(backend: str, workdir: Path, database: str | None = None):
    """The store's URL, a function giving its size, and one dropping it (a no-op for a
    kept store: SQLite's file, or the PostgreSQL database named by --postgres-db)."""
    if backend == "sqlite":
        path = workdir / "search.sqlite"
        return f"sqlite:///{path}", lambda: sum(p.stat().st_size for p in workdir.glob("search.sqlite*")), lambda: None
    server = os.environ.get("FFD_BENCH_POSTGRES_URL") or os.environ.get("FFD_TEST_DATABASE_URL")
    if not server:
        raise SystemExit("set FFD_BENCH_POSTGRES_URL to run on PostgreSQL")
    name = database or f"ffd_bench_search_{uuid.uuid4().hex[:8]}"
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    if not database or not postgres_has(admin, name):
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)

    def size() -> int:
        with make_engine(url).connect() as connection:
            return connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()

    def drop() -> None:
        if database:
            return
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return url, size, drop


def holds_all(engine, count: int) -> bool:
    """Whether a kept store was built to the end (a build cut short is built again)."""
    try:
        with engine.connect() as connection:
            held = connection.execute(select(func.count()).select_from(SourceRecordRow)).scalar_one()
    except DBAPIError:
        return False
    return held == count


def postgres_has(admin, name: str) -> bool:
    with admin.connect() as connection:
        return connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is not None


def _generate(seed: int, records: int, keep: Path | None, mix: str = "current"):
    """The county and its records; with --keep, pickled beside the store for the next run."""
    cache = keep.with_suffix(".pickle") if keep else None
    if cache and cache.exists():
        with cache.open("rb") as f:
            return pickle.load(f)
    county = build_population(seed, int(records / RECORDS_PER_CHILD), AS_OF)
    generated = county, build_sources(county, seed, AS_OF, discrepancies=MIXES[mix])
    if cache:
        with cache.open("wb") as f:
            pickle.dump(generated, f, protocol=pickle.HIGHEST_PROTOCOL)
    return generated


def kept_store(path: Path):
    """A SQLite index kept between runs (--keep), so ranking changes can be re-measured quickly."""
    return f"sqlite:///{path}", lambda: sum(p.stat().st_size for p in path.parent.glob(path.name + "*")), lambda: None


def run(backend: str, records: int, queries: int, seed: int, relink: bool, keep: Path | None = None,
        misses: int = 0, reindex: bool = False, mix: str = "current", typed: str = "held",
        postgres_db: str | None = None) -> dict[str, object]:
    started = time.perf_counter()
    county, extract = _generate(seed, records, keep, mix)
    generated = time.perf_counter() - started
    kept = keep if backend == "sqlite" else None  # PostgreSQL keeps only the generated county
    reuse = kept is not None and kept.exists()
    with tempfile.TemporaryDirectory() as tmp:
        url, size, drop = kept_store(kept) if kept else open_store(backend, Path(tmp), postgres_db)
        try:
            engine = make_engine(url)
            if backend == "postgres" and postgres_db:
                reuse = holds_all(engine, len(extract.records))
            clock = FixedClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
            ctx = Context(engine, Settings(database_url=url), b"benchmark-audit-key", clock)
            t0 = time.perf_counter()
            report = lambda d, t, label: console.print(f"  {label} {d}/{t}", end="\r")  # noqa: E731
            if not reuse:
                migrate.upgrade(engine)
                person_index.import_records(ctx, SYSTEM, extract.records, progress=report)
            elif reindex:
                migrate.upgrade(engine)
                person_index.reindex(ctx, SYSTEM, progress=report)
            if backend == "postgres":
                # What autovacuum does soon after a bulk load: statistics, and the visibility
                # map that lets key look-ups be index-only scans.
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(text("VACUUM ANALYZE"))
            build = time.perf_counter() - t0
            if relink:
                t0 = time.perf_counter()
                person_index.relink(ctx, SYSTEM)
                console.print(f"  relinked in {time.perf_counter() - t0:.0f} s")
            by_child: dict[str, list[SourceRecord]] = defaultdict(list)
            for r in extract.records:
                by_child[extract.true_key(r)].append(r)
            known = sorted(by_child)
            rng = random.Random(seed + 1)
            sample = [county.child(k) for k in rng.sample(known, min(queries, len(known)))]
            sample = [c for c in sample if not c.unborn]
            latencies, top1, top5, substituted = [], 0, 0, 0
            rescued = {"postcode": 0, "sector": 0}
            with Session(engine) as session:
                search_people(session, PersonQuery(name="warm up", date_of_birth="2015"))
                for child in sample:
                    given, family, changed = held_names(child, by_child[child.key])
                    substituted += changed and typed == "held"
                    query = typod_query(child, rng, (given, family) if typed == "held" else None)
                    t0 = time.perf_counter()
                    found = search_people(session, query, limit=5)
                    latencies.append((time.perf_counter() - t0) * 1000)
                    ranks = [i for i, person in enumerate(found) if _holds(person, child, extract)]
                    top1 += bool(ranks and ranks[0] == 0)
                    top5 += bool(ranks)
                    if not (ranks and ranks[0] == 0):
                        # What one more detail an officer may know does for a miss.
                        postcode = child.address.postcode
                        for detail, value in (("postcode", postcode), ("sector", postcode[:-2])):
                            again = search_people(session, replace(query, postcode=value), limit=1)
                            rescued[detail] += bool(again and _holds(again[0], child, extract))
                    if misses and not (ranks and ranks[0] == 0):
                        misses -= 1
                        _show_miss(query, child, found, extract)
            engine.dispose()
            return {
                "backend": backend, "records": len(extract.records), "generate_s": generated,
                "build_s": build, "size_mb": size() / 1e6, "queries": len(sample),
                "p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95),
                "top1": top1 / len(sample), "top5": top5 / len(sample), "substituted": substituted,
                "rescued": rescued,
            }
        finally:
            drop()


def _holds(person, child: TrueChild, extract) -> bool:
    return any(extract.true_key(r.record) == child.key for r in person.records)


def _show_miss(query: PersonQuery, child: TrueChild, found, extract) -> None:
    """What was typed, the true child's records, and what came first instead."""
    console.print(f"[bold]miss[/] {query.given_name} {query.family_name} {query.date_of_birth}")
    truth = [r for r in extract.records if extract.true_key(r) == child.key]
    for r in truth:
        console.print(f"   true  {r.given_name} {r.family_name} {r.date_of_birth}")
    for person in found[:2]:
        best = person.records[0]
        console.print(f"   got   {best.record.given_name} {best.record.family_name} "
                      f"{best.record.date_of_birth} {person.score:.1f} {', '.join(person.reasons[:3])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--relink", action="store_true", help="group records into people first")
    parser.add_argument("--keep", type=Path,
                        help="SQLite file to build once and reuse on later runs (the county is kept beside it)")
    parser.add_argument("--misses", type=int, default=0, help="print this many missed queries")
    parser.add_argument("--reindex", action="store_true", help="re-file a kept store's keys first (timed)")
    parser.add_argument("--mix", choices=sorted(MIXES), default="current",
                        help="the generator's discrepancies: this release's, or about the previous release's mix")
    parser.add_argument("--postgres-db", help="keep the PostgreSQL store in this database and reuse it on "
                                              "later runs (default: a scratch database, dropped)")
    parser.add_argument("--typed", choices=("held", "legal"), default="held",
                        help="type the names a record of the child holds (held), or the child's legal "
                             "forename and current surname even where no record holds them (legal)")
    args = parser.parse_args()
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    results = [run(b, args.records, args.queries, args.seed, args.relink, args.keep, args.misses, args.reindex,
                   args.mix, args.typed, args.postgres_db) for b in backends]
    table = Table(title=f"Person search: typo'd name + date of birth ({os.cpu_count()} cores)")
    for column in ("backend", "records", "index build", "db size", "queries", "p50", "p95", "top-1", "top-5"):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(r["backend"], f"{r['records']:,}", f"{r['build_s']:.0f} s", f"{r['size_mb']:.0f} MB",
                      str(r["queries"]), f"{r['p50_ms']:.1f} ms", f"{r['p95_ms']:.1f} ms",
                      f"{r['top1']:.1%}", f"{r['top5']:.1%}")
    console.print(table)
    if args.typed == "held":
        console.print(f"{results[0]['substituted']} queries typed the name the child's records hold in place of "
                      "a legal forename or current surname that no record holds (--typed legal to type those)")
    for r in results:
        missed = round(r["queries"] * (1 - r["top1"]))
        rescued = r["rescued"]
        console.print(f"{r['backend']}: of the {missed} queries missed, {rescued['postcode']} find the child "
                      f"first with its postcode added, {rescued['sector']} with its postcode sector (e.g. BK2 3)")
    console.print(chart(results))


def bar(value: float, low: float, high: float, width: int = 40) -> str:
    filled = max(0.0, min(1.0, (value - low) / (high - low))) * width
    return "█" * int(filled) + "▌" * (filled % 1 >= 0.5)


def chart(results: list[dict[str, object]]) -> str:
    """Against the goals: top-1 on a 97-100% scale (goal 99%), p95 on 0-50 ms (goals: SQLite
    30 ms, PostgreSQL 45 ms)."""
    lines = ["top-1 (97% to 100%, goal 99% at the |)     p95 (0 to 50 ms; goal 30 ms SQLite, 45 PostgreSQL)"]
    for r in results:
        top1 = bar(float(r["top1"]) * 100, 97, 100).ljust(40)
        goal_mark = top1[:26] + "|" + top1[27:] if len(top1.rstrip()) < 27 else top1
        lines.append(f"{r['backend']:>8} {goal_mark} {float(r['top1']):.1%}   "
                     f"{bar(float(r['p95_ms']), 0, 50, 20):<20} {float(r['p95_ms']):.1f} ms")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
