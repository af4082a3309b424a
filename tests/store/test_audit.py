"""The audit trail is append-only in the database and tamper-evident by its HMAC chain."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from ffd_core import audit
from ffd_core.services import contacts, notes, ownership
from tests.conftest import AUDIT_KEY
from tests.factories import new_contact


def _some_history(ctx, people):  # noqa: ANN001, ANN202
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    notes.add_note(ctx, people["olivia"], receipt.contact_id, "Rang school")


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET actor_name = 'someone else' WHERE seq = 1",
    "DELETE FROM audit_events WHERE seq = 1",
])
def test_database_refuses_edits_and_deletes(ctx, people, statement):
    _some_history(ctx, people)
    with pytest.raises(DatabaseError, match="append-only"):
        with ctx.write() as session:
            session.execute(text(statement))


def test_chain_verifies_and_wrong_key_fails(ctx, people):
    _some_history(ctx, people)
    with ctx.read() as session:
        result = audit.verify(session, AUDIT_KEY)
        assert result.ok and result.events_checked >= 10  # directory seed + history
        assert audit.verify(session, b"another key").first_broken_seq == 1


def _tamper(ctx, sql: str) -> None:  # noqa: ANN001
    """What an attacker with database access would do: switch the guard off and edit."""
    with ctx.write() as session:
        if ctx.engine.dialect.name == "sqlite":
            session.execute(text("DROP TRIGGER audit_events_no_update"))
            session.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        session.execute(text(sql))


def test_edited_event_is_named(ctx, people):
    _some_history(ctx, people)
    with ctx.read() as session:
        target = audit.verify(session, AUDIT_KEY).events_checked - 1
    _tamper(ctx, f"UPDATE audit_events SET actor_name = 'Mallory' WHERE seq = {target}")
    with ctx.read() as session:
        result = audit.verify(session, AUDIT_KEY)
    assert result.first_broken_seq == target and "content" in result.problem


def test_deleted_event_is_named(ctx, people):
    _some_history(ctx, people)
    _tamper(ctx, "DELETE FROM audit_events WHERE seq = 3")
    with ctx.read() as session:
        result = audit.verify(session, AUDIT_KEY)
    assert result.first_broken_seq == 3 and "missing" in result.problem
