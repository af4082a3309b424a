"""Bulk import of source records from a CSV export, with a column mapping.

A mapping file (YAML) names, for each field of a source record, the CSV column it comes
from; columns listed under ``details`` are kept as they are (allocated worker, SEN status...):

    source_id: PERSON_ID
    given_name: FORENAME
    family_name: SURNAME
    date_of_birth: DOB
    date_format: "%d/%m/%Y"     # how DOB is written; ISO when omitted
    postcode: POSTCODE
    details: [ALLOCATED_WORKER, TEAM]

Every name a record carries can be mapped (``preferred_given_name``, ``preferred_family_name``,
``known_as``, ``aliases``, ``previous_family_names``, ``middle_name``) and every address part
(``address_line1``, ``address_line2``, ``town``, ``postcode``).

Reading never loses the file for one bad row, and never drops a child silently: a row is
skipped only when it has no id or no name (or repeats an id: the later row is kept), and
every other problem (a date that does not parse, an NHS number failing its check digit, a
date of birth in the future, an over-long field) keeps the record without, or with, that
value and says so. Each problem is a :class:`RowIssue` (line, field, value, reason).

Bundled mappings for the two source systems' standard exports live in ``data/mappings``.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from ffd_core.errors import InvalidInput
from ffd_core.forms.errors import ConfigError, ConfigInvalid
from ffd_core.forms.yaml_source import load_yaml, parse_yaml, plain
from ffd_core.search.addresses import is_postcode, normal_postcode
from ffd_core.search.compare import PLACEHOLDER_FORENAMES
from ffd_core.search.identifiers import is_valid_nhs_number, is_valid_upn
from ffd_core.search.index_store import field_width
from ffd_core.search.names import compact
from ffd_core.search.records import LIST_FIELDS, SourceRecord

REQUIRED = ("source_id", "given_name", "family_name")
OPTIONAL = ("middle_name", "preferred_given_name", "preferred_family_name", "known_as", "aliases",
            "previous_family_names", "date_of_birth", "gender", "ethnicity", "address_line1",
            "address_line2", "town", "postcode", "previous_postcodes", "nhs_number", "upn", "school",
            "year_group", "updated_at")
GENDERS = {"m": "male", "male": "male", "1": "male", "f": "female", "female": "female", "2": "female",
           "u": "unknown", "unknown": "unknown", "0": "unknown", "9": "unknown"}


@dataclass(frozen=True)
class ColumnMapping:
    columns: Mapping[str, str]  # record field -> CSV column
    date_format: str | None = None
    details: tuple[str, ...] = ()
    list_separator: str = ";"  # within one cell, e.g. previous postcodes


SKIPPED = "row skipped"
KEPT = "record kept"


@dataclass(frozen=True)
class RowIssue:
    """A problem with one row: the row was skipped, or its record kept with a warning."""

    line: int  # line in the CSV file, header being line 1
    field: str  # the CSV column (or the record field when no column is mapped)
    value: str
    reason: str
    outcome: str = KEPT  # SKIPPED or KEPT

    @property
    def skipped(self) -> bool:
        return self.outcome == SKIPPED

    @property
    def message(self) -> str:
        shown = self.value if len(self.value) <= 40 else self.value[:37] + "..."
        return f"{self.field} {shown!r}: {self.reason}" if self.value else f"{self.field}: {self.reason}"


RejectedRow = RowIssue  # the name earlier releases used for a skipped row


@dataclass
class CsvRead:
    records: list[SourceRecord] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)

    @property
    def rejected(self) -> list[RowIssue]:
        return [issue for issue in self.issues if issue.skipped]

    @property
    def warnings(self) -> list[RowIssue]:
        return [issue for issue in self.issues if not issue.skipped]


def bundled_mapping(name: str) -> ColumnMapping:
    """A mapping shipped with the product: "framework_i" or "capita_one"."""
    text = resources.files("ffd_core.search").joinpath(f"data/mappings/{name}.yaml").read_text("utf-8")
    data, errors = parse_yaml(text, f"{name}.yaml")
    return _mapping(plain(data), f"{name}.yaml", errors)


def load_mapping(path: Path) -> ColumnMapping:
    data, errors = load_yaml(path)
    return _mapping(plain(data) if data is not None else None, str(path), errors)


def _mapping(data, filename: str, errors: list[ConfigError]) -> ColumnMapping:
    if errors:
        raise ConfigInvalid(errors)
    if not isinstance(data, dict):
        raise ConfigInvalid([ConfigError(filename, None, "a mapping file is field: COLUMN lines")])
    problems = [ConfigError(filename, None, f"no column given for {name}", "e.g. family_name: SURNAME")
                for name in REQUIRED if not data.get(name)]
    unknown = set(data) - set(REQUIRED) - set(OPTIONAL) - {"details", "date_format", "list_separator"}
    problems += [ConfigError(filename, None, f"unknown field {name!r}",
                             "fields: " + ", ".join(REQUIRED + OPTIONAL)) for name in sorted(unknown)]
    problems += [ConfigError(filename, None, f"{name} must be text in quotes, not {data[name]!r}",
                             f'e.g. {name}: "{example}"')
                 for name, example in (("date_format", "%d/%m/%Y"), ("list_separator", ";"))
                 if data.get(name) is not None and not isinstance(data[name], str)]
    if problems:
        raise ConfigInvalid(problems)
    columns = {k: str(v) for k, v in data.items() if k in REQUIRED + OPTIONAL and v}
    return ColumnMapping(columns, data.get("date_format"), tuple(data.get("details") or ()),
                         data.get("list_separator") or ";")


# The csv module refuses a field past 131,072 characters and loses the file; read any
# length and judge it per field instead.
csv.field_size_limit(2**31 - 1)
LONGEST_DETAIL = 2000  # characters kept of a details column (a note pasted into a cell)
LARGEST_FILE = 2**30  # read whole (a county's export is tens of megabytes); a bigger file is refused
EXPORT_ZONE = ZoneInfo("Europe/London")  # a last-updated time written without a zone


def read_csv(path: Path, source: str, mapping: ColumnMapping, *, encoding: str | None = None,
             today: date | None = None) -> CsvRead:
    """Every row as a record (a bad value dropped with a warning); a row without an id or a
    name is skipped; each problem with its line, column, value and reason."""
    size = path.stat().st_size
    if size > LARGEST_FILE:
        raise InvalidInput(f"{path.name} is {size / 2**30:.1f} GiB; at most {LARGEST_FILE / 2**30:.0f} GiB is read "
                           "at once: split the export (e.g. by year of birth) and import each part")
    text = decode(path.read_bytes(), encoding, path.name)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in [*mapping.columns.values(), *mapping.details] if c not in (reader.fieldnames or [])]
    if missing:
        raise ConfigInvalid([ConfigError(str(path), 1, f"the CSV has no column {c!r}") for c in missing])
    rows = _Rows(source, mapping, today or date.today())
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:  # a broken quote: lose the row, not the file
            rows.issues.append(RowIssue(reader.line_num, "row", "", f"not readable as CSV ({error})", SKIPPED))
            continue
        rows.add(reader.line_num, row)
    return CsvRead(list(rows.by_id.values()), sorted(rows.issues, key=lambda i: i.line))


def decode(data: bytes, encoding: str | None, name: str) -> str:
    """The file's text: the encoding given, else what its byte-order mark says, else UTF-8."""
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise InvalidInput(f"unknown encoding {encoding!r}; try utf-8, cp1252 or latin-1") from None
    elif data.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16"
    elif len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] and data[2]:
        codec = "utf-16-le"  # no mark, but ASCII letters each followed by a zero byte
    elif len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] and data[3]:
        codec = "utf-16-be"
    else:
        codec = "utf-8"
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise InvalidInput(
            f"{name} is not {codec} text: byte 0x{data[error.start]:02x} at byte position {error.start} "
            f"(line {line}); give the file's encoding, e.g. --encoding cp1252 for a Windows export"
        ) from None


