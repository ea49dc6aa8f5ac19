"""Trained models and which one answers: exactly one is active, and inference is told at
once when that changes (it also re-checks on its own, so a lost notice only delays it)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.common.audit import record
from crowdsketch.common.channels import ACTIVE_MODEL_CHANNEL
from crowdsketch.common.identity import AdminSession
from crowdsketch.events.bus import EventBus
from crowdsketch.db.models import Dataset, ModelEvaluation, ModelVersion
from crowdsketch.errors import NotFoundError, ServiceUnavailableError
from crowdsketch.evaluation.service import SetScore, evaluations_by_model
from crowdsketch.ports.kv import KeyValueStore
from crowdsketch.resilience import DependencyGuard
from crowdsketch.training.schemas import ModelRead


logger = logging.getLogger("crowdsketch.training")


def model_read(model: ModelVersion) -> ModelRead:
    return ModelRead.model_validate(model, from_attributes=True)


async def list_models(session: AsyncSession) -> list[ModelRead]:
    """Newest version first, each with its scores on the evaluation sets."""
    rows = list((await session.execute(select(ModelVersion).order_by(ModelVersion.version.desc()))).scalars())
    scores = await evaluations_by_model(session, [row.id for row in rows])
    names = dict((await session.execute(select(Dataset.id, Dataset.name).where(
        Dataset.id.in_({row.dataset_id for row in rows if row.dataset_id is not None}))
    )).all())
    return [model_read(row).model_copy(update={"evaluations": scores[row.id], "dataset_name": names.get(row.dataset_id)})
            for row in rows]


async def make_active(session: AsyncSession, model: ModelVersion) -> None:
    """Flushes only: the caller's transaction makes the switch atomic."""
    # Every row locked (PostgreSQL; SQLite has one writer anyway): two activations at
    # once take turns, so they cannot leave two models active.
    await session.execute(select(ModelVersion.id).with_for_update())
    await session.execute(
        update(ModelVersion).where(ModelVersion.active.is_(True), ModelVersion.id != model.id).values(active=False)
    )
    model.active = True
    model.activated_at = datetime.now(UTC)
    await session.flush()


async def activation_refusal(
    session: AsyncSession, model: ModelVersion, scores: Sequence[SetScore], floor: float
) -> str | None:
    """Why a newly trained model is not to be made active on its own (None: it may be): a
    validation accuracy under `floor`, or a lower mean accuracy than the active model's on
    the evaluation sets both were scored on. An admin can still activate it by hand."""
    if model.accuracy < floor:
        return f"validation accuracy {model.accuracy:.3f} is below the floor {floor:.3f} (CROWDSKETCH_ACTIVATION_FLOOR)"
    active = (await session.execute(select(ModelVersion).where(ModelVersion.active.is_(True)))).scalar_one_or_none()
    if active is None or not scores:
        return None
    theirs = dict((await session.execute(
        select(ModelEvaluation.eval_set_id, ModelEvaluation.accuracy).where(ModelEvaluation.model_id == active.id)
    )).all())
    both = [score for score in scores if score.eval_set_id in theirs]
    if not both:
        return None
    mine = sum(score.accuracy for score in both) / len(both)
    active_mean = sum(theirs[score.eval_set_id] for score in both) / len(both)
    if mine < active_mean:
        sets = ", ".join(score.eval_set for score in both)
        return (f"it scores {mine:.2%} on the evaluation sets ({sets}) where the active model "
                f"v{active.version} scores {active_mean:.2%}")
    return None


async def activate(session: AsyncSession, admin: AdminSession, model_id: uuid.UUID) -> ModelRead:
    model = await session.get(ModelVersion, model_id)
    if model is None:
        raise NotFoundError(f"No model {model_id}")
    previous = (
        await session.execute(select(ModelVersion.id).where(ModelVersion.active.is_(True), ModelVersion.id != model_id))
    ).scalar_one_or_none()
    await make_active(session, model)
    await record(
        session, admin.admin_id, admin.email, "model.activate", "model", str(model.id),
        {"version": model.version, "previous": str(previous) if previous else None},
    )
    return model_read(model)


async def announce_active(
    kv: KeyValueStore, kv_guard: DependencyGuard, model: ModelVersion | ModelRead, events: EventBus | None = None
) -> None:
    """After the commit: inference is told (best effort: it polls the database as well),
    and so is the admin event stream (`model.activated`)."""
    try:
        await kv_guard.call(lambda: kv.publish(ACTIVE_MODEL_CHANNEL, str(model.id).encode()))
    except ServiceUnavailableError:
        logger.warning("could not announce the active model %s; inference will see it when it polls", model.id)
    if events is not None:
        await events.publish("model.activated", {"modelId": str(model.id), "version": model.version})
