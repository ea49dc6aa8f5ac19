"""What the training and model routes take and answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, field_validator

from crowdsketch.common.schemas import CamelModel
from crowdsketch.evaluation.schemas import ModelEvaluationRead

ShapeId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{1,39}$")]


def at_least_two_shapes(shapes: list[str] | None) -> list[str] | None:
    """The same words whether one shape was given, or one shape twice."""
    if shapes is not None and len(set(shapes)) < 2:
        raise ValueError("a classifier needs at least 2 shapes")
    return shapes


class TrainingConfig(CamelModel):
    """The job's recipe. Its canonical form (defaults filled, shapes resolved and sorted)
    is hashed to recognise a job started twice."""

    model_config = ConfigDict(extra="forbid")

    epochs: int = Field(ge=1, le=100)
    shapes: list[ShapeId] | None = Field(
        default=None, max_length=200, description="Shape ids to learn (at least 2); all active shapes if omitted"
    )
    min_quality: float = Field(default=0.0, ge=0, le=1)
    min_agreement: float | None = Field(
        default=None, ge=0, le=1,
        description="Leave out drawings the model that was active when they arrived gave less than this "
        "probability of their shape; drawings it never scored (synthetic, imported, before any model) stay in",
    )
    min_consensus: float | None = Field(
        default=None, ge=0, le=1,
        description="Leave out drawings the crowd's verdict says are less likely than this to be their shape; "
        "drawings nobody has judged yet stay in",
    )
    min_trust: float | None = Field(
        default=None, ge=0, le=1,
        description="Leave out drawings by contributors trusted less than this; drawings of unknown or "
        "not yet judged contributors stay in",
    )
    include_synthetic: bool = True
    include_flagged: bool = False
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    activate: bool = Field(default=False, description="Make the trained model the active one")
    dataset_id: uuid.UUID | None = Field(
        default=None, description="Train on this dataset snapshot, in place of the filters above; without it the "
        "job freezes what the filters choose into a snapshot of its own first")

    _two_shapes = field_validator("shapes")(at_least_two_shapes)


class LabelIssueScanConfig(CamelModel):
    """A label-issue scan: out-of-fold probabilities over the real (not synthetic),
    unflagged drawings of the shapes, from `folds` models of the training recipe."""

    model_config = ConfigDict(extra="forbid")

    folds: int = Field(default=5, ge=2, le=10)
    epochs: int = Field(default=30, ge=1, le=100, description="Epochs each fold's model trains")
    shapes: list[ShapeId] | None = Field(
        default=None, max_length=200, description="Shape ids to scan (at least 2); all active shapes if omitted"
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1)

    _two_shapes = field_validator("shapes")(at_least_two_shapes)


class EpochProgress(CamelModel):
    epoch: int = Field(ge=1)
    loss: float
    train_accuracy: float
    validation_accuracy: float
    seconds: float


class TrainingProgress(CamelModel):
    epochs: list[EpochProgress] = Field(default_factory=list)
    cancel_requested: bool = False
    not_activated: str | None = Field(
        default=None, description="Why the trained model was not made active although the job asked (or it was the first)")


class TrainingJobRead(CamelModel):
    id: uuid.UUID
    kind: str = Field(description="`train`; `evaluate` (config `{modelId}`: a model scored again); "
                      "`label_issues` (a label-issue scan); `aggregate` (the crowd's verdicts and trust)")
    status: str
    config: dict[str, Any]
    config_hash: str
    progress: TrainingProgress
    attempts: int
    error: str | None
    model_id: uuid.UUID | None
    created_at: datetime
    queued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None


class TrainingJobPage(CamelModel):
    items: list[TrainingJobRead]
    next_cursor: str | None


class ModelRead(CamelModel):
    id: uuid.UUID
    version: int
    job_id: uuid.UUID | None
    classes: list[str]
    accuracy: float
    metrics: dict[str, Any] = Field(description="Per-class precision, recall and the like, as evaluated")
    dataset_size: int
    dataset_hash: str
    dataset_id: uuid.UUID | None = Field(default=None, description="The snapshot it was trained from")
    dataset_name: str | None = None
    active: bool
    created_at: datetime
    activated_at: datetime | None
    evaluations: list[ModelEvaluationRead] = Field(
        default_factory=list, description="The model's accuracy on each evaluation set (real drawings it never trained on)"
    )
