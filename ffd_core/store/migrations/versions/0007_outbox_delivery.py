"""Outbox delivery: who holds a message while sending it (a lease in next_attempt_at), its
stable email Message-ID, when it was last tried, whether the peer refused it for good; and
when each timed job may next run.

Rows queued before this revision are all pending (nothing delivered them), so the new
columns start empty; the worker gives each email its Message-ID at its first claim.

Revision ID: 0007_outbox_delivery
Revises: 0006_hardening
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_outbox_delivery"
down_revision = "0006_hardening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("email_message_id", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("claimed_by", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("bounced", sa.Boolean(), nullable=False,
                                   server_default=sa.text("false")))
    op.create_table(
        "timed_jobs",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_result", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_timed_jobs")),
    )


def downgrade() -> None:
    op.drop_table("timed_jobs")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("bounced")
        batch.drop_column("last_attempt_at")
        batch.drop_column("claimed_at")
        batch.drop_column("claimed_by")
        batch.drop_column("email_message_id")
