"""CPU accounting from /proc: who used the cores during a run."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


class CpuSampler:
    """CPU seconds per process, grouped: ours by pid, PostgreSQL backends by the database
    they serve (another database's backends are someone else's load), Redis by name."""

    def __init__(self) -> None:
        self.groups: dict[int, str] = {os.getpid(): "loadgen"}
        self.database: str | None = None

    def track(self, pid: int, group: str) -> None:
        self.groups[pid] = group

    def untrack(self, pid: int) -> None:
        self.groups.pop(pid, None)

    def _group(self, pid: int, comm: str) -> str:
        group = self.groups.get(pid)
        if group is not None:
            return group
        if comm == "postgres":
            try:
                title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                return "other"
            # A backend's title is "postgres: 15/main: USER DATABASE HOST(PORT) STATE"; the
            # auxiliary processes (walwriter, checkpointer, ...) serve every database.
            if "(" not in title:
                return "postgres"
            return "postgres" if self.database and f" {self.database} " in title else "other"
        if comm.startswith("redis-server"):
            return "redis"
        return "other"  # every other process: kernel threads, anything else running here

    def snapshot(self) -> dict:
        ticks: dict[int, tuple[str, int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                raw = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            comm = raw[raw.index("(") + 1:raw.rindex(")")]
            fields = raw[raw.rindex(")") + 2:].split()
            pid = int(entry)
            ticks[pid] = (self._group(pid, comm), int(fields[11]) + int(fields[12]))  # utime + stime
        with open("/proc/stat") as stat:
            parts = [int(v) for v in stat.readline().split()[1:]]
        return {"pids": ticks, "cpu": parts}

    @staticmethod
    def delta(before: dict, after: dict, wall: float) -> dict[str, float]:
        """Cores used per group over `wall` seconds. A process that started during the run is
        counted in full; one that ended during it is missed."""
        totals: Counter = Counter()
        for pid, (group, ticks) in after["pids"].items():
            earlier = before["pids"].get(pid)
            totals[group] += ticks - (earlier[1] if earlier and earlier[0] == group else 0)
        d = [a - b for a, b in zip(after["cpu"], before["cpu"])]
        # user nice system idle iowait irq softirq steal: busy = all but idle, iowait, steal
        totals["_busy"] = sum(d[:7]) - d[3] - d[4]
        totals["_irq"] = d[5] + d[6]
        totals["_steal"] = d[7]
        return {group: value / CLK_TCK / wall for group, value in totals.items()}


CPU = CpuSampler()  # the one sampler: the stacks register their processes on it
