"""How much of the machine a benchmark actually had: the CPU split of ``/proc/stat`` over a run.

This machine is a virtual one on a shared host. *Steal* is time the hypervisor gave this VM's
vCPUs to someone else while they had work: no process here sees it as its CPU time, but every
wall-clock figure pays for it. A run under 30 % steal had little more than 1.4 of its 2 cores, so
each benchmark records the split next to its load average.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

# the columns of the aggregate "cpu" line of /proc/stat, in order (man 5 proc)
COLUMNS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def cpu_ticks() -> dict[str, int]:
    """The whole machine's CPU time so far, in clock ticks, per kind."""
    with open("/proc/stat") as handle:
        fields = handle.readline().split()
    if fields[0] != "cpu":
        raise RuntimeError("/proc/stat does not start with the aggregate cpu line")
    return dict(zip(COLUMNS, (int(value) for value in fields[1 : 1 + len(COLUMNS)]), strict=True))


def cpu_split(before: dict[str, int], after: dict[str, int]) -> dict[str, float]:
    """Percent of all vCPU time between two readings, per kind (busy = user+nice+system+irq+softirq)."""
    delta = {kind: after[kind] - before[kind] for kind in COLUMNS}
    total = sum(delta.values())
    if total <= 0:
        return {"busy_pct": 0.0, "idle_pct": 0.0, "iowait_pct": 0.0, "steal_pct": 0.0}
    busy = delta["user"] + delta["nice"] + delta["system"] + delta["irq"] + delta["softirq"]
    return {
        "busy_pct": round(100 * busy / total, 1),
        "idle_pct": round(100 * delta["idle"] / total, 1),
        "iowait_pct": round(100 * delta["iowait"] / total, 1),
        "steal_pct": round(100 * delta["steal"] / total, 1),
    }


@dataclass
class CpuShare:
    """``with CpuShare() as share: …`` then ``share.split``: the machine's CPU split over the block."""

    split: dict[str, float] = field(default_factory=dict)
    _start: dict[str, int] = field(default_factory=dict)

    def __enter__(self) -> Self:
        self._start = cpu_ticks()
        return self

    def __exit__(self, *exc: object) -> None:
        self.split = cpu_split(self._start, cpu_ticks())
