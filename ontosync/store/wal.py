"""Keeping the write-ahead log bounded.

SQLite cannot checkpoint past the oldest snapshot a reader still holds, so a reader with a long
transaction lets the WAL grow for as long as a sync writes; and SQLite never shrinks the file by
itself: it stays at its largest size until the last connection closes (never, with a long-lived
reader such as Datasette). So every connection sets `journal_size_limit` (the WAL is cut back to
that size whenever it is reset), and each run ends with a TRUNCATE checkpoint that does not wait:
if no reader is in the way, the WAL is emptied to 0 bytes; if one is, it stays for the next run.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading

JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024
# The writer's automatic checkpoint, in pages (SQLite's default is 1,000). A checkpoint is where
# synchronous=NORMAL pays its fsyncs, and a save dirties 40-60 pages, so the default checkpointed
# every ~20 files: a quarter of a full sync's writer time (issue 18). 8,192 pages (32 MiB at 4 KiB a
# page) stays under JOURNAL_SIZE_LIMIT, and each run still ends with a TRUNCATE checkpoint.
WRITER_AUTOCHECKPOINT_PAGES = 8192


def truncate_wal(conn: sqlite3.Connection, busy_timeout_s: float) -> bool:
    """Checkpoint and empty the WAL without waiting for readers; True when it was emptied."""
    with contextlib.suppress(sqlite3.Error):
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            return busy == 0
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
    return False


class CheckpointBehind:
    """PASSIVE checkpoints on a thread of their own, asked for after a run's large writes.

    Why: a run ends with `truncate_wal`, which copies every page the WAL holds into the database
    file between two `fdatasync`s, after the run's last commit: 70-110 ms of wall time for
    `pato-base.owl` into a new database, 80-250 ms for the corpus, most of it waiting for the disk
    (issue 18). Asked for when the end-of-run refresh has committed, a checkpoint on a second
    connection copies those pages and waits for the disk while the writer finishes its change log
    and report; the final TRUNCATE then has the last few pages left. SQLite runs a checkpoint beside
    a writer by design (the checkpoint lock, not the write lock); the thread holds the GIL only
    between its two calls. `stop` is called before `truncate_wal`, which a running checkpoint would
    make give up. Errors are dropped: the final checkpoint does the work either way.
    """

    def __init__(self, db_path: str):
        self.db_path = db_path
        self._asked = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def ask(self) -> None:
        """Checkpoint what the WAL holds now (the thread starts with the first ask)."""
        self._asked.set()
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="ontosync-checkpoint", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Wait for a checkpoint under way (one asked for and not begun is dropped); end the thread."""
        if self._thread is None:
            return
        self._stopping = True
        self._asked.set()
        self._thread.join()
        self._thread, self._stopping = None, False

    def _work(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            conn = sqlite3.connect(self.db_path, timeout=0, isolation_level=None, check_same_thread=False)
            try:
                while self._asked.wait() and not self._stopping:
                    self._asked.clear()
                    self._checkpoint(conn)
            finally:
                conn.close()

    @staticmethod
    def _checkpoint(conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
