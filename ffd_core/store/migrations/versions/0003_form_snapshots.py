"""Form snapshots: the exact definition each submission was made with.

Revision ID: 0003_form_snapshots
Revises: 0002_person_index
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0003_form_snapshots"
down_revision = "0002_person_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_snapshots",
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("form_id", sa.String(length=60), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("definition", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()),
                                                       "postgresql"), nullable=False),
        sa.Column("first_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("content_hash", name=op.f("pk_form_snapshots")),
    )
    with op.batch_alter_table("form_snapshots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_snapshots_form_id"), ["form_id"], unique=False)


def downgrade() -> None:
    op.drop_table("form_snapshots")
