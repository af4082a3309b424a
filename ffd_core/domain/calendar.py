"""Working calendar: office hours on England & Wales working days, for the statutory timescales.

Instants go in and come out as aware datetimes (naive ones are read as UTC, as everywhere
else); results are UTC. Office hours are wall-clock times in ``tz``, so each day's window is
built in local time: across a clock change, 10:00 + one working day is still 10:00.

Office windows are half-open, [start, end): 17:00 is not a working instant, so a deadline
that uses up a whole day lands on 09:00 of the next working day. That keeps "after the due
instant" and "negative working margin" the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone, tzinfo

import holidays

from ffd_core.clock import UK, as_utc

_ONE_DAY = timedelta(days=1)
_MINUTE = timedelta(minutes=1)


class WorkingCalendar:
    def __init__(
        self,
        office_start: time = time(9),
        office_end: time = time(17),
        tz: tzinfo = UK,
        closures: Iterable[date] = (),
    ) -> None:
        if office_start >= office_end:
            raise ValueError("office hours must start before they end, within one day")
        self.office_start = office_start
        self.office_end = office_end
        self.tz = tz
        self.closures = frozenset(closures)
        self._bank_holidays: dict[int, frozenset[date]] = {}
        # Building a window costs two zone conversions; the same few hundred days recur.
        self._windows: dict[date, tuple[datetime, datetime]] = {}

    @property
    def minutes_per_day(self) -> float:
        """Nominal office minutes in a day (wall clock; a day spanning a clock change differs)."""
        start = datetime.combine(date.min, self.office_start)
        end = datetime.combine(date.min, self.office_end)
        return (end - start) / _MINUTE

    def is_working_day(self, d: date) -> bool:
        if d.weekday() >= 5 or d in self.closures:
            return False
        year_holidays = self._bank_holidays.get(d.year)
        if year_holidays is None:
            # Lazily, one year at a time: the library computes (and may warn) per year asked.
            year_holidays = frozenset(
                holidays.country_holidays("GB", subdiv="ENG", years=d.year).keys()
            )
            self._bank_holidays[d.year] = year_holidays
        return d not in year_holidays

    def working_start(self, at: datetime) -> datetime:
        """The first working instant at or after ``at``."""
        at = as_utc(at)
        d = self._local_date(at)
        while True:
            if self.is_working_day(d):
                start, end = self._window(d)
                if at < end:
                    return max(at, start)
            d += _ONE_DAY

    def add_working_minutes(self, at: datetime, minutes: float) -> datetime:
        """Advance ``minutes`` of office time from ``at`` (out-of-hours time does not count)."""
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        # Whole microseconds from here on, so adding and measuring round-trip exactly.
        remaining = timedelta(minutes=minutes)
        cur = self.working_start(at)
        d = self._local_date(cur)
        while True:
            end = self._window(d)[1]
            if remaining < end - cur:
                return cur + remaining
            remaining -= end - cur
            d = self._next_working_day(d)
            cur = self._window(d)[0]

    def working_minutes_between(self, a: datetime, b: datetime) -> float:
        """Office minutes in [a, b); negative when b is before a."""
        a, b = as_utc(a), as_utc(b)
        if b < a:
            return -self.working_minutes_between(b, a)
        total = timedelta(0)
        d, last = self._local_date(a), self._local_date(b)
        while d <= last:
            if self.is_working_day(d):
                start, end = self._window(d)
                lo, hi = max(start, a), min(end, b)
                if hi > lo:
                    total += hi - lo
            d += _ONE_DAY
        return total / _MINUTE

    def is_working_instant(self, at: datetime) -> bool:
        return self.working_start(at) == as_utc(at)

    def _local_date(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def _next_working_day(self, d: date) -> date:
        d += _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def _window(self, d: date) -> tuple[datetime, datetime]:
        window = self._windows.get(d)
        if window is None:
            window = (
                datetime.combine(d, self.office_start, self.tz).astimezone(timezone.utc),
                datetime.combine(d, self.office_end, self.tz).astimezone(timezone.utc),
            )
            self._windows[d] = window
        return window
