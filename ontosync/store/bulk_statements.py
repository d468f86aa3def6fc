"""Rows that outnumber a table's: its indexes rebuilt once, not kept per row (`statements`, `entailed_edge`).

Why: a large RDF file into a new or small database (pato-base.owl: 35,080 rows) paid a b-tree
insert in each of the table's indexes for every row, in random key order. Dropping the indexes,
inserting into the bare table and creating them again sorts each index once, and multi-row
`INSERT`s halve the per-row statement overhead. All of it happens inside the file's own
transaction: a reader's snapshot never sees the table without its indexes, and the indexes come
back with the exact SQL they had (read from `sqlite_master`), so the schema does not change.

Only on SQLite (PostgreSQL keeps its indexes; the connection names its dialect) and only when the
file brings more rows than the table can hold already (`max(rowid)` bounds that from above with one
seek), so a small save into a large table never rebuilds a large index. The end-of-run closure of a
first sync (an empty `entailed_edge`, 45,844 rows on the corpus) does the same with its secondary
index (store/closure.py): 170 -> 135 ms of CPU for the corpus's rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import chain

MIN_ROWS = 2000  # below this, per-row index upkeep is cheaper than rebuilding
# negative: KiB (4 MiB), while the indexes are created. It was 16 MiB; PATO's three indexes are built
# as fast with 4 (47-50 ms of CPU against 57-60 with the writer's 2 MiB), and the sorter and the page
# cache each grow to this size, which a large first sync's peak memory follows (issue 18, 50,000 pages).
REBUILD_CACHE_KIB = -4096
ROWS_PER_INSERT = 100  # 9 columns: 900 parameters, under SQLite's default limit of 32,766


def is_sqlite(conn: sqlite3.Connection) -> bool:
    return getattr(conn, "dialect", "sqlite") == "sqlite"


def applies(conn: sqlite3.Connection, rows: int) -> bool:
    if rows < MIN_ROWS or not is_sqlite(conn):
        return False
    held = conn.execute("SELECT max(rowid) FROM statements").fetchone()[0] or 0
    return held < rows


@contextmanager
def indexes_rebuilt(conn: sqlite3.Connection, table: str) -> Iterator[None]:
    """`table`'s own indexes (not a primary key's) dropped for the block and created again after it,
    each with its exact SQL; the caller holds the transaction."""
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                           "AND sql IS NOT NULL ORDER BY name", (table,)).fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    # CREATE INDEX sorts in memory up to the page cache's size and spills to temporary files beyond
    # it; the writer's cache is 2 MiB (store/repository.py, for memory), a third of PATO's index keys.
    # A larger cache for the rebuild only (REBUILD_CACHE_KIB): the pages are freed when the size is set back.
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {REBUILD_CACHE_KIB}")
    try:
        for _name, sql in indexes:
            conn.execute(sql)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")


class SharedTail(Sequence):
    """Rows whose last columns hold the same values for every row (an RDF file's graph and path),
    kept as the rows before those columns (`head`, the parse worker's tuples) and the values once
    (`tail`): no row is copied to add them. Read as a sequence, it gives the full rows."""

    __slots__ = ("head", "tail")

    def __init__(self, head: list[tuple], tail: tuple) -> None:
        self.head = head
        self.tail = tail

    def __len__(self) -> int:
        return len(self.head)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [(*row, *self.tail) for row in self.head[i]]
        return (*self.head[i], *self.tail)

    def __iter__(self) -> Iterator[tuple]:
        tail = self.tail
        return ((*row, *tail) for row in self.head)


def insert(conn: sqlite3.Connection, columns: str, rows: Sequence[tuple]) -> None:
    """Insert `rows` (the caller's transaction), with the statements indexes dropped and recreated."""
    with indexes_rebuilt(conn, "statements"):
        insert_rows(conn, columns, rows)


def insert_rows(conn: sqlite3.Connection, columns: str, rows: Sequence[tuple]) -> None:
    """`rows` into `statements`, 100 to an `INSERT` (the caller's transaction and indexes).

    A SharedTail's last columns are bound once per `INSERT` instead of once per row, and its rows
    are not copied to add them (PATO: 108-117 -> 94-101 ms of CPU for its 35,080 rows)."""
    head, tail = (rows.head, rows.tail) if isinstance(rows, SharedTail) else (rows, ())
    width = len(columns.split(",")) - len(tail)
    shared = [f"?{ROWS_PER_INSERT * width + k + 1}" for k in range(len(tail))]
    full = f"INSERT INTO statements ({columns}) VALUES " + ", ".join(
        "(" + ", ".join([f"?{n * width + i + 1}" for i in range(width)] + shared) + ")" for n in range(ROWS_PER_INSERT))
    cut = len(head) - len(head) % ROWS_PER_INSERT
    for i in range(0, cut, ROWS_PER_INSERT):
        conn.execute(full, (*chain.from_iterable(head[i:i + ROWS_PER_INSERT]), *tail))
    if cut < len(head):
        one = "(" + ", ".join("?" * (width + len(tail))) + ")"
        conn.executemany(f"INSERT INTO statements ({columns}) VALUES {one}", rows[cut:])
