"""Hardening: an authenticated audit head with the key's fingerprint, demo markers.

Existing stores keep verifying: the head's HMAC and the key fingerprint are recorded on
the first write after this upgrade (with a key that signs the last event), not here,
because migrations never see the audit key.

Revision ID: 0006_hardening
Revises: 0005_one_door
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_hardening"
down_revision = "0005_one_door"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_fingerprint", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("head_hmac", sa.String(length=64), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("demo", sa.Boolean(), server_default=sa.text("false"),
                                      nullable=False))
    op.create_table(
        "store_origin",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("made_by", sa.String(length=40), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_origin")),
    )


def downgrade() -> None:
    op.drop_table("store_origin")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("demo")
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("head_hmac")
        batch_op.drop_column("key_fingerprint")
