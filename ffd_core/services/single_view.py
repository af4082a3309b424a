"""The single view of the child: finding a child, opening their records from both systems,
officers' decisions on possible matches, and linking a child on a contact to a person.

Every search, view, review list and decision is authorised by the access policy and put on
the audit trail: who looked for which child, when, and why.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlalchemy import func, select

from ffd_core.domain.access import Action, Actor
from ffd_core.domain.vocab import PersonRole
from ffd_core.errors import InvalidInput, NotFound
from ffd_core.search.index_store import to_record
from ffd_core.search.link_store import (
    Ref, person_records, record_decision, records_by_ref, review_queue,
)
from ffd_core.search.records import EDUCATION, SOCIAL_CARE, SourceRecord
from ffd_core.search.query_text import parse_age, parse_person_query
from ffd_core.search.search import PersonMatch, PersonQuery, search_people
from ffd_core.services.contact_write import begin, record
from ffd_core.services.context import Context
from ffd_core.store.people_tables import SourceRecordRow
from ffd_core.store.tables import Contact, ContactPerson

__all__ = [
    "EDUCATION", "SOCIAL_CARE", "PersonMatch", "PersonQuery", "PersonView", "PossibleMatch",
    "ReviewQueue", "SourceRecord", "decide_link", "review", "find_people", "link_child", "open_to_social_care",
    "parse_age", "parse_person_query", "person_view", "possible_matches", "recent_contacts", "records_for",
]


def find_people(ctx: Context, actor: Actor, query: PersonQuery, limit: int = 20,
                reason: str | None = None) -> list[PersonMatch]:
    """Search the person index (audited with what was searched for)."""
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.SEARCH_PEOPLE)
        matches = search_people(session, query, limit=limit, today=ctx.now().date())
        ctx.audit(session, actor, "person_search", subject="person_index",
                  data={"query": {k: v for k, v in asdict(query).items() if v},
                        "results": len(matches), "reason": reason})
        return matches


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
        for record_ in self.of(SOCIAL_CARE):
            worker = record_.details.get("allocated_worker")
            if worker and worker not in seen:
                seen.add(worker)
                people.append({"worker": worker, "team": record_.details.get("team"),
                               "phone": record_.details.get("worker_phone"),
                               "email": record_.details.get("worker_email")})
        return tuple(people)


def person_view(ctx: Context, actor: Actor, person_id: str,
                reason: str | None = None) -> PersonView | None:
    """The single view of one person. Every view is audited: who looked, when, and why."""
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.VIEW_PERSON)
        rows, links = person_records(session, person_id)
        if not rows:
            return None
        ctx.audit(session, actor, "person_viewed", subject=f"person:{person_id}",
                  data={"records": [[r.source, r.source_id] for r in rows], "reason": reason})
        return PersonView(person_id, tuple(to_record(r) for r in rows), tuple(links))


@dataclass(frozen=True)
class PossibleMatch:
    a: Ref
    b: Ref
    weight: float
    reasons: tuple[str, ...]
    why_review: str = ""  # why an officer is asked rather than the score deciding
    open_sides: int = 0  # how many of the two people are open to social care


@dataclass(frozen=True)
class ReviewQueue:
    pairs: list[PossibleMatch]  # the first ``limit``, the decisions that change most first
    total: int
    by_reason: dict[str, int]


def possible_matches(ctx: Context, actor: Actor, limit: int = 100) -> list[PossibleMatch]:
    """Pairs in the review band, not yet one person and not yet decided: pairs that would
    join two people open to social care first, then by score."""
    return review(ctx, actor, limit).pairs


def review(ctx: Context, actor: Actor, limit: int = 100) -> ReviewQueue:
    """The review queue an officer clears: its first ``limit`` pairs and counts by reason."""
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.REVIEW_MATCHES)
        queue = review_queue(session)
        pairs = [PossibleMatch(i.a, i.b, i.weight, i.reasons, i.why_review, i.open_sides) for i in queue[:limit]]
        by_reason = dict(Counter(i.why_review for i in queue).most_common())
        ctx.audit(session, actor, "possible_matches_listed", subject="person_index",
                  data={"pairs": len(pairs), "waiting": len(queue)})
        return ReviewQueue(pairs, len(queue), by_reason)


def records_for(ctx: Context, actor: Actor, refs: set[Ref]) -> dict[Ref, SourceRecord]:
    """The source records named by (source, source id), e.g. both sides of possible matches
    to decide them; every record read is on the audit trail, as for a person's card."""
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.REVIEW_MATCHES)
        found = records_by_ref(session, refs)
        if found:
            ctx.audit(session, actor, "match_records_viewed", subject="person_index",
                      data={"records": sorted([list(ref) for ref in found])})
        return found


