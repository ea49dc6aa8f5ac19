"""Loading N drawings for the scale benchmark (bench/scale.py) into the schema the migrations
make, as fast as the database allows.

PostgreSQL (database `crowdsketch_scale_<rows>`): the drawings table's secondary indexes are
dropped (definitions from `pg_indexes`, kept in the data dir), the rows made by `INSERT ...
SELECT ... FROM generate_series`, a million a transaction, with `session_replication_role =
replica` (no foreign-key checks, no counter triggers: the rows are valid by construction and
the counters are recounted at the end), the indexes re-created, the sessions made from the
drawings, then VACUUM ANALYZE. SQLite (`<data dir>/crowdsketch_scale_<rows>_sqlite`): the same
rows made in Python, executemany, a million a transaction, its indexes and triggers dropped
meanwhile and re-created from their SQL; no ANALYZE, as the embedded stack never runs one (its
planner has no sqlite_stat1). Then `crowdsketch.common.tallies.recount`, if it exists.

The rows: random UUIDs; created_at over the last 365 days, denser towards today (~ exp(-age /
180 days): 5x a day now than a year ago), in time order on disk as a live table fills; shapes
uneven (circle 15% ... star 3%); mouse/touch/pen 60/30/10%; game/import/synthetic 85/10/5%
(game drawings have a session; all but synthetic a licence); quality u^0.35 (median 0.78, 77%
at or above 0.6); 3% flagged with a reason; unique 64-hex content hashes. N/20 sessions that
agreed to terms "1", skewed (session i draws ~ 1/sqrt(i): a few heavy contributors, most 10-20
drawings). Rows cycle through ~1,000 real stroke blobs of their shape (`crowdsketch.synthetic`,
put through the blob port) and copy their canvas, stroke and point counts and duration.
"""

from __future__ import annotations

import asyncio
import bisect
import hashlib
import itertools
import json
import math
import random
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bench.stacks import PG_SERVER, pg_execute

if TYPE_CHECKING:
    from bench.scale import Target

BATCH = 1_000_000
BLOBS_PER_SHAPE = 84  # x 12 shapes = 1,008 stroke blobs
SHAPE_WEIGHTS = {"circle": .15, "square": .12, "triangle": .11, "rectangle": .10, "line": .09, "cross": .08,
                 "check": .08, "arrow": .07, "diamond": .06, "zigzag": .06, "hexagon": .05, "star": .03}
FLAG_REASONS = ("scribble", "wrong shape", "not a drawing")
LICENCE = "CC BY 4.0"
TERMS_VERSION = "1"
TAU_DAYS, SPAN_DAYS = 180.0, 365.0
SPAN_CDF = 1 - math.exp(-SPAN_DAYS / TAU_DAYS)


def age_days(u: float) -> float:
    """Inverse CDF of the age: u=0 now, u=1 a year ago; density ~ exp(-age / TAU)."""
    return -TAU_DAYS * math.log(1 - u * SPAN_CDF)


def session_id(index: int) -> str:
    """The same id as the SQL `md5('scale-session-' || i)::uuid::text`."""
    return str(uuid.UUID(hashlib.md5(f"scale-session-{index}".encode()).hexdigest()))


@contextmanager
def step(label: str, rows: int = 0, indent: int = 2) -> Iterator[None]:
    """Prints how long the block took (and rows/s) once it is done."""
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    rate = f" ({rows / seconds:,.0f} rows/s)" if rows else ""
    print(f"{' ' * indent}{label}: {seconds:.1f} s{rate}", flush=True)


# --- Stroke blobs and shapes.

@dataclass(frozen=True)
class Sample:
    blob_key: str
    width: int
    height: int
    strokes: int
    points: int
    duration_ms: int


