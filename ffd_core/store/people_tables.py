"""Tables of the person index: source records, search keys, links, officers' decisions, sync.

A source record's identity is ``(source, source_id)`` and never changes; contacts and audit
events refer to it. ``person_id`` is derived by linkage and kept stable across re-linking.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    DDL,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from ffd_core.store.base import Base, JSONType, UTCDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")


class SourceRecordRow(Base):
    """What one source system holds about one child, as last synced or imported."""

    __tablename__ = "source_records"
    __table_args__ = (
        UniqueConstraint("source", "source_id"),
        # Name indexes: a B-tree on SQLite serves prefix search; on PostgreSQL a trigram GIN
        # index (pg_trgm) serves prefix, partial and misspelt names alike.
        Index("ix_source_records_family_key", "family_key", postgresql_using="gin",
              postgresql_ops={"family_key": "gin_trgm_ops"}),
        Index("ix_source_records_given_key", "given_key", postgresql_using="gin",
              postgresql_ops={"given_key": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(80), index=True)
    given_name: Mapped[str] = mapped_column(String(120))
    middle_name: Mapped[str | None] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(120))
    aliases: Mapped[list[str]] = mapped_column(JSONType, default=list)
    preferred_given_name: Mapped[str | None] = mapped_column(String(120))
    preferred_family_name: Mapped[str | None] = mapped_column(String(120))
    known_as: Mapped[str | None] = mapped_column(String(120))
    previous_family_names: Mapped[list[str]] = mapped_column(JSONType, default=list)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(10))
    ethnicity: Mapped[str | None] = mapped_column(String(8))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(120))
    postcode: Mapped[str | None] = mapped_column(String(10), index=True)
    previous_postcodes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    nhs_number: Mapped[str | None] = mapped_column(String(10), index=True)
    upn: Mapped[str | None] = mapped_column(String(13), index=True)
    school: Mapped[str | None] = mapped_column(String(200))
    year_group: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last changed at the source
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime)  # last imported or synced here
    # Normal forms for prefix and trigram search ("obrien", "smith jones").
    given_key: Mapped[str] = mapped_column(String(120))
    family_key: Mapped[str] = mapped_column(String(120))
    person_id: Mapped[str | None] = mapped_column(String(24), index=True)
    match_score: Mapped[float | None] = mapped_column(Float)  # strongest link into its person


# The trigram operator class lives in an extension; create it before the table's indexes
# (the migration does the same for databases built by Alembic).
event.listen(
    SourceRecordRow.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)


class SearchKey(Base):
    """Blocking keys for fast search: a query looks up its own keys, then re-ranks."""

    __tablename__ = "person_search_keys"
    # SQLite: clustered on the key itself (no rowid), so a look-up reads one B-tree.
    __table_args__ = (Index("ix_person_search_keys_record_id", "record_id"), {"sqlite_with_rowid": False})

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("source_records.id", ondelete="CASCADE"), primary_key=True
    )


class LinkPair(Base):
    """A scored pair from the last linkage run: its links, and possible matches for review."""

    __tablename__ = "person_link_pairs"
    __table_args__ = (UniqueConstraint("record_a_id", "record_b_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    record_a_id: Mapped[int] = mapped_column(ForeignKey("source_records.id", ondelete="CASCADE"))
    record_b_id: Mapped[int] = mapped_column(
        ForeignKey("source_records.id", ondelete="CASCADE"), index=True
    )
    weight: Mapped[float] = mapped_column(Float)
    probability: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), index=True)  # "link" | "review"
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)


class LinkDecision(Base):
    """An officer's confirm (same child) or split (different children); survives re-linking."""

    __tablename__ = "person_link_decisions"
    __table_args__ = (UniqueConstraint("record_a_id", "record_b_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    record_a_id: Mapped[int] = mapped_column(ForeignKey("source_records.id", ondelete="CASCADE"))
    record_b_id: Mapped[int] = mapped_column(
        ForeignKey("source_records.id", ondelete="CASCADE"), index=True
    )
    same: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LinkageRun(Base):
    """One linkage run: the fitted model (used to rank search results) and its counts."""

    __tablename__ = "person_linkage_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    records: Mapped[int] = mapped_column(Integer)
    people: Mapped[int] = mapped_column(Integer)
    links: Mapped[int] = mapped_column(Integer)
    possible_matches: Mapped[int] = mapped_column(Integer)
    model: Mapped[dict[str, Any]] = mapped_column(JSONType)
    thresholds: Mapped[dict[str, Any]] = mapped_column(JSONType)


class SyncCursor(Base):
    """Where incremental sync from a source system got to, so it resumes after a failure."""

    __tablename__ = "person_sync_cursors"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The high-water mark of completed syncs, and the page token within the one under way.
    changed_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    run_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    page_token: Mapped[str | None] = mapped_column(String(200))
    records_seen: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PersonIndexState(Base):
    """One row: the search-key scheme every record is filed under.

    Keys are derived data; when a release changes how records are filed (a new key, a
    longer nickname list), stores filed under the old scheme are told to re-file them.
    """

    __tablename__ = "person_index_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_scheme: Mapped[int] = mapped_column(Integer)
    refiled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
