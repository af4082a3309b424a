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
skipped only when it has no id or no name, an id too long to store, or a quote never closed
(the lines after it are read again as rows), or repeats an id (the later row is kept); every
other problem (a date that does not parse, an NHS number failing its check digit, a date of
birth in the future, an over-long field, a control character) keeps the record without, or
with, that value and says so. Each problem is a :class:`RowIssue` (line, field, value,
reason), the line being where the row starts. A file that cannot be read as one table (empty,
a column named twice, not a regular file) is refused whole, in one line.

Bundled mappings for the two source systems' standard exports live in ``data/mappings``.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from ffd_core.errors import InvalidInput
from ffd_core.forms.errors import ConfigError, ConfigInvalid
from ffd_core.forms.yaml_source import load_yaml, parse_yaml, plain
from ffd_core.domain.text import escaped, steering
from ffd_core.forms.dates import age_in_years
from ffd_core.search.addresses import is_postcode, normal_postcode
from ffd_core.search.compare import PLACEHOLDER_FORENAMES
from ffd_core.search.identifiers import ascii_digits, is_placeholder_nhs_number, is_valid_nhs_number, is_valid_upn
from ffd_core.search.index_store import field_width
from ffd_core.search.names import compact
from ffd_core.search.records import LIST_FIELDS, SourceRecord

REQUIRED = ("source_id", "given_name", "family_name")
OPTIONAL = ("middle_name", "preferred_given_name", "preferred_family_name", "known_as", "aliases",
            "previous_family_names", "date_of_birth", "gender", "ethnicity", "address_line1",
            "address_line2", "town", "postcode", "previous_postcodes", "nhs_number", "upn", "school",
            "year_group", "updated_at")
GENDERS = {"m": "male", "male": "male", "1": "male", "boy": "male",
           "f": "female", "female": "female", "2": "female", "girl": "female",
           "u": "unknown", "unknown": "unknown", "0": "unknown", "9": "unknown", "x": "unknown",
           "not known": "unknown", "not stated": "unknown", "not specified": "unknown"}


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
    problems += [ConfigError(filename, None, f"{name} must be one column name, not {data[name]!r}",
                             f"e.g. {name}: COLUMN")
                 for name in REQUIRED + OPTIONAL if data.get(name) and not isinstance(data[name], str)]
    details = data.get("details") or []
    if not isinstance(details, list) or not all(isinstance(column, str) and column for column in details):
        problems.append(ConfigError(filename, None, f"details must be a list of column names, not {details!r}",
                                    "e.g. details: [ALLOCATED_WORKER, TEAM]"))
    if isinstance(data.get("date_format"), str) and not _reads_dates(data["date_format"]):
        problems.append(ConfigError(filename, None, f"date_format {data['date_format']!r} does not read back "
                                    "a day, month and year", 'e.g. date_format: "%d/%m/%Y"'))
    if problems:
        raise ConfigInvalid(problems)
    columns = {k: v for k, v in data.items() if k in REQUIRED + OPTIONAL and v}
    return ColumnMapping(columns, data.get("date_format"), tuple(details), data.get("list_separator") or ";")


