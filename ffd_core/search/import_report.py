"""The import report: every skipped or warned row of a CSV import, as a CSV an officer opens
in a spreadsheet (line, field, value, reason, outcome).

Values come from the council's own export, so a cell that a spreadsheet would run as a
formula (starting = + - @, a tab or a carriage return) is written with a leading
apostrophe. The file is private to its owner (0600) and appears whole or not at all.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ffd_core.search.csv_import import RowIssue

COLUMNS = ("line", "field", "value", "reason", "outcome")
LONGEST_VALUE = 200  # a 131,072-character cell is named, not copied
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_report(path: Path, issues: Iterable[RowIssue]) -> int:
    """Write the issues to ``path`` (replacing it atomically); returns how many rows."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    written = 0
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            for issue in issues:
                value = issue.value if len(issue.value) <= LONGEST_VALUE else issue.value[:LONGEST_VALUE] + "..."
                writer.writerow([issue.line, *(safe_cell(v) for v in (issue.field, value, issue.reason, issue.outcome))])
                written += 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return written
