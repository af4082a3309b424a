"""The single view at county scale: import, link and search both systems' exports of a
generated county, and print the figures side by side with the previous release.

For each county size: the generator's two exports are written as CSV with the bundled
mappings, imported with `ffd people import`'s use case (timed), re-linked (timed) and
scored against the generator's truth: pairwise precision, recall and F1, twins linked to
their twin, the review queue (size, share of records, share that is the same child,
counts by reason), recall per discrepancy with the generator's realised rates, the fitted
weights per comparison level, and 1,000 referral-style searches typed from a child's
current details (known-as names, partial postcodes, an age instead of a date of birth in
about a quarter of them).

    .venv/bin/python benchmarks/county.py --children 20000
    .venv/bin/python benchmarks/county.py --children 20000 200000     # weights side by side
    .venv/bin/python benchmarks/county.py --children 20000 --in-memory  # linkage only, no store

SQLite only (the figures to reach are on SQLite); `uptime`'s load is printed with every run
because the machine is shared.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from ffd_core.clock import FixedClock
from ffd_core.search.compare import FIELDS, LEVELS
from ffd_core.search.csv_import import bundled_mapping, iter_rows
from ffd_core.search.linkage import link_records
from ffd_core.search.model import MatchModel
from ffd_core.search.quality import pairwise_quality
from ffd_core.search.records import EDUCATION, SOCIAL_CARE
from ffd_core.search.query_text import parse_person_query
from ffd_core.search.search import PersonQuery, search_people
from ffd_core.services import person_index, single_view
from ffd_core.services.context import SYSTEM, Context
from ffd_core.settings import Settings
from ffd_core.store import migrate
from ffd_core.store.engine import make_engine
from ffd_core.store.people_tables import LinkageRun, SourceRecordRow
from ffd_core.synthetic.population import Population, TrueChild, build_population
from ffd_core.synthetic.sources import DISCREPANCIES, KINDS, SourceExtract, build_sources

console = Console(width=170)
AS_OF = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

# The previous release on the real-shaped exports (issue 15) and on its own
# generator (benchmarks/README-people.md, 2026-11-26/27).
PREVIOUS = {
    200_000: {"precision": 0.998, "recall": 0.945, "review": 15_302, "review_same": 0.06,
              "top1": 0.90, "import_relink_s": 135.0},
    20_000: {"review": 433, "review_same": 0.20, "top1": 0.945},
}


def load() -> str:
    return os.getloadavg().__repr__() if hasattr(os, "getloadavg") else "?"


@dataclass
class Run:
    children: int
    records: int
    figures: dict
    model: MatchModel


def true_pairs(extract: SourceExtract) -> dict[str, list[tuple[str, str]]]:
    by_child: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for ref, key in extract.truth.items():
        by_child[key].append(ref)
    return by_child


def realised_rates(county: Population, extract: SourceExtract) -> dict[str, float]:
    """Share of children known to both systems whose records drew each discrepancy."""
    by_child = true_pairs(extract)
    both = [refs for refs in by_child.values() if {r[0] for r in refs} == {SOCIAL_CARE, EDUCATION}]
    counts = Counter(kind for refs in both for kind in extract.discrepancies[refs[0]])
    rates = {kind: counts[kind] / len(both) for kind in KINDS}
    kinds_of = {extract.truth[ref]: kinds for ref, kinds in extract.discrepancies.items()}
    uasc = [c.key for c in county.children if c.asylum_seeking and c.key in kinds_of]
    rates["assessed_date"] = sum("assessed_date" in kinds_of[k] for k in uasc) / max(1, len(uasc))
    return rates


def recall_by_kind(people, extract: SourceExtract) -> dict[str, tuple[int, int]]:
    """(true pairs linked, true pairs) among the records of children with each discrepancy."""
    person_of = {ref: i for i, refs in enumerate(people) for ref in refs}
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for refs in true_pairs(extract).values():
        kinds = extract.discrepancies[refs[0]] or ("none",)
        for i, a in enumerate(refs):
            for b in refs[i + 1:]:
                for kind in (*kinds, "all"):
                    found[kind][1] += 1
                    found[kind][0] += person_of[a] == person_of[b]
    return {k: (v[0], v[1]) for k, v in found.items()}


def twins_linked(county: Population, extract: SourceExtract, people) -> int:
    twins = defaultdict(list)
    for child in county.children:
        twins[(child.household_key, child.date_of_birth)].append(child.key)
    twin_of = {k: frozenset(v) for v in twins.values() if len(v) == 2 for k in v}
    wrong = 0
    for refs in people:
        keys = {extract.true_key(r) for r in refs}
        wrong += sum(1 for k in keys if twin_of.get(k, frozenset()) - {k} & keys) // 2
    return wrong


def review_figures(result, extract: SourceExtract) -> dict:
    queue = result.possible_matches()
    same = sum(extract.true_key(p.a) == extract.true_key(p.b) for p in queue)
    reasons = Counter(p.reasons[0] if p.reasons and p.reasons[0].startswith("review:") else "other"
                      for p in queue)
    return {"review": len(queue), "review_same": same / len(queue) if queue else 1.0, "review_reasons": reasons}


def link_in_memory(children: int, seed: int) -> Run:
    county = build_population(seed, children, AS_OF)
    extract = build_sources(county, seed, AS_OF)
    t0 = time.perf_counter()
    result = link_records(extract.records, seed=seed)
    link_s = time.perf_counter() - t0
    quality = pairwise_quality(result.people, extract.truth)
    figures = {"precision": quality.precision, "recall": quality.recall, "f1": quality.f1,
               "relink_s": link_s, "twins": twins_linked(county, extract, result.people),
               "by_kind": recall_by_kind(result.people, extract), "rates": realised_rates(county, extract),
               "load": load(), **review_figures(result, extract)}
    return Run(children, len(extract.records), figures, result.model)


def print_run(run: Run) -> None:
    f = run.figures
    prev = PREVIOUS.get(run.children, {})
    table = Table(title=f"{run.children:,} children, {run.records:,} records (load {f['load']})")
    for column in ("figure", "this release", "previous release", "goal"):
        table.add_column(column, justify="right")

    def row(name, value, previous, goal, fmt="{:.4f}") -> None:  # noqa: ANN001
        shown = lambda v: "" if v is None else (fmt.format(v) if not isinstance(v, str) else v)  # noqa: E731
        table.add_row(name, shown(value), shown(previous), goal)

    row("precision", f["precision"], prev.get("precision"), ">= 0.995")
    row("recall", f["recall"], prev.get("recall"), ">= 0.98")
    row("F1", f["f1"], None, ">= 0.985 at 20k")
    row("twins linked to their twin", f["twins"], None, "0", "{:d}")
    row("review queue (pairs)", f["review"], prev.get("review"), f"<= {run.records // 100:,} (1%)", "{:,}")
    row("review: share the same child", f["review_same"], prev.get("review_same"), ">= 0.33", "{:.2f}")
    if "import_s" in f:
        row("import both files", f["import_s"], None, "<= 60 s", "{:.1f} s")
    row("relink", f["relink_s"], None, "<= 35 s at 200k", "{:.1f} s")
    for key, goal in (("top1", ">= 0.95"), ("top5", ">= 0.98"), ("p95_ms", "<= 50 ms")):
        if key in f:
            row(f"search {key}", f[key], prev.get(key), goal, "{:.1f} ms" if key == "p95_ms" else "{:.3f}")
    console.print(table)
    kinds = Table(title="Recall per discrepancy (true pairs of a child whose records drew it)")
    for column in ("discrepancy", "target rate", "realised rate", "pairs", "recall"):
        kinds.add_column(column, justify="right")
    for kind, (linked, total) in sorted(f["by_kind"].items(), key=lambda kv: kv[1][0] / max(1, kv[1][1])):
        target = getattr(DISCREPANCIES, kind, None)
        kinds.add_row(kind, "" if target is None else f"{target:.3f}",
                      f"{f['rates'][kind]:.3f}" if kind in f["rates"] else "", f"{total:,}",
                      f"{linked / total:.3f}" if total else "")
    console.print(kinds)
    reasons = Table(title="Review queue by reason")
    reasons.add_column("reason")
    reasons.add_column("pairs", justify="right")
    for reason, count in f["review_reasons"].most_common():
        reasons.add_row(reason, f"{count:,}")
    console.print(reasons)


def print_weights(runs: list[Run]) -> None:
    """log2(m/u) per comparison level, county by county, and the largest gap."""
    table = Table(title="Fitted weights (log2 m/u) per comparison level")
    table.add_column("field")
    table.add_column("level")
    for run in runs:
        table.add_column(f"{run.children:,}", justify="right")
    if len(runs) > 1:
        table.add_column("gap", justify="right")
    worst = 0.0
    for name in FIELDS:
        for index, level in enumerate(LEVELS[name]):
            weights = [run.model.level_weight(name, index) for run in runs]
            gap = max(weights) - min(weights)
            worst = max(worst, gap)
            table.add_row(name, level, *(f"{w:+.2f}" for w in weights), *([f"{gap:.2f}"] if len(runs) > 1 else []))
    console.print(table)
    if len(runs) > 1:
        console.print(f"largest gap between counties: {worst:.2f} bits (goal: within 1 bit)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, nargs="+", default=[20_000])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--in-memory", action="store_true", help="link in memory only (no store, no search)")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="SQLite file to build the store in (kept afterwards)")
    args = parser.parse_args()
    runs = []
    for children in args.children:
        run = (link_in_memory(children, args.seed) if args.in_memory
               else in_store(children, args.seed, args.queries, args.keep))
        print_run(run)
        runs.append(run)
    print_weights(runs)


def write_exports(extract: SourceExtract, folder: Path) -> dict[str, Path]:
    """Each system's export as CSV under its bundled mapping, as a council would receive it."""
    files = {}
    for source in (SOCIAL_CARE, EDUCATION):
        mapping = bundled_mapping(source)
        rows = list(iter_rows(list(extract.of(source)), mapping))
        path = folder / f"{source}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        files[source] = path
    return files


