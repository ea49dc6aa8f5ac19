"""admin users, audit log, curation indexes

Revision ID: efe113fe0ebb
Revises: ba92e97d9ae2
Create Date: 2026-11-28 13:18:06.728895
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = 'efe113fe0ebb'
down_revision: str | None = 'ba92e97d9ae2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('admin_users',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_users')),
    sa.UniqueConstraint('email', name=op.f('uq_admin_users_email'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('admin_id', sa.Uuid(), nullable=True),
    sa.Column('admin_email', sa.String(length=320), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target_type', sa.String(length=40), nullable=True),
    sa.Column('target_id', sa.String(length=80), nullable=True),
    sa.Column("details", sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['admin_id'], ['admin_users.id'], name=op.f('fk_audit_log_admin_id_admin_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index('ix_audit_log_created_at_id', ['created_at', 'id'], unique=False)

    with op.batch_alter_table('drawings', schema=None) as batch_op:
        batch_op.create_index('ix_drawings_flagged_created_at', ['flagged', 'created_at'], unique=False)
        batch_op.create_index('ix_drawings_quality_score_id', ['quality_score', 'id'], unique=False)
        batch_op.create_index('ix_drawings_source_created_at', ['source', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('drawings', schema=None) as batch_op:
        batch_op.drop_index('ix_drawings_source_created_at')
        batch_op.drop_index('ix_drawings_quality_score_id')
        batch_op.drop_index('ix_drawings_flagged_created_at')

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_created_at_id')
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
    op.drop_table('admin_users')
