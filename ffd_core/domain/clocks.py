"""The two clocks on a contact, computed from its status history (derived from the audit trail).

The statutory clock runs from receipt (or reopen) to decision and never pauses: it is what
inspection and the national timescale judge. The working clock is the same target pushed
back by time spent waiting on other agencies, so teams are not measured on what they could
not control. Both are pure functions of the events, so they can be recomputed at any time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

from ffd_core.clock import as_utc
from ffd_core.domain.calendar import WorkingCalendar
from ffd_core.domain.vocab import Priority, Status

Target = Literal["one_working_day", "24_hours"]

# Awaiting sign-off is deliberately absent: waiting for a manager is the service's own time.
STOP_STATUSES = frozenset({Status.DECIDED, Status.WITHDRAWN, Status.CLOSED_IN_ERROR})
# "Due soon": at most this many minutes left on the statutory clock, counted in the
# target's own currency (office minutes for one working day, wall minutes for 24 hours).
DUE_SOON_MINUTES = 240


@dataclass(frozen=True)
class ClockEvent:
    at: datetime  # aware
    to_status: Status | None  # status entered at this instant (None if only priority changed)
    priority: Priority | None  # priority in force from this instant (None if unchanged)
    reopened: bool = False  # a supervisor's reopen: starts a new statutory period


@dataclass(frozen=True)
class ClockPolicy:
    target: Target = "one_working_day"
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    pause_statuses: frozenset[Status] = frozenset({Status.AWAITING_INFORMATION})
    # An immediate-risk contact is never "waiting on someone else".
    never_pause_priorities: frozenset[Priority] = frozenset({Priority.IMMEDIATE})

    def measure(self, a: datetime, b: datetime, calendar: WorkingCalendar | None = None) -> float:
        """Signed minutes from a to b in this policy's currency (office or wall minutes)."""
        if self.target == "24_hours":
            return (as_utc(b) - as_utc(a)) / timedelta(minutes=1)
        return (calendar or self.calendar).working_minutes_between(a, b)

    def counted_from(self, started_at: datetime) -> datetime:
        if self.target == "24_hours":
            return as_utc(started_at)
        return self.calendar.working_start(started_at)

    def due_soon_until(self, now: datetime) -> datetime:
        """The latest due time that is "due soon" at ``now``: a contact is due soon when
        ``now <= due_at <= due_soon_until(now)``. At 16:00 a contact due at 09:00 the next
        working morning has 60 office minutes left, so it is due soon; at 20:00 the night
        before a 13:30 due, 270 office minutes remain, so it is not."""
        if self.target == "24_hours":
            return as_utc(now) + timedelta(minutes=DUE_SOON_MINUTES)
        return self.calendar.add_working_minutes(now, DUE_SOON_MINUTES)

    def is_due_soon(self, now: datetime, due_at: datetime | None) -> bool:
        return due_at is not None and as_utc(now) <= as_utc(due_at) <= self.due_soon_until(now)

    def due(self, counted_from: datetime, extra_minutes: float = 0.0) -> datetime:
        if self.target == "24_hours":
            return counted_from + timedelta(hours=24, minutes=extra_minutes)
        cal = self.calendar
        # From counted_from, not from the statutory due: a due at a day's end would otherwise
        # be normalised to the next morning before the pause is added.
        return cal.add_working_minutes(counted_from, cal.minutes_per_day + extra_minutes)


@dataclass(frozen=True)
class ClockPeriod:
    number: int  # 1, 2 after a reopen...
    started_at: datetime  # the event instant
    counted_from: datetime  # working_start(started_at), or started_at in 24-hour mode
    statutory_due_at: datetime
    paused_minutes: float  # closed pauses only
    paused_since: datetime | None  # a pause still running at the last event
    working_due_at: datetime | None  # None while paused: not known until the pause ends
    stopped_at: datetime | None
    stop_status: Status | None
    statutory_margin_minutes: float | None  # >= 0 met, < 0 missed by
    working_margin_minutes: float | None

    @property
    def stopped(self) -> bool:
        return self.stopped_at is not None


