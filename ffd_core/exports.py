"""The one way the product writes a CSV file for people to open (links, and later Annex A
and drill-down lists): safe by construction, so no export has to remember.

- Formula injection: a spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@``
  (and tab or carriage return, which some strip first) as a formula; a name typed by a
  partner could then run a command or send data away when a supervisor opens the file.
  Such text is written with a leading ``'`` so it shows as typed. Numbers are numbers, not
  formulas, and are written as they are (a score of -3.2 stays a number).
- Only the user can read it: the file is created 0600 (it holds children's data).
- Atomic: rows go to a temporary file in the same folder, which is flushed to disk and then
  renamed over the target, so a crash or a full disk never leaves half a file under the
  name people open, and an existing file is replaced whole or not at all.
- Never over what it must keep: each caller names the files the export must not replace
  (the store and SQLite's companion files, from :func:`store_files`, and the command's own
  input files), so a slip of the path cannot swap the county's store or the council's
  source export for a CSV. ``-`` is refused rather than written as a file of that name.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ffd_core.errors import FFDError

if TYPE_CHECKING:
    from sqlalchemy import Engine

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class ExportFailed(FFDError):
    pass


def cell(value: Any) -> str:
    """``value`` as it should appear in a cell: text that a spreadsheet would run is defused."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def store_files(engine: Engine) -> tuple[Path, ...]:
    """The files that hold the store: a SQLite database and its companions (PostgreSQL: none)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return ()
    return (Path(database), *(Path(database + suffix) for suffix in SQLITE_COMPANIONS))


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *,
              keep: Iterable[str | Path]) -> int:
    """Write ``header`` and ``rows`` to ``path`` (0600, atomically); returns the rows written.
    ``keep``: files the export must never replace (the store's, the command's inputs).
    Raises ExportFailed, saying what to do, when the file cannot or must not be written."""
    target = Path(path)
    check_target(target, keep)
    folder = _folder_for(target)
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise _failed(target, error) from None
    written = 0
    try:
        with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow([cell(v) for v in header])
            for row in rows:
                out.writerow([cell(v) for v in row])
                written += 1
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _failed(target, error) from None
        raise
    _sync_folder(folder)
    return written


def check_target(target: Path, keep: Iterable[str | Path]) -> None:
    """Raise ExportFailed if ``target`` must not be written (write_csv checks it too; a
    caller asks early to refuse before doing other work)."""
    if str(target) == "-":
        raise ExportFailed("'-' is not written to the screen: give a file name for the CSV, e.g. export.csv")
    for kept in map(Path, keep):
        if _same_file(target, kept):
            raise ExportFailed(f"will not write {target}: it is {kept}, which is the store or a file this "
                               "command reads; give another file name")


def _same_file(a: Path, b: Path) -> bool:
    """The same file, however named (a link, ``..``); or, before one exists, the same path."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): a -wal file SQLite may create any time
        return os.path.realpath(a) == os.path.realpath(b)


def _folder_for(target: Path) -> Path:
    folder = target.parent
    if target.is_dir():
        raise ExportFailed(f"{target} is a folder; give a file name, e.g. {target / 'export.csv'}")
    if not folder.exists():
        raise ExportFailed(f"cannot write {target}: the folder {folder} does not exist; create "
                           "it first or choose another")
    if not folder.is_dir():
        raise ExportFailed(f"cannot write {target}: {folder} is a file, not a folder")
    return folder


def _failed(target: Path, error: OSError) -> ExportFailed:
    return ExportFailed(f"cannot write {target}: {error.strerror or error}; choose a folder "
                        "you can write to, with space free")


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); where folders cannot be opened, skip."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
