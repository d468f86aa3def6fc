"""The OWL functional-syntax dialect reader: strict OFN, the Lisp-flavoured dialect of Logseq
fences, and recovery axiom by axiom (every unreadable form is one warning with its line)."""

from __future__ import annotations

import pickle
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ontosync.parsing import ParseOptions, parse_file
from ontosync.parsing.facts import AxiomFact, ClassFact, EdgeFact, ParseError, PropertyFact
from ontosync.parsing.ofn import MAX_WARNINGS, parse_ofn_document, parse_ofn_text

OPT = ParseOptions()
MV = "http://narrativegoldmine.com/metaverse#"
EX = "http://example.org/o#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

STRICT = b"""\
# a comment before the prefixes
Prefix(:=<http://example.org/o#>)
Prefix(owl:=<http://www.w3.org/2002/07/owl#>)
Prefix(rdfs:=<http://www.w3.org/2000/01/rdf-schema#>)
Prefix(xsd:=<http://www.w3.org/2001/XMLSchema#>)
Ontology(<http://example.org/o> <http://example.org/o/1.0>
  Import(<http://example.org/other>)
  Annotation(rdfs:comment "an ontology")
  Declaration(Class(:Animal))
  Declaration(Class(:Dog))
  Declaration(ObjectProperty(:hasPart))
  Declaration(DataProperty(:age))
  Declaration(AnnotationProperty(:note))
  Declaration(NamedIndividual(:rex))
  AnnotationAssertion(rdfs:label :Dog "Dog"@en)
  AnnotationAssertion(rdfs:comment :Dog "A \\"good\\" dog")
  AnnotationAssertion(rdfs:label :hasPart "has part")
  AnnotationAssertion(:note :Dog "see also")
  SubClassOf(:Dog :Animal)
  SubClassOf(:Dog ObjectSomeValuesFrom(:hasPart :Tail))
  SubClassOf(Annotation(rdfs:comment "why") :Dog :Pet)
  EquivalentClasses(:Dog :Canine)
  DisjointClasses(:Dog :Cat)
  ObjectPropertyDomain(:hasPart :Animal)
  ObjectPropertyRange(:hasPart ObjectUnionOf(:Tail :Leg))
  ObjectPropertyDomain(:hasPart :Thing)
  DataPropertyRange(:age xsd:integer)
  TransitiveObjectProperty(:hasPart)
  FunctionalDataProperty(:age)
  DataPropertyAssertion(:age :rex "3"^^xsd:integer)
  SubClassOf(:Dog ObjectMinCardinality(1 :hasPart :Leg))
)
"""


