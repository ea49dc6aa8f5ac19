"""Tables. Ids are UUIDs except a shape's, which is its slug: the label that exports,
imports and evaluation sets carry ("circle")."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    JSON,
    MetaData,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware on the way out on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Shape(Base):
    __tablename__ = "shapes"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A closed outline (circle, square...) should end where it began: the quality score uses it.
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContributorSession(Base):
    __tablename__ = "contributor_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    drawing_count: Mapped[int] = mapped_column(Integer, default=0)
    # Today's count kept on the row (reset when the UTC day changes), so a submission does
    # not need a count query to tell the contributor how many they drew today.
    today: Mapped[date] = mapped_column(Date)
    today_count: Mapped[int] = mapped_column(Integer, default=0)
    # The terms the contributor agreed to (`GET /api/terms`'s version) and when: a drawing
    # is refused while this is not the current version (unless the operator turned consent off).
    consent_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Drawing(Base):
    __tablename__ = "drawings"
    __table_args__ = (
        Index("ix_drawings_created_at_id", "created_at", "id"),
        # The list's filters in combination, each ending with its sort key and the id (keyset
        # pages): chosen from EXPLAIN ANALYZE at 10 M rows (migration 3f8d0b6c2a17).
        Index("ix_drawings_shape_id_created_at_id", "shape_id", "created_at", "id"),
        Index("ix_drawings_session_id_created_at", "session_id", "created_at"),
        Index("ix_drawings_quality_score_id", "quality_score", "id"),
        Index("ix_drawings_flagged_created_at_id", "flagged", "created_at", "id"),
        Index("ix_drawings_source_created_at_id", "source", "created_at", "id"),
        Index("ix_drawings_source_device_created_at_id", "source", "device", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    session_id: Mapped[str | None] = mapped_column(ForeignKey("contributor_sessions.id"), nullable=True)
    shape_id: Mapped[str] = mapped_column(ForeignKey("shapes.id"))
    blob_key: Mapped[str] = mapped_column(String(200))
    canvas_width: Mapped[int] = mapped_column(Integer)
    canvas_height: Mapped[int] = mapped_column(Integer)
    stroke_count: Mapped[int] = mapped_column(Integer)
    point_count: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    device: Mapped[str] = mapped_column(String(8))
    quality_score: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(16), default="game")
    # What the drawing may be published under: the operator's licence for game drawings,
    # the import's own for imported ones; null when nobody said (synthetic drawings).
    licence: Mapped[str | None] = mapped_column(String(80), nullable=True)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # SHA-256 of the canonical stroke JSON: lets an import recognise a drawing it already has.
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    # The key the client sent; unique so that even with the key-value store lost, a retried
    # submission cannot become a second row.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the active model made of the drawing when it arrived (all null when no model
    # answered in time): its probability of the prompted shape (null too when the model
    # does not know that shape), the class it ranked first, and which model it was.
    model_agreement: Mapped[float | None] = mapped_column(Float, nullable=True)
    model_shape: Mapped[str | None] = mapped_column(String(40), nullable=True)
    model_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # When an admin last decided on the drawing in the review queue (accepted, flagged or
    # relabelled it): a reviewed drawing leaves the queue.
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class VerificationTask(Base):
    """One question for the crowd: is this drawing a `shape_id`? A game drawing gets its task
    when it is stored; a relabelled drawing would get a new one."""

    __tablename__ = "verification_tasks"
    __table_args__ = (
        UniqueConstraint("drawing_id", "shape_id"),
        # The order in which tasks are shown: fewest answers, then lowest agreement.
        Index("ix_verification_tasks_votes_priority_created_at", "votes", "priority", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    drawing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("drawings.id", ondelete="CASCADE"))
    shape_id: Mapped[str] = mapped_column(ForeignKey("shapes.id"))
    # The contributor who drew it: never asked about their own drawing.
    session_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The model's agreement when the drawing arrived, 0.5 when unknown: lower is shown sooner.
    priority: Mapped[float] = mapped_column(Float)
    # Answers so far (every answer, "unsure" included); kept with each vote's insert.
    votes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The crowd's verdict, from the last aggregation of every vote (Dawid–Skene): the
    # probability that the drawing is a `shape_id`, and the yes and no answers it rests on.
    # Null until a yes or no answer has been aggregated.
    consensus: Mapped[float | None] = mapped_column(Float, nullable=True)
    consensus_yes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    consensus_no: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class VerificationAssignment(Base):
    """A drawing shown to a session for verification: never shown to it again."""

    __tablename__ = "verification_assignments"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    drawing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("drawings.id", ondelete="CASCADE"), primary_key=True)
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("verification_tasks.id", ondelete="CASCADE"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


VERIFICATION_ANSWERS = ("yes", "no", "unsure")


class VerificationVote(Base):
    """One session's answer to one task: one row per (task, session, answer), the long
    format that truth-inference libraries (crowd-kit's `task, worker, label`) read."""

    __tablename__ = "verification_votes"
    __table_args__ = (
        UniqueConstraint("task_id", "session_id"),
        CheckConstraint("answer IN ('yes', 'no', 'unsure')", name="answer"),
        Index("ix_verification_votes_session_id_created_at", "session_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("verification_tasks.id", ondelete="CASCADE"))
    session_id: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContributorTrust(Base):
    """What the last aggregation made of one contributor (a session that drew or voted)."""

    __tablename__ = "contributor_trust"
    __table_args__ = (Index("ix_contributor_trust_trust", "trust"),)

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # How often their answers are right (from their Dawid–Skene confusion matrix); null
    # when they have not answered.
    skill: Mapped[float | None] = mapped_column(Float, nullable=True)
    # How far the crowd confirms their drawings (mean consensus); null when none is judged.
    confirmation: Mapped[float | None] = mapped_column(Float, nullable=True)
    trust: Mapped[float] = mapped_column(Float)
    votes: Mapped[int] = mapped_column(Integer, default=0)
    judged_drawings: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LabelIssue(Base):
    """One drawing's place in a label-issue scan (a job of kind `label_issues`)."""

    __tablename__ = "label_issues"
    __table_args__ = (Index("ix_label_issues_job_id_rank", "job_id", "rank"),)

    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("training_jobs.id", ondelete="CASCADE"), primary_key=True)
    drawing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("drawings.id", ondelete="CASCADE"), primary_key=True,
                                                  index=True)
    rank: Mapped[int] = mapped_column(Integer)  # 0 = most suspicious
    given_shape: Mapped[str] = mapped_column(String(40))
    suggested_shape: Mapped[str] = mapped_column(String(40))
    # Label quality in [0, 1]: the out-of-fold probability of the given label.
    score: Mapped[float] = mapped_column(Float)
    # cleanlab's verdict: the label is probably wrong.
    flagged: Mapped[bool] = mapped_column(Boolean)


class LabelChange(Base):
    """A drawing's label changed by an admin: its history keeps every label it had."""

    __tablename__ = "label_changes"
    __table_args__ = (Index("ix_label_changes_drawing_id_changed_at", "drawing_id", "changed_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    drawing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("drawings.id", ondelete="CASCADE"))
    from_shape: Mapped[str] = mapped_column(String(40))
    to_shape: Mapped[str] = mapped_column(String(40))
    admin_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("admin_users.id"), nullable=True)
    admin_email: Mapped[str] = mapped_column(String(320))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdminUser(Base):
    __tablename__ = "admin_users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # Stored lower-cased: unique regardless of how it was typed.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_created_at_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    admin_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("admin_users.id"), nullable=True)
    admin_email: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    target_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The statuses of a job that has not ended, as a predicate for the partial index below.
UNFINISHED_JOB = text("status IN ('pending', 'queued', 'running')")


class TrainingJob(Base):
    """A job for the workers (a training run, or a model's re-scoring): pending → queued → running → completed | failed | cancelled."""

    __tablename__ = "training_jobs"
    __table_args__ = (
        Index("ix_training_jobs_config_hash_created_at", "config_hash", "created_at"),
        Index("ix_training_jobs_status_lease_expires_at", "status", "lease_expires_at"),
        # One unfinished job per config: two identical starts at once cannot both insert.
        Index(
            "uq_training_jobs_config_hash_unfinished", "config_hash", unique=True,
            postgresql_where=UNFINISHED_JOB, sqlite_where=UNFINISHED_JOB,
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # What the worker does with it: "train" (config: the recipe) or "evaluate" (config:
    # {"modelId"}, score that model on every evaluation set).
    kind: Mapped[str] = mapped_column(String(16), default="train", server_default="train")
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    # First 16 hex characters of the SHA-256 of the canonical config: the dedup key.
    config_hash: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("admin_users.id"), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The worker holding the job, and until when: a worker that dies lets the lease lapse.
    lease_owner: Mapped[str | None] = mapped_column(String(120), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    model_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    # The snapshot a training job trains from: the config's `datasetId`, or the one the job
    # made itself on its first attempt (a retry trains from the same drawings).
    dataset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)


class ModelVersion(Base):
    """A trained classifier: its ONNX file and model card live under `blob_prefix`."""

    __tablename__ = "models"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("training_jobs.id"), nullable=True)
    classes: Mapped[list[str]] = mapped_column(JSON)
    accuracy: Mapped[float] = mapped_column(Float)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dataset_size: Mapped[int] = mapped_column(Integer)
    dataset_hash: Mapped[str] = mapped_column(String(64))
    # The snapshot it was trained from (null for models older than snapshots, or whose
    # snapshot was deleted by force; the model card still names it).
    dataset_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), nullable=True, index=True)
    blob_prefix: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class EvalSet(Base):
    """Real, labelled drawings that no model trains on: every model is scored on them. The
    drawings live in one blob (`blob_key`, JSON Lines of label + stroke data), not in the
    drawings table."""

    __tablename__ = "eval_sets"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    drawings: Mapped[int] = mapped_column(Integer)
    shapes: Mapped[list[str]] = mapped_column(JSON)
    blob_key: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("admin_users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EvalSetDrawing(Base):
    """The content hash of each drawing of a set: a drawing with that hash, whatever its
    source, is kept out of every training set."""

    __tablename__ = "eval_set_drawings"

    eval_set_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("eval_sets.id", ondelete="CASCADE"), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class ModelEvaluation(Base):
    """One model's score on one evaluation set; re-scoring replaces it."""

    __tablename__ = "model_evaluations"

    model_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), primary_key=True)
    eval_set_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("eval_sets.id", ondelete="CASCADE"), primary_key=True)
    accuracy: Mapped[float] = mapped_column(Float)
    # Drawings of the model's classes that were scored (a set may hold shapes it never learnt).
    drawings: Mapped[int] = mapped_column(Integer)
    per_class: Mapped[dict[str, Any]] = mapped_column(JSON)
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)



# The second round's tables, in modules of their own (imported here, so that every table is
# known wherever this module is).
from crowdsketch.db.models_datasets import Dataset, DatasetItem  # noqa: E402
from crowdsketch.db.models_experiments import Experiment, ExperimentOutcome  # noqa: E402
from crowdsketch.db.models_implementors import ApiKey, ApiKeyUsage  # noqa: E402
from crowdsketch.db.models_tallies import CollectionCount, DrawingDay, DrawingTally  # noqa: E402
from crowdsketch.db.models_together import DrawingContributor, TogetherRoom  # noqa: E402

__all__ = ["ApiKey", "ApiKeyUsage", "Base", "CollectionCount", "Dataset", "DatasetItem", "DrawingContributor",
           "DrawingDay", "DrawingTally", "Experiment", "ExperimentOutcome", "TogetherRoom"]
