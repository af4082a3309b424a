"""The linkage result in the store: people, pairs and officers' confirm/split decisions.

Plain session-level operations; the use cases around them (rights, transactions, audit)
are in ffd_core/services/person_index.py and single_view.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from ffd_core.errors import NotFound
from ffd_core.search.index_store import to_record
from ffd_core.search.linkage import BELOW_LINK, REVIEW, Decision, LinkResult
from ffd_core.search.person_ids import new_person_id
from ffd_core.search.records import SOCIAL_CARE, SourceRecord
from ffd_core.store.people_tables import LinkDecision, LinkPair, SourceRecordRow

Ref = tuple[str, str]


def load_decisions(session: Session) -> list[Decision]:
    a, b = SourceRecordRow.__table__.alias("a"), SourceRecordRow.__table__.alias("b")
    rows = session.execute(
        select(a.c.source, a.c.source_id, b.c.source, b.c.source_id, LinkDecision.same)
        .join(a, a.c.id == LinkDecision.record_a_id).join(b, b.c.id == LinkDecision.record_b_id)
    ).all()
    return [Decision((r[0], r[1]), (r[2], r[3]), r[4]) for r in rows]


def save_people(session: Session, loaded, person_of: dict[Ref, str], result: LinkResult) -> None:  # noqa: ANN001
    strongest: dict[Ref, float] = {}
    for pair in result.pairs:
        if pair.status == "link" and result.same_person(pair.a, pair.b):
            for ref in (pair.a, pair.b):
                strongest[ref] = max(strongest.get(ref, float("-inf")), pair.weight)
    changes = [(person_of[record.ref], strongest.get(record.ref), record_id) for record_id, record, _ in loaded]
    # Straight to the driver: the ORM's bulk update costs more than the update itself.
    mark = "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"
    table = SourceRecordRow.__tablename__
    session.connection().exec_driver_sql(
        f"UPDATE {table} SET person_id = {mark}, match_score = {mark} WHERE id = {mark}", changes)


def save_pairs(session: Session, ids: dict[Ref, int], result: LinkResult) -> None:
    session.execute(delete(LinkPair))
    rows = [
        {"record_a_id": ids[p.a], "record_b_id": ids[p.b], "weight": p.weight,
         "probability": p.probability, "status": p.status, "reasons": list(p.reasons)}
        for p in result.pairs if p.status in ("link", "review")
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(LinkPair), rows[start:start + 5000])


@dataclass(frozen=True)
class LinkChange:
    person_ids_before: tuple[str | None, str | None]
    person_ids_after: tuple[str | None, str | None]


def record_decision(session: Session, a: Ref, b: Ref, *, same: bool, reason: str | None,
                    decided_by: str, at: datetime) -> LinkChange:
    """Keep an officer's confirm (``same``) or split of two records, and apply it now."""
    row_a, row_b = record_row(session, a), record_row(session, b)
    first, second = sorted((row_a, row_b), key=lambda r: r.id)
    existing = session.execute(select(LinkDecision).where(
        LinkDecision.record_a_id == first.id, LinkDecision.record_b_id == second.id)).scalar_one_or_none()
    if existing is None:
        existing = LinkDecision(record_a_id=first.id, record_b_id=second.id)
        session.add(existing)
    existing.same, existing.reason, existing.decided_by, existing.decided_at = same, reason, decided_by, at
    before = (row_a.person_id, row_b.person_id)
    _apply(session, row_a, row_b, same)
    return LinkChange(before, (row_a.person_id, row_b.person_id))


def _apply(session: Session, row_a: SourceRecordRow, row_b: SourceRecordRow, same: bool) -> None:
    """Confirm moves b's person into a's; split takes b out of a's person on its own (the
    next re-link may regroup it with other records, never with a)."""
    if same:
        target = row_a.person_id or _fresh_id(session, [(row_a.source, row_a.source_id)])
        row_a.person_id = target
        if row_b.person_id and row_b.person_id != target:
            session.execute(update(SourceRecordRow).where(SourceRecordRow.person_id == row_b.person_id)
                            .values(person_id=target).execution_options(synchronize_session="fetch"))
        row_b.person_id = target
    elif row_a.person_id and row_a.person_id == row_b.person_id:
        row_b.person_id = _fresh_id(session, [(row_b.source, row_b.source_id)])


def reapply_decisions_since(session: Session, since: datetime) -> int:
    """Decisions taken while a re-link was computing: apply them again on top of its result,
    so an officer's confirm or split is never overwritten (the next re-link includes them)."""
    recent = session.execute(select(LinkDecision).where(LinkDecision.decided_at >= since)
                             .order_by(LinkDecision.decided_at, LinkDecision.id)).scalars().all()
    for decision in recent:
        row_a = session.get(SourceRecordRow, decision.record_a_id)
        row_b = session.get(SourceRecordRow, decision.record_b_id)
        _apply(session, row_a, row_b, decision.same)
    return len(recent)


