"""Person index state: which search-key scheme the records are filed under.

Stores that already hold source records were filed under scheme 1 (before the name-initial
keys); `ffd people reindex` re-files them under the current scheme.

Revision ID: 0004_person_index_state
Revises: 0003_form_snapshots
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_person_index_state"
down_revision = "0003_form_snapshots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    state = op.create_table(
        "person_index_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_scheme", sa.Integer(), nullable=False),
        sa.Column("refiled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_index_state")),
    )
    if op.get_bind().execute(sa.text("SELECT 1 FROM source_records LIMIT 1")).first():
        op.bulk_insert(state, [{"id": 1, "key_scheme": 1, "refiled_at": None}])


def downgrade() -> None:
    op.drop_table("person_index_state")
