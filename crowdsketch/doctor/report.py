"""What `diagnose` found and what `repair` did, as plain data: the command line renders it,
`--json` prints it, and tests read it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    ORPHAN_DRAWING_BLOB = "orphan_drawing_blob"
    DRAWING_WITHOUT_BLOB = "drawing_without_blob"
    ORPHAN_MODEL_BLOB = "orphan_model_blob"
    MODEL_WITHOUT_FILES = "model_without_files"
    ACTIVE_MODEL_WITHOUT_FILES = "active_model_without_files"
    STORES_DISAGREE = "stores_disagree"
    EXPIRED_RUNNING_JOB = "expired_running_job"
    UNPUBLISHED_PENDING_JOB = "unpublished_pending_job"
    LONG_QUEUED_JOB = "long_queued_job"
    COUNT_DRIFT = "count_drift"


DESCRIPTIONS: dict[Kind, str] = {
    Kind.ORPHAN_DRAWING_BLOB: "stroke blobs without a drawing row",
    Kind.DRAWING_WITHOUT_BLOB: "drawings without their strokes",
    Kind.ORPHAN_MODEL_BLOB: "model files without a models row",
    Kind.MODEL_WITHOUT_FILES: "inactive models without their files",
    Kind.ACTIVE_MODEL_WITHOUT_FILES: "the ACTIVE model without its files",
    Kind.STORES_DISAGREE: "database and blob store disagree",
    Kind.EXPIRED_RUNNING_JOB: "running jobs with a lapsed lease",
    Kind.UNPUBLISHED_PENDING_JOB: "pending jobs never published",
    Kind.LONG_QUEUED_JOB: "jobs queued for long (notice)",
    Kind.COUNT_DRIFT: "kept counts that differ from a recount",
}

# Reported, never a reason for a non-zero exit: a queued job may just be waiting for a worker.
NOTICE_KINDS = frozenset({Kind.LONG_QUEUED_JOB})


@dataclass(frozen=True)
class Finding:
    kind: Kind
    # The blob key, or the row's id.
    subject: str
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind.value, "subject": self.subject, "detail": self.detail}


@dataclass(frozen=True)
class Scanned:
    """How much was looked at: a clean report of an empty store says little."""

    drawing_rows: int
    drawing_blobs: int
    model_rows: int
    model_blobs: int
    unfinished_jobs: int

    def to_json(self) -> dict[str, int]:
        return {
            "drawingRows": self.drawing_rows,
            "drawingBlobs": self.drawing_blobs,
            "modelRows": self.model_rows,
            "modelBlobs": self.model_blobs,
            "unfinishedJobs": self.unfinished_jobs,
        }


@dataclass(frozen=True)
class Report:
    checked_at: datetime
    grace_s: float
    scanned: Scanned
    findings: tuple[Finding, ...]

    @property
    def problems(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind not in NOTICE_KINDS)

    @property
    def notices(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind in NOTICE_KINDS)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def of_kind(self, kind: Kind) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    def subjects(self, kind: Kind) -> set[str]:
        return {f.subject for f in self.findings if f.kind == kind}

    def counts(self) -> dict[Kind, int]:
        found = Counter(f.kind for f in self.findings)
        return {kind: found[kind] for kind in Kind}

    def to_json(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "checkedAt": self.checked_at.isoformat(),
            "graceSeconds": self.grace_s,
            "scanned": self.scanned.to_json(),
            "counts": {kind.value: n for kind, n in self.counts().items()},
            "problems": [f.to_json() for f in self.problems],
            "notices": [f.to_json() for f in self.notices],
        }


class Outcome(StrEnum):
    REPAIRED = "repaired"
    # Fine when looked at again (a worker took the job, the row appeared...): nothing done.
    RESOLVED = "resolved"
    UNREPAIRED = "unrepaired"


@dataclass(frozen=True)
class RepairAction:
    finding: Finding
    outcome: Outcome
    # What was done, or why nothing could be.
    action: str

    def to_json(self) -> dict[str, str]:
        return {**self.finding.to_json(), "outcome": self.outcome.value, "action": self.action}


@dataclass(frozen=True)
class RepairResult:
    actions: tuple[RepairAction, ...]

    @property
    def succeeded(self) -> bool:
        return all(a.outcome != Outcome.UNREPAIRED for a in self.actions)

    def of_outcome(self, outcome: Outcome) -> list[RepairAction]:
        return [a for a in self.actions if a.outcome == outcome]

    def tally(self) -> dict[Kind, Counter[Outcome]]:
        """Per kind, how many of each outcome."""
        tally: dict[Kind, Counter[Outcome]] = {}
        for action in self.actions:
            tally.setdefault(action.finding.kind, Counter())[action.outcome] += 1
        return tally

    def to_json(self) -> dict[str, Any]:
        return {"succeeded": self.succeeded, "actions": [a.to_json() for a in self.actions]}