class _Rows:
    """Turns rows into records, noting every problem; the last row of a repeated id wins."""

    def __init__(self, source: str, mapping: ColumnMapping, today: date) -> None:
        self.source, self.mapping, self.today = source, mapping, today
        self.by_id: dict[str, SourceRecord] = {}
        self.line_of: dict[str, int] = {}
        self.issues: list[RowIssue] = []

    def add(self, line: int, row: Mapping[str, str | None]) -> None:
        found: list[RowIssue] = []
        record = _record(row, line, self.source, self.mapping, self.today, found)
        self.issues.extend(found)
        if record is None:
            return
        earlier = self.line_of.get(record.source_id)
        if earlier is not None:
            column = self.mapping.columns["source_id"]
            self.issues.append(RowIssue(earlier, column, record.source_id,
                                        f"the same id is on line {line}, which was kept", SKIPPED))
            del self.by_id[record.source_id]  # keep file order: the later row's place
        self.by_id[record.source_id] = record
        self.line_of[record.source_id] = line


def iter_rows(records: list[SourceRecord], mapping: ColumnMapping) -> Iterator[dict[str, str]]:
    """Records as CSV rows under a mapping: the inverse of :func:`read_csv` (demo and tests)."""
    for record in records:
        row = {}
        for name, column in mapping.columns.items():
            value = getattr(record, name)
            if isinstance(value, (date, datetime)) and name == "date_of_birth":
                value = value.strftime(mapping.date_format) if mapping.date_format else value.isoformat()
            elif isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = mapping.list_separator.join(value)
            row[column] = "" if value is None else str(value)
        for column in mapping.details:
            value = record.details.get(column.lower(), record.details.get(column))
            row[column] = "" if value is None else str(value)
        yield row


