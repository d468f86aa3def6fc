"""An OWL functional-syntax file and the same ontology in Turtle give the same readers' layer for an
existential restriction (`SubClassOf(:A ObjectSomeValuesFrom(:p :C))`) and a deprecation
(`AnnotationAssertion(owl:deprecated ...)`): the `statements` rows (blank nodes aside), so the views
OAK reads (`owl_subclass_of_some_values_from`, `deprecated_node`) and `entailed_edge`; on a first
(deferred) run, on the per-file path, and after an incremental edit."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from ontosync.cli import main
from ontosync.store.semsql import ReadersLayer

EX = "http://example.org/x#"
HEAD = f"Prefix(:=<{EX}>)\nPrefix(owl:=<http://www.w3.org/2002/07/owl#>)\nOntology(<http://example.org/x>\n"
OFN = HEAD + """Declaration(Class(:A))
Declaration(Class(:B))
Declaration(Class(:C))
Declaration(ObjectProperty(:p))
AnnotationAssertion(rdfs:label :A "a")
SubClassOf(:A :B)
SubClassOf(:B ObjectSomeValuesFrom(:p :C))
AnnotationAssertion(owl:deprecated :C "true"^^xsd:boolean)
)
"""
TTL = f"""@prefix : <{EX}> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/x> a owl:Ontology .
:A a owl:Class ; rdfs:label "a" ; rdfs:subClassOf :B .
:B a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :C ] .
:C a owl:Class ; owl:deprecated "true"^^xsd:boolean .
:p a owl:ObjectProperty .
"""
# The edit: B's filler becomes A, C is no longer deprecated, A is.
OFN_EDITED = OFN.replace("ObjectSomeValuesFrom(:p :C)", "ObjectSomeValuesFrom(:p :A)").replace(
    "owl:deprecated :C", "owl:deprecated :A")
TTL_EDITED = TTL.replace("owl:someValuesFrom :C", "owl:someValuesFrom :A").replace(
    ':C a owl:Class ; owl:deprecated "true"^^xsd:boolean .', ':C a owl:Class .').replace(
    ':A a owl:Class ;', ':A a owl:Class ; owl:deprecated true ;')


def sync(src: Path, db: Path) -> None:
    assert main(["sync", str(src), "--db", str(db), "--quiet", "--workers", "1"]) == 0


def write(tree: Path, name: str, text: str) -> Path:
    tree.mkdir(exist_ok=True)
    (tree / name).write_text(text, encoding="utf-8")
    return tree


def readers(db: Path) -> dict[str, list[tuple]]:
    """The layer's rows as a reader sees them: blank nodes named `_:b`, the ontology's own header
    row (which only Turtle writes as a triple) left out, source file and graph aside."""
    conn = sqlite3.connect(db)
    try:
        blank = re.compile(r"^_:.*")
        rows = conn.execute("SELECT stanza, subject, predicate, object, value, datatype, language FROM statements "
                            "WHERE subject <> '<http://example.org/x>' AND subject NOT LIKE 'http://example.org/x'")
        return {
            "statements": sorted({tuple(blank.sub("_:b", v) if isinstance(v, str) else v for v in r) for r in rows},
                                 key=repr),
            "some": sorted(conn.execute("SELECT subject, predicate, object FROM owl_subclass_of_some_values_from")),
            "entailed": sorted(conn.execute("SELECT subject, predicate, object FROM entailed_edge")),
            "deprecated": sorted(conn.execute("SELECT id FROM deprecated_node")),
        }
    finally:
        conn.close()


@pytest.mark.parametrize("deferred", [True, False], ids=["first-run", "per-file"])
def test_ofn_layer_equals_turtle_fresh_and_after_an_edit(tmp_path: Path, monkeypatch, deferred: bool) -> None:
    monkeypatch.setattr(ReadersLayer, "defer_first_run", deferred)
    ofn_tree, ttl_tree = write(tmp_path / "ofn", "x.ofn", OFN), write(tmp_path / "ttl", "x.ttl", TTL)
    ofn_db, ttl_db = tmp_path / "ofn.db", tmp_path / "ttl.db"
    sync(ofn_tree, ofn_db)
    sync(ttl_tree, ttl_db)
    got, want = readers(ofn_db), readers(ttl_db)
    assert got == want
    # real answers through the views, as OAK asks them
    assert got["some"] == [(_c("B"), _c("p"), _c("C"))]
    assert (_c("A"), _c("p"), _c("C")) in got["entailed"]  # the existential edge inherited over A < B
    assert got["deprecated"] == [(_c("C"),)]

    write(ofn_tree, "x.ofn", OFN_EDITED)
    write(ttl_tree, "x.ttl", TTL_EDITED)
    sync(ofn_tree, ofn_db)
    sync(ttl_tree, ttl_db)
    edited = readers(ofn_db)
    assert edited == readers(ttl_db)
    assert edited["some"] == [(_c("B"), _c("p"), _c("A"))]
    assert (_c("A"), _c("p"), _c("C")) not in edited["entailed"]
    assert edited["deprecated"] == [(_c("A"),)]
    fresh = tmp_path / "fresh.db"
    sync(ofn_tree, fresh)
    assert readers(fresh) == edited


def _c(local: str) -> str:
    """The layer's name of a term of the example namespace (no prefix is bound to it: its IRI)."""
    return EX + local


def test_ofn_restriction_in_a_logseq_fence(tmp_path: Path) -> None:
    """A page's ```owl fence gives the restriction and the deprecation too."""
    page = ("- ### OntologyBlock\n\t- owl:class:: ex:B\n\t- ```owl\n"
            f"\t  Prefix(ex:=<{EX}>)\n\t  SubClassOf(ex:B ObjectSomeValuesFrom(ex:p ex:C))\n"
            "\t  AnnotationAssertion(owl:deprecated ex:B \"true\"^^xsd:boolean)\n\t  ```\n")
    tree = tmp_path / "g"
    (tree / "pages").mkdir(parents=True)
    (tree / "pages" / "B.md").write_text(page, encoding="utf-8")
    db = tmp_path / "g.db"
    sync(tree, db)
    conn = sqlite3.connect(db)
    try:
        some = conn.execute("SELECT subject, predicate, object FROM owl_subclass_of_some_values_from").fetchall()
        dep = conn.execute("SELECT id FROM deprecated_node").fetchall()
    finally:
        conn.close()
    assert len(some) == 1 and some[0][0].endswith("B") and some[0][2].endswith("C")
    assert len(dep) == 1 and dep[0][0].endswith("B")
