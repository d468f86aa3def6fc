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
from ontosync.parsing import ParseOptions, parse_file
from ontosync.parsing.rdf_vocab import OWL, RDF_TYPE, RDFS, XSD
from ontosync.store.semsql import ReadersLayer
from tests.postgres_server import connect, own_schema, schema_url

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
    """The layer's rows as a reader sees them: blank nodes named `_:b`, source file and graph aside."""
    conn = sqlite3.connect(db)
    try:
        blank = re.compile(r"^_:.*")
        rows = conn.execute("SELECT stanza, subject, predicate, object, value, datatype, language FROM statements")
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


# Round 6: the axioms whose RDF needs blank nodes, the header, annotated axioms. One ontology twice.
BLANK_OFN = f"""Prefix(:=<{EX}>)
Prefix(oio:=<http://www.geneontology.org/formats/oboInOwl#>)
Prefix(IAO:=<http://purl.obolibrary.org/obo/IAO_>)
Ontology(<http://example.org/x>
Declaration(Class(:A)) Declaration(Class(:B)) Declaration(Class(:C))
Declaration(Annotation(rdfs:comment "declared") Class(:D))
Declaration(ObjectProperty(:p)) Declaration(ObjectProperty(:q)) Declaration(ObjectProperty(:r))
Declaration(DataProperty(:d)) Declaration(NamedIndividual(:i)) Declaration(NamedIndividual(:j))
Declaration(NamedIndividual(:k))
SubClassOf(:A ObjectSomeValuesFrom(:p :B))
SubClassOf(:A ObjectAllValuesFrom(:q :C))
SubClassOf(:A ObjectMinCardinality(2 :p :B))
SubClassOf(:A ObjectMaxCardinality(3 :p))
SubClassOf(:B ObjectComplementOf(:C))
SubClassOf(:B ObjectOneOf(:i :j))
SubClassOf(:B ObjectHasValue(:p :i))
SubClassOf(:B ObjectHasSelf(:p))
SubClassOf(:C DataAllValuesFrom(:d DatatypeRestriction(xsd:integer xsd:minInclusive "1"^^xsd:integer)))
SubClassOf(:C DataHasValue(:d "5"^^xsd:integer))
SubClassOf(:C ObjectSomeValuesFrom(ObjectInverseOf(:p) :A))
SubClassOf(ObjectUnionOf(:A :B) :C)
SubClassOf(:A ObjectSomeValuesFrom(:p ObjectIntersectionOf(:B ObjectSomeValuesFrom(:q :C))))
EquivalentClasses(:D ObjectIntersectionOf(:A :B))
EquivalentClasses(:C ObjectUnionOf(:A :B))
DisjointUnion(:A :B :C)
HasKey(:A (:p) (:d))
DisjointClasses(:A :B :C)
DifferentIndividuals(:i :j :k)
SameIndividual(:i :j :k)
DisjointObjectProperties(:p :q :r)
SubObjectPropertyOf(ObjectPropertyChain(:p :q) :r)
NegativeObjectPropertyAssertion(:p :i :j)
ClassAssertion(ObjectSomeValuesFrom(:p :B) :i)
ObjectPropertyAssertion(ObjectInverseOf(:p) :i :k)
SubClassOf(Annotation(rdfs:comment "why") :B :C)
SubClassOf(Annotation(rdfs:comment "annotated some") :C ObjectSomeValuesFrom(:p :B))
DisjointClasses(Annotation(rdfs:comment "three") :B :C :D)
AnnotationAssertion(Annotation(oio:source "src") rdfs:label :A "a")
AnnotationAssertion(Annotation(oio:hasDbXref "PMID:1") IAO:0000115 :A "a def")
AnnotationAssertion(Annotation(oio:hasDbXref "PMID:2") oio:hasExactSynonym :A "alpha")
AnnotationAssertion(Annotation(Annotation(rdfs:comment "deep") oio:source "s") rdfs:seeAlso :B "see")
ClassAssertion(:A _:anon)
ObjectPropertyDomain(:q :A)
ObjectPropertyDomain(:q :B)
ObjectPropertyRange(:q ObjectUnionOf(:C :D))
ObjectPropertyRange(:r :C)
DataPropertyRange(:d DataUnionOf(xsd:integer xsd:string))
ObjectPropertyDomain(ObjectInverseOf(:r) :B)
ObjectPropertyDomain(Annotation(rdfs:comment "dom") :p :A)
)
"""
BLANK_TTL = f"""@prefix : <{EX}> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix IAO: <http://purl.obolibrary.org/obo/IAO_> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
<http://example.org/x> a owl:Ontology .
:A a owl:Class . :B a owl:Class . :C a owl:Class . :D a owl:Class .
:p a owl:ObjectProperty . :q a owl:ObjectProperty . :r a owl:ObjectProperty . :d a owl:DatatypeProperty .
:i a owl:NamedIndividual . :j a owl:NamedIndividual . :k a owl:NamedIndividual .
:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :B ] ,
  [ a owl:Restriction ; owl:onProperty :q ; owl:allValuesFrom :C ] ,
  [ a owl:Restriction ; owl:onProperty :p ; owl:minQualifiedCardinality "2"^^xsd:nonNegativeInteger ; owl:onClass :B ] ,
  [ a owl:Restriction ; owl:onProperty :p ; owl:maxCardinality "3"^^xsd:nonNegativeInteger ] .
:B rdfs:subClassOf [ a owl:Class ; owl:complementOf :C ] , [ a owl:Class ; owl:oneOf ( :i :j ) ] ,
  [ a owl:Restriction ; owl:onProperty :p ; owl:hasValue :i ] ,
  [ a owl:Restriction ; owl:onProperty :p ; owl:hasSelf true ] .
:C rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :d ; owl:allValuesFrom
    [ a rdfs:Datatype ; owl:onDatatype xsd:integer ; owl:withRestrictions ( [ xsd:minInclusive 1 ] ) ] ] ,
  [ a owl:Restriction ; owl:onProperty :d ; owl:hasValue 5 ] ,
  [ a owl:Restriction ; owl:onProperty [ owl:inverseOf :p ] ; owl:someValuesFrom :A ] .
[ a owl:Class ; owl:unionOf ( :A :B ) ] rdfs:subClassOf :C .
:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom [ a owl:Class ; owl:intersectionOf
  ( :B [ a owl:Restriction ; owl:onProperty :q ; owl:someValuesFrom :C ] ) ] ] .
:D owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( :A :B ) ] .
:C owl:equivalentClass [ a owl:Class ; owl:unionOf ( :A :B ) ] .
:A owl:disjointUnionOf ( :B :C ) ; owl:hasKey ( :p :d ) .
[] a owl:AllDisjointClasses ; owl:members ( :A :B :C ) .
[] a owl:AllDifferent ; owl:members ( :i :j :k ) .
:i owl:sameAs :j . :j owl:sameAs :k .
[] a owl:AllDisjointProperties ; owl:members ( :p :q :r ) .
:r owl:propertyChainAxiom ( :p :q ) .
[] a owl:NegativePropertyAssertion ; owl:sourceIndividual :i ; owl:assertionProperty :p ; owl:targetIndividual :j .
:i a [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :B ] .
:k :p :i .
:B rdfs:subClassOf :C .
[] a owl:Axiom ; owl:annotatedSource :B ; owl:annotatedProperty rdfs:subClassOf ; owl:annotatedTarget :C ;
  rdfs:comment "why" .
:C rdfs:subClassOf _:r . _:r a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :B .
[] a owl:Axiom ; owl:annotatedSource :C ; owl:annotatedProperty rdfs:subClassOf ; owl:annotatedTarget _:r ;
  rdfs:comment "annotated some" .
[] a owl:AllDisjointClasses ; owl:members ( :B :C :D ) ; rdfs:comment "three" .
:A IAO:0000115 "a def" ; oio:hasExactSynonym "alpha" .
[] a owl:Axiom ; owl:annotatedSource :A ; owl:annotatedProperty IAO:0000115 ; owl:annotatedTarget "a def" ;
  oio:hasDbXref "PMID:1" .
[] a owl:Axiom ; owl:annotatedSource :A ; owl:annotatedProperty oio:hasExactSynonym ; owl:annotatedTarget "alpha" ;
  oio:hasDbXref "PMID:2" .
:B rdfs:seeAlso "see" .
_:ax a owl:Axiom ; owl:annotatedSource :B ; owl:annotatedProperty rdfs:seeAlso ; owl:annotatedTarget "see" ;
  oio:source "s" .
[] a owl:Annotation ; owl:annotatedSource _:ax ; owl:annotatedProperty oio:source ; owl:annotatedTarget "s" ;
  rdfs:comment "deep" .
[] a :A .
:A rdfs:label "a" .
[] a owl:Axiom ; owl:annotatedSource :A ; owl:annotatedProperty rdfs:label ; owl:annotatedTarget "a" ;
  oio:source "src" .
[] a owl:Axiom ; owl:annotatedSource :D ; owl:annotatedProperty rdf:type ; owl:annotatedTarget owl:Class ;
  rdfs:comment "declared" .
:q rdfs:domain :A , :B ; rdfs:range [ a owl:Class ; owl:unionOf ( :C :D ) ] .
:r rdfs:range :C .
:d rdfs:range [ a rdfs:Datatype ; owl:unionOf ( xsd:integer xsd:string ) ] .
[ owl:inverseOf :r ] rdfs:domain :B .
:p rdfs:domain :A .
[] a owl:Axiom ; owl:annotatedSource :p ; owl:annotatedProperty rdfs:domain ; owl:annotatedTarget :A ;
  rdfs:comment "dom" .
"""
# The edit: the universal restriction's filler, the union's operands, a key, a reified comment and a
# domain change.
BLANK_EDITS = (("ObjectAllValuesFrom(:q :C)", "ObjectAllValuesFrom(:q :D)", "allValuesFrom :C", "allValuesFrom :D"),
               ("EquivalentClasses(:C ObjectUnionOf(:A :B))", "EquivalentClasses(:C ObjectUnionOf(:A :D))",
                "unionOf ( :A :B ) ] .\n:A owl:disjointUnionOf", "unionOf ( :A :D ) ] .\n:A owl:disjointUnionOf"),
               ("HasKey(:A (:p) (:d))", "HasKey(:A (:q) ())", "owl:hasKey ( :p :d )", "owl:hasKey ( :q )"),
               ('"why"', '"because"', '"why"', '"because"'),
               ("ObjectPropertyDomain(:q :B)", "ObjectPropertyDomain(:q :D)", "domain :A , :B", "domain :A , :D"))


