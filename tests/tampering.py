"""What an attacker with database access does to the audit trail: switch the append-only
guard off, then edit (tests of the trail's defences only)."""

from __future__ import annotations

from sqlalchemy import text


def tamper(ctx, *statements: str, params: dict | None = None) -> None:  # noqa: ANN001
    with ctx.write() as session:
        if ctx.engine.dialect.name == "sqlite":
            session.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
            session.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        else:
            session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        for sql in statements:
            session.execute(text(sql), params or {})
