"""The web endpoint and partner API: one-time links and codes, drafts and their documents,
agencies’ API keys.

Revision ID: 0008_web
Revises: 0007_outbox_delivery
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0008_web"
down_revision = "0007_outbox_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("api_keys",
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("agency_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("prefix", sa.String(length=16), nullable=False),
    sa.Column("key_hash", sa.String(length=64), nullable=False),
    sa.Column("label", sa.String(length=200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_api_keys_agency_id_agencies")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
    sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix"))
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_agency_id"), ["agency_id"], unique=False)

    op.create_table("web_drafts",
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("key", sa.String(length=32), nullable=False),
    sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("agency_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("kind", sa.String(length=40), nullable=False),
    sa.Column("form_id", sa.String(length=60), nullable=False),
    sa.Column("form_version", sa.Integer(), nullable=False),
    sa.Column("content_hash", sa.String(length=64), nullable=False),
    sa.Column("answers", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_web_drafts_agency_id_agencies")),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_web_drafts_user_id_users")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_web_drafts")),
    sa.UniqueConstraint("key", name=op.f("uq_web_drafts_key"))
    )
    with op.batch_alter_table("web_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_drafts_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index("ix_web_drafts_user_updated", ["user_id", "updated_at"], unique=False)

    op.create_table("web_tokens",
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("purpose", sa.String(length=20), nullable=False),
    sa.Column("token_hash", sa.String(length=64), nullable=False),
    sa.Column("email", sa.String(length=320), nullable=False),
    sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    sa.Column("data", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_web_tokens_user_id_users")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_web_tokens")),
    sa.UniqueConstraint("token_hash", name=op.f("uq_web_tokens_token_hash"))
    )
    with op.batch_alter_table("web_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_web_tokens_purpose_email", ["purpose", "email"], unique=False)

    op.create_table("web_draft_attachments",
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("draft_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("filename", sa.String(length=255), nullable=False),
    sa.Column("media_type", sa.String(length=120), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("sha256", sa.String(length=64), nullable=False),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["draft_id"], ["web_drafts.id"], name=op.f("fk_web_draft_attachments_draft_id_web_drafts"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_web_draft_attachments"))
    )
    with op.batch_alter_table("web_draft_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_draft_attachments_draft_id"), ["draft_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("web_draft_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_draft_attachments_draft_id"))

    op.drop_table("web_draft_attachments")
    with op.batch_alter_table("web_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_web_tokens_purpose_email")

    op.drop_table("web_tokens")
    with op.batch_alter_table("web_drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_web_drafts_user_updated")
        batch_op.drop_index(batch_op.f("ix_web_drafts_expires_at"))

    op.drop_table("web_drafts")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_agency_id"))

    op.drop_table("api_keys")
