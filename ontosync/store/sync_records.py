"""The pipeline's own reads and writes of the database, as named functions.

The planner reads `source_files` in path order (a merge join with the source's listing) and the
run records what it was synced from in `sync_meta`. They live here, not in pipeline/sync.py, so
that every SQL statement of ontosync is in the store (tests/test_code_shape.py checks it) and a
second backend replaces them in one place.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

KNOWN_PAGE = 2000  # source_files rows fetched per step of the merge join
LINK_TEXTS_KEY = "link_texts"  # a remote source's symbolic links: blob sha -> target text (JSON)


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


def kept_link_texts(conn: sqlite3.Connection) -> object:
    """The link texts the last sync kept (`record_link_texts`), as JSON gave them; {} if none or
    unreadable (the source checks each against its sha, and reads what is missing again)."""
    row = conn.execute("SELECT value FROM sync_meta WHERE key = ?", (LINK_TEXTS_KEY,)).fetchone()
    try:
        return json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        return {}


def record_link_texts(conn: sqlite3.Connection, texts: dict[str, str]) -> None:
    """Keep a remote source's link texts for the next sync (ASCII JSON: a text that is not UTF-8
    stays escaped); none: the key goes. The caller holds the transaction."""
    if not texts:
        conn.execute("DELETE FROM sync_meta WHERE key = ?", (LINK_TEXTS_KEY,))
        return
    conn.execute("INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                 "excluded.value", (LINK_TEXTS_KEY, json.dumps(texts, sort_keys=True)))
