"""model agreement per drawing, verification tasks, assignments and votes

Every game drawing already stored gets its verification task (agreement unknown: priority 0.5).

Revision ID: 5e1d0a7c3b21
Revises: c9bcf5a85f9e
Create Date: 2026-12-05 18:42:45.837538
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '5e1d0a7c3b21'
down_revision: str | None = 'c9bcf5a85f9e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('verification_tasks',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('drawing_id', sa.Uuid(), nullable=False),
    sa.Column('shape_id', sa.String(length=40), nullable=False),
    sa.Column('session_id', sa.String(length=64), nullable=True),
    sa.Column('priority', sa.Float(), nullable=False),
    sa.Column('votes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['drawing_id'], ['drawings.id'], name=op.f('fk_verification_tasks_drawing_id_drawings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shape_id'], ['shapes.id'], name=op.f('fk_verification_tasks_shape_id_shapes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_tasks')),
    sa.UniqueConstraint('drawing_id', 'shape_id', name=op.f('uq_verification_tasks_drawing_id'))
    )
    with op.batch_alter_table('verification_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_verification_tasks_votes_priority_created_at', ['votes', 'priority', 'created_at'], unique=False)

    op.create_table('verification_assignments',
    sa.Column('session_id', sa.String(length=64), nullable=False),
    sa.Column('drawing_id', sa.Uuid(), nullable=False),
    sa.Column('task_id', sa.Uuid(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['drawing_id'], ['drawings.id'], name=op.f('fk_verification_assignments_drawing_id_drawings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['verification_tasks.id'], name=op.f('fk_verification_assignments_task_id_verification_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'drawing_id', name=op.f('pk_verification_assignments'))
    )
    with op.batch_alter_table('verification_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_assignments_task_id'), ['task_id'], unique=False)

    op.create_table('verification_votes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('task_id', sa.Uuid(), nullable=False),
    sa.Column('session_id', sa.String(length=64), nullable=False),
    sa.Column('answer', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("answer IN ('yes', 'no', 'unsure')", name=op.f('ck_verification_votes_answer')),
    sa.ForeignKeyConstraint(['task_id'], ['verification_tasks.id'], name=op.f('fk_verification_votes_task_id_verification_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_votes')),
    sa.UniqueConstraint('task_id', 'session_id', name=op.f('uq_verification_votes_task_id'))
    )
    with op.batch_alter_table('verification_votes', schema=None) as batch_op:
        batch_op.create_index('ix_verification_votes_session_id_created_at', ['session_id', 'created_at'], unique=False)

    with op.batch_alter_table('drawings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('model_agreement', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('model_shape', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('model_version', sa.Integer(), nullable=True))

    # SQLAlchemy's Uuid is 32 hex characters on SQLite and a native uuid on PostgreSQL.
    new_id = "lower(hex(randomblob(16)))" if op.get_bind().dialect.name == "sqlite" else "gen_random_uuid()"
    op.execute(
        "INSERT INTO verification_tasks (id, drawing_id, shape_id, session_id, priority, votes, created_at) "
        f"SELECT {new_id}, id, shape_id, session_id, 0.5, 0, created_at FROM drawings WHERE source = 'game'"
    )



def downgrade() -> None:
    with op.batch_alter_table('drawings', schema=None) as batch_op:
        batch_op.drop_column('model_version')
        batch_op.drop_column('model_shape')
        batch_op.drop_column('model_agreement')

    with op.batch_alter_table('verification_votes', schema=None) as batch_op:
        batch_op.drop_index('ix_verification_votes_session_id_created_at')

    op.drop_table('verification_votes')
    with op.batch_alter_table('verification_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_assignments_task_id'))

    op.drop_table('verification_assignments')
    with op.batch_alter_table('verification_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_verification_tasks_votes_priority_created_at')

    op.drop_table('verification_tasks')
