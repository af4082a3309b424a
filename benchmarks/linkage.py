"""Linkage benchmark: link the generator's source records and score them against ground truth.

For each county size, builds the synthetic population and both systems' records, links
them (model fitted to the data, default thresholds) and prints pairwise precision, recall
and F1 of the automatic links, the possible matches left for review, twin and sibling
pairs wrongly linked, and the time taken.

    .venv/bin/python benchmarks/linkage.py                      # 10k and 200k children
    .venv/bin/python benchmarks/linkage.py --children 10000 50000 --seed 7
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date

from rich.console import Console
from rich.table import Table

from ffd_core.search.linkage import link_records
from ffd_core.search.quality import pairwise_quality
from ffd_core.synthetic.population import build_population
from ffd_core.synthetic.sources import build_sources

AS_OF = date(2026, 11, 26)
console = Console(width=160)


def run(children: int, seed: int) -> dict[str, object]:
    t0 = time.perf_counter()
    county = build_population(seed, children, AS_OF)
    extract = build_sources(county, seed, AS_OF)
    generated = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = link_records(extract.records, seed=seed)
    linked = time.perf_counter() - t0
    quality = pairwise_quality(result.people, extract.truth)
    family_mistakes = 0
    for refs in result.people:
        keys = {extract.true_key(r) for r in refs}
        households = [county.child(k).household_key for k in keys]
        family_mistakes += len(households) - len(set(households))
    return {
        "children": children, "records": len(extract.records), "generate_s": generated,
        "link_s": linked, "pairs": len(result.pairs), "people": len(result.people),
        "precision": quality.precision, "recall": quality.recall, "f1": quality.f1,
        "review": len(result.possible_matches()), "family": family_mistakes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, nargs="+", default=[10_000, 200_000])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    table = Table(title=f"Record linkage on synthetic ground truth ({os.cpu_count()} cores)")
    for column in ("children", "records", "compared pairs", "people", "precision", "recall", "F1",
                   "for review", "siblings linked", "link time"):
        table.add_column(column, justify="right")
    for children in args.children:
        r = run(children, args.seed)
        table.add_row(f"{r['children']:,}", f"{r['records']:,}", f"{r['pairs']:,}", f"{r['people']:,}",
                      f"{r['precision']:.4f}", f"{r['recall']:.4f}", f"{r['f1']:.4f}", f"{r['review']:,}",
                      str(r["family"]), f"{r['link_s']:.1f} s")
    console.print(table)


if __name__ == "__main__":
    main()