def _reads_dates(date_format: str) -> bool:
    """True when a date written with the format reads back as that date (%Q or %Y alone do not)."""
    sample = date(2015, 3, 14)
    try:
        return datetime.strptime(sample.strftime(date_format), date_format).date() == sample
    except ValueError:
        return False


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
    # Physical lines as the csv module sees them (\n, \r\n or \r), so rows keep their line numbers.
    records = _physical_records(io.StringIO(decode(_read_bytes(path), encoding, path.name), newline="").readlines())
    header_line, header = _header(records, path.name)
    missing = [c for c in dict.fromkeys([*mapping.columns.values(), *mapping.details]) if c not in header]
    if missing:
        named = ", ".join(map(repr, missing[:5])) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise InvalidInput(f"{path.name} has no column {named}, which the mapping names "
                           f"(its header on line {header_line} has {len(header)} columns, e.g. "
                           f"{', '.join(map(repr, header[:5]))}); give the right --source or --map")
    rows = _Rows(source, mapping, today or date.today())
    for record in records:
        if record.problem is not None:
            rows.issues.append(RowIssue(record.first, "row", "", record.problem, record.outcome))
        if record.cells is None:
            continue
        if record.last > record.first:
            rows.issues.append(RowIssue(record.first, "row", "", f"lines {record.first}-{record.last} were read as "
                                        "one row (a quoted value over several lines): check the quotes"))
        if len(record.cells) != len(header):
            rows.issues.append(RowIssue(record.first, "row", "", f"{len(record.cells)} cells where the header has "
                                        f"{len(header)}" + ("; the cells past the last column were ignored (an "
                                                            "unquoted comma?)" if len(record.cells) > len(header)
                                                            else "; the missing cells were read as empty")))
        rows.add(record.first, dict(zip(header, record.cells)))
    return CsvRead(list(rows.by_id.values()), sorted(rows.issues, key=lambda i: i.line))


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, from a regular file of at most LARGEST_FILE bytes (not a device or pipe)."""
    try:
        if not path.is_file():
            raise InvalidInput(f"{path.name} is not a regular file; save the export as a file and import that")
        size = path.stat().st_size
        if size <= LARGEST_FILE:
            with path.open("rb") as handle:
                data = handle.read(LARGEST_FILE + 1)  # the file may grow after the size was read
            size = len(data)
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror or error}") from None
    if size > LARGEST_FILE:
        raise InvalidInput(f"{path.name} is {size / 2**30:.1f} GiB; at most {LARGEST_FILE / 2**30:.0f} GiB is read "
                           "at once: split the export (e.g. by year of birth) and import each part")
    return data


@dataclass(frozen=True)
class _Record:
    """One CSV record and the physical lines it took (the header is line 1)."""

    first: int
    last: int
    cells: list[str] | None  # None: the lines could not be read as a row
    problem: str | None = None
    outcome: str = KEPT


def _physical_records(lines: list[str]) -> Iterator[_Record]:
    """Each record with its first and last physical line; a blank line is no record.

    Parsed strictly, so that a quote never closed is found rather than swallowing the rest
    of the file into one cell: its row is skipped and the lines after its first are read
    again as rows. A quote out of place within one line is read leniently, with a warning.
    """
    start = 0  # index of the line the reader began at
    while start < len(lines):
        reader = csv.reader(itertools.islice(lines, start, None), strict=True)
        while True:
            first = start + reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                last = start + reader.line_num
                if last == first:
                    cells = next(csv.reader([lines[first - 1]]))
                    yield _Record(first, last, cells, f"a quote out of place ({error}); read as "
                                  f"{len(cells)} cells: check the quotes")
                    continue
                reason = (f"a quote opened on line {first} is never closed" if "end of data" in str(error)
                          else f"lines {first}-{last} are not readable as CSV ({error})")
                yield _Record(first, first, None, reason + f"; lines from {first + 1} read again as rows", SKIPPED)
                start = first  # the next line after this row's first
                break
            if cells:
                yield _Record(first, start + reader.line_num, cells)


def _header(records: Iterator[_Record], name: str) -> tuple[int, list[str]]:
    for record in records:
        if record.cells is None or record.problem:
            raise InvalidInput(f"{name}: the header row on line {record.first} is not readable as CSV "
                               f"({record.problem}); fix its quotes")
        header = record.cells
        seen: dict[str, int] = {}
        for position, column in enumerate(header, start=1):
            if column and column in seen:
                raise InvalidInput(f"{name}: column {column!r} is in the header twice (columns {seen[column]} "
                                   f"and {position}); rename or remove one and import again")
            seen.setdefault(column, position)
        return record.first, header
    raise InvalidInput(f"{name} is empty: no header row; export the file again with its column names")


def decode(data: bytes, encoding: str | None, name: str) -> str:
    """The file's text: the encoding given, else what its byte-order mark says, else UTF-8;
    a leading byte-order mark is never part of the first column's name."""
    if encoding:
        try:
            info = codecs.lookup(encoding)
        except LookupError:
            info = None
        # rot13, base64, zlib... are codecs Python knows, but not text encodings: decoding refuses them
        if info is None or not getattr(info, "_is_text_encoding", True):
            raise InvalidInput(f"{'unknown encoding' if info is None else 'not a text encoding:'} {encoding!r}; "
                               "try utf-8, cp1252 or latin-1")
        codec = info.name
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE starts both
        codec = "utf-32"
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
        return data.decode(codec).removeprefix("\ufeff")
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
        self._raw: dict[str, str | None] = {}

    def column(self, name: str) -> str:
        return self.mapping.columns.get(name, name)

    def raw(self, name: str) -> str | None:
        if name not in self._raw:  # once: a value is cleaned, and warned about, once
            column = self.mapping.columns.get(name)
            value = clean(self.row.get(column) if column else None, column or name, self.line, self.issues)
            self._raw[name] = (value or "").strip() or None
        return self._raw[name]

    def note(self, name: str, value: str, reason: str, outcome: str = KEPT) -> None:
        self.issues.append(RowIssue(self.line, self.column(name), value, reason, outcome))

    def width(self, name: str) -> int | None:
        return field_width(name) if name not in LIST_FIELDS else field_width("given_name")

    def fits(self, name: str, value: str, skip_row: bool = False) -> bool:
        width = self.width(name)
        if width and len(value) > width:
            self.note(name, value[:200], f"{len(value):,} characters long; at most {width} fit"
                      + ("" if skip_row else "; kept the record without it"), SKIPPED if skip_row else KEPT)
            return False
        return True


# Removed from every value (see ffd_core.domain.text.steering); a details column may keep
# tab and line breaks (a note over several lines).
_LINES = "\t\n\r"


