"""SIGTERM stops a sync the way Ctrl-C does.

`kill PID`, a cancelled CI job or `docker stop` send SIGTERM, whose default action ends the
process on the spot: no report, no final checkpoint. During a sync it raises KeyboardInterrupt in
the main thread instead, so the run stops between two files, writes its report and checkpoint and
exits 130. Worker processes reset both signals for themselves (pipeline/workers.py).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def _interrupt(signum, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
