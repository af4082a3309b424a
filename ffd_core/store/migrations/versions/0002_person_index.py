"""Person index: source records, search keys, scored links, officers' decisions, linkage runs, sync cursors.

Revision ID: 0002_person_index
Revises: 0001_foundation
Create Date: 2026-11-26 15:28:16.958295
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002_person_index'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Trigram operator class for the name indexes (prefix and misspelt-name search).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('person_linkage_runs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('links', sa.Integer(), nullable=False),
    sa.Column('possible_matches', sa.Integer(), nullable=False),
    sa.Column('model', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('thresholds', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_linkage_runs'))
    )
    op.create_table('person_sync_cursors',
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('changed_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('run_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('page_token', sa.String(length=200), nullable=True),
    sa.Column('records_seen', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_person_sync_cursors'))
    )
    op.create_table('source_records',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('source_id', sa.String(length=80), nullable=False),
    sa.Column('given_name', sa.String(length=120), nullable=False),
    sa.Column('middle_name', sa.String(length=120), nullable=True),
    sa.Column('family_name', sa.String(length=120), nullable=False),
    sa.Column('aliases', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('gender', sa.String(length=10), nullable=True),
    sa.Column('ethnicity', sa.String(length=8), nullable=True),
    sa.Column('address_line1', sa.String(length=200), nullable=True),
    sa.Column('town', sa.String(length=120), nullable=True),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('previous_postcodes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('nhs_number', sa.String(length=10), nullable=True),
    sa.Column('upn', sa.String(length=13), nullable=True),
    sa.Column('school', sa.String(length=200), nullable=True),
    sa.Column('year_group', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('given_key', sa.String(length=120), nullable=False),
    sa.Column('family_key', sa.String(length=120), nullable=False),
    sa.Column('person_id', sa.String(length=24), nullable=True),
    sa.Column('match_score', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_records')),
    sa.UniqueConstraint('source', 'source_id', name=op.f('uq_source_records_source'))
    )
    with op.batch_alter_table('source_records', schema=None) as batch_op:
        batch_op.create_index('ix_source_records_family_key', ['family_key'], unique=False, postgresql_using='gin', postgresql_ops={'family_key': 'gin_trgm_ops'})
        batch_op.create_index('ix_source_records_given_key', ['given_key'], unique=False, postgresql_using='gin', postgresql_ops={'given_key': 'gin_trgm_ops'})
        batch_op.create_index(batch_op.f('ix_source_records_nhs_number'), ['nhs_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_source_records_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_source_records_postcode'), ['postcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_source_records_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_source_records_upn'), ['upn'], unique=False)

    op.create_table('person_link_decisions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('record_a_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('record_b_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('same', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['record_a_id'], ['source_records.id'], name=op.f('fk_person_link_decisions_record_a_id_source_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_b_id'], ['source_records.id'], name=op.f('fk_person_link_decisions_record_b_id_source_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_link_decisions')),
    sa.UniqueConstraint('record_a_id', 'record_b_id', name=op.f('uq_person_link_decisions_record_a_id'))
    )
    with op.batch_alter_table('person_link_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_link_decisions_record_b_id'), ['record_b_id'], unique=False)

    op.create_table('person_link_pairs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('record_a_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('record_b_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reasons', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['record_a_id'], ['source_records.id'], name=op.f('fk_person_link_pairs_record_a_id_source_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_b_id'], ['source_records.id'], name=op.f('fk_person_link_pairs_record_b_id_source_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_link_pairs')),
    sa.UniqueConstraint('record_a_id', 'record_b_id', name=op.f('uq_person_link_pairs_record_a_id'))
    )
    with op.batch_alter_table('person_link_pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_link_pairs_record_b_id'), ['record_b_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_link_pairs_status'), ['status'], unique=False)

    op.create_table('person_search_keys',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('record_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['source_records.id'], name=op.f('fk_person_search_keys_record_id_source_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', 'record_id', name=op.f('pk_person_search_keys')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('person_search_keys', schema=None) as batch_op:
        batch_op.create_index('ix_person_search_keys_record_id', ['record_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('person_search_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_person_search_keys_record_id')

    op.drop_table('person_search_keys')
    with op.batch_alter_table('person_link_pairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_link_pairs_status'))
        batch_op.drop_index(batch_op.f('ix_person_link_pairs_record_b_id'))

    op.drop_table('person_link_pairs')
    with op.batch_alter_table('person_link_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_link_decisions_record_b_id'))

    op.drop_table('person_link_decisions')
    with op.batch_alter_table('source_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_records_upn'))
        batch_op.drop_index(batch_op.f('ix_source_records_source_id'))
        batch_op.drop_index(batch_op.f('ix_source_records_postcode'))
        batch_op.drop_index(batch_op.f('ix_source_records_person_id'))
        batch_op.drop_index(batch_op.f('ix_source_records_nhs_number'))
        batch_op.drop_index('ix_source_records_given_key', postgresql_using='gin', postgresql_ops={'given_key': 'gin_trgm_ops'})
        batch_op.drop_index('ix_source_records_family_key', postgresql_using='gin', postgresql_ops={'family_key': 'gin_trgm_ops'})

    op.drop_table('source_records')
    op.drop_table('person_sync_cursors')
    op.drop_table('person_linkage_runs')
