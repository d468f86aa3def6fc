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
# the small blobs a remote source reads every run (links' targets, logseq/config.edn): sha -> content (JSON)
KEPT_BLOBS_KEY = "kept_blobs"


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


def record_source(conn: sqlite3.Connection, revision: str | None, description: str, checkpoint_start: str) -> None:
    """What the database was last synced from (`sync_meta` revision and source), and the `started_at`
    of that finished run's checkpoint (`finished_checkpoint`); the caller holds the transaction."""
    conn.executemany("INSERT INTO sync_meta (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     [("revision", revision), ("source", description), (FINISHED_KEY, checkpoint_start)])


# The checkpoint `started_at` of the last run that finished: a checkpoint on disk that says
# "unfinished" with that start is the one a finished run could not replace (its folder read-only, a
# full disk), not an interrupted run's; resumed, a `--full` sync after it reparsed nothing.
FINISHED_KEY = "finished_checkpoint"


def finished_checkpoint(conn: sqlite3.Connection) -> str | None:
    return get_meta(conn, FINISHED_KEY)


def kept_blobs(conn: sqlite3.Connection) -> object:
    """The blobs the last sync kept (`record_kept_blobs`), as JSON gave them; {} if none or
    unreadable (the source checks each against its sha, and reads what is missing again)."""
    value = get_meta(conn, KEPT_BLOBS_KEY)
    try:
        return json.loads(value) if value else {}
    except ValueError:
        return {}


def record_kept_blobs(conn: sqlite3.Connection, blobs: dict[str, str]) -> None:
    """Keep a remote source's small blobs for the next sync (ASCII JSON: bytes that are not UTF-8
    stay escaped); none: the key goes. The caller holds the transaction."""
    put_meta(conn, KEPT_BLOBS_KEY, json.dumps(blobs, sort_keys=True) if blobs else None)


GRAPH_KEY = "logseq_config"  # the Logseq graph's last good settings (pipeline/logseq_graph.py)


def graph_settings(conn: sqlite3.Connection) -> str | None:
    """The record of the graph's last good settings the database keeps, or None."""
    return get_meta(conn, GRAPH_KEY)


def record_graph_settings(conn: sqlite3.Connection, record: str | None) -> None:
    """Keep `record` (None: the source has no config.edn, or none read yet: keep nothing); the
    caller holds the transaction."""
    put_meta(conn, GRAPH_KEY, record)


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    """sync_meta's value for `key`, or None."""
    row = conn.execute("SELECT value FROM sync_meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def put_meta(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    """sync_meta's `key` set to `value`, or gone for None; the caller holds the transaction."""
    if value is None:
        conn.execute("DELETE FROM sync_meta WHERE key = ?", (key,))
    else:
        conn.execute("INSERT INTO sync_meta (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))
