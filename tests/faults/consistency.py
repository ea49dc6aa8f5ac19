"""After a fault: does every drawing row have its strokes, and every stroke blob its row?

The checks read PostgreSQL and the bucket straight, not through the proxies; the repair
is the doctor's (crowdsketch.doctor), run in this process against the same stores.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from dataclasses import dataclass

from tests.faults.stack import FaultTopology

_DRAWING_KEY = re.compile(r"^drawings/[^/]+/([0-9a-f-]{36})\.json$")


@dataclass(frozen=True)
class DrawingAudit:
    rows: set[str]  # blob keys the rows point at
    blobs: set[str]  # blob keys under drawings/

    @property
    def rows_without_blob(self) -> set[str]:
        return self.rows - self.blobs

    @property
    def blobs_without_row(self) -> set[str]:
        return self.blobs - self.rows

    @property
    def row_ids(self) -> set[str]:
        return {match.group(1) for key in self.rows if (match := _DRAWING_KEY.match(key))}

    def orphan_ids(self) -> set[str]:
        return {match.group(1) for key in self.blobs_without_row if (match := _DRAWING_KEY.match(key))}


def audit_drawings(topology: FaultTopology) -> DrawingAudit:
    """Rows first, then the bucket: a drawing stored in between shows as a blob without
    its row, never the reverse (run it with no load running)."""
    rows = topology.row_blob_keys()
    return DrawingAudit(rows, topology.blob_keys("drawings/"))


@dataclass(frozen=True)
class Reconciliation:
    found: set[str]  # stroke blobs the doctor found without a row
    removed: set[str]  # of those, the ones its repair deleted
    left: list[str]  # the drawing findings of a second diagnosis, after the repair


def reconcile(topology: FaultTopology, grace_s: float = 0.5) -> Reconciliation:
    """`crowdsketch doctor` on the drawings (run with no load, so that no submission is
    between its blob and its row): diagnose, repair the drawing findings (only those: the
    training jobs are left to the workers under test), diagnose again.

    A blob without a row is the one inconsistency the collection flow allows by design:
    the strokes are stored before the row, so a submission that meets the database down
    between the two (or whose blob write reached the store but whose answer was cut)
    answers 503 and leaves its blob behind, for the doctor to remove. A row without its
    blob would be a bug, and the doctor would only flag it."""
    from crowdsketch.doctor import Kind, Outcome, diagnose, repair
    from crowdsketch.resources import Resources

    drawing_kinds = {Kind.ORPHAN_DRAWING_BLOB, Kind.DRAWING_WITHOUT_BLOB}

    async def run() -> Reconciliation:
        resources = Resources.build(topology.settings())
        try:
            report = await diagnose(resources, grace_s)
            findings = tuple(f for f in report.findings if f.kind in drawing_kinds)
            result = await repair(resources, dataclasses.replace(report, findings=findings))
            again = await diagnose(resources, grace_s)
        finally:
            await resources.close()
        return Reconciliation(
            found=report.subjects(Kind.ORPHAN_DRAWING_BLOB),
            removed={a.finding.subject for a in result.of_outcome(Outcome.REPAIRED)
                     if a.finding.kind == Kind.ORPHAN_DRAWING_BLOB},
            left=[f"{f.kind}: {f.subject}" for f in again.findings if f.kind in drawing_kinds],
        )

    return asyncio.run(run())
