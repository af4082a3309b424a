"""The audit trail: append-only, and tamper-evident by an HMAC chain.

Each event's HMAC covers its own content and the previous event's HMAC, keyed with a secret
that is not in the database: someone with only database access can neither edit an event
(triggers refuse it) nor rewrite history and recompute the chain.

The end of the trail is guarded too. The head (last sequence, last HMAC, the key's
fingerprint) carries its own HMAC under the key, so cutting the last events and rewinding
the head needs the key; a checkpoint kept outside the database (ffd_core.audit_checkpoint)
catches a rollback to an older copy, which the key alone cannot.

Keys: the store keeps the current key's fingerprint (an HMAC of a constant under the key)
and refuses writes under any other key. The chain records its keys: the first write under a
key appends ``audit_key_recorded``; ``rotate_key`` appends ``audit_key_rotated``, signed by
the old key (which closes its segment) and sealed by the new one. Verification checks each
segment with its own key, found by fingerprint.
"""

from __future__ import annotations

import hashlib
import hmac as hmac_lib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ffd_core.clock import as_utc
from ffd_core.errors import AuditChainBroken, FFDError, InvalidInput
from ffd_core.store.base import canonical_json
from ffd_core.store.engine import is_postgres
from ffd_core.store.tables import AuditEvent, AuditHead, User

GENESIS_HMAC = "0" * 64
KEY_RECORDED = "audit_key_recorded"
KEY_ROTATED = "audit_key_rotated"
KEY_ACTIONS = (KEY_RECORDED, KEY_ROTATED)
_FINGERPRINT_LABEL = b"ffd audit key fingerprint v1"

HEAD_MISSING = ("the audit head row is missing, so the end of the trail cannot be checked; "
                "restore the store from a backup, then run `ffd audit verify`")
HEAD_CHANGED = ("the audit head was changed outside the product (the end of the trail may have "
                "been cut); nothing was written: run `ffd audit verify --checkpoint FILE`")


class WrongAuditKey(FFDError):
    """The key given is not the key this store is written with."""


