"""The import report: every skipped or warned row of a CSV import, as a CSV an officer opens
in a spreadsheet (line, field, value, reason, outcome), written by the one export writer
(formula-safe cells, private to its owner, whole or not at all)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ffd_core.exports import write_csv
from ffd_core.search.csv_import import RowIssue
from ffd_core.search.index_store import OlderRecord

COLUMNS = ("line", "field", "value", "reason", "outcome")
LONGEST_VALUE = 200  # a 131,072-character cell is named, not copied
NOT_APPLIED = "record not applied"


def write_report(path: Path, issues: Iterable[RowIssue], *, keep: Iterable[Path],
                 older: Iterable[OlderRecord] = (), id_column: str = "") -> int:
    """Write the issues, then the records older than the stored version (by id: the store
    does not know their line), to ``path`` (replacing it atomically, never a file in
    ``keep``); returns how many rows."""
    rows = [(issue.line, issue.field,
             issue.value if len(issue.value) <= LONGEST_VALUE else issue.value[:LONGEST_VALUE] + "...",
             issue.reason, issue.outcome) for issue in issues]
    rows += [("", id_column, record.ref[1], record.reason, NOT_APPLIED) for record in older]
    return write_csv(path, COLUMNS, rows, keep=keep)
