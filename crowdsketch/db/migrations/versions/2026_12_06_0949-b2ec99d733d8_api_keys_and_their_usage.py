"""api keys and their usage

Revision ID: b2ec99d733d8
Revises: 55cfbf2c6457
Create Date: 2026-12-06 09:49:50.290072
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crowdsketch.db.models


revision: str = 'b2ec99d733d8'
down_revision: str | None = '55cfbf2c6457'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('rate_per_minute', sa.Integer(), nullable=True),
    sa.Column('monthly_quota', sa.Integer(), nullable=True),
    sa.Column('allowed_origins', sa.JSON(), nullable=False),
    sa.Column('created_at', crowdsketch.db.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('revoked_at', crowdsketch.db.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', crowdsketch.db.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['admin_users.id'], name=op.f('fk_api_keys_created_by_admin_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    op.create_table('api_key_usage',
    sa.Column('key_id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('model_version', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.Integer(), nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['api_keys.id'], name=op.f('fk_api_key_usage_key_id_api_keys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key_id', 'day', 'model_version', 'bucket', name=op.f('pk_api_key_usage'))
    )


def downgrade() -> None:
    op.drop_table('api_key_usage')
    op.drop_table('api_keys')