def test_strict_document_gives_classes_properties_edges_axioms() -> None:
    facts = parse_ofn_document("o.ofn", STRICT, OPT)
    assert facts.format == "ofn"
    assert facts.ontology_id == "http://example.org/o"
    assert facts.warnings == []
    assert facts.classes == [
        ClassFact(EX + "Animal", line=9),  # the line of its Declaration
        ClassFact(EX + "Dog", "Dog", 'A "good" dog', 10),
    ]
    props = {p.iri: p for p in facts.properties}
    assert props[EX + "hasPart"] == PropertyFact(
        EX + "hasPart", "ObjectProperty", "has part", f"ObjectIntersectionOf(<{EX}Animal> <{EX}Thing>)",
        f"ObjectUnionOf(<{EX}Tail> <{EX}Leg>)"
    )
    assert props[EX + "age"] == PropertyFact(EX + "age", "DataProperty", None, None, XSD + "integer")
    assert props[EX + "note"].property_type == "AnnotationProperty"
    # the annotated SubClassOf(:Dog :Pet) is an edge too (tests/test_rdf_fidelity_more.py), and an axiom row
    assert facts.edges == [EdgeFact(EX + "Dog", EX + "Animal"), EdgeFact(EX + "Dog", EX + "Pet")]

    by_type: dict[str, list[AxiomFact]] = {}
    for a in facts.axioms:
        by_type.setdefault(a.axiom_type, []).append(a)
    some = by_type["SubClassOf"][0]
    assert some.subject == EX + "Dog"
    assert some.object == f"ObjectSomeValuesFrom(<{EX}hasPart> <{EX}Tail>)"
    assert some.annotations == {"ofn": f"SubClassOf(<{EX}Dog> ObjectSomeValuesFrom(<{EX}hasPart> <{EX}Tail>))",
                                "on_property": EX + "hasPart", "some_values_from": EX + "Tail"}
    # An annotated SubClassOf keeps its annotation in the full text, not in subject/object.
    annotated = by_type["SubClassOf"][1]
    assert (annotated.subject, annotated.object) == (EX + "Dog", EX + "Pet")
    assert 'Annotation(<http://www.w3.org/2000/01/rdf-schema#comment> "why")' in annotated.annotations["ofn"]
    assert by_type["SubClassOf"][2].object == f"ObjectMinCardinality(1 <{EX}hasPart> <{EX}Leg>)"
    assert [(a.subject, a.object) for a in by_type["EquivalentClasses"]] == [(EX + "Dog", EX + "Canine")]
    assert [(a.subject, a.object) for a in by_type["DisjointClasses"]] == [(EX + "Dog", EX + "Cat")]
    assert [(a.subject, a.object) for a in by_type["TransitiveObjectProperty"]] == [(EX + "hasPart", None)]
    assert [a.subject for a in by_type["FunctionalDataProperty"]] == [EX + "age"]
    # A second, different domain is not lost: the domain is both's intersection, as in Turtle.
    assert "ObjectPropertyDomain" not in by_type
    assert by_type["DataPropertyAssertion"][0].object == f'<{EX}rex> "3"^^<{XSD}integer>'
    assert by_type["AnnotationAssertion"][0].object == f'<{EX}note> "see also"'
    # the triple OWL 2's mapping to RDF writes for it, noted for the readers' layer (tests/test_rdf_round5.py)
    assert by_type["Declaration"] == [AxiomFact("Declaration", EX + "rex", "NamedIndividual", {
        "rdf_subject": EX + "rex", "rdf_predicate": RDF + "type", "rdf_object": OWL + "NamedIndividual"})]
    # a class's rdfs:comment is its column and, as a definition is, a row (its layer triple says rdfs:comment)
    assert [(a.subject, a.annotations["rdf_value"]) for a in by_type["AnnotationAssertion"]
            if a.annotations.get("rdf_predicate") == RDFS + "comment"] == [(EX + "Dog", 'A "good" dog')]
    assert by_type["Import"] == [AxiomFact("Import", "http://example.org/o", "http://example.org/other",
                                           {"rdf_predicate": "http://www.w3.org/2002/07/owl#imports"})]
    assert by_type["OntologyAnnotation"][0].object.startswith("Annotation(<" + RDFS + "comment>")


def test_dispatcher_reads_ofn_and_sniffed_owl() -> None:
    assert parse_file("a/o.ofn", STRICT, OPT).ontology_id == "http://example.org/o"
    assert parse_file("a/o.owl", STRICT, OPT).format == "ofn"


def test_lisp_dialect_and_both_comment_styles() -> None:
    text = """\
;; OWL Functional Syntax
(Declaration (Class :Adas))
# a hash comment
(AnnotationAssertion rdfs:label :Adas "ADAS"@en) ; trailing comment
(SubClassOf :Adas :DriverAssistanceTechnology)
(SubClassOf :Adas
  (ObjectSomeValuesFrom :relatedTo :SensorFusion))
Declaration(Class(mv:Mixed))
(SubClassOf mv:Mixed ObjectSomeValuesFrom(mv:p mv:Q))
"""
    facts = parse_ofn_text(text, OPT, 0, MV + "ADAS")
    assert facts.warnings == []
    assert facts.classes == [ClassFact(MV + "Adas", "ADAS", line=2), ClassFact(MV + "Mixed", line=8)]
    assert facts.edges == [EdgeFact(MV + "Adas", MV + "DriverAssistanceTechnology")]
    assert [(a.subject, a.object) for a in facts.axioms] == [
        (MV + "Adas", f"ObjectSomeValuesFrom(<{MV}relatedTo> <{MV}SensorFusion>)"),
        (MV + "Mixed", f"ObjectSomeValuesFrom(<{MV}p> <{MV}Q>)"),
    ]