def clean(value: str | None, column: str, line: int, issues: list[RowIssue], *, multiline: bool = False) -> str | None:
    """The value without control or bidi-override characters, with a warning when it had any."""
    kept = _LINES if multiline else ""
    unsafe = steering(kept)
    if not value or not unsafe.search(value):
        return value
    issues.append(RowIssue(line, column, escaped(value, kept)[:200], "held control or text-direction characters "
                           "(shown escaped); kept the value without them"))
    return unsafe.sub("", value)


def _record(row: Mapping[str, str | None], line: int, source: str, mapping: ColumnMapping, today: date,
            issues: list[RowIssue]) -> SourceRecord | None:
    cells = _Cells(row, line, mapping, issues)
    values: dict = {}
    for name in REQUIRED:
        raw = cells.raw(name)
        if not raw:
            cells.note(name, "", "empty: a record needs an id, a forename and a surname", SKIPPED)
            return None
        width = cells.width(name)
        if name == "source_id":
            if not cells.fits(name, raw, skip_row=True):  # a cut id could be another child's
                return None
        elif width and len(raw) > width:
            cells.note(name, raw[:200], f"{len(raw):,} characters long; kept the first {width}")
            raw = raw[:width].strip()
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
    elif "date_of_birth" in values and (age := age_in_years(values["date_of_birth"], today)) > OLDEST_AGE:
        cells.note("date_of_birth", cells.raw("date_of_birth") or "",
                   f"date of birth makes them {age} years old; kept as written (a parent's date, or the year "
                   "mistyped?)")
    details = {}
    for column in mapping.details:
        value = clean(row.get(column), column, line, issues, multiline=True) or None
        if value and len(value) > LONGEST_DETAIL:
            issues.append(RowIssue(line, column, value[:200], f"{len(value):,} characters long; "
                                   f"kept the first {LONGEST_DETAIL:,}"))
            value = value[:LONGEST_DETAIL]
        details[column.lower()] = value
    return SourceRecord(source=source, details=details, **values)


# The index is of children and young people: care leavers are supported to 25.
OLDEST_AGE = 25


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
        # A time written without a zone is the export's local time, as the council's systems keep it.
        return (when.replace(tzinfo=EXPORT_ZONE) if when.tzinfo is None else when).astimezone(UTC)
    except ValueError:
        cells.note(name, raw, "not a date and time (ISO 8601); kept the record without it")
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the first instant a datetime holds
        cells.note(name, raw, "outside the years 1 to 9999 in UTC; kept the record without it")
    return None


YEAR_GROUPS = {"n1": -2, "n2": -1, "r": 0, "reception": 0}


def _year_group(raw: str, name: str, cells: _Cells, today: date) -> int | None:
    text = raw.lower().removeprefix("year").removeprefix("y").strip()
    group = YEAR_GROUPS.get(raw.lower().strip())
    if group is None and re.fullmatch("-?[0-9]{1,3}", text):
        group = int(text)
    if group is None or not -2 <= group <= 14:
        cells.note(name, raw, "not a year group (N1, N2, R, 1 to 14); kept the record without it")
        return None
    return group


def _gender(raw: str, name: str, cells: _Cells, today: date) -> str:
    gender = GENDERS.get(" ".join(raw.lower().split()))
    if gender is None:
        cells.note(name, raw, "not a gender this import reads (M, F, male, female, boy, girl, U, not known); "
                   "kept as unknown")
    return gender or "unknown"


def _postcode(raw: str, name: str, cells: _Cells, today: date) -> str | None:
    value = normal_postcode(raw)
    if not cells.fits(name, value):  # one warning: too long to keep at all
        return None
    if not is_postcode(value):
        cells.note(name, raw, "not a UK postcode; kept as written")
    return value


def _previous_postcodes(raw: str, name: str, cells: _Cells, today: date) -> tuple[str, ...]:
    return tuple(normal_postcode(p) for p in _list(raw, name, cells, today))


def _nhs_number(raw: str, name: str, cells: _Cells, today: date) -> str | None:
    digits = ascii_digits("".join(raw.replace("-", " ").split()))
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        cells.note(name, raw, "an NHS number is 10 digits; kept the record without it")
        return None
    if is_placeholder_nhs_number(digits):
        cells.note(name, raw, "a placeholder, not an NHS number (one digit ten times); kept the record without it")
        return None
    if not is_valid_nhs_number(digits):
        cells.note(name, raw, "fails the NHS number check digit (mistyped?); kept, but not used to match")
    return digits


def _upn(raw: str, name: str, cells: _Cells, today: date) -> str | None:
    value = ascii_digits("".join(raw.upper().split()))
    if not is_valid_upn(value):
        cells.note(name, raw, "not a valid UPN (a check letter and 12 digits)"
                   + ("; kept as written" if len(value) <= 13 else "; kept the record without it"))
    return value if len(value) <= 13 else None


_PARSERS = {
    "date_of_birth": _date_of_birth, "updated_at": _updated_at, "year_group": _year_group,
    "gender": _gender, "postcode": _postcode, "previous_postcodes": _previous_postcodes,
    "nhs_number": _nhs_number, "upn": _upn, "aliases": _list, "previous_family_names": _list,
}
