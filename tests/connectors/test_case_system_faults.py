"""Case-system pushes against the sandbox case system on loopback (a real HTTP server):
down, killed workers, timeouts, 500s, slow and lost answers, a duplicate response, a
permanent refusal, a merged person. Every decided child's contact record (and referral
episode) is made exactly once; nothing is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from ffd_core.connectors.case_system import CaseSystemSender
from ffd_core.connectors.outbox_worker import Worker
from ffd_core.domain.vocab import Status
from ffd_core.services import needs_person
from ffd_core.services.contact_view import view_contact
from ffd_core.services.outbox import CASE_SYSTEM_PUSH
from ffd_core.store.tables import Contact, OutboxMessage
from tests.connectors.case_system_world import (
    Sandbox, case_people, decided_referrals, transfers,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sandbox():  # noqa: ANN201
    box = Sandbox()
    yield box
    box.stop()


@pytest.fixture
def settings(settings, sandbox):  # noqa: ANN001, ANN201 - the connectors' settings, plus the case system
    return replace(settings, case_system_url=sandbox.url, case_system_timeout_seconds=1)


def worker(ctx) -> Worker:  # noqa: ANN001
    return Worker(ctx, [CaseSystemSender(ctx)], run_jobs=False)


def pushes(ctx) -> list[OutboxMessage]:  # noqa: ANN001
    with ctx.read() as session:
        return list(session.execute(select(OutboxMessage).where(
            OutboxMessage.kind == CASE_SYSTEM_PUSH).order_by(OutboxMessage.id)).scalars())


def statuses(ctx, ids) -> Counter:  # noqa: ANN001
    with ctx.read() as session:
        return Counter(session.execute(select(Contact.status).where(Contact.id.in_(ids))).scalars())


def drain(ctx, box: Worker, passes: int = 20) -> None:  # noqa: ANN001
    """Passes (each past any backoff) until no push is waiting."""
    for _ in range(passes):
        if all(r.state in ("sent", "dead") for r in pushes(ctx)):
            return
        ctx.clock.advance(hours=2)
        box.run_pass()
    raise AssertionError(f"pushes still waiting: {[(r.id, r.state, r.last_error) for r in pushes(ctx)]}")


def made_once(sandbox: Sandbox) -> Counter:
    """How many times each idempotency key made a record (each must be once)."""
    return Counter(made.key for made in sandbox.state.made)


def test_down_while_100_referrals_are_decided_then_every_record_is_made_once(ctx, people, sandbox):
    persons = case_people(ctx, 140)
    with worker(ctx) as box:
        ids = decided_referrals(ctx, people, persons, 100)
        report = box.run_pass()  # connection refused: the case system is down
        assert report.sent == 0 and report.paused == [CASE_SYSTEM_PUSH]
        children = len(transfers(ctx))
        assert children == 133 and len(pushes(ctx)) == 133  # one push per child
        assert statuses(ctx, ids) == {Status.DECIDED.value: 100}

        sandbox.start()
        drain(ctx, box)

    assert made_once(sandbox) == Counter({r.key: 1 for r in sandbox.state.made})
    assert len(sandbox.state.made) == children
    assert sum(1 for m in sandbox.state.made if m.episode_id) == 100  # a referral per contact
    assert statuses(ctx, ids) == {Status.TRANSFERRED.value: 100}
    assert all(t.case_contact_id and t.case_person_id for t in transfers(ctx))
    first = next(m for m in sandbox.state.made if m.episode_id)
    assert first.contact["outcome"] == "REFERRAL" and first.contact["consent"] == "Y"
    assert first.contact["source_code"] == "2A"  # the school's CIN referral source
    assert first.person_id.startswith("FI-")


@pytest.mark.parametrize("fault", ["500", "503", "slow", "lost_answer", "duplicate", "html"])
def test_failures_that_pass_are_retried_and_make_the_record_once(ctx, people, sandbox, fault):
    persons = case_people(ctx, 4)
    sandbox.state.plan = {1: fault, 2: fault}
    sandbox.state.slow_seconds = 2.5  # past the 1 s read timeout: the client gives up first
    sandbox.start()
    ids = decided_referrals(ctx, people, persons, 3)
    with worker(ctx) as box:
        drain(ctx, box)
    assert len(sandbox.state.made) == 4 and set(made_once(sandbox).values()) == {1}
    assert statuses(ctx, ids) == {Status.TRANSFERRED.value: 3}
    assert all(r.state == "sent" for r in pushes(ctx))


def test_a_permanent_refusal_is_a_dead_letter_with_the_case_systems_reason(ctx, people, sandbox):
    persons = case_people(ctx, 1)
    sandbox.state.always = "422"
    sandbox.start()
    [contact_id] = decided_referrals(ctx, people, persons, 1)
    with worker(ctx) as box:
        assert box.run_pass().dead == 1
    [row] = pushes(ctx)
    assert row.state == "dead" and row.attempts == 1
    assert "HTTP 422" in row.last_error and "category code not known" in row.last_error
    assert statuses(ctx, [contact_id]) == {Status.DECIDED.value: 1}


def test_a_merged_person_asks_an_officer_who_chooses_the_person_it_was_merged_into(
        ctx, people, sandbox):
    persons = case_people(ctx, 2)
    sandbox.state.merged = {"FI-00000": "FI-00001"}
    sandbox.start()
    [contact_id] = decided_referrals(ctx, people, persons, 1)
    with worker(ctx) as box:
        box.run_pass()
        [row] = pushes(ctx)
        assert (row.state, row.bounced) == ("dead", True)  # ended with the refusal, at once
        assert row.last_error.startswith("the case system merged FI-00000 into FI-00001")
        [waiting] = needs_person.waiting(ctx, people["olivia"])
        assert waiting.reason == "the case system merged FI-00000 into FI-00001"
        assert sandbox.state.made == []

        needs_person.link_person(ctx, people["olivia"], waiting.transfer_id, persons[1])
        assert needs_person.waiting(ctx, people["olivia"]) == []
        assert box.run_pass().sent == 1
    [made] = sandbox.state.made
    assert made.person_id == "FI-00001" and made.key.endswith(":r2")  # a new round, a new key
    assert statuses(ctx, [contact_id]) == {Status.TRANSFERRED.value: 1}
    view = view_contact(ctx, people["olivia"], contact_id)
    assert view.children[0].person_id == persons[1]
    [record] = view.case_system  # the ids the case system returned, shown on the contact
    assert record.line == ("Kid0a Thompson: in the case system as person FI-00001, contact "
                           f"{made.contact_id}, episode {made.episode_id}")


def test_an_unlinked_child_waits_until_an_officer_confirms_a_new_person(ctx, people, sandbox):
    sandbox.start()
    [contact_id] = decided_referrals(ctx, people, [], 1, linked=False)
    with worker(ctx) as box:
        assert box.run_pass().sent == 0
        assert sandbox.state.requests == 0  # never a person made silently
        [waiting] = needs_person.waiting(ctx, people["olivia"])
        assert waiting.reason == "the child is not linked to a person in the index"
        with pytest.raises(Exception, match="say how you know"):
            needs_person.confirm_new_person(ctx, people["olivia"], waiting.transfer_id, " ")
        needs_person.confirm_new_person(ctx, people["olivia"], waiting.transfer_id,
                                        "searched by name, date of birth and address: none")
        assert box.run_pass().sent == 1
    [made] = sandbox.state.made
    assert made.person_id.startswith("P-")
    [transfer] = transfers(ctx)
    assert (transfer.new_person, transfer.case_person_id) == (True, made.person_id)
    assert transfer.confirmed_by_id == people["olivia"].user_id


# ------------------------------------------------------------------------------ killed workers


def child_worker(ctx, database_url, sandbox, fault=None) -> subprocess.Popen:  # noqa: ANN001
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FFD_FAULT", None)
    if fault:
        env["FFD_FAULT"] = fault
    return subprocess.Popen(
        [sys.executable, "-m", "tests.connectors.push_worker_child", database_url,
         ctx.now().isoformat(), sandbox.url], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killed_between_the_case_systems_answer_and_the_commit_nothing_is_made_twice(
        ctx, people, sandbox, database_url):
    persons = case_people(ctx, 8)
    ids = decided_referrals(ctx, people, persons, 6)
    sandbox.start()
    killed = child_worker(ctx, database_url, sandbox, fault="deliver.after_accept")
    killed.wait(timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.read()
    assert len(sandbox.state.made) == 1

    ctx.clock.advance(minutes=15)  # PostgreSQL: the dead worker's lease runs out
    with worker(ctx) as box:
        drain(ctx, box)
    assert len(sandbox.state.made) == 8 and set(made_once(sandbox).values()) == {1}
    assert statuses(ctx, ids) == {Status.TRANSFERRED.value: 6}


def test_killed_while_the_case_system_was_answering_loses_nothing(ctx, people, sandbox, database_url):
    persons = case_people(ctx, 8)
    ids = decided_referrals(ctx, people, persons, 6)
    process: list[subprocess.Popen] = []
    handle = sandbox.state.handle

    def kill_after_three(key, body):  # noqa: ANN001, ANN202 - made, and the worker dies unanswered
        answer = handle(key, body)
        if len(sandbox.state.made) == 3:
            process[0].send_signal(signal.SIGKILL)
        return answer

    sandbox.state.handle = kill_after_three
    sandbox.start()
    process.append(child_worker(ctx, database_url, sandbox))
    process[0].wait(timeout=120)
    assert process[0].returncode == -signal.SIGKILL
    sandbox.state.handle = handle

    ctx.clock.advance(minutes=15)
    with worker(ctx) as box:
        drain(ctx, box)
    assert len(sandbox.state.made) == 8 and set(made_once(sandbox).values()) == {1}
    assert statuses(ctx, ids) == {Status.TRANSFERRED.value: 6}
