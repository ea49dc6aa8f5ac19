"""dataset snapshots, consent and drawing licences

Revision ID: 429c259df97e
Revises: 278dd4bfbca3
Create Date: 2026-12-06 02:42:10.826414
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '429c259df97e'
down_revision: str | None = '278dd4bfbca3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('datasets',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('filter', sa.JSON(), nullable=False),
    sa.Column('drawings', sa.Integer(), nullable=False),
    sa.Column('per_shape', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('implicit', sa.Boolean(), nullable=False),
    sa.Column('withdrawn', sa.Integer(), nullable=False),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['admin_users.id'], name=op.f('fk_datasets_created_by_admin_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_datasets')),
    sa.UniqueConstraint('name', name=op.f('uq_datasets_name'))
    )
    op.create_table('dataset_items',
    sa.Column('dataset_id', sa.Uuid(), nullable=False),
    sa.Column('drawing_id', sa.Uuid(), nullable=False),
    sa.Column('shape_id', sa.String(length=40), nullable=False),
    sa.Column('blob_key', sa.String(length=200), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('session_id', sa.String(length=64), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('licence', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_dataset_items_dataset_id_datasets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_id', 'drawing_id', name=op.f('pk_dataset_items'))
    )
    with op.batch_alter_table('dataset_items', schema=None) as batch_op:
        batch_op.create_index('ix_dataset_items_blob_key', ['blob_key'], unique=False)
        batch_op.create_index('ix_dataset_items_session_id', ['session_id'], unique=False)

    with op.batch_alter_table('contributor_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_version', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('consented_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('drawings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('licence', sa.String(length=80), nullable=True))

    with op.batch_alter_table('training_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dataset_id', sa.Uuid(), nullable=True))

    with op.batch_alter_table('models', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dataset_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_models_dataset_id'), ['dataset_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_models_dataset_id_datasets'), 'datasets', ['dataset_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('models', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_models_dataset_id_datasets'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_models_dataset_id'))
        batch_op.drop_column('dataset_id')

    with op.batch_alter_table('training_jobs', schema=None) as batch_op:
        batch_op.drop_column('dataset_id')

    with op.batch_alter_table('drawings', schema=None) as batch_op:
        batch_op.drop_column('licence')

    with op.batch_alter_table('contributor_sessions', schema=None) as batch_op:
        batch_op.drop_column('consented_at')
        batch_op.drop_column('consent_version')

    with op.batch_alter_table('dataset_items', schema=None) as batch_op:
        batch_op.drop_index('ix_dataset_items_session_id')
        batch_op.drop_index('ix_dataset_items_blob_key')

    op.drop_table('dataset_items')
    op.drop_table('datasets')
