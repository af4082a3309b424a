"""The JSON contract between the product and a council's case system (or its adapter), for
pushing each decided child. The sandbox (case_system_sandbox) implements it.

    POST {base}/api/v1/transfers
    Authorization: Bearer TOKEN                  (the case-system-token secret)
    Idempotency-Key: ffd:FFD-2026-000123:1:c42:r1
    Content-Type: application/json

    {"person":  {"id": "FI-100234"}              # the child's record in the case system
              | {"create": {"given_name": ..., "family_name": ..., "date_of_birth": "2020-03-14",
                            "gender": ..., "nhs_number": ..., "address": ..., "postcode": ...}},
     "contact": {...},                           # the council's fields (the field mapping)
     "episode": {...} | null}                    # a referral episode, for outcomes that open one

    201 {"person_id": "FI-100234", "contact_id": "C-88", "episode_id": "E-12" | null}
    200 the same body (header Idempotent-Replayed: true) for a key it has answered before
    409 {"error": "person_merged", "merged_into": "FI-100777", "message": "..."}
    404 {"error": "person_not_found", "message": "..."}
    409 {"error": "idempotency_key_reused", "message": "..."}   # same key, another body
    422 {"error": "invalid", "message": "..."}
    5xx, or no answer: the request may be sent again with the same key

The contact record and its episode are made together or not at all. ``create`` is sent only
after an officer confirmed that this child is new to the case system; otherwise the person
must exist. The key names the contact, its statutory period, the child and the round (a
round starts when an officer re-targets a push the case system refused, so nothing was
made); a repeat of a key returns the first answer and makes nothing new.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PATH = "/api/v1/transfers"
PERSON_MERGED = "person_merged"
PERSON_NOT_FOUND = "person_not_found"
KEY_REUSED = "idempotency_key_reused"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_ID = 80


class ContractBroken(ValueError):
    """The case system's answer does not follow this contract."""


@dataclass(frozen=True)
class Transferred:
    """What the case system made (or had made, for a repeated key)."""

    person_id: str
    contact_id: str
    episode_id: str | None


def idempotency_key(reference: str, period: int, child_id: int, round_: int) -> str:
    return f"ffd:{reference}:{period}:c{child_id}:r{round_}"


def read_transferred(body: Any, *, episode_expected: bool) -> Transferred:
    """Hold a 200/201 answer to the contract before anything is recorded."""
    if not isinstance(body, Mapping):
        raise ContractBroken("the answer is not a JSON object")
    ids = {}
    for name in ("person_id", "contact_id", "episode_id"):
        value = body.get(name)
        if value is None and name == "episode_id" and not episode_expected:
            ids[name] = None
            continue
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID:
            raise ContractBroken(f"{name!r} must be an id (text of 1 to {MAX_ID} characters)")
        ids[name] = value.strip()
    return Transferred(**ids)
