"""Classify benchmark: latency and requests/s of `POST /api/inference/classify`, beside onnxruntime.

* served: a real `crowdsketch serve --no-worker --no-bootstrap` embedded stack (SQLite + files,
  uvicorn, uvloop, httptools) in a fresh temporary data dir, loaded over loopback by the raw
  HTTP/1.1 client of bench/load.py, at concurrency 1 and 32;
* onnxruntime in-process: the same model and drawings, no HTTP: rasterize + session.run on a
  single (1, 1, S, S) image, an InferenceSession with 1 intra-op / 1 inter-op thread, as the
  server's ModelManager builds it.

Getting a model into the stack (--model):

* inprocess (default): `crowdsketch migrate`, then a small model trained here (12 shapes ×
  --train-per-shape synthetic drawings, --train-epochs epochs), exported with export_onnx,
  written to the stack's blob store with publish_model and registered as the active row of
  the `models` table: seconds;
* worker: `crowdsketch create-admin` + `crowdsketch worker --bootstrap` as a subprocess (the
  stack's own first model: 12 × 600, 8 epochs), polling the SQLite `models` table until a row
  exists, then stopping the worker: a minute or more.

Request bodies are synthetic drawings (crowdsketch.synthetic, seed 1, not the training seed).
The aims: p50 ≤ 2 ms at c=1, ≥ 1,000 req/s at c=32.

    python bench/classify.py
    python bench/classify.py --quick
    python bench/classify.py --model worker --requests-c1 500 --requests-c32 3000
"""

from __future__ import annotations

import argparse
import asyncio
import os
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

AIM_P50_MS = 2.0
AIM_RATE_C32 = 1000.0


# --------------------------------------------------------------------------------------
# A model in the stack.
# --------------------------------------------------------------------------------------

def model_inprocess(data_dir: Path, env: dict[str, str], log: Path, per_shape: int, epochs: int) -> None:
    """Train a small model here and publish it as the active model of the stack at `data_dir`."""
    import secrets

    from bench.mixed_stacks import publish, train_small_model
    from crowdsketch.settings import Settings

    migrate(env, log)
    model = train_small_model(per_shape, epochs)
    publish(Settings(data_dir=data_dir, database_url="", blob_url="", redis_url=None), model, secrets.token_urlsafe(16))