class _Cells:
    """One row's cells by record field, each problem noted against its column."""

    def __init__(self, row: Mapping[str, str | None], line: int, mapping: ColumnMapping,
                 issues: list[RowIssue]) -> None:
        self.row, self.line, self.mapping, self.issues = row, line, mapping, issues

    def column(self, name: str) -> str:
        return self.mapping.columns.get(name, name)

    def raw(self, name: str) -> str | None:
        column = self.mapping.columns.get(name)
        value = self.row.get(column) if column else None
        return (value or "").strip() or None

    def note(self, name: str, value: str, reason: str, outcome: str = KEPT) -> None:
        self.issues.append(RowIssue(self.line, self.column(name), value, reason, outcome))

    def fits(self, name: str, value: str, skip_row: bool = False) -> bool:
        width = field_width(name) if name not in LIST_FIELDS else field_width("given_name")
        if width and len(value) > width:
            self.note(name, value[:200], f"{len(value):,} characters long; at most {width} fit"
                      + ("" if skip_row else "; kept the record without it"), SKIPPED if skip_row else KEPT)
            return False
        return True


def _record(row: Mapping[str, str | None], line: int, source: str, mapping: ColumnMapping, today: date,
            issues: list[RowIssue]) -> SourceRecord | None:
    cells = _Cells(row, line, mapping, issues)
    values: dict = {}
    for name in REQUIRED:
        raw = cells.raw(name)
        if not raw:
            cells.note(name, "", "empty: a record needs an id, a forename and a surname", SKIPPED)
            return None
        if not cells.fits(name, raw, skip_row=True):
            return None
        values[name] = raw
    for name in OPTIONAL:
        raw = cells.raw(name)
        if raw is None:
            continue
        value = _PARSERS.get(name, _text)(raw, name, cells, today)
        if value is not None:
            values[name] = value
    if "date_of_birth" in values and values["date_of_birth"] > today and \
            compact(values["given_name"]) not in PLACEHOLDER_FORENAMES:
        cells.note("date_of_birth", cells.raw("date_of_birth") or "",
                   "date of birth is in the future; kept as written (an unborn child's due date?)")
    details = {}
    for column in mapping.details:
        value = row.get(column) or None
        if value and len(value) > LONGEST_DETAIL:
            issues.append(RowIssue(line, column, value[:200], f"{len(value):,} characters long; "
                                   f"kept the first {LONGEST_DETAIL:,}"))
            value = value[:LONGEST_DETAIL]
        details[column.lower()] = value
    return SourceRecord(source=source, details=details, **values)