def referral_query(child: TrueChild, extract: SourceExtract, records, rng: random.Random) -> str:  # noqa: ANN001
    """What a referrer tells the front door about a child today, typed as one line: the name
    the child goes by (the known-as name when social care records it), the current surname,
    a full or partial postcode (or none), and an age instead of the date of birth in about
    a quarter of queries."""
    refs = [r.ref for r in records]
    care = next((r for r in records if r.source == SOCIAL_CARE), None)
    given = child.given_name
    if "known_as" in extract.discrepancies[refs[0]] and care is not None:
        given = care.given_name
    parts = [given, child.family_name]
    roll = rng.random()
    if roll < 0.25:
        age = AS_OF.year - child.date_of_birth.year - ((AS_OF.month, AS_OF.day) < (child.date_of_birth.month,
                                                                                  child.date_of_birth.day))
        parts.append(f"about {age}" if rng.random() < 0.5 else str(age))
    else:
        parts.append(child.date_of_birth.strftime("%d/%m/%Y"))
    postcode = child.address.postcode
    roll = rng.random()
    if roll < 0.35:
        parts.append(postcode.split(" ")[0])  # outward code
    elif roll < 0.6:
        parts.append(postcode[:-2])  # sector
    elif roll < 0.85:
        parts.append(postcode)
    return " ".join(parts)


