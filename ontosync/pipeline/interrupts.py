"""SIGTERM and SIGHUP stop a sync the way Ctrl-C does.

`kill PID`, a cancelled CI job or `docker stop` send SIGTERM, and a terminal that closes (an SSH
session dropped) sends SIGHUP; the default action of both ends the process on the spot: no report,
no final checkpoint. During a sync it raises KeyboardInterrupt in
the main thread instead, so the run stops between two files, writes its report and checkpoint and
exits 130. Worker processes set these signals for themselves (pipeline/workers.py).

"Between two files" is kept by `held()`: while the writer saves a file and counts it, SIGTERM and
the others only note themselves, and the interrupt is raised once the file is counted, so the report
and checkpoint never miss a file whose transaction committed. A lock wait between two attempts of
one save (`raise_if_pending`, before the sleep) is the one place inside it that stops at once:
nothing of that file has committed then.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ontosync.console import Stopped

STOPPING = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_held = 0  # nesting depth of held()
_pending: int | None = None  # a signal that arrived while held


def as_interrupt(signum, _frame) -> None:
    """The handler SIGTERM and the others get: a KeyboardInterrupt, or a note while `held()`."""
    global _pending
    if _held:
        _pending = signum
        return
    raise KeyboardInterrupt(f"signal {signum}")


def raise_if_pending() -> None:
    global _pending
    if _pending is not None:
        signum, _pending = _pending, None
        raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def held() -> Iterator[None]:
    """An interrupt arriving inside waits for the end of the block (see the module's docstring)."""
    global _held
    _held += 1
    try:
        yield
    finally:
        _held -= 1
    if not _held:
        raise_if_pending()


@contextmanager
def finishing() -> Iterator[None]:
    """A run's last steps (the change log's end, the last checkpoint, the report's counts, the WAL's
    truncation, closing the database): an interrupt arriving inside waits for them, like one inside
    `held()`, and is then dropped. They are bounded, and the run is over or already stopping when they
    run: what the interrupt asks for, a run that ends with its checkpoint and report, is what they do.
    Raised after them, it left the run without its report, exit 130 ("interrupted; the checkpoint is
    saved"): a second Ctrl-C as a run stopped, or a first one as a finished run wrote its last state."""
    global _pending
    with held():
        try:
            yield
        finally:
            _pending = None


@contextmanager
def cut_short() -> Iterator[None]:
    """Inside `finishing()`, a step that may wait long (the report's counts on a new PostgreSQL session:
    its connect timeout, 30 s): an interrupt cuts it, raised there as outside (one noted before, at
    once), for the caller to go on without what it read."""
    global _held
    depth, _held = _held, 0
    try:
        raise_if_pending()
        yield
    finally:
        _held = depth


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, as_interrupt) for signum in STOPPING}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def ignore_stopping() -> None:
    """In a process whose command is over, its last line said: SIGTERM, Ctrl-C and SIGHUP ask for
    nothing more, the process ends with the command's exit code (cli.run). Only the main thread may
    set handlers; elsewhere (a command run in a thread) there is nothing to do."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in STOPPING:
        signal.signal(signum, signal.SIG_IGN)


# Test hook: `ONTOSYNC_FAULT_SIGNAL_AFTER_SAVE=N` sends this process SIGTERM right after the N-th
# file's transaction commits, the moment an interrupt is most likely to be miscounted. Read once,
# at import, so a run without it pays one comparison per save; a value that is no number is no
# hook (it was a ValueError traceback at the import, for every command).
_FAULT_TEXT = os.environ.get("ONTOSYNC_FAULT_SIGNAL_AFTER_SAVE", "").strip()
_FAULT_AFTER = int(_FAULT_TEXT) if _FAULT_TEXT.isdecimal() else 0
_saves = 0


def fault_after_save() -> None:
    global _saves
    if not _FAULT_AFTER:
        return
    _saves += 1
    if _saves == _FAULT_AFTER:
        os.kill(os.getpid(), signal.SIGTERM)


class NotBegun(Stopped):
    """An interrupt before the run's first file (reading the graph's config from GitHub, the first
    checkpoint): `main` said "the checkpoint is saved" of a run that had written none."""

    word, code = "interrupted", 130


NOT_BEGUN = "the sync had not begun: no file was synced, run the same command again"


@contextmanager
def before_files() -> Iterator[None]:
    """A sync run's start, up to its first checkpoint: an interrupt there is said as such (exit 130)."""
    try:
        yield
    except KeyboardInterrupt:
        raise NotBegun(NOT_BEGUN) from None