def _edited(text: str, column: int) -> str:
    for edit in BLANK_EDITS:
        assert edit[column] in text
        text = text.replace(edit[column], edit[column + 1])
    return text


STATEMENTS = "SELECT stanza, subject, predicate, object, value, datatype, language FROM statements"


def graph(db: Path) -> set[tuple]:
    """The `statements` rows of a SQLite database, as `shapes` gives them."""
    conn = sqlite3.connect(db)
    try:
        return shapes(conn.execute(STATEMENTS).fetchall())
    finally:
        conn.close()


def shapes(rows: list[tuple]) -> set[tuple]:
    """`statements` rows as a reader sees them, each blank node written as what it holds (its
    outgoing rows, recursively, lists included), so two files' rows compare whatever the node names;
    rows from a blank node another row points to are inside that row's object."""
    out: dict[str, list[tuple]] = {}
    for r in rows:
        out.setdefault(r[1], []).append(r)
    pointed = {r[3] for r in rows if (r[3] or "").startswith("_:")}

    def shape(term: str | None) -> str | None:
        if not (term or "").startswith("_:"):
            return term
        return "[" + "; ".join(sorted(f"{p} {shape(o) if o else (v, dt, lang)}"
                                      for _, _, p, o, v, dt, lang in out.get(term, ()))) + "]"

    return {(shape(st), shape(s), p, shape(o), v, dt, lang) for st, s, p, o, v, dt, lang in rows if s not in pointed}


