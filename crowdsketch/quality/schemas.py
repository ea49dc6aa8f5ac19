"""What the verification routes take and answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from crowdsketch.common.schemas import CamelModel, ShapeRef
from crowdsketch.strokes import StrokeData

Answer = Literal["yes", "no", "unsure"]


class VerificationTaskRead(CamelModel):
    id: uuid.UUID = Field(description="The task: answer it with POST /api/verifications/{id}")
    drawing_id: uuid.UUID
    shape: ShapeRef = Field(description="The question: is this drawing a `shape`?")
    stroke_data: StrokeData


class VerificationAnswer(CamelModel):
    model_config = ConfigDict(extra="forbid")

    answer: Answer


class VerificationVoteRead(CamelModel):
    id: uuid.UUID
    task_id: uuid.UUID
    drawing_id: uuid.UUID
    answer: Answer
    created_at: datetime


class VerificationPolicy(CamelModel):
    every: int = Field(description="One game turn in `every` is a verification turn (0: none)")
