"""The end of a run: `entailed_edge`, `prefix` and the search index, in one transaction.

`entailed_edge` is what OAK's `ancestors`/`descendants` read: the reflexive-transitive
`rdfs:subClassOf` closure over named classes, plus existential edges propagated over it
(C <= X, X subClassOf (P some Y), Y <= D gives C P D), as relation-graph builds it for semantic-sql
(property chains and transitive properties are not expanded). A run that touched few classes
recomputes only theirs, in Python from index lookups, and writes the delta against what is stored,
so a one-page change writes a handful of rows; a run that recomputes everything (a first sync, a
large change) does it in SQL on SQLite (store/closure_sql.py: memory within the page cache), and in
Python on PostgreSQL. A subclass cycle is found by Tarjan's
algorithm and reported as a warning naming its classes; the closure itself never loops.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

from ontosync.parsing.curies import CurieMap
from ontosync.store import bulk_statements, closure_sql, xref_prefixes
from ontosync.store.search import refresh_search

SUBCLASS = "rdfs:subClassOf"
URI_SCHEMES = frozenset(("http", "https", "urn", "mailto", "file", "ftp", "tag", "data", "doi"))


# A run that touched more classes than this recomputes the whole closure from one read of the
# asserted graph; fewer, and only the classes whose closure can have changed are recomputed, each
# from index lookups (a one-page change reads a few hundred rows, not the whole graph).
INCREMENTAL_MAX = 300
_SOME = """SELECT p.object, f.object FROM statements s
           JOIN statements p ON p.subject = s.object AND p.predicate = 'owl:onProperty'
           JOIN statements f ON f.subject = s.object AND f.predicate = 'owl:someValuesFrom'
           WHERE s.subject = ? AND s.predicate = 'rdfs:subClassOf'"""
_PARENTS = "SELECT object FROM statements WHERE subject = ? AND predicate = 'rdfs:subClassOf'"
_CHILDREN = "SELECT subject FROM statements WHERE object = ? AND predicate = 'rdfs:subClassOf'"
_HOLDERS = """SELECT s.subject FROM statements f
              JOIN statements p ON p.subject = f.subject AND p.predicate = 'owl:onProperty'
              JOIN statements s ON s.object = f.subject AND s.predicate = 'rdfs:subClassOf'
              WHERE f.predicate = 'owl:someValuesFrom' AND f.object = ?"""


def refresh(conn: sqlite3.Connection, curies: CurieMap, touched: set[str], prefixes: set[str] | None,
            full: bool = False, mappings_changed: bool = True) -> list[str]:
    """Bring the run-level tables up to date (caller holds the transaction); returns warnings.

    `touched`: the subjects whose rows changed in this run; when empty (a run that stopped before its
    end: this process saw no change) or `full` (a first run's layer, store/semsql_deferred.py),
    everything is recomputed, in SQL on SQLite, with no set of every class id in Python (issue 18:
    the memory of a 50,000-page sync). `prefixes`: the CURIE prefixes of the rows this run wrote
    (semsql.curie_prefixes); None: scan every row's."""
    named = {t for t in touched if not t.startswith("_:")}
    rebuild = full or not touched
    nodes: set[str] = set()
    if not rebuild and len(named) <= INCREMENTAL_MAX:
        graph = LazyGraph(conn)
        cycles = _write_closure(conn, graph, _affected(conn, graph, named))
    elif bulk_statements.is_sqlite(conn):  # everything recomputed: in SQL, memory within the page cache
        cycles, _ = closure_sql.write_full(conn, nodes=False)
    else:
        graph = FullGraph(conn)
        cycles, nodes = _write_closure(conn, graph, graph.nodes), graph.nodes
    warnings = [f"subclass cycle: {' <-> '.join(cycle)}" for cycle in sorted(cycles)]
    written = prefixes if touched or full else None
    _refresh_prefixes(conn, curies, written, mappings_changed or written is None)
    if not rebuild:
        refresh_search(conn, touched)
    elif nodes:  # PostgreSQL's full closure: its classes one by one or in bulk, as before
        refresh_search(conn, {r[0] for r in conn.execute("SELECT curie FROM class_search")} | nodes)
    else:
        refresh_search(conn, None)
    return warnings


class Graph:
    """The asserted graph: named parents, existential restrictions, and which terms are nodes (a
    class, or either end of a named subclass edge). Both kinds answer identically."""

    nodes: set[str]

    def parents(self, node: str) -> set[str]:
        raise NotImplementedError

    def some(self, node: str) -> set[tuple[str, str]]:
        raise NotImplementedError

    def is_node(self, node: str) -> bool:
        raise NotImplementedError

    def ancestors(self, start: str) -> frozenset[str]:
        """Reflexive-transitive, memoised; terminates on cycles."""
        memo = self._memo
        found = memo.get(start)
        if found is not None:
            return found
        seen, stack = {start}, [start]
        while stack:
            for p in self.parents(stack.pop()):
                if p not in seen:
                    known = memo.get(p)
                    if known is not None:
                        seen |= known
                    else:
                        seen.add(p)
                        stack.append(p)
        memo[start] = found = frozenset(seen)
        return found

    @property
    def _memo(self) -> dict[str, frozenset[str]]:
        memo = self.__dict__.get("_anc")
        if memo is None:
            memo = self.__dict__["_anc"] = {}
        return memo


class FullGraph(Graph):
    def __init__(self, conn: sqlite3.Connection) -> None:
        # One str object per term (SQLite hands out a new one per row): a class is the child of some
        # rows and the parent of others, and the copies were most of the graph's memory (issue 18).
        terms: dict[str, str] = {}
        one = terms.setdefault
        self._parents: dict[str, set[str]] = defaultdict(set)
        for s, o in conn.execute("SELECT subject, object FROM statements WHERE predicate = 'rdfs:subClassOf' "
                                 "AND object IS NOT NULL AND substr(object, 1, 2) <> '_:' "
                                 "AND substr(subject, 1, 2) <> '_:'"):
            if s != o:
                self._parents[one(s, s)].add(one(o, o))
        self._some: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for s, p, o in conn.execute("SELECT subject, predicate, object FROM owl_subclass_of_some_values_from"):
            if not s.startswith("_:") and o and not o.startswith("_:"):
                self._some[one(s, s)].add((one(p, p), one(o, o)))
        nodes = {one(r[0], r[0]) for r in conn.execute("SELECT id FROM class_node")} | set(self._parents)
        for ps in self._parents.values():
            nodes |= ps
        self.nodes = {x for x in nodes if not x.startswith("_:")}

    def parents(self, node: str) -> set[str]:
        return self._parents.get(node, set())

    def some(self, node: str) -> set[tuple[str, str]]:
        return self._some.get(node, set())

    def is_node(self, node: str) -> bool:
        return node in self.nodes


class LazyGraph(Graph):
    """The asserted graph read on demand, from index lookups (a run that touched few classes)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._answers: dict[tuple[str, str], set] = {}  # (question, node) -> its answer
        self.nodes = set()

    def _ask(self, question: str, sql: str, node: str, answer) -> set:
        """`answer(node, rows of sql)`, read once per graph: one refresh reads `statements` and
        writes only `entailed_edge`, and the same classes' parents, children and restrictions are
        asked for again and again (every class below a hub walks up through it)."""
        found = self._answers.get((question, node))
        if found is None:
            found = self._answers[question, node] = answer(node, self.conn.execute(sql, (node,)))
        return found

    def parents(self, node: str) -> set[str]:
        return self._ask("parents", _PARENTS, node,
                         lambda node, rows: {o for (o,) in rows if o and o != node and not o.startswith("_:")})

    def some(self, node: str) -> set[tuple[str, str]]:
        return self._ask("some", _SOME, node, lambda _, rows: {(p, o) for p, o in rows if o and not o.startswith("_:")})

    def children(self, node: str) -> set[str]:
        return self._ask("children", _CHILDREN, node,
                         lambda node, rows: {s for (s,) in rows if s != node and not s.startswith("_:")})

    def holders(self, filler: str) -> set[str]:
        return {s for (s,) in self.conn.execute(_HOLDERS, (filler,)) if not s.startswith("_:")}

    def is_node(self, node: str) -> bool:
        if node.startswith("_:"):
            return False
        if self.parents(node) or self.children(node):
            return True
        return self.conn.execute("SELECT 1 FROM statements WHERE subject = ? AND predicate = 'rdf:type' "
                                 "AND object = 'owl:Class' LIMIT 1", (node,)).fetchone() is not None


def _affected(conn: sqlite3.Connection, graph: LazyGraph, touched: set[str]) -> set[str]:
    """Every term whose closure rows can differ after `touched` changed (a superset is fine).

    Old closure: whatever had any entailed edge to a touched term, and the touched terms' old
    ancestors (one may have stopped being a node). New graph: the subclass descendants of the
    touched terms, the holders of restrictions whose filler is among them, and their descendants."""
    out = set(touched)
    for t in touched:
        out.update(s for (s,) in conn.execute("SELECT subject FROM entailed_edge WHERE object = ?", (t,)))
        out.update(o for (o,) in conn.execute("SELECT object FROM entailed_edge WHERE subject = ?", (t,)))
        out.update(graph.parents(t))
    below = _descendants(graph, touched)
    holders = set()
    for y in below:
        holders |= graph.holders(y)
    return out | below | _descendants(graph, holders)


def _descendants(graph: LazyGraph, start: set[str]) -> set[str]:
    seen, todo = set(start), list(start)
    while todo:
        for c in graph.children(todo.pop()):
            if c not in seen:
                seen.add(c)
                todo.append(c)
    return seen


# Subjects whose closure rows are computed, compared and written at a time: the rows of a whole
# closure held at once as Python tuples were most of a 10,000-page full sync's peak memory (issue 18).
CLOSURE_CHUNK = 1000


def _write_closure(conn: sqlite3.Connection, graph: Graph, subjects: set[str]) -> set[tuple[str, ...]]:
    """Recompute the rows of `subjects` and write the difference; returns the cycles found.

    In chunks of subjects, in order. With the full graph every stored row must be compared, those of
    subjects that are no nodes any more included, so each chunk reads the stored rows of the whole
    key range from the previous chunk's last subject (exclusive) to its own last (the final chunk:
    to the end)."""
    cycles: set[tuple[str, ...]] = set()
    ordered = sorted(subjects)
    full = isinstance(graph, FullGraph)
    for i in range(0, max(len(ordered), 1), CLOSURE_CHUNK):
        chunk = ordered[i:i + CLOSURE_CHUNK]
        wanted = _wanted_rows(graph, chunk, cycles)
        if full:
            low = ordered[i - 1] if i else None
            high = chunk[-1] if i + CLOSURE_CHUNK < len(ordered) else None
            have = _stored_range(conn, low, high)
        else:
            have = set()
            for c in chunk:
                have.update(conn.execute("SELECT subject, predicate, object FROM entailed_edge WHERE subject = ?",
                                         (c,)))
        conn.executemany("DELETE FROM entailed_edge WHERE subject = ? AND predicate = ? AND object = ?",
                         sorted(have - wanted))
        conn.executemany("INSERT INTO entailed_edge (subject, predicate, object) VALUES (?, ?, ?)",
                         sorted(wanted - have))
    return cycles


def _stored_range(conn: sqlite3.Connection, low: str | None, high: str | None) -> set[tuple[str, str, str]]:
    """Stored rows with low < subject <= high (None: unbounded), read through the key's index."""
    where = " AND ".join(cond for cond, bound in (("subject > ?", low), ("subject <= ?", high)) if bound is not None)
    args = [bound for bound in (low, high) if bound is not None]
    sql = "SELECT subject, predicate, object FROM entailed_edge" + (f" WHERE {where}" if where else "")
    return set(conn.execute(sql, args))


