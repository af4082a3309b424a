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

Bundled mappings for the two source systems' standard exports live in ``data/mappings``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from ffd_core.forms.errors import ConfigError, ConfigInvalid
from ffd_core.forms.yaml_source import load_yaml, parse_yaml, plain
from ffd_core.search.index_store import too_wide
from ffd_core.search.records import SourceRecord

REQUIRED = ("source_id", "given_name", "family_name")
OPTIONAL = ("middle_name", "date_of_birth", "gender", "ethnicity", "address_line1", "town",
            "postcode", "previous_postcodes", "nhs_number", "upn", "school", "year_group", "updated_at")
GENDERS = {"m": "male", "male": "male", "1": "male", "f": "female", "female": "female", "2": "female",
           "u": "unknown", "unknown": "unknown", "0": "unknown", "9": "unknown"}


@dataclass(frozen=True)
class ColumnMapping:
    columns: Mapping[str, str]  # record field -> CSV column
    date_format: str | None = None
    details: tuple[str, ...] = ()
    list_separator: str = ";"  # within one cell, e.g. previous postcodes


@dataclass(frozen=True)
class RejectedRow:
    line: int  # line in the CSV file, header being line 1
    message: str


@dataclass
class CsvRead:
    records: list[SourceRecord] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


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


def read_csv(path: Path, source: str, mapping: ColumnMapping) -> CsvRead:
    """Every good row as a record; every bad one with its line number and what is wrong."""
    result = CsvRead()
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in [*mapping.columns.values(), *mapping.details] if c not in (reader.fieldnames or [])]
        if missing:
            raise ConfigInvalid([ConfigError(str(path), 1, f"the CSV has no column {c!r}") for c in missing])
        for line, row in enumerate(reader, start=2):
            try:
                result.records.append(_record(row, source, mapping))
            except ValueError as error:
                result.rejected.append(RejectedRow(line, str(error)))
    return result


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


def _record(row: Mapping[str, str], source: str, mapping: ColumnMapping) -> SourceRecord:
    def cell(name: str) -> str | None:
        column = mapping.columns.get(name)
        value = (row.get(column) or "").strip() if column else ""
        return value or None

    values: dict = {}
    for name in REQUIRED:
        if not cell(name):
            raise ValueError(f"{mapping.columns[name]} is empty")
        values[name] = cell(name)
    for name in OPTIONAL:
        raw = cell(name)
        if raw is None:
            continue
        if name == "date_of_birth":
            values[name] = _date(raw, mapping.date_format, mapping.columns[name])
        elif name == "updated_at":
            values[name] = datetime.fromisoformat(raw)
        elif name == "year_group":
            values[name] = int(raw)
        elif name == "gender":
            values[name] = GENDERS.get(raw.lower(), "unknown")
        elif name == "previous_postcodes":
            values[name] = tuple(p.strip() for p in raw.split(mapping.list_separator) if p.strip())
        else:
            values[name] = raw
    details = {column.lower(): row.get(column) or None for column in mapping.details}
    record = SourceRecord(source=source, details=details, **values)
    problem = too_wide(record)
    if problem:
        raise ValueError(problem)
    return record


def _date(raw: str, fmt: str | None, column: str) -> date:
    try:
        return datetime.strptime(raw, fmt).date() if fmt else date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{column} {raw!r} is not a date{f' like {fmt}' if fmt else ''}") from None
