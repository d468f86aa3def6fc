"""How many CPUs this process may use: the default number of parse workers.

`os.cpu_count()` counts the machine's CPUs, not the ones a process may run on: a container limited
by a cgroup quota (`docker run --cpus 2`) or a `taskset` sees them all. Each parse worker costs
15-20 MB (issue 18), and workers beyond the usable CPUs only wait their turn, so the default
follows the affinity mask and the cgroup v2 quota (`cpu.max`), whichever is smaller.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def usable_cpus() -> int:
    """CPUs in the affinity mask, capped by the cgroup's quota; at least 1."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        count = os.cpu_count() or 1
    quota = cgroup_quota()
    if quota is not None:
        count = min(count, quota)
    return max(1, count)


def cgroup_quota(root: Path = CGROUP_ROOT) -> int | None:
    """`cpu.max` of this process's cgroup (v2) as whole CPUs, rounded up; None without a quota."""
    try:
        rel = next((line.split(":", 2)[2] for line in Path("/proc/self/cgroup").read_text().splitlines()
                    if line.startswith("0::")), "/")
        text = (root / rel.lstrip("/") / "cpu.max").read_text().split()
    except (OSError, IndexError):
        try:
            text = (root / "cpu.max").read_text().split()
        except OSError:
            return None
    if len(text) != 2 or text[0] == "max":
        return None
    try:
        quota, period = int(text[0]), int(text[1])
    except ValueError:
        return None
    return max(1, math.ceil(quota / period)) if quota > 0 and period > 0 else None