def test_empty_prefix_expansion_rules() -> None:
    # Declared in the text: wins.
    declared = parse_ofn_text("Prefix(:=<http://x.org/#>)\nDeclaration(Class(:A))", OPT, 0, MV + "P")
    assert declared.classes == [ClassFact("http://x.org/#A", line=2)]
    # Page class from owl:class: its namespace.
    assert parse_ofn_text("(Declaration (Class :A))", OPT, 0, MV + "P").classes == [ClassFact(MV + "A", line=1)]
    # Page class minted: `:Local` is minted like a page name, so it meets [[Local]] links.
    minted = parse_ofn_text("(Declaration (Class :Big Thing))", OPT, 0, OPT.page_namespace + "p")
    assert minted.warnings  # `Thing` is a bare word: the form is unreadable
    minted = parse_ofn_text("(Declaration (Class :BigThing))", OPT, 0, OPT.page_namespace + "p")
    assert minted.classes == [ClassFact(OPT.page_namespace + "bigthing", line=1)]
    # A document with no declaration: an undeclared prefix.
    doc = parse_ofn_document("d.ofn", b"Declaration(Class(:A))", OPT)
    assert [w.kind for w in doc.warnings] == ["undeclared-prefix"]
    assert doc.classes == [ClassFact(":A", line=1)]


def test_undeclared_prefix_warns_once_and_keeps_the_name() -> None:
    text = 'SubClassOf(zz:A zz:B)\nSubClassOf(zz:C zz:D)\nAnnotationAssertion(dct:identifier mv:A "1")'
    facts = parse_ofn_text(text, OPT, 10, MV + "A")
    assert [(w.kind, w.line) for w in facts.warnings] == [("undeclared-prefix", 11)]
    assert facts.edges == [EdgeFact("zz:A", "zz:B"), EdgeFact("zz:C", "zz:D")]
    # dct is well known even though the namespace table lacks it.
    assert facts.axioms[0].object.startswith("<http://purl.org/dc/terms/identifier>")


def test_recovery_axiom_by_axiom_with_page_lines() -> None:
    text = """\
Declaration(Class(mv:A))
This fence also holds prose (with parentheses) and words.
SubClassOf(mv:A mv:B)
TransitiveProperty(mv:p)
SubClassOf(mv:A ObjectSomeValuesFrom(mv:p mv:C)
SubClassOf(mv:A mv:D)
(SubClassOf :A (DataPropertyAssertion :x "1"))
SubClassOf(mv:A)
(Declaration (ObjectProperty :relates To))
SubClassOf(mv:A mv:E)))
SubClassOf(mv:A (MinInclusive "0"))
"unterminated string
SubClassOf(mv:A mv:F)
"""
    facts = parse_ofn_text(text, OPT, 100, MV + "A")
    assert [e.parent for e in facts.edges] == [MV + x for x in "BDEF"]
    assert [a.object for a in facts.axioms] == [f"ObjectSomeValuesFrom(<{MV}p> <{MV}C>)"]
    got = [(w.line, w.message.split(":")[0]) for w in facts.warnings]
    assert got == [
        (102, "not OWL functional syntax"),
        (104, "TransitiveProperty"),
        (105, "SubClassOf"),  # missing ')': read as if closed, and kept
        (107, "SubClassOf"),  # an axiom nested in an axiom
        (107, "DataPropertyAssertion"),
        (108, "SubClassOf"),  # one argument
        (109, "Declaration"),  # a bare word where an IRI belongs
        (110, "not OWL functional syntax"),  # the stray ')' (one was owed to the repair)
        (111, "SubClassOf"),
        (112, "not OWL functional syntax"),
    ]
    assert "missing ')'" in facts.warnings[2].message
    assert all(w.kind == "fence-syntax" for w in facts.warnings)


