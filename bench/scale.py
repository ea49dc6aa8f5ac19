"""The admin dashboard at scale (issue 21): N drawing rows made fast, then the reads timed.

    python bench/scale.py load    --rows 10000000 [--database postgres|sqlite] [--data-dir DIR] [--reuse]
    python bench/scale.py reads   --rows 10000000 [--database ...] [--dependency-timeout S] [--code DIR] [--db-name NAME]
    python bench/scale.py explain --rows 10000000 [--database ...]
    python bench/scale.py export  --rows 10000000 [--database ...] [--seconds 60]
    python bench/scale.py all     --rows 10000000 [--database ...]        # load --reuse, then reads

`load` (bench/scale_data.py) makes PostgreSQL database `crowdsketch_scale_<rows>` (or a SQLite
file under the data dir), migrated to head, and fills it with SQL: N drawings, N/20 contributor
sessions, ~1,000 real stroke blobs in the data dir's file blob store that the rows cycle
through; then the counter tables are recounted by `crowdsketch.common.tallies.recount` when it
exists. `--reuse` keeps a database that a complete load left with the same row count.

`reads` (bench/scale_reads.py) serves that stack (`crowdsketch serve`, Redis db 13) and times
`GET /api/admin/stats`, the drawing list with each filter (first page, and cursor pages 40
deep), one drawing's detail and `GET /api/shapes/next` with the catalogue cache off; it
prints markdown tables for BENCHMARKS.md. The server gets CROWDSKETCH_DEPENDENCY_TIMEOUT_S=60
by default so that a slow query is timed rather than cut at 1 s (its breaker would then fail
the next requests fast); `--dependency-timeout 1` measures it as deployed.

A baseline of older code: `git archive <commit> crowdsketch | tar -x -C DIR`, then `reads --code
DIR` serves that package instead (on a copy of the database with that code's schema: `CREATE
DATABASE x TEMPLATE crowdsketch_scale_<rows>`, alembic downgrade, `--db-name x`).

`explain` runs the service's own list, Overview and catalogue code in this process, records
each SQL statement it sends, and prints `EXPLAIN (ANALYZE, BUFFERS)` of it (SQLite: `EXPLAIN
QUERY PLAN` and the statement's time). `export` times `crowdsketch export -` for at most
`--seconds` with its memory sampled every 0.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/scale.py`: import bench.* and crowdsketch from this tree

from bench import scale_data, session  # noqa: E402
from bench.scale_reads import DEEP_LIMIT, DEEP_PAGES, export, pick_sessions, reads  # noqa: E402
from bench.stacks import PG_URL_TEMPLATE, clean_env  # noqa: E402

DEFAULT_ROOT = Path("/var/tmp/crowdsketch-scale")


@dataclass(frozen=True)
class Target:
    """One loaded stack: its database, its data dir (the stroke blobs, and SQLite's file)."""

    rows: int
    database: str  # postgres | sqlite
    root: Path
    db_name: str | None = None  # another PostgreSQL database than crowdsketch_scale_<rows> (a copy of it)

    @property
    def name(self) -> str:
        return self.db_name or f"crowdsketch_scale_{self.rows}"

    @property
    def sessions(self) -> int:
        return max(1, self.rows // 20)

    @property
    def data_dir(self) -> Path:
        name = f"crowdsketch_scale_{self.rows}"
        return self.root / (name if self.database == "postgres" else f"{name}_sqlite")

    @property
    def sqlite_file(self) -> Path:
        return self.data_dir / "crowdsketch.db"

    @property
    def url(self) -> str:
        if self.database == "postgres":
            return PG_URL_TEMPLATE.format(name=self.name)
        return f"sqlite+aiosqlite:///{self.sqlite_file}"

    @property
    def blob_url(self) -> str:
        return f"file://{self.data_dir / 'blobs'}"

    def env(self, **extra: str) -> dict[str, str]:
        return clean_env(CROWDSKETCH_DATA_DIR=str(self.data_dir), CROWDSKETCH_DATABASE_URL=self.url,
                         CROWDSKETCH_BLOB_URL=self.blob_url, **extra)

    def describe(self) -> str:
        where = f"PostgreSQL database {self.name}" if self.database == "postgres" else f"SQLite {self.sqlite_file}"
        return f"{self.rows:,} drawings, {self.sessions:,} sessions: {where}, blobs under {self.data_dir / 'blobs'}"


def load(target: Target, reuse: bool) -> None:
    print(f"load: {target.describe()}", flush=True)
    if reuse and scale_data.reusable(target):
        print("  reusing it: it holds the rows asked for (migrating it to head in case)", flush=True)
        scale_data.migrate(target)
        return
    started = time.perf_counter()
    (scale_data.load_postgres if target.database == "postgres" else scale_data.load_sqlite)(target)
    seconds = time.perf_counter() - started
    if target.database == "postgres":
        size = scale_data.pg(target.name, lambda c: c.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))"))
    else:
        size = f"{target.sqlite_file.stat().st_size / 1024 ** 3:.2f} GiB"
    print(f"loaded {target.rows:,} drawings in {seconds:.1f} s ({target.rows / seconds:,.0f} rows/s overall); "
          f"size {size}", flush=True)


def explain(target: Target) -> None:
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from crowdsketch.admin import drawings_service as service
    from crowdsketch.admin.drawings_service import DrawingFilters
    from crowdsketch.admin.stats_service import collection_stats
    from crowdsketch.collection.catalog import ShapeCatalog

    heavy, typical = pick_sessions(target)
    cases = [("no filter", DrawingFilters(), "created_at"), ("shape=star", DrawingFilters(shapes=("star",)), "created_at"),
             ("device=pen&source=synthetic", DrawingFilters(device="pen", source="synthetic"), "created_at"),
             ("flagged=true", DrawingFilters(flagged=True), "created_at"),
             ("minQuality=0.9&sort=quality", DrawingFilters(min_quality=0.9), "quality"),
             ("sessionId=<heaviest session>", DrawingFilters(session_id=heavy), "created_at"),
             ("sessionId=<a typical session>", DrawingFilters(session_id=typical), "created_at")]
    postgres = target.database == "postgres"

    async def run() -> None:
        from datetime import UTC, datetime

        engine = create_async_engine(target.url)
        captured: list[tuple[str, object]] = []
        recording = [False]

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            if recording[0]:
                captured.append((statement, parameters))

        sessions = async_sessionmaker(engine, expire_on_commit=False)

        async def show(title: str, work) -> object:  # type: ignore[no-untyped-def]
            async with sessions.begin() as session:
                captured.clear()
                recording[0] = True
                started = time.perf_counter()
                try:
                    result = await work(session)
                finally:
                    recording[0] = False
                print(f"\n## {title}: {(time.perf_counter() - started) * 1000:,.1f} ms in the service, "
                      f"{len(captured)} statement(s)\n", flush=True)
                connection = await session.connection()
                for statement, parameters in list(captured):
                    print("```sql\n" + statement.strip() + f"\n-- parameters: {parameters}\n```")
                    started = time.perf_counter()
                    if postgres:
                        plan = await connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                        print("```\n" + "\n".join(row[0] for row in plan.all()) + "\n```", flush=True)
                    else:
                        plan = (await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)).all()
                        started = time.perf_counter()
                        (await connection.exec_driver_sql(statement, parameters)).all()
                        print("```\n" + "\n".join(f"{row[0]:>3} {row[1]:>3} {row[3]}" for row in plan)
                              + f"\n-- ran in {(time.perf_counter() - started) * 1000:,.1f} ms\n```", flush=True)
                return result

        try:
            await show("GET /api/admin/stats (collection_stats)", lambda s: collection_stats(s, datetime.now(UTC).date()))
            await show("GET /api/shapes/next, the catalogue's load (ShapeCatalog._load)", ShapeCatalog._load)
            for label, filters, sort in cases:
                def page(s, limit=24, cursor=None, filters=filters, sort=sort):  # type: ignore[no-untyped-def]
                    return service.list_drawings(s, filters, sort=sort, order="desc", limit=limit, cursor=cursor)

                await show(f"GET /api/admin/drawings?limit=24{'&' + label if filters != DrawingFilters() else ''}", page)
                cursor = None
                for depth in range(DEEP_PAGES):
                    async with sessions.begin() as s:
                        cursor = (await page(s, DEEP_LIMIT, cursor)).next_cursor
                    if cursor is None:
                        break
                if cursor is not None:
                    await show(f"the same, limit={DEEP_LIMIT}, the {DEEP_PAGES}th cursor page",
                               lambda s, cursor=cursor, page=page: page(s, DEEP_LIMIT, cursor))
        finally:
            await engine.dispose()

    print(f"# explain: {target.describe()}", flush=True)
    asyncio.run(run())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["load", "reads", "explain", "export", "all"])
    parser.add_argument("--rows", type=int, required=True, help="drawing rows (sessions: rows / 20)")
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_ROOT,
                        help=f"where each stack's blobs (and SQLite file) live, one folder a stack (default {DEFAULT_ROOT})")
    parser.add_argument("--reuse", action="store_true", help="load: keep a complete earlier load of the same row count")
    parser.add_argument("--dependency-timeout", type=float, default=60.0,
                        help="CROWDSKETCH_DEPENDENCY_TIMEOUT_S of the server and the export (default 60; deployed: 1)")
    parser.add_argument("--seconds", type=float, default=60.0, help="export: stop it after this long")
    parser.add_argument("--code", type=Path, default=None,
                        help="reads: serve the crowdsketch package under this folder (e.g. `git archive HEAD crowdsketch "
                             "| tar -x -C DIR`, for a baseline of the committed code) instead of this checkout's")
    parser.add_argument("--db-name", default=None,
                        help="reads, explain, export: this PostgreSQL database (e.g. a copy made with CREATE DATABASE ... "
                             "TEMPLATE crowdsketch_scale_<rows>) with the blobs of crowdsketch_scale_<rows>")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (the server's log)")
    args = parser.parse_args()
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    if args.db_name and (args.database != "postgres" or args.command in ("load", "all")):
        parser.error("--db-name is for reads, explain and export on postgres")
    target = Target(args.rows, args.database, args.data_dir.expanduser().resolve(), args.db_name)
    session.start(f"bench/scale.py {args.command}, {args.rows:,} rows on {args.database}")
    started = time.perf_counter()
    try:
        if args.command in ("load", "all"):
            load(target, reuse=args.reuse or args.command == "all")
        elif not (target.data_dir / "blobs").exists():
            parser.error(f"nothing loaded at {target.data_dir}: run `load` first")
        if args.command in ("reads", "all"):
            with session.scratch("crowdsketch-scale-", args.keep) as workdir:
                reads(target, args.dependency_timeout, workdir, args.code)
        elif args.command == "explain":
            explain(target)
        elif args.command == "export":
            export(target, args.dependency_timeout, args.seconds)
    except session.Interrupted:
        return 130
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    print(f"{args.command}: {time.perf_counter() - started:.1f} s in all; load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
