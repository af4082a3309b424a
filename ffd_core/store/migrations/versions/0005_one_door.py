"""One door: idempotency keys scoped to the submitting agency, with a content digest;
replies held with the decision they belong to; who sent a reply from the referrer's side.

Existing keyed contacts take the scope of their referrer's agency ("system" without one);
their digest is unknown, so a retry of one of them is answered as a duplicate only if it
also carries no digest (never: retries of pre-upgrade submissions are refused as a
conflict, which is the safe side — the key was used).

Revision ID: 0005_one_door
Revises: 0004_person_index_state
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_one_door"
down_revision = "0004_person_index_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("idempotency_scope", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("idempotency_fingerprint", sa.String(length=64), nullable=True))
        batch.drop_constraint("uq_contacts_idempotency_key", type_="unique")
        batch.create_unique_constraint("uq_contacts_idempotency_scope_key",
                                       ["idempotency_scope", "idempotency_key"])
    op.execute(
        "UPDATE contacts SET idempotency_scope = CASE WHEN referrer_agency_id IS NULL "
        "THEN 'system' ELSE 'agency:' || CAST(referrer_agency_id AS VARCHAR(20)) END "
        "WHERE idempotency_key IS NOT NULL"
    )
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("sender", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("state", sa.String(length=20), nullable=False,
                                   server_default="current"))
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("reply_message_id", sa.BigInteger(), nullable=True))
        batch.create_foreign_key("fk_decisions_reply_message_id_messages", "messages",
                                 ["reply_message_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_constraint("fk_decisions_reply_message_id_messages", type_="foreignkey")
        batch.drop_column("reply_message_id")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("state")
        batch.drop_column("sender")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_constraint("uq_contacts_idempotency_scope_key", type_="unique")
        batch.create_unique_constraint("uq_contacts_idempotency_key", ["idempotency_key"])
        batch.drop_column("idempotency_fingerprint")
        batch.drop_column("idempotency_scope")
