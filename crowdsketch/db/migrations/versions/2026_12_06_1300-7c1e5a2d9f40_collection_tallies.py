"""collection tallies kept by triggers

The Overview, the drawing list's totals and the next prompt read counts from three small
tables instead of counting `drawings`. Triggers write them in the same transaction as the
change they count, on every path that writes drawings (the ingest statement, imports,
curation, relabels, withdrawals, cascades, hand-written SQL). A count is the sum of its
key's rows.

* PostgreSQL: statement-level triggers with transition tables append one row per key a
  statement changed (its delta): a bulk statement (an import, a bulk flag, a withdrawal)
  adds one grouped row per key, not one per drawing. Appending, never updating, means no
  counter row is locked: concurrent submissions do not queue behind one another, and
  transactions of several statements (a withdrawal, an import naming new writers) cannot
  deadlock on counter rows taken in different orders, as upserts did. The worker folds each
  key's rows into one every few seconds (`crowdsketch.common.tallies.fold`), so readers sum
  a few thousand rows at most. No primary key: the rows are deltas.
* SQLite: row-level triggers (it has no others) upsert one row per key; one writer at a
  time, so nothing to contend for, and nothing to fold.

A future migration that rebuilds `drawings` on SQLite (batch mode copies the table) drops
its triggers: re-create them there (`crowdsketch doctor` reports the drift they leave).

Revision ID: 7c1e5a2d9f40
Revises: b2ec99d733d8
Create Date: 2026-12-06 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '7c1e5a2d9f40'
down_revision: str | None = 'b2ec99d733d8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Bin i holds [i/10, (i+1)/10); the last also holds 1.0 (as the Overview's histogram).
_BIN = "CASE " + " ".join(f"WHEN {{q}} < {(i + 1) / 10!r} THEN {i}" for i in range(9)) + " ELSE 9 END"

def _pg_function(name: str, changes: str) -> str:
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH changes AS ({changes}),
  tallies AS (
    INSERT INTO drawing_tallies (shape_id, source, device, flagged, quality_bin, total)
    SELECT shape_id, source, device, flagged, drawing_quality_bin(quality_score), sum(n)
    FROM changes GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0
  )
  INSERT INTO drawing_days (day, shape_id, total)
  SELECT (created_at AT TIME ZONE 'UTC')::date, shape_id, sum(n)
  FROM changes GROUP BY 1, 2 HAVING sum(n) <> 0;
  RETURN NULL;
END $$;
"""


_COLUMNS = "shape_id, source, device, flagged, quality_score, created_at"
_PG_SESSIONS = [
    """CREATE FUNCTION contributor_sessions_count_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT count(*) INTO delta FROM new_rows;
  ELSE
    SELECT -count(*) INTO delta FROM old_rows;
  END IF;
  IF delta <> 0 THEN
    INSERT INTO collection_counts (name, total) VALUES ('contributor_sessions', delta);
  END IF;
  RETURN NULL;
END $$""",
    """CREATE FUNCTION drawings_tally_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM drawing_tallies;
  DELETE FROM drawing_days;
  RETURN NULL;
END $$""",
    """CREATE FUNCTION contributor_sessions_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM collection_counts WHERE name = 'contributor_sessions';
  RETURN NULL;
END $$""",
    """CREATE TRIGGER drawings_tally_insert AFTER INSERT ON drawings
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION drawings_tally_insert()""",
    """CREATE TRIGGER drawings_tally_update AFTER UPDATE ON drawings
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION drawings_tally_update()""",
    """CREATE TRIGGER drawings_tally_delete AFTER DELETE ON drawings
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION drawings_tally_delete()""",
    """CREATE TRIGGER drawings_tally_truncate AFTER TRUNCATE ON drawings
  FOR EACH STATEMENT EXECUTE FUNCTION drawings_tally_truncate()""",
    """CREATE TRIGGER contributor_sessions_count_insert AFTER INSERT ON contributor_sessions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contributor_sessions_count_changes()""",
    """CREATE TRIGGER contributor_sessions_count_delete AFTER DELETE ON contributor_sessions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION contributor_sessions_count_changes()""",
    """CREATE TRIGGER contributor_sessions_count_truncate AFTER TRUNCATE ON contributor_sessions
  FOR EACH STATEMENT EXECUTE FUNCTION contributor_sessions_count_truncate()""",
]


def _sqlite_upserts(row: str, n: str) -> str:
    bin_ = _BIN.format(q=f"{row}.quality_score")
    return f"""
  INSERT INTO drawing_tallies (shape_id, source, device, flagged, quality_bin, total)
  VALUES ({row}.shape_id, {row}.source, {row}.device, {row}.flagged, {bin_}, {n})
  ON CONFLICT (shape_id, source, device, flagged, quality_bin) DO UPDATE SET total = total + excluded.total;
  INSERT INTO drawing_days (day, shape_id, total) VALUES (date({row}.created_at), {row}.shape_id, {n})
  ON CONFLICT (day, shape_id) DO UPDATE SET total = total + excluded.total;"""


