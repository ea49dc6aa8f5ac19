from __future__ import annotations

import uuid

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from crowdsketch.common.schemas import CamelModel, ShapeRef
from crowdsketch.strokes import StrokeData

__all__ = ["CamelModel", "DrawingCreate", "DrawingCreated", "ShapeRead", "ShapeRef", "UserStats"]


class ShapeRead(ShapeRef):
    closed: bool


class GameSettings(CamelModel):
    live_guess: bool = Field(description="Whether the game shows what the model makes of a drawing while it is drawn")
    direct_upload_bytes: int = Field(
        description="Stroke JSON at least this long goes by direct upload (`POST /api/drawings/uploads`), "
        "smaller inline; 0: always inline"
    )


class DrawingCreate(CamelModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    shape_id: str = Field(min_length=1, max_length=40)
    stroke_data: StrokeData | None = Field(default=None, description="The strokes, inline; or else `uploadId`")
    upload_id: str | None = Field(
        default=None, min_length=1, max_length=400,
        description="A direct upload's id (`POST /api/drawings/uploads`), once its strokes are uploaded",
    )


class UserStats(CamelModel):
    total: int = Field(description="Drawings this session has contributed")
    today: int = Field(description="Drawings this session has contributed since 00:00 UTC")


class DrawingCreated(CamelModel):
    id: uuid.UUID
    shape: ShapeRef
    quality_score: float = Field(
        ge=0, le=1, description="Geometry, capped by the model's agreement when a model answered"
    )
    model_agreement: float | None = Field(
        default=None, ge=0, le=1,
        description="The active model's probability that this is the prompted shape; null when no model answered "
        "in time or the model does not know the shape",
    )
    model_shape: ShapeRef | None = Field(default=None, description="The shape the model sees in the drawing, if a model answered")
    next_shape: ShapeRef
    user_stats: UserStats
