"""A county whose children are in the case system, decided referrals about them, and a
sandbox case system on a fixed loopback port that a test can stop and start again."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

from sqlalchemy import select

from ffd_core.connectors.case_system_sandbox import CaseSystemState, case_system_app, serve
from ffd_core.connectors.smtp_sink import free_port
from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.vocab import LevelOfNeed, Outcome
from ffd_core.search.records import SOCIAL_CARE, SourceRecord
from ffd_core.services import contacts, decisions, ownership, person_index, single_view
from ffd_core.services.contact_view import view_contact
from ffd_core.services.context import SYSTEM
from ffd_core.store.people_tables import SourceRecordRow
from ffd_core.store.tables import CaseSystemTransfer
from tests.factories import child, new_contact

REFER = ChildDecision(Outcome.SOCIAL_CARE_REFERRAL, "Unexplained injury to a young child.",
                      level_of_need=LevelOfNeed.ACUTE, primary_need="N1")
ADVICE = ChildDecision(Outcome.ADVICE_SIGNPOSTING, "Parenting support from the school.",
                       level_of_need=LevelOfNeed.ADDITIONAL)


class Sandbox:
    """The sandbox case system, on one port for the test's life (so "down" is a refused
    connection at the same address the worker was given)."""

    def __init__(self, state: CaseSystemState | None = None) -> None:
        self.state = state or CaseSystemState()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._running: contextlib.ExitStack | None = None

    def start(self) -> Sandbox:
        stack = contextlib.ExitStack()
        stack.enter_context(serve(case_system_app(self.state), self.port))
        self._running = stack
        return self

    def stop(self) -> None:
        if self._running is not None:
            self._running.close()
            self._running = None


def case_people(ctx, count: int) -> list[str]:  # noqa: ANN001
    """``count`` children with one case-system record each; their person ids, in order."""
    records = [SourceRecord(source=SOCIAL_CARE, source_id=f"FI-{n:05d}", given_name=f"Kid{n}",
                            family_name=f"Surname{n:05d}x", date_of_birth=date(2012, 1, 1)
                            + timedelta(days=13 * n)) for n in range(count)]
    person_index.import_records(ctx, SYSTEM, records)
    person_index.relink(ctx, SYSTEM)
    with ctx.read() as session:
        by_source = dict(session.execute(select(SourceRecordRow.source_id,
                                                SourceRecordRow.person_id)).all())
    return [by_source[r.source_id] for r in records]


def decided_referrals(ctx, people, persons: list[str], count: int, *,  # noqa: ANN001
                      linked: bool = True) -> list[int]:
    """``count`` contacts, every third (the second, fifth...) about two children, each child linked to the next
    person (unless ``linked`` is false); decided by an officer: a referral for the first
    child, advice for a second. Returns the contact ids."""
    officer, persons = people["olivia"], iter(persons)
    ids = []
    with ctx.batch():
        for number in range(count):
            children = (child(f"Kid{number}a"),) + ((child(f"Kid{number}b"),) if number % 3 == 1 else ())
            receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now(), children=children))
            child_ids = [c.id for c in view_contact(ctx, officer, receipt.contact_id).children]
            if linked:
                for child_id in child_ids:
                    single_view.link_child(ctx, officer, child_id, next(persons))
            ownership.claim(ctx, officer, receipt.contact_id)
            decisions.decide(ctx, officer, receipt.contact_id, [
                ChildDecision(**{**(REFER if n == 0 else ADVICE).__dict__, "child_id": cid})
                for n, cid in enumerate(child_ids)])
            ids.append(receipt.contact_id)
    return ids


def transfers(ctx) -> list[CaseSystemTransfer]:  # noqa: ANN001
    with ctx.read() as session:
        return list(session.execute(select(CaseSystemTransfer).order_by(CaseSystemTransfer.id)).scalars())
