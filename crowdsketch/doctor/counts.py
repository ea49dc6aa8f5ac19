"""The kept counts (Overview, list totals, next prompt) against a recount of the drawings.

The database keeps them in the same transaction as each change, so they drift only when
something goes around the triggers: a restore of one table, a trigger dropped by a table
rebuild, a hand edit. A drift is repaired by recounting everything under a lock that holds
writes to drawings and sessions off for the recount (seconds at ten million drawings)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crowdsketch.common import tallies
from crowdsketch.doctor.report import Finding, Kind, Outcome, RepairAction
from crowdsketch.errors import AppError

if TYPE_CHECKING:
    from crowdsketch.resources import Resources


def _finding(drift: tallies.Drift) -> Finding:
    key = ", ".join(str(part) for part in drift.key)
    return Finding(Kind.COUNT_DRIFT, f"{drift.table} ({key})", f"kept {drift.stored}, counted {drift.actual}")


async def count_findings(resources: Resources) -> list[Finding]:
    async with resources.db.request_session() as session:
        return [_finding(drift) for drift in await tallies.find_drift(session)]


async def repair_counts(resources: Resources, findings: list[Finding]) -> list[RepairAction]:
    """Recount when a drift is still there; findings no longer drifting end `resolved`."""
    if not findings:
        return []
    try:
        async with resources.db.request_session() as session:
            still = {_finding(drift).subject for drift in await tallies.find_drift(session)}
            if still:
                await tallies.recount(session)
    except AppError as error:
        return [RepairAction(f, Outcome.UNREPAIRED, error.message) for f in findings]
    return [
        RepairAction(f, Outcome.REPAIRED, "recounted") if f.subject in still
        else RepairAction(f, Outcome.RESOLVED, "no longer drifting")
        for f in findings
    ]
