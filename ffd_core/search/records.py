"""A source record: what one source system holds about one child, as the index sees it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

SOCIAL_CARE = "framework_i"
EDUCATION = "capita_one"


@dataclass(frozen=True)
class SourceRecord:
    """A child as recorded by a source system. ``(source, source_id)`` never changes identity."""

    source: str
    source_id: str
    given_name: str
    family_name: str
    middle_name: str | None = None
    aliases: tuple[str, ...] = ()  # other full names this child is known by
    date_of_birth: date | None = None
    gender: str | None = None  # "male" | "female" | "unknown"
    ethnicity: str | None = None
    address_line1: str | None = None
    town: str | None = None
    postcode: str | None = None
    previous_postcodes: tuple[str, ...] = ()
    nhs_number: str | None = None
    upn: str | None = None
    school: str | None = None
    year_group: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)  # allocated worker, episodes, SEN...
    updated_at: datetime | None = None

    @property
    def ref(self) -> tuple[str, str]:
        return (self.source, self.source_id)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.middle_name, self.family_name) if p)
