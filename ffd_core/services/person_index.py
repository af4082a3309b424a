"""Keeping the person index: import, sync, re-link, re-file and export source records.

Each use case takes ``(ctx, actor, ...)``, is authorised by the access policy and audited;
long ones report progress as ``progress(done, total, label)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from ffd_core.domain.access import Action, Actor
from ffd_core.exports import check_target, store_files, write_csv
from ffd_core.search.csv_import import ColumnMapping, RowIssue, bundled_mapping, load_mapping, read_csv
from ffd_core.search.import_report import write_report
from ffd_core.search.index_store import (
    OlderRecord, UpsertCounts, key_scheme, load_records, refile_all_keys, upsert_records,
)
from ffd_core.search.link_store import (
    link_rows, load_decisions, reapply_decisions_since, save_pairs, save_people,
)
from ffd_core.search.linkage import DEFAULT_THRESHOLDS, Thresholds, link_records
from ffd_core.search.person_ids import assign_person_ids
from ffd_core.search.progress import Progress, no_progress
from ffd_core.search.records import SourceRecord
from ffd_core.search.search_keys import KEY_SCHEME
from ffd_core.services.context import Context
from ffd_core.store.people_tables import LinkageRun

BULK = 50_000
BULK_CACHE_KIB = 512 * 1024


def _bulk(session: Session, large: bool) -> None:
    # SQLite: a bulk load refiles millions of keys; a larger page cache keeps it fast.
    if large and session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")


def import_records(ctx: Context, actor: Actor, records: Sequence[SourceRecord], *,
                   progress: Progress = no_progress) -> UpsertCounts:
    """Add or refresh source records (by source and source id) with their search keys."""
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.MAINTAIN_INDEX)
        _bulk(session, len(records) > BULK)
        counts = upsert_records(session, records, ctx.now(), progress)
        ctx.audit(session, actor, "people_import", subject="person_index",
                  data={"inserted": counts.inserted, "updated": counts.updated, "older": len(counts.older)})
        return counts


def column_mapping(source: str, mapping_file: Path | None = None) -> ColumnMapping:
    """A council's own column mapping (YAML), or the bundled one for the source system."""
    return load_mapping(mapping_file) if mapping_file else bundled_mapping(source)


@dataclass(frozen=True)
class CsvImportReport:
    inserted: int
    updated: int
    rejected: tuple[RowIssue, ...]  # rows skipped (no id or name, a repeated id)
    warnings: tuple[RowIssue, ...] = ()  # records kept without (or with) a doubtful value
    report_rows: int | None = None  # rows written to the report file, when one was asked for
    older: tuple[OlderRecord, ...] = ()  # records older than the stored version: not applied


def import_csv(ctx: Context, actor: Actor, path: Path, *, source: str, mapping: ColumnMapping,
               encoding: str | None = None, report: Path | None = None, mapping_file: Path | None = None,
               progress: Progress = no_progress) -> CsvImportReport:
    """``ffd people import --source NAME --map MAPPING FILE.csv``: every child in, each
    skipped or warned row listed (and written to ``report``, a CSV, when given; never over
    the store, the CSV or the ``mapping_file`` it came from)."""
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.MAINTAIN_INDEX)
    keep = (*store_files(ctx.engine), path, *([mapping_file] if mapping_file else []))
    if report is not None:
        check_target(report, keep)  # before a county's file is read
    read = read_csv(path, source, mapping, encoding=encoding, today=ctx.now().date())
    # The report first: an officer has it even if the import then fails.
    written = write_report(report, read.issues, keep=keep) if report is not None else None
    counts = import_records(ctx, actor, read.records, progress=progress)
    if report is not None and counts.older:  # known only now: the report names them too
        written = write_report(report, read.issues, keep=keep, older=counts.older,
                               id_column=mapping.columns["source_id"])
    return CsvImportReport(counts.inserted, counts.updated, tuple(read.rejected), tuple(read.warnings),
                           written, counts.older)


def sync(ctx: Context, actor: Actor, base_url: str, source: str, *, token: str | None,
         progress: Progress = no_progress):  # noqa: ANN201 - search.sync.SyncReport
    """Fetch what a source system changed since the last sync (resumable, page by page)."""
    from ffd_core.search.sync import sync_source

    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.MAINTAIN_INDEX)
        ctx.audit(session, actor, "people_sync", subject="person_index",
                  data={"source": source, "url": base_url})
    return sync_source(ctx.engine, base_url, source, token=token, clock=ctx.clock,
                       progress=progress)


