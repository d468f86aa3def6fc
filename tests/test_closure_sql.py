"""A whole `entailed_edge` recomputed in SQL (store/closure_sql.py) equals the Python closure.

The Python closure (store/closure.py's FullGraph) is the reference: both run on the same synced
database, each into an emptied `entailed_edge` inside a transaction that is rolled back, and their
rows and cycles must be equal: on the example, on a tree with a cycle, fillers that are no class and
blank nodes, and (when the shared corpora are there) on the Logseq corpus and PATO.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from ontosync.store import closure, closure_sql
from tests.conftest import copy_db
from tests.helpers import EXAMPLE, ONTOLOGIES, cli

TRICKY = """@prefix : <http://example.org/t#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
:A a owl:Class ; rdfs:subClassOf :B .
:B a owl:Class ; rdfs:subClassOf :C .
:C a owl:Class ; rdfs:subClassOf :A , :Top .
:Top a owl:Class .
:Self a owl:Class ; rdfs:subClassOf :Self .
:D a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :NotAClass ] .
:E rdfs:subClassOf :D , [ a owl:Restriction ; owl:onProperty :q ; owl:someValuesFrom :A ] .
:F a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ;
    owl:someValuesFrom [ a owl:Class ; owl:unionOf ( :A :Top ) ] ] .
"""


def both(db: Path) -> tuple[tuple, tuple]:
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("DELETE FROM entailed_edge")
        full = closure.FullGraph(conn)
        py_cycles = closure._write_closure(conn, full, full.nodes)
        py = (sorted(conn.execute("SELECT subject, predicate, object FROM entailed_edge")), py_cycles, full.nodes)
        conn.execute("DELETE FROM entailed_edge")
        sql_cycles, sql_nodes = closure_sql.write_full(conn)
        sql = (sorted(conn.execute("SELECT subject, predicate, object FROM entailed_edge")), sql_cycles, sql_nodes)
        conn.execute("ROLLBACK")
        return py, sql
    finally:
        conn.close()


def synced(tree: Path, tmp_path: Path) -> Path:
    db = tmp_path / "ontology.db"
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode in (0, 1)
    return db


def test_example_and_a_tree_with_cycles_and_non_class_fillers(tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(EXAMPLE, tree)
    (tree / "tricky.ttl").write_text(TRICKY)
    py, sql = both(synced(tree, tmp_path))
    assert py == sql
    rows, cycles, _ = sql
    t = "http://example.org/t#"
    assert any(len(c) == 3 for c in cycles), cycles  # A <= B <= C <= A, named whole
    assert any(r[2] == f"{t}NotAClass" for r in rows)  # a filler that is no class stands for itself
    assert len(rows) > 20


@pytest.mark.corpus
def test_the_corpus(tmp_path, corpus_db):
    py, sql = both(copy_db(corpus_db, tmp_path / "corpus.db"))  # the run's shared sync, copied
    assert py[0] and py == sql


@pytest.mark.corpus
def test_bfo_ro_and_pato(tmp_path, fresh_sync):
    if not ONTOLOGIES.is_dir():
        pytest.skip("the shared corpora are missing")
    py, sql = both(copy_db(fresh_sync(ONTOLOGIES), tmp_path / "ontologies.db"))  # shared with test_sync
    assert py[0] and py == sql
