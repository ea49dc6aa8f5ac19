"""What the curation routes take and answer: drawings, statistics and the shape catalogue."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, field_validator

from crowdsketch.common.schemas import CamelModel, ShapeRef
from crowdsketch.quality.schemas import VoteTally as VoteCounts
from crowdsketch.strokes import StrokeData

SHAPE_ID_PATTERN = r"^[a-z][a-z0-9_-]{1,39}$"
MAX_BULK_IDS = 1000

FlagReason = Annotated[str, Field(min_length=1, max_length=500)]
ShapeName = Annotated[str, Field(min_length=1, max_length=80)]


class StrictBody(CamelModel):
    model_config = ConfigDict(extra="forbid")


class CanvasSize(CamelModel):
    width: int
    height: int


class DrawingRead(CamelModel):
    id: uuid.UUID
    session_id: str | None
    shape: ShapeRef
    canvas: CanvasSize
    stroke_count: int
    point_count: int
    duration_ms: int
    device: str
    quality_score: float
    source: str
    flagged: bool
    flag_reason: str | None
    created_at: datetime
    model_agreement: float | None = Field(
        default=None, description="The model's probability of the labelled shape when the drawing arrived"
    )
    model_shape: str | None = Field(default=None, description="The shape the model ranked first")
    model_version: int | None = Field(default=None, description="The version of the model that judged it")
    reviewed_at: datetime | None = Field(default=None, description="When an admin last decided on it in Review")


class LabelChangeRead(CamelModel):
    from_shape: str
    to_shape: str
    changed_at: datetime
    changed_by: str | None = Field(description="The admin's email")


class ContributorRead(CamelModel):
    session_id: str = Field(description="The participant's contributor session")
    name: str = Field(description='How the room showed them ("Guest 2")')
    color: str = Field(description="Their ink in the room")
    strokes: list[int] = Field(description="Indices of the strokes they drew, into `strokeData.strokes`")


class DrawingDetail(DrawingRead):
    stroke_data: StrokeData | None = Field(
        description="The strokes in the wire format; null only when the blob is missing (logged)"
    )
    votes: VoteCounts = Field(default_factory=VoteCounts, description="Peer verification answers so far")
    consensus: float | None = Field(
        default=None, description="The crowd's probability that the label is right (null until aggregated)"
    )
    author_trust: float | None = Field(default=None, description="Its contributor's trust (null until judged)")
    label_history: list[LabelChangeRead] = Field(default_factory=list, description="Its earlier labels, oldest first")
    contributors: list[ContributorRead] = Field(
        default_factory=list,
        description="A drawing made together (`source: together`): each participant who drew, in the order of their "
                    "first stroke, with the strokes they drew; empty for a drawing made alone",
    )
    stroke_authors: list[int] | None = Field(
        default=None, description="For each stroke, the index into `contributors` of who drew it (drawn together only)"
    )


class DrawingPage(CamelModel):
    items: list[DrawingRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")
    total: int = Field(
        description="Drawings matching the filters, over all pages: exact, or an estimate when "
        "`totalIsEstimate` is true (a broad filter over a large collection, which no kept count answers)"
    )
    total_is_estimate: bool = Field(
        default=False, description="`total` is an estimate from the kept counts, not an exact count"
    )


class FlagRequest(StrictBody):
    reason: FlagReason


class BulkFlagRequest(StrictBody):
    ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_BULK_IDS)
    reason: FlagReason


class BulkFlagResult(CamelModel):
    flagged: int = Field(description="Drawings now flagged with this reason")
    unknown_ids: list[uuid.UUID] = Field(description="Ids with no drawing; nothing was done for them")


class StatsTotals(CamelModel):
    drawings: int
    flagged: int
    unflagged: int
    flagged_share: float = Field(description="flagged / drawings; 0 when there are none")


class ShapeCount(CamelModel):
    shape: str
    name: str
    active: bool
    total: int
    unflagged: int


class DayCount(CamelModel):
    date: date
    total: int


class HistogramBin(CamelModel):
    start: float
    end: float = Field(description="Exclusive, except for the last bin, which includes 1.0")
    total: int


class SourceCount(CamelModel):
    source: str
    total: int


class DeviceCount(CamelModel):
    device: str
    total: int


class StatsRead(CamelModel):
    totals: StatsTotals
    per_shape: list[ShapeCount]
    per_day: list[DayCount] = Field(description="The last 30 UTC days, oldest first, today last")
    quality_histogram: list[HistogramBin]
    contributor_sessions: int
    by_source: list[SourceCount] = Field(description="Most drawings first")
    by_device: list[DeviceCount] = Field(description="Every device the game sends, zero-filled")


class ShapeAdminRead(CamelModel):
    id: str
    name: str
    closed: bool
    active: bool
    position: int
    created_at: datetime
    total: int = Field(description="Drawings of this shape")
    unflagged: int


class ShapeCreate(StrictBody):
    id: str = Field(pattern=SHAPE_ID_PATTERN, description="The slug that labels exports and datasets")
    name: ShapeName
    closed: bool = False
    active: bool = True


class ShapeUpdate(StrictBody):
    """Only the fields sent are changed; none may be sent as null."""

    name: ShapeName | None = None
    active: bool | None = None
    closed: bool | None = None
    position: int | None = Field(default=None, ge=0, le=100_000, strict=True,
                                 description="Where the shape comes in lists and the game's ties (lowest first)")

    @field_validator("name", "active", "closed", "position", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null; leave the field out to keep it")
        return value