def in_store(children: int, seed: int, queries: int, keep: Path | None = None) -> Run:
    county = build_population(seed, children, AS_OF)
    extract = build_sources(county, seed, AS_OF)
    figures: dict = {"load_before": load()}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = keep or folder / "county.sqlite"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        ctx = Context(engine, Settings(database_url=url), b"benchmark-audit-key", FixedClock(NOW))
        files = write_exports(extract, folder)
        t0 = time.perf_counter()
        skipped = 0
        for source, file in files.items():
            report = person_index.import_csv(ctx, SYSTEM, file, source=source,
                                             mapping=person_index.column_mapping(source))
            skipped += len(report.rejected)
        figures["import_s"] = time.perf_counter() - t0
        figures["skipped"] = skipped
        t0 = time.perf_counter()
        person_index.relink(ctx, SYSTEM)
        figures["relink_s"] = time.perf_counter() - t0
        figures["load"] = load()
        with Session(engine) as session:
            rows = session.execute(select(SourceRecordRow.source, SourceRecordRow.source_id,
                                          SourceRecordRow.person_id)).all()
            run = session.execute(select(LinkageRun).order_by(LinkageRun.id.desc())).scalars().first()
            model = MatchModel.from_dict(run.model)
        groups: dict[str, list] = defaultdict(list)
        for source, source_id, person_id in rows:
            groups[person_id or f"{source}:{source_id}"].append((source, source_id))
        people = list(groups.values())
        quality = pairwise_quality(people, extract.truth)
        queue = single_view.review(ctx, SYSTEM, limit=1)
        same = _queue_same_child(ctx, extract)
        figures.update(precision=quality.precision, recall=quality.recall, f1=quality.f1,
                       twins=twins_linked(county, extract, people), by_kind=recall_by_kind(people, extract),
                       rates=realised_rates(county, extract), review=queue.total,
                       review_same=same / queue.total if queue.total else 1.0,
                       review_reasons=Counter({REVIEW_TAG + k: v for k, v in queue.by_reason.items()}))
        figures.update(search_figures(ctx, county, extract, queries, seed))
        engine.dispose()
    return Run(children, len(extract.records), figures, model)


REVIEW_TAG = "review: "


def _queue_same_child(ctx: Context, extract: SourceExtract) -> int:
    pairs = single_view.review(ctx, SYSTEM, limit=10**9).pairs
    return sum(extract.true_key(p.a) == extract.true_key(p.b) for p in pairs)


def search_figures(ctx: Context, county: Population, extract: SourceExtract, queries: int, seed: int) -> dict:
    """Referral-style queries through the console's parser and the search, on the store."""
    rng = random.Random(seed + 2)
    by_child: dict[str, list] = defaultdict(list)
    for record in extract.records:
        by_child[extract.true_key(record)].append(record)
    keys = sorted(k for k in by_child if not county.child(k).unborn)
    latencies, top1, top5 = [], 0, 0
    with Session(ctx.engine) as session:
        search_people(session, PersonQuery(name="warm up", date_of_birth="2015"), today=AS_OF)
        for key in rng.sample(keys, min(queries, len(keys))):
            child = county.child(key)
            text = referral_query(child, extract, by_child[key], rng)
            t0 = time.perf_counter()
            found = search_people(session, parse_person_query(text), limit=5, today=AS_OF)
            latencies.append((time.perf_counter() - t0) * 1000)
            ranks = [i for i, person in enumerate(found)
                     if any(extract.true_key(r.record) == key for r in person.records)]
            top1 += bool(ranks and ranks[0] == 0)
            top5 += bool(ranks)
    ordered = sorted(latencies)
    return {"top1": top1 / len(latencies), "top5": top5 / len(latencies),
            "p95_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]}


if __name__ == "__main__":
    main()
