"""Levels of need as data, so decisions and rejections can cite indicator ids and link to them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ffd_core.domain.vocab import LevelOfNeed


@dataclass(frozen=True)
class Domain:
    id: str
    title: str


@dataclass(frozen=True)
class Indicator:
    id: str  # stable: decisions cite it, so consistency can be measured later
    level: LevelOfNeed
    domain: str
    text: str
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Level:
    level: LevelOfNeed
    number: int
    title: str
    summary: str
    indicators: tuple[Indicator, ...]

    def by_domain(self, domains: Iterable[Domain]) -> list[tuple[Domain, tuple[Indicator, ...]]]:
        grouped = [(d, tuple(i for i in self.indicators if i.domain == d.id)) for d in domains]
        return [(d, found) for d, found in grouped if found]


@dataclass(frozen=True)
class ThresholdGuidance:
    version: int
    base_url: str
    domains: tuple[Domain, ...]
    levels: tuple[Level, ...]  # universal first, acute last

    def level(self, level: LevelOfNeed) -> Level:
        for candidate in self.levels:
            if candidate.level == level:
                return candidate
        raise KeyError(level)

    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for level in self.levels for i in level.indicators)

    def indicator(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators():
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)

    def unknown_indicators(self, cited: Iterable[str]) -> list[str]:
        """Ids a decision cites that the guidance does not have (so services can refuse them)."""
        known = {i.id for i in self.indicators()}
        return [c for c in cited if c not in known]

    def for_category(self, category: str) -> list[tuple[Level, tuple[Indicator, ...]]]:
        """What the console shows beside a contact: each level's indicators for its category."""
        shown = []
        for level in self.levels:
            found = tuple(i for i in level.indicators if category in i.categories)
            if found:
                shown.append((level, found))
        return shown

    # Public links: one page, an anchor per level, per level-and-domain and per indicator.
    def url(self, level: LevelOfNeed | None = None, domain: str | None = None) -> str:
        if level is None:
            return self.base_url
        anchor = level.value if domain is None else f"{level.value}-{domain.replace('_', '-')}"
        return f"{self.base_url}#{anchor}"

    def indicator_url(self, indicator_id: str) -> str:
        return f"{self.base_url}#{self.indicator(indicator_id).id.lower()}"
