"""Stable person ids: a person keeps its id across re-linking while its records stay together.

A person id is derived, never typed in. After re-linking, each new group inherits the id
of the old person whose records it mostly holds: most of the old person's records are in
the group, and no larger group claimed that id first. Every other group gets a fresh id
made from its records, so the same data always gives the same ids.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence

Ref = tuple[str, str]


def new_person_id(refs: Sequence[Ref], taken: set[str]) -> str:
    seed = "|".join(f"{s}:{i}" for s, i in sorted(refs)[:1])
    salt = 0
    while True:
        digest = hashlib.sha1(f"{seed}#{salt}".encode()).hexdigest()[:10].upper()
        candidate = f"P{digest}"
        if candidate not in taken:
            return candidate
        salt += 1


def assign_person_ids(people: Sequence[Sequence[Ref]], previous: Mapping[Ref, str | None]) -> dict[Ref, str]:
    """Person id for every record, reusing ``previous`` ids where the records mostly stayed."""
    old_sizes = Counter(pid for pid in previous.values() if pid)
    claims = []
    for index, refs in enumerate(people):
        for pid, overlap in Counter(previous.get(r) for r in refs if previous.get(r)).items():
            if overlap * 2 > old_sizes[pid]:
                claims.append((-overlap, pid, index))
    chosen: dict[int, str] = {}
    used: set[str] = set()
    for _, pid, index in sorted(claims):
        if index not in chosen and pid not in used:
            chosen[index] = pid
            used.add(pid)
    taken = used | set(old_sizes)  # never reuse a retired id for someone else
    result: dict[Ref, str] = {}
    for index, refs in enumerate(people):
        pid = chosen.get(index)
        if pid is None:
            pid = new_person_id(refs, taken)
            taken.add(pid)
        for ref in refs:
            result[ref] = pid
    return result
