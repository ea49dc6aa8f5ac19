from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from crowdsketch.admin.curation_schemas import StatsRead
from crowdsketch.admin.deps import SessionDep
from crowdsketch.admin.stats_service import collection_stats

router = APIRouter(tags=["admin: statistics"])


@router.get("/stats", response_model=StatsRead)
async def read_stats(session: SessionDep) -> StatsRead:
    """Totals, per shape (inactive ones included), per UTC day for the last 30 days, the
    quality histogram, and counts by source and device."""
    return await collection_stats(session, today=datetime.now(UTC).date())
