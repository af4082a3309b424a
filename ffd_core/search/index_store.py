"""Source records in the store: write them with their search keys, read them back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import delete, insert, select, tuple_, update
from sqlalchemy.orm import Session

from ffd_core.search.compare import profile
from ffd_core.search.names import normalise
from ffd_core.search.records import SourceRecord
from ffd_core.search.search_keys import record_keys
from ffd_core.store.people_tables import SearchKey, SourceRecordRow

Progress = Callable[[int, int, str], None]
BATCH = 2000

RECORD_FIELDS = ("source", "source_id", "given_name", "middle_name", "family_name", "aliases",
                 "date_of_birth", "gender", "ethnicity", "address_line1", "town", "postcode",
                 "previous_postcodes", "nhs_number", "upn", "school", "year_group", "details",
                 "updated_at")


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int
    updated: int


def record_values(record: SourceRecord, synced_at: datetime) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in RECORD_FIELDS}
    values.update(
        aliases=list(record.aliases),
        previous_postcodes=list(record.previous_postcodes),
        details=dict(record.details),
        synced_at=synced_at,
        given_key=normalise(record.given_name)[:120],
        family_key=normalise(record.family_name)[:120],
    )
    return values


def to_record(row: SourceRecordRow) -> SourceRecord:
    values = {name: getattr(row, name) for name in RECORD_FIELDS}
    values.update(aliases=tuple(row.aliases or ()), previous_postcodes=tuple(row.previous_postcodes or ()),
                  details=dict(row.details or {}))
    return SourceRecord(**values)


def _keys_rows(record_id: int, record: SourceRecord) -> list[dict[str, Any]]:
    return [{"key": key[:80], "record_id": record_id}
            for key in sorted(record_keys(profile(record), record.source_id, record.school))]


def upsert_records(session: Session, records: Sequence[SourceRecord], synced_at: datetime,
                   progress: Progress | None = None) -> UpsertCounts:
    """Insert new records and overwrite known ones by ``(source, source_id)``; refile their keys.

    Idempotent: writing the same records twice changes nothing but ``synced_at``.
    """
    inserted = updated = 0
    for start in range(0, len(records), BATCH):
        batch = _last_per_ref(records[start:start + BATCH])
        refs = list(batch)
        existing = {
            (source, source_id): record_id
            for source, source_id, record_id in session.execute(
                select(SourceRecordRow.source, SourceRecordRow.source_id, SourceRecordRow.id)
                .where(tuple_(SourceRecordRow.source, SourceRecordRow.source_id).in_(refs))
            )
        }
        new = [batch[ref] for ref in refs if ref not in existing]
        known = [(existing[ref], batch[ref]) for ref in refs if ref in existing]
        ids: list[int] = []
        if new:
            result = session.execute(
                insert(SourceRecordRow).returning(SourceRecordRow.id, sort_by_parameter_order=True),
                [record_values(r, synced_at) for r in new],
            )
            ids = [row[0] for row in result]
        if known:
            session.execute(delete(SearchKey).where(SearchKey.record_id.in_([i for i, _ in known])))
            session.execute(update(SourceRecordRow),
                            [{"id": i, **record_values(r, synced_at)} for i, r in known])
        key_rows = [row for record_id, record in [*zip(ids, new), *known]
                    for row in _keys_rows(record_id, record)]
        if key_rows:
            session.execute(insert(SearchKey), key_rows)
        inserted += len(new)
        updated += len(known)
        if progress:
            progress(min(start + BATCH, len(records)), len(records), "writing source records")
    return UpsertCounts(inserted, updated)


def _last_per_ref(records: Iterable[SourceRecord]) -> dict[tuple[str, str], SourceRecord]:
    """The last version of each record in a batch (a page may repeat a record that changed)."""
    return {r.ref: r for r in records}


def load_records(session: Session) -> list[tuple[int, SourceRecord, str | None]]:
    """Every source record with its row id and current person id, in id order."""
    rows = session.execute(select(SourceRecordRow).order_by(SourceRecordRow.id)).scalars()
    return [(row.id, to_record(row), row.person_id) for row in rows]
