"""Live progress on stderr: a line every 10 files, or a redrawn bar when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None = None, every: int = 10, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.every = every
        self.quiet = quiet
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = time.perf_counter()
        self.samples: list[dict] = []  # (seconds, done) over the run, for the summary chart
        self._last_sample = -1.0

    def update(self, done: int, total: int | None, final: bool = False) -> None:
        elapsed = time.perf_counter() - self.started
        if elapsed - self._last_sample >= 0.25 or final:
            self.samples.append({"t": round(elapsed, 3), "done": done})
            self._last_sample = elapsed
        if self.quiet or not (final or done % self.every == 0 or self.tty):
            return
        rate = done / elapsed if elapsed > 0 else 0.0
        if total:
            pct = 100.0 * done / total
            eta = (total - done) / rate if rate > 0 else 0.0
            text = f"{done}/{total} ({pct:5.1f}%) {rate:7.1f} files/s ETA {eta:5.1f}s"
        else:
            text = f"{done} files {rate:7.1f} files/s"
        if self.tty:
            width = 30
            filled = int(width * done / total) if total else 0
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {text}")
            if final:
                self.stream.write("\n")
        else:
            self.stream.write(f"ontosync: {text}\n")
        self.stream.flush()
