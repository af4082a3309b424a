"""Demo data for the person index: the synthetic county's records, served by sandbox
source systems for a sync demonstration (loading them into a store: ffd_core.synthetic)."""

from __future__ import annotations

from datetime import date

from starlette.applications import Starlette

from ffd_core.clock import SystemClock
from ffd_core.search.records import EDUCATION, SOCIAL_CARE
from ffd_core.search.sandbox import sandbox_app
from ffd_core.synthetic.population import Population, build_population
from ffd_core.synthetic.sources import SourceExtract, build_sources


def demo_extract(seed: int, children: int, as_of: date) -> tuple[Population, SourceExtract]:
    population = build_population(seed, children, as_of)
    return population, build_sources(population, seed, as_of)


def demo_sandbox(seed: int = 2026, children: int = 10_000, as_of: date | None = None,
                 token: str | None = None) -> Starlette:
    """Both source systems of the synthetic county behind the sync contract."""
    _, extract = demo_extract(seed, children, as_of or SystemClock().now().date())
    return sandbox_app({SOCIAL_CARE: extract.of(SOCIAL_CARE), EDUCATION: extract.of(EDUCATION)}, token=token)