def model_worker(stack: ExitStack, data_dir: Path, env: dict[str, str], log: Path, timeout_s: float) -> None:
    """The stack's own bootstrap: an admin, then `crowdsketch worker --bootstrap` until a model exists."""
    migrate(env, log)
    with log.open("ab") as handle:
        subprocess.run([*crowdsketch_cmd(), "create-admin", "admin@localhost", "--name", "A", "--password-stdin",
                        "--data-dir", str(data_dir)], input=b"bench-password-123\n", env=env, stdout=handle,
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

async def run_load(op, total: int, concurrency: int):  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors: Counter = Counter()
    samples: list[str] = []
    counter = iter(range(total))

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


async def measure(mode: str, op, concurrency: int, total: int, warmup: int) -> Result:  # type: ignore[no-untyped-def]
    await run_load(op, warmup, concurrency)
    before = CPU.snapshot()
    wall, latencies, errors, samples = await run_load(op, total, concurrency)
    cpu = CpuSampler.delta(before, CPU.snapshot(), wall)
    result = Result("embedded", mode, concurrency, total, wall, latencies, errors, samples, cpu)
    print(f"  {mode:<24} c={concurrency:<3} {result.rate:8.1f} req/s  p50 {result.pct(0.5):7.3f} ms  "
          f"p99 {result.pct(0.99):7.3f} ms  errors {sum(errors.values())}", flush=True)
    return result


async def served_runs(url: str, bodies: list[bytes], plan: dict[int, int], warmup: int) -> list[Result]:
    endpoint = f"{url}/api/inference/classify"
    headers = {"content-type": "application/json"}
    results = []
    for concurrency, total in plan.items():
        client = RawHttpClient()

        async def op(i: int) -> tuple[int, str]:
            status, content = await client.post(endpoint, bodies[i % len(bodies)], headers)  # noqa: B023
            return status, "" if status == 200 else content.decode(errors="replace")

        try:
            results.append(await measure("served", op, concurrency, total, warmup))
        finally:
            await client.aclose()
    return results


def onnx_run(data_dir: Path, strokes: list, total: int, warmup: int) -> Result:
    """rasterize + session.run of one image, 1 thread, on the model the server loaded."""
    import numpy as np
    import onnxruntime as ort

    from crowdsketch.raster import RasterSpec, rasterize

    model_dir = max((p for p in data_dir.rglob("model.onnx")), key=lambda p: p.stat().st_mtime).parent
    card = orjson.loads((model_dir / "card.json").read_bytes())
    spec = RasterSpec.from_dict(card["preprocessing"])
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession((model_dir / "model.onnx").read_bytes(), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name

    def one(i: int) -> int:
        image = rasterize(strokes[i % len(strokes)], spec)[np.newaxis, np.newaxis]  # (1, 1, S, S)
        logits = session.run(None, {name: image})[0][0]
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


# --------------------------------------------------------------------------------------
# Report.
# --------------------------------------------------------------------------------------

def report(results: list[Result], floor: Result | None) -> None:
    print()
    print("POST /api/inference/classify, 1 `crowdsketch serve --no-worker` process (embedded stack), raw client; "
          "onnxruntime in-process = rasterize + session.run, single image, 1 thread")
    print(f"{'mode':<26} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'p50 ÷ ort':>10} {'req/s ÷ ort':>12}")
    for r in [*results, *([floor] if floor else [])]:
        ratio_p50 = f"{r.pct(0.5) / floor.pct(0.5):.1f}×" if floor else "-"
        ratio_rate = f"{r.rate / floor.rate:.2f}×" if floor else "-"
        label = r.mode if r.mode.startswith("onnx") else f"served c={r.conc}"
        print(f"{label:<26} {r.rate:>9.1f} {r.pct(0.5):>8.3f} {r.pct(0.99):>8.3f} {sum(r.errors.values()):>7} "
              f"{ratio_p50:>10} {ratio_rate:>12}")
    print()
    print(f"CPU used during each measured run, in cores (this machine has {os.cpu_count()}):")
    groups = ["loadgen", "server", "other", "_irq", "_busy", "_steal"]
    print(f"{'mode':<26} " + " ".join(f"{g.strip('_'):>8}" for g in groups))
    for r in [*results, *([floor] if floor else [])]:
        label = r.mode if r.mode.startswith("onnx") else f"served c={r.conc}"
        print(f"{label:<26} " + " ".join(f"{r.cpu.get(g, 0.0):>8.2f}" for g in groups))
    busy = [r for r in [*results, *([floor] if floor else [])] if r.cpu.get("other", 0.0) > 0.25]
    if busy:
        print("WARNING: other processes used the CPU during " + ", ".join(f"{r.mode} c={r.conc}" for r in busy)
              + " ('other' column): those numbers are low; rerun on a quiet machine")
    for r in results:
        if r.errors:
            print(f"errors c={r.conc}: {dict(r.errors)}")
            for sample in r.error_samples:
                print(f"    {sample}")
    print()
    c1 = next((r for r in results if r.conc == 1), None)
    c32 = next((r for r in results if r.conc == 32), None)
    if c1 is not None:
        ok = c1.pct(0.5) <= AIM_P50_MS
        print(f"aim: p50 ≤ {AIM_P50_MS:.0f} ms at c=1: {c1.pct(0.5):.3f} ms -> {'MET' if ok else 'NOT met'}")
    if c32 is not None:
        ok = c32.rate >= AIM_RATE_C32
        print(f"aim: ≥ {AIM_RATE_C32:,.0f} req/s at c=32: {c32.rate:,.1f} req/s -> {'MET' if ok else 'NOT met'}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=["inprocess", "worker"], default="inprocess",
                        help="how the stack gets its model (see above)")
    parser.add_argument("--train-per-shape", type=int, default=100, help="--model inprocess: drawings per shape")
    parser.add_argument("--train-epochs", type=int, default=3, help="--model inprocess: epochs")
    parser.add_argument("--worker-timeout", type=float, default=600, help="--model worker: seconds to wait for the model")
    parser.add_argument("--requests-c1", type=int, default=500, help="measured requests at concurrency 1")
    parser.add_argument("--requests-c32", type=int, default=3000, help="measured requests at concurrency 32")
    parser.add_argument("--requests-ort", type=int, default=2000, help="measured onnxruntime in-process calls")
    parser.add_argument("--warmup", type=int, default=50, help="requests before each measured run")
    parser.add_argument("--drawings", type=int, default=600, help="distinct request bodies (synthetic, seed 1)")
    parser.add_argument("--quick", action="store_true", help="a small run: 100 / 600 / 500 requests, 20 warm-up")
    parser.add_argument("--log-level", default="INFO", help="CROWDSKETCH_LOG_LEVEL of the server (default INFO)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, SQLite, model)")
    args = parser.parse_args()
    if args.quick:
        args.requests_c1, args.requests_c32, args.requests_ort, args.warmup = 100, 600, 500, 20
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

    results: list[Result] = []
    floor: Result | None = None
    import uvloop

    try:
        with session.scratch("crowdsketch-classify-", args.keep) as workdir:
            data_dir = workdir / "data"
            log = workdir / "stack.log"
            env = clean_env(CROWDSKETCH_DATA_DIR=str(data_dir), CROWDSKETCH_LOG_LEVEL=args.log_level)
            with ExitStack() as stack:
                started = time.monotonic()
                if args.model == "worker":
                    model_worker(stack, data_dir, env, log, args.worker_timeout)
                else:
                    model_inprocess(data_dir, env, log, args.train_per_shape, args.train_epochs)
                url = start_server(stack, data_dir, env, log)
                print(f"  stack up at {url} after {time.monotonic() - started:.0f} s", flush=True)
                plan = {1: args.requests_c1, 32: args.requests_c32}
                with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                    results = runner.run(served_runs(url, bodies, plan, args.warmup))
            # the server is stopped: the in-process run has the cores to itself, like the c=1 run had
            floor = onnx_run(data_dir, strokes, args.requests_ort, args.warmup)
    except session.Interrupted:
        return 130
    report(results, floor)
    return 0


if __name__ == "__main__":
    sys.exit(main())
