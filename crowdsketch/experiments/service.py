"""A/B experiments: a model version (the treatment) against the active model (the control).

At most one runs (a partial unique index). Inference processes load both arms and deal each
classify caller to an arm by a stable hash (`common/assignment.py`); each answer's arm,
shape and latency are counted in the key-value store (`ExperimentTracker`), and the answer
is kept there for a day under its `predictionId` for the implementor's feedback. Truth comes
from that feedback (one arm) and from game drawings, which both arms score off the request
path (`shadow.py`; the prompt is the truth, and the pair makes the stronger, paired test).
The figures and the verdict are worked out when an experiment is read (`statistics.py`).
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson
import sqlalchemy.exc
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.audit import record
from crowdsketch.common.channels import ACTIVE_MODEL_CHANNEL
from crowdsketch.db.models import Experiment, ExperimentOutcome, ModelVersion
from crowdsketch.errors import AppError, ConflictError, NotFoundError, ValidationError
from crowdsketch.experiments.schemas import (
    ArmRead,
    ComparisonRead,
    ExperimentCreate,
    ExperimentRead,
    FeedbackRead,
    IntervalRead,
    PairedRead,
)
from crowdsketch.experiments.statistics import ArmCounts, PairedCounts, Plan, compare, wilson

if TYPE_CHECKING:
    from crowdsketch.common.identity import AdminSession
    from crowdsketch.db.engine import Database
    from crowdsketch.events.bus import EventBus
    from crowdsketch.ports.kv import KeyValueStore
    from crowdsketch.resilience import DependencyGuard
    from crowdsketch.resources import Resources

logger = logging.getLogger(__name__)

ARMS = ("control", "treatment")
PREDICTION_TTL_S = 24 * 3600
COUNTER_TTL_S = 90 * 24 * 3600
# Latency is counted in buckets (upper bounds, ms): a percentile is the bound it falls under.
LATENCY_BUCKETS_MS = (1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 1000, 2000, 5000)


class ExperimentRunning(ConflictError):
    code = "EXPERIMENT_RUNNING"
    retryable = False


class ExperimentEnded(ConflictError):
    code = "EXPERIMENT_ENDED"
    retryable = False


# When this process last told the admin event stream of each experiment's new answers.
_TOLD_AT: dict[uuid.UUID, float] = {}
TELL_EVERY_S = 1.0


class ExperimentTracker:
    """What inference counts per arm, in the key-value store (shared by every process)."""

    def __init__(self, kv: KeyValueStore, kv_guard: DependencyGuard, events: EventBus | None = None) -> None:
        self._kv = kv
        self._guard = kv_guard
        self._events = events

    async def answered(self, experiment_id: uuid.UUID, arm: str, shape: str, latency_ms: float) -> str:
        """Count one classify answer of `arm`; its prediction id, for feedback."""
        prediction_id = uuid.uuid4().hex
        bucket = next((b for b in LATENCY_BUCKETS_MS if latency_ms <= b), LATENCY_BUCKETS_MS[-1])
        prefix = f"experiment:{experiment_id}:{arm}"
        payload = orjson.dumps({"experimentId": str(experiment_id), "arm": arm, "shape": shape})
        # On the classify path: both counters in one round trip, then the prediction.
        counters = [(f"{prefix}:requests", COUNTER_TTL_S), (f"{prefix}:latency:{bucket}", COUNTER_TTL_S)]
        await self._guard.call(lambda: self._kv.incr_many(counters))
        await self._guard.call(lambda: self._kv.set(f"prediction:{prediction_id}", payload, PREDICTION_TTL_S))
        now = time.monotonic()
        if self._events is not None and now - _TOLD_AT.get(experiment_id, 0.0) >= TELL_EVERY_S:
            _TOLD_AT[experiment_id] = now
            await self._events.publish("experiment.updated", {"experimentId": str(experiment_id)})
        return prediction_id

    async def prediction(self, prediction_id: str) -> dict[str, Any] | None:
        raw = await self._guard.call(lambda: self._kv.get(f"prediction:{prediction_id}"))
        return orjson.loads(raw) if raw is not None else None

    async def requests_and_latency(self, experiment_id: uuid.UUID, arm: str) -> tuple[int, float | None, float | None]:
        prefix = f"experiment:{experiment_id}:{arm}"
        keys = [f"{prefix}:requests", *(f"{prefix}:latency:{b}" for b in LATENCY_BUCKETS_MS)]
        values = [int(raw) if (raw := await self._kv.get(key)) is not None else 0 for key in keys]
        requests, buckets = values[0], values[1:]
        return requests, _percentile(buckets, 0.5), _percentile(buckets, 0.95)


def _percentile(counts: list[int], q: float) -> float | None:
    total = sum(counts)
    if total == 0:
        return None
    seen = 0
    for bound, count in zip(LATENCY_BUCKETS_MS, counts, strict=True):
        seen += count
        if seen >= q * total:
            return float(bound)
    return float(LATENCY_BUCKETS_MS[-1])


class ExperimentService:
    def __init__(self, db: Database, kv: KeyValueStore, kv_guard: DependencyGuard, events: EventBus) -> None:
        self._db = db
        self._kv = kv
        self._kv_guard = kv_guard
        self._events = events
        self.tracker = ExperimentTracker(kv, kv_guard, events)

    @classmethod
    def from_resources(cls, resources: Resources) -> ExperimentService:
        return cls(resources.db, resources.kv, resources.kv_guard, resources.events)

    async def create(self, body: ExperimentCreate, actor: AdminSession) -> ExperimentRead:
        try:
            async with self._db.request_session() as session:
                control = (await session.execute(select(ModelVersion).where(ModelVersion.active.is_(True)))).scalar_one_or_none()
                treatment = await session.get(ModelVersion, body.treatment_model_id)
                if treatment is None:
                    raise ValidationError.for_field("treatmentModelId", f"no model {body.treatment_model_id}")
                if control is None:
                    raise ValidationError.for_field("treatmentModelId", "no model is active: there is no control")
                if treatment.id == control.id:
                    raise ValidationError.for_field("treatmentModelId", "the active model is the control already")
                plan = Plan(minimum_effect=body.minimum_effect, baseline=min(0.99, max(0.5, control.accuracy)))
                row = Experiment(name=body.name, status="running", control_model_id=control.id,
                                 treatment_model_id=treatment.id, share=body.share, created_by=actor.admin_id,
                                 plan={"alpha": plan.alpha, "power": plan.power, "minimumEffect": plan.minimum_effect,
                                       "baseline": plan.baseline, "paired": body.paired}, started_at=datetime.now(UTC))
                session.add(row)
                await session.flush()
                await record(session, actor.admin_id, actor.email, "experiment.start", "experiment", str(row.id),
                             {"name": body.name, "control": control.version, "treatment": treatment.version,
                              "share": body.share})
                experiment_id = row.id
        except sqlalchemy.exc.IntegrityError:
            raise ExperimentRunning("an experiment is running already: stop or promote it first") from None
        await self._announce(experiment_id)
        return await self.get(experiment_id)

    async def list(self) -> list[ExperimentRead]:
        async with self._db.request_session() as session:
            rows = (await session.execute(select(Experiment).order_by(Experiment.started_at.desc()))).scalars().all()
            return [await self._read(session, row) for row in rows]

    async def get(self, experiment_id: uuid.UUID) -> ExperimentRead:
        async with self._db.request_session() as session:
            return await self._read(session, await _find(session, experiment_id))

    async def end(self, experiment_id: uuid.UUID, actor: AdminSession, status: str,
                  then: Any = None) -> ExperimentRead:
        """Stop it (`stopped`), or promote it (`promoted`: `then(session, treatment)` makes
        the treatment the active model in the same transaction)."""
        async with self._db.request_session() as session:
            row = (await session.execute(
                select(Experiment).where(Experiment.id == experiment_id).with_for_update())).scalar_one_or_none()
            if row is None:
                raise NotFoundError(f"no experiment {experiment_id}")
            if row.status != "running":
                raise ExperimentEnded(f"the experiment has {row.status} already",
                                      details=[{"field": "status", "message": row.status}])
            row.status, row.ended_at = status, datetime.now(UTC)
            if then is not None:
                await then(session, await session.get(ModelVersion, row.treatment_model_id))
            await record(session, actor.admin_id, actor.email, f"experiment.{'promote' if then else 'stop'}",
                         "experiment", str(row.id), {"name": row.name})
        await self._announce(experiment_id)
        return await self.get(experiment_id)

    async def record_feedback(self, prediction_id: str, correct_shape: str) -> FeedbackRead:
        """The truth about one classify answer; asking again answers the same."""
        kept = await self.tracker.prediction(prediction_id)
        if kept is None:
            raise NotFoundError("no such prediction (unknown, or older than a day)",
                                details=[{"field": "predictionId", "message": "unknown or expired"}])
        experiment_id = uuid.UUID(kept["experimentId"])

        async def write(session: AsyncSession) -> ExperimentOutcome:
            existing = (await session.execute(
                select(ExperimentOutcome).where(ExperimentOutcome.prediction_id == prediction_id))).scalar_one_or_none()
            if existing is not None:
                return existing
            outcome = ExperimentOutcome(experiment_id=experiment_id, source="feedback", prediction_id=prediction_id,
                                        arm=kept["arm"], predicted_shape=kept["shape"], truth=correct_shape)
            session.add(outcome)
            return outcome

        try:
            outcome = await self._db.run(write)
        except sqlalchemy.exc.IntegrityError:  # the same feedback twice at once: the first stands
            outcome = await self._db.run(write, write=False)
        await self._events.publish("experiment.updated", {"experimentId": str(experiment_id)})
        return FeedbackRead(prediction_id=prediction_id, correct=outcome.predicted_shape == outcome.truth,
                            experiment_id=experiment_id, arm=outcome.arm or "")

    async def record_game(self, experiment_id: uuid.UUID, drawing_id: uuid.UUID, truth: str,
                          control_shape: str, treatment_shape: str) -> None:
        async def write(session: AsyncSession) -> None:
            session.add(ExperimentOutcome(experiment_id=experiment_id, source="game", drawing_id=drawing_id,
                                          control_shape=control_shape, treatment_shape=treatment_shape, truth=truth))

        await self._db.run(write)
        await self._events.publish("experiment.updated", {"experimentId": str(experiment_id)})

    async def _announce(self, experiment_id: uuid.UUID) -> None:
        """Every inference process loads (or drops) the treatment at once; admins are told."""
        try:
            await self._kv_guard.call(lambda: self._kv.publish(ACTIVE_MODEL_CHANNEL, b"experiment"))
        except AppError:
            logger.warning("could not announce the experiment; inference will see it when it polls")
        await self._events.publish("experiment.updated", {"experimentId": str(experiment_id)})

    async def _read(self, session: AsyncSession, row: Experiment) -> ExperimentRead:
        versions = dict((await session.execute(select(ModelVersion.id, ModelVersion.version).where(
            ModelVersion.id.in_([row.control_model_id, row.treatment_model_id])))).all())
        feedback = await _feedback_counts(session, row.id)
        paired = await _paired_counts(session, row.id)
        pairs = paired.both_right + paired.control_only + paired.treatment_only + paired.both_wrong
        arms = []
        counts: dict[str, ArmCounts] = {}
        for arm, model_id in zip(ARMS, (row.control_model_id, row.treatment_model_id), strict=True):
            game_right = paired.both_right + (paired.control_only if arm == "control" else paired.treatment_only)
            labelled = feedback[arm][0] + pairs
            correct = feedback[arm][1] + game_right
            counts[arm] = ArmCounts(labelled=labelled, correct=correct)
            requests, p50, p95 = await self._arm_traffic(row.id, arm)
            interval = wilson(correct, labelled)
            arms.append(ArmRead(
                arm=arm, model_id=model_id, model_version=versions.get(model_id, 0), requests=requests,
                labelled=labelled, correct=correct, accuracy=correct / labelled if labelled else None,
                interval=IntervalRead(low=interval.low, high=interval.high) if interval else None,
                latency_p50_ms=p50, latency_p95_ms=p95,
            ))
        plan = Plan(alpha=row.plan["alpha"], power=row.plan["power"], minimum_effect=row.plan["minimumEffect"],
                    baseline=row.plan["baseline"])
        result = compare(counts["control"], counts["treatment"], plan,
                         paired=paired if row.plan.get("paired", True) else None, history_p=row.min_p)
        if result.p_value is not None and (row.min_p is None or result.p_value < row.min_p) and row.status == "running":
            row.min_p = result.p_value  # the always-valid p-value only goes down
        return ExperimentRead(
            id=row.id, name=row.name, status=row.status, share=row.share, started_at=row.started_at,
            ended_at=row.ended_at, arms=arms,
            comparison=ComparisonRead(
                difference=result.difference, p_value=result.p_value, decision=result.decision,
                interval=IntervalRead(low=result.interval.low, high=result.interval.high) if result.interval else None,
                planned_labels_per_arm=result.planned_labels_per_arm, method=result.method,
                paired=bool(row.plan.get("paired", True))),
            paired=PairedRead(drawings=pairs, both_right=paired.both_right, control_only=paired.control_only,
                              treatment_only=paired.treatment_only, both_wrong=paired.both_wrong),
        )

    async def _arm_traffic(self, experiment_id: uuid.UUID, arm: str) -> tuple[int, float | None, float | None]:
        try:
            return await self.tracker.requests_and_latency(experiment_id, arm)
        except Exception:  # noqa: BLE001 - the counts are a report: without the store, none
            logger.warning("experiment traffic unavailable", exc_info=True)
            return 0, None, None


async def _find(session: AsyncSession, experiment_id: uuid.UUID) -> Experiment:
    row = await session.get(Experiment, experiment_id)
    if row is None:
        raise NotFoundError(f"no experiment {experiment_id}")
    return row


async def _feedback_counts(session: AsyncSession, experiment_id: uuid.UUID) -> dict[str, tuple[int, int]]:
    outcome = ExperimentOutcome
    rows = (await session.execute(
        select(outcome.arm, func.count(), func.sum(case((outcome.predicted_shape == outcome.truth, 1), else_=0)))
        .where(outcome.experiment_id == experiment_id, outcome.source == "feedback").group_by(outcome.arm)
    )).all()
    found = {arm: (int(n), int(right or 0)) for arm, n, right in rows}
    return {arm: found.get(arm, (0, 0)) for arm in ARMS}


async def _paired_counts(session: AsyncSession, experiment_id: uuid.UUID) -> PairedCounts:
    outcome = ExperimentOutcome
    control_right = outcome.control_shape == outcome.truth
    treatment_right = outcome.treatment_shape == outcome.truth

    def count(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    row = (await session.execute(
        select(count(control_right & treatment_right), count(control_right & ~treatment_right),
               count(~control_right & treatment_right), count(~control_right & ~treatment_right))
        .where(outcome.experiment_id == experiment_id, outcome.source == "game")
    )).one()
    both_right, control_only, treatment_only, both_wrong = (int(v or 0) for v in row)
    return PairedCounts(both_right=both_right, control_only=control_only, treatment_only=treatment_only,
                        both_wrong=both_wrong)
