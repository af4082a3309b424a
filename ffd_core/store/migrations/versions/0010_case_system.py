"""Case-system pushes and secure-email intake: one transfer row per decided child and
period (with the ids the case system returned), every inbound email (accepted or in
quarantine), and contacts that arrived unstructured (to complete).

Contacts stored before this revision were all complete (to_complete false). Decisions made
before it were queued as one push per contact, which no worker ever sent; they stay in the
outbox untouched (no sender claims their old key shape).

Revision ID: 0010_case_system
Revises: 0009_person_index_names
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0010_case_system"
down_revision = "0009_person_index_names"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("to_complete", sa.Boolean(), nullable=False,
                                   server_default=sa.text("false")))
    op.create_table(
        "case_system_transfers",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("contact_id", BigId, sa.ForeignKey("contacts.id", name=op.f("fk_case_system_transfers_contact_id_contacts")), nullable=False),
        sa.Column("child_id", BigId, sa.ForeignKey("contact_people.id", name=op.f("fk_case_system_transfers_child_id_contact_people")), nullable=False),
        sa.Column("clock_period", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("case_person_id", sa.String(length=80), nullable=True),
        sa.Column("new_person", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("round", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.Column("confirmed_by_id", BigId, sa.ForeignKey("users.id", name=op.f("fk_case_system_transfers_confirmed_by_id_users")), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("case_contact_id", sa.String(length=80), nullable=True),
        sa.Column("episode_id", sa.String(length=80), nullable=True),
        sa.Column("transferred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("contact_id", "child_id", "clock_period",
                            name=op.f("uq_case_system_transfers_contact_id")),
    )
    op.create_index(op.f("ix_case_system_transfers_contact_id"), "case_system_transfers", ["contact_id"])
    op.create_index(op.f("ix_case_system_transfers_state"), "case_system_transfers", ["state"])
    op.create_table(
        "inbound_emails",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("peer", sa.String(length=64), nullable=False),
        sa.Column("mail_from", sa.String(length=320), nullable=False),
        sa.Column("recipients", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                  nullable=False),
        sa.Column("from_address", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("contact_id", BigId, sa.ForeignKey("contacts.id", name=op.f("fk_inbound_emails_contact_id_contacts")), nullable=True),
        sa.Column("named_reference", sa.String(length=20), nullable=True),
        sa.Column("decided_by_id", BigId, sa.ForeignKey("users.id", name=op.f("fk_inbound_emails_decided_by_id_users")), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
    )
    op.create_index(op.f("ix_inbound_emails_contact_id"), "inbound_emails", ["contact_id"])
    op.create_index(op.f("ix_inbound_emails_sha256"), "inbound_emails", ["sha256"])
    op.create_index("ix_inbound_emails_state", "inbound_emails", ["state", "received_at"])


def downgrade() -> None:
    op.drop_table("inbound_emails")
    op.drop_table("case_system_transfers")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("to_complete")