@dataclass(frozen=True)
class ClockView:
    time_left_minutes: float  # signed; office minutes, or wall minutes in 24-hour mode
    breached: bool
    due_soon: bool  # open and under 4 hours' wall time left
    stopped: bool


def compute_periods(events: Iterable[ClockEvent], policy: ClockPolicy) -> list[ClockPeriod]:
    periods: list[ClockPeriod] = []
    current: ClockPeriod | None = None
    status: Status | None = None
    priority: Priority | None = None
    last_at: datetime | None = None

    for event in events:
        at = as_utc(event.at)
        if last_at is not None and at < last_at:
            raise ValueError("clock events must be in time order")
        last_at = at
        was_paused = current is not None and current.paused_since is not None
        if event.priority is not None:
            priority = event.priority
        if event.to_status is not None:
            status = event.to_status

        if current is None or (current.stopped and event.reopened):
            if current is None and event.to_status is None:
                raise ValueError("the first clock event must be the receipt")
            if current is not None:
                periods.append(current)
            counted_from = policy.counted_from(at)
            current = ClockPeriod(
                number=len(periods) + 1,
                started_at=at,
                counted_from=counted_from,
                statutory_due_at=policy.due(counted_from),
                paused_minutes=0.0,
                paused_since=None,
                working_due_at=None,
                stopped_at=None,
                stop_status=None,
                statutory_margin_minutes=None,
                working_margin_minutes=None,
            )
            was_paused = False
        elif current.stopped:
            continue  # e.g. transferred after the decision: the result already stands

        stopping = status in STOP_STATUSES
        pausing = (
            not stopping
            and status in policy.pause_statuses
            and priority not in policy.never_pause_priorities
        )
        if was_paused and not pausing:
            assert current.paused_since is not None
            current = replace(
                current,
                paused_minutes=current.paused_minutes + policy.measure(current.paused_since, at),
                paused_since=None,
            )
        elif pausing and not was_paused:
            current = replace(current, paused_since=at)
        if stopping:
            current = replace(current, stopped_at=at, stop_status=status)

    if current is None:
        return periods
    periods.append(current)
    return [_settle(p, policy) for p in periods]


def _settle(period: ClockPeriod, policy: ClockPolicy) -> ClockPeriod:
    """Fill in the derived fields: the working due (once known) and the margins (once stopped)."""
    working_due = None
    if period.paused_since is None:
        working_due = policy.due(period.counted_from, period.paused_minutes)
    if period.stopped_at is None:
        return replace(period, working_due_at=working_due)
    assert working_due is not None  # a stop always ends a pause
    return replace(
        period,
        working_due_at=working_due,
        statutory_margin_minutes=policy.measure(period.stopped_at, period.statutory_due_at),
        working_margin_minutes=policy.measure(period.stopped_at, working_due),
    )


def clock_view(
    period: ClockPeriod,
    now: datetime,
    calendar: WorkingCalendar,
    policy: ClockPolicy,
    clock: Literal["statutory", "working"] = "statutory",
) -> ClockView:
    """What a screen shows for one clock; statutory by default, since it never hides a breach."""
    if period.stopped_at is not None:
        margin = (
            period.statutory_margin_minutes
            if clock == "statutory"
            else period.working_margin_minutes
        )
        assert margin is not None
        return ClockView(
            time_left_minutes=margin, breached=margin < 0, due_soon=False, stopped=True
        )

    if clock == "working" and period.paused_since is not None:
        # Paused: the time left is frozen at what it was when the pause began.
        due = policy.due(period.counted_from, period.paused_minutes)
        left = policy.measure(period.paused_since, due, calendar)
        return ClockView(time_left_minutes=left, breached=left < 0, due_soon=False, stopped=False)

    due = period.statutory_due_at if clock == "statutory" else period.working_due_at
    assert due is not None
    now = as_utc(now)
    left = policy.measure(now, due, calendar)
    # Dues sit inside office hours, so "past the due instant" and "negative minutes left"
    # agree; overnight before a 09:00 due, 0 office minutes are left and it is not yet breached.
    breached = now > due
    return ClockView(
        time_left_minutes=left,
        breached=breached,
        due_soon=not breached and left <= DUE_SOON_MINUTES,
        stopped=False,
    )
