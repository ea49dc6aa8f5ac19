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


class LabelIssueRead(CamelModel):
    drawing_id: uuid.UUID
    given_shape: str = Field(description="The drawing's label when it was scanned")
    suggested_shape: str = Field(description="The shape the out-of-fold model preferred")
    score: float = Field(description="Label quality, 0–1: the out-of-fold probability of the given label; "
                                     "lower is more suspicious")
    flagged: bool = Field(description="cleanlab's verdict: the label is probably wrong")


class LabelIssuePage(CamelModel):
    items: list[LabelIssueRead] = Field(description="Most suspicious first")
    scanned_at: datetime | None = Field(description="When the latest scan finished; null before any")
    drawings: int = Field(description="Drawings the latest scan ranked")


class VoteTally(CamelModel):
    """Players' answers to "Is this a <shape>?" about a drawing, under its current label."""

    yes: int = 0
    no: int = 0
    unsure: int = 0


class LabelIssueReason(CamelModel):
    score: float
    suggested_shape: ShapeRef
    flagged: bool


class ReviewReasons(CamelModel):
    label_issue: LabelIssueReason | None = Field(description="From the latest label-issue scan")
    model_agreement: float | None
    model_shape: str | None
    consensus: float | None = Field(description="The crowd's probability that the label is right")
    votes: VoteTally
    author_trust: float | None


class ReviewItem(CamelModel):
    drawing_id: uuid.UUID
    shape: ShapeRef
    session_id: str | None
    source: str
    created_at: datetime
    flagged: bool
    doubt: float = Field(description="0–1: the strongest reason to doubt the label; the queue is ranked by it")
    reasons: ReviewReasons


class ReviewPage(CamelModel):
    items: list[ReviewItem]
    next_cursor: str | None
    total: int = Field(description="Drawings waiting for review")


class ReviewAction(CamelModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["accept", "flag", "relabel"]
    shape_id: str | None = Field(default=None, max_length=40, description="The new label; required to relabel")
    reason: str | None = Field(default=None, max_length=500)


class ReviewResult(CamelModel):
    drawing_id: uuid.UUID
    action: str
    shape: ShapeRef
    flagged: bool
    reviewed_at: datetime


class ContributorRead(CamelModel):
    session_id: str
    drawings: int
    votes: int
    trust: float | None
    skill: float | None
    confirmation: float | None
    last_seen_at: datetime | None


class ContributorPage(CamelModel):
    items: list[ContributorRead]
    next_cursor: str | None
