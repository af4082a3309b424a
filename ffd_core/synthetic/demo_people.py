"""The synthetic county's children in the person index: both systems' records, imported
and linked through the services, for the demo, the tests and the benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ffd_core.domain.access import Actor
from ffd_core.search.demo import demo_extract
from ffd_core.search.progress import Progress, no_progress
from ffd_core.services import person_index
from ffd_core.services.context import Context
from ffd_core.synthetic.population import Population
from ffd_core.synthetic.sources import SourceExtract


@dataclass(frozen=True)
class DemoPeople:
    population: Population
    extract: SourceExtract  # carries the ground truth, so linkage quality can be reported
    linkage: person_index.RelinkSummary


def load_demo_people(ctx: Context, actor: Actor, *, seed: int = 2026, children: int = 10_000,
                     as_of: date | None = None, progress: Progress = no_progress) -> DemoPeople:
    """Generate the county, import both systems' records and link them."""
    population, extract = demo_extract(seed, children, as_of or ctx.now().date())
    person_index.import_records(ctx, actor, extract.records, progress=progress)
    summary = person_index.relink(ctx, actor, progress=progress)
    return DemoPeople(population, extract, summary)
