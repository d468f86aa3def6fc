"""A whole `entailed_edge` recomputed in SQL (SQLite), so its memory stays within the page cache.

Why: store/closure.py computes the closure in Python and memoises every class's ancestors. When a
run recomputes everything (a first sync, a change touching many classes), that memo and the asserted
graph are held whole, and they were the peak of a large sync (issue 18: the main process went from
54 to 102 MB in the refresh of a 10,000-page sync, and to 174 MB at 50,000 pages). Here the asserted
edges, each node's reflexive-transitive ancestors and the wanted rows are temporary tables, and the
stored rows are brought to the wanted ones by two set statements.

The rows are the Python closure's (same nodes, same existential propagation: C <= X, X subClassOf
(P some Y), Y <= D gives C P D, where a filler that is no node stands for itself); the incremental
path still runs in Python, so the incremental-equals-fresh tests compare the two.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

from ontosync.store import bulk_statements

TABLES = {
    "cl_edge": "(child TEXT NOT NULL, parent TEXT NOT NULL, PRIMARY KEY (child, parent)) WITHOUT ROWID",
    "cl_node": "(id TEXT PRIMARY KEY) WITHOUT ROWID",
    "cl_anc": "(c TEXT NOT NULL, a TEXT NOT NULL, PRIMARY KEY (c, a)) WITHOUT ROWID",
    "cl_some": "(s TEXT NOT NULL, p TEXT NOT NULL, o TEXT NOT NULL, PRIMARY KEY (s, p, o)) WITHOUT ROWID",
    "cl_want": "(s TEXT NOT NULL, p TEXT NOT NULL, o TEXT NOT NULL, PRIMARY KEY (s, p, o)) WITHOUT ROWID",
}
FILL = (
    # named subclass edges (a class is not its own parent here: the reflexive row comes from cl_anc)
    "INSERT INTO temp.cl_edge SELECT DISTINCT subject, object FROM statements WHERE predicate = 'rdfs:subClassOf' "
    "AND object IS NOT NULL AND substr(object, 1, 2) <> '_:' AND substr(subject, 1, 2) <> '_:' AND subject <> object",
    "INSERT INTO temp.cl_node SELECT id FROM class_node WHERE substr(id, 1, 2) <> '_:' "
    "UNION SELECT child FROM temp.cl_edge UNION SELECT parent FROM temp.cl_edge",
    # the reflexive rows straight in, the recursion started from the edges: those rows skip the
    # recursion's queue and its de-duplication (PATO: 15,310 rows, 40-43 -> 34-37 ms of CPU).
    # OR IGNORE: a cycle leads a class back to itself.
    "INSERT INTO temp.cl_anc SELECT id, id FROM temp.cl_node",
    "INSERT OR IGNORE INTO temp.cl_anc WITH RECURSIVE anc(c, a) AS (SELECT child, parent FROM temp.cl_edge "
    "UNION SELECT anc.c, e.parent FROM anc JOIN temp.cl_edge e ON e.child = anc.a) SELECT c, a FROM anc",
    "INSERT INTO temp.cl_some SELECT DISTINCT subject, predicate, object FROM owl_subclass_of_some_values_from "
    "WHERE substr(subject, 1, 2) <> '_:' AND object IS NOT NULL AND object <> '' AND substr(object, 1, 2) <> '_:'",
)
# The wanted rows, with duplicates: the second part repeats a row for each path to it.
WANTED = ("SELECT c, 'rdfs:subClassOf', a FROM temp.cl_anc "
          "UNION ALL SELECT x.c, s.p, COALESCE(y.a, s.o) FROM temp.cl_anc x JOIN temp.cl_some s ON s.s = x.a "
          "LEFT JOIN temp.cl_anc y ON y.c = s.o")
STORED_EQUALS_WANTED = (
    "DELETE FROM entailed_edge WHERE NOT EXISTS (SELECT 1 FROM temp.cl_want w WHERE w.s = entailed_edge.subject "
    "AND w.p = entailed_edge.predicate AND w.o = entailed_edge.object)",
    "INSERT INTO entailed_edge (subject, predicate, object) SELECT s, p, o FROM temp.cl_want "
    "EXCEPT SELECT subject, predicate, object FROM entailed_edge",
)
CYCLE_PAIRS = ("SELECT x.c, x.a FROM temp.cl_anc x JOIN temp.cl_anc y ON y.c = x.a AND y.a = x.c "
               "WHERE x.c <> x.a")


def write_full(conn: sqlite3.Connection, nodes: bool = True) -> tuple[set[tuple[str, ...]], set[str]]:
    """Recompute every row of `entailed_edge` (caller holds the transaction): (cycles, nodes); the
    nodes only when asked (`nodes`: a set of every class id, which the end of a run does not need)."""
    for name, columns in TABLES.items():
        conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
        conn.execute(f"CREATE TEMP TABLE {name} {columns}")
    try:
        for sql in FILL:
            conn.execute(sql)
        if conn.execute("SELECT 1 FROM entailed_edge LIMIT 1").fetchone():
            conn.execute("INSERT OR IGNORE INTO temp.cl_want " + WANTED)
            for sql in STORED_EQUALS_WANTED:
                conn.execute(sql)
        else:  # a first sync: the index is sorted once, after the rows (store/bulk_statements.py); the
            # rows go straight in, the primary key dropping the duplicates (corpus: 155 -> 100 ms of CPU)
            with bulk_statements.indexes_rebuilt(conn, "entailed_edge"):
                conn.execute("INSERT OR IGNORE INTO entailed_edge (subject, predicate, object) " + WANTED)
        return _cycles(conn), {r[0] for r in conn.execute("SELECT id FROM temp.cl_node")} if nodes else set()
    finally:
        for name in TABLES:
            conn.execute(f"DROP TABLE IF EXISTS temp.{name}")


def _cycles(conn: sqlite3.Connection) -> set[tuple[str, ...]]:
    """Each subclass cycle as the sorted classes of its strongly connected component."""
    members: dict[str, set[str]] = defaultdict(set)
    for c, a in conn.execute(CYCLE_PAIRS):
        members[c].update((c, a))
    return {tuple(sorted(m)) for m in members.values()}
