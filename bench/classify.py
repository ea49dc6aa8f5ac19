"""Classify benchmark: latency and requests/s of `POST /api/inference/classify`, beside onnxruntime,
without an implementor's API key and with one.

* served: a real `crowdsketch serve --no-worker --no-bootstrap` embedded stack (SQLite + files,
  uvicorn, uvloop, httptools) in a fresh temporary data dir, `CROWDSKETCH_INFERENCE_AUTH=optional`,
  loaded over loopback by the raw HTTP/1.1 client of bench/load.py, at concurrency 1 and 32,
  in each of the --auth modes on the same server:
    - none: no Authorization header (served and counted nowhere);
    - key: `Authorization: Bearer <key>` of a key without limits (HMAC, the process's key
      cache, usage counted in memory and added to the database about once a second);
    - limited: a key with `ratePerMinute` and `monthlyQuota` (1,000,000 and 10,000,000,000,
      never reached), so each call also counts both in the key-value store;
  the modes take turns: each run is cut into --rounds blocks a mode, in a rotating order, so
  that a change in the machine's load falls on every mode alike;
* onnxruntime in-process: the same model and drawings, no HTTP: rasterize + session.run on a
  single (1, 1, S, S) image, an InferenceSession with 1 intra-op / 1 inter-op thread, as the
  server's ModelManager builds it.

The keys are made over HTTP as an implementor would get one: the first admin
(`admin@localhost`, a password of this run's own) logs in and `POST /api/admin/api-keys`.

The key-value store (--kv): `memory`, the embedded stack's own (one process's dict); or
`redis`, a redis-server of this run's own on loopback (`CROWDSKETCH_REDIS_URL`), everything
else unchanged, so that the limited key pays a Redis round trip a call as it does on the
distributed stack.

Getting a model into the stack (--model):

* inprocess (default): `crowdsketch migrate`, then a small model trained here (12 shapes ×
  --train-per-shape synthetic drawings, --train-epochs epochs), exported with export_onnx,
  written to the stack's blob store with publish_model and registered as the active row of
  the `models` table: seconds;
* worker: `crowdsketch create-admin` + `crowdsketch worker --bootstrap` as a subprocess (the
  stack's own first model: 12 × 600, 8 epochs), polling the SQLite `models` table until a row
  exists, then stopping the worker: a minute or more.

Request bodies are synthetic drawings (crowdsketch.synthetic, seed 1, not the training seed).
The aims: p50 ≤ 2 ms at c=1, ≥ 1,000 req/s at c=32, and a key adds ≤ 0.1 ms to p50 at c=1.

    python bench/classify.py
    python bench/classify.py --quick
    python bench/classify.py --kv redis
    python bench/classify.py --auth none --model worker --requests-c1 500 --requests-c32 3000
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/classify.py`: import bench.* and crowdsketch from this tree

import httpx  # noqa: E402
import orjson  # noqa: E402

from bench import session  # noqa: E402
from bench.cpu import CPU, CpuSampler  # noqa: E402
from bench.load import RawHttpClient, Result  # noqa: E402
from bench.stacks import clean_env, crowdsketch_cmd, free_port, migrate, start_process, wait_http  # noqa: E402
from bench.classify_keys import ADMIN_EMAIL, AUTHS, make_keys, redis_months, usage_counted, usage_in_database  # noqa: E402
from bench.classify_report import Served, combined, report  # noqa: E402



# --------------------------------------------------------------------------------------
# A model in the stack.
# --------------------------------------------------------------------------------------

def model_inprocess(data_dir: Path, env: dict[str, str], log: Path, per_shape: int, epochs: int,
                    admin_password: str, paths: bool = False) -> None:
    """Train a small model here and publish it as the active model of the stack at `data_dir`,
    beside the first admin."""
    from bench.mixed_stacks import publish, train_small_model
    from crowdsketch.settings import Settings

    migrate(env, log)
    model = train_small_model(per_shape, epochs, paths=paths)
    publish(Settings(data_dir=data_dir, database_url="", blob_url="", redis_url=None), model, admin_password)


def model_worker(stack: ExitStack, data_dir: Path, env: dict[str, str], log: Path, timeout_s: float,
                 admin_password: str) -> None:
    """The stack's own bootstrap: an admin, then `crowdsketch worker --bootstrap` until a model exists."""
    migrate(env, log)
    with log.open("ab") as handle:
        subprocess.run([*crowdsketch_cmd(), "create-admin", ADMIN_EMAIL, "--name", "A", "--password-stdin",
                        "--data-dir", str(data_dir)], input=f"{admin_password}\n".encode(), env=env, stdout=handle,
                       stderr=subprocess.STDOUT, cwd=str(ROOT), check=True, timeout=120)
    with ExitStack() as worker_stack:
        proc = start_process(worker_stack, "crowdsketch worker", "worker",
                             [*crowdsketch_cmd(), "worker", "--bootstrap", "--data-dir", str(data_dir)], env, log)
        started = time.monotonic()
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the worker exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
            try:
                with sqlite3.connect(data_dir / "crowdsketch.db") as connection:
                    row = connection.execute("SELECT version, accuracy FROM models WHERE active = 1 LIMIT 1").fetchone()
            except sqlite3.OperationalError:
                row = None
            if row is not None:
                break
            if time.monotonic() - started > timeout_s:
                raise RuntimeError(f"no model after {timeout_s:.0f} s:\n{log.read_text()[-3000:]}")
            time.sleep(1.0)
        print(f"  model: version {row[0]} by `crowdsketch worker --bootstrap` in {time.monotonic() - started:.0f} s, "
              f"validation accuracy {100 * row[1]:.2f}%", flush=True)
    # leaving the inner ExitStack stopped the worker (SIGTERM, by its pid)


