"""Use cases of the person index, as the CLI and the console call them.

Each takes an Engine, runs in its own transaction(s), and reports progress as
``progress(done, total, label)``. Writers use the engine's write option so SQLite takes its
write lock up front.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from ffd_core import audit
from ffd_core.clock import Clock, SystemClock
from ffd_core.search.csv_import import ColumnMapping, RejectedRow, read_csv
from ffd_core.search.index_store import (
    UpsertCounts,
    key_scheme,
    load_records,
    refile_all_keys,
    to_record,
    upsert_records,
)
from ffd_core.search.linkage import (
    DEFAULT_THRESHOLDS,
    Decision,
    LinkResult,
    Thresholds,
    link_records,
)
from ffd_core.search.person_ids import assign_person_ids, new_person_id
from ffd_core.search.progress import Progress, no_progress
from ffd_core.search.records import SOCIAL_CARE, SourceRecord
from ffd_core.search.search import PersonMatch, PersonQuery, search_people
from ffd_core.search.search_keys import KEY_SCHEME
from ffd_core.store.engine import WRITE_OPTION
from ffd_core.store.people_tables import (
    LinkageRun,
    LinkDecision,
    LinkPair,
    SourceRecordRow,
)

Ref = tuple[str, str]


def writer(engine: Engine) -> Engine:
    return engine.execution_options(**{WRITE_OPTION: True})


# --- Writing records ---------------------------------------------------------------

BULK = 50_000
BULK_CACHE_KIB = 512 * 1024


def import_records(engine: Engine, records: Sequence[SourceRecord], *, clock: Clock | None = None,
                   progress: Progress = no_progress) -> UpsertCounts:
    """Add or refresh source records (by source and source id) with their search keys."""
    now = (clock or SystemClock()).now()
    with Session(writer(engine)) as session, session.begin():
        if engine.dialect.name == "sqlite" and len(records) > BULK:
            # SQLite: a bulk load refiles millions of keys; a larger page cache keeps it fast.
            session.connection().exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        return upsert_records(session, records, now, progress)


def reindex(engine: Engine, *, clock: Clock | None = None, progress: Progress = no_progress) -> int:
    """Re-file every record under this release's search keys; returns how many records."""
    now = (clock or SystemClock()).now()
    with Session(writer(engine)) as session, session.begin():
        if engine.dialect.name == "sqlite":
            session.connection().exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        return refile_all_keys(session, now, progress)


def stale_index_warning(engine: Engine) -> str | None:
    """What to do when records are filed under an older search-key scheme, else None."""
    with Session(engine) as session:
        filed = key_scheme(session)
    if filed == KEY_SCHEME:
        return None
    return (f"The person index is filed under search-key scheme {filed}; this release uses "
            f"{KEY_SCHEME}, so some misspelt searches will miss. Run `ffd people reindex`.")


# --- Linkage -----------------------------------------------------------------------


@dataclass(frozen=True)
class RelinkSummary:
    records: int
    people: int
    links: int
    possible_matches: int
    people_kept: int  # people whose id carried over from the previous run
    people_new: int


def relink(engine: Engine, *, thresholds: Thresholds = DEFAULT_THRESHOLDS, clock: Clock | None = None,
           progress: Progress = no_progress) -> RelinkSummary:
    """Re-link every record, honouring officers' decisions and keeping person ids stable."""
    clock = clock or SystemClock()
    started = clock.now()
    with Session(engine) as session:
        loaded = load_records(session)
        decisions = _decisions(session)
    records = [record for _, record, _ in loaded]
    result = link_records(records, decisions, thresholds=thresholds,
                          progress=lambda done, _total, label: progress(done, 7, label))
    previous = {record.ref: person_id for _, record, person_id in loaded}
    person_of = assign_person_ids(result.people, previous)
    progress(6, 7, "saving people and links")
    with Session(writer(engine)) as session, session.begin():
        ids = {record.ref: record_id for record_id, record, _ in loaded}
        _save_people(session, loaded, person_of, result)
        _save_pairs(session, ids, result)
        kept = len({pid for pid in person_of.values()} & {pid for pid in previous.values() if pid})
        people = len(result.people)
        summary = RelinkSummary(len(records), people, sum(1 for p in result.pairs if p.status == "link"),
                                len(result.possible_matches()), kept, people - kept)
        session.add(LinkageRun(started_at=started, finished_at=clock.now(), records=summary.records,
                               people=people, links=summary.links, possible_matches=summary.possible_matches,
                               model=result.model.to_dict(),
                               thresholds={"link": thresholds.link, "review": thresholds.review}))
    progress(7, 7, "done")
    return summary


def _decisions(session: Session) -> list[Decision]:
    a, b = SourceRecordRow.__table__.alias("a"), SourceRecordRow.__table__.alias("b")
    rows = session.execute(
        select(a.c.source, a.c.source_id, b.c.source, b.c.source_id, LinkDecision.same)
        .join(a, a.c.id == LinkDecision.record_a_id).join(b, b.c.id == LinkDecision.record_b_id)
    ).all()
    return [Decision((r[0], r[1]), (r[2], r[3]), r[4]) for r in rows]


