"""Indexes a first run does without: dropped when a run starts into an empty database, built at its end.

Why: every index a save writes costs at least one page in the WAL at the file's commit, and a save
commits once per file. `owl_axioms_subject` (ontology_id, subject, axiom_type, object) serves the
change log's per-save fold (counting an axiom's copies) and reads of one subject's axioms; a run
into an empty database logs its changes from the content at its end (store/changelog_fresh.py), so
no statement of its saves needs the index, and keeping it cost 2.3 of a corpus save's ~52 WAL
pages. Building it once at the end from the finished table is one sort (issue 18).
`owl_axioms_source_file` and `file_edges_path` (0.8 and 1.1 WAL frames a save on the corpus) serve
reads of one file's rows by path: a save's delete of an old version's rows and the layer's per-file
read-back. A first run's saves of new paths skip the first (store/fresh_run.py), mark their own rows
affected from the rows in hand rather than reading them back, and defer the layer
(store/semsql_deferred.py); a path saved twice in the run scans the table once. The other indexes
stay: a first run's saves read every one of them (a new page's links re-point other pages' rows,
the class recomputation reads by IRI); tests/test_fresh_run.py checks every by-path statement's plan.

A killed run must not leave the schema short: the index's definition is kept in `sync_meta` under
PENDING_KEY, in the transaction that drops it, and `restore` builds it again
and clears the mark in the caller's transaction: at the run's end, and at the next run's start
(before anything else reads or writes). SQLite only: PostgreSQL keeps its indexes.

The definitions are this module's (DEFINITIONS, the migrations' text as `sqlite_master` keeps it;
tests/test_deferred_indexes.py compares the schema after a restore with a migrated one), never read
back from the database to be run: the mark is data in a database that may come from elsewhere (a
downloaded artifact, a fork's run), so an entry in it that is not one of DEFINITIONS is dropped
unexecuted, and `verify`'s schema check reports an index that leaves missing.
"""

from __future__ import annotations

import json
import sqlite3

PENDING_KEY = "deferred_indexes"
BY_PATH = ("owl_axioms_source_file", "file_edges_path")  # read by a layer that keeps per-file rows
DEFERRED = ("owl_axioms_subject", *BY_PATH)
DEFINITIONS = {  # migrations 001 and 006
    "owl_axioms_subject": "CREATE INDEX owl_axioms_subject ON owl_axioms (ontology_id, subject, axiom_type, object)",
    "owl_axioms_source_file": "CREATE INDEX owl_axioms_source_file ON owl_axioms (source_file)",
    "file_edges_path": "CREATE INDEX file_edges_path ON file_edges (path)",
}


def defer(conn: sqlite3.Connection) -> None:
    """Drop the DEFERRED indexes that exist, noting their definitions first (the caller's transaction)."""
    marks = ",".join("?" * len(DEFERRED))
    found = [name for (name,) in conn.execute(
        f"SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ({marks}) ORDER BY name", DEFERRED)]
    if not found:
        return
    kept = pending(conn) + [DEFINITIONS[name] for name in found]
    conn.execute("INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                 "value = excluded.value", (PENDING_KEY, json.dumps(kept)))
    for name in found:
        conn.execute(f'DROP INDEX "{name}"')


def pending(conn: sqlite3.Connection) -> list[str]:
    """The definitions of the indexes a run dropped and has not built again: the noted entries that
    are one of DEFINITIONS (see the module's docstring)."""
    row = conn.execute("SELECT value FROM sync_meta WHERE key = ?", (PENDING_KEY,)).fetchone()
    try:
        noted = json.loads(row[0]) if row and row[0] else []
    except ValueError:
        return []
    known = set(DEFINITIONS.values())
    return [sql for sql in noted if isinstance(sql, str) and sql in known] if isinstance(noted, list) else []


def restore(conn: sqlite3.Connection, only: tuple[str, ...] | None = None) -> None:
    """Build the dropped indexes (those named in `only`) again and clear their mark (the caller's
    transaction)."""
    names = {sql: name for name, sql in DEFINITIONS.items()}
    statements = pending(conn)
    chosen = [sql for sql in statements if only is None or names[sql] in only]
    if not chosen:
        if only is None:  # a mark with nothing known in it: cleared
            conn.execute("DELETE FROM sync_meta WHERE key = ?", (PENDING_KEY,))
        return
    for sql in chosen:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (names[sql],)).fetchone():
            conn.execute(sql)
    left = [sql for sql in statements if sql not in chosen]
    if left:
        conn.execute("UPDATE sync_meta SET value = ? WHERE key = ?", (json.dumps(left), PENDING_KEY))
    else:
        conn.execute("DELETE FROM sync_meta WHERE key = ?", (PENDING_KEY,))
