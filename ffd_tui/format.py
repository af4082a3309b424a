"""How the console writes dates, times and clocks: UK local, dd/mm/yyyy. Presentation only."""

from __future__ import annotations

from datetime import date, datetime

from ffd_core.clock import as_utc, format_uk_date, format_uk_datetime
from ffd_core.domain.vocab import OPEN_STATUSES, Priority, Status

__all__ = ["format_uk_date", "format_uk_datetime", "priority_label", "status_label", "time_left"]


def format_day(value: date | datetime | None) -> str:
    """A calendar date (date of birth, due date) as dd/mm/yyyy; instants in UK local time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_uk_date(value)
    return value.strftime("%d/%m/%Y")


def time_left(due_at: datetime | None, status: str, now: datetime,
              due_soon: bool) -> tuple[str, str]:
    """The statutory time left as text and a style class: "breached", "due-soon" or "".
    Whether it is due soon is ffd_core's answer (office minutes left), passed in."""
    if due_at is None:
        return "", ""
    if Status(status) not in OPEN_STATUSES:
        return "—", "closed"
    left = as_utc(due_at) - as_utc(now)
    minutes = int(left.total_seconds() // 60)
    if minutes < 0:
        return "-" + _span(-minutes), "breached"
    return _span(minutes), "due-soon" if due_soon else ""


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


def status_label(status: str) -> str:
    return status.replace("_", " ")


def label(value: str | None) -> str:
    return (value or "").replace("_", " ")
