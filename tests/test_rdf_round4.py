"""RDF and functional syntax, fourth round: one ontology gives the same rows whatever its syntax
(class axioms of `.ofn` files and of Turtle), and the corners of RDF files rounds 1-3 left (several
ontology headers, lists, punning, relative IRIs, literals). rdflib's reading of the same bytes is
the independent reference, as in tests/test_rdf_round3.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from ontosync.parsing import ParseOptions, parse_file
from ontosync.parsing.facts import ParseError
from tests.helpers import cli, q

EX = "http://example.org/t#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"

# One ontology twice: in functional syntax, and in Turtle as OWL 2's mapping to RDF writes it
# (n-ary EquivalentClasses as a chain of owl:equivalentClass, n-ary DisjointClasses as
# owl:AllDisjointClasses, an anonymous subclass as the subject of rdfs:subClassOf).
CLASS_AXIOMS_OFN = """\
Prefix(:=<http://example.org/t#>)
Ontology(<http://example.org/t>
Import(<http://example.org/other>)
Declaration(Class(:A)) Declaration(Class(:B)) Declaration(Class(:C)) Declaration(Class(:D))
Declaration(ObjectProperty(:p))
EquivalentClasses(:A :B)
EquivalentClasses(:B :C :D)
DisjointClasses(:A :C)
DisjointClasses(:D :C :A)
EquivalentClasses(:D ObjectSomeValuesFrom(:p :A))
EquivalentClasses(ObjectIntersectionOf(:A :B) :C)
DisjointClasses(ObjectSomeValuesFrom(:p :A) :B)
SubClassOf(ObjectSomeValuesFrom(:p :B) :A)
SubClassOf(:A ObjectSomeValuesFrom(:p :B))
SubClassOf(ObjectUnionOf(:A :B) ObjectSomeValuesFrom(:p :C))
SubClassOf(:A owl:Thing)
)
"""
CLASS_AXIOMS_TTL = """\
@prefix : <http://example.org/t#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/t> a owl:Ontology ; owl:imports <http://example.org/other> .
:A a owl:Class . :B a owl:Class . :C a owl:Class . :D a owl:Class . :p a owl:ObjectProperty .
:A owl:equivalentClass :B .
:B owl:equivalentClass :C . :C owl:equivalentClass :D .
:A owl:disjointWith :C .
[] a owl:AllDisjointClasses ; owl:members ( :D :C :A ) .
:D owl:equivalentClass [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :A ] .
[ a owl:Class ; owl:intersectionOf ( :A :B ) ] owl:equivalentClass :C .
[ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :A ] owl:disjointWith :B .
[ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :B ] rdfs:subClassOf :A .
:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :B ] .
[ a owl:Class ; owl:unionOf ( :A :B ) ] rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ;
    owl:someValuesFrom :C ] .
