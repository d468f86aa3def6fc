"""Which paths a run into an empty database has saved: a new one needs no look-up and no clean-up.

Why: a save asks `SELECT 1 FROM source_files WHERE path = ?` to learn whether the file had rows to
read and delete, and deletes its `owl_axioms` (no foreign key) and, in the layer, its `statements`
whatever the answer. In a run that started from an empty database (no class, property or axiom:
the change log's `fresh`, store/changelog_fresh.py; and no `source_files` row when its first file
is saved) every table's rows were written by this run's own saves, each with its path's
`source_files` row in the same transaction, so a path this run has not saved yet has no row
anywhere: the look-up, the axiom delete and the layer's delete and read of `readers_stale` would
each find nothing, ~1,700 times a first sync of the corpus (issue 18).

The state belongs to the run's ChangeLog object (a new run, a new log), so a Repository used for
several runs starts over with each. A path is noted before its save commits: a save that rolls
back leaves it noted, and the retry asks the database, which is always correct. SQLite only: a
PostgreSQL run's log is never `fresh`.
"""

from __future__ import annotations

import sqlite3

from ontosync.store import deferred_indexes
from ontosync.store.bulk_statements import is_sqlite


class FreshRun:
    def __init__(self) -> None:
        self._run: object | None = None  # the ChangeLog this state was built for
        self._saved: set[str] | None = None  # None: not a run into an empty database
        self.new = False  # the path of the save under way is new to a run into an empty database

    def saw(self, conn: sqlite3.Connection, changes: object | None, path: str, layer_deferred: bool = True) -> bool:
        """Note that `path` is being saved; True when nothing in the database can hold its rows.
        The first save of a fresh run whose layer keeps per-file rows (the database held statements,
        or `begin_run` was not called) builds the by-path indexes the run deferred: that layer reads
        each file's rows by path."""
        if changes is not self._run:
            self._run = changes
            fresh = bool(getattr(changes, "fresh", False)) and is_sqlite(conn)
            if fresh and not layer_deferred:
                deferred_indexes.restore(conn, only=deferred_indexes.BY_PATH)
            self._saved = set() if fresh and not conn.execute(
                "SELECT EXISTS (SELECT 1 FROM source_files)").fetchone()[0] else None
        self.new = self._saved is not None and path not in self._saved
        if self._saved is not None:
            self._saved.add(path)
        return self.new

    @property
    def first(self) -> bool:
        """The save under way is the first of a run into an empty database."""
        return self._saved is not None and len(self._saved) == 1
