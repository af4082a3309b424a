"""Where the ffd command writes: results to standard output (so they can be piped, redirected
and read by cron), progress bars and warnings to standard error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

console = Console()  # results
notices = Console(stderr=True)  # progress and warnings


@contextmanager
def progress_bars() -> Iterator:
    """Yield ``report(done, total, label)``: one bar per label, updated in place."""
    with Progress(
        TextColumn("[bold]{task.description:<12}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=notices, transient=False,
    ) as progress:
        tasks: dict[str, int] = {}

        def report(done: int, total: int, label: str) -> None:
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=total)
            progress.update(tasks[label], completed=done, total=total)

        yield report
