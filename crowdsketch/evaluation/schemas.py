"""What the evaluation-set routes take and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from crowdsketch.common.schemas import CamelModel

EVAL_SET_NAME = r"^[a-z0-9][a-z0-9._-]{0,39}$"
EvalSetName = Annotated[str, Field(pattern=EVAL_SET_NAME, description="1-40 lower-case letters, digits, '.', '_' or '-'")]


class EvalSetRead(CamelModel):
    name: str
    drawings: int = Field(description="drawings in the set")
    shapes: list[str] = Field(description="the labels the set holds, sorted")
    created_at: datetime


class ClassScore(CamelModel):
    accuracy: float = Field(description="recall: the share of this label's drawings the model named right")
    drawings: int


class ModelEvaluationRead(CamelModel):
    eval_set: str = Field(description="the set's name")
    accuracy: float
    drawings: int = Field(description="drawings scored: those of the set whose label the model knows")
    per_class: dict[str, ClassScore]
    evaluated_at: datetime
