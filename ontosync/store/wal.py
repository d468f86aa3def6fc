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
import os
import signal
import sqlite3

JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024
# The writer's automatic checkpoint, in pages (SQLite's default is 1,000). A checkpoint is where
# synchronous=NORMAL pays its fsyncs, and a save dirties 40-60 pages, so the default checkpointed
# every ~20 files: a quarter of a full sync's writer time (issue 18). 8,192 pages (32 MiB at 4 KiB a
# page) stays under JOURNAL_SIZE_LIMIT, and each run still ends with a TRUNCATE checkpoint.
WRITER_AUTOCHECKPOINT_PAGES = 8192
# Test hook: `ONTOSYNC_FAULT_SIGNAL_IN_TRUNCATE=1` sends this process SIGTERM as the run's last
# truncation starts, after the sync has finished and counted. Read once, at import.
_FAULT_SIGNAL = os.environ.get("ONTOSYNC_FAULT_SIGNAL_IN_TRUNCATE", "").strip() == "1"


def truncate_wal(conn: sqlite3.Connection, busy_timeout_s: float) -> bool:
    """Checkpoint and empty the WAL without waiting for readers; True when it was emptied."""
    with contextlib.suppress(sqlite3.Error):
        conn.execute("PRAGMA busy_timeout = 0")
        if _FAULT_SIGNAL:
            os.kill(os.getpid(), signal.SIGTERM)
        try:
            busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            return busy == 0
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
    return False
