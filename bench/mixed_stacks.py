"""The two served stacks of bench/mixed.py, each with a model and an admin before it starts.

* embedded: `crowdsketch serve --no-worker` (one process) on a fresh data dir, started the
  way bench/classify.py starts it;
* distributed: the real topology, deploy/run.py (`make run-distributed`) on free ports:
  nginx in front of one `crowdsketch serve --role R` process per role (collection, admin,
  inference), no training workers, on the backends of bench/stacks.py (a fresh PostgreSQL
  database, Redis db 14, moto S3 in its own process) and RabbitMQ (a queue name of this run's
  own; no worker declares it and nothing is published to it).

One small model is trained here once (as bench/classify.py's `--model inprocess` does) and
published into each stack's blob store and `models` table before the stack starts, beside
the first admin (`admin@localhost`, a password of this run's own).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.classify import start_server
from bench.cpu import CPU
from bench.stacks import Distributed, Embedded, free_port, start_process, wait_http

ADMIN_EMAIL = "admin@localhost"  # the first admin, as crowdsketch/admin/bootstrap.py names it
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"  # deploy/topology.py's default; needed, never used


@dataclass
class SmallModel:
    id: uuid.UUID
    shapes: list[str]
    onnx_bytes: bytes
    card: dict[str, Any]
    metrics: dict[str, Any]
    dataset_size: int


@dataclass
class Served:
    stack: str
    url: str  # where every request goes: the one process, or nginx
    admin_password: str
    note: str


def train_small_model(per_shape: int, epochs: int, paths: bool = False) -> SmallModel:
    """A model of synthetic drawings; with `paths`, one that also reads the pen's path (as a
    model trained with people's drawings does), to measure what the second input costs."""
    import numpy as np

    from crowdsketch.pen_path import DEFAULT_PATH_SPEC, path_batch
    from crowdsketch.raster import DEFAULT_SPEC, rasterize_batch
    from crowdsketch.synthetic import SHAPES, synthetic_drawings
    from crowdsketch.training.export import export_onnx, model_card
    from crowdsketch.training.trainer import TrainConfig, train

    shapes = list(SHAPES)
    drawings = synthetic_drawings(shapes, per_shape, 0)
    images = rasterize_batch([data.strokes for _, data in drawings], DEFAULT_SPEC)
    labels = np.array([shapes.index(label) for label, _ in drawings], dtype=np.int64)
    path_spec = DEFAULT_PATH_SPEC if paths else None
    path_input = path_batch([data.strokes for _, data in drawings], DEFAULT_PATH_SPEC) if paths else None
    trained = train(TrainConfig(epochs=epochs, seed=0), images, labels, shapes, paths=path_input)
    model_id = uuid.uuid4()
    card = model_card(trained, DEFAULT_SPEC, model_id=model_id, dataset_size=len(drawings), dataset_hash="0" * 64,
                      config={"epochs": epochs, "seed": 0}, path_spec=path_spec)
    metrics = {k: v for k, v in trained.metrics.items() if k != "history"}
    print(f"  model: trained here on {len(drawings)} synthetic drawings, {epochs} epochs, validation accuracy "
          f"{100 * metrics['validation_accuracy']:.2f}%", flush=True)
    return SmallModel(model_id, shapes, export_onnx(trained, DEFAULT_SPEC, path_spec), card, metrics, len(drawings))


def publish(settings, model: SmallModel, admin_password: str) -> None:  # type: ignore[no-untyped-def]
    """The model as the active version 1 of the stack, and its first admin."""
    from crowdsketch.admin.bootstrap import ensure_first_admin
    from crowdsketch.db.models import ModelVersion
    from crowdsketch.resources import Resources
    from crowdsketch.training.export import publish_model

    async def run() -> None:
        resources = Resources.build(settings.model_copy(update={"admin_password": admin_password}))
        try:
            prefix = await publish_model(resources.blobs, model.id, model.onnx_bytes, model.card)

            async def insert(session) -> None:  # type: ignore[no-untyped-def]
                session.add(ModelVersion(
                    id=model.id, version=1, job_id=None, classes=model.shapes,
                    accuracy=float(model.metrics["validation_accuracy"]), metrics=model.metrics,
                    dataset_size=model.dataset_size, dataset_hash="0" * 64, blob_prefix=prefix, active=True,
                    activated_at=datetime.now(UTC),
                ))

            await resources.db.run(insert)
            await ensure_first_admin(resources)
        finally:
            await resources.close()

    asyncio.run(run())


def serve_embedded(stack: ExitStack, workdir: Path, model: SmallModel, log_level: str) -> Served:
    log = workdir / "embedded.log"
    embedded = Embedded.prepare(workdir / "embedded-data", log)
    password = secrets.token_urlsafe(12)
    publish(embedded.settings(), model, password)
    url = start_server(stack, embedded.data_dir, embedded.env(CROWDSKETCH_LOG_LEVEL=log_level), log)
    return Served("embedded", url, password, "1 `crowdsketch serve --no-worker` process (SQLite + files + memory)")


def serve_distributed(stack: ExitStack, workdir: Path, model: SmallModel, log_level: str,
                      timeout_s: float = 120) -> Served:
    backends = Distributed.start(stack, workdir)
    password = secrets.token_urlsafe(12)
    publish(backends.settings(), model, password)
    proxy, collection, admin, inference = (free_port() for _ in range(4))
    run_dir = workdir / "topology"
    env = backends.env(
        CROWDSKETCH_LOG_LEVEL=log_level,
        CROWDSKETCH_ADMIN_PASSWORD=password,
        CROWDSKETCH_AMQP_URL=AMQP_URL,
        CROWDSKETCH_AMQP_TRAINING_QUEUE=f"crowdsketch.training.bench-{uuid.uuid4().hex[:8]}",
        CROWDSKETCH_DEPLOY_PORT=str(proxy),
        CROWDSKETCH_DEPLOY_COLLECTION_PORTS=str(collection),
        CROWDSKETCH_DEPLOY_ADMIN_PORTS=str(admin),
        CROWDSKETCH_DEPLOY_INFERENCE_PORTS=str(inference),
        CROWDSKETCH_DEPLOY_WORKERS="0",
        CROWDSKETCH_DEPLOY_BOOTSTRAP="0",
        CROWDSKETCH_DEPLOY_RUN_DIR=str(run_dir),
    )
    log = workdir / "topology.log"
    root = Path(__file__).resolve().parent.parent
    proc = start_process(stack, "deploy/run.py", "deploy", [sys.executable, str(root / "deploy" / "run.py")], env, log)
    url = f"http://127.0.0.1:{proxy}"
    wait_http(f"{url}/healthz", proc, log, timeout_s)
    deadline = time.monotonic() + timeout_s
    while httpx.get(f"{url}/api/inference/model/info", timeout=5).status_code != 200:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the inference service has no model:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    pids = json.loads((run_dir / "processes.json").read_text())
    for name, pid in pids.items():
        for member in _with_descendants(pid):  # nginx's workers are its master's children
            CPU.track(member, name.split(".")[0])
            stack.callback(CPU.untrack, member)
    note = (f"deploy/run.py: nginx :{proxy} -> collection :{collection}, admin :{admin}, inference :{inference} "
            "(one process each), PostgreSQL + Redis + moto S3")
    return Served("distributed", url, password, note)


def _with_descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(raw[raw.rindex(")") + 2:].split()[1])
    found, frontier = [pid], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found