_BLANK = re.compile(r"^_:.*")


def views(db: Path) -> dict[str, list[tuple]]:
    """Answers of the views OAK reads that the blank nodes feed."""
    conn = sqlite3.connect(db)
    try:
        return {name: sorted(tuple(_BLANK.sub("_:b", v) if isinstance(v, str) else v for v in row)
                             for row in conn.execute(sql)) for name, sql in (
            ("all", "SELECT s.subject, r.on_property, r.filler FROM owl_all_values_from r JOIN statements s "
                    "ON s.object = r.id AND s.predicate = 'rdfs:subClassOf'"),
            ("ontology", "SELECT id FROM ontology_node"),
            ("reified", "SELECT subject, predicate, object, annotation_predicate, annotation_value "
                        "FROM owl_axiom_annotation WHERE subject NOT LIKE '_:%'"),
            ("edge", "SELECT subject, predicate, object FROM edge"),
            ("domain", "SELECT subject, object FROM rdfs_domain_statement"),
        )}
    finally:
        conn.close()


@pytest.mark.parametrize("deferred", [True, False], ids=["first-run", "per-file"])
def test_ofn_blank_node_axioms_equal_turtles(tmp_path: Path, monkeypatch, deferred: bool) -> None:
    """An `.ofn` file's layer lacked the header's `rdf:type owl:Ontology` and every axiom whose RDF has
    blank nodes but the existential restriction on named terms: universal, cardinality, value and
    self restrictions, class and data expressions, `EquivalentClasses` with an expression,
    `DisjointUnion`, `HasKey`, n-ary disjointness and difference, property chains, negative
    assertions, the `owl:Axiom` / `owl:Annotation` of annotated axioms, declarations and labels too
    (OAK's `owl_all_values_from`, `ontology_node`, `owl_axiom_annotation` answered nothing), and a
    property's domains and ranges when it has several or one is an expression (its column holds their
    intersection or the expression's text), and an annotated one's reification. Its rows now equal
    the same ontology's in Turtle, on a first run, per file, and after an edit of both (which equals
    a fresh sync of the edited file)."""
    monkeypatch.setattr(ReadersLayer, "defer_first_run", deferred)
    ofn_tree, ttl_tree = write(tmp_path / "ofn", "x.ofn", BLANK_OFN), write(tmp_path / "ttl", "x.ttl", BLANK_TTL)
    ofn_db, ttl_db = tmp_path / "ofn.db", tmp_path / "ttl.db"
    sync(ofn_tree, ofn_db)
    sync(ttl_tree, ttl_db)
    assert graph(ofn_db) == graph(ttl_db)
    got = views(ofn_db)
    assert got == views(ttl_db)
    assert got["all"] == [(_c("A"), _c("q"), _c("C")), (_c("C"), _c("d"), "_:b")]
    assert got["ontology"] == [("http://example.org/x",)]
    assert (_c("B"), "rdfs:subClassOf", _c("C"), "rdfs:comment", "why") in got["reified"]
    assert (_c("A"), "IAO:0000115", None, "oio:hasDbXref", "PMID:1") in got["reified"]
    assert got["domain"] == [("_:b", _c("B")), (_c("p"), _c("A")), (_c("q"), _c("A")), (_c("q"), _c("B"))]
    if not deferred:
        return
    write(ofn_tree, "x.ofn", _edited(BLANK_OFN, 0))
    write(ttl_tree, "x.ttl", _edited(BLANK_TTL, 2))
    sync(ofn_tree, ofn_db)
    sync(ttl_tree, ttl_db)
    edited = graph(ofn_db)
    assert edited == graph(ttl_db)
    assert views(ofn_db)["all"] == [(_c("A"), _c("q"), _c("D")), (_c("C"), _c("d"), "_:b")]
    fresh = tmp_path / "fresh.db"
    sync(ofn_tree, fresh)
    assert graph(fresh) == edited


