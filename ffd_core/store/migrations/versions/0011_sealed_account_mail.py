"""Account emails' codes and links no longer stay readable in the outbox: from this revision
they are sealed under the mail key while queued and removed once sent or given up.

A migration never sees the key, so it cannot seal what is already queued. Account emails
(no contact, key ``web:...``) already sent or given up keep only their recipient; those
still waiting are sent as they are by the worker and then cleared the same way.

Revision ID: 0011_sealed_account_mail
Revises: 0010_case_system
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0011_sealed_account_mail"
down_revision = "0010_case_system"
branch_labels = None
depends_on = None

outbox = sa.table(
    "outbox",
    sa.column("id", sa.BigInteger()),
    sa.column("idempotency_key", sa.String()),
    sa.column("contact_id", sa.BigInteger()),
    sa.column("state", sa.String()),
    sa.column("payload", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
)


def upgrade() -> None:
    connection = op.get_bind()
    done = connection.execute(sa.select(outbox.c.id, outbox.c.payload).where(
        outbox.c.contact_id.is_(None), outbox.c.idempotency_key.like("web:%"),
        outbox.c.state.in_(["sent", "dead"]))).all()
    for row_id, payload in done:
        connection.execute(outbox.update().where(outbox.c.id == row_id).values(
            payload={"to": (payload or {}).get("to"), "sealed": ""}))


def downgrade() -> None:
    """What was removed cannot come back; sealed rows stay sealed."""
