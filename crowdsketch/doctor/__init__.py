"""`crowdsketch doctor`: find, and with `repair` fix, what a crash can leave behind: stroke
and model blobs without rows, rows without blobs, training jobs no worker is getting
on with, and kept counts that drifted from the drawings. `diagnose` changes nothing; `repair` re-checks each finding before acting."""

from crowdsketch.doctor.diagnose import DEFAULT_GRACE_S, diagnose
from crowdsketch.doctor.inventory import MISSING_STROKES_REASON
from crowdsketch.doctor.repair import repair
from crowdsketch.doctor.report import Finding, Kind, Outcome, RepairAction, RepairResult, Report

__all__ = [
    "DEFAULT_GRACE_S",
    "MISSING_STROKES_REASON",
    "Finding",
    "Kind",
    "Outcome",
    "RepairAction",
    "RepairResult",
    "Report",
    "diagnose",
    "repair",
]
