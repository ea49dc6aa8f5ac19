"""initial schema: shape catalogue (seeded), contributor sessions, drawings

Revision ID: ba92e97d9ae2
Revises: 
Create Date: 2026-11-28 12:14:34.029677
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


revision: str = 'ba92e97d9ae2'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_SHAPES = [
    # (id, display name, closed outline)
    ("circle", "Circle", True),
    ("square", "Square", True),
    ("rectangle", "Rectangle", True),
    ("triangle", "Triangle", True),
    ("diamond", "Diamond", True),
    ("hexagon", "Hexagon", True),
    ("star", "Star", True),
    ("line", "Line", False),
    ("arrow", "Arrow", False),
    ("check", "Check mark", False),
    ("cross", "Cross", False),
    ("zigzag", "Zigzag", False),
]


def upgrade() -> None:
    op.create_table('contributor_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('drawing_count', sa.Integer(), nullable=False),
    sa.Column('today', sa.Date(), nullable=False),
    sa.Column('today_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contributor_sessions'))
    )
    op.create_table('shapes',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shapes'))
    )
    op.create_table('drawings',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('session_id', sa.String(length=64), nullable=True),
    sa.Column('shape_id', sa.String(length=40), nullable=False),
    sa.Column('blob_key', sa.String(length=200), nullable=False),
    sa.Column('canvas_width', sa.Integer(), nullable=False),
    sa.Column('canvas_height', sa.Integer(), nullable=False),
    sa.Column('stroke_count', sa.Integer(), nullable=False),
    sa.Column('point_count', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('device', sa.String(length=8), nullable=False),
    sa.Column('quality_score', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('flag_reason', sa.String(length=500), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['contributor_sessions.id'], name=op.f('fk_drawings_session_id_contributor_sessions')),
    sa.ForeignKeyConstraint(['shape_id'], ['shapes.id'], name=op.f('fk_drawings_shape_id_shapes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drawings')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_drawings_idempotency_key'))
    )
    with op.batch_alter_table('drawings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drawings_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index('ix_drawings_created_at_id', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_drawings_session_id_created_at', ['session_id', 'created_at'], unique=False)
        batch_op.create_index('ix_drawings_shape_id_created_at', ['shape_id', 'created_at'], unique=False)

    created = datetime.now(UTC)
    op.bulk_insert(
        sa.table(
            "shapes",
            sa.column("id", sa.String),
            sa.column("name", sa.String),
            sa.column("active", sa.Boolean),
            sa.column("closed", sa.Boolean),
            sa.column("position", sa.Integer),
            sa.column("created_at", sa.DateTime(timezone=True)),
        ),
        [
            {"id": id_, "name": name, "active": True, "closed": closed, "position": i, "created_at": created}
            for i, (id_, name, closed) in enumerate(DEFAULT_SHAPES)
        ],
    )



def downgrade() -> None:
    with op.batch_alter_table('drawings', schema=None) as batch_op:
        batch_op.drop_index('ix_drawings_shape_id_created_at')
        batch_op.drop_index('ix_drawings_session_id_created_at')
        batch_op.drop_index('ix_drawings_created_at_id')
        batch_op.drop_index(batch_op.f('ix_drawings_content_hash'))

    op.drop_table('drawings')
    op.drop_table('shapes')
    op.drop_table('contributor_sessions')
