"""The stat cache's rows (migration 009; pipeline/stat_cache.py says what they are for).

SQLite only: a PostgreSQL database has no such table, and a sync into one hashes every file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

PAGE = 2000  # rows fetched per step, so no read transaction stays open across the run


def has_stat_cache(conn) -> bool:
    return isinstance(conn, sqlite3.Connection) and conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'file_stats'").fetchone() is not None


def cached_stats(conn: sqlite3.Connection, page: int = PAGE) -> Iterator[tuple]:
    """(path, size, mtime_ns, ctime_ns, inode, blob_sha) in path order, `page` rows at a time."""
    last = ""  # no recorded path is empty, so `path > ''` starts at the first row
    while True:
        rows = conn.execute("SELECT path, size, mtime_ns, ctime_ns, inode, blob_sha FROM file_stats "
                            "WHERE path > ? ORDER BY path LIMIT ?", (last, page)).fetchall()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def record_stats(conn: sqlite3.Connection, fresh: Iterable[tuple], gone: Iterable[str]) -> None:
    """Upsert `fresh` rows, delete the `gone` paths; the caller holds the transaction."""
    conn.executemany("INSERT OR REPLACE INTO file_stats (path, size, mtime_ns, ctime_ns, inode, blob_sha) "
                     "VALUES (?, ?, ?, ?, ?, ?)", fresh)
    conn.executemany("DELETE FROM file_stats WHERE path = ?", ((p,) for p in gone))
