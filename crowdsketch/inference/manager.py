"""The active model, loaded and kept current.

The manager holds one `LoadedModel` and swaps the reference in one assignment, so a request
that took the old model finishes with it while new requests get the new one. It re-checks
which model is active every `poll_interval_s`, and at once when a message arrives on the
key-value store's `models.active` channel; if pub/sub is lost, polling still catches up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from datetime import UTC, datetime

import numpy as np
import onnxruntime as ort
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.scoring import probabilities, read_published, scoring_model
from crowdsketch.db.engine import Database
from crowdsketch.common.assignment import arm_for
from crowdsketch.db.models import Experiment, ModelVersion
from crowdsketch.errors import AppError, ServiceUnavailableError
from crowdsketch.ports.blob import BlobNotFound, BlobStore
from crowdsketch.ports.kv import KeyValueStore
from crowdsketch.pen_path import PathSpec
from crowdsketch.raster import RasterSpec
from crowdsketch.resilience import DependencyGuard
from crowdsketch.common.channels import ACTIVE_MODEL_CHANNEL

logger = logging.getLogger(__name__)

class NoModelLoadedError(ServiceUnavailableError):
    code = "NO_MODEL_LOADED"


class ModelFilesMissingError(ServiceUnavailableError):
    """The active model's row names files the blob store does not have (a development S3
    server restarted empty, a lost bucket): waiting will not help, an operator will."""

    code = "MODEL_FILES_MISSING"


@dataclass(frozen=True)
class LoadedModel:
    id: uuid.UUID
    version: int
    accuracy: float
    classes: list[str]
    spec: RasterSpec
    session: ort.InferenceSession
    input_name: str
    loaded_at: datetime
    # What a browser needs to run the same model: the file, and the card it came with.
    onnx_bytes: bytes = b""
    card: dict[str, Any] = field(default_factory=dict)
    path_spec: PathSpec | None = None  # a model that reads the pen's path too (crowdsketch/pen_path.py)
    path_input: str | None = None

    def probabilities(self, strokes: list[list[list[float]]] | list) -> np.ndarray:
        return probabilities(self, strokes)


@dataclass(frozen=True)
class Prediction:
    shape: str
    confidence: float
    all_predictions: list[tuple[str, float]]
    inference_time_ms: float
    model_version: int
    # The A/B experiment that dealt this caller an arm, and which.
    experiment_id: uuid.UUID | None = None
    arm: str | None = None


@dataclass(frozen=True)
class RunningExperiment:
    """The experiment running, with its treatment loaded beside the active model (the control)."""

    id: uuid.UUID
    share: float
    control_id: uuid.UUID
    treatment: LoadedModel


FIRST_MODEL_POLL_S = 2.0


class ModelManager:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        blob_guard: DependencyGuard,
        kv: KeyValueStore,
        poll_interval_s: float,
    ) -> None:
        self._db = db
        self._blobs = blobs
        self._blob_guard = blob_guard
        self._kv = kv
        self._poll_interval_s = poll_interval_s
        self._current: LoadedModel | None = None
        self._experiment: RunningExperiment | None = None
        # The active model whose files are missing, while that lasts (said once in the log).
        self._missing: ModelVersion | None = None
        self._refresh_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def current(self) -> LoadedModel | None:
        return self._current

    async def start(self) -> None:
        with contextlib.suppress(Exception):
            await self.refresh()
        self._tasks = [asyncio.create_task(self._poll()), asyncio.create_task(self._listen())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            # A subscription stuck closing on a dead connection must not hold up shutdown.
            await asyncio.wait(self._tasks, timeout=2.0)
        self._tasks = []

    @property
    def state(self) -> str:
        """For /readyz: `loaded`, `files missing` (the active model's), or `none`."""
        if self._current is not None:
            return "loaded"
        return "files missing" if self._missing is not None else "none"

    def require(self) -> LoadedModel:
        model = self._current
        if model is None:
            if self._missing is not None:
                raise ModelFilesMissingError(
                    f"The active model (version {self._missing.version}) has no files in the blob store; "
                    "an operator runs `crowdsketch doctor --repair`, which activates the newest intact model",
                    retry_after_s=60,
                )
            raise NoModelLoadedError("No model loaded", retry_after_s=5)
        return model

    def classify(self, strokes: list, caller: str | None = None) -> Prediction:
        """With an experiment running and a `caller`, the arm the caller is dealt answers."""
        model = self.require()  # one reference for the whole request, whatever swaps meanwhile
        experiment, arm = self._experiment, None
        if experiment is not None and caller is not None and experiment.control_id == model.id:
            arm = arm_for(experiment.id, caller, experiment.share)
            model = experiment.treatment if arm == "treatment" else model
        started = time.perf_counter()
        probabilities = model.probabilities(strokes)
        elapsed_ms = (time.perf_counter() - started) * 1000
        ranked = sorted(zip(model.classes, probabilities.tolist(), strict=True), key=lambda p: p[1], reverse=True)
        return Prediction(ranked[0][0], ranked[0][1], ranked, round(elapsed_ms, 3), model.version,
                          experiment.id if arm else None, arm)

    @property
    def experimenting(self) -> bool:
        """Whether an experiment's treatment is loaded beside the active model."""
        return self._experiment is not None and self._current is not None

    def score_both(self, strokes: list) -> tuple[uuid.UUID, str, str] | None:
        """Both arms' top shape for the strokes (a game drawing's shadow scoring)."""
        control, experiment = self._current, self._experiment
        if control is None or experiment is None or experiment.control_id != control.id:
            return None
        tops = [m.classes[int(m.probabilities(strokes).argmax())] for m in (control, experiment.treatment)]
        return experiment.id, tops[0], tops[1]

    async def refresh(self) -> bool:
        """Load the active model if it is not the one loaded, and the running experiment's
        treatment; True when the active model swapped."""
        async with self._refresh_lock:
            swapped = await self._refresh_active()
            await self._refresh_experiment()
            return swapped

    async def _refresh_experiment(self) -> None:
        row = await self._db.run(_running_experiment, write=False)
        if row is None:
            self._experiment = None
            return
        if self._experiment is not None and self._experiment.id == row.id:
            return
        treatment = await self._db.run(lambda session: session.get(ModelVersion, row.treatment_model_id), write=False)
        try:
            loaded = await self._load(treatment)
        except BlobNotFound:
            logger.error("the experiment's treatment has no files: it is not served", extra={"experimentId": str(row.id)})
            return
        self._experiment = RunningExperiment(row.id, row.share, row.control_model_id, loaded)
        logger.info("loaded the experiment's treatment", extra={"experimentId": str(row.id), "version": treatment.version})

    async def _refresh_active(self) -> bool:
        row = await self._db.run(_active_model, write=False)
        if row is None or (self._current is not None and self._current.id == row.id):
            return False
        try:
            loaded = await self._load(row)
        except BlobNotFound:
            if self._missing is None or self._missing.id != row.id:
                logger.error("the active model has no files in the blob store; run `crowdsketch doctor --repair`",
                             extra={"modelId": str(row.id), "version": row.version, "blobPrefix": row.blob_prefix})
            self._missing = row
            return False
        self._current, self._missing = loaded, None
        logger.info("loaded model", extra={"modelId": str(row.id), "version": row.version})
        return True

    async def _load(self, row: ModelVersion) -> LoadedModel:
        onnx_bytes, card = await read_published(self._blobs, self._blob_guard, row.blob_prefix)
        model = await asyncio.to_thread(scoring_model, onnx_bytes, card)
        return LoadedModel(
            id=row.id,
            version=row.version,
            accuracy=row.accuracy,
            classes=model.classes,
            spec=model.spec,
            session=model.session,
            input_name=model.input_name,
            loaded_at=datetime.now(UTC),
            onnx_bytes=onnx_bytes,
            card=card,
            path_spec=model.path_spec,
            path_input=model.path_input,
        )

    async def _poll(self) -> None:
        while True:
            # Until a first model is in service, look often: a new stack's first model
            # should answer within seconds of its training ending, even where no
            # notification reaches this process (the embedded stack's worker is a child
            # process, and its in-memory pub/sub does not cross processes).
            waiting = self._current is None
            await asyncio.sleep(min(self._poll_interval_s, FIRST_MODEL_POLL_S) if waiting else self._poll_interval_s)
            await self._refresh_quietly()

    async def _listen(self) -> None:
        while True:
            try:
                async with self._kv.subscribe(ACTIVE_MODEL_CHANNEL) as messages:
                    async for _ in messages:
                        await self._refresh_quietly()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - pub/sub lost: polling covers until it is back
                logger.warning("model change notifications lost; retrying", exc_info=True)
                await asyncio.sleep(1.0)

    async def _refresh_quietly(self) -> None:
        try:
            await self.refresh()
        except (AppError, Exception):  # noqa: BLE001 - a failed reload keeps the model in service
            logger.warning("could not reload the active model", exc_info=True)


async def _running_experiment(session: AsyncSession) -> Experiment | None:
    return (await session.execute(select(Experiment).where(Experiment.status == "running"))).scalar_one_or_none()


async def _active_model(session: AsyncSession) -> ModelVersion | None:
    statement = select(ModelVersion).where(ModelVersion.active.is_(True)).order_by(ModelVersion.activated_at.desc())
    return (await session.execute(statement.limit(1))).scalar_one_or_none()