def start_server(stack: ExitStack, data_dir: Path, env: dict[str, str], log: Path) -> str:
    port = free_port()
    proc = start_process(stack, f"crowdsketch serve :{port}", "server",
                         [*crowdsketch_cmd(), "serve", "--no-worker", "--no-bootstrap", "--no-migrate",
                          "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)], env, log)
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/healthz", proc, log)
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        status = httpx.get(f"{url}/api/inference/model/info", timeout=5).status_code
        if status == 200:
            return url
        if time.monotonic() > deadline:
            raise RuntimeError(f"/api/inference/model/info still {status} after 60 s:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)



# --------------------------------------------------------------------------------------
# Load.
# --------------------------------------------------------------------------------------

async def run_load(op, total: int, concurrency: int, start: int = 0):  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors: Counter = Counter()
    samples: list[str] = []
    counter = iter(range(start, start + total))

    async def worker() -> None:
        for i in counter:
            started = time.perf_counter()
            try:
                status, detail = await op(i)
            except Exception as exc:  # noqa: BLE001 - an error is counted, not fatal
                status, detail = -1, f"{type(exc).__name__}: {exc}"
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors[status] += 1
                if len(samples) < 5:
                    samples.append(f"{status} {detail[:300]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, errors, samples



async def served_runs(url: str, stack: str, bodies: list[bytes], plan: dict[int, int], warmup: int,
                      authorizations: dict[str, str | None], rounds: int) -> list[Served]:
    """Per concurrency: each mode warmed up, then `rounds` rounds of one block a mode, the
    order rotating by one each round; the same drawings in each mode's block of a round."""
    endpoint = f"{url}/api/inference/classify"
    auths = list(authorizations)
    served = []
    for concurrency, total in plan.items():
        client = RawHttpClient()

        def op_for(auth: str):  # type: ignore[no-untyped-def]
            headers = {"content-type": "application/json"}
            if authorizations[auth] is not None:
                headers["authorization"] = authorizations[auth]  # type: ignore[assignment]

            async def op(i: int) -> tuple[int, str]:
                status, content = await client.post(endpoint, bodies[i % len(bodies)], headers)  # noqa: B023
                return status, "" if status == 200 else content.decode(errors="replace")

            return op

        ops = {auth: op_for(auth) for auth in auths}
        blocks: dict[str, list[Result]] = {auth: [] for auth in auths}
        try:
            for auth in auths:
                await run_load(ops[auth], warmup, concurrency)
            offset = 0
            for r in range(rounds):
                n = total // rounds + (1 if r < total % rounds else 0)
                if n == 0:
                    continue
                for auth in auths[r % len(auths):] + auths[:r % len(auths)]:
                    before = CPU.snapshot()
                    wall, latencies, errors, samples = await run_load(ops[auth], n, concurrency, offset)
                    cpu = CpuSampler.delta(before, CPU.snapshot(), wall)
                    blocks[auth].append(Result(stack, AUTHS[auth], concurrency, n, wall, latencies, errors,
                                               samples, cpu))
                offset += n
        finally:
            await client.aclose()
        for auth in auths:
            run = Served(auth, combined(blocks[auth]), blocks[auth])
            r = run.total
            print(f"  {run.label:<20} {r.rate:8.1f} req/s  p50 {r.pct(0.5):7.3f} ms  p95 {r.pct(0.95):7.3f} ms  "
                  f"p99 {r.pct(0.99):7.3f} ms  errors {sum(r.errors.values())}", flush=True)
            served.append(run)
    return served


def onnx_run(data_dir: Path, strokes: list, total: int, warmup: int) -> Result:
    """rasterize (+ the pen's path, for a model that reads it) + session.run of one drawing,
    1 thread, on the model the server loaded."""
    from crowdsketch.common.scoring import model_inputs, scoring_model

    model_dir = max((p for p in data_dir.rglob("model.onnx")), key=lambda p: p.stat().st_mtime).parent
    card = orjson.loads((model_dir / "card.json").read_bytes())
    # The server's own loading (one intra-op and one inter-op thread) and its inputs, less the softmax.
    model = scoring_model((model_dir / "model.onnx").read_bytes(), card)

    def one(i: int) -> int:
        logits = model.session.run(None, model_inputs(model, strokes[i % len(strokes)]))[0][0]
        return int(logits.argmax())

    for i in range(warmup):
        one(i)
    latencies = []
    before = CPU.snapshot()
    started = time.perf_counter()
    for i in range(total):
        t0 = time.perf_counter()
        one(i)
        latencies.append(time.perf_counter() - t0)
    wall = time.perf_counter() - started
    result = Result("embedded", "onnxruntime in-process", 1, total, wall, latencies, Counter(), [],
                    CpuSampler.delta(before, CPU.snapshot(), wall))
    print(f"  {result.mode:<24} c=1   {result.rate:8.1f} req/s  p50 {result.pct(0.5):7.3f} ms  "
          f"p99 {result.pct(0.99):7.3f} ms", flush=True)
    return result



def parse_auths(value: str) -> list[str]:
    auths = list(dict.fromkeys(a.strip() for a in value.split(",") if a.strip()))
    unknown = [a for a in auths if a not in AUTHS]
    if unknown or not auths:
        raise argparse.ArgumentTypeError(f"--auth takes a comma list of {', '.join(AUTHS)}; not {unknown or value!r}")
    return sorted(auths, key=list(AUTHS).index)  # without a key first: the others are compared with it


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=["inprocess", "worker"], default="inprocess",
                        help="how the stack gets its model (see above)")
    parser.add_argument("--auth", type=parse_auths, default=list(AUTHS),
                        help="the modes, a comma list of none, key, limited (default: all three)")
    parser.add_argument("--kv", choices=["memory", "redis"], default="memory",
                        help="the server's key-value store: its own memory, or a redis-server of this run's own")
    parser.add_argument("--rounds", type=int, default=12, help="blocks each mode's requests are cut into, taking turns")
    parser.add_argument("--train-per-shape", type=int, default=100, help="--model inprocess: drawings per shape")
    parser.add_argument("--train-epochs", type=int, default=3, help="--model inprocess: epochs")
    parser.add_argument("--paths", action="store_true",
                        help="--model inprocess: a model that also reads the pen's path, as one trained with people's drawings is")
    parser.add_argument("--worker-timeout", type=float, default=600, help="--model worker: seconds to wait for the model")
    parser.add_argument("--requests-c1", type=int, default=6000, help="measured requests at concurrency 1, each mode")
    parser.add_argument("--requests-c32", type=int, default=3000, help="measured requests at concurrency 32, each mode")
    parser.add_argument("--requests-ort", type=int, default=2000, help="measured onnxruntime in-process calls")
    parser.add_argument("--warmup", type=int, default=50, help="requests before each mode's measured run")
    parser.add_argument("--drawings", type=int, default=600, help="distinct request bodies (synthetic, seed 1)")
    parser.add_argument("--quick", action="store_true",
                        help="a small run: 300 / 600 / 500 requests, 20 warm-up, 3 rounds")
    parser.add_argument("--log-level", default="INFO", help="CROWDSKETCH_LOG_LEVEL of the server (default INFO)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, SQLite, model)")
    args = parser.parse_args()
    if args.quick:
        args.requests_c1, args.requests_c32, args.requests_ort, args.warmup, args.rounds = 300, 600, 500, 20, 3
    args.rounds = max(1, args.rounds)
    return args


def main() -> int:
    args = parse_args()

    session.start("the load generator and the server share them")

    from crowdsketch.synthetic import SHAPES, synthetic_drawings

    per_shape = max(1, -(-args.drawings // len(SHAPES)))
    drawings = synthetic_drawings(list(SHAPES), per_shape, 1)
    # Interleave the shapes, so that consecutive requests differ.
    drawings = [drawings[s * per_shape + i] for i in range(per_shape) for s in range(len(SHAPES))]
    bodies = [orjson.dumps({"strokeData": data.model_dump(mode="json")}) for _, data in drawings]
    strokes = [data.strokes for _, data in drawings]

    served: list[Served] = []
    floor: Result | None = None
    stack_note = "SQLite + files + " + ("a redis-server on loopback" if args.kv == "redis" else "memory")
    password = secrets.token_urlsafe(16)
    import uvloop

    try:
        with session.scratch("crowdsketch-classify-", args.keep) as workdir:
            data_dir = workdir / "data"
            log = workdir / "stack.log"
            env = clean_env(CROWDSKETCH_DATA_DIR=str(data_dir), CROWDSKETCH_LOG_LEVEL=args.log_level,
                            CROWDSKETCH_INFERENCE_AUTH="optional")
            with ExitStack() as stack:
                started = time.monotonic()
                redis_url = None
                if args.kv == "redis":
                    from bench.events import start_redis

                    redis_url = env["CROWDSKETCH_REDIS_URL"] = start_redis(stack, workdir)
                if args.model == "worker":
                    model_worker(stack, data_dir, env, log, args.worker_timeout, password)
                else:
                    model_inprocess(data_dir, env, log, args.train_per_shape, args.train_epochs, password, args.paths)
                url = start_server(stack, data_dir, env, log)
                authorizations = make_keys(url, password, args.auth, bodies[0])
                print(f"  stack up at {url} after {time.monotonic() - started:.0f} s ({stack_note}); "
                      f"modes: {', '.join(AUTHS[a] for a in args.auth)}", flush=True)
                plan = {1: args.requests_c1, 32: args.requests_c32}
                with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                    served = runner.run(served_runs(url, "embedded", bodies, plan, args.warmup, authorizations,
                                                    args.rounds))
                keyed = [a for a in args.auth if a != "none"]
                sent = {a: 1 + len(plan) * args.warmup + sum(plan.values()) for a in keyed}
                counted = usage_counted(url, password, sent) if keyed else {}
                if keyed and redis_url is not None:
                    print(f"  the monthly counters in Redis: {redis_months(redis_url)}", flush=True)
            if keyed:
                stored = usage_in_database(data_dir)
                print("  usage counted (the API 5 s after the last call / the database once the server stopped): "
                      + "; ".join(f"{AUTHS[a]} {counted.get(a, 0):,} / {stored.get(a, 0):,} of {n:,} calls"
                                  for a, n in sent.items()), flush=True)
            # the server is stopped: the in-process run has the cores to itself, like the c=1 run had
            floor = onnx_run(data_dir, strokes, args.requests_ort, args.warmup)
    except session.Interrupted:
        return 130
    report(served, floor, stack_note, args.kv == "redis")
    return 0


if __name__ == "__main__":
    sys.exit(main())