def _save_people(session: Session, loaded, person_of: dict[Ref, str], result: LinkResult) -> None:
    strongest: dict[Ref, float] = {}
    for pair in result.pairs:
        if pair.status == "link" and result.same_person(pair.a, pair.b):
            for ref in (pair.a, pair.b):
                strongest[ref] = max(strongest.get(ref, float("-inf")), pair.weight)
    changes = [
        {"id": record_id, "person_id": person_of[record.ref], "match_score": strongest.get(record.ref)}
        for record_id, record, _ in loaded
    ]
    for start in range(0, len(changes), 5000):
        session.execute(update(SourceRecordRow), changes[start:start + 5000])


def _save_pairs(session: Session, ids: dict[Ref, int], result: LinkResult) -> None:
    session.execute(delete(LinkPair))
    rows = [
        {"record_a_id": ids[p.a], "record_b_id": ids[p.b], "weight": p.weight,
         "probability": p.probability, "status": p.status, "reasons": list(p.reasons)}
        for p in result.pairs if p.status in ("link", "review")
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(LinkPair), rows[start:start + 5000])


# --- Officers' decisions -------------------------------------------------------------


@dataclass(frozen=True)
class Officer:
    """Who decided, for the audit trail."""

    name: str
    user_id: int | None = None


def decide_link(engine: Engine, a: Ref, b: Ref, *, same: bool, officer: Officer, audit_key: bytes,
                reason: str | None = None, clock: Clock | None = None) -> str:
    """Confirm (``same``) or split two records, audited; applied now and on every re-link.

    Confirm moves b's person into a's; split takes b out of a's person on its own (the
    next re-link may regroup it with other records, never with a). Returns the person id
    of ``a``'s record afterwards.
    """
    at = (clock or SystemClock()).now()
    with Session(writer(engine)) as session, session.begin():
        row_a, row_b = _row(session, a), _row(session, b)
        first, second = sorted((row_a, row_b), key=lambda r: r.id)
        existing = session.execute(select(LinkDecision).where(
            LinkDecision.record_a_id == first.id, LinkDecision.record_b_id == second.id)).scalar_one_or_none()
        if existing is None:
            existing = LinkDecision(record_a_id=first.id, record_b_id=second.id)
            session.add(existing)
        existing.same, existing.reason, existing.decided_by, existing.decided_at = same, reason, officer.name, at
        before = (row_a.person_id, row_b.person_id)
        if same:
            target = row_a.person_id or _fresh_id(session, [a])
            row_a.person_id = target
            if row_b.person_id:
                session.execute(update(SourceRecordRow).where(SourceRecordRow.person_id == row_b.person_id)
                                .values(person_id=target))
            row_b.person_id = target
        elif row_a.person_id and row_a.person_id == row_b.person_id:
            row_b.person_id = _fresh_id(session, [b])
        audit.append(
            session, audit_key, at=at, actor_id=officer.user_id, actor_name=officer.name,
            action="person_link_confirmed" if same else "person_link_split",
            subject=f"record:{a[0]}:{a[1]}"[:120],
            data={"records": [list(a), list(b)], "person_ids_before": list(before),
                  "person_ids_after": [row_a.person_id, row_b.person_id], "reason": reason},
        )
        return row_a.person_id


def _row(session: Session, ref: Ref) -> SourceRecordRow:
    row = session.execute(select(SourceRecordRow).where(
        SourceRecordRow.source == ref[0], SourceRecordRow.source_id == ref[1])).scalar_one_or_none()
    if row is None:
        raise LookupError(f"no source record {ref[0]}:{ref[1]}")
    return row


def _fresh_id(session: Session, refs: Sequence[Ref]) -> str:
    taken = set(session.execute(select(SourceRecordRow.person_id).distinct()).scalars())
    return new_person_id(refs, {t for t in taken if t})


# --- Reading -----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonView:
    """The single view: every record about one child, and the pairs that joined them."""

    person_id: str
    records: tuple[SourceRecord, ...]
    links: tuple[tuple[Ref, Ref, float, tuple[str, ...]], ...]

    def of(self, source: str) -> tuple[SourceRecord, ...]:
        return tuple(r for r in self.records if r.source == source)

    @property
    def open_episodes(self) -> tuple[str, ...]:
        """Open social care episodes (child_in_need, child_protection_plan, looked_after)."""
        return tuple(sorted({e for r in self.of(SOCIAL_CARE) for e in r.details.get("open_episodes") or ()}))

    @property
    def open_to_social_care(self) -> bool:
        """A fact for the priority rules: open episode or an allocated worker."""
        return bool(self.open_episodes or self.who_to_contact)

    @property
    def who_to_contact(self) -> tuple[dict[str, str | None], ...]:
        """Allocated workers with team, phone and email, from the social care records."""
        seen, people = set(), []
        for record in self.of(SOCIAL_CARE):
            worker = record.details.get("allocated_worker")
            if worker and worker not in seen:
                seen.add(worker)
                people.append({"worker": worker, "team": record.details.get("team"),
                               "phone": record.details.get("worker_phone"),
                               "email": record.details.get("worker_email")})
        return tuple(people)


