"""Injected clocks: every service and screen asks one of these for "now".

Tests pass a :class:`FixedClock` and move it; nothing monkey-patches ``time``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that only moves when told to (tests, demos, benchmarks)."""

    def __init__(self, at: datetime) -> None:
        self._at = as_utc(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = as_utc(at)

    def advance(self, **delta: float) -> datetime:
        self._at += timedelta(**delta)
        return self._at


def as_utc(at: datetime) -> datetime:
    """Normalise to an aware UTC instant; a naive value is read as UTC (how SQLite returns it)."""
    if at.tzinfo is None:
        return at.replace(tzinfo=timezone.utc)
    return at.astimezone(timezone.utc)


def uk_local(at: datetime) -> datetime:
    return as_utc(at).astimezone(UK)


def format_uk_date(at: datetime) -> str:
    return uk_local(at).strftime("%d/%m/%Y")


def format_uk_datetime(at: datetime) -> str:
    return uk_local(at).strftime("%d/%m/%Y %H:%M")
