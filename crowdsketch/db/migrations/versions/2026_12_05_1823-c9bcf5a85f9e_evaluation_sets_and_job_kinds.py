"""evaluation sets, model evaluations, and job kinds

Revision ID: c9bcf5a85f9e
Revises: a0bbd61aad93
Create Date: 2026-12-05 18:23:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'c9bcf5a85f9e'
down_revision: str | None = 'a0bbd61aad93'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('training_jobs', schema=None) as batch_op:
        # Every job before this one trained a model.
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='train', nullable=False))

    op.create_table('eval_sets',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('drawings', sa.Integer(), nullable=False),
    sa.Column('shapes', sa.JSON(), nullable=False),
    sa.Column('blob_key', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['admin_users.id'], name=op.f('fk_eval_sets_created_by_admin_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eval_sets')),
    sa.UniqueConstraint('name', name=op.f('uq_eval_sets_name'))
    )
    op.create_table('eval_set_drawings',
    sa.Column('eval_set_id', sa.Uuid(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['eval_set_id'], ['eval_sets.id'], name=op.f('fk_eval_set_drawings_eval_set_id_eval_sets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('eval_set_id', 'content_hash', name=op.f('pk_eval_set_drawings'))
    )
    with op.batch_alter_table('eval_set_drawings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eval_set_drawings_content_hash'), ['content_hash'], unique=False)

    op.create_table('model_evaluations',
    sa.Column('model_id', sa.Uuid(), nullable=False),
    sa.Column('eval_set_id', sa.Uuid(), nullable=False),
    sa.Column('accuracy', sa.Float(), nullable=False),
    sa.Column('drawings', sa.Integer(), nullable=False),
    sa.Column('per_class', sa.JSON(), nullable=False),
    sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['eval_set_id'], ['eval_sets.id'], name=op.f('fk_model_evaluations_eval_set_id_eval_sets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['model_id'], ['models.id'], name=op.f('fk_model_evaluations_model_id_models'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('model_id', 'eval_set_id', name=op.f('pk_model_evaluations'))
    )


def downgrade() -> None:
    op.drop_table('model_evaluations')
    with op.batch_alter_table('eval_set_drawings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eval_set_drawings_content_hash'))
    op.drop_table('eval_set_drawings')
    op.drop_table('eval_sets')
    with op.batch_alter_table('training_jobs', schema=None) as batch_op:
        batch_op.drop_column('kind')
