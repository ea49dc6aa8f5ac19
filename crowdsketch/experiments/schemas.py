"""What the experiment routes take and answer."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict, Field

from crowdsketch.common.schemas import CamelModel


class ExperimentCreate(CamelModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    treatment_model_id: uuid.UUID = Field(description="The model to try against the active one (the control)")
    share: float = Field(ge=0.01, le=0.99, description="The treatment's share of classify traffic")
    minimum_effect: float = Field(default=0.03, ge=0.005, le=0.5,
                                  description="The smallest accuracy difference worth detecting (plans the sample size)")
    paired: bool = Field(default=True, description="Judge on the game drawings both arms scored (paired: the stronger "
                         "test); false: on every label of each arm (feedback too), unpaired. Fixed for the experiment")


class IntervalRead(CamelModel):
    low: float
    high: float


class ArmRead(CamelModel):
    arm: str
    model_id: uuid.UUID
    model_version: int
    requests: int = Field(description="Classify requests answered by this arm")
    labelled: int = Field(description="Answers whose truth is known: feedback, and game drawings (scored by both arms)")
    correct: int
    accuracy: float | None
    interval: IntervalRead | None = Field(description="The accuracy's 95% Wilson interval")
    latency_p50_ms: float | None
    latency_p95_ms: float | None


class ComparisonRead(CamelModel):
    difference: float | None = Field(description="Treatment accuracy minus control accuracy")
    interval: IntervalRead | None
    p_value: float | None = Field(description="Always valid: it may be looked at any time")
    decision: str = Field(description='"keep running", "treatment better", "control better" or '
                                      '"no difference at the planned power"')
    planned_labels_per_arm: int
    method: str
    paired: bool = Field(description="Judged on game drawings both arms scored (fixed when the experiment started)")


class PairedRead(CamelModel):
    drawings: int = Field(description="Game drawings both arms scored (the prompt is the truth)")
    both_right: int
    control_only: int
    treatment_only: int
    both_wrong: int


class ExperimentRead(CamelModel):
    id: uuid.UUID
    name: str
    status: str = Field(description="running, stopped or promoted")
    share: float
    started_at: datetime
    ended_at: datetime | None
    arms: list[ArmRead]
    comparison: ComparisonRead
    paired: PairedRead


class FeedbackCreate(CamelModel):
    model_config = ConfigDict(extra="forbid")

    prediction_id: str = Field(min_length=1, max_length=64)
    correct_shape: str = Field(min_length=1, max_length=40, description="What the drawing really was: a shape id")


class FeedbackRead(CamelModel):
    prediction_id: str
    correct: bool = Field(description="Whether the prediction was right")
    experiment_id: uuid.UUID
    arm: str