@pytest.fixture
def pg_schema():
    yield from own_schema()


def test_ofn_blank_node_axioms_on_postgresql(tmp_path: Path, pg_schema: str) -> None:
    """PostgreSQL (the per-file path, its dialect's JSON) writes the same rows, and after an edit."""
    ofn_tree, ttl_tree = write(tmp_path / "ofn", "x.ofn", BLANK_OFN), write(tmp_path / "ttl", "x.ttl", BLANK_TTL)
    url = schema_url(pg_schema)
    for text in (BLANK_OFN, _edited(BLANK_OFN, 0)):
        write(ofn_tree, "x.ofn", text)
        assert main(["sync", str(ofn_tree), "--db", url, "--quiet", "--workers", "1"]) == 0
    write(ttl_tree, "x.ttl", _edited(BLANK_TTL, 2))
    sync(ttl_tree, tmp_path / "ttl.db")
    conn = connect(url)
    try:
        cur = conn.cursor()
        cur.execute(f'SET search_path TO "{pg_schema}"')
        cur.execute(STATEMENTS)
        rows = cur.fetchall()
    finally:
        conn.close()
    assert shapes(rows) == graph(tmp_path / "ttl.db")


@pytest.mark.parametrize("axiom", [
    "ObjectPropertyAssertion(ObjectInverseOf() :i :j)", "Declaration(Annotation(rdfs:comment \"x\") Class())",
    "SubClassOf(:A ObjectMinCardinality(:p))", "SubClassOf(:A DatatypeRestriction(xsd:integer xsd:minInclusive))",
    "SubClassOf(:A DataHasValue(:d 5))", "SubClassOf(Annotation(rdfs:comment) :A ObjectUnionOf(:B))",
    "AnnotationAssertion(Annotation(rdfs:comment \"x\") rdfs:label :A ObjectUnionOf(:B))",
    "ObjectPropertyDomain(:p ObjectComplementOf())"])
