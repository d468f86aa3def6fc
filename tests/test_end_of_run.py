"""The end of a first run, made cheaper (PATO, fifth round), leaves the rows it left before.

- `None` parameters bound through store/null_binding.py are stored as NULL, and the sqlite3 module's
  adapter table is left as it was found (a user's own adapter for `NoneType` stays and is used).
- The ancestors computed in rounds (store/closure_sql.py) equal the Python closure on a deep chain
  with diamonds and on a cycle, and a hierarchy without a cycle reports none.
- `class_search` built for a database whose statements come from one file (the file bound once,
  store/search.py) equals the rows the per-class query gives each class, and a database with two
  files takes the general query.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ontosync.store import search
from ontosync.store.null_binding import fast_nulls
from tests.test_closure_sql import both, synced

HEAD = """@prefix : <http://example.org/d#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .
"""


def folder(path: Path) -> Path:
    path.mkdir()
    return path


def chain_with_diamonds(length: int, cycle: bool) -> str:
    """C0 <= C1 <= ... <= C{length-1}; every fifth Ck also <= Dk <= C{k+2} (a diamond); an
    existential on the middle class; and, when asked, the top leads back to C{length-2}."""
    lines = [HEAD]
    for k in range(length):
        parents = [f":C{k + 1}"] if k + 1 < length else []
        if k % 5 == 0 and k + 2 < length:
            parents.append(f":D{k}")
            lines.append(f":D{k} a owl:Class ; rdfs:subClassOf :C{k + 2} .")
        body = f":C{k} a owl:Class ; rdfs:label \"class {k}\""
        if parents:
            body += " ; rdfs:subClassOf " + " , ".join(parents)
        lines.append(body + " .")
    mid = length // 2
    lines.append(f":C{mid} rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :C1 ] .")
    if cycle:
        lines.append(f":C{length - 1} rdfs:subClassOf :C{length - 2} .")
    return "\n".join(lines) + "\n"


def test_ancestors_in_rounds_equal_the_python_closure_on_a_deep_chain(tmp_path):
    for cycle in (False, True):
        tree = tmp_path / f"tree{int(cycle)}"
        tree.mkdir()
        (tree / "deep.ttl").write_text(chain_with_diamonds(60, cycle))
        py, sql = both(synced(tree, folder(tmp_path / f"db{int(cycle)}")))
        assert py == sql
        rows, cycles, _ = sql
        d = "http://example.org/d#"
        sub = {(s, o) for s, p, o in rows if p == "rdfs:subClassOf"}
        assert (f"{d}C0", f"{d}C59") in sub  # the whole chain
        assert (f"{d}C5", f"{d}D5") in sub and (f"{d}D5", f"{d}C59") in sub  # and the diamonds
        if cycle:
            assert cycles == {(f"{d}C58", f"{d}C59")}
        else:
            assert cycles == set()
            assert (f"{d}C59", f"{d}C58") not in sub


def test_none_is_bound_as_null_and_the_adapters_are_left_as_found():
    key = (type(None), sqlite3.PrepareProtocol)
    assert key not in sqlite3.adapters
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a, b)")
    with fast_nulls():
        conn.executemany("INSERT INTO t VALUES (?, ?)", [("x", None), (None, "y")])
    assert key not in sqlite3.adapters
    assert conn.execute("SELECT typeof(a), typeof(b) FROM t ORDER BY rowid").fetchall() == [
        ("text", "null"), ("null", "text")]
    sqlite3.register_adapter(type(None), lambda _none: "mine")  # a user's own: kept, and used
    try:
        with fast_nulls():
            conn.execute("INSERT INTO t VALUES (?, 'z')", (None,))
        assert sqlite3.adapters[key](None) == "mine"
    finally:
        del sqlite3.adapters[key]
    assert conn.execute("SELECT a FROM t WHERE b = 'z'").fetchone() == ("mine",)


def class_rows(db: Path) -> tuple[list[tuple], list[tuple]]:
    """(the table's rows, each class's row from the per-class query) in curie order."""
    conn = sqlite3.connect(db)
    try:
        table = conn.execute("SELECT curie, label, synonyms, definition, source_file FROM class_search "
                             "ORDER BY curie").fetchall()
        each = [(curie, *conn.execute(search._ROW, {"c": curie}).fetchone()) for (curie,) in
                conn.execute("SELECT DISTINCT subject FROM statements WHERE predicate = 'rdf:type' "
                             "AND object = 'owl:Class' AND substr(subject, 1, 2) <> '_:' ORDER BY 1")]
        return table, each
    finally:
        conn.close()


SYNONYMS = HEAD + """:A a owl:Class ; rdfs:label "a" ; oio:hasExactSynonym "alpha", "aa" ;
    oio:hasRelatedSynonym "first" .
:B a owl:Class ; rdfs:subClassOf :A .
"""


def test_search_rows_of_a_single_file_database_equal_the_per_class_rows(tmp_path):
    tree = tmp_path / "one"
    tree.mkdir()
    (tree / "a.ttl").write_text(SYNONYMS)
    db = synced(tree, folder(tmp_path / "one-db"))
    table, each = class_rows(db)
    assert table == each and len(table) == 2
    assert table[0][2] == "aa | alpha | first"  # by predicate, then value (not the order rows were saved in)
    conn = sqlite3.connect(db)
    assert search.all_rows_query(conn)[1] == {"file": "a.ttl"}  # one file: bound once
    conn.close()
    # a second file declaring a class the first labels: the general query chooses the source
    (tree / "b.ttl").write_text(HEAD + ":A a owl:Class .\n:Z a owl:Class .\n")
    db = synced(tree, folder(tmp_path / "two-db"))
    table, each = class_rows(db)
    assert table == each and {r[0]: r[4] for r in table} == {
        "http://example.org/d#A": "a.ttl", "http://example.org/d#B": "a.ttl", "http://example.org/d#Z": "b.ttl"}
    conn = sqlite3.connect(db)
    assert search.all_rows_query(conn)[1] == {}
    conn.close()
    with sqlite3.connect(db) as conn:  # both queries seek `statements`, never scan it (EXPLAIN runs nothing)
        for sql, args in ((search._ALL, {}), (search._INSERT + search._ALL_ROWS_ONE_SOURCE, {"file": "a.ttl"})):
            plan = [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args)]
            assert [p for p in plan if "statements_spo" in p]
            assert not [p for p in plan if p.startswith("SCAN statements")], plan
