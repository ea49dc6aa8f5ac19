"""one unfinished training job per config

Revision ID: a0bbd61aad93
Revises: d3370bb7437f
Create Date: 2026-11-28 15:06:20.011666
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


revision: str = 'a0bbd61aad93'
down_revision: str | None = 'd3370bb7437f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNFINISHED = ("pending", "queued", "running")
UNFINISHED_JOB = sa.text("status IN ('pending', 'queued', 'running')")

training_jobs = sa.table(
    "training_jobs",
    sa.column("id", sa.Uuid()),
    sa.column("config_hash", sa.String()),
    sa.column("status", sa.String()),
    sa.column("error", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("finished_at", sa.DateTime(timezone=True)),
)


def _cancel_duplicates() -> None:
    """Before the index: of the unfinished jobs sharing a config (started by a race), keep
    the furthest along (running, then queued, then pending; the oldest of equals) and cancel
    the others."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(training_jobs.c.id, training_jobs.c.config_hash, training_jobs.c.status)
        .where(training_jobs.c.status.in_(UNFINISHED))
        .order_by(training_jobs.c.created_at, training_jobs.c.id)
    ).all()
    kept: dict[str, tuple[int, object]] = {}
    duplicates = []
    for job_id, digest, status in rows:
        rank = UNFINISHED.index(status)
        if digest not in kept:
            kept[digest] = (rank, job_id)
        elif rank > kept[digest][0]:
            duplicates.append(kept[digest][1])
            kept[digest] = (rank, job_id)
        else:
            duplicates.append(job_id)
    if duplicates:
        bind.execute(
            sa.update(training_jobs)
            .where(training_jobs.c.id.in_(duplicates))
            .values(status="cancelled", error="a duplicate of an unfinished job with the same config",
                    finished_at=datetime.now(UTC))
        )


def upgrade() -> None:
    _cancel_duplicates()
    with op.batch_alter_table('training_jobs', schema=None) as batch_op:
        batch_op.create_index(
            'uq_training_jobs_config_hash_unfinished', ['config_hash'], unique=True,
            postgresql_where=UNFINISHED_JOB, sqlite_where=UNFINISHED_JOB,
        )


def downgrade() -> None:
    with op.batch_alter_table('training_jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_training_jobs_config_hash_unfinished')
