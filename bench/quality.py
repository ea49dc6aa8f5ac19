"""Label issues on a simulated noisy crowd, through the platform's API, side by side in one run.

$1 writers s02–s06 (the one protocol that may train on shared/eval) are imported as crowd
drawings into a `crowdsketch serve` (embedded, its worker child running the jobs), once with
their labels and once with 10% of them flipped to another shape (seeded), each in a fresh
data dir. Writers s07–s11 are registered as an evaluation set on both: never trained on,
every model scored on them when its job ends.

On the noisy stack: `POST /api/admin/label-issues/scan` (a job: out-of-fold probabilities
from the training recipe, then cleanlab), and the figure is how many of the flipped drawings
the top 10% of `GET /api/admin/label-issues` holds. Then the review queue
(`GET /api/admin/review`) is worked as a reviewer would who flags what it shows flagged by
the scan within that top 10% (`POST /api/admin/review/{id}` `flag`). Three models of the
crowd recipe (`includeSynthetic: false`), each scored on s07–s11 by the platform itself:
trained on the clean import, on the noisy one, and on the noisy one after the review.

    python bench/quality.py [--folds 5] [--epochs 30] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import secrets
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stacks import clean_env, crowdsketch_cmd, free_port, start_process, wait_http  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval" / "dollar1.jsonl"
TRAIN_WRITERS = {"s02", "s03", "s04", "s05", "s06"}
REPORT_WRITERS = {"s07", "s08", "s09", "s10", "s11"}
REPORT_SET = "dollar1-s07-s11"
NOISE = 0.10
AIM_CAUGHT = 0.80
AIM_RECOVERY = 0.01
JOB_TIMEOUT_S = 1800
NDJSON = {"Content-Type": "application/x-ndjson"}
ADMIN = "bench@localhost"


def key(strokes: list) -> str:
    """A drawing told apart by its first points (the server keeps the points it was sent)."""
    return orjson.dumps([[round(float(v), 1) for v in point] for point in strokes[0][:4]]).decode()


def lines(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(row) + b"\n" for row in rows)


class Platform:
    """One `crowdsketch serve` in a fresh data dir, and an admin's session on it."""

    def __init__(self, stack: ExitStack, workdir: Path, name: str) -> None:
        password = secrets.token_urlsafe(12)
        port = free_port()
        log = workdir / f"{name}.log"
        env = clean_env(CROWDSKETCH_CONSENSUS_INTERVAL_S="0", CROWDSKETCH_JOB_POLL_INTERVAL_S="0.2")
        # No bootstrap (no synthetic drawings, no first model): the admin is made here.
        subprocess.run([*crowdsketch_cmd(), "migrate", "--data-dir", str(workdir / name)], env=env, check=True,
                       capture_output=True, cwd=str(ROOT))
        subprocess.run([*crowdsketch_cmd(), "create-admin", ADMIN, "--name", "Bench", "--password-stdin",
                        "--data-dir", str(workdir / name)], input=password, text=True, env=env, check=True,
                       capture_output=True, cwd=str(ROOT))
        proc = start_process(stack, f"crowdsketch serve :{port}", "server",
                             [*crowdsketch_cmd(), "serve", "--no-bootstrap", "--host", "127.0.0.1", "--port", str(port),
                              "--data-dir", str(workdir / name)], env, log)
        self.url = f"http://127.0.0.1:{port}"
        wait_http(f"{self.url}/healthz", proc, log, timeout_s=120)
        self.http = stack.enter_context(httpx.Client(base_url=self.url, timeout=120))
        login = self.http.post("/api/admin/login", json={"email": ADMIN, "password": password})
        login.raise_for_status()
        self.http.headers["X-CSRF-Token"] = login.json()["csrfToken"]

    def ok(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            raise RuntimeError(f"{response.request.method} {response.request.url}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def load(self, crowd: list[dict[str, Any]], report: list[dict[str, Any]]) -> None:
        summary = self.ok(self.http.post("/api/admin/import", content=lines(crowd), headers=NDJSON))
        assert summary["imported"] == len(crowd), summary
        self.ok(self.http.post("/api/admin/eval-sets", params={"name": REPORT_SET}, content=lines(report), headers=NDJSON))

    def wait(self, job: dict[str, Any]) -> dict[str, Any]:
        deadline = time.monotonic() + JOB_TIMEOUT_S
        while job["status"] not in ("completed", "failed", "cancelled"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"job {job['id']} still {job['status']}")
            time.sleep(0.5)
            job = self.ok(self.http.get(f"/api/admin/training/jobs/{job['id']}"))
        if job["status"] != "completed":
            raise RuntimeError(f"job {job['id']} {job['status']}: {job.get('error')}")
        return job

    def train(self, epochs: int, seed: int) -> tuple[float, float]:
        """Train the crowd recipe; its accuracy on the report writers, and the seconds taken."""
        started = time.perf_counter()
        job = self.wait(self.ok(self.http.post("/api/admin/training/start", json={
            "epochs": epochs, "includeSynthetic": False, "seed": seed})))
        models = self.ok(self.http.get("/api/admin/models"))
        [model] = [m for m in models if m["jobId"] == job["id"]]
        [score] = [e for e in model["evaluations"] if e["evalSet"] == REPORT_SET]
        return float(score["accuracy"]), time.perf_counter() - started

    def drawing_key(self, drawing_id: str) -> str:
        return key(self.ok(self.http.get(f"/api/admin/drawings/{drawing_id}"))["strokeData"]["strokes"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    if not EVAL.is_file():
        raise SystemExit(f"{EVAL} is missing: shared/eval is expected beside the repository")
    rows = [orjson.loads(line) for line in EVAL.read_bytes().splitlines() if line.strip()]
    crowd = [r for r in rows if r.get("subject") in TRAIN_WRITERS]
    report = [r for r in rows if r.get("subject") in REPORT_WRITERS]
    classes = sorted({r["label"] for r in crowd})
    rng = random.Random(args.seed)
    flipped = sorted(rng.sample(range(len(crowd)), round(NOISE * len(crowd))))
    noisy = [dict(r) for r in crowd]
    for i in flipped:
        noisy[i]["label"] = rng.choice([c for c in classes if c != crowd[i]["label"]])
    flipped_keys = {key(crowd[i]["strokes"]) for i in flipped}
    assert len({key(r["strokes"]) for r in crowd}) == len(crowd), "two drawings share a key"
    top_n = len(flipped)
    print(f"{len(crowd)} drawings by {len(TRAIN_WRITERS)} writers, {len(classes)} shapes; {len(flipped)} labels "
          f"flipped ({NOISE:.0%}), seed {args.seed}; scored on {len(report)} drawings of s07–s11", flush=True)

    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="crowdsketch-quality-")))
        clean_stack, noisy_stack = Platform(stack, workdir, "clean"), Platform(stack, workdir, "noisy")
        clean_stack.load(crowd, report)
        noisy_stack.load(noisy, report)

        started = time.perf_counter()
        noisy_stack.wait(noisy_stack.ok(noisy_stack.http.post(
            "/api/admin/label-issues/scan", json={"folds": args.folds, "epochs": args.epochs, "seed": args.seed})))
        scan_s = time.perf_counter() - started
        ranking = noisy_stack.ok(noisy_stack.http.get("/api/admin/label-issues", params={"limit": top_n}))
        top = ranking["items"]
        caught = sum(noisy_stack.drawing_key(item["drawingId"]) in flipped_keys for item in top)
        print(f"scan: {args.folds} folds × {args.epochs} epochs, {ranking['drawings']} drawings, in {scan_s:.1f} s "
              f"(job through the queue)", flush=True)

        clean_acc, clean_s = clean_stack.train(args.epochs, args.seed)
        noisy_acc, noisy_s = noisy_stack.train(args.epochs, args.seed)

        # The reviewer: through the queue, flags what the scan flagged within its top 10%.
        in_top = {item["drawingId"] for item in top}
        to_flag, cursor = [], None
        while True:
            page = noisy_stack.ok(noisy_stack.http.get("/api/admin/review", params={
                "limit": 100, **({"cursor": cursor} if cursor else {})}))
            to_flag += [item["drawingId"] for item in page["items"]
                        if item["drawingId"] in in_top and (item["reasons"]["labelIssue"] or {}).get("flagged")]
            cursor = page["nextCursor"]
            if not cursor:
                break
        for drawing_id in to_flag:
            noisy_stack.ok(noisy_stack.http.post(f"/api/admin/review/{drawing_id}", json={
                "action": "flag", "reason": "review: the scan doubts the label"}))
        flagged_wrong = sum(noisy_stack.drawing_key(d) in flipped_keys for d in to_flag)
        reviewed_acc, reviewed_s = noisy_stack.train(args.epochs, args.seed)

    print()
    print(f"{'measure':<62} {'value':>9}  aim")
    print(f"{'flipped drawings in the top 10% of GET /api/admin/label-issues':<62} {caught / len(flipped):>8.1%}  "
          f"≥ {AIM_CAUGHT:.0%}: {'met' if caught / len(flipped) >= AIM_CAUGHT else 'NOT met'} ({caught}/{len(flipped)})")
    print(f"{'top 10% that are flipped (precision)':<62} {caught / max(len(top), 1):>8.1%}")
    print(f"{'flagged through the review queue (of them flipped)':<62} {len(to_flag):>9}  ({flagged_wrong} flipped)")
    print(f"{'s07–s11 accuracy, trained on the clean import':<62} {clean_acc:>8.2%}  ({clean_s:.0f} s)")
    print(f"{'s07–s11 accuracy, trained on the noisy import':<62} {noisy_acc:>8.2%}  ({noisy_s:.0f} s)")
    print(f"{'s07–s11 accuracy, noisy import after the review':<62} {reviewed_acc:>8.2%}  "
          f"within {AIM_RECOVERY:.0%} of clean: {'met' if clean_acc - reviewed_acc <= AIM_RECOVERY else 'NOT met'} "
          f"({reviewed_s:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
