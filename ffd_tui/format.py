"""How the console writes dates, times and clocks: UK local, dd/mm/yyyy. Presentation only."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from ffd_core.clock import as_utc, format_uk_date, format_uk_datetime
from ffd_core.domain.clocks import DUE_SOON_MINUTES, ClockPolicy
from ffd_core.domain.lifecycle import Lifecycle
from ffd_core.domain.vocab import Priority

__all__ = ["format_uk_date", "format_uk_datetime", "priority_label", "time_left"]

# What "due soon" means, in words (ffd_core's clock decides it).
DUE_SOON_WORDS = f"{DUE_SOON_MINUTES // 60} office hours"


def format_day(value: date | datetime | None) -> str:
    """A calendar date (date of birth, due date) as dd/mm/yyyy; instants in UK local time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_uk_date(value)
    return value.strftime("%d/%m/%Y")


def time_left(due_at: datetime | None, status: str, now: datetime,
              policy: ClockPolicy, lifecycle: Lifecycle) -> tuple[str, str]:
    """The statutory time left as text and a style class: "breached", "due-soon" or "".
    The minutes and whether that is "soon" are ffd_core's (office minutes for a one
    working day target): at 16:40 a contact due at 13:36 tomorrow has 4h 56m left.
    Shown to the minute, so worked out once a minute per contact, not once a frame. Whether
    the clock still runs is the lifecycle file's ``open:`` flag for the status."""
    if due_at is None:
        return "", ""
    if not lifecycle.is_open(status):
        return "—", "closed"
    return _time_left(due_at, as_utc(now).replace(second=0, microsecond=0), policy)


@lru_cache(maxsize=4096)
def _time_left(due_at: datetime, now: datetime, policy: ClockPolicy) -> tuple[str, str]:
    if now > as_utc(due_at):
        return "-" + _span(int(-policy.measure(now, due_at) // 1) or 1), "breached"
    return _span(int(policy.measure(now, due_at))), \
        "due-soon" if policy.is_due_soon(now, due_at) else ""


def _span(minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    return f"{hours}h {mins:02d}m"


def priority_label(priority: int) -> str:
    try:
        return f"P{priority} {Priority(priority).label}"
    except ValueError:
        return f"P{priority}"


def label(value: str | None) -> str:
    return (value or "").replace("_", " ")