_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER drawings_tally_insert AFTER INSERT ON drawings BEGIN {_sqlite_upserts('NEW', '1')} END",
    f"CREATE TRIGGER drawings_tally_delete AFTER DELETE ON drawings BEGIN {_sqlite_upserts('OLD', '-1')} END",
    f"""CREATE TRIGGER drawings_tally_update AFTER UPDATE OF {_COLUMNS} ON drawings
    WHEN OLD.shape_id IS NOT NEW.shape_id OR OLD.source IS NOT NEW.source OR OLD.device IS NOT NEW.device
      OR OLD.flagged IS NOT NEW.flagged OR OLD.quality_score IS NOT NEW.quality_score
      OR OLD.created_at IS NOT NEW.created_at
    BEGIN {_sqlite_upserts('OLD', '-1')} {_sqlite_upserts('NEW', '1')} END""",
    """CREATE TRIGGER contributor_sessions_count_insert AFTER INSERT ON contributor_sessions BEGIN
  INSERT INTO collection_counts (name, total) VALUES ('contributor_sessions', 1)
  ON CONFLICT (name) DO UPDATE SET total = total + 1; END""",
    """CREATE TRIGGER contributor_sessions_count_delete AFTER DELETE ON contributor_sessions BEGIN
  UPDATE collection_counts SET total = total - 1 WHERE name = 'contributor_sessions'; END""",
]


def _fill(dialect: str) -> list[str]:
    """The counts of what is there already."""
    day = "(created_at AT TIME ZONE 'UTC')::date" if dialect == "postgresql" else "date(created_at)"
    return [
        f"""INSERT INTO drawing_tallies (shape_id, source, device, flagged, quality_bin, total)
        SELECT shape_id, source, device, flagged, {_BIN.format(q='quality_score')}, count(*)
        FROM drawings GROUP BY 1, 2, 3, 4, 5""",
        f"INSERT INTO drawing_days (day, shape_id, total) SELECT {day}, shape_id, count(*) FROM drawings GROUP BY 1, 2",
        "INSERT INTO collection_counts (name, total) SELECT 'contributor_sessions', count(*) FROM contributor_sessions",
    ]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    keyed = dialect != "postgresql"  # PostgreSQL's rows are deltas, summed per key

    def key(*columns: str, name: str) -> list[sa.PrimaryKeyConstraint]:
        return [sa.PrimaryKeyConstraint(*columns, name=name)] if keyed else []

    op.create_table('drawing_tallies',
    sa.Column('shape_id', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('device', sa.String(length=8), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('quality_bin', sa.SmallInteger(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    *key('shape_id', 'source', 'device', 'flagged', 'quality_bin', name=op.f('pk_drawing_tallies'))
    )
    op.create_table('drawing_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('shape_id', sa.String(length=40), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    *key('day', 'shape_id', name=op.f('pk_drawing_days'))
    )
    op.create_table('collection_counts',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    *key('name', name=op.f('pk_collection_counts'))
    )
    if not keyed:
        op.create_index('ix_drawing_days_day_shape_id', 'drawing_days', ['day', 'shape_id'])
    if dialect == "postgresql":
        op.execute("LOCK TABLE drawings, contributor_sessions IN SHARE MODE")  # the fill counts what the triggers then follow
        op.execute(f"""CREATE FUNCTION drawing_quality_bin(q double precision) RETURNS smallint
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ({_BIN.format(q='q')})::smallint $$""")
        op.execute(_pg_function("drawings_tally_insert", f"SELECT {_COLUMNS}, 1 AS n FROM new_rows"))
        op.execute(_pg_function("drawings_tally_delete", f"SELECT {_COLUMNS}, -1 AS n FROM old_rows"))
        op.execute(_pg_function(
            "drawings_tally_update",
            f"SELECT {_COLUMNS}, 1 AS n FROM new_rows UNION ALL SELECT {_COLUMNS}, -1 AS n FROM old_rows",
        ))
        for statement in _PG_SESSIONS:
            op.execute(statement)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
    for statement in _fill(dialect):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger, table in [("drawings_tally_insert", "drawings"), ("drawings_tally_update", "drawings"),
                               ("drawings_tally_delete", "drawings"), ("drawings_tally_truncate", "drawings"),
                               ("contributor_sessions_count_insert", "contributor_sessions"),
                               ("contributor_sessions_count_delete", "contributor_sessions"),
                               ("contributor_sessions_count_truncate", "contributor_sessions")]:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        for function in ["drawings_tally_insert", "drawings_tally_update", "drawings_tally_delete",
                         "drawings_tally_truncate", "contributor_sessions_count_changes",
                         "contributor_sessions_count_truncate"]:
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
        op.execute("DROP FUNCTION IF EXISTS drawing_quality_bin(double precision)")
    else:
        for trigger in ["drawings_tally_insert", "drawings_tally_delete", "drawings_tally_update",
                        "contributor_sessions_count_insert", "contributor_sessions_count_delete"]:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.drop_table('collection_counts')
    op.drop_table('drawing_days')
    op.drop_table('drawing_tallies')
