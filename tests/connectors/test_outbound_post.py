"""The outbound client's POST against a real server on loopback: retried on a failure that
passes only when it carries an Idempotency-Key; a refusal carries the peer's reason."""

from __future__ import annotations

import pytest

from ffd_core.connectors.case_system_contract import PATH
from ffd_core.connectors.http import OutboundClient, OutboundFailed, Policy
from tests.connectors.case_system_world import Sandbox

BODY = {"person": {"id": "FI-1"}, "contact": {"reference": "FFD-2026-000001"}, "episode": None}
QUICK = Policy(attempts=3, backoff_initial=0.01, backoff_max=0.05, read_timeout=5)


@pytest.fixture
def sandbox():  # noqa: ANN201
    box = Sandbox().start()
    yield box
    box.stop()


def test_an_unkeyed_post_is_tried_once(sandbox):
    sandbox.state.plan = {1: "503"}
    with OutboundClient(policy=QUICK) as client, pytest.raises(OutboundFailed) as failed:
        client.post_json(sandbox.url + PATH, BODY, what="a push")
    assert (failed.value.status, failed.value.passing) == (503, True)
    assert sandbox.state.requests == 1  # a lost answer may hide an accepted request


def test_a_keyed_post_is_retried_and_its_repeat_makes_nothing_new(sandbox):
    sandbox.state.plan = {1: "503", 2: "503"}
    with OutboundClient(policy=QUICK) as client:
        status, answer = client.post_json(sandbox.url + PATH, BODY, what="a push",
                                          idempotency_key="ffd:k1")
        again = client.post_json(sandbox.url + PATH, BODY, what="a push", idempotency_key="ffd:k1")
    assert status == 201 and sandbox.state.requests == 4
    assert again == (200, answer) and len(sandbox.state.made) == 1


def test_a_refusal_carries_the_peers_reason(sandbox):
    sandbox.state.merged = {"FI-1": "FI-2"}
    with OutboundClient(policy=QUICK) as client, pytest.raises(OutboundFailed) as failed:
        client.post_json(sandbox.url + PATH, BODY, what="a push", idempotency_key="ffd:k2")
    assert failed.value.status == 409 and not failed.value.passing
    assert failed.value.detail["merged_into"] == "FI-2"
    assert "FI-1 was merged into FI-2" in str(failed.value)
