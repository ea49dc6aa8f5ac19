from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from crowdsketch.strokes import StrokeData


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class ShapeRef(CamelModel):
    id: str
    name: str


class ShapeRead(ShapeRef):
    closed: bool


class DrawingCreate(CamelModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    shape_id: str = Field(min_length=1, max_length=40)
    stroke_data: StrokeData


class UserStats(CamelModel):
    total: int = Field(description="Drawings this session has contributed")
    today: int = Field(description="Drawings this session has contributed since 00:00 UTC")


class DrawingCreated(CamelModel):
    id: uuid.UUID
    shape: ShapeRef
    quality_score: float = Field(ge=0, le=1)
    next_shape: ShapeRef
    user_stats: UserStats
