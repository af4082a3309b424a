"""The audit trail is append-only in the database and tamper-evident by its HMAC chain; its
end is authenticated and can be pinned by checkpoints kept outside the database; writes and
verification name a wrong key; keys rotate."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from ffd_core import audit
from ffd_core.audit_checkpoint import append_checkpoint, checkpoint_of, read_checkpoints
from ffd_core.errors import AuditChainBroken, InvalidInput
from ffd_core.services import contacts, directory, notes, ownership
from ffd_core.services.context import SYSTEM, Context
from ffd_core.store import migrate
from ffd_core.store.engine import make_engine
from ffd_core.store.tables import AuditEvent, AuditHead, Contact
from tests.conftest import AUDIT_KEY
from tests.factories import new_contact
from tests.tampering import tamper as _tamper

NEW_KEY = b"a-new-audit-key-of-forty-random-characters"


def _some_history(ctx, people):  # noqa: ANN001, ANN202
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    notes.add_note(ctx, people["olivia"], receipt.contact_id, "Rang school")
    return receipt.contact_id


def _verify(ctx, keys=AUDIT_KEY, pins=()):  # noqa: ANN001, ANN202
    with ctx.read() as session:
        return audit.verify(session, keys, pins=pins)


def _last_seq(ctx) -> int:  # noqa: ANN001
    with ctx.read() as session:
        return session.get(AuditHead, 1).last_seq


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET actor_name = 'someone else' WHERE seq = 1",
    "DELETE FROM audit_events WHERE seq = 1",
])
def test_database_refuses_edits_and_deletes(ctx, people, statement):
    _some_history(ctx, people)
    with pytest.raises(DatabaseError, match="append-only"):
        with ctx.write() as session:
            session.execute(text(statement))


def test_chain_verifies_and_a_wrong_key_is_named_as_wrong(ctx, people):
    _some_history(ctx, people)
    result = _verify(ctx)
    assert result.ok and result.events_checked >= 10  # directory seed + history
    with pytest.raises(audit.WrongAuditKey, match="not this store's"):
        _verify(ctx, b"another key")


def test_a_wrong_key_is_refused_for_writes_and_nothing_is_written(ctx, people):
    _some_history(ctx, people)
    before = _last_seq(ctx)
    wrong = Context(ctx.engine, ctx.settings, b"wrong", ctx.clock)
    with pytest.raises(audit.WrongAuditKey, match="nothing was written"):
        contacts.submit(wrong, people["teacher"], new_contact(ctx.now()))
    with ctx.read() as session:
        assert session.execute(select(func.count(Contact.id))).scalar_one() == 1
    assert _last_seq(ctx) == before and _verify(ctx).ok


def _event(ctx, seq: int) -> AuditEvent:  # noqa: ANN001
    with ctx.read() as session:
        return session.get(AuditEvent, seq)


def test_edited_event_is_named(ctx, people):
    _some_history(ctx, people)
    target = _last_seq(ctx) - 1
    _tamper(ctx, f"UPDATE audit_events SET actor_name = 'Mallory' WHERE seq = {target}")
    result = _verify(ctx)
    assert result.first_broken_seq == target and "content" in result.problem


def test_deleted_event_is_named(ctx, people):
    _some_history(ctx, people)
    _tamper(ctx, "DELETE FROM audit_events WHERE seq = 3")
    result = _verify(ctx)
    assert result.first_broken_seq == 3 and "missing" in result.problem


def _cut_end_and_rewind_head(ctx) -> tuple[list[str], dict]:  # noqa: ANN001
    keep = _last_seq(ctx) - 3
    return ([f"DELETE FROM audit_events WHERE seq > {keep}",
             "UPDATE audit_head SET last_seq = :seq, last_hmac = :hmac"],
            {"seq": keep, "hmac": _event(ctx, keep).hmac})


def _wipe_and_reset_head(ctx) -> tuple[list[str], dict]:  # noqa: ANN001
    return (["DELETE FROM audit_events",
             f"UPDATE audit_head SET last_seq = 0, last_hmac = '{audit.GENESIS_HMAC}', "
             "key_fingerprint = NULL, head_hmac = NULL"], {})


def _delete_head_row(ctx) -> tuple[list[str], dict]:  # noqa: ANN001
    return ["DELETE FROM audit_head"], {}


@pytest.mark.parametrize(("attack", "named", "refused"), [
    (_cut_end_and_rewind_head, "head's HMAC does not check out", "changed outside the product"),
    (_wipe_and_reset_head, "empty but the store holds accounts", "events were deleted"),
    (_delete_head_row, "head row is missing", "head row is missing"),
])
def test_cutting_the_end_of_the_trail_is_named_and_blocks_writes(ctx, people, attack, named,
                                                                 refused):
    _some_history(ctx, people)
    statements, params = attack(ctx)
    _tamper(ctx, *statements, params=params)
    result = _verify(ctx)
    assert not result.ok and named in result.problem
    with pytest.raises(AuditChainBroken, match=refused):  # a write would legitimise the cut
        notes.add_note(ctx, people["olivia"], 1, "after the attack")


def test_erasing_the_key_record_from_the_head_does_not_reopen_it(ctx, people):
    _some_history(ctx, people)
    _tamper(ctx, "UPDATE audit_head SET key_fingerprint = NULL, head_hmac = NULL")
    wrong = Context(ctx.engine, ctx.settings, b"wrong", ctx.clock)
    with pytest.raises(AuditChainBroken, match="changed outside the product"):
        contacts.submit(wrong, people["teacher"], new_contact(ctx.now()))
    assert not _verify(ctx).ok


def _checkpoint(ctx, path):  # noqa: ANN001, ANN202
    with ctx.read() as session:
        append_checkpoint(path, checkpoint_of(audit.tip(session, AUDIT_KEY), ctx.now()))
    return read_checkpoints(path)


def _pins(path):  # noqa: ANN001, ANN202
    return [pin for checkpoint in read_checkpoints(path) for pin in checkpoint.pins()]


def test_rolling_back_to_an_older_copy_is_caught_only_by_a_checkpoint(ctx, people, tmp_path):
    """Someone with database access and an old copy of the head (a backup) cuts the trail
    back to it: the head checks out, so only a checkpoint taken since can tell."""
    contact_id = _some_history(ctx, people)
    with ctx.read() as session:
        old = session.get(AuditHead, 1)
        old_head = {"seq": old.last_seq, "hmac": old.last_hmac, "mac": old.head_hmac}
    notes.add_note(ctx, people["olivia"], contact_id, "later work")
    notes.add_note(ctx, people["olivia"], contact_id, "more later work")
    book = tmp_path / "checkpoints.log"
    _checkpoint(ctx, book)
    _tamper(ctx, f"DELETE FROM audit_events WHERE seq > {old_head['seq']}",
            "UPDATE audit_head SET last_seq = :seq, last_hmac = :hmac, head_hmac = :mac",
            params=old_head)
    assert _verify(ctx).ok  # the key alone cannot see a rollback
    result = _verify(ctx, pins=_pins(book))
    assert not result.ok
    assert f"ends at event {old_head['seq']}" in result.problem and "rolled back" in result.problem
    assert "checkpoints.log:1" in result.problem


def test_a_key_holder_rewriting_the_trail_is_caught_by_a_checkpoint(ctx, people, tmp_path):
    _some_history(ctx, people)
    book = tmp_path / "checkpoints.log"
    _checkpoint(ctx, book)
    last = _event(ctx, _last_seq(ctx))
    last.actor_name = "Mallory"
    forged = audit.sign(AUDIT_KEY, last.prev_hmac, last)
    with ctx.read() as session:
        fp = session.get(AuditHead, 1).key_fingerprint
    _tamper(ctx, "UPDATE audit_events SET actor_name = 'Mallory', hmac = :hmac WHERE seq = :seq",
            "UPDATE audit_head SET last_hmac = :hmac, head_hmac = :mac",
            params={"hmac": forged, "seq": last.seq,
                    "mac": audit.head_mac(AUDIT_KEY, last.seq, forged, fp)})
    assert _verify(ctx).ok
    result = _verify(ctx, pins=_pins(book))
    assert result.first_broken_seq == last.seq and "differs from the checkpoint" in result.problem


def test_checkpoint_file_is_private_append_only_and_read_strictly(ctx, people, tmp_path):
    os.umask(0o022)
    book = tmp_path / "checkpoints.log"
    first = _checkpoint(ctx, book)
    _some_history(ctx, people)
    both = _checkpoint(ctx, book)
    assert stat.S_IMODE(book.stat().st_mode) == 0o600
    assert both[0] == first[0] and both[1].seq > both[0].seq  # earlier lines untouched
    assert _verify(ctx, pins=_pins(book)).ok
    syslog = tmp_path / "syslog"
    syslog.write_text("Nov 24 10:00:01 host cron[1]: starting\n"
                      f"Nov 24 10:00:02 host ffd-audit: {both[1].line}\n")
    assert [c.seq for c in read_checkpoints(syslog)] == [both[1].seq]
    book.write_text(book.read_text() + "ffd-audit-checkpoint v1 at=yesterday seq=x\n")
    with pytest.raises(InvalidInput, match=r"checkpoints.log:3: a damaged checkpoint line"):
        read_checkpoints(book)
    (tmp_path / "empty.log").write_text("nothing here\n")
    with pytest.raises(InvalidInput, match="holds no checkpoint lines"):
        read_checkpoints(tmp_path / "empty.log")


def test_a_checkpoint_from_another_store_is_named(ctx, people, tmp_path):
    book = tmp_path / "checkpoints.log"
    book.write_text(f"ffd-audit-checkpoint v1 at=2026-11-24T09:00:00Z seq=2 hmac={'a' * 64} "
                    f"first={'b' * 64} key=-\n")
    result = _verify(ctx, pins=_pins(book))
    assert result.first_broken_seq == 1 and "differs from the checkpoint" in result.problem


def test_rotated_keys_verify_segment_by_segment(ctx, people):
    _some_history(ctx, people)
    with ctx.write() as session:
        boundary = audit.rotate_key(session, AUDIT_KEY, NEW_KEY, at=ctx.now(), actor_id=None,
                                    actor_name="admin").seq
    rotated = Context(ctx.engine, ctx.settings, NEW_KEY, ctx.clock)
    notes.add_note(rotated, people["olivia"], 1, "under the new key")
    with pytest.raises(audit.WrongAuditKey, match="nothing was written"):
        notes.add_note(ctx, people["olivia"], 1, "under the old key")

    both = _verify(ctx, audit.AuditKeys(NEW_KEY, [AUDIT_KEY]))
    assert both.ok and [(s.first_seq, s.last_seq) for s in both.segments] == [
        (1, boundary), (boundary + 1, boundary + 1)]
    found = _verify(ctx, audit.AuditKeys(NEW_KEY, lookup={audit.fingerprint(AUDIT_KEY): AUDIT_KEY}.get))
    assert found.ok
    partial = _verify(ctx, NEW_KEY)
    assert not partial.ok and f"events 1-{boundary}" in partial.problem
    assert "FFD_AUDIT_OLD_KEYS" in partial.problem
    with pytest.raises(audit.WrongAuditKey, match="earlier key"):
        _verify(ctx, AUDIT_KEY)


def test_a_rotation_forged_without_the_old_key_is_broken(ctx, people):
    _some_history(ctx, people)
    fake = Context(ctx.engine, ctx.settings, NEW_KEY, ctx.clock)
    with pytest.raises(audit.WrongAuditKey):
        with fake.write() as session:
            audit.rotate_key(session, NEW_KEY, b"x" * 40, at=ctx.now(), actor_id=None,
                             actor_name="Mallory")


def _legacy_event(seq: int, prev: str) -> dict:
    """An event exactly as the product wrote it before key fingerprints."""
    event = AuditEvent(seq=seq, at=datetime(2026, 1, 5, 9, seq, tzinfo=UTC), actor_id=None,
                       actor_name="system", action="agency_add", subject=f"agency:{seq}",
                       data={"n": seq}, prev_hmac=prev)
    event.hmac = audit.sign(AUDIT_KEY, prev, event)
    return {c.name: getattr(event, c.name) for c in AuditEvent.__table__.columns}


def test_a_store_with_events_from_before_fingerprints_upgrades_and_keeps_verifying(tmp_path, clock):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    migrate.upgrade(engine, "0004_person_index_state")
    with engine.begin() as connection:
        prev = audit.GENESIS_HMAC
        for seq in (1, 2, 3):
            row = _legacy_event(seq, prev)
            connection.execute(AuditEvent.__table__.insert(), [row])
            prev = row["hmac"]
        connection.execute(text("UPDATE audit_head SET last_seq = 3, last_hmac = :h"), {"h": prev})
    migrate.upgrade(engine)
    from ffd_core.settings import Settings

    ctx = Context(engine, Settings(database_url=str(engine.url)), AUDIT_KEY, clock)
    before = _verify(ctx)
    assert before.ok and before.events_checked == 3 and "not signed yet" in before.notes[0]
    wrong = Context(engine, ctx.settings, b"wrong", clock)
    with pytest.raises(audit.WrongAuditKey, match="does not sign this store's last event"):
        directory.add_agency(wrong, SYSTEM, directory.AgencyInput("Wrong", directory.AgencyKind.SCHOOL))
    directory.add_agency(ctx, SYSTEM, directory.AgencyInput("Right", directory.AgencyKind.SCHOOL))
    after = _verify(ctx)
    assert after.ok and after.events_checked == 5 and not after.notes
    assert _event(ctx, 4).action == audit.KEY_RECORDED
    with pytest.raises(audit.WrongAuditKey, match="not this store's"):
        _verify(ctx, b"wrong")
