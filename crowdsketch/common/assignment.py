"""Which arm of an A/B experiment a caller gets: a stable hash of the experiment and the
caller, so one caller sees one arm for the whole experiment, and another experiment deals
the callers anew."""

from __future__ import annotations

import hashlib
import uuid


def arm_for(experiment_id: uuid.UUID, caller: str, share: float) -> str:
    """`treatment` for a `share` of callers, `control` for the rest."""
    digest = hashlib.sha256(f"{experiment_id}:{caller}".encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") / 2**64  # uniform in [0, 1)
    return "treatment" if bucket < share else "control"
