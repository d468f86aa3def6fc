"""Peak PSS of a process tree, sampled from /proc while it runs (issue 18's memory target).

RSS counts every page a process maps, so a forked worker counts again the pages it shares with its
parent; the sum of proportional set sizes (PSS: each shared page divided among the processes that
map it) is what the tree really costs the machine. A thread samples the spawned process and all its
descendants every `interval` seconds and keeps the largest sum. Linux only; elsewhere it reports None.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

PROC = Path("/proc")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in (PROC / str(pid) / "task").iterdir():
            out += [int(x) for x in (task / "children").read_text().split()]
    except OSError:
        pass
    return out


def _pss_kib(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_pss_mb(root: int) -> float:
    """PSS of `root` and every descendant now, in MB (MiB, like the RSS figures)."""
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _pss_kib(pid)
        todo += _children(pid)
    return total / 1024


class PeakPss:
    """Start with the child's pid; `stop()` returns the peak in MB (None where /proc has no PSS)."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0.0
        self.available = (PROC / "self" / "smaps_rollup").exists() and os.name == "posix"
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        if self.available:
            self._thread.start()

    def _run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, tree_pss_mb(self.pid))
            self._done.wait(self.interval)

    def stop(self) -> float | None:
        if not self.available:
            return None
        self._done.set()
        self._thread.join()
        return round(self.peak, 1)
