"""Blocking keys: cheap keys that records of the same child very probably share.

Only records sharing at least one key are compared, so linkage scales with the number of
records rather than its square. Each key survives a different error: the date key
ignores the order of day and month, the name keys pair sound-alike forename (and its
formal form: Bob -> Robert) with each part of the surname in either order (so a swap of
forename and surname still meets), and the address key catches a wrong date of birth.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ffd_core.search.compare import Profile
from ffd_core.search.names import sound

# A key shared by more records than this says too little to be worth comparing them all.
MAX_BLOCK = 80
NAMES_ONLY = "nn:"


def _unordered_day_month(day: int, month: int) -> str:
    return f"{min(day, month):02d}{max(day, month):02d}"


def surname_sounds(p: Profile) -> set[str]:
    """Sounds of every surname the record carries (previous, preferred...) and their parts."""
    found = {sound(part) for part in p.family_parts} | {p.family_sound}
    for _kind, name, name_parts in p.other_family:
        found.update(sound(part) for part in name_parts)
        found.add(sound(name))
    found.discard("")
    return found


def forename_sounds(p: Profile) -> set[str]:
    found = {sound(name) for name in p.all_given_formal}
    found.discard("")
    return found


def blocking_keys(p: Profile) -> set[str]:
    keys: set[str] = set()
    if p.nhs_number:
        keys.add(f"n:{p.nhs_number}")
    if p.upn:
        keys.add(f"u:{p.upn}")
    surnames, forenames = surname_sounds(p), forename_sounds(p)
    dob = p.date_of_birth
    if dob is not None:
        day_month = _unordered_day_month(dob.day, dob.month)
        for s in surnames:
            keys.add(f"ds:{dob.year}{day_month}:{s}")
        for f in forenames:
            keys.add(f"df:{dob.year}{day_month}:{f}")
        for s in surnames:
            for f in forenames:
                pair = ":".join(sorted((s, f)))
                keys.add(f"ny:{dob.year}:{pair}")
                keys.add(f"nd:{day_month}:{pair}")
        # Known by a middle name: the middle name with the date finds the other record.
        for part in p.middle_parts:
            keys.add(f"df:{dob.year}{day_month}:{sound(part)}")
    if p.postcode:
        for f in forenames or {"?"}:
            keys.add(f"pf:{p.postcode}:{f}")
    return keys


def names_only_keys(p: Profile) -> set[str]:
    """Forename and surname sounds without a date: for records that have no date of birth."""
    surnames, forenames = surname_sounds(p), forename_sounds(p)
    return {NAMES_ONLY + ":".join(sorted((s, f))) for s in surnames for f in forenames}


def candidate_pairs(profiles: Sequence[Profile], max_block: int = MAX_BLOCK) -> set[tuple[int, int]]:
    """Index pairs (i < j) of profiles that share a blocking key. A names-only key pairs a
    record without a date of birth with the others; records that both have one meet on
    keys with the date."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, p in enumerate(profiles):
        for key in blocking_keys(p):
            blocks[key].append(index)
        if p.date_of_birth is None:
            for key in names_only_keys(p):
                blocks[key].append(index)
    if any(key.startswith(NAMES_ONLY) for key in blocks):  # only where some record has no date
        for index, p in enumerate(profiles):
            if p.date_of_birth is not None:
                for key in names_only_keys(p):
                    if key in blocks:
                        blocks[key].append(index)
    pairs: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if not 1 < len(members) <= max_block:
            continue
        if key.startswith(NAMES_ONLY):
            undated = [m for m in members if profiles[m].date_of_birth is None]
            pairs.update((min(a, b), max(a, b)) for a in undated for b in members if a != b)
            continue
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                pairs.add((a, b))
    return pairs