def person_view(engine: Engine, person_id: str, *, officer: Officer, audit_key: bytes,
                reason: str | None = None, clock: Clock | None = None) -> PersonView | None:
    """The single view of one person. Every view is audited: who looked, when, and why."""
    at = (clock or SystemClock()).now()
    with Session(writer(engine)) as session, session.begin():
        rows = session.execute(select(SourceRecordRow).where(SourceRecordRow.person_id == person_id)
                               .order_by(SourceRecordRow.source, SourceRecordRow.source_id)).scalars().all()
        if not rows:
            return None
        by_id = {row.id: (row.source, row.source_id) for row in rows}
        pairs = session.execute(select(LinkPair).where(
            LinkPair.record_a_id.in_(by_id), LinkPair.status == "link")).scalars().all()
        links = tuple((by_id[p.record_a_id], by_id[p.record_b_id], p.weight, tuple(p.reasons))
                      for p in pairs if p.record_b_id in by_id)
        audit.append(session, audit_key, at=at, actor_id=officer.user_id, actor_name=officer.name,
                     action="person_viewed", subject=f"person:{person_id}",
                     data={"records": [list(ref) for ref in by_id.values()], "reason": reason})
        return PersonView(person_id, tuple(to_record(r) for r in rows), links)


@dataclass(frozen=True)
class PossibleMatch:
    a: Ref
    b: Ref
    weight: float
    reasons: tuple[str, ...]


def possible_matches(engine: Engine, limit: int = 100) -> list[PossibleMatch]:
    """Pairs in the review band, not yet one person and not yet decided, strongest first."""
    a, b = SourceRecordRow.__table__.alias("a"), SourceRecordRow.__table__.alias("b")
    with Session(engine) as session:
        decided = select(LinkDecision.id).where(LinkDecision.record_a_id == LinkPair.record_a_id,
                                                LinkDecision.record_b_id == LinkPair.record_b_id)
        rows = session.execute(
            select(a.c.source, a.c.source_id, b.c.source, b.c.source_id, LinkPair.weight, LinkPair.reasons)
            .join(a, a.c.id == LinkPair.record_a_id).join(b, b.c.id == LinkPair.record_b_id)
            .where(LinkPair.status == "review", ~decided.exists(),
                   or_(a.c.person_id.is_(None), a.c.person_id != b.c.person_id))
            .order_by(LinkPair.weight.desc()).limit(limit)
        ).all()
    return [PossibleMatch((r[0], r[1]), (r[2], r[3]), r[4], tuple(r[5])) for r in rows]


def export_links(engine: Engine, path: Path, *, progress: Progress = no_progress) -> int:
    """Write source, source id, person id, score for every record (to check against truth).
    Through the one export writer: formulas defused, 0600, atomic."""
    from ffd_core.exports import write_csv

    with Session(engine) as session:
        total = session.execute(select(func.count(SourceRecordRow.id))).scalar_one()
        rows = session.execute(select(SourceRecordRow.source, SourceRecordRow.source_id,
                                      SourceRecordRow.person_id, SourceRecordRow.match_score)
                               .order_by(SourceRecordRow.person_id, SourceRecordRow.source,
                                         SourceRecordRow.source_id)).yield_per(10_000)

        def lines():  # noqa: ANN202
            for count, (source, source_id, person_id, score) in enumerate(rows, start=1):
                yield [source, source_id, person_id or "", "" if score is None else f"{score:.3f}"]
                if count % 50_000 == 0:
                    progress(count, total, "exporting links")

        written = write_csv(path, ["source", "source_id", "person_id", "score"], lines())
        progress(written, total, "exported links")
        return written



# --- CSV import --------------------------------------------------------------------


@dataclass(frozen=True)
class CsvImportReport:
    inserted: int
    updated: int
    rejected: tuple[RejectedRow, ...]


def import_csv(engine: Engine, path: Path, *, source: str, mapping: ColumnMapping,
               clock: Clock | None = None, progress: Progress = no_progress) -> CsvImportReport:
    """``ffd people import --source NAME --map MAPPING FILE.csv``: good rows in, bad rows listed."""
    read = read_csv(path, source, mapping)
    counts = import_records(engine, read.records, clock=clock, progress=progress)
    return CsvImportReport(counts.inserted, counts.updated, tuple(read.rejected))


def find_people(engine: Engine, query: PersonQuery, limit: int = 20) -> list[PersonMatch]:
    """Search the person index (front ends call this; they never open the store)."""
    with Session(engine) as session:
        return search_people(session, query, limit=limit)


def records_for(engine: Engine, refs: set[Ref]) -> dict[Ref, SourceRecord]:
    """The source records named by (source, source id), e.g. both sides of possible matches."""
    if not refs:
        return {}
    with Session(engine) as session:
        rows = session.execute(select(SourceRecordRow).where(
            SourceRecordRow.source_id.in_({source_id for _source, source_id in refs}))).scalars()
        return {(r.source, r.source_id): to_record(r) for r in rows if (r.source, r.source_id) in refs}
