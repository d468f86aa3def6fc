"""The change log of a run into an empty database: its whole content, written once (issue 18).

Why: a run's log keeps, per key, the card at the run's start and the card at its end (a key whose
two are equal is dropped). When the database holds no class, property or axiom as the run starts,
every start card is "absent", so the run's log is exactly the database's content as the run leaves
it: every declared class's card, every property's, every distinct axiom, each with old = NULL. The
per-save triggers and folds (store/changelog.py) would compute that row by row at every file's
commit (about a fifth of a first sync's writer time on the corpus); this writes it in one statement.

When it is written: the run marks itself pending (`sync_meta` key `change_log_pending`, in the
transaction that opens the run), and its `finish()` writes the rows and clears the mark in one
transaction. A run killed before that leaves the mark: only a sync writes content, so the
database's content is still what the killed run left, and the next run writes the killed run's
rows from it before it starts (`settle`). Until then, readers (`ontosync diff`, while the run goes
on or after a kill) take the pending run's rows from the content itself (`rows`), so they read
exactly what the per-save log would have held at that moment. SQLite only: PostgreSQL's log
(store/pg/changelog.py) always records per save.
"""

from __future__ import annotations

import sqlite3

from ontosync.store.changelog import AXIOM_ITEM, class_card_of, property_card_of

PENDING_KEY = "change_log_pending"



def _content_rows(distinct: str) -> str:
    # each card from the row in hand (class_card_of), not looked up again by its key (PATO: ~3 ms)
    return ("SELECT 'class', c0.ontology_id, c0.class_iri, '', NULL, "
            + class_card_of("c0")
            + " FROM owl_classes c0 WHERE c0.source_file IS NOT NULL"
            " UNION ALL SELECT 'property', p0.ontology_id, p0.property_iri, '', NULL, "
            + property_card_of("p0")
            + f" FROM owl_properties p0 UNION ALL SELECT {distinct}'axiom', ontology_id, COALESCE(subject, ''), "
            + AXIOM_ITEM.format(t="owl_axioms") + ", NULL, '1' FROM owl_axioms")


# (kind, ontology_id, iri, item, old, new) of every card and distinct axiom: the log of a run that
# started from an empty database, as the per-save fold would leave it (an axiom's new is '1').
CONTENT_ROWS = _content_rows("DISTINCT ")
# The same rows for `INSERT OR IGNORE INTO run_changes`, whose key drops the repeated axioms (their
# rows are equal): without the DISTINCT's temporary b-tree, corpus 44-57 -> 33-34 ms of CPU.
CONTENT_ROWS_TO_INSERT = _content_rows("")
EMPTY = ("SELECT NOT EXISTS (SELECT 1 FROM owl_classes) AND NOT EXISTS (SELECT 1 FROM owl_properties) "
         "AND NOT EXISTS (SELECT 1 FROM owl_axioms)")


def is_empty(conn: sqlite3.Connection) -> bool:
    """No class, property or axiom: every card a run could log starts absent."""
    return bool(conn.execute(EMPTY).fetchone()[0])


def pending_run(conn) -> int | None:
    """The run whose log is still to be written from the content, if any (SQLite only)."""
    if not isinstance(conn, sqlite3.Connection):
        return None
    row = conn.execute("SELECT value FROM sync_meta WHERE key = ?", (PENDING_KEY,)).fetchone()
    return int(row[0]) if row and row[0] else None


def mark_pending(conn: sqlite3.Connection, run_id: int) -> None:
    conn.execute("INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                 "excluded.value", (PENDING_KEY, str(run_id)))


def write(conn: sqlite3.Connection, run_id: int) -> None:
    """The pending run's rows from the content, and the mark cleared (the caller's transaction)."""
    if conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone():
        conn.execute("INSERT OR IGNORE INTO run_changes (run_id, kind, ontology_id, iri, item, old, new) "
                     f"SELECT ?, * FROM ({CONTENT_ROWS_TO_INSERT})", (run_id,))
    conn.execute("DELETE FROM sync_meta WHERE key = ?", (PENDING_KEY,))


def settle(conn: sqlite3.Connection) -> None:
    """A killed run's pending log, written before the next run changes the content."""
    run_id = pending_run(conn)
    if run_id is not None:
        write(conn, run_id)


def rows(conn, first: int, last: int) -> list[tuple]:
    """The rows of runs first..last that are still pending: the content's (for the log's readers)."""
    run_id = pending_run(conn)
    if run_id is None or not first <= run_id <= last:
        return []
    return conn.execute(CONTENT_ROWS).fetchall()


def has_rows(conn) -> int | None:
    """The pending run, when its log would hold a row (a declared class, a property or an axiom)."""
    run_id = pending_run(conn)
    if run_id is None or not conn.execute(
            "SELECT EXISTS (SELECT 1 FROM owl_classes WHERE source_file IS NOT NULL) "
            "OR EXISTS (SELECT 1 FROM owl_properties) OR EXISTS (SELECT 1 FROM owl_axioms)").fetchone()[0]:
        return None
    return run_id
