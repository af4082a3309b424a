"""Moving a store from SQLite to PostgreSQL keeps every row and the audit chain."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from ffd_core import audit
from ffd_core.errors import InvalidInput
from ffd_core.services import contacts, ownership
from ffd_core.services.context import Context
from ffd_core.store import migrate
from ffd_core.store.copy import copy_store
from ffd_core.store.engine import make_engine
from ffd_core.store.tables import AuditEvent, Contact
from tests.conftest import AUDIT_KEY, postgres_url
from tests.factories import new_contact


@pytest.fixture
def empty_postgres():  # noqa: ANN201
    base = postgres_url()
    if not base:
        pytest.skip("needs FFD_TEST_DATABASE_URL")
    name = f"ffd_copy_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(base).set(database=name).render_as_string(hide_password=False))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_copy_sqlite_to_postgres_keeps_rows_and_chain(ctx, people, empty_postgres, settings):
    receipt = contacts.submit(ctx, people["teacher"], new_contact(ctx.now()))
    ownership.claim(ctx, people["olivia"], receipt.contact_id)
    copied = copy_store(ctx.engine, empty_postgres)
    assert copied["contacts"] == 1 and copied["audit_events"] > 5
    moved = Context(empty_postgres, settings, AUDIT_KEY, ctx.clock)
    with moved.read() as session:
        assert audit.verify(session, AUDIT_KEY).ok
        assert session.execute(select(func.count(AuditEvent.seq))).scalar_one() == copied["audit_events"]
    # The copy is a working store: ids carry on after the copied ones.
    second = contacts.submit(moved, people["teacher"], new_contact(ctx.now()))
    assert second.contact_id == receipt.contact_id + 1 and second.reference == "FFD-2026-000002"
    ownership.claim(moved, people["oscar"], second.contact_id)
    with moved.read() as session:
        assert audit.verify(session, AUDIT_KEY).ok
        assert session.execute(select(func.count(Contact.id))).scalar_one() == 2
    with pytest.raises(InvalidInput, match="not empty"):
        copy_store(ctx.engine, empty_postgres)
