"""Two officers at the same instant, each on their own connection."""

from __future__ import annotations

import threading

from ffd_core.errors import AlreadyClaimed
from ffd_core.services import contacts, ownership
from ffd_core.services.context import Context
from ffd_core.store.engine import make_engine
from ffd_core.store.tables import Contact
from tests.conftest import AUDIT_KEY
from tests.factories import new_contact


def _race(ctx: Context, database_url: str, jobs):  # noqa: ANN001
    """Run each job on its own engine, released together by a barrier."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index, job):  # noqa: ANN001
        engine = make_engine(database_url)
        own = Context(engine, ctx.settings, AUDIT_KEY, ctx.clock)
        barrier.wait()
        try:
            results[index] = job(own)
        except Exception as error:  # noqa: BLE001 - the result under test
            results[index] = error
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_claims_at_once_give_exactly_one_owner(ctx, people, database_url):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    officers = [people["olivia"], people["oscar"]]
    results = _race(ctx, database_url, [
        (lambda own, o=o: ownership.claim(own, o, receipt.contact_id, receipt.version))
        for o in officers
    ])
    winners = [r for r in results if isinstance(r, int)]
    losers = [r for r in results if isinstance(r, AlreadyClaimed)]
    assert len(winners) == 1 and len(losers) == 1, results
    with ctx.read() as session:
        owner = session.get(Contact, receipt.contact_id).owner_id
    winner = officers[results.index(winners[0])]
    assert owner == winner.user_id
    assert "claimed by" in str(losers[0])


def test_two_take_next_at_once_get_different_contacts(ctx, people, database_url):
    for _ in range(3):
        contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    results = _race(ctx, database_url, [
        (lambda own, o=o: ownership.take_next(own, o)) for o in (people["olivia"], people["oscar"])
    ])
    assert all(isinstance(r, tuple) for r in results), results
    assert results[0][1] != results[1][1]


def test_same_keyed_submission_twice_at_once_is_stored_once(ctx, people, database_url):
    from sqlalchemy import func, select

    jobs = [(lambda own: contacts.submit(own, people["teacher"],
                                         new_contact(ctx.now(), idempotency_key="police-123")))
            for _ in range(2)]
    results = _race(ctx, database_url, jobs)
    assert all(not isinstance(r, Exception) for r in results), results
    assert results[0].reference == results[1].reference
    assert sorted(r.duplicate for r in results) == [False, True]
    with ctx.read() as session:
        assert session.execute(select(func.count(Contact.id))).scalar_one() == 1
