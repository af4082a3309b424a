"""How long-running person-index work reports progress: ``progress(done, total, label)``."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int, str], None]


def no_progress(done: int, total: int, label: str) -> None:
    """For callers that do not show progress."""