def decide_link(ctx: Context, actor: Actor, a: Ref, b: Ref, *, same: bool,
                reason: str | None = None) -> str:
    """Confirm (``same``) or split two records, audited; applied now and on every re-link
    (and over a re-link that was running meanwhile). Returns a's person id afterwards."""
    if not (reason or "").strip():
        raise InvalidInput("say why (recorded on the audit trail)")
    with ctx.write() as session:
        actor = ctx.authorize(session, actor, Action.DECIDE_MATCH)
        change = record_decision(session, a, b, same=same, reason=reason,
                                 decided_by=actor.name, at=ctx.now())
        ctx.audit(
            session, actor, "person_link_confirmed" if same else "person_link_split",
            subject=f"record:{a[0]}:{a[1]}"[:120],
            data={"records": [list(a), list(b)],
                  "person_ids_before": list(change.person_ids_before),
                  "person_ids_after": list(change.person_ids_after), "reason": reason},
        )
        return change.person_ids_after[0]


def link_child(ctx: Context, actor: Actor, contact_person_id: int, person_id: str | None) -> None:
    """Say which person in the index a child on a contact is (or None: not known)."""
    with ctx.write() as session:
        entry = session.get(ContactPerson, contact_person_id)
        if entry is None or entry.role != PersonRole.SUBJECT.value:
            raise NotFound(f"no child {contact_person_id} on a contact")
        actor, contact = begin(ctx, session, actor, entry.contact_id, Action.LINK_CHILD)
        if person_id is not None and session.execute(select(SourceRecordRow.id).where(
                SourceRecordRow.person_id == person_id).limit(1)).first() is None:
            raise InvalidInput(f"no person {person_id} in the index; search again")
        previous, entry.person_id = entry.person_id, person_id
        record(ctx, session, actor, contact, "link_child",
               subject=f"person:{person_id}" if person_id else None,
               data={"child": entry.id, "person_id": person_id, "previous": previous})


def recent_contacts(ctx: Context, person_id: str, days: int, before_contact: int | None = None) -> int:
    """How many contacts about this person arrived in the last ``days`` days (a fact for
    the priority rules, asked while a contact is shown to someone who may see it)."""
    since = ctx.now() - timedelta(days=days)
    with ctx.read() as session:
        query = (select(func.count(func.distinct(Contact.id)))
                 .join(ContactPerson, ContactPerson.contact_id == Contact.id)
                 .where(ContactPerson.person_id == person_id, Contact.received_at >= since))
        if before_contact is not None:
            query = query.where(Contact.id != before_contact)
        return session.execute(query).scalar_one()


def open_to_social_care(ctx: Context, person_id: str) -> bool:
    """An open episode or an allocated worker on any of the person's social care records."""
    with ctx.read() as session:
        details = session.execute(select(SourceRecordRow.details).where(
            SourceRecordRow.person_id == person_id, SourceRecordRow.source == SOCIAL_CARE)).scalars()
        return any((d or {}).get("open_episodes") or (d or {}).get("allocated_worker")
                   for d in details)


# ------------------------------------------------------------------------------ partners' look-up


@dataclass(frozen=True)
class KnownChild:
    """What the restricted partner look-up may say about one child: that social care knows
    them, and who to contact (never records, addresses or history)."""

    known_to_social_care: bool
    worker_name: str | None = None
    worker_phone: str | None = None
    worker_email: str | None = None


def known_child(session, given_name: str, family_name: str, date_of_birth,  # noqa: ANN001
                postcode: str) -> KnownChild | None:
    """One child on an exact name, date of birth and postcode (case and spacing aside), or
    None when there is no such child or more than one. The caller authorises and audits."""
    from ffd_core.search.search import find_exactly

    compact = "".join(postcode.upper().split())  # "bk12ab" -> "BK1 2AB": the inward code is 3 long
    match = find_exactly(session, given_name, family_name, date_of_birth,
                         f"{compact[:-3]} {compact[-3:]}" if len(compact) > 4 else compact)
    if match is None:
        return None
    social_care = [r.record for r in match.records if r.record.source == SOCIAL_CARE]
    if not social_care:
        return KnownChild(False)
    details = next((r.details for r in social_care if r.details.get("allocated_worker")), {})
    return KnownChild(True, details.get("allocated_worker"), details.get("worker_phone"),
                      details.get("worker_email"))
