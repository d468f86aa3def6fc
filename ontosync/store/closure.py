"""The end of a run: `entailed_edge`, `prefix` and the search index, in one transaction.

`entailed_edge` is what OAK's `ancestors`/`descendants` read: the reflexive-transitive
`rdfs:subClassOf` closure over named classes, plus existential edges propagated over it
(C <= X, X subClassOf (P some Y), Y <= D gives C P D), as relation-graph builds it for semantic-sql
(property chains and transitive properties are not expanded). It is computed in Python from the
asserted edges (a few milliseconds for thousands of classes) and written as a delta against what
is stored, so a one-page change writes a handful of rows. A subclass cycle is found by Tarjan's
algorithm and reported as a warning naming its classes; the closure itself never loops.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

from ontosync.parsing.curies import OBO_BASE, CurieMap
from ontosync.store.search import refresh_search

SUBCLASS = "rdfs:subClassOf"
URI_SCHEMES = frozenset(("http", "https", "urn", "mailto", "file", "ftp", "tag", "data", "doi"))


def refresh(conn: sqlite3.Connection, curies: CurieMap, touched: set[str]) -> list[str]:
    """Bring the run-level tables up to date (caller holds the transaction); returns warnings.

    `touched`: the subjects whose rows changed in this run; empty after a run that stopped before
    its end (this process saw no change), and then every class's search row is rebuilt."""
    parents, some = _asserted(conn)
    classes = {r[0] for r in conn.execute("SELECT id FROM class_node")} | set(parents)
    for ps in parents.values():
        classes |= ps
    classes = {x for x in classes if not x.startswith("_:")}
    warnings = [f"subclass cycle: {' <-> '.join(sorted(cycle))}" for cycle in _cycles(parents)]
    ancestors = _ancestors(classes, parents)
    wanted = {(c, SUBCLASS, a) for c, ancs in ancestors.items() for a in ancs}
    for c, ancs in ancestors.items():
        for x in ancs:
            for prop, filler in some.get(x, ()):
                for d in ancestors.get(filler, (filler,)):
                    wanted.add((c, prop, d))
    have = set(conn.execute("SELECT subject, predicate, object FROM entailed_edge"))
    conn.executemany("DELETE FROM entailed_edge WHERE subject = ? AND predicate = ? AND object = ?",
                     sorted(have - wanted))
    conn.executemany("INSERT INTO entailed_edge (subject, predicate, object) VALUES (?, ?, ?)",
                     sorted(wanted - have))
    _refresh_prefixes(conn, curies)
    if not touched:
        touched = {r[0] for r in conn.execute("SELECT curie FROM class_search")} | classes
    refresh_search(conn, touched)
    return warnings


def _asserted(conn: sqlite3.Connection) -> tuple[dict[str, set[str]], dict[str, set[tuple[str, str]]]]:
    parents: dict[str, set[str]] = defaultdict(set)
    for s, o in conn.execute("SELECT subject, object FROM statements WHERE predicate = 'rdfs:subClassOf' "
                             "AND object IS NOT NULL AND substr(object, 1, 2) <> '_:' "
                             "AND substr(subject, 1, 2) <> '_:'"):
        if s != o:
            parents[s].add(o)
    some: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for s, p, o in conn.execute("SELECT subject, predicate, object FROM owl_subclass_of_some_values_from"):
        if not s.startswith("_:") and o and not o.startswith("_:"):
            some[s].add((p, o))
    return parents, some


def _ancestors(classes: set[str], parents: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    """Each class's reflexive-transitive ancestors, memoised over a DAG of strongly connected parts."""
    out: dict[str, frozenset[str]] = {}
    for start in sorted(classes):
        if start in out:
            continue
        seen, stack = {start}, [start]
        while stack:
            node = stack.pop()
            for p in parents.get(node, ()):
                if p not in seen:
                    known = out.get(p)
                    if known is not None:
                        seen |= known
                    else:
                        seen.add(p)
                        stack.append(p)
        out[start] = frozenset(seen)
    return out


def _cycles(parents: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one class (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(parents):
        if root in index:
            continue
        work = [(root, iter(sorted(parents.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(parents.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                part = []
                while True:
                    x = stack.pop()
                    on_stack.discard(x)
                    part.append(x)
                    if x == node:
                        break
                if len(part) > 1:
                    found.append(sorted(part))
    return sorted(found)


def _refresh_prefixes(conn: sqlite3.Connection, curies: CurieMap) -> None:
    """`prefix`: every prefix of the namespace table, plus each OBO prefix `statements` uses.

    Candidates are the rows already there and the prefixes of the rows in the `statements` index on
    subject (a distinct scan of the index); each is kept while some row still uses it.
    """
    wanted = dict(curies.bases)
    used = {r[0] for r in conn.execute(
        "SELECT DISTINCT substr(x, 1, instr(x, ':') - 1) FROM (SELECT DISTINCT subject AS x FROM statements "
        "UNION SELECT DISTINCT object FROM statements WHERE object IS NOT NULL "
        "UNION SELECT DISTINCT predicate FROM statements) WHERE instr(x, ':') > 1")}
    for p in used:
        if p not in wanted and p not in URI_SCHEMES and p.isalnum() and p[0].isalpha():
            wanted[p] = f"{OBO_BASE}{p}_"
    have = dict(conn.execute("SELECT prefix, base FROM prefix"))
    if have != wanted:
        conn.execute("DELETE FROM prefix")
        conn.executemany("INSERT INTO prefix (prefix, base) VALUES (?, ?)", sorted(wanted.items()))
