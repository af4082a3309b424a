"""Person index: every name a source record carries (preferred forename and surname,
known-as name, previous surnames) and a second address line.

Existing records get none of them (previous surnames: an empty list); the search-key
scheme moves to 3, so `ffd people reindex` is asked for.

Revision ID: 0009_person_index_names
Revises: 0008_web
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0009_person_index_names"
down_revision = "0008_web"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("source_records") as batch:
        batch.add_column(sa.Column("preferred_given_name", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("preferred_family_name", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("known_as", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("previous_family_names", JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("address_line2", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source_records") as batch:
        for name in ("address_line2", "previous_family_names", "known_as", "preferred_family_name",
                     "preferred_given_name"):
            batch.drop_column(name)
