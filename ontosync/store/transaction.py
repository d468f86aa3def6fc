"""The store's one transaction helper: `BEGIN IMMEDIATE` ... `COMMIT`, or `ROLLBACK` on any error.

Written out rather than Peewee's `db.atomic()` because SQLite rolls back by itself on some errors
(SQLITE_FULL, for one): a second ROLLBACK then fails and would hide the real error, so ROLLBACK
runs only while a transaction is still open. IMMEDIATE takes the write lock at the start, so a
second writer waits (busy timeout) or fails before anything was read under a stale snapshot.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress


@contextmanager
def immediate(conn: sqlite3.Connection,
              cannot_begin: Callable[[sqlite3.Error], Exception] | None = None) -> Iterator[sqlite3.Connection]:
    """One write transaction on an autocommit connection.

    `cannot_begin` turns a failing BEGIN (locked by another writer, read-only file) into the
    caller's own error. The body may end the transaction itself (a ROLLBACK when it finds there is
    nothing to do); the helper then commits nothing.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        if cannot_begin is None:
            raise
        raise cannot_begin(exc) from exc
    try:
        yield conn
        if conn.in_transaction:
            conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise
