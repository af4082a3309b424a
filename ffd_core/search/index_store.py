"""Source records in the store: write them with their search keys, read them back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import json

from sqlalchemy import Row, Text, delete, func, insert, select, text, type_coerce, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ffd_core.clock import format_uk_datetime
from ffd_core.errors import InvalidInput
from ffd_core.search.compare import profile
from ffd_core.search.names import normalise
from ffd_core.search.progress import Progress
from ffd_core.search.records import LIST_FIELDS, SourceRecord
from ffd_core.search.search_keys import KEY_SCHEME, record_keys
from ffd_core.store.people_tables import PersonIndexState, SearchKey, SourceRecordRow

BATCH = 10_000

RECORD_FIELDS = ("source", "source_id", "given_name", "middle_name", "family_name", "aliases",
                 "preferred_given_name", "preferred_family_name", "known_as", "previous_family_names",
                 "date_of_birth", "gender", "ethnicity", "address_line1", "address_line2", "town",
                 "postcode", "previous_postcodes", "nhs_number", "upn", "school", "year_group",
                 "details", "updated_at")


@dataclass(frozen=True)
class OlderRecord:
    """A record not applied: the store holds a version the source changed later."""

    ref: tuple[str, str]
    updated_at: datetime  # when the source last changed the version offered
    stored_updated_at: datetime  # ... and the version kept

    @property
    def reason(self) -> str:
        return (f"last updated {format_uk_datetime(self.updated_at)}, before the stored version "
                f"({format_uk_datetime(self.stored_updated_at)}): not applied")


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int
    updated: int
    older: tuple[OlderRecord, ...] = ()  # offered, but older than the stored version: not applied


def too_wide(record: SourceRecord) -> str | None:
    """What does not fit the store's columns (SQLite would keep it; PostgreSQL would refuse
    the whole batch), in words for the person who sent it."""
    for name in _TEXT_FIELDS:
        value, width = getattr(record, name), _WIDTHS[name]
        if isinstance(value, str) and len(value) > width:
            return f"{name.replace('_', ' ')} is {len(value)} characters long; at most {width} fit"
    return None


_WIDTHS = {column.name: getattr(column.type, "length", None) for column in SourceRecordRow.__table__.columns}


_TEXT_FIELDS = tuple(name for name in RECORD_FIELDS if _WIDTHS.get(name))


def field_width(name: str) -> int | None:
    """How many characters the store keeps of a record field (None: no limit)."""
    return _WIDTHS[name]


def record_values(record: SourceRecord, synced_at: datetime) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in RECORD_FIELDS}
    values.update(
        {name: list(getattr(record, name)) for name in LIST_FIELDS},
        details=dict(record.details),
        synced_at=synced_at,
        given_key=normalise(record.given_name)[:120],
        family_key=normalise(record.family_name)[:120],
    )
    return values


def to_record(row: SourceRecordRow) -> SourceRecord:
    values = {name: getattr(row, name) for name in RECORD_FIELDS}
    values.update({name: tuple(getattr(row, name) or ()) for name in LIST_FIELDS},
                  details=dict(row.details or {}))
    return SourceRecord(**values)


# What matching and filing need: no details or ORM objects for many records.
# In SourceRecord's field order, so a row builds a record by position.
MATCHING_FIELDS = ("source", "source_id", "given_name", "family_name", "middle_name", "aliases",
                   "preferred_given_name", "preferred_family_name", "known_as", "previous_family_names",
                   "date_of_birth", "gender", "ethnicity", "address_line1", "address_line2", "town",
                   "postcode", "previous_postcodes", "nhs_number", "upn", "school")
# Lists come as JSON text and are decoded only when not empty (most are): decoding every
# one cost a re-link of 200,000 records seconds.
MATCHING_COLUMNS = (SourceRecordRow.id, SourceRecordRow.person_id, *(
    type_coerce(getattr(SourceRecordRow, name), Text).label(name) if name in LIST_FIELDS
    else getattr(SourceRecordRow, name) for name in MATCHING_FIELDS))
_LISTS = frozenset(MATCHING_FIELDS.index(name) for name in LIST_FIELDS)


def matching_record(row: Row) -> SourceRecord:
    values = row[2:]
    return SourceRecord(*(values[i] if i not in _LISTS else _items(values[i]) for i in range(len(values))))


def _items(value: str | list | None) -> tuple[str, ...]:
    if not value or value == "[]":
        return ()
    return tuple(json.loads(value) if isinstance(value, str) else value)


def _keys_rows(record_id: int, record: SourceRecord) -> list[tuple[str, int]]:
    # Cut to the column's width before de-duplicating: two keys of a very long name may
    # differ only past it.
    keys = {key[:80] for key in record_keys(profile(record), record.source_id, record.school)}
    return [(key, record_id) for key in sorted(keys)]


def _insert_keys(session: Session, rows: list[tuple[str, int]]) -> None:
    """Straight to the driver: a dozen keys a record make SQLAlchemy's per-row work the cost."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # COPY, in the session's own transaction: several times faster than INSERTs.
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(
            f"COPY {SearchKey.__tablename__} (key, record_id) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        return
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO {SearchKey.__tablename__} (key, record_id) VALUES ({mark}, {mark})", rows
    )