def _text(raw: str, name: str, cells: _Cells, today: date) -> str | None:
    return raw if cells.fits(name, raw) else None


def _list(raw: str, name: str, cells: _Cells, today: date) -> tuple[str, ...]:
    items = [item.strip() for item in raw.split(cells.mapping.list_separator) if item.strip()]
    return tuple(item for item in items if cells.fits(name, item))


def _date_of_birth(raw: str, name: str, cells: _Cells, today: date) -> date | None:
    fmt = cells.mapping.date_format
    try:
        return datetime.strptime(raw, fmt).date() if fmt else date.fromisoformat(raw)
    except ValueError:
        hint = (f"not a date like {fmt}" if fmt else
                "not an ISO date (yyyy-mm-dd); if the file writes dates another way, set "
                "date_format in the mapping, e.g. date_format: \"%d/%m/%Y\"")
        cells.note(name, raw, f"{hint}; kept the record without a date of birth")
        return None


def _updated_at(raw: str, name: str, cells: _Cells, today: date) -> datetime | None:
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        cells.note(name, raw, "not a date and time (ISO 8601); kept the record without it")
        return None
    # A time written without a zone is the export's local time, as the council's systems keep it.
    return when.replace(tzinfo=EXPORT_ZONE) if when.tzinfo is None else when


YEAR_GROUPS = {"n1": -2, "n2": -1, "r": 0, "reception": 0}


def _year_group(raw: str, name: str, cells: _Cells, today: date) -> int | None:
    text = raw.lower().removeprefix("year").removeprefix("y").strip()
    group = YEAR_GROUPS.get(raw.lower().strip())
    if group is None and text.lstrip("-").isdigit() and len(text) <= 3:
        group = int(text)
    if group is None or not -2 <= group <= 14:
        cells.note(name, raw, "not a year group (N1, N2, R, 1 to 14); kept the record without it")
        return None
    return group


def _gender(raw: str, name: str, cells: _Cells, today: date) -> str:
    return GENDERS.get(raw.lower(), "unknown")


def _postcode(raw: str, name: str, cells: _Cells, today: date) -> str | None:
    value = normal_postcode(raw)
    if not is_postcode(value):
        cells.note(name, raw, "not a UK postcode; kept as written")
    return value if cells.fits(name, value) else None


def _previous_postcodes(raw: str, name: str, cells: _Cells, today: date) -> tuple[str, ...]:
    return tuple(normal_postcode(p) for p in _list(raw, name, cells, today))


def _nhs_number(raw: str, name: str, cells: _Cells, today: date) -> str | None:
    digits = "".join(raw.replace("-", " ").split())
    if len(digits) != 10 or not digits.isdigit():
        cells.note(name, raw, "an NHS number is 10 digits; kept the record without it")
        return None
    if not is_valid_nhs_number(digits):
        cells.note(name, raw, "fails the NHS number check digit (mistyped?); kept, but not used to match")
    return digits


def _upn(raw: str, name: str, cells: _Cells, today: date) -> str | None:
    value = "".join(raw.upper().split())
    if not is_valid_upn(value):
        cells.note(name, raw, "not a valid UPN (a check letter and 12 digits)"
                   + ("; kept as written" if len(value) <= 13 else "; kept the record without it"))
    return value if len(value) <= 13 else None


_PARSERS = {
    "date_of_birth": _date_of_birth, "updated_at": _updated_at, "year_group": _year_group,
    "gender": _gender, "postcode": _postcode, "previous_postcodes": _previous_postcodes,
    "nhs_number": _nhs_number, "upn": _upn, "aliases": _list, "previous_family_names": _list,
}
