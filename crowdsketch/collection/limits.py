"""How many drawings one contributor session, and one client address, may submit in a
window: the shared window limits (`common/rate_limits.py`) counting "drawings"."""

from __future__ import annotations

from crowdsketch.common.rate_limits import WindowLimits
from crowdsketch.ports.kv import KeyValueStore
from crowdsketch.resilience import DependencyGuard


class SubmissionLimits(WindowLimits):
    def __init__(
        self, kv: KeyValueStore, kv_guard: DependencyGuard, *, window_s: int, per_session: int, per_address: int
    ) -> None:
        super().__init__(kv, kv_guard, what="drawings", window_s=window_s, per_session=per_session, per_address=per_address)
