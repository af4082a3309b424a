"""A source record: what one source system holds about one child, as the index sees it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

SOCIAL_CARE = "framework_i"
EDUCATION = "capita_one"
LIST_FIELDS = ("aliases", "previous_family_names", "previous_postcodes")  # tuples of strings


@dataclass(frozen=True)
class SourceRecord:
    """A child as recorded by a source system. ``(source, source_id)`` never changes identity."""

    source: str
    source_id: str
    given_name: str
    family_name: str
    middle_name: str | None = None  # one or more middle names, space-separated
    aliases: tuple[str, ...] = ()  # other full names this child is known by
    preferred_given_name: str | None = None  # e.g. education's preferred forename
    preferred_family_name: str | None = None
    known_as: str | None = None  # the name social care calls the child by ("Mo", "Jay Smith")
    previous_family_names: tuple[str, ...] = ()  # before a parent's separation or remarriage
    date_of_birth: date | None = None
    gender: str | None = None  # "male" | "female" | "unknown"
    ethnicity: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
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

    def other_names(self) -> tuple[tuple[str, str | None, str | None], ...]:
        """Every name besides the legal one, as (kind, forename, surname); either may be None.

        A known-as or alias of one word is a forename ("Mo"); of several, a forename and
        a surname ("Jay Smith").
        """
        names: list[tuple[str, str | None, str | None]] = []
        if self.preferred_given_name or self.preferred_family_name:
            names.append(("preferred name", self.preferred_given_name, self.preferred_family_name))
        if self.known_as:
            names.append(("known-as name", *_split_full_name(self.known_as)))
        names.extend(("alias", *_split_full_name(alias)) for alias in self.aliases if alias.strip())
        names.extend(("previous surname", None, family) for family in self.previous_family_names if family)
        return tuple(names)


def _split_full_name(text: str) -> tuple[str | None, str | None]:
    words = text.replace(",", " ").split()
    if len(words) <= 1:
        return (words[0] if words else None), None
    return words[0], " ".join(words[1:])