def test_an_axiom_with_no_rdf_maps_to_no_rows_and_the_file_reads_on(axiom: str) -> None:
    """A construct without its arguments or a value where OWL 2's mapping has none (a bare number, an
    expression as an annotation's value) is read as written, with no rows (no reification pointing
    at a node without its triples) and no exception: `ObjectInverseOf()` in a property assertion
    raised IndexError out of the parser. The next axiom keeps its rows."""
    text = HEAD.replace("Ontology(", f"Prefix(xsd:=<{XSD}>)\nOntology(") + axiom + \
        "\nSubClassOf(:A ObjectAllValuesFrom(:p :B))\n)\n"
    facts = parse_file("x.ofn", text.encode(), ParseOptions())
    graphs = [a.annotations.get("rdf_graph") for a in facts.axioms if a.annotations]
    assert [g for g in graphs if g] == [graphs[-1]]
    assert [r[2] for r in graphs[-1]] == [RDF_TYPE, OWL + "onProperty", OWL + "allValuesFrom", RDFS + "subClassOf"]
    assert facts.saved_rows == [["http://example.org/x", "http://example.org/x", RDF_TYPE, OWL + "Ontology",
                                 None, None, None]]


def test_an_import_of_anything_but_one_iri_is_named_not_stored() -> None:
    """`Import("x")`, `Import(42)` or `Import(ObjectUnionOf(:A :B))` became an `Import` row and an
    `owl:imports` row to `x`, to `` or to `bjectUnionOf(<...` (its text, first and last character
    cut), and `Import(<o> <p>)` dropped `<p>` without a word. Each is now one warning with its line
    and no row; a good import beside them is kept."""
    bad = ['Import("x")', "Import(42)", "Import(ObjectUnionOf(:A :B))", "Import(<http://e.org/o> <http://e.org/p>)"]
    text = HEAD + "\n".join(bad) + "\nImport(<http://e.org/good>)\n)\n"
    facts = parse_file("x.ofn", text.encode(), ParseOptions())
    assert [(a.axiom_type, a.subject, a.object) for a in facts.axioms] == [
        ("Import", "http://example.org/x", "http://e.org/good")]
    assert [(w.line, w.message) for w in facts.warnings] == [
        (line, "Import: expected Import(<IRI>)") for line in range(4, 8)]


