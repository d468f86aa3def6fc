"""The pipeline's own reads and writes of the database, as named functions.

The planner reads `source_files` in path order (a merge join with the source's listing) and the
run records what it was synced from in `sync_meta`. They live here, not in pipeline/sync.py, so
that every SQL statement of ontosync is in the store (tests/test_code_shape.py checks it) and a
second backend replaces them in one place.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

KNOWN_PAGE = 2000  # source_files rows fetched per step of the merge join


def known_files(conn: sqlite3.Connection, page: int = KNOWN_PAGE) -> Iterator[tuple]:
    """(path, blob_sha, status, error_kind, synced_at, fingerprint) of every `source_files` row in
    path order, `page` rows at a time, so no read transaction stays open across the run."""
    last = ""
    first = True
    while True:
        rows = conn.execute(
            "SELECT path, blob_sha, status, error_kind, synced_at, fingerprint FROM source_files "
            "WHERE path > ? OR ? ORDER BY path LIMIT ?", (last, first, page)).fetchall()
        if not rows:
            return
        yield from rows
        last, first = rows[-1][0], False


def record_source(conn: sqlite3.Connection, revision: str | None, description: str) -> None:
    """What the database was last synced from (`sync_meta` revision and source); the caller holds
    the transaction."""
    conn.executemany("INSERT INTO sync_meta (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     [("revision", revision), ("source", description)])


GRAPH_KEY = "logseq_config"  # the Logseq graph's last good settings (pipeline/logseq_graph.py)


def graph_settings(conn: sqlite3.Connection) -> str | None:
    """The record of the graph's last good settings the database keeps, or None."""
    row = conn.execute("SELECT value FROM sync_meta WHERE key = ?", (GRAPH_KEY,)).fetchone()
    return row[0] if row else None


def record_graph_settings(conn: sqlite3.Connection, record: str | None) -> None:
    """Keep `record` (None: the source has no config.edn, or none read yet: keep nothing); the
    caller holds the transaction."""
    if record is None:
        conn.execute("DELETE FROM sync_meta WHERE key = ?", (GRAPH_KEY,))
    else:
        conn.execute("INSERT INTO sync_meta (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (GRAPH_KEY, record))