def write_samples(target: Target, shapes: list[str]) -> dict[str, list[Sample]]:
    """BLOBS_PER_SHAPE synthetic drawings of each shape, put through the blob port."""
    from crowdsketch.ports.blob import blob_store_from_url
    from crowdsketch.synthetic import SHAPES as KNOWN, synthetic_drawing

    samples: dict[str, list[Sample]] = {}
    blobs: list[tuple[str, bytes]] = []
    for shape in shapes:
        drawn = shape if shape in KNOWN else "circle"  # a shape the generator does not know looks like a circle
        for i in range(BLOBS_PER_SHAPE):
            data = synthetic_drawing(drawn, random.Random(f"crowdsketch-scale:{shape}:{i}"))
            key = f"drawings/{shape}/{uuid.uuid5(uuid.NAMESPACE_URL, f'crowdsketch-scale/{shape}/{i}')}.json"
            samples.setdefault(shape, []).append(Sample(key, data.canvas.width, data.canvas.height, len(data.strokes),
                                                        data.point_count, data.duration_ms))
            blobs.append((key, data.canonical_json()))

    async def put_all() -> None:
        store = blob_store_from_url(target.blob_url)
        limit = asyncio.Semaphore(16)

        async def put(key: str, data: bytes) -> None:
            async with limit:
                await store.put(key, data)

        try:
            await asyncio.gather(*(put(key, data) for key, data in blobs))
        finally:
            await store.close()

    asyncio.run(put_all())
    return samples


def shape_weights(shapes: list[str]) -> list[float]:
    """Cumulative weights in catalogue order; a shape not in SHAPE_WEIGHTS gets the mean."""
    raw = [SHAPE_WEIGHTS.get(shape, 1 / 12) for shape in shapes]
    return [*(running / sum(raw) for running in itertools.accumulate(raw[:-1])), 1.0]


def _with_session(target: Target, work):  # type: ignore[no-untyped-def]
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    async def run():  # type: ignore[no-untyped-def]
        engine = create_async_engine(target.url)
        try:
            async with async_sessionmaker(engine, expire_on_commit=False).begin() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def recount(target: Target) -> None:
    """The counter tables recomputed from the drawings, by the project's own function."""
    from crowdsketch.common import tallies

    with step("counters recounted (crowdsketch.common.tallies.recount)"):
        _with_session(target, tallies.recount)


def fold(target: Target) -> None:
    """What a running worker does every 10 s: each key's appended count rows made one (rows
    left by writes since, e.g. an ingest run against this database, would be summed by every
    read until then)."""
    from crowdsketch.common import tallies

    folded = _with_session(target, tallies.fold)
    print(f"  kept counts folded as the worker folds them: {folded:,} rows", flush=True)


def migrate(target: Target) -> None:
    from crowdsketch.db.migrate import upgrade

    with step("migrated to head"):
        upgrade(target.url)


# --- PostgreSQL.

def pg(database: str, work, **server_settings: str):  # type: ignore[no-untyped-def]
    """`work(connection)` on a connection to `database` as the superuser, with these settings."""
    import asyncpg

    async def run():  # type: ignore[no-untyped-def]
        connection = await asyncpg.connect(f"{PG_SERVER}/{database}", server_settings=server_settings or None)
        try:
            return await work(connection)
        finally:
            await connection.close()

    return asyncio.run(run())


def marker_text(target: Target) -> str:
    return f"crowdsketch bench/scale.py: {target.rows} drawings, {target.sessions} sessions"


