"""Dates as forms hold them: ISO text (YYYY-MM-DD), so drafts and snapshots stay plain JSON."""

from __future__ import annotations

from datetime import date
from typing import Any


def parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def age_in_years(born: date, today: date) -> int:
    """Completed years; negative for an unborn child's due date (so 'under 1' includes them)."""
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return years if born <= today else -1