def upsert_records(session: Session, records: Sequence[SourceRecord], synced_at: datetime,
                   progress: Progress | None = None) -> UpsertCounts:
    """Insert new records and overwrite known ones by ``(source, source_id)``; refile their keys.

    A record older than the stored version (both with ``updated_at``) is not applied but
    returned in ``older``: importing last year's export must not undo this year's changes.
    Without ``updated_at`` on either side there is no telling, and the record is applied.
    Idempotent: writing the same records twice changes nothing but ``synced_at``.
    """
    for record in records:
        problem = too_wide(record)
        if problem:  # before anything is written: a batch is stored whole or not at all
            raise InvalidInput(f"source record {record.source}:{record.source_id}: {problem}")
    _ensure_state(session)
    inserted = updated = 0
    older: list[OlderRecord] = []
    for start in range(0, len(records), BATCH):
        batch = _last_per_ref(records[start:start + BATCH])
        refs = list(batch)
        existing = _stored(session, refs)
        new = [batch[ref] for ref in refs if ref not in existing]
        known: list[tuple[int, SourceRecord]] = []
        for ref in refs:
            if ref in existing:
                record_id, stored_at = existing[ref]
                if _older(batch[ref].updated_at, stored_at):
                    older.append(OlderRecord(ref, batch[ref].updated_at, stored_at))
                else:
                    known.append((record_id, batch[ref]))
        ids: list[int] = []
        if new:
            # A plain executemany, then one look-up of the new ids: much faster than
            # RETURNING row by row, and the same on SQLite and PostgreSQL.
            session.connection().execute(insert(SourceRecordRow.__table__),
                                         [record_values(r, synced_at) for r in new])
            new_ids = _stored(session, [r.ref for r in new])
            ids = [new_ids[r.ref][0] for r in new]
        if known:
            session.execute(delete(SearchKey).where(SearchKey.record_id.in_([i for i, _ in known])))
            session.execute(update(SourceRecordRow),
                            [{"id": i, **record_values(r, synced_at)} for i, r in known])
        # In key order: the key table is clustered on the key, so sorted inserts touch each
        # page once instead of at random.
        key_rows = sorted(row for record_id, record in [*zip(ids, new), *known]
                          for row in _keys_rows(record_id, record))
        if key_rows:
            _insert_keys(session, key_rows)
        inserted += len(new)
        updated += len(known)
        if progress:
            progress(min(start + BATCH, len(records)), len(records), "writing source records")
    return UpsertCounts(inserted, updated, tuple(older))


def _older(offered: datetime | None, stored: datetime | None) -> bool:
    return offered is not None and stored is not None and offered < stored


def _ensure_state(session: Session) -> None:
    """The first records of an index are filed under the current scheme, and say so."""
    if session.get(PersonIndexState, 1) is None:
        # Two first syncs at once: one row, whichever commits first.
        insert_ = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert_(PersonIndexState).values(id=1, key_scheme=KEY_SCHEME).on_conflict_do_nothing())


def key_scheme(session: Session) -> int:
    """The scheme the index's records are filed under (an empty index is current)."""
    state = session.get(PersonIndexState, 1)
    return state.key_scheme if state else KEY_SCHEME


def refile_all_keys(session: Session, refiled_at: datetime, progress: Progress | None = None) -> int:
    """File every record under the current search keys; returns how many records."""
    if session.get_bind().dialect.name == "postgresql":
        # Hold off syncs until the new keys commit, or one could file a record twice.
        session.execute(text(f"LOCK TABLE {SearchKey.__tablename__} IN EXCLUSIVE MODE"))
    total = session.scalar(select(func.count()).select_from(SourceRecordRow)) or 0
    session.execute(delete(SearchKey))
    done, after = 0, 0
    while True:
        rows = session.execute(select(*MATCHING_COLUMNS).where(SourceRecordRow.id > after)
                               .order_by(SourceRecordRow.id).limit(BATCH)).all()
        if not rows:
            break
        _insert_keys(session, [key for row in rows for key in _keys_rows(row.id, matching_record(row))])
        done, after = done + len(rows), rows[-1].id
        if progress:
            progress(done, total, "re-filing search keys")
    state = session.get(PersonIndexState, 1)
    if state is None:
        session.add(PersonIndexState(id=1, key_scheme=KEY_SCHEME, refiled_at=refiled_at))
    else:
        state.key_scheme, state.refiled_at = KEY_SCHEME, refiled_at
    return done


def _stored(session: Session, refs: Sequence[tuple[str, str]]
            ) -> dict[tuple[str, str], tuple[int, datetime | None]]:
    """Row id and last-updated time of each stored record among ``refs``."""
    by_source: dict[str, list[str]] = {}
    for source, source_id in refs:
        by_source.setdefault(source, []).append(source_id)
    found: dict[tuple[str, str], tuple[int, datetime | None]] = {}
    for source, source_ids in by_source.items():
        rows = session.execute(
            select(SourceRecordRow.source_id, SourceRecordRow.id, SourceRecordRow.updated_at)
            .where(SourceRecordRow.source == source, SourceRecordRow.source_id.in_(source_ids))
        )
        found.update(((source, source_id), (record_id, updated_at)) for source_id, record_id, updated_at in rows)
    return found


def _last_per_ref(records: Iterable[SourceRecord]) -> dict[tuple[str, str], SourceRecord]:
    """The last version of each record in a batch (a page may repeat a record that changed)."""
    return {r.ref: r for r in records}


def load_records(session: Session) -> list[tuple[int, SourceRecord, str | None]]:
    """Every source record as matching needs it (no details), with its row id and current
    person id, in id order."""
    rows = session.execute(select(*MATCHING_COLUMNS).order_by(SourceRecordRow.id))
    return [(row.id, matching_record(row), row.person_id) for row in rows]
