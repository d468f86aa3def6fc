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

A path the database does not know is not hashed here at all (`lookup` answers None): it is new, so
it is parsed whatever its hash, and the worker that parses it hashes the bytes it read. The worker
sends back that hash with the `fstat` of what it read and the moment it started reading, and
`record_outcome` caches them under the same rule. A known path's hash is taken here (`resolve`), as
before, since it decides whether the file is parsed at all.

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
        self._deferred: tuple | None = None  # (path, stat key, compute): the last miss
        self._stale: set[str] = set()  # missed paths whose old row waits for a new hash to replace it

    def lookup(self, path: str, st: os.stat_result, compute: Callable[[], str]) -> str | None:
        """The cached hash when `st` matches the row; else None, the hash left to `resolve` (a path
        the database knows) or to the worker that parses it (a new path)."""
        row = self._take(path)
        key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        if row is not None and tuple(row[1:5]) == key:
            self.hits += 1
            return row[5]
        self._deferred = (path, key, compute)
        if row is not None:
            self._stale.add(path)  # its row describes a version that is no more, unless replaced
        return None

    def resolve(self, path: str) -> str:
        """Hash the file `lookup` last left unhashed (the planner found it in the database)."""
        assert self._deferred is not None and self._deferred[0] == path
        _, key, compute = self._deferred
        self._deferred = None
        hashed_at = now_ns()
        sha = compute()
        self.record(path, key, sha, hashed_at)
        return sha

    def record(self, path: str, key: tuple, sha: str, hashed_at: int) -> None:
        """Cache a hash taken here (`resolve`) or by a worker (a new path, with the fstat of what it
        read: size, mtime, ctime, inode) only when the file had settled before it was hashed (the
        racy-clean rule)."""
        if max(key[1], key[2]) < hashed_at - SETTLED_NS:
            self.fresh.append((path, *key, sha))
            self._stale.discard(path)
        elif path in self._stale:
            self._stale.discard(path)
            self.gone.append(path)

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


def known_file(cache: StatCache | None, sf):
    """The planner found `sf` in the database: its hash decides whether it is parsed, so take it
    now if `lookup` left it (a read error refuses the file, as the walk's own hashing did)."""
    if cache is None or sf.blob_sha is not None or sf.refused:
        return sf
    try:
        return sf._replace(blob_sha=cache.resolve(sf.path))
    except OSError as exc:
        return sf._replace(size=0, refused=f"cannot read: {exc.strerror or exc}")


def record_outcome(cache: StatCache | None, outcome) -> None:
    """Cache the hash a worker took of a new path (one `lookup` left unhashed), when what it read
    is what it fstat'ed (the same size) and the file had settled."""
    read = outcome.read_stat
    if cache is None or outcome.task.blob_sha is not None or read is None or outcome.blob_sha is None:
        return
    *key, hashed_at = read
    if key[0] == outcome.size:
        cache.record(outcome.task.path, tuple(key), outcome.blob_sha, hashed_at)


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
