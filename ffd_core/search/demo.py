"""Demo data for the person index: the synthetic county's records, imported and linked,
or served by sandbox source systems for a sync demonstration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine
from starlette.applications import Starlette

from ffd_core.clock import Clock, SystemClock
from ffd_core.search.progress import Progress, no_progress
from ffd_core.search.records import EDUCATION, SOCIAL_CARE
from ffd_core.search.sandbox import sandbox_app
from ffd_core.search.service import RelinkSummary, import_records, relink
from ffd_core.synthetic.population import Population, build_population
from ffd_core.synthetic.sources import SourceExtract, build_sources


@dataclass(frozen=True)
class DemoPeople:
    population: Population
    extract: SourceExtract  # carries the ground truth, so linkage quality can be reported
    linkage: RelinkSummary


def demo_extract(seed: int, children: int, as_of: date) -> tuple[Population, SourceExtract]:
    population = build_population(seed, children, as_of)
    return population, build_sources(population, seed, as_of)


def load_demo_people(engine: Engine, *, seed: int = 2026, children: int = 10_000, as_of: date | None = None,
                     clock: Clock | None = None, progress: Progress = no_progress) -> DemoPeople:
    """Generate the county, import both systems' records and link them."""
    clock = clock or SystemClock()
    population, extract = demo_extract(seed, children, as_of or clock.now().date())
    import_records(engine, extract.records, clock=clock, progress=progress)
    summary = relink(engine, clock=clock, progress=progress)
    return DemoPeople(population, extract, summary)


def demo_sandbox(seed: int = 2026, children: int = 10_000, as_of: date | None = None,
                 token: str | None = None) -> Starlette:
    """Both source systems of the synthetic county behind the sync contract."""
    _, extract = demo_extract(seed, children, as_of or SystemClock().now().date())
    return sandbox_app({SOCIAL_CARE: extract.of(SOCIAL_CARE), EDUCATION: extract.of(EDUCATION)}, token=token)
