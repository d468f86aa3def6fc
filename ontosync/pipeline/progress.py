"""Live progress on stderr: a redrawn bar on a terminal, done/total/ETA lines in a CI log.

The total is known before the first file is parsed (the sources count their listing cheaply:
names only for a local tree, the one tree listing for GitHub), so both show done/total, percent,
files/s and the time left. `done` counts every listed file the run has finished with, unchanged
ones included, so the bar reaches the total on an incremental run too.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from typing import TextIO

from ontosync.console import drop_output

BAR_WIDTH = 30
REDRAW_S = 0.1  # a terminal bar is redrawn at most this often
LINE_S = 1.0  # a log line is written at most this often (besides the first and the last)


class Progress:
    def __init__(self, stream: TextIO | None = None, every: int = 10, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.every = every  # a log line every this many files (at most one per LINE_S)
        self.quiet = quiet
        # A terminal that takes cursor controls: TERM=dumb (Emacs' shell, some CI log viewers) showed
        # each redraw's `\033[K` as litter; it gets the log lines a pipe gets.
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty() and os.environ.get("TERM") != "dumb"
        self.started = time.perf_counter()
        self.total: int | None = None
        self.samples: list[dict] = []  # (seconds, done) over the run, for the summary chart
        self._last_sample = -1.0
        self._last_shown = -1.0
        self._last_line_done = 0

    def start(self, total: int | None) -> None:
        """The number of files the run will go through, known before parsing starts."""
        self.total = total
        if total is not None and not self.quiet and not self.tty:
            self._write(f"ontosync: {total} files to sync\n")

    def update(self, done: int, total: int | None = None, final: bool = False) -> None:
        total = total if total is not None else self.total
        elapsed = time.perf_counter() - self.started
        if elapsed - self._last_sample >= 0.25 or final:
            self.samples.append({"t": round(elapsed, 3), "done": done})
            self._last_sample = elapsed
        if self.quiet or not self._due(done, elapsed, final):
            return
        self._last_shown = elapsed
        text = status_text(done, total, elapsed)
        if self.tty:
            filled = min(BAR_WIDTH, int(BAR_WIDTH * done / total)) if total else 0
            self._write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {text}\033[K" + ("\n" if final else ""))
        else:
            self._last_line_done = done
            self._write(f"ontosync: {text}\n")

    def note(self, text: str) -> None:
        """A line of its own between the progress lines, quiet or not: what the run waits for (a
        source's rate limit), so a run that waits minutes does not look hung."""
        self._write(("\r\033[K" if self.tty else "") + f"ontosync: {text}\n")

    def _due(self, done: int, elapsed: float, final: bool) -> bool:
        if final:
            return True
        if self.tty:
            return elapsed - self._last_shown >= REDRAW_S
        return done - self._last_line_done >= self.every and elapsed - self._last_shown >= LINE_S

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except OSError:  # `sync 2>&1 | head`, `2>>sync.log` on a full disk: the lines are lost, not the run's work
            self.quiet = True
            drop_output(self.stream)


def status_text(done: int, total: int | None, elapsed: float) -> str:
    """`120/1684 (7.1%) 45.2 files/s ETA 0:35`, or `120 files 45.2 files/s` with no total."""
    rate = done / elapsed if elapsed > 0 else 0.0
    if not total:
        return f"{done} files {rate:.1f} files/s"
    pct = 100.0 * done / total
    eta = duration((total - done) / rate) if rate > 0 and done < total else ("-" if done < total else "0:00")
    return f"{done}/{total} ({pct:.1f}%) {rate:.1f} files/s ETA {eta}"


def duration(seconds: float) -> str:
    """m:ss, or h:mm:ss past an hour."""
    s = round(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory from the OS (ru_maxrss is in KiB on Linux): the report's, the run's measure
    beside its rate of files."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024