def reusable(target: Target) -> bool:
    """Loaded completely before (its marker) and still holding `rows` drawings."""
    if target.database == "postgres":
        marker = pg("postgres", lambda c: c.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", target.name))
        if not marker or not marker.startswith(marker_text(target)):
            return False
        count = pg(target.name, lambda c: c.fetchval("SELECT count(*) FROM drawings"))
    else:
        marker_file = target.data_dir / "loaded.txt"
        if not target.sqlite_file.exists() or not marker_file.exists() \
                or not marker_file.read_text().startswith(marker_text(target)):
            return False
        with sqlite3.connect(target.sqlite_file) as connection:
            count = connection.execute("SELECT count(*) FROM drawings").fetchone()[0]
    return count == target.rows


def secondary_indexes_sql() -> str:
    return """SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'drawings'
              AND indexname NOT IN (SELECT c.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conindid
                                    WHERE k.conrelid = 'drawings'::regclass) ORDER BY indexname"""


PG_INSERT = """
INSERT INTO drawings (id, session_id, shape_id, blob_key, canvas_width, canvas_height, stroke_count, point_count,
                      duration_ms, device, quality_score, source, licence, flagged, flag_reason, content_hash,
                      idempotency_key, created_at, model_agreement, model_shape, model_version, reviewed_at)
SELECT gen_random_uuid(),
       CASE WHEN x.source = 'game' THEN md5('scale-session-' || floor(x.r_session ^ 2 * $3::float8)::bigint)::uuid::text END,
       b.shape_id, b.blob_key, b.width, b.height, b.strokes, b.points, b.duration_ms,
       CASE WHEN x.r_device < 0.6 THEN 'mouse' WHEN x.r_device < 0.9 THEN 'touch' ELSE 'pen' END,
       x.r_quality ^ 0.35, x.source, CASE WHEN x.source <> 'synthetic' THEN $6 END,
       x.r_flag < 0.03, CASE WHEN x.r_flag < 0.03 THEN ($7::text[])[1 + floor(x.r_flag * 100)::int] END,
       md5(x.g || ':scale:a') || md5(x.g || ':scale:b'), NULL,
       $4::timestamptz - make_interval(secs => -$8::float8 * ln(1 - (1 - (x.g + x.r_time) / $9::float8) * $10::float8)),
       NULL, NULL, NULL, NULL
FROM (SELECT r.*, CASE WHEN r.r_source < 0.85 THEN 'game' WHEN r.r_source < 0.95 THEN 'import'
                      ELSE 'synthetic' END AS source
      FROM (SELECT g, random() AS r_shape, random() AS r_device, random() AS r_session, random() AS r_quality,
                   random() AS r_flag, random() AS r_time, random() AS r_source
            FROM generate_series($1::bigint, $2::bigint) AS g OFFSET 0) AS r) AS x
JOIN scale_samples AS b ON b.shape_index = width_bucket(x.r_shape, $5::float8[]) AND b.k = x.g % $11
"""

PG_SESSIONS = """
INSERT INTO contributor_sessions (id, created_at, last_seen_at, drawing_count, today, today_count, consent_version,
                                  consented_at)
SELECT s.id, coalesce(a.first, $2) - interval '1 minute', coalesce(a.last, $2), coalesce(a.n, 0),
       (coalesce(a.last, $2) AT TIME ZONE 'UTC')::date,
       CASE WHEN a.n IS NULL THEN 0 ELSE (
         SELECT count(*) FROM drawings AS d WHERE d.session_id = a.session_id
           AND d.created_at >= (date_trunc('day', a.last AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')) END,
       $3, coalesce(a.first, $2) - interval '1 minute'
FROM (SELECT md5('scale-session-' || i)::uuid::text AS id FROM generate_series(0, $1 - 1) AS i) AS s
LEFT JOIN (SELECT session_id, count(*) AS n, min(created_at) AS first, max(created_at) AS last
           FROM drawings WHERE session_id IS NOT NULL GROUP BY session_id) AS a ON a.session_id = s.id
"""


def fresh(target: Target) -> datetime:
    if target.database == "postgres":
        pg_execute(f'DROP DATABASE IF EXISTS "{target.name}" WITH (FORCE)')
        pg_execute(f'CREATE DATABASE "{target.name}"')
    shutil.rmtree(target.data_dir, ignore_errors=True)
    target.data_dir.mkdir(parents=True)
    migrate(target)
    return datetime.now(UTC)


def load_postgres(target: Target) -> datetime:
    now = fresh(target)
    shapes = pg(target.name, lambda c: c.fetch("SELECT id FROM shapes ORDER BY position, id"))
    shapes = [row["id"] for row in shapes]
    with step("stroke blobs written through the blob port"):
        samples = write_samples(target, shapes)

    async def load(connection) -> None:  # type: ignore[no-untyped-def]
        indexes = [(row["indexname"], row["indexdef"]) for row in await connection.fetch(secondary_indexes_sql())]
        (target.data_dir / "drawings_indexes.json").write_text(json.dumps(indexes, indent=1))
        with step(f"dropped {len(indexes)} secondary indexes of drawings (kept in drawings_indexes.json)"):
            for name, _ in indexes:
                await connection.execute(f'DROP INDEX "{name}"')
        await connection.execute("""CREATE TEMP TABLE scale_samples (shape_index int, k int, shape_id text, blob_key text,
            width int, height int, strokes int, points int, duration_ms int, PRIMARY KEY (shape_index, k))""")
        await connection.executemany("INSERT INTO scale_samples VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", [
            (index + 1, k, shape, s.blob_key, s.width, s.height, s.strokes, s.points, s.duration_ms)
            for index, shape in enumerate(shapes) for k, s in enumerate(samples[shape])])
        await connection.execute("ANALYZE scale_samples")
        thresholds = [0.0, *shape_weights(shapes)[:-1]]
        with step(f"inserted {target.rows:,} drawings", target.rows):
            for low in range(0, target.rows, BATCH):
                high = min(target.rows, low + BATCH) - 1
                with step(f"drawings {low:,}-{high:,}", high - low + 1, 4):
                    await connection.execute(PG_INSERT, low, high, target.sessions, now, thresholds, LICENCE,
                                             list(FLAG_REASONS), TAU_DAYS * 86400, target.rows, SPAN_CDF, BLOBS_PER_SHAPE)
        with step(f"re-created {len(indexes)} indexes"):
            for name, definition in indexes:
                with step(name, indent=4):
                    await connection.execute(definition)
        with step(f"inserted {target.sessions:,} contributor sessions (counts from the drawings)"):
            await connection.execute(PG_SESSIONS, target.sessions, now, TERMS_VERSION)
        with step("VACUUM ANALYZE drawings, contributor_sessions"):
            await connection.execute("VACUUM ANALYZE drawings, contributor_sessions")
        with step("checked: every drawing's session exists"):
            orphans = await connection.fetchval("""SELECT count(*) FROM drawings AS d WHERE d.session_id IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM contributor_sessions AS s WHERE s.id = d.session_id)""")
        if orphans:
            raise RuntimeError(f"{orphans} drawings name a session that does not exist")

    pg(target.name, load, session_replication_role="replica", maintenance_work_mem="1GB", work_mem="256MB",
        synchronous_commit="off")
    recount(target)
    with step("ANALYZE (every table: this machine runs no autovacuum)"):
        pg(target.name, lambda c: c.execute("ANALYZE"))
    pg_execute(f"COMMENT ON DATABASE \"{target.name}\" IS '{marker_text(target)} (loaded {now.isoformat()})'")
    return now


# --- SQLite.

def sqlite_rows(target: Target, shapes: list[str], samples: dict[str, list[Sample]], now: datetime,
                sessions: list[list]):  # type: ignore[no-untyped-def]
    """The drawing rows in time order, as SQLite stores them; `sessions[i]` gathers session i's
    [count, first, last, last day, count on that day]."""
    rng = random.Random(f"crowdsketch-scale:{target.rows}")
    cumulative = shape_weights(shapes)
    ids = [session_id(i) for i in range(target.sessions)]
    base = now.timestamp()
    for g in range(target.rows):
        shape = shapes[min(len(shapes) - 1, bisect.bisect_right(cumulative, rng.random()))]
        s = samples[shape][g % BLOBS_PER_SHAPE]
        r = rng.random()
        device = "mouse" if r < .6 else "touch" if r < .9 else "pen"
        r = rng.random()
        source = "game" if r < .85 else "import" if r < .95 else "synthetic"
        stamp = datetime.fromtimestamp(base - 86400 * age_days(1 - (g + rng.random()) / target.rows), UTC)
        created = stamp.strftime("%Y-%m-%d %H:%M:%S.%f")
        sid = None
        if source == "game":
            index = int(rng.random() ** 2 * target.sessions)
            sid, tally, day = ids[index], sessions[index], created[:10]
            if tally[0] == 0:
                tally[1] = created
            tally[0] += 1
            tally[2] = created
            tally[4] = tally[4] + 1 if tally[3] == day else 1
            tally[3] = day
        r = rng.random()
        flagged = r < .03
        yield (uuid.UUID(int=rng.getrandbits(128), version=4).hex, sid, shape, s.blob_key, s.width, s.height,
               s.strokes, s.points, s.duration_ms, device, rng.random() ** 0.35, source,
               LICENCE if source != "synthetic" else None, int(flagged),
               FLAG_REASONS[int(r * 100)] if flagged else None, f"{rng.getrandbits(256):064x}", created)


def load_sqlite(target: Target) -> datetime:
    now = fresh(target)
    connection = sqlite3.connect(target.sqlite_file, isolation_level=None)
    try:
        shapes = [row[0] for row in connection.execute("SELECT id FROM shapes ORDER BY position, id")]
        with step("stroke blobs written through the blob port"):
            samples = write_samples(target, shapes)
        saved = connection.execute("""SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL
            AND ((type = 'index' AND tbl_name = 'drawings')
                 OR (type = 'trigger' AND tbl_name IN ('drawings', 'contributor_sessions')))""").fetchall()
        (target.data_dir / "dropped_for_load.json").write_text(json.dumps(saved, indent=1))
        for kind, name, _ in saved:
            connection.execute(f'DROP {kind.upper()} "{name}"')
        print(f"  dropped {sum(k == 'index' for k, _, _ in saved)} secondary indexes of drawings and "
              f"{sum(k == 'trigger' for k, _, _ in saved)} triggers (SQL kept in dropped_for_load.json)", flush=True)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-262144", "foreign_keys=OFF"):
            connection.execute(f"PRAGMA {pragma}")
        sessions = [[0, None, None, None, 0] for _ in range(target.sessions)]
        rows = sqlite_rows(target, shapes, samples, now, sessions)
        insert = ("INSERT INTO drawings (id, session_id, shape_id, blob_key, canvas_width, canvas_height, stroke_count, "
                  "point_count, duration_ms, device, quality_score, source, licence, flagged, flag_reason, content_hash, "
                  "created_at) VALUES (" + ", ".join("?" * 17) + ")")
        with step(f"inserted {target.rows:,} drawings", target.rows):
            for low in range(0, target.rows, BATCH):
                count = min(BATCH, target.rows - low)
                with step(f"drawings {low:,}-{low + count - 1:,}", count, 4):
                    connection.execute("BEGIN")
                    for done in range(0, count, 50_000):
                        connection.executemany(insert, [next(rows) for _ in range(min(50_000, count - done))])
                    connection.execute("COMMIT")
        stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")

        def before(text: str) -> str:  # the consent, a minute before the first drawing
            return (datetime.fromisoformat(text) - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S.%f")

        with step(f"inserted {target.sessions:,} contributor sessions"):
            connection.execute("BEGIN")
            connection.executemany(
                "INSERT INTO contributor_sessions (id, created_at, last_seen_at, drawing_count, today, today_count, "
                "consent_version, consented_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(session_id(i), before(first or stamp), last or stamp, n, day or stamp[:10], today, TERMS_VERSION,
                  before(first or stamp)) for i, (n, first, last, day, today) in enumerate(sessions)])
            connection.execute("COMMIT")
        with step("re-created the indexes and triggers"):
            for kind, name, sql in sorted(saved, key=lambda item: item[0]):  # indexes, then triggers
                with step(name, indent=4) if kind == "index" else nullcontext():
                    connection.execute(sql)
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()
    recount(target)
    (target.data_dir / "loaded.txt").write_text(f"{marker_text(target)} (loaded {now.isoformat()})\n")
    return now