:A rdfs:subClassOf owl:Thing .
"""


def class_axiom_rows(name: str, text: str) -> set[tuple]:
    facts = parse_file(name, text.encode(), ParseOptions())
    assert facts.warnings == []
    return {(a.axiom_type, a.subject, a.object) for a in facts.axioms
            if a.axiom_type in ("SubClassOf", "EquivalentClasses", "DisjointClasses")}


def test_class_axioms_have_one_shape_in_functional_syntax_and_turtle() -> None:
    """`EquivalentClasses(:A :B)` in an .ofn file gave the row (A, "<B>") where the same axiom in
    Turtle gives (A, "B"); n-ary axioms were one row (A, "<B> <C>"), and an axiom whose first class
    is anonymous took the first IRI inside it (a property) as its subject. A user comparing
    syntaxes (or moving a file from one to the other) saw different axioms. Now both readers give
    the rows of OWL 2's mapping to RDF: a named class as its IRI, an expression as its functional
    syntax, n-ary equivalences as the chain of pairs, n-ary disjointness as one row."""
    ofn, ttl = class_axiom_rows("t.ofn", CLASS_AXIOMS_OFN), class_axiom_rows("t.ttl", CLASS_AXIOMS_TTL)
    graph = rdflib.Graph().parse(data=CLASS_AXIOMS_TTL, format="turtle")
    named = {("EquivalentClasses" if p == rdflib.OWL.equivalentClass else "DisjointClasses", str(s), str(o))
             for s, p, o in graph if isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.URIRef)
             and p in (rdflib.OWL.equivalentClass, rdflib.OWL.disjointWith)}
    assert len(named) == 4 and named <= ttl
    some = f"ObjectSomeValuesFrom(<{EX}p> <{EX}B>)"
    assert ("SubClassOf", some, EX + "A") in ttl
    assert ("DisjointClasses", EX + "A", f"DisjointClasses(<{EX}A> <{EX}C> <{EX}D>)") in ttl
    assert ofn == ttl


def sync(src: Path, db: Path) -> None:
    proc = cli("sync", str(src), "--db", str(db), "--quiet")
    assert proc.returncode == 0, proc.stderr


def pair_statements(db: Path, path: str) -> set[tuple]:
    return set(q(db, "SELECT subject, predicate, object FROM statements WHERE source_file = ? "
                     "AND predicate IN ('owl:equivalentClass', 'owl:disjointWith', 'owl:imports') "
                     "AND subject NOT LIKE '_:%' "
                     "AND object NOT LIKE '_:%'", path))


def test_named_class_pairs_reach_the_readers_layer_from_functional_syntax(tmp_path: Path) -> None:
    """`EquivalentClasses(:A :B)` in an .ofn file gave no `statements` row, where the same axiom in
    Turtle gives `A owl:equivalentClass B` (OAK's equivalent and disjoint classes read those rows),
    nor did `Import(<I>)` give `O owl:imports I` (semantic-sql's owl_imports_statement). Both the
    first run's set-based layer and a later run's per-file layer write them."""
    src, db = tmp_path / "src", tmp_path / "o.db"
    src.mkdir()
    (src / "t.ofn").write_text(CLASS_AXIOMS_OFN, encoding="utf-8")
    (src / "t.ttl").write_text(CLASS_AXIOMS_TTL, encoding="utf-8")
    sync(src, db)
    want = pair_statements(db, "t.ttl")
    graph = rdflib.Graph().parse(data=CLASS_AXIOMS_TTL, format="turtle")
    assert want == {(str(s), "owl:" + p.fragment, str(o)) for s, p, o in graph
                    if p in (rdflib.OWL.equivalentClass, rdflib.OWL.disjointWith, rdflib.OWL.imports)
                    and isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.URIRef)}
    assert pair_statements(db, "t.ofn") == want
    (src / "t.ofn").write_text(CLASS_AXIOMS_OFN + "# touched\n", encoding="utf-8")
    sync(src, db)
    assert q(db, "SELECT count(*) FROM statements WHERE source_file = 't.ofn' AND predicate = 'rdfs:subClassOf'")
    assert pair_statements(db, "t.ofn") == want


TWO_ONTOLOGIES_OFN = """\
Prefix(:=<http://example.org/t#>)
Ontology(<http://example.org/one>
Declaration(Class(:A))
)
Ontology(<http://example.org/two>
Declaration(Class(:B))
)
"""


def test_several_ontology_headers_give_one_answer_whatever_the_syntax() -> None:
    """A Turtle file with two `owl:Ontology` IRIs uses neither (the run's --ontology-id, with a
    `several-ontologies` warning); the same two headers in functional syntax silently filed every
    class under the first, so one content landed in two ontologies depending on its syntax."""
    ttl = ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<http://example.org/one> a owl:Ontology .\n"
           "<http://example.org/two> a owl:Ontology .\n<http://example.org/t#A> a owl:Class .\n"
           "<http://example.org/t#B> a owl:Class .\n")
    graph = rdflib.Graph().parse(data=ttl, format="turtle")
    assert len(set(graph.subjects(rdflib.RDF.type, rdflib.OWL.Ontology))) == 2
    from_ttl = parse_file("t.ttl", ttl.encode(), ParseOptions())
    from_ofn = parse_file("t.ofn", TWO_ONTOLOGIES_OFN.encode(), ParseOptions())
    assert from_ttl.ontology_id is None and from_ofn.ontology_id is None
    assert [w.kind for w in from_ttl.warnings] == [w.kind for w in from_ofn.warnings] == ["several-ontologies"]
    assert from_ofn.warnings[0].line == 5 and "http://example.org/two" in from_ofn.warnings[0].message
    assert {c.iri for c in from_ofn.classes} == {c.iri for c in from_ttl.classes}
    one = TWO_ONTOLOGIES_OFN.replace("<http://example.org/two>", "<http://example.org/one>")
    assert parse_file("t.ofn", one.encode(), ParseOptions()).ontology_id == "http://example.org/one"


def test_a_literal_where_a_class_belongs_is_skipped_and_named_in_either_syntax() -> None:
    """`rdfs:subClassOf "Dog"` (a typo for `:Dog`) vanished from a Turtle file's hierarchy and
    axioms without a word, while `SubClassOf(:A "Dog")` in functional syntax became an axiom row
    whose `EquivalentClasses` twin was even written as an `owl:equivalentClass` triple to a string.
    Both readers now skip it with a warning; the class itself is kept."""
    ttl = ('@prefix : <http://example.org/t#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .\n'
           '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
           ':A a owl:Class ; rdfs:subClassOf "Dog" ; owl:equivalentClass "x"@en .\n')
    ofn = ('Prefix(:=<http://example.org/t#>)\nOntology(<http://example.org/t>\nDeclaration(Class(:A))\n'
           'SubClassOf(:A "Dog")\nEquivalentClasses(:A "x"@en)\n)\n')
    graph = rdflib.Graph().parse(data=ttl, format="turtle")
    assert sum(isinstance(o, rdflib.Literal) for o in graph.objects()) == 2
    from_ttl = parse_file("t.ttl", ttl.encode(), ParseOptions())
    from_ofn = parse_file("t.ofn", ofn.encode(), ParseOptions())
    for facts in (from_ttl, from_ofn):
        assert [c.iri for c in facts.classes] == [EX + "A"]
        assert facts.axioms == [] and facts.edges == []
    assert sorted(w.kind for w in from_ttl.warnings) == ["literal-class", "literal-class"]
    assert any("'Dog'" in w.message for w in from_ttl.warnings)
    assert [(w.line, "a literal where a class belongs" in w.message) for w in from_ofn.warnings] == [
        (4, True), (5, True)]


ANNOTATED_OFN = """\
Prefix(:=<http://example.org/t#>)
Prefix(rdfs:=<http://www.w3.org/2000/01/rdf-schema#>)
Ontology(<http://example.org/t>
Declaration(Class(:A)) Declaration(Class(:B)) Declaration(ObjectProperty(:p))
SubClassOf(Annotation(rdfs:seeAlso <http://example.org/doc>) Annotation(rdfs:comment "why"@en) :A :B)
EquivalentClasses(Annotation(rdfs:seeAlso <http://example.org/doc>) :A ObjectSomeValuesFrom(:p :B))
DisjointClasses(Annotation(rdfs:comment "no") :A :C)
)
"""
ANNOTATED_TTL = """\
@prefix : <http://example.org/t#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/t> a owl:Ontology .
:A a owl:Class . :B a owl:Class . :p a owl:ObjectProperty .
:A rdfs:subClassOf :B .
[] a owl:Axiom ; owl:annotatedSource :A ; owl:annotatedProperty rdfs:subClassOf ; owl:annotatedTarget :B ;
   rdfs:comment "why"@en ; rdfs:seeAlso <http://example.org/doc> .
:A owl:equivalentClass _:r . _:r a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :B .
[] a owl:Axiom ; owl:annotatedSource :A ; owl:annotatedProperty owl:equivalentClass ; owl:annotatedTarget _:r ;
   rdfs:seeAlso <http://example.org/doc> .
:A owl:disjointWith :C .
[] a owl:Axiom ; owl:annotatedSource :A ; owl:annotatedProperty owl:disjointWith ; owl:annotatedTarget :C ;
   rdfs:comment "no" .
[] a owl:Axiom ; owl:annotatedSource :A ; owl:annotatedProperty rdfs:subClassOf ; owl:annotatedTarget :C ;
   rdfs:comment "reified, never asserted: no axiom" .
"""


def test_annotated_class_axioms_keep_their_annotations_in_either_syntax() -> None:
    """An RDF file's `owl:Axiom` node (OWL 2's annotated axiom) on a subclass, equivalence or
    disjointness was dropped: the annotation reached no `owl_axioms` row, where the same axiom in
    functional syntax has one row keeping it (`{"ofn": ...}`). Now both give the same rows, with the
    same annotation text (annotations sorted, in whatever order written); a reified triple the file
    never asserts is no axiom."""
    graph = rdflib.Graph().parse(data=ANNOTATED_TTL, format="turtle")
    asserted = [n for n in graph.subjects(rdflib.RDF.type, rdflib.OWL.Axiom)
                if (graph.value(n, rdflib.OWL.annotatedSource), graph.value(n, rdflib.OWL.annotatedProperty),
                    graph.value(n, rdflib.OWL.annotatedTarget)) in graph]
    rows = {}
    for name, text in (("t.ofn", ANNOTATED_OFN), ("t.ttl", ANNOTATED_TTL)):
        facts = parse_file(name, text.encode(), ParseOptions())
        unasserted = ["annotated-axiom"] if name == "t.ttl" else []  # its warning: tests/test_parsers_round9.py
        assert [w.kind for w in facts.warnings] == unasserted
        assert [(e.child, e.parent) for e in facts.edges] == [(EX + "A", EX + "B")]
        rows[name] = {(a.axiom_type, a.subject, a.object, a.annotations["ofn"]) for a in facts.axioms}
    assert len(rows["t.ttl"]) == len(asserted) == 3
    assert rows["t.ttl"] == rows["t.ofn"]
    assert ("SubClassOf", EX + "A", EX + "B", f'SubClassOf(Annotation(<{RDFS}comment> "why"@en) '
            f'Annotation(<{RDFS}seeAlso> <http://example.org/doc>) <{EX}A> <{EX}B>)') in rows["t.ttl"]


def test_nested_expressions_kept_or_skipped_alike_in_either_syntax() -> None:
    """The RDF reader renders a class expression nested 64 deep (class_expressions.MAX_EXPR_DEPTH);
    the functional-syntax reader counted its `Ontology(` and the axiom's own parenthesis too and
    skipped an axiom whose expression was 63 or 64 deep, which the same axiom in Turtle keeps. Both
    now keep 64 levels and skip 65 with a warning; the kept rows are equal."""
    for depth, kept in ((64, True), (65, False)):
        ofn = (f"Prefix(:=<{EX}>)\nOntology(<http://example.org/t>\nSubClassOf(:A "
               + "ObjectComplementOf(" * depth + ":B" + ")" * depth + ")\n)\n")
        ttl = (f"@prefix : <{EX}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
               "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n:A rdfs:subClassOf "
               + "[ owl:complementOf " * depth + ":B" + " ]" * depth + " .\n")
        assert len(rdflib.Graph().parse(data=ttl, format="turtle")) == depth + 1
        from_ofn = parse_file("t.ofn", ofn.encode(), ParseOptions())
        from_ttl = parse_file("t.ttl", ttl.encode(), ParseOptions())
        assert [a.object for a in from_ofn.axioms] == [a.object for a in from_ttl.axioms]
        assert len(from_ttl.axioms) == kept and bool(from_ofn.warnings) == bool(from_ttl.warnings) == (not kept)


def test_annotated_axioms_count_toward_the_output_cap() -> None:
    """A small file may annotate one axiom over a large shared expression many times; each
    annotated row repeats the expression (object and annotation text). Such rows are counted in the
    file's cap on written expression text (parsing/rdf.py, MAX_OUTPUT_FACTOR), like plain rows."""
    members = " ".join(f":Member{i:04d}WithAFairlyLongLocalName" for i in range(200))
    nodes = "".join(f'[] a owl:Axiom ; owl:annotatedSource :A ; owl:annotatedProperty owl:equivalentClass ; '
                    f'owl:annotatedTarget _:big ; rdfs:comment "{i}" .\n' for i in range(1000))
    ttl = (f"@prefix : <{EX}> . @prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <{RDFS}> .\n"
           f":A owl:equivalentClass _:big . _:big owl:intersectionOf ( {members} ) .\n" + nodes)
    with pytest.raises(ParseError, match="over the limit"):
        parse_file("t.ttl", ttl.encode(), ParseOptions())
    few = parse_file("t.ttl", ttl[: ttl.index("[] a owl:Axiom")].encode() + nodes[:2000].encode(), ParseOptions())
    assert len(few.axioms) >= 1


def test_a_lone_surrogate_in_json_ld_is_named_as_such() -> None:
    """`"\\ud800"` alone is legal JSON but no character: the file cannot be read (as a Turtle
    `"\\uD800"` cannot), and it failed saying "Unexpected end of file", which sent the user looking
    for a truncated file. The error now names the escape and its line; a whole pair still reads."""
    pair = '{"@id": "http://example.org/t#A", "http://example.org/t#p": "ok \\ud83d\\ude00"}'
    text = f'[\n{pair},\n{{"@id": "http://example.org/t#B",\n "http://example.org/t#p": "cut \\uDC00"}}]\n'
    with pytest.raises(ParseError) as caught:
        parse_file("t.jsonld", text.encode(), ParseOptions())
    assert caught.value.line == 4 and "\\udc00 is half of a UTF-16 surrogate pair" in str(caught.value)
    assert "end of file" not in str(caught.value)
    kept = parse_file("t.jsonld", f"[{pair}]".encode(), ParseOptions()).statements
    assert [row[4] for row in kept] == [str(rdflib.Graph().parse(data=pair, format="json-ld").value(
        rdflib.URIRef(EX + "A"), rdflib.URIRef(EX + "p")))] == ["ok \U0001F600"]


def test_an_xsd_string_literal_is_the_plain_literal_in_either_syntax() -> None:
    """`"x"^^xsd:string` is the plain literal `"x"` (RDF 1.1): the RDF reader writes it so, the
    functional-syntax reader kept `^^<...#string>`, so one restriction was two objects."""
    ofn = (f"Prefix(:=<{EX}>)\nPrefix(xsd:=<http://www.w3.org/2001/XMLSchema#>)\nOntology(<http://example.org/t>\n"
           'Declaration(DataProperty(:p))\nSubClassOf(:A DataHasValue(:p "x"^^xsd:string))\n'
           'SubClassOf(:B DataHasValue(:p "1"^^xsd:integer))\n)\n')
    ttl = (f"@prefix : <{EX}> . @prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <{RDFS}> .\n"
           "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . :p a owl:DatatypeProperty .\n"
           ':A rdfs:subClassOf [ owl:onProperty :p ; owl:hasValue "x"^^xsd:string ] .\n'
           ':B rdfs:subClassOf [ owl:onProperty :p ; owl:hasValue "1"^^xsd:integer ] .\n')
    values = {str(o): o.datatype for o in rdflib.Graph().parse(data=ttl, format="turtle").objects(
        predicate=rdflib.OWL.hasValue)}
    assert values == {"x": rdflib.XSD.string, "1": rdflib.XSD.integer}
    objects = [[a.object for a in parse_file(name, text.encode(), ParseOptions()).axioms]
               for name, text in (("t.ofn", ofn), ("t.ttl", ttl))]
    assert objects[0] == objects[1] == [f'DataHasValue(<{EX}p> "x")', f'DataHasValue(<{EX}p> "1"^^<{XSD}integer>)']


def test_several_domains_and_ranges_give_one_column_whatever_the_syntax() -> None:
    """`:p rdfs:domain :A , :B` makes the RDF reader's domain `ObjectIntersectionOf(<A> <B>)` (what
    two domains mean); the same two `ObjectPropertyDomain` axioms in functional syntax kept the
    first written as the column and the other as an axiom row, so the column depended on the syntax
    and on the order the axioms were written in. Both readers now agree, in any order."""
    ttl = (f"@prefix : <{EX}> . @prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <{RDFS}> .\n"
           "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
           ":p a owl:ObjectProperty ; rdfs:domain :B , :A ; rdfs:range :C .\n"
           ":d a owl:DatatypeProperty ; rdfs:range xsd:integer , xsd:short .\n"
           ":n a owl:AnnotationProperty ; rdfs:range :Z , :Y .\n")
    axioms = ["ObjectPropertyDomain(:p :B)", "ObjectPropertyDomain(:p :A)", "ObjectPropertyRange(:p :C)",
              "DataPropertyRange(:d xsd:integer)", "DataPropertyRange(:d xsd:short)", "AnnotationPropertyRange(:n :Z)",
              "AnnotationPropertyRange(:n :Y)"]
    graph = rdflib.Graph().parse(data=ttl, format="turtle")
    assert len(set(graph.objects(rdflib.URIRef(EX + "p"), rdflib.RDFS.domain))) == 2
    want = {(p.iri, p.property_type, p.domain, p.range)
            for p in parse_file("t.ttl", ttl.encode(), ParseOptions()).properties}
    assert (EX + "p", "ObjectProperty", f"ObjectIntersectionOf(<{EX}A> <{EX}B>)", EX + "C") in want
    assert (EX + "d", "DataProperty", None, f"DataIntersectionOf(<{XSD}integer> <{XSD}short>)") in want
    for order in (axioms, axioms[::-1]):
        ofn = (f"Prefix(:=<{EX}>)\nPrefix(xsd:=<{XSD}>)\nOntology(<http://example.org/t>\n"
               "Declaration(AnnotationProperty(:n))\n" + "\n".join(order) + "\n)\n")
        facts = parse_file("t.ofn", ofn.encode(), ParseOptions())
        assert {(p.iri, p.property_type, p.domain, p.range) for p in facts.properties} == want
        assert facts.axioms == []


def test_a_property_declared_two_kinds_is_one_kind_whatever_the_syntax() -> None:
    """Typed both `owl:ObjectProperty` and `owl:DatatypeProperty`, the RDF reader keeps Object
    (over Data over Annotation) with a warning; functional syntax kept the last declaration, so the
    kind depended on the syntax and on the order of the declarations."""
    ttl = (f"@prefix : <{EX}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
           ":p a owl:DatatypeProperty , owl:ObjectProperty .\n")
    assert len(rdflib.Graph().parse(data=ttl, format="turtle")) == 2
    from_ttl = parse_file("t.ttl", ttl.encode(), ParseOptions())
    assert [(p.iri, p.property_type) for p in from_ttl.properties] == [(EX + "p", "ObjectProperty")]
    for first, second in (("ObjectProperty", "DataProperty"), ("DataProperty", "ObjectProperty")):
        ofn = (f"Prefix(:=<{EX}>)\nOntology(<http://example.org/t>\nDeclaration({first}(:p))\n"
               f"Declaration({second}(:p))\n)\n")
        facts = parse_file("t.ofn", ofn.encode(), ParseOptions())
        assert [(p.iri, p.property_type) for p in facts.properties] == [(EX + "p", "ObjectProperty")]
        assert [(w.kind, w.line) for w in facts.warnings] == [("property-type-conflict", 4)]
        assert [w.kind for w in from_ttl.warnings] == ["property-type-conflict"]


def test_rdf_1_2_triple_terms_are_named_not_lost_silently() -> None:
    """semantic-sql's `statements` cannot hold an RDF 1.2 triple term, so the statement whose
    object is one (`rdf:reifies <<( s p o )>>`, behind `<< s p o >>`) was left out without a word.
    The file still reads, the rest of its statements are kept, and a warning counts what was not."""
    ttl = (f"@prefix : <{EX}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .\n:A a owl:Class .\n"
           '<< :A a owl:Class >> :source "x" .\n:A :says <<( :A a owl:Class )>> .\n')
    facts = parse_file("t.ttl", ttl.encode(), ParseOptions())
    assert [c.iri for c in facts.classes] == [EX + "A"]
    assert {(r[2], r[4]) for r in facts.statements} == {("rdf:type", None), (EX + "source", "x")}
    assert [(w.kind, w.message.split(" ")[0]) for w in facts.warnings] == [("triple-term", "2")]
    assert parse_file("t.ttl", ttl.split("<<")[0].encode(), ParseOptions()).warnings == []


def test_an_import_is_a_layer_row_of_its_own_ontology_and_only_in_an_ofn_file():
    """Review findings: an ```owl fence's `Import` wrote an `owl:imports` row for the page, where
    the same axiom in a ```turtle fence writes none (fences ignore ontology headers); and an
    `Import` inside a second `Ontology(<b>` lost its subject (the RDF reader keeps `<b> owl:imports`)."""
    from ontosync.parsing.ofn import parse_ofn_text

    fence = parse_ofn_text("Ontology(<http://x/fence> Import(<http://x/imp>))", ParseOptions(), fmt="logseq")
    assert [a.annotations for a in fence.axioms if a.axiom_type == "Import"] == [None]
    two = parse_file("t.ofn", b"Ontology(<http://x/a>)\nOntology(<http://x/b> Import(<http://x/i>))", ParseOptions())
    [imp] = [a for a in two.axioms if a.axiom_type == "Import"]
    assert (imp.subject, imp.object, imp.annotations) == ("http://x/b", "http://x/i",
                                                          {"rdf_predicate": "http://www.w3.org/2002/07/owl#imports"})
