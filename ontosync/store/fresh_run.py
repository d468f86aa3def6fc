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

The noted paths are two bits each in a fixed bitmap of their hashes (`PathBits`), not the paths:
a set of 50,000 path strings held ~5 MB to the end of the run, and made a 50,000-page sync's peak
memory grow with the tree (issue 18's 110% item). A bitmap never misses a noted path (its bits are
set), so a path it calls new is new; a path it calls noted may be new (a false hit: a chance of
0.06% for the 50,000th path, more in far larger trees): that save looks up its path and deletes its
rows like any other, which is always correct, only slower.

The same holds for the names the run's rows link to (`note_links`, `may_link`): a page's names
re-point every link to them, in any file (store/repository.py `_repoint`: an UPDATE of `file_edges`
and one of `owl_axioms` at each save that adds or drops a name, which is nearly every save of a first
run). Every such link in a fresh run was inserted by one of its saves, which noted its name key in a
second bitmap first; a name no bit says was linked to has no link to re-point, so the statements
are not run (on the corpus they changed rows at 55 and 144 of 1,684 saves). Likewise the children
of the run's edges: a class no earlier edge had as its child has no hierarchy rows to drop (the
hierarchy is built from `file_edges` alone), so its save does not ask (1,347 of the corpus's 1,523
deletes found nothing); and the classes its files declare: a class no earlier file declared has no
duplicate declaration to look for. A false hit runs the statements, as every save did before. 512 KiB more
for the run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Hashable, Iterable

from ontosync.store import deferred_indexes
from ontosync.store.bulk_statements import is_sqlite


class PathBits:
    """Which paths were noted, as two bits of each one's hash in `size` bits: no false miss, rare
    false hits (above). `hash` is per process, as is this state."""

    def __init__(self, size: int) -> None:
        if size & (size - 1):
            raise ValueError("size must be a power of two")
        self._bits = bytearray(size // 8 or 1)
        self._mask = size - 1
        self._shift = size.bit_length() - 1

    def _slots(self, key: Hashable) -> tuple[int, int]:
        h = hash(key) & 0xFFFF_FFFF_FFFF_FFFF
        return h & self._mask, (h >> self._shift) & self._mask

    def __contains__(self, key: Hashable) -> bool:
        """Was `key` maybe noted? False only when it certainly was not. (Written out: a first run
        asks this a few thousand times.)"""
        one, two = self._slots(key)
        bits = self._bits
        return bool(bits[one >> 3] & (1 << (one & 7))) and bool(bits[two >> 3] & (1 << (two & 7)))

    def add(self, path: Hashable) -> bool:
        """Note `path` (any hashable key); True when it had certainly not been noted before."""
        new = False
        for slot in self._slots(path):
            byte, bit = slot >> 3, 1 << (slot & 7)
            if not self._bits[byte] & bit:
                self._bits[byte] |= bit
                new = True
        return new


class FreshRun:
    bits = 1 << 22  # PathBits' size: 4 Mi bits, 512 KiB whatever the tree's size (a test makes it tiny)

    def __init__(self) -> None:
        self._run: object | None = None  # the ChangeLog this state was built for
        self._saved: PathBits | None = None  # None: not a run into an empty database
        self._first: str | None = None  # the run's first saved path
        self._others = False  # a path other than the first was saved
        self._links: PathBits | None = None  # ("edge"/"axiom"/"child"/"class", ontology id, key): see above
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
            self._saved = PathBits(self.bits) if fresh and not conn.execute(
                "SELECT EXISTS (SELECT 1 FROM source_files)").fetchone()[0] else None
            self._first, self._others = path, False
            self._links = PathBits(self.bits) if self._saved is not None else None
        self.new = self._saved is not None and self._saved.add(path)
        self._others = self._others or path != self._first
        return self.new

    def note_links(self, links: Iterable[tuple[str, str, str]]) -> None:
        """Note the links of rows about to be inserted (store/own_rows.py `links`)."""
        if self._links is not None:
            for link in links:
                self._links.add(link)

    def may_link(self, table: str, names: Iterable[tuple[str, str]]) -> bool:
        """May a row of `table` ("edge" or "axiom") link to one of `names` (ontology id, name key), an
        edge (table "child") have one of them (ontology id, IRI) as its child, or a file (table
        "class") declare one? Always outside a run into an empty database; in one, unless no row it
        inserted did."""
        bits = self._links
        return bits is None or any((table, onto, key) in bits for onto, key in names)

    @property
    def first(self) -> bool:
        """The save under way is the first of a run into an empty database."""
        return self._saved is not None and not self._others