def _wanted_rows(graph: Graph, subjects: list[str], cycles: set[tuple[str, ...]]) -> set[tuple[str, str, str]]:
    """The closure rows of `subjects` (a cycle through one of them is added to `cycles`)."""
    wanted: set[tuple[str, str, str]] = set()
    for c in subjects:
        if not graph.is_node(c):
            continue
        ancs = graph.ancestors(c)
        wanted.update((c, SUBCLASS, a) for a in ancs)
        for x in ancs:
            for prop, filler in graph.some(x):
                wanted.update((c, prop, d) for d in graph.ancestors(filler))
        if any(c in graph.ancestors(p) for p in graph.parents(c)):
            cycles.add(tuple(sorted(x for x in ancs if c in graph.ancestors(x))))
    return wanted


def _obo_prefix(wanted: dict[str, str], prefix: str) -> None:
    """`prefix`'s OBO base into `wanted`, in place of another name the namespace table gives that
    base (`go: http://purl.obolibrary.org/obo/GO_` in `.ontosync.yml`). Why: the CURIEs are
    `GO:0001` (the OBO convention names an OBO PURL's IRIs), and the table listed the base twice,
    `GO` and `go`: OAK's `prefixes` showed both, and a CURIE converter refuses a base named twice."""
    base = CurieMap.obo_base(prefix)
    for alias in [name for name, held in wanted.items() if held == base]:
        del wanted[alias]
    wanted[prefix] = base


