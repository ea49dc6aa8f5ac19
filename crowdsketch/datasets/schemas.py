"""What the dataset, terms and contributor routes take and answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, field_validator

from crowdsketch.common.schemas import CamelModel

ShapeId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{1,39}$")]
Source = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,15}$")]


class DatasetFilter(CamelModel):
    """Which drawings a snapshot takes: the training filters, and the sources."""

    model_config = ConfigDict(extra="forbid")

    shapes: list[ShapeId] | None = Field(
        default=None, max_length=200, description="Shape ids (active ones); all active shapes if omitted")
    sources: list[Source] | None = Field(
        default=None, max_length=20, description="Where the drawings came from (`game`, `import`, `synthetic`...); all if omitted")
    min_quality: float = Field(default=0.0, ge=0, le=1)
    min_agreement: float | None = Field(default=None, ge=0, le=1, description="Drawings no model scored stay in")
    min_consensus: float | None = Field(default=None, ge=0, le=1, description="Drawings nobody judged stay in")
    min_trust: float | None = Field(default=None, ge=0, le=1, description="Drawings of contributors not yet judged stay in")
    include_synthetic: bool = True
    include_flagged: bool = False

    @field_validator("shapes", "sources")
    @classmethod
    def _distinct(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else sorted(set(values))


class DatasetCreate(CamelModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$",
                      description="Letters, digits, spaces, '.', '_' or '-'; unique")
    filter: DatasetFilter = Field(default_factory=DatasetFilter)


class ModelRef(CamelModel):
    id: uuid.UUID
    version: int


class DatasetRead(CamelModel):
    id: uuid.UUID
    name: str
    drawings: int = Field(description="Drawings in the snapshot now (after any withdrawals)")
    per_shape: dict[str, int]
    content_hash: str = Field(description="SHA-256 of the sorted `label:drawing content hash` lines")
    created_at: datetime
    filter: dict[str, Any]
    implicit: bool = Field(description="Made by a training job for itself, not by an admin")
    withdrawn: int = Field(description="Drawings taken out since because their contributor withdrew")
    models: list[ModelRef] = Field(default_factory=list, description="Models trained on it")


class HashChange(CamelModel):
    at: datetime
    withdrawn: int
    previous_hash: str
    content_hash: str


class Datasheet(CamelModel):
    sources: dict[str, int]
    licences: dict[str, int] = Field(description="Drawings per licence; `unspecified` where none was given")
    history: list[HashChange]


class DatasetDetail(DatasetRead):
    datasheet: Datasheet


class TermsRead(CamelModel):
    version: str
    licence: str
    licence_url: str | None
    text: str
    required: bool = Field(description="Whether a drawing is refused until the session has agreed to this version")


class ConsentCreate(CamelModel):
    model_config = ConfigDict(extra="forbid")

    terms_version: str = Field(min_length=1, max_length=40)


class ConsentRead(CamelModel):
    terms_version: str
    consented_at: datetime


class WithdrawalRead(CamelModel):
    drawings: int = Field(description="The session's drawings deleted, strokes included")
    votes: int = Field(description="The session's verification answers deleted")
    snapshots: int = Field(default=0, description="Snapshots the drawings were taken out of")
