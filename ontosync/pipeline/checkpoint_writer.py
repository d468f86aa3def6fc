"""The run's periodic checkpoints, written by a thread beside the writer instead of in its way.

Why: a checkpoint replaces the old file atomically (temp file, then a rename over it), and on ext4
a rename over an existing file starts the writeback of the new file's data (`auto_da_alloc`): about
0.4 ms a checkpoint on a quiet disk, 0.8-5 ms while SQLite writes its WAL beside it; on the corpus
(170 checkpoints) that was 0.14-0.9 s of the main process, the run's bottleneck (issue 18). The
contract asks for a checkpoint every `--checkpoint-every` files, so none is dropped: the main
process makes the JSON (its state at that moment, cheap) and this thread puts it on disk while the
main process saves the next files. The rename is a system call, so the thread holds no lock the
writer needs (the GIL is released while it runs).

At most one text waits: when a checkpoint is due before the last one is on disk, the newer text
replaces the waiting one (it holds everything the older one did, and a reader only ever sees whole
files). The first and the last checkpoint of a run are written by the main process after `wait()`,
so nothing older can land after them. The thread ends (`close()`) before a parse worker is forked:
a process is forked with one thread only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class CheckpointWriter:
    def __init__(self, write: Callable[[str, str], None]):
        self._write = write  # (path, text): the atomic replace (pipeline/outputs.write_text)
        self._cond = threading.Condition()
        self._waiting: tuple[str, str] | None = None
        self._busy = False
        self._closing = False
        self._thread: threading.Thread | None = None
        self.errors: list[tuple[str, Exception]] = []  # failed writes, for the run's warnings

    def submit(self, path: str, text: str) -> None:
        with self._cond:
            self._waiting = (path, text)
            if self._thread is None and not self._start():
                self._waiting = None
                self._write_here(path, text)
            self._cond.notify_all()

    def _start(self) -> bool:
        """Start the thread; False when the process may start none (a container's pids limit,
        `ulimit -u`, an address space too small for its stack): "can't start new thread" was a
        traceback that ended the sync, its files committed. The checkpoint is then written here."""
        self._closing = False
        thread = threading.Thread(target=self._run, name="ontosync-checkpoint", daemon=True)
        try:
            thread.start()
        except RuntimeError:
            return False
        self._thread = thread
        return True

    def _write_here(self, path: str, text: str) -> None:
        try:
            self._write(path, text)
        except Exception as exc:  # reported by the run as a warning, as the thread's are
            self.errors.append((path, exc))

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._waiting is None and not self._closing:
                    self._cond.wait()
                if self._waiting is None:
                    return
                (path, text), self._waiting, self._busy = self._waiting, None, True
            try:
                self._write(path, text)
            except Exception as exc:  # reported by the run as a warning; the thread must go on
                with self._cond:
                    self.errors.append((path, exc))
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def wait(self) -> None:
        """Until every submitted checkpoint is on disk."""
        with self._cond:
            while self._waiting is not None or self._busy:
                self._cond.wait()

    def close(self) -> None:
        """Write what waits, then end the thread (a later `submit` starts another)."""
        thread = self._thread
        if thread is None:
            return
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        thread.join()
        self._thread = None

    def take_errors(self) -> list[tuple[str, Exception]]:
        with self._cond:
            errors, self.errors = self.errors, []
        return errors