@pytest.mark.parametrize("bad", ["<http://e.org/a|b>", "<http://e.org/a b>", "<http://e.org/{x}>"])
def test_an_iri_with_a_forbidden_character_costs_its_axiom_not_the_line(bad: str) -> None:
    """An `<IRI>` with a space, `|` or `{` (none is allowed in an IRI) was read as junk up to the end of
    its line: the next axiom on that line was lost without a word of its own, and the `)` it took
    along made a spurious `Ontology( is not closed`. The bad IRI is now one warning for its axiom."""
    text = HEAD + f"Declaration(Class({bad})) Declaration(Class(:B))\nDeclaration(Class(:C))\n)\n"
    facts = parse_file("x.ofn", text.encode(), ParseOptions())
    assert [c.iri for c in facts.classes] == [_c("B"), _c("C")]
    assert [(w.line, w.message) for w in facts.warnings] == [(4, f"Declaration: unexpected {bad!r}")]


REPEATED_BOUNDS_OFN = HEAD + """Declaration(ObjectProperty(:p))
Declaration(ObjectProperty(:q))
Declaration(Class(:A))
ObjectPropertyDomain(Annotation(rdfs:comment "a") :p :A)
ObjectPropertyDomain(Annotation(rdfs:comment "b") :p :A)
ObjectPropertyRange(Annotation(rdfs:comment "c") :q :A)
ObjectPropertyRange(:q :A)
ObjectPropertyRange(:q :A)
)
"""
REPEATED_BOUNDS_TTL = f"""@prefix : <{EX}> .
@prefix owl: <{OWL}> .
@prefix rdfs: <{RDFS}> .
<http://example.org/x> a owl:Ontology .
:p a owl:ObjectProperty ; rdfs:domain :A .
:q a owl:ObjectProperty ; rdfs:range :A .
:A a owl:Class .
[] a owl:Axiom ; owl:annotatedSource :p ; owl:annotatedProperty rdfs:domain ; owl:annotatedTarget :A ;
  rdfs:comment "a" .
[] a owl:Axiom ; owl:annotatedSource :p ; owl:annotatedProperty rdfs:domain ; owl:annotatedTarget :A ;
  rdfs:comment "b" .
[] a owl:Axiom ; owl:annotatedSource :q ; owl:annotatedProperty rdfs:range ; owl:annotatedTarget :A ;
  rdfs:comment "c" .
"""


def test_each_axiom_of_one_domain_keeps_its_annotations(tmp_path: Path) -> None:
    """Two axioms giving a property the same domain (range) were kept by their value, the later
    replacing the earlier: two annotated ones kept the second's `owl:Axiom` only, and a plain one
    after an annotated one dropped its annotation. Each axiom's rows stay, as Turtle's."""
    ofn_db, ttl_db = tmp_path / "ofn.db", tmp_path / "ttl.db"
    sync(write(tmp_path / "ofn", "x.ofn", REPEATED_BOUNDS_OFN), ofn_db)
    sync(write(tmp_path / "ttl", "x.ttl", REPEATED_BOUNDS_TTL), ttl_db)
    got = graph(ofn_db)
    assert got == graph(ttl_db)
    comments = sorted(r[4] for r in got if r[2] == "rdfs:comment")
    assert comments == ["a", "b", "c"]
