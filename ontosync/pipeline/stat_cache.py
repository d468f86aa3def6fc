"""The stat cache: a re-sync of a local tree hashes only the files whose `stat` changed.

Why: hashing every file was a sixth of a no-op re-sync of the corpus (issue 18). Like git's index,
the cache keeps, per path, the size, mtime, ctime and inode the file had when it was hashed, and its
blob hash; when all four are the same, the file is taken to be the same. ctime cannot be set back by
`touch`, and any write, rename over the path or `utime` moves it.

A rewrite within the same timestamp tick as the hashing would leave all four the same (git's "racily
clean" entries): so a file is only cached when its mtime and ctime are more than `SETTLED_NS` older
than the moment it was hashed, and any later write stamps a time after that moment. A file that
changed in the 2 s before a run is hashed again next time, at the cost of reading it once more. The
cache holds hashes of files, not of the database's content: a database whose rows came from
elsewhere (a copy, a restore) still compares each file's true hash with its `source_files` row.

Memory stays flat: the cache is read in path order alongside the source's listing (a merge join, as
the planner reads `source_files`), and new rows are written `FLUSH_EVERY` at a time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

SETTLED_NS = 2_000_000_000
FLUSH_EVERY = 1000


def now_ns() -> int:
    """The moment a file is hashed (wall clock: file times are wall-clock times). A function of
    its own so a test can fix the moment instead of racing a loaded machine's scheduler."""
    return time.time_ns()


class StatCache:
    """Answers `blob_sha` for the source's walk, in path order; collects the rows to write."""

    def __init__(self, rows: Iterator[tuple]):
        self._rows = rows
        self._row = next(rows, None)
        self.fresh: list[tuple] = []  # (path, size, mtime_ns, ctime_ns, inode, blob_sha) to upsert
        self.gone: list[str] = []  # cached paths the walk passed without listing
        self.hits = 0

    def blob_sha(self, path: str, st: os.stat_result, compute: Callable[[], str]) -> str:
        row = self._take(path)
        key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        if row is not None and tuple(row[1:5]) == key:
            self.hits += 1
            return row[5]
        hashed_at = now_ns()
        sha = compute()
        if max(st.st_mtime_ns, st.st_ctime_ns) < hashed_at - SETTLED_NS:
            self.fresh.append((path, *key, sha))
        elif row is not None:
            self.gone.append(path)  # the old row describes a version that is no more
        return sha

    def pending(self) -> int:
        return len(self.fresh) + len(self.gone)

    def take(self) -> tuple[list[tuple], list[str]]:
        fresh, gone, self.fresh, self.gone = self.fresh, self.gone, [], []
        return fresh, gone

    def _take(self, path: str) -> tuple | None:
        while self._row is not None and self._row[0] < path:
            self.gone.append(self._row[0])
            self._row = next(self._rows, None)
        if self._row is not None and self._row[0] == path:
            row, self._row = self._row, next(self._rows, None)
            return row
        return None


def attach(source, repo) -> StatCache | None:
    """Give a local source the database's stat cache; None for other sources and for PostgreSQL."""
    from ontosync.store.file_stats import cached_stats, has_stat_cache

    if not hasattr(source, "stat_cache") or not has_stat_cache(repo.conn):
        return None
    source.stat_cache = cache = StatCache(cached_stats(repo.conn))
    return cache


def flush(cache: StatCache | None, repo, write, done: bool = False) -> None:
    """Write the collected rows in a transaction of their own (through the run's `write`, which
    retries a locked database): every FLUSH_EVERY rows, and at the end of the listing."""
    if cache is None or not cache.pending() or (not done and cache.pending() < FLUSH_EVERY):
        return
    from ontosync.store.file_stats import record_stats  # here: this runs once a file

    fresh, gone = cache.take()

    def store() -> None:
        with repo.transaction():
            record_stats(repo.conn, fresh, gone)

    write(store)
