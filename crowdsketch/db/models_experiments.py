"""A/B experiments of model versions and their labelled outcomes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, JSON, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from crowdsketch.db.models import Base, UTCDateTime, utcnow


RUNNING_EXPERIMENT = text("status = 'running'")


class Experiment(Base):
    """An A/B test of a model version (the treatment) against the active model (the
    control), on a share of the classify traffic; at most one runs at a time."""

    __tablename__ = "experiments"
    __table_args__ = (
        Index("uq_experiments_running", "status", unique=True,
              postgresql_where=RUNNING_EXPERIMENT, sqlite_where=RUNNING_EXPERIMENT),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default="running")
    control_model_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("models.id"))
    treatment_model_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("models.id"))
    share: Mapped[float] = mapped_column(Float)
    # The decision rule's plan, fixed at the start (experiments/statistics.Plan), and the
    # smallest always-valid p-value seen so far.
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    min_p: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("admin_users.id", ondelete="SET NULL"), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ExperimentOutcome(Base):
    """One labelled answer of an experiment: an implementor's feedback on a classify answer
    (one arm), or a game drawing both arms scored (its prompt is the truth)."""

    __tablename__ = "experiment_outcomes"
    __table_args__ = (Index("ix_experiment_outcomes_experiment_id_source", "experiment_id", "source"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    experiment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))  # "feedback" | "game"
    # feedback: the prediction it answers (unique: feedback is idempotent) and its arm.
    prediction_id: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    arm: Mapped[str | None] = mapped_column(String(16), nullable=True)
    predicted_shape: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # game: the drawing, and what each arm made of it.
    drawing_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    control_shape: Mapped[str | None] = mapped_column(String(40), nullable=True)
    treatment_shape: Mapped[str | None] = mapped_column(String(40), nullable=True)
    truth: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