@lru_cache(maxsize=32)
def fingerprint(key: bytes) -> str:
    """Names a key without revealing it: an HMAC of a constant under the key."""
    return hmac_lib.new(key, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def short(fp: str | None) -> str:
    return fp[:16] if fp else "none"


def _content(event: AuditEvent) -> str:
    return canonical_json(
        {
            "seq": event.seq,
            "at": as_utc(event.at).isoformat(timespec="microseconds"),
            "actor_id": event.actor_id,
            "actor_name": event.actor_name,
            "action": event.action,
            "contact_id": event.contact_id,
            "subject": event.subject,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "data": event.data or {},
        }
    )


def _mac(key: bytes, message: str) -> str:
    return hmac_lib.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def sign(key: bytes, prev_hmac: str, event: AuditEvent) -> str:
    return _mac(key, prev_hmac + _content(event))


def _signs(key: bytes, event: AuditEvent) -> bool:
    return hmac_lib.compare_digest(event.hmac, sign(key, event.prev_hmac, event))


def head_mac(key: bytes, seq: int, last_hmac: str, key_fp: str | None) -> str:
    return _mac(key, f"ffd-audit-head|{seq}|{last_hmac}|{key_fp}")


def _rotation_seal(new_key: bytes, seq: int, prev_hmac: str, old_fp: str, new_fp: str) -> str:
    return _mac(new_key, f"ffd-audit-rotation|{seq}|{prev_hmac}|{old_fp}|{new_fp}")


def _wrong_key_for_writes(given: str, expected: str) -> WrongAuditKey:
    return WrongAuditKey(
        f"the audit key in use (fingerprint {short(given)}) is not this store's (fingerprint "
        f"{short(expected)}); nothing was written: set FFD_AUDIT_KEY, or run `ffd secret set "
        "audit-key`, to the key this store is written with")


# ---------------------------------------------------------------------------------- writing


def append(
    session: Session,
    key: bytes,
    *,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    contact_id: int | None = None,
    subject: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add the next event to the chain inside the caller's transaction."""
    head = _locked_head(session)
    _admit(session, head, key, at, actor_id, actor_name)
    event = AuditEvent(at=as_utc(at), actor_id=actor_id, actor_name=actor_name, action=action,
                       contact_id=contact_id, subject=subject, from_status=from_status,
                       to_status=to_status, data=data or {})
    _chain(session, head, key, event)
    _seal_head(head, key)
    return event


def rotate_key(session: Session, old_key: bytes, new_key: bytes, *, at: datetime,
               actor_id: int | None, actor_name: str) -> AuditEvent:
    """Start a new key segment: a boundary event signed by the old key and sealed by the new;
    from then on only the new key may write."""
    old_fp, new_fp = fingerprint(old_key), fingerprint(new_key)
    if old_fp == new_fp:
        raise InvalidInput("the new audit key is the same as the current one; give a new key")
    head = _locked_head(session)
    _admit(session, head, old_key, at, actor_id, actor_name)
    seq = head.last_seq + 1
    event = AuditEvent(at=as_utc(at), actor_id=actor_id, actor_name=actor_name, action=KEY_ROTATED,
                       data={"previous_fingerprint": old_fp, "fingerprint": new_fp,
                             "new_key_seal": _rotation_seal(new_key, seq, head.last_hmac,
                                                            old_fp, new_fp)})
    _chain(session, head, old_key, event)
    head.key_fingerprint = new_fp
    _seal_head(head, new_key)
    session.info["audit_key_admitted"] = (session.get_transaction(), new_fp)
    session.flush()
    return event


def _chain(session: Session, head: AuditHead, key: bytes, event: AuditEvent) -> None:
    event.seq, event.prev_hmac = head.last_seq + 1, head.last_hmac
    event.hmac = sign(key, head.last_hmac, event)
    head.last_seq, head.last_hmac = event.seq, event.hmac
    session.add(event)
    session.flush()


def _seal_head(head: AuditHead, key: bytes) -> None:
    head.head_hmac = head_mac(key, head.last_seq, head.last_hmac, head.key_fingerprint)


def _locked_head(session: Session) -> AuditHead:
    """The chain's tip, locked for this transaction. PostgreSQL needs a row lock to serialise
    chain writers (SQLite's write lock already does); once held, the session's copy is current
    until the transaction ends, so later events in the same transaction skip the query."""
    if session.info.get("audit_head_locked") is session.get_transaction():
        return session.get(AuditHead, 1)
    query = select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)
    if is_postgres(session.get_bind()):
        query = query.with_for_update()
    head = session.execute(query).scalar_one_or_none()
    if head is None:
        raise AuditChainBroken(HEAD_MISSING)
    session.info["audit_head_locked"] = session.get_transaction()
    return head


def _admit(session: Session, head: AuditHead, key: bytes, at: datetime, actor_id: int | None,
           actor_name: str) -> None:
    """Refuse a key that is not this store's, and a head changed without the key; once per
    transaction. The first write under a key records its fingerprint (lazily, so stores made
    before fingerprints keep working) after checking the key signs the last event."""
    fp = fingerprint(key)
    if session.info.get("audit_key_admitted") == (session.get_transaction(), fp):
        return
    if head.key_fingerprint is None:
        _check_unkeyed_head(session, head, key)
        head.key_fingerprint = fp
        _chain(session, head, key, AuditEvent(
            at=as_utc(at), actor_id=actor_id, actor_name=actor_name, action=KEY_RECORDED,
            data={"fingerprint": fp}))
    elif head.key_fingerprint != fp:
        raise _wrong_key_for_writes(fp, head.key_fingerprint)
    elif head.head_hmac is None or not hmac_lib.compare_digest(
            head.head_hmac, head_mac(key, head.last_seq, head.last_hmac, head.key_fingerprint)):
        raise AuditChainBroken(HEAD_CHANGED)
    session.info["audit_key_admitted"] = (session.get_transaction(), fp)


def _check_unkeyed_head(session: Session, head: AuditHead, key: bytes) -> None:
    """A head without a fingerprint is a new store, or one from before fingerprints. Anything
    else wearing that look (a key already recorded in the chain, an emptied trail in a store
    with accounts) had its head reset, and writing now would make the cut look legitimate."""
    if head.head_hmac is not None or session.execute(
            select(AuditEvent.seq).where(AuditEvent.action.in_(KEY_ACTIONS)).limit(1)).first():
        raise AuditChainBroken(HEAD_CHANGED)
    if head.last_seq == 0:
        # Accounts are only made by audited use cases, so none can precede the first event.
        if session.execute(select(User.id).limit(1)).first():
            raise AuditChainBroken(
                "the audit trail is empty but the store holds accounts, so its events were "
                "deleted; nothing was written: restore the store from a backup")
        return
    last = session.get(AuditEvent, head.last_seq)
    if last is None or last.hmac != head.last_hmac:
        raise AuditChainBroken(HEAD_CHANGED)
    if not _signs(key, last):
        raise WrongAuditKey(
            f"the audit key in use (fingerprint {short(fingerprint(key))}) does not sign this "
            f"store's last event ({last.seq}); nothing was written: set FFD_AUDIT_KEY, or run "
            "`ffd secret set audit-key`, to the key this store is written with")


# ---------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Tip:
    """Where the trail ends now, as a checkpoint records it."""

    seq: int
    hmac: str
    first_hmac: str | None  # event 1's HMAC: names the trail a checkpoint belongs to
    key_fingerprint: str | None
    signed: bool  # False only for a store from before signed heads, until its next write


def tip(session: Session, key: bytes) -> Tip:
    """The authenticated end of the trail (refused if the head does not check out)."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one_or_none()
    if head is None:
        raise AuditChainBroken(HEAD_MISSING)
    if head.key_fingerprint is not None and head.key_fingerprint != fingerprint(key):
        raise WrongAuditKey(
            f"the audit key given (fingerprint {short(fingerprint(key))}) is not this store's "
            f"(fingerprint {short(head.key_fingerprint)}): give the key this store is written with")
    signed = head.head_hmac is not None
    if signed and not hmac_lib.compare_digest(
            head.head_hmac, head_mac(key, head.last_seq, head.last_hmac, head.key_fingerprint)):
        raise AuditChainBroken("the audit head does not check out (the end of the trail was "
                               "changed): run `ffd audit verify`")
    last = session.get(AuditEvent, head.last_seq) if head.last_seq else None
    if head.last_seq and (last is None or last.hmac != head.last_hmac):
        raise AuditChainBroken(f"the audit head names event {head.last_seq}, which is missing "
                               "or different: run `ffd audit verify`")
    first = session.get(AuditEvent, 1) if head.last_seq else None
    return Tip(head.last_seq, head.last_hmac, first.hmac if first else None,
               head.key_fingerprint, signed)


class AuditKeys:
    """The keys verification may use: the current one, and earlier ones found by fingerprint
    (given directly, or looked up, e.g. in the OS keyring)."""

    def __init__(self, current: bytes, earlier: Iterable[bytes] = (),
                 lookup: Callable[[str], bytes | None] | None = None) -> None:
        self.current = current
        self._by_fp = {fingerprint(k): k for k in (*earlier, current)}
        self._lookup = lookup

    def get(self, fp: str | None) -> bytes | None:
        if fp is None:
            return self.current
        if fp not in self._by_fp and self._lookup is not None:
            found = self._lookup(fp)
            if found is not None and fingerprint(found) == fp:
                self._by_fp[fp] = found
        return self._by_fp.get(fp)


@dataclass(frozen=True)
class Pin:
    """An event's HMAC as recorded outside the store (a checkpoint), with where it came from."""

    seq: int
    hmac: str
    source: str  # e.g. "the checkpoint of 24/11/2026 10:00 (checkpoints.log:12)"


@dataclass(frozen=True)
class Segment:
    first_seq: int
    last_seq: int
    fingerprint: str | None
    checked: bool


@dataclass(frozen=True)
class Verification:
    events_checked: int
    first_broken_seq: int | None = None
    problem: str | None = None
    segments: tuple[Segment, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None and self.problem is None


def verify(
    session: Session,
    keys: bytes | AuditKeys,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 5000,
    pins: Sequence[Pin] = (),
) -> Verification:
    """Walk the whole chain; name the first event whose link or content does not check out,
    then check the head, and every pin (checkpoint) against the trail."""
    keys = keys if isinstance(keys, AuditKeys) else AuditKeys(keys)
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one_or_none()
    if head is None:
        return Verification(0, problem=HEAD_MISSING)
    key_events = session.execute(select(AuditEvent.seq, AuditEvent.action, AuditEvent.data).where(
        AuditEvent.action.in_(KEY_ACTIONS)).order_by(AuditEvent.seq)).all()
    _refuse_wrong_key(session, head, keys, key_events)
    return _Walk(session, head, keys, key_events, pins).run(progress, batch)


def _refuse_wrong_key(session: Session, head: AuditHead, keys: AuditKeys, key_events) -> None:  # noqa: ANN001
    """Say "wrong key", not "broken at event 1", when the key given is not the store's: its
    fingerprint is not the one the trail names last, and it does not sign the last event."""
    given = fingerprint(keys.current)
    current = key_events[-1].data["fingerprint"] if key_events else None
    if given == current or head.last_seq == 0:
        return
    last = session.get(AuditEvent, head.last_seq)
    first = session.get(AuditEvent, 1)
    if any(e is not None and _signs(keys.current, e) for e in (last, first if not current else None)):
        return  # the key is right; the walk names whatever was changed
    earlier = [e for e in key_events if e.data.get("previous_fingerprint") == given]
    if earlier:
        raise WrongAuditKey(
            f"the audit key given is this store's earlier key (fingerprint {short(given)}, "
            f"replaced at event {earlier[0].seq}); give the current one ({short(current)}) as "
            "FFD_AUDIT_KEY or in the keyring, and earlier ones in FFD_AUDIT_OLD_KEYS")
    expected = f"fingerprint {short(current)}" if current else "it does not sign the trail"
    raise WrongAuditKey(
        f"the audit key given (fingerprint {short(given)}) is not this store's ({expected}): "
        "set FFD_AUDIT_KEY, or run `ffd secret set audit-key`, to the key this store is "
        "written with")


class _Walk:
    def __init__(self, session: Session, head: AuditHead, keys: AuditKeys, key_events,  # noqa: ANN001
                 pins: Sequence[Pin]) -> None:
        self.session, self.head, self.keys, self.pins = session, head, keys, pins
        self.pinned = {}
        for pin in sorted(pins, key=lambda p: p.seq):
            self.pinned.setdefault(pin.seq, pin)
        first = key_events[0].data if key_events else {}
        self.fp = first.get("previous_fingerprint", first.get("fingerprint"))
        self.key = keys.get(self.fp)
        self.segment_start = 1
        self.segments: list[Segment] = []

    def run(self, progress: Callable[[int, int], None] | None, batch: int) -> Verification:
        total = self.head.last_seq
        expected_prev, expected_seq, checked = GENESIS_HMAC, 1, 0
        for event in _events_in_order(self.session, batch):
            if event.seq != expected_seq:
                return self._result(checked, expected_seq, f"event {expected_seq} is missing")
            problem = self._check_event(event, expected_prev)
            if problem is None and event.action == KEY_ROTATED:
                problem = self._next_segment(event)
            if problem:
                return self._result(checked, event.seq, problem)
            expected_prev, expected_seq, checked = event.hmac, event.seq + 1, checked + 1
            if progress and checked % batch == 0:
                progress(checked, total)
        self._close_segment(checked)
        if progress:
            progress(checked, total)
        if checked != total or expected_prev != self.head.last_hmac:
            return self._result(checked, checked + 1,
                                f"the chain ends at event {checked} but the head says {total}")
        return self._result(checked, None, self._end_problem(checked))

    def _check_event(self, event: AuditEvent, expected_prev: str) -> str | None:
        if event.prev_hmac != expected_prev:
            return "its link to the previous event is wrong"
        if self.key is not None and not _signs(self.key, event):
            return "its content does not match its HMAC"
        pin = self.pinned.get(event.seq)
        if pin is not None and pin.hmac != event.hmac:
            return (f"it differs from {pin.source}: the trail was rewritten, or the store was "
                    "rolled back and written again, since that checkpoint")
        return None

    def _next_segment(self, event: AuditEvent) -> str | None:
        old_fp, new_fp = event.data.get("previous_fingerprint"), event.data.get("fingerprint")
        if self.key is not None and old_fp != fingerprint(self.key):
            return "the key rotation names a different previous key than the one that signed it"
        self._close_segment(event.seq)
        self.fp, self.key, self.segment_start = new_fp, self.keys.get(new_fp), event.seq + 1
        seal = _rotation_seal(self.key, event.seq, event.prev_hmac, old_fp, new_fp) \
            if self.key is not None else None
        if seal is not None and not hmac_lib.compare_digest(seal, event.data.get("new_key_seal", "")):
            return "the new key's seal on this key rotation does not check out"
        return None

    def _close_segment(self, last_seq: int) -> None:
        if last_seq >= self.segment_start:
            self.segments.append(Segment(self.segment_start, last_seq, self.fp, self.key is not None))

    def _end_problem(self, checked: int) -> str | None:
        head = self.head
        if head.key_fingerprint != self.fp:
            return (f"the audit head names key {short(head.key_fingerprint)} but the trail's "
                    f"last key is {short(self.fp)}: the head was changed")
        if self.fp is not None or head.head_hmac is not None:
            if self.key is not None and not hmac_lib.compare_digest(
                    head.head_hmac or "", head_mac(self.key, head.last_seq, head.last_hmac, self.fp)):
                return ("the audit head's HMAC does not check out: the end of the trail was "
                        "changed (events cut and the head rewound?)")
        if checked == 0 and self.session.execute(select(func.count(User.id))).scalar_one():
            return ("the audit trail is empty but the store holds accounts: its events were "
                    "deleted")
        beyond = [p for p in self.pins if p.seq > checked]
        if beyond:
            pin = max(beyond, key=lambda p: p.seq)
            return (f"the trail ends at event {checked} but {pin.source} recorded event "
                    f"{pin.seq}: events {checked + 1}-{pin.seq} were cut, or the store was "
                    "rolled back to an older copy")
        unchecked = [s for s in self.segments if not s.checked]
        if unchecked:
            s = unchecked[0]
            return (f"events {s.first_seq}-{s.last_seq} were signed by an earlier audit key "
                    f"(fingerprint {short(s.fingerprint)}) that was not given, so they are "
                    "unchecked: put it in FFD_AUDIT_OLD_KEYS, or in the keyring as "
                    f"audit-key@{short(s.fingerprint)}, and verify again")
        return None

    def _result(self, checked: int, broken: int | None, problem: str | None) -> Verification:
        notes = ()
        if problem is None and self.head.head_hmac is None and checked:
            notes = ("the head is not signed yet (a store from before signed heads): it will "
                     "be from the next write",)
        return Verification(checked, broken, problem, tuple(self.segments), notes)


def _events_in_order(session: Session, batch: int) -> Iterable[AuditEvent]:
    after = 0
    while True:
        rows = session.execute(
            select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(batch)
        ).scalars().all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq
        session.expunge_all()
