"""The training worker: takes jobs from the queue, trains, publishes the model.

A `train` job ends with the new model scored on every evaluation set; an `evaluate` job
scores an existing model on them again; a `label_issues` job ranks the drawings whose label
is probably wrong (`training/scan.py`); an `aggregate` job infers the crowd's verdicts and
trust from the votes (`quality/consensus.py`), and each worker starts one when it sees new
votes (every `consensus_interval_s`).

A delivery is acknowledged only once its job has ended (completed, failed or cancelled),
so a worker killed mid-job leaves the job to another worker. An error in the job itself
ends it `failed` with the reason: it would only fail again if redelivered. A job that kills
every worker that takes it comes back from the queue as a dead letter and is ended `failed`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any


from crowdsketch.common import tallies
from crowdsketch.common.scoring import scoring_model
from crowdsketch.db.models import ModelVersion, TrainingJob
from crowdsketch.evaluation.service import EvaluationService, SetScore
from crowdsketch.ports.queue import JobDelivery
from crowdsketch.quality.consensus import AGGREGATE_KIND, aggregate, needs_aggregation
from crowdsketch.ports.queue_adapters import worker_identity
from crowdsketch.raster import DEFAULT_SPEC
from crowdsketch.resources import Resources
from crowdsketch.training.dataset import EmptyDatasetError, build_dataset
from crowdsketch.training.distort import DEFAULT_DISTORTION, SYNTHETIC_DISTORTION
from crowdsketch.training.export import export_onnx, model_card, publish_model
from crowdsketch.training.job_snapshot import job_snapshot
from crowdsketch.training.jobs import TrainingJobs
from crowdsketch.training.scan import run_scan
from crowdsketch.training.schemas import EpochProgress
from crowdsketch.training.trainer import EpochProgress as TrainerProgress
from crowdsketch.training.trainer import TrainConfig, TrainingCancelled, train

logger = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 30.0
# After the queue could not be read (the broker or database down), try again after this.
DEAD_LETTER_RETRY_S = 5.0

# Told of each epoch's figures, from the training thread.
EpochObserver = Callable[[TrainerProgress], None]


class TrainingWorker:
    def __init__(self, resources: Resources, owner: str | None = None) -> None:
        self._resources = resources
        self._jobs = TrainingJobs.from_resources(resources)
        self.owner = owner or worker_identity()
        # Epochs are recorded (and their events published) one at a time, in the order the
        # training thread reported them: each report is its own coroutine, and a later one's
        # write could otherwise overtake an earlier one's on a busy database.
        self._progress_order = asyncio.Lock()

    async def run(self) -> None:
        """Take jobs until cancelled; meanwhile re-publish jobs whose publication failed,
        end the jobs the queue gave up on, start vote aggregations and fold the kept counts."""
        chores = [asyncio.create_task(self._sweep()), asyncio.create_task(self._end_dead_letters())]
        if self._resources.settings.consensus_interval_s > 0:
            chores.append(asyncio.create_task(self._aggregate_new_votes(self._resources.settings.consensus_interval_s)))
        if self._resources.settings.count_fold_interval_s > 0:
            chores.append(asyncio.create_task(self._fold_counts(self._resources.settings.count_fold_interval_s)))
        try:
            async with contextlib.aclosing(self._resources.jobs.consume()) as deliveries:
                async for delivery in deliveries:
                    await self.handle(delivery)
        finally:
            for chore in chores:
                chore.cancel()
            await asyncio.gather(*chores, return_exceptions=True)

    async def handle(self, delivery: JobDelivery) -> None:
        await self.run_job(delivery.message.job_id)
        await delivery.ack()

    async def run_job(self, job_id: uuid.UUID, on_epoch: EpochObserver | None = None) -> bool:
        """Take the job, train it and end it: completed, failed with the reason, or
        cancelled. False if it had ended already (cancelled before it started, or a
        duplicate delivery of a finished job)."""
        job = await self._jobs.mark_running(job_id, self.owner)
        if job is None:
            return False
        stop = threading.Event()
        keeper = asyncio.create_task(self._keep_lease(job_id, stop))
        try:
            if job.kind == "evaluate":
                await self._evaluate(job)
            elif job.kind == "label_issues":
                await run_scan(self._resources, job, stop)
                await self._jobs.complete_without_model(job_id, self.owner)
            elif job.kind == AGGREGATE_KIND:
                await aggregate(self._resources.db)
                await self._jobs.complete_without_model(job_id, self.owner)
            else:
                model, scores = await self._train(job, stop, on_epoch)
                await self._jobs.complete(job_id, self.owner, model, scores)
            logger.info("training job completed", extra={"jobId": str(job_id), "kind": job.kind})
        except TrainingCancelled:
            await self._jobs.mark_cancelled(job_id, self.owner)
        except EmptyDatasetError as exc:  # the config's doing, not a fault: no traceback
            logger.warning("%s job failed: %s", job.kind, exc, extra={"jobId": str(job_id)})
            await self._jobs.fail(job_id, f"{type(exc).__name__}: {exc}", self.owner)
        except Exception as exc:  # noqa: BLE001 - any failure of the job ends the job, not the worker
            logger.exception("%s job failed", job.kind, extra={"jobId": str(job_id)})
            await self._jobs.fail(job_id, f"{type(exc).__name__}: {exc}", self.owner)
        finally:
            stop.set()  # if this task was cancelled, the training thread stops too
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        return True

    async def _evaluate(self, job: TrainingJob) -> None:
        model_id = uuid.UUID(job.config["modelId"])
        await EvaluationService.from_resources(self._resources).rescore(model_id)
        await self._jobs.complete_without_model(job.id, self.owner, model_id)

    async def _train(
        self, job: TrainingJob, stop: threading.Event, on_epoch: EpochObserver | None
    ) -> tuple[ModelVersion, list[SetScore]]:
        resources, config = self._resources, job.config
        snapshot = await job_snapshot(resources, job)
        dataset = await build_dataset(resources.db, resources.blobs, resources.blob_guard, config, DEFAULT_SPEC,
                                      snapshot=snapshot.items)
        on_progress = self._progress_reporter(job.id, asyncio.get_running_loop(), on_epoch, int(config["epochs"]))
        train_config = TrainConfig(epochs=int(config["epochs"]), seed=int(config.get("seed") or 0))
        trained = await asyncio.to_thread(
            train, train_config, dataset.images, dataset.labels, dataset.classes, on_progress, stop.is_set,
            groups=dataset.groups, synthetic=dataset.synthetic,
            variants=dataset.variants, variant_of=dataset.variant_of,
            paths=dataset.paths, variant_paths=dataset.variant_paths,
        )
        onnx_bytes = await asyncio.to_thread(export_onnx, trained, DEFAULT_SPEC, dataset.path_spec)
        model_id = uuid.uuid4()
        card = model_card(trained, DEFAULT_SPEC, model_id=model_id, dataset_size=dataset.size,
                          dataset_hash=dataset.content_hash, config=config, path_spec=dataset.path_spec)
        card["drawing_ids"] = [str(i) for i in dataset.drawing_ids]
        # The snapshot it learnt from; its hash differs from the model's only when an
        # evaluation set took some of the snapshot's drawings since it was made.
        card["dataset"] = {"id": str(snapshot.id), "name": snapshot.name, "contentHash": snapshot.content_hash}
        # What the training versions of people's and of synthetic drawings were varied by.
        card["distortion"] = {"people": DEFAULT_DISTORTION.to_dict(), "synthetic": SYNTHETIC_DISTORTION.to_dict()}
        # Scored before it is published, through the exported file as inference will run it.
        evaluation = EvaluationService.from_resources(resources)
        scores = await evaluation.score_on_every_set(await asyncio.to_thread(scoring_model, onnx_bytes, card))
        card["evaluations"] = [score.to_dict() for score in scores]
        card["excluded"] = await evaluation.held_out(dataset.classes)
        prefix = await publish_model(resources.blobs, model_id, onnx_bytes, card)
        metrics: dict[str, Any] = trained.metrics
        return ModelVersion(
            id=model_id,
            classes=dataset.classes,
            accuracy=float(metrics["validation_accuracy"]),
            metrics={k: v for k, v in metrics.items() if k != "history"},
            dataset_size=dataset.size,
            dataset_hash=dataset.content_hash,
            dataset_id=snapshot.id,
            blob_prefix=prefix,
            active=False,
        ), scores

    def _progress_reporter(
        self, job_id: uuid.UUID, loop: asyncio.AbstractEventLoop, on_epoch: EpochObserver | None, epochs: int
    ) -> EpochObserver:
        """The training thread's progress callback. Progress is only a report: a write that
        fails, or an observer that raises, is logged and training goes on."""
        def report(progress: TrainerProgress) -> None:
            try:
                asyncio.run_coroutine_threadsafe(self._record_progress(job_id, progress, epochs), loop)
                if on_epoch is not None:
                    on_epoch(progress)
            except Exception:  # noqa: BLE001 - see above
                logger.warning("reporting training progress failed",
                               extra={"jobId": str(job_id), "epoch": progress.epoch}, exc_info=True)

        return report

    async def _record_progress(self, job_id: uuid.UUID, progress: TrainerProgress, epochs: int) -> None:
        extra = {"jobId": str(job_id), "epoch": progress.epoch}
        # The lock is the coroutine's first await: coroutines start in the order they were
        # scheduled, and an asyncio lock hands itself on first come, first served.
        async with self._progress_order:
            try:
                if not await self._jobs.record_progress(job_id, self.owner, EpochProgress(**progress.to_dict()), epochs):
                    logger.warning("training progress not recorded: the job is no longer this worker's", extra=extra)
            except Exception:  # noqa: BLE001 - a lost progress report must not end the job
                logger.warning("recording training progress failed", extra=extra, exc_info=True)

    async def _keep_lease(self, job_id: uuid.UUID, stop: threading.Event) -> None:
        """Heartbeat the job, and pass an admin's cancel on to the training thread."""
        interval = max(0.2, min(5.0, self._resources.settings.job_lease_s / 4))
        while True:
            await asyncio.sleep(interval)
            try:
                still_mine = await self._jobs.heartbeat(job_id, self.owner)
                if not still_mine or await self._jobs.is_cancel_requested(job_id):
                    stop.set()
            except Exception:  # noqa: BLE001 - a missed heartbeat is retried next time
                logger.warning("heartbeat failed", exc_info=True)

    async def _aggregate_new_votes(self, interval_s: float) -> None:
        """Start an aggregation when votes came in since the last; workers doing so at once
        get the one job (one unfinished job per config)."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                if await self._resources.db.run(needs_aggregation, write=False):
                    await self._jobs.start_kind(None, AGGREGATE_KIND, {}, None)
            except Exception:  # noqa: BLE001 - the next round tries again
                logger.warning("starting the aggregation of votes failed", exc_info=True)

    async def _fold_counts(self, interval_s: float) -> None:
        """Keep the kept counts' tables small: each key's rows become one (tallies.fold)."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self._resources.db.run(tallies.fold)
            except Exception:  # noqa: BLE001 - the next round tries again; the counts stay exact
                logger.warning("folding the kept counts failed", exc_info=True)

    async def _sweep(self) -> None:
        while True:
            try:
                await self._jobs.republish_pending(older_than_s=SWEEP_INTERVAL_S)
            except Exception:  # noqa: BLE001 - the next sweep tries again
                logger.warning("re-publishing pending jobs failed", exc_info=True)
            await asyncio.sleep(SWEEP_INTERVAL_S)

    async def _end_dead_letters(self) -> None:
        """Fail each job the queue gave up on (its letter is acknowledged once the job has
        ended, so a worker dying here leaves the letter to another)."""
        queue = self._resources.jobs
        while True:
            try:
                async with contextlib.aclosing(queue.dead_letters()) as letters:
                    async for letter in letters:
                        job_id = letter.message.job_id
                        await self._jobs.give_up(job_id, queue.max_deliveries)
                        logger.warning("training job given up: its workers kept crashing",
                                       extra={"jobId": str(job_id), "attempts": queue.max_deliveries})
                        await letter.ack()
            except Exception:  # noqa: BLE001 - the queue or the database is down: try again later
                logger.warning("ending the jobs the queue gave up on failed", exc_info=True)
            await asyncio.sleep(DEAD_LETTER_RETRY_S)
