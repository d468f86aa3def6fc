"""The `rdfs:label` of each class that is only referred to, in the readers' layer.

Why: a link to no page (`is-subclass-of:: [[AI Safety]]`) makes a referenced-only class
(`owl_classes.source_file` NULL) whose label is the link as written (store/repository.py); no file
declares the class, so no file's `statements` held that label and `runoak labels` showed nothing
where the contract table has one (143 corpus classes). The label is the contract table's, which
the run's end knows: these rows are kept there, under one pseudo `source_file` (REFERENCED), by
their difference from what is stored (a run that changed no such label writes nothing).
"""

from __future__ import annotations

import sqlite3

from ontosync.parsing.curies import CurieMap

REFERENCED = "ontosync:referenced-only"
_WANTED = ("SELECT ontology_id, class_iri, label FROM owl_classes WHERE source_file IS NULL "
           "AND label IS NOT NULL AND label <> ''")
_HAVE = "SELECT subject, value, graph FROM statements WHERE source_file = ?"


def refresh(conn: sqlite3.Connection, curies: CurieMap) -> set[str]:
    """Bring the rows up to date (the caller's transaction); returns the subjects whose rows changed."""
    wanted = {(curies.compact(iri), label, onto) for onto, iri, label in conn.execute(_WANTED)}
    have = set(conn.execute(_HAVE, (REFERENCED,)))
    gone, added = have - wanted, wanted - have
    conn.executemany("DELETE FROM statements WHERE source_file = ? AND subject = ? AND value = ? AND graph = ?",
                     [(REFERENCED, s, v, g) for s, v, g in sorted(gone)])
    conn.executemany("INSERT INTO statements (stanza, subject, predicate, value, graph, source_file) "
                     "VALUES (?, ?, 'rdfs:label', ?, ?, ?)", [(s, s, v, g, REFERENCED) for s, v, g in sorted(added)])
    return {s for s, _, _ in gone | added}
