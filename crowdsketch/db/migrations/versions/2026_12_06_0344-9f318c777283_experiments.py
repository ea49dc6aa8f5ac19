"""experiments

Revision ID: 9f318c777283
Revises: 429c259df97e
Create Date: 2026-12-06 03:44:04.742676
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '9f318c777283'
down_revision: str | None = '429c259df97e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('experiments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('control_model_id', sa.Uuid(), nullable=False),
    sa.Column('treatment_model_id', sa.Uuid(), nullable=False),
    sa.Column('share', sa.Float(), nullable=False),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.Column('min_p', sa.Float(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['control_model_id'], ['models.id'], name=op.f('fk_experiments_control_model_id_models')),
    sa.ForeignKeyConstraint(['created_by'], ['admin_users.id'], name=op.f('fk_experiments_created_by_admin_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['treatment_model_id'], ['models.id'], name=op.f('fk_experiments_treatment_model_id_models')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experiments'))
    )
    with op.batch_alter_table('experiments', schema=None) as batch_op:
        batch_op.create_index('uq_experiments_running', ['status'], unique=True, postgresql_where=sa.text("status = 'running'"), sqlite_where=sa.text("status = 'running'"))

    op.create_table('experiment_outcomes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('experiment_id', sa.Uuid(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('prediction_id', sa.String(length=64), nullable=True),
    sa.Column('arm', sa.String(length=16), nullable=True),
    sa.Column('predicted_shape', sa.String(length=40), nullable=True),
    sa.Column('drawing_id', sa.Uuid(), nullable=True),
    sa.Column('control_shape', sa.String(length=40), nullable=True),
    sa.Column('treatment_shape', sa.String(length=40), nullable=True),
    sa.Column('truth', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_experiment_outcomes_experiment_id_experiments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experiment_outcomes')),
    sa.UniqueConstraint('prediction_id', name=op.f('uq_experiment_outcomes_prediction_id'))
    )
    with op.batch_alter_table('experiment_outcomes', schema=None) as batch_op:
        batch_op.create_index('ix_experiment_outcomes_experiment_id_source', ['experiment_id', 'source'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('experiment_outcomes', schema=None) as batch_op:
        batch_op.drop_index('ix_experiment_outcomes_experiment_id_source')

    op.drop_table('experiment_outcomes')
    with op.batch_alter_table('experiments', schema=None) as batch_op:
        batch_op.drop_index('uq_experiments_running', postgresql_where=sa.text("status = 'running'"), sqlite_where=sa.text("status = 'running'"))

    op.drop_table('experiments')
