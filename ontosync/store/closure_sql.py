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
    # the ancestor rows found by the last round of _ancestors, and the next round's
    "cl_new": "(c TEXT NOT NULL, a TEXT NOT NULL, PRIMARY KEY (c, a)) WITHOUT ROWID",
    "cl_next": "(c TEXT NOT NULL, a TEXT NOT NULL, PRIMARY KEY (c, a)) WITHOUT ROWID",
}
FILL = (
    # named subclass edges (a class is not its own parent here: the reflexive row comes from cl_anc)
    "INSERT INTO temp.cl_edge SELECT DISTINCT subject, object FROM statements WHERE predicate = 'rdfs:subClassOf' "
    "AND object IS NOT NULL AND substr(object, 1, 2) <> '_:' AND substr(subject, 1, 2) <> '_:' AND subject <> object",
    # the nodes: `class_node`'s named ids and either end of an edge. The table's key drops the
    # repeats, so no DISTINCT or UNION sorts them first (PATO: 8 -> ~4 ms of CPU)
    "INSERT OR IGNORE INTO temp.cl_node SELECT subject FROM statements WHERE object = 'owl:Class' "
    "AND predicate = 'rdf:type' AND substr(subject, 1, 2) <> '_:'",
    "INSERT OR IGNORE INTO temp.cl_node SELECT child FROM temp.cl_edge",
    "INSERT OR IGNORE INTO temp.cl_node SELECT parent FROM temp.cl_edge",
    # the reflexive rows straight in (they skip the rounds below), then the edges themselves
    "INSERT INTO temp.cl_anc SELECT id, id FROM temp.cl_node",
    "INSERT INTO temp.cl_new SELECT child, parent FROM temp.cl_edge",
    "INSERT INTO temp.cl_anc SELECT c, a FROM temp.cl_new",
)
# One round of the ancestors (semi-naive): the parents of the rows the last round found, less the
# rows already known. The table's key drops repeats (no DISTINCT), and what goes into cl_anc is new,
# in key order (no OR IGNORE look-up). A cycle leads back to known rows, so the rounds end; there
# are as many as the longest chain of new ancestors. It replaced a recursive CTE whose UNION kept a
# second b-tree of every row (PATO: 15,310 rows, 32-35 -> 26-28 ms of CPU).
ROUND = ("INSERT OR IGNORE INTO temp.{next} SELECT d.c, e.parent FROM temp.{last} d JOIN temp.cl_edge e "
         "ON e.child = d.a WHERE NOT EXISTS (SELECT 1 FROM temp.cl_anc x WHERE x.c = d.c AND x.a = e.parent)")
SOME = ("INSERT INTO temp.cl_some SELECT DISTINCT subject, predicate, object FROM owl_subclass_of_some_values_from "
        "WHERE substr(subject, 1, 2) <> '_:' AND object IS NOT NULL AND object <> '' AND substr(object, 1, 2) <> '_:'")
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
# A cycle has an edge whose parent is also the child's descendant (and such an edge closes one): a
# look-up per edge (PATO: 2,274) answers whether there is any before CYCLE_PAIRS looks at every
# ancestor row (PATO: ~20,000; 4 -> <1 ms of CPU).
ANY_CYCLE = "SELECT 1 FROM temp.cl_edge e JOIN temp.cl_anc x ON x.c = e.parent AND x.a = e.child LIMIT 1"
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
        _ancestors(conn)
        conn.execute(SOME)
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


def _ancestors(conn: sqlite3.Connection) -> None:
    """cl_anc completed from the edges in cl_new (see ROUND): every class's transitive ancestors."""
    last, nxt = "cl_new", "cl_next"
    while conn.execute(ROUND.format(next=nxt, last=last)).rowcount > 0:
        conn.execute(f"INSERT INTO temp.cl_anc SELECT c, a FROM temp.{nxt}")
        conn.execute(f"DELETE FROM temp.{last}")
        last, nxt = nxt, last


def _cycles(conn: sqlite3.Connection) -> set[tuple[str, ...]]:
    """Each subclass cycle as the sorted classes of its strongly connected component."""
    if conn.execute(ANY_CYCLE).fetchone() is None:
        return set()
    members: dict[str, set[str]] = defaultdict(set)
    for c, a in conn.execute(CYCLE_PAIRS):
        members[c].update((c, a))
    return {tuple(sorted(m)) for m in members.values()}