def record_row(session: Session, ref: Ref) -> SourceRecordRow:
    row = session.execute(select(SourceRecordRow).where(
        SourceRecordRow.source == ref[0], SourceRecordRow.source_id == ref[1])).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no source record {ref[0]}:{ref[1]}; check the source and id "
                       "(`ffd people search` shows them)")
    return row


def _fresh_id(session: Session, refs: Sequence[Ref]) -> str:
    taken = set(session.execute(select(SourceRecordRow.person_id).distinct()).scalars())
    return new_person_id(refs, {t for t in taken if t})


def person_records(session: Session, person_id: str) -> tuple[list[SourceRecordRow], list]:
    """A person's records and the automatic links that joined them."""
    rows = session.execute(select(SourceRecordRow).where(SourceRecordRow.person_id == person_id)
                           .order_by(SourceRecordRow.source, SourceRecordRow.source_id)).scalars().all()
    by_id = {row.id: (row.source, row.source_id) for row in rows}
    pairs = session.execute(select(LinkPair).where(
        LinkPair.record_a_id.in_(by_id), LinkPair.status == "link")).scalars().all() if rows else []
    links = [(by_id[p.record_a_id], by_id[p.record_b_id], p.weight, tuple(p.reasons))
             for p in pairs if p.record_b_id in by_id]
    return list(rows), links


@dataclass(frozen=True)
class ReviewItem:
    a: Ref
    b: Ref
    weight: float
    reasons: tuple[str, ...]
    why_review: str  # the first reason, without its "review: " tag
    open_sides: int  # how many of the two people are open to social care (0, 1 or 2)


def review_queue(session: Session) -> list[ReviewItem]:
    """Pairs in the review band, not yet one person and not yet decided, the decisions that
    change most first: joining two people both open to social care, then one, then by score."""
    a, b = SourceRecordRow.__table__.alias("a"), SourceRecordRow.__table__.alias("b")
    decided = select(LinkDecision.id).where(LinkDecision.record_a_id == LinkPair.record_a_id,
                                            LinkDecision.record_b_id == LinkPair.record_b_id)
    rows = session.execute(
        select(a.c.source, a.c.source_id, a.c.person_id, a.c.id, b.c.source, b.c.source_id, b.c.person_id,
               b.c.id, LinkPair.weight, LinkPair.reasons)
        .join(a, a.c.id == LinkPair.record_a_id).join(b, b.c.id == LinkPair.record_b_id)
        .where(LinkPair.status == "review", ~decided.exists(),
               or_(a.c.person_id.is_(None), a.c.person_id != b.c.person_id))
    ).all()
    open_people = _open_to_social_care(session, {r[2] for r in rows} | {r[6] for r in rows})
    items = []
    for r in rows:
        reasons = tuple(r[9])
        why = reasons[0].removeprefix(REVIEW) if reasons and reasons[0].startswith(REVIEW) else BELOW_LINK
        sides = (r[2] or f"R{r[3]}") in open_people, (r[6] or f"R{r[7]}") in open_people
        items.append(ReviewItem((r[0], r[1]), (r[4], r[5]), r[8], reasons, why, sum(sides)))
    items.sort(key=lambda item: (-item.open_sides, -item.weight, item.a, item.b))
    return items


def _open_to_social_care(session: Session, person_ids: set[str | None]) -> set[str]:
    """Of these people, those with an open episode or an allocated worker in social care."""
    wanted = sorted(pid for pid in person_ids if pid)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        rows = session.execute(select(SourceRecordRow.person_id, SourceRecordRow.details).where(
            SourceRecordRow.person_id.in_(wanted[start:start + 500]), SourceRecordRow.source == SOCIAL_CARE))
        found.update(pid for pid, details in rows
                     if (details or {}).get("open_episodes") or (details or {}).get("allocated_worker"))
    return found


def review_pairs(session: Session, limit: int) -> list[tuple[Ref, Ref, float, tuple[str, ...]]]:
    """The first ``limit`` pairs of the review queue, as (a, b, weight, reasons)."""
    return [(item.a, item.b, item.weight, item.reasons) for item in review_queue(session)[:limit]]


def records_by_ref(session: Session, refs: set[Ref]) -> dict[Ref, SourceRecord]:
    if not refs:
        return {}
    rows = session.execute(select(SourceRecordRow).where(
        SourceRecordRow.source_id.in_({source_id for _source, source_id in refs}))).scalars()
    return {(r.source, r.source_id): to_record(r) for r in rows if (r.source, r.source_id) in refs}


def link_rows(session: Session) -> tuple[int, Iterator[tuple[str, str, str | None, float | None]]]:
    """(how many, every record's source, source id, person id and score), person by person."""
    total = session.execute(select(func.count(SourceRecordRow.id))).scalar_one()
    rows = session.execute(select(SourceRecordRow.source, SourceRecordRow.source_id,
                                  SourceRecordRow.person_id, SourceRecordRow.match_score)
                           .order_by(SourceRecordRow.person_id, SourceRecordRow.source,
                                     SourceRecordRow.source_id)).yield_per(10_000)
    return total, (tuple(r) for r in rows)