def reindex(ctx: Context, actor: Actor, *, progress: Progress = no_progress) -> int:
    """Re-file every record under this release's search keys; returns how many records."""
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.MAINTAIN_INDEX)
        _bulk(session, True)
        count = refile_all_keys(session, ctx.now(), progress)
        ctx.audit(session, actor, "people_reindex", subject="person_index",
                  data={"records": count, "key_scheme": KEY_SCHEME})
        return count


def stale_index_warning(ctx: Context) -> str | None:
    """What to do when records are filed under an older search-key scheme, else None."""
    with ctx.read() as session:
        filed = key_scheme(session)
    if filed == KEY_SCHEME:
        return None
    return (f"The person index is filed under search-key scheme {filed}; this release uses "
            f"{KEY_SCHEME}, so some misspelt searches will miss. Run `ffd people reindex`.")


@dataclass(frozen=True)
class RelinkSummary:
    records: int
    people: int
    links: int
    possible_matches: int
    people_kept: int  # people whose id carried over from the previous run
    people_new: int
    decisions_reapplied: int = 0  # officers' decisions taken while this re-link ran


def relink(ctx: Context, actor: Actor, *, thresholds: Thresholds = DEFAULT_THRESHOLDS,
           progress: Progress = no_progress) -> RelinkSummary:
    """Re-link every record, honouring officers' decisions and keeping person ids stable."""
    started = ctx.now()
    with ctx.read() as session:
        ctx.authorize(session, actor, Action.MAINTAIN_INDEX)
        loaded = load_records(session)
        decisions = load_decisions(session)
    records = [record for _, record, _ in loaded]
    result = link_records(records, decisions, thresholds=thresholds,
                          progress=lambda done, _total, label: progress(done, 7, label))
    previous = {record.ref: person_id for _, record, person_id in loaded}
    person_of = assign_person_ids(result.people, previous)
    progress(6, 7, "saving people and links")
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.MAINTAIN_INDEX)
        ids = {record.ref: record_id for record_id, record, _ in loaded}
        save_people(session, loaded, person_of, result)
        save_pairs(session, ids, result)
        session.flush()
        # A confirm or split taken while the linkage ran holds until the next re-link.
        reapplied = reapply_decisions_since(session, started)
        kept = len(set(person_of.values()) & {pid for pid in previous.values() if pid})
        people = len(result.people)
        summary = RelinkSummary(len(records), people, sum(1 for p in result.pairs if p.status == "link"),
                                len(result.possible_matches()), kept, people - kept, reapplied)
        session.add(LinkageRun(started_at=started, finished_at=ctx.now(), records=summary.records,
                               people=people, links=summary.links, possible_matches=summary.possible_matches,
                               model=result.model.to_dict(),
                               thresholds={"link": thresholds.link, "review": thresholds.review}))
        ctx.audit(session, actor, "people_relink", subject="person_index",
                  data={"records": summary.records, "people": people, "links": summary.links,
                        "possible_matches": summary.possible_matches, "reapplied": reapplied})
    progress(7, 7, "done")
    return summary


def export_links(ctx: Context, actor: Actor, path: Path, *, progress: Progress = no_progress) -> int:
    """Write source, source id, person id, score for every record (to check against truth).
    The export is audited: who took the county's linkage away, and where to."""
    keep = store_files(ctx.engine)
    check_target(path, keep)  # a refused file is not an export on the audit trail
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.EXPORT)
        ctx.audit(session, actor, "people_links_export", subject="person_index",
                  data={"file": str(path)})
    with ctx.read() as session:
        total, rows = link_rows(session)

        def lines():  # noqa: ANN202
            for count, (source, source_id, person_id, score) in enumerate(rows, start=1):
                yield [source, source_id, person_id or "", "" if score is None else f"{score:.3f}"]
                if count % 50_000 == 0:
                    progress(count, total, "exporting links")

        written = write_csv(path, ["source", "source_id", "person_id", "score"], lines(), keep=keep)
        progress(written, total, "exported links")
        return written