def _refresh_prefixes(conn: sqlite3.Connection, curies: CurieMap, written: set[str] | None,
                      mappings_changed: bool = True) -> None:
    """`prefix`: every prefix of the namespace table, plus each OBO prefix `statements` uses, plus
    those of the CURIEs mappings hold as text that semantic-sql's table knows (store/xref_prefixes.py).

    Candidates: the OBO prefixes already listed and those of the rows this run wrote (`written`,
    noted by the layer as it wrote them; all rows when None: a run that stopped early left rows this
    process did not see); each is kept while an index seek finds a row using it.
    """
    wanted = dict(curies.bases)
    have = dict(conn.execute("SELECT prefix, base FROM prefix"))
    candidates = {p for p in have if p not in wanted}
    if written is not None:
        candidates |= written
    else:
        candidates.update(r[0] for r in conn.execute(
            "SELECT DISTINCT substr(x, 1, instr(x, ':') - 1) FROM (SELECT subject AS x FROM statements "
            "UNION SELECT object FROM statements UNION SELECT predicate FROM statements) WHERE instr(x, ':') > 1"))
    for p in sorted(candidates):
        if p in wanted or p in URI_SCHEMES or not (p.isalnum() and p[0].isalpha()):
            continue
        lo, hi = f"{p}:", f"{p};"
        if any(conn.execute(f"SELECT 1 FROM statements WHERE {col} >= ? AND {col} < ? LIMIT 1", (lo, hi)).fetchone()
               for col in ("subject", "object", "predicate")):
            _obo_prefix(wanted, p)
    xref_prefixes.add_used(conn, wanted, scan=mappings_changed)
    if have != wanted:
        conn.execute("DELETE FROM prefix")
        conn.executemany("INSERT INTO prefix (prefix, base) VALUES (?, ?)", sorted(wanted.items()))
