"""crowd consensus per verification task, contributor trust, label-issue scans, label history and review

Revision ID: 278dd4bfbca3
Revises: 5e1d0a7c3b21
Create Date: 2026-12-05 23:39:34.821939
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '278dd4bfbca3'
down_revision: str | None = '5e1d0a7c3b21'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('contributor_trust',
    sa.Column('session_id', sa.String(length=64), nullable=False),
    sa.Column('skill', sa.Float(), nullable=True),
    sa.Column('confirmation', sa.Float(), nullable=True),
    sa.Column('trust', sa.Float(), nullable=False),
    sa.Column('votes', sa.Integer(), nullable=False),
    sa.Column('judged_drawings', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('session_id', name=op.f('pk_contributor_trust'))
    )
    with op.batch_alter_table('contributor_trust', schema=None) as batch_op:
        batch_op.create_index('ix_contributor_trust_trust', ['trust'], unique=False)

    op.create_table('label_changes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('drawing_id', sa.Uuid(), nullable=False),
    sa.Column('from_shape', sa.String(length=40), nullable=False),
    sa.Column('to_shape', sa.String(length=40), nullable=False),
    sa.Column('admin_id', sa.Uuid(), nullable=True),
    sa.Column('admin_email', sa.String(length=320), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['admin_id'], ['admin_users.id'], name=op.f('fk_label_changes_admin_id_admin_users')),
    sa.ForeignKeyConstraint(['drawing_id'], ['drawings.id'], name=op.f('fk_label_changes_drawing_id_drawings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_changes'))
    )
    with op.batch_alter_table('label_changes', schema=None) as batch_op:
        batch_op.create_index('ix_label_changes_drawing_id_changed_at', ['drawing_id', 'changed_at'], unique=False)

    op.create_table('label_issues',
    sa.Column('job_id', sa.Uuid(), nullable=False),
    sa.Column('drawing_id', sa.Uuid(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('given_shape', sa.String(length=40), nullable=False),
    sa.Column('suggested_shape', sa.String(length=40), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['drawing_id'], ['drawings.id'], name=op.f('fk_label_issues_drawing_id_drawings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['training_jobs.id'], name=op.f('fk_label_issues_job_id_training_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', 'drawing_id', name=op.f('pk_label_issues'))
    )
    with op.batch_alter_table('label_issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_label_issues_drawing_id'), ['drawing_id'], unique=False)
        batch_op.create_index('ix_label_issues_job_id_rank', ['job_id', 'rank'], unique=False)

    with op.batch_alter_table('drawings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('verification_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consensus', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('consensus_yes', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('consensus_no', sa.Integer(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('verification_tasks', schema=None) as batch_op:
        batch_op.drop_column('consensus_no')
        batch_op.drop_column('consensus_yes')
        batch_op.drop_column('consensus')

    with op.batch_alter_table('drawings', schema=None) as batch_op:
        batch_op.drop_column('reviewed_at')

    with op.batch_alter_table('label_issues', schema=None) as batch_op:
        batch_op.drop_index('ix_label_issues_job_id_rank')
        batch_op.drop_index(batch_op.f('ix_label_issues_drawing_id'))

    op.drop_table('label_issues')
    with op.batch_alter_table('label_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_label_changes_drawing_id_changed_at')

    op.drop_table('label_changes')
    with op.batch_alter_table('contributor_trust', schema=None) as batch_op:
        batch_op.drop_index('ix_contributor_trust_trust')

    op.drop_table('contributor_trust')
