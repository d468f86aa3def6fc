"""RDF and functional syntax, fifth round: the readers' layer (`statements`) of a functional-syntax
file holds what the same ontology in Turtle holds for the axioms a user's query reads (annotations,
comments and definitions, individuals, property characteristics and hierarchy), and the corners of
RDF files the earlier rounds left. rdflib's reading of the Turtle is the independent reference.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import rdflib

from ontosync.cli import main
from ontosync.parsing import ParseOptions, parse_file
from ontosync.store.semsql import ReadersLayer

EX = "http://example.org/t#"
PREFIXES = {"rdfs": str(rdflib.RDFS), "owl": str(rdflib.OWL), "xsd": str(rdflib.XSD), "rdf": str(rdflib.RDF),
            "IAO": "http://purl.obolibrary.org/obo/IAO_", "oio": "http://www.geneontology.org/formats/oboInOwl#"}

# One ontology twice. Every axiom here is one triple between named things in OWL 2's mapping to RDF.
GAP_OFN = """\
Prefix(:=<http://example.org/t#>)
Prefix(IAO:=<http://purl.obolibrary.org/obo/IAO_>)
Prefix(oio:=<http://www.geneontology.org/formats/oboInOwl#>)
Ontology(<http://example.org/t>
Annotation(rdfs:comment "the test ontology"@en)
Annotation(rdfs:seeAlso <http://example.org/about>)
Declaration(Class(:A)) Declaration(Class(:B)) Declaration(Class(:C)) Declaration(Class(:D))
Declaration(ObjectProperty(:p)) Declaration(ObjectProperty(:q)) Declaration(DataProperty(:d))
Declaration(DataProperty(:e)) Declaration(AnnotationProperty(:note)) Declaration(AnnotationProperty(:n2))
Declaration(NamedIndividual(:i)) Declaration(NamedIndividual(:j)) Declaration(Datatype(:dt))
AnnotationAssertion(rdfs:label :A "Alpha"@en)
AnnotationAssertion(rdfs:comment :A "A comment")
AnnotationAssertion(IAO:0000115 :A "A definition")
AnnotationAssertion(oio:hasExactSynonym :A "Alef")
AnnotationAssertion(rdfs:seeAlso :A <http://example.org/doc>)
AnnotationAssertion(:note :A "custom note"@de)
AnnotationAssertion(:note :A "7"^^xsd:integer)
AnnotationAssertion(rdfs:comment :B "only a comment")
AnnotationAssertion(IAO:0000115 :C "only a definition")
AnnotationAssertion(rdfs:comment :p "a property's comment")
AnnotationAssertion(rdfs:label :i "eye")
SubClassOf(:B :A)
TransitiveObjectProperty(:p)
SymmetricObjectProperty(:p)
FunctionalObjectProperty(:q)
InverseFunctionalObjectProperty(:q)
AsymmetricObjectProperty(:q)
ReflexiveObjectProperty(:q)
IrreflexiveObjectProperty(:p)
FunctionalDataProperty(:d)
InverseObjectProperties(:p :q)
SubObjectPropertyOf(:q :p)
SubDataPropertyOf(:e :d)
SubAnnotationPropertyOf(:n2 :note)
EquivalentObjectProperties(:p :p)
DisjointObjectProperties(:p :q)
EquivalentDataProperties(:d :e)
DisjointDataProperties(:d :e)
ClassAssertion(:A :i)
ObjectPropertyAssertion(:p :i :j)
DataPropertyAssertion(:d :i "5"^^xsd:integer)
DataPropertyAssertion(:d :j "five"@en)
SameIndividual(:i :j)
DifferentIndividuals(:i :j)
)
"""
GAP_TTL = """\
@prefix : <http://example.org/t#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix IAO: <http://purl.obolibrary.org/obo/IAO_> .
<http://example.org/t> a owl:Ontology ; rdfs:comment "the test ontology"@en ; rdfs:seeAlso <http://example.org/about> .
:A a owl:Class . :B a owl:Class . :C a owl:Class . :D a owl:Class .
:p a owl:ObjectProperty . :q a owl:ObjectProperty . :d a owl:DatatypeProperty . :e a owl:DatatypeProperty .
:note a owl:AnnotationProperty . :n2 a owl:AnnotationProperty .
:i a owl:NamedIndividual . :j a owl:NamedIndividual . :dt a rdfs:Datatype .
:A rdfs:label "Alpha"@en ; rdfs:comment "A comment" ; IAO:0000115 "A definition" ;
   oio:hasExactSynonym "Alef" ; rdfs:seeAlso <http://example.org/doc> ; :note "custom note"@de , 7 .
:B rdfs:comment "only a comment" .
:C IAO:0000115 "only a definition" .
:p rdfs:comment "a property's comment" .
:i rdfs:label "eye" .
:B rdfs:subClassOf :A .
:p a owl:TransitiveProperty , owl:SymmetricProperty , owl:IrreflexiveProperty .
:q a owl:FunctionalProperty , owl:InverseFunctionalProperty , owl:AsymmetricProperty , owl:ReflexiveProperty .
:d a owl:FunctionalProperty .
:p owl:inverseOf :q .
:q rdfs:subPropertyOf :p .
:e rdfs:subPropertyOf :d .
:n2 rdfs:subPropertyOf :note .
:p owl:equivalentProperty :p .
:p owl:propertyDisjointWith :q .
:d owl:equivalentProperty :e .
:d owl:propertyDisjointWith :e .
:i a :A .
:i :p :j .
:i :d 5 .
:j :d "five"@en .
:i owl:sameAs :j .
:i owl:differentFrom :j .
"""


def sync(src: Path, db: Path) -> None:
    assert main(["sync", str(src), "--db", str(db), "--quiet", "--workers", "1"]) == 0


def layer_rows(db: Path, path: str) -> set[tuple]:
    """A file's `statements` rows between named things, as (subject, predicate, object, value,
    datatype, language); the ontology's header row (`<o> a owl:Ontology`) aside."""
    conn = sqlite3.connect(db)
    try:
        return set(conn.execute(
            "SELECT subject, predicate, object, value, datatype, language FROM statements WHERE source_file = ? "
            "AND subject NOT LIKE '_:%' AND coalesce(object, '') NOT LIKE '_:%' AND object IS NOT 'owl:Ontology'",
            (path,)))
    finally:
        conn.close()


def curie(term: rdflib.term.Node) -> str:
    text = str(term)
    for prefix, base in PREFIXES.items():
        if text.startswith(base) and text != base:
            return f"{prefix}:{text[len(base):]}"
    return text


def rdflib_rows(text: str) -> set[tuple]:
    """The same rows from rdflib's reading of the Turtle (plain and xsd:string literals: no datatype)."""
    rows = set()
    for s, p, o in rdflib.Graph().parse(data=text, format="turtle"):
        if p == rdflib.RDF.type and o == rdflib.OWL.Ontology:
            continue
        if isinstance(o, rdflib.Literal):
            dt = None if o.datatype in (None, rdflib.XSD.string) else curie(o.datatype)
            rows.add((curie(s), curie(p), None, str(o), dt, o.language))
        else:
            rows.add((curie(s), curie(p), curie(o), None, None, None))
    return rows


def synced_twins(tmp_path: Path, ofn: str, ttl: str) -> tuple[Path, set[tuple]]:
    """One ontology as t.ofn and t.ttl, synced into one database; with rdflib's rows of the Turtle,
    which its layer rows equal."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "t.ofn").write_text(ofn, encoding="utf-8")
    (src / "t.ttl").write_text(ttl, encoding="utf-8")
    db = tmp_path / "o.db"
    sync(src, db)
    want = rdflib_rows(ttl)
    assert layer_rows(db, "t.ttl") == want
    return db, want


@pytest.mark.parametrize("deferred", [True, False], ids=["first-run", "per-file"])
def test_functional_syntax_gives_the_layer_rows_turtle_gives(tmp_path: Path, monkeypatch, deferred: bool) -> None:
    """The layer of an `.ofn` file wrote `IAO:0000115` (a definition, what OAK's `definitions`
    reads) for a class's `rdfs:comment`, and dropped the real definition beside it; it had no row
    for annotation assertions (`rdfs:seeAlso`, a custom property), individuals (`ClassAssertion`,
    property assertions), property characteristics, inverses or sub-properties, all of which the
    same ontology in Turtle gives. Now every such axiom is its triple, on a first run and per file."""
    monkeypatch.setattr(ReadersLayer, "defer_first_run", deferred)
    db, want = synced_twins(tmp_path, GAP_OFN, GAP_TTL)
    got = layer_rows(db, "t.ofn")
    assert (EX + "A", "IAO:0000115", None, "A comment", None, None) not in got
    assert {r for r in got if r[0] == EX + "A" and r[1] in ("rdfs:comment", "IAO:0000115")} == {
        (EX + "A", "rdfs:comment", None, "A comment", None, None),
        (EX + "A", "IAO:0000115", None, "A definition", None, None)}
    assert got == want


def test_every_label_of_a_declared_class_reaches_the_layer(tmp_path: Path) -> None:
    """A class labelled in two languages in an `.ofn` file kept one label (the column's, rightly)
    and lost the other from every table, where Turtle's `statements` keep both (OAK's `labels`
    lists both). The others are now rows, as labels of undeclared subjects always were."""
    ofn = (f"Prefix(:=<{EX}>)\nOntology(<http://example.org/t>\n"
           "Declaration(Class(:A)) Declaration(ObjectProperty(:p))\n"
           'AnnotationAssertion(rdfs:label :A "Alpha"@en)\nAnnotationAssertion(rdfs:label :A "Alfa"@es)\n'
           'AnnotationAssertion(rdfs:label :A "Alpha")\nAnnotationAssertion(rdfs:label :p "pee"@en)\n'
           'AnnotationAssertion(rdfs:label :p "pi"@es)\n)\n')
    ttl = (f"@prefix : <{EX}> . @prefix owl: <{rdflib.OWL}> . @prefix rdfs: <{rdflib.RDFS}> .\n"
           '<http://example.org/t> a owl:Ontology . :A a owl:Class ; rdfs:label "Alpha"@en , "Alfa"@es , "Alpha" .\n'
           ':p a owl:ObjectProperty ; rdfs:label "pee"@en , "pi"@es .\n')
    db, want = synced_twins(tmp_path, ofn, ttl)
    assert layer_rows(db, "t.ofn") == want
    labels = sqlite3.connect(db).execute("SELECT source_file, label FROM owl_classes").fetchall()
    assert labels in ([("t.ofn", "Alpha")], [("t.ttl", "Alpha")])


def test_owl_xml_without_the_rdf_namespace_is_named_owl_xml() -> None:
    """An OWL/XML document behind `.owl` was skipped as OWL/XML only when it declared the rdf:
    namespace (Protégé's does); written without it (the OWL API's minimal form, by hand), it was
    skipped as "XML without the RDF namespace", which does not tell the user what to convert."""
    owx = (b'<?xml version="1.0"?>\n<Ontology xmlns="http://www.w3.org/2002/07/owl#" '
           b'ontologyIRI="http://example.org/t">\n<Declaration><Class IRI="http://example.org/t#A"/></Declaration>\n'
           b'</Ontology>\n')
    facts = parse_file("t.owl", owx, ParseOptions())
    assert facts.classes == [] and facts.skipped and facts.skipped.startswith("OWL/XML document")
    other = parse_file("t.xml", b'<?xml version="1.0"?>\n<project><name>x</name></project>\n', ParseOptions())
    assert other.skipped == "XML without the RDF namespace: not an RDF/XML document"


@pytest.mark.parametrize("name", ["t.ttl", "t.jsonld"])
def test_a_term_over_the_parsers_limit_is_named_with_its_line(name: str) -> None:
    """A literal (or IRI) over 16 MiB in Turtle, N-Triples or JSON-LD is past pyoxigraph's buffer
    limit; the file failed as "file too complex to parse: MemoryError", which sends a user looking
    for deep nesting. It now fails naming the limit and the line the long term is on (RDF/XML, whose
    parser has no such limit, reads it)."""
    from ontosync.parsing.facts import ParseError

    big = "x" * (16 * 2**20 + 10)
    text = (f'@prefix rdfs: <{rdflib.RDFS}> .\n<{EX}A> a <{rdflib.OWL}Class> .\n<{EX}A> rdfs:label "{big}" .\n'
            if name.endswith(".ttl") else f'{{"@id": "{EX}A",\n"{rdflib.RDFS}label": "{big}"}}')
    with pytest.raises(ParseError) as caught:
        parse_file(name, text.encode(), ParseOptions())
    assert "over 16 MiB" in str(caught.value) and "MemoryError" not in str(caught.value)
    assert caught.value.line == (3 if name.endswith(".ttl") else 2)


def test_a_relative_iri_in_functional_syntax_is_named_not_kept() -> None:
    """`Declaration(Class(<A>))`: functional syntax's IRIs are absolute and the document has no base,
    as a Turtle `<A>` without `@base` has none (that file fails, naming it). The functional-syntax
    reader kept a class whose IRI was the bare text `A`, and an edge from it; it now skips each such
    axiom with a warning on its line, as it does any unreadable form, and keeps the rest."""
    ofn = (f"Prefix(:=<{EX}>)\nPrefix(r:=<rel/>)\nOntology(<http://example.org/t>\nDeclaration(Class(<A>))\n"
           f"SubClassOf(<A> :B)\nDeclaration(Class(r:C))\nDeclaration(Class(:D))\n"
           "Declaration(Class(<urn:x:E>))\n)\n")
    from ontosync.parsing.facts import ParseError

    with pytest.raises(ParseError, match="relative IRIs need a base"):
        parse_file("t.ttl", b"<A> a <http://www.w3.org/2002/07/owl#Class> .\n", ParseOptions())
    facts = parse_file("t.ofn", ofn.encode(), ParseOptions())
    # the refused prefix is undeclared, so `r:C` is kept as written (an IRI of scheme `r`), as documented
    assert [c.iri for c in facts.classes] == ["r:C", EX + "D", "urn:x:E"] and facts.edges == []
    assert [(w.kind, w.line, "relative IRI" in w.message) for w in facts.warnings] == [
        ("fence-syntax", 2, True), ("fence-syntax", 4, True), ("fence-syntax", 5, True),
        ("undeclared-prefix", 6, False)]


def test_a_json_ld_property_that_expands_to_no_iri_is_named() -> None:
    """`"label": "x"` in a JSON-LD node whose context defines no `label` (and no `@vocab`) is dropped
    by JSON-LD's expansion, as rdflib's reading shows: the user's label was gone without a word
    (round 3 named dropped nodes and types, not properties). A warning now names each such key; a
    term of the context, a compact or absolute IRI, keywords and a language map's tags are not."""
    text = """{"@context": {"owl": "http://www.w3.org/2002/07/owl#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                 "name": {"@id": "rdfs:label", "@container": "@language"}},
     "@id": "http://example.org/t#A", "@type": "owl:Class", "label": "lost", "name": {"en": "kept"},
     "rdfs:comment": [{"@value": "kept too", "@language": "en"}],
     "rdfs:seeAlso": {"@id": "http://example.org/t#B", "comment": "lost too"}}"""
    graph = rdflib.Graph().parse(data=text, format="json-ld")
    assert sorted(str(o) for o in graph.objects() if isinstance(o, rdflib.Literal)) == ["kept", "kept too"]
    facts = parse_file("t.jsonld", text.encode(), ParseOptions())
    assert sorted(r[4] for r in facts.statements if r[4]) == ["kept", "kept too"]
    assert [(w.kind, w.message) for w in facts.warnings] == [
        ("dropped-node", "JSON-LD property 'comment' dropped: not an absolute IRI nor a term of the context "
                         "(needs @vocab)"),
        ("dropped-node", "JSON-LD property 'label' dropped: not an absolute IRI nor a term of the context "
                         "(needs @vocab)")]


@pytest.fixture
def pg_schema():
    from tests.postgres_server import own_schema

    yield from own_schema()


def test_the_functional_syntax_triples_on_postgresql(pg_schema: str, tmp_path: Path) -> None:
    """The same rows on PostgreSQL (its per-file path; the notes are read through its JSON
    dialect)."""
    from tests.postgres_server import connect, schema_url

    src = tmp_path / "src"
    src.mkdir()
    (src / "t.ofn").write_text(GAP_OFN, encoding="utf-8")
    url = schema_url(pg_schema)
    assert main(["sync", str(src), "--db", url, "--quiet", "--workers", "1"]) == 0
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(f'SELECT subject, predicate, object, value, datatype, language FROM "{pg_schema}".statements '
                    "WHERE subject NOT LIKE '\\_:%%' AND coalesce(object, '') NOT LIKE '\\_:%%' "
                    "AND object IS DISTINCT FROM 'owl:Ontology'")
        assert set(cur.fetchall()) == rdflib_rows(GAP_TTL)
    finally:
        conn.close()
