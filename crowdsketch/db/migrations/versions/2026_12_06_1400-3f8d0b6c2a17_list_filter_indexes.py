"""indexes for the drawing list's filters in combination

Chosen from EXPLAIN ANALYZE of the dashboard's list queries at 10 million drawings
(BENCHMARKS.md, "Ten million drawings"). Every list page is ordered by (created_at, id) or
(quality_score, id) and read by keyset, so each filter's index ends with the sort key and
the id: the page is the first rows of one index range, with no sort and no rows filtered
away, on the first page and on the fortieth alike.

* (shape_id, created_at, id), (flagged, created_at, id) and (source, created_at, id) take
  the place of the same indexes without `id`: the tie-breaker in the index saves the
  incremental sort of each page.
* (source, device, created_at, id) is new: a source and a device together (the rarest
  combinations, such as synthetic drawings by pen, have a row in hundreds) were read by
  walking the source's index and dropping the other devices' rows.

On PostgreSQL the indexes are built and dropped CONCURRENTLY, outside a transaction, so
that drawings keep arriving while a large table is indexed (minutes at ten million rows).
A build that fails leaves an INVALID index, which the next run drops and builds again.

Revision ID: 3f8d0b6c2a17
Revises: 7c1e5a2d9f40
Create Date: 2026-12-06 14:00:00
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = '3f8d0b6c2a17'
down_revision: str | None = '7c1e5a2d9f40'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = {
    "ix_drawings_shape_id_created_at_id": ["shape_id", "created_at", "id"],
    "ix_drawings_flagged_created_at_id": ["flagged", "created_at", "id"],
    "ix_drawings_source_created_at_id": ["source", "created_at", "id"],
    "ix_drawings_source_device_created_at_id": ["source", "device", "created_at", "id"],
}
OLD = {
    "ix_drawings_shape_id_created_at": ["shape_id", "created_at"],
    "ix_drawings_flagged_created_at": ["flagged", "created_at"],
    "ix_drawings_source_created_at": ["source", "created_at"],
}


def _postgres(create: dict[str, list[str]], drop: dict[str, list[str]]) -> None:
    bind = op.get_bind()
    with op.get_context().autocommit_block():
        for name, columns in create.items():
            valid = bind.execute(
                text("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = :n"),
                {"n": name},
            ).scalar()
            if valid is False:
                op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON drawings ({', '.join(columns)})")
        for name in drop:
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def _sqlite(create: dict[str, list[str]], drop: dict[str, list[str]]) -> None:
    for name, columns in create.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON drawings ({', '.join(columns)})")
    for name in drop:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def upgrade() -> None:
    (_postgres if op.get_bind().dialect.name == "postgresql" else _sqlite)(NEW, OLD)


def downgrade() -> None:
    (_postgres if op.get_bind().dialect.name == "postgresql" else _sqlite)(OLD, NEW)