def test_unclosed_ontology_still_yields_its_axioms() -> None:
    facts = parse_ofn_document("o.ofn", b"Ontology(<http://e/o>\nDeclaration(Class(<http://e/A>))\n", OPT)
    assert facts.ontology_id == "http://e/o"
    assert facts.classes == [ClassFact("http://e/A", line=2)]
    assert [w.line for w in facts.warnings] == [1]


def test_labels_for_undeclared_subjects_stay_axioms() -> None:
    facts = parse_ofn_text('AnnotationAssertion(rdfs:label mv:X "X")', OPT)
    assert facts.classes == []
    assert facts.axioms == [
        AxiomFact(
            "AnnotationAssertion",
            MV + "X",
            f'<{RDFS}label> "X"',
            # noted for the readers' layer, which writes the label as a Turtle file's row (round 4)
            {"ofn": f'AnnotationAssertion(<{RDFS}label> <{MV}X> "X")', "rdf_subject": MV + "X",
             "rdf_predicate": RDFS + "label", "rdf_value": "X"},
        )
    ]


def test_100000_nested_parentheses_do_not_blow_the_stack() -> None:
    deep = "(" * 100_000 + ")" * 100_000
    facts = parse_ofn_text(deep + "\nSubClassOf(mv:A mv:B)\n", OPT, 5)
    assert [w.line for w in facts.warnings] == [6]
    assert "nesting deeper" in facts.warnings[0].message
    assert facts.edges == [EdgeFact(MV + "A", MV + "B")]  # reading resumed after the deep form
    unbalanced = parse_ofn_text("SubClassOf(" * 100_000, OPT)
    assert len(unbalanced.warnings) == MAX_WARNINGS + 1  # capped, plus one summary
    assert "more unreadable forms" in unbalanced.warnings[-1].message


def test_large_single_line_is_linear() -> None:
    line = "SubClassOf(mv:A mv:B) " * 50_000 + '"' + "x" * 1_000_000
    start = time.perf_counter()
    facts = parse_ofn_text(line, OPT)
    assert time.perf_counter() - start < 10
    assert facts.edges == [EdgeFact(MV + "A", MV + "B")]
    assert len(facts.warnings) == 1


def test_document_encoding_failures_name_the_line() -> None:
    with pytest.raises(ParseError) as bad:
        parse_ofn_document("o.ofn", b"Prefix(:=<http://e/#>)\n\n  \xc3\x28\n", OPT)
    assert bad.value.line == 3
    with pytest.raises(ParseError) as nul:
        parse_ofn_document("o.ofn", b"Prefix(:=<http://e/#>)\n\x00", OPT)
    assert nul.value.line == 2
    bom_crlf = parse_ofn_document("o.ofn", b"\xef\xbb\xbfPrefix(:=<http://e/#>)\r\nDeclaration(Class(:A))\r\n", OPT)
    assert bom_crlf.classes == [ClassFact("http://e/#A", line=2)]
    assert parse_ofn_document("o.ofn", b"", OPT).classes == []


def test_facts_are_picklable() -> None:
    facts = parse_ofn_document("o.ofn", STRICT, OPT)
    assert pickle.loads(pickle.dumps(facts)) == facts


_PIECES = st.sampled_from(
    [
        "(",
        ")",
        "SubClassOf",
        "Declaration",
        "Class",
        "Ontology",
        "Prefix",
        ":=",
        "=",
        "<http://e/x>",
        "<broken",
        "mv:A",
        ":B",
        "zz:C",
        '"lit"',
        '"',
        "@en",
        "^^",
        "xsd:string",
        "1",
        "#c\n",
        ";; c\n",
        "\n",
        " ",
        "ObjectSomeValuesFrom",
        "Annotation",
        "AnnotationAssertion",
        "rdfs:label",
        "prose",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60))
def test_never_raises_on_any_token_soup(pieces: list[str]) -> None:
    text = " ".join(pieces)
    facts = parse_ofn_text(text, OPT, 0, MV + "A")
    n_lines = text.count("\n") + 1
    assert all(w.line is None or 1 <= w.line <= n_lines for w in facts.warnings)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_any_text(text: str) -> None:
    parse_ofn_text(text, OPT, 0, OPT.page_namespace + "p")
