"""RDF and functional syntax, eighth round: JSON-LD errors that named no place (a cyclic IRI
mapping in a context; a document whose contexts were inlined) and corners of RDF input.
"""

from __future__ import annotations

import pytest
import rdflib

from ontosync.parsing import ParseOptions, parse_file
from ontosync.parsing.facts import ParseError

CYCLES = [
    ('{\n "@context": {\n  "ex": "http://x.org/",\n  "a": "b:x",\n  "b": "a:y"\n },\n "@id": "ex:s"\n}\n',
     4, '$["@context"]["a"]'),
    ('{\n "@context": [{"ex": "http://x.org/"},\n  {"t": {"@id": "ex:t", "@type": "c"},\n   "c": "t:x"}],\n'
     ' "@id": "ex:s"\n}\n', 3, '$["@context"][1]["t"]'),
    ('{\n "@context": {"ex": "http://x.org/", "p": {"@id": "ex:p",\n  "@context": {"q": "r", "r": "q:z"}}},\n'
     ' "@id": "ex:s", "p": {"q": 1}\n}\n', 3, '$["@context"]["p"]["@context"]["q"]'),
]


@pytest.mark.parametrize(("text", "line", "where"), CYCLES)
def test_a_cyclic_iri_mapping_names_the_term(text: str, line: int, where: str) -> None:
    """"JSON-LD syntax error: Cyclic IRI mapping" named no term and no line (`t.jsonld [parse] ...`),
    and a large context had to be read term by term for the loop. The first term on the loop is
    now named by its path and line, in a scoped context too."""
    with pytest.raises(ParseError) as caught:
        parse_file("t.jsonld", text.encode(), ParseOptions())
    assert "Cyclic IRI mapping" in caught.value.message
    assert (caught.value.line, caught.value.message.endswith(f"(at {where})")) == (line, True), caught.value.message


@pytest.mark.parametrize(("text", "line", "where"), [
    ('{"@context": {\n  "ex": "http://x.org/",\n  "p": {"@id": "ex:p",\n   "@reverse": "ex:q"}},\n "@id": "ex:a"}',
     4, '$["@context"]["p"]["@reverse"]'),
    ('{"@context": {\n  "p": {"@id": "http://x.org/p", "@type": 5}},\n "@id": "http://x.org/a"}',
     2, '$["@context"]["p"]["@type"]'),
    ('{"@context": {\n  "p": {"@id": "http://x.org/p",\n  "@foo": 5}},\n "@id": "http://x.org/a"}',
     3, '$["@context"]["p"]["@foo"]'),
    ('{"@context": {"ex": "http://x.org/",\n  "": "http://x.org/e"},\n "@id": "http://x.org/a"}',
     2, '$["@context"][""]'),
    ('{"@context": {\n  "p": {"@id": "http://x.org/p", "@language": "en",\n   "@type": "http://x.org/t"}},\n'
     ' "@id": "http://x.org/a"}', 3, '$["@context"]["p"]["@type"]'),
    ('{"@id": "http://x.org/a",\n "http://x.org/p": {"@value": "x",\n  "@id": "http://x.org/b"}}',
     3, '$["http://x.org/p"]["@id"]'),
    ('{"@id": "http://x.org/a",\n "http://x.org/p": {"@value": "x",\n  "@type": ["http://x.org/t", "http://x.org/u"]}}',
     3, '$["http://x.org/p"]["@type"]'),
    ('{"@id": "http://x.org/a",\n "http://x.org/p": {"@language": "en",\n  "@value": 5}}',
     3, '$["http://x.org/p"]["@value"]'),
    ('{"@context": {"@type": {"@container": "@set",\n  "@foo": 1}},\n "@id": "http://x.org/a"}',
     2, '$["@context"]["@type"]["@foo"]'),
    ('{"@context": {"p": {"@id": "http://x.org/p",\n  "@index": "x"}},\n "@id": "http://x.org/a"}',
     2, '$["@context"]["p"]["@index"]'),
    ('{"@id": "http://x.org/a", "@reverse": {"http://x.org/p": [{"@id": "http://x.org/b"},\n  {"@value": "x"}]}}',
     2, '$["@reverse"]["http://x.org/p"][1]["@value"]'),
    ('{"@id": "http://x.org/a",\n "@included": [\n  {"@set": [1]}]}', 3, '$["@included"][0]["@set"]'),
    ('{"@context": {"ex": "http://x.org/",\n  "@base": "sub/"},\n "@id": "a"}', 2, '$["@context"]["@base"]'),
])
def test_json_ld_errors_of_term_definitions_and_value_objects_name_their_place(
        text: str, line: int, where: str) -> None:
    """More of pyoxigraph's errors without a position ("@reverse and @id cannot be used together
    in a context", "Unexpected key in term definition '@foo'", "@value and @id are incompatible",
    ...) named nothing in the file; each names its member's path and line now."""
    with pytest.raises(ParseError) as caught:
        parse_file("t.jsonld", text.encode(), ParseOptions())
    assert (caught.value.line, caught.value.message.endswith(f"(at {where})")) == (line, True), caught.value.message


CONTEXTS = {"http://ctx.example/c.jsonld": '{"@context": {"ex": "http://x.org/"}}',
            "http://ctx.example/two.jsonld": '{"@context": [{"ex": "http://x.org/"}, {"q": "ex:q"}]}',
            "http://ctx.example/bad.jsonld": '{"@context": {"ex": "http://x.org/",'
                                                     ' "b": {"@id": "ex:b", "@container": 5}}}'}


@pytest.mark.parametrize(("text", "line", "where"), [
    # the fault in the user's text, after a context that was inlined: its line is the file's
    ('{\n "@context": "http://ctx.example/c.jsonld",\n "@graph": [\n  {"@id": "ex:a"},\n  {"@id": 5}\n ]\n}\n',
     5, '$["@graph"][1]["@id"])'),
    # a context array whose mapped member grew into two: the user's object after it is counted from
    # the array's end (tests/test_parsers_round9.py), its own index and line
    ('{\n "@context": [\n  "http://ctx.example/two.jsonld",\n  {"t": 5}\n ],\n "@id": "ex:a"\n}\n',
     4, '$["@context"][1]["t"])'),
    # the fault inside the mapped context: the line that names it
    ('{\n "@id": "http://x.org/a",\n "@context":\n   "http://ctx.example/bad.jsonld"\n}\n',
     4, '$["@context"]["b"]["@container"], in what'),
])
def test_an_inlined_contexts_document_names_the_line(text: str, line: int, where: str) -> None:
    """A document with a mapped remote context is parsed re-serialised, so a semantic error had its
    JSON path but no line (`t.jsonld [parse] ... (at $["@graph"][1]["@id"])`). The path is walked
    in the user's own text as far as it is the user's: the member's line, or the line of the
    context reference the fault came in by."""
    with pytest.raises(ParseError) as caught:
        parse_file("t.jsonld", text.encode(), ParseOptions(jsonld_contexts=CONTEXTS))
    assert (caught.value.line, f"(at {where}" in caught.value.message) == (line, True), caught.value.message


SELF_TTL = """@prefix : <http://example.org/t#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
:p a owl:ObjectProperty .
:T rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:hasSelf true ] .
:One rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:hasSelf "1"^^xsd:boolean ] .
:F rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:hasSelf false ] .
:Zero rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:hasSelf " 0 "^^xsd:boolean ] .
:Yes rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:hasSelf "yes"@en ] .
"""


def test_has_self_false_is_not_has_self() -> None:
    """`owl:hasSelf false` was read as `ObjectHasSelf(:p)` (its opposite: `owl_axioms` said every
    F is related to itself). OWL 2's mapping reads only a true `owl:hasSelf`; the others are no
    class expression, skipped with a warning as a malformed cardinality is. Expected: the classes
    whose restriction rdflib reads as boolean true."""
    graph = rdflib.Graph().parse(data=SELF_TTL, format="turtle")
    self_ = rdflib.URIRef("http://www.w3.org/2002/07/owl#hasSelf")
    want = sorted(str(c) for c, r in graph.subject_objects(rdflib.RDFS.subClassOf)
                  if graph.value(r, self_).toPython() is True)
    facts = parse_file("t.ttl", SELF_TTL.encode(), ParseOptions())
    assert len(want) == 2
    assert [a.subject for a in facts.axioms if a.object == "ObjectHasSelf(<http://example.org/t#p>)"] == want
    assert [w.message.split("#")[1] for w in facts.warnings] == [
        f"{c}> skipped: owl:hasSelf that is not true" for c in ("F", "Yes", "Zero")]


TWO_FORMS_TTL = """@prefix : <http://example.org/t#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
:p a owl:ObjectProperty .
:A rdfs:subClassOf [ owl:intersectionOf ( :X :Y ) ; owl:unionOf ( :X :Z ) ] .
:B rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :X ; owl:complementOf :Y ] .
:C owl:equivalentClass [ owl:oneOf ( "a" "b" ) ] .
:D rdfs:subClassOf [ owl:unionOf ( :X :Z ) ] .
"""


def test_a_node_of_two_class_expressions_is_not_read_as_one_of_them() -> None:
    """`[ owl:intersectionOf (:X :Y) ; owl:unionOf (:X :Z) ]` was read as `ObjectIntersectionOf(:X :Y)`
    (the first form the renderer tried won, the other was dropped without a word), and a
    restriction with an `owl:complementOf` beside it as the restriction alone: an axiom the file does
    not state. Such a node is no one class expression (OWL 2's mapping gives each one form), so
    the axiom is skipped with a warning. And `owl:oneOf` of literals in a class was skipped as an
    "anonymous individual (blank node)", which it has none of."""
    graph = rdflib.Graph().parse(data=TWO_FORMS_TTL, format="turtle")
    owl = rdflib.Namespace("http://www.w3.org/2002/07/owl#")
    forms = (owl.intersectionOf, owl.unionOf, owl.complementOf, owl.oneOf, owl.someValuesFrom)
    single = sorted(str(c) for c, x in graph.subject_objects(rdflib.RDFS.subClassOf)
                    if sum(1 for p in forms if (x, p, None) in graph) == 1)
    facts = parse_file("t.ttl", TWO_FORMS_TTL.encode(), ParseOptions())
    assert [a.subject for a in facts.axioms] == single == ["http://example.org/t#D"]
    assert [w.message.split("#", 1)[1] for w in facts.warnings] == [
        "C> skipped: a literal where an individual is expected",
        "A> skipped: blank node with several class expression forms (owl:intersectionOf, owl:unionOf, ...)",
        "B> skipped: blank node with several class expression forms (owl:intersectionOf, owl:unionOf, ...)"]


EMPTY_XML_LITERALS = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:owl="http://www.w3.org/2002/07/owl#"
    xmlns:ex="http://example.org/t#">
  <owl:Class rdf:about="http://example.org/t#A">
    <ex:note rdf:parseType="Literal"/>
    <ex:text rdf:parseType='Literal' ></ex:text>
    <ex:html rdf:parseType="Literal"><b>x</b></ex:html>
    <ex:blank rdf:parseType="Literal">  </ex:blank>
  </owl:Class>
  <owl:Class rdf:about="http://example.org/t#B">
    <ex:outer rdf:parseType="Literal">a<ex:inner rdf:parseType="Literal"/>b</ex:outer>
  </owl:Class>
</rdf:RDF>
"""


def test_an_empty_xml_literal_is_read_not_failed() -> None:
    """`<ex:note rdf:parseType="Literal"/>` (or `...></ex:note>`) is legal RDF/XML, an empty XML
    literal, but the whole file failed "No value found for rdf:XMLLiteral value of property": every
    class in it lost. Expected: rdflib's XML literals of the same file (the one inside another
    literal with the `rdf:` its attribute uses declared, as exclusive canonicalisation writes it,
    which rdflib leaves out)."""
    graph = rdflib.Graph().parse(data=EMPTY_XML_LITERALS, format="xml")
    canonical = f'" xmlns:rdf="{rdflib.RDF}" rdf:parseType='
    want = sorted((str(s), str(p), str(o).replace('" rdf:parseType=', canonical)) for s, p, o in graph
                  if isinstance(o, rdflib.Literal) and o.datatype == rdflib.RDF.XMLLiteral)
    facts = parse_file("t.owl", EMPTY_XML_LITERALS.encode(), ParseOptions())
    got = sorted((s, p, v) for _, s, p, _, v, dt, _ in facts.statements if dt == "rdf:XMLLiteral")
    assert len(want) == 5 and ("http://example.org/t#A", "http://example.org/t#note", "") in want
    assert got == want
    assert [c.iri for c in facts.classes] == ["http://example.org/t#A", "http://example.org/t#B"]


@pytest.mark.parametrize(("name", "label"), [("t.ttl", "Turtle"), ("t.nt", "N-Triples")])
def test_a_byte_order_mark_inside_a_file_is_named(name: str, label: str) -> None:
    """Two UTF-8 files with byte order marks joined into one (`cat a.ttl b.ttl`): the second BOM,
    an invisible character, failed "Turtle syntax error:   is not a valid subject or graph name",
    naming nothing a user could see. The line's BOM is named (the file's first is skipped, as before)."""
    bom = "\ufeff".encode()
    line = b"<http://x.org/a> <http://x.org/p> <http://x.org/b> .\n"
    text = bom + line + bom + line
    with pytest.raises(ParseError) as caught:
        parse_file(name, text, ParseOptions())
    assert caught.value.line == 2
    assert caught.value.message.startswith(f"{label} syntax error: U+FEFF (a byte order mark: two files joined?) "), \
        caught.value.message


@pytest.mark.parametrize(("name", "text", "line"), [
    ("t.ttl", '<http://x.org/a> <http://x.org/p> """first line\n\\uD83D\\uDE00 smile""" .\n', 2),
    ("t.nt", '<http://x.org/a> <http://x.org/p> "\\uDE00" .\n', 1),
])
def test_a_surrogate_escape_is_named_with_its_fix(name: str, text: str, line: int) -> None:
    """`\\uD83D\\uDE00` (an emoji escaped as UTF-16, as some writers do) failed "The escape sequence
    '\\uD83D' is encoding D83D that is not a valid unicode character", leaving the user to guess
    what is wrong with an escape Java and JSON accept. Turtle's escapes are code points (rdflib
    keeps the halves as broken text; pyoxigraph rightly refuses), so the file still fails, saying
    what the escape is and how to write the character."""
    with pytest.raises(ParseError) as caught:
        parse_file(name, text.encode(), ParseOptions())
    assert caught.value.line == line
    assert "is half of a UTF-16 surrogate pair, not a character: write the character itself or one " \
           "\\U0001F600-style escape" in caught.value.message, caught.value.message


NESTED_TTL = """@prefix : <http://example.org/t#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
:A a owl:Class . :B a owl:Class . :A rdfs:subClassOf :B .
_:ax a owl:Axiom ; owl:annotatedSource :A ; owl:annotatedProperty rdfs:subClassOf ; owl:annotatedTarget :B ;
  rdfs:comment "outer" ; rdfs:seeAlso :z .
_:an a owl:Annotation ; owl:annotatedSource _:ax ; owl:annotatedProperty rdfs:comment ; owl:annotatedTarget "outer" ;
  rdfs:label "inner2" , "inner1" .
[] a owl:Annotation ; owl:annotatedSource _:an ; owl:annotatedProperty rdfs:label ; owl:annotatedTarget "inner1" ;
  rdfs:comment "deepest" .
[] a owl:Annotation ; owl:annotatedSource _:ax ; owl:annotatedProperty rdfs:comment ; owl:annotatedTarget "other" ;
  rdfs:label "of no annotation the axiom has" .
"""
NESTED_OFN = """Prefix(:=<http://example.org/t#>)
Ontology(<http://example.org/t>
Declaration(Class(:A))
Declaration(Class(:B))
SubClassOf(Annotation(rdfs:seeAlso :z) Annotation(Annotation(rdfs:label "inner2")
  Annotation(Annotation(rdfs:comment "deepest") rdfs:label "inner1") rdfs:comment "outer") :A :B)
)
"""


def test_an_annotation_of_an_annotation_is_in_the_axiom_row_from_every_syntax() -> None:
    """`SubClassOf(Annotation(Annotation(rdfs:label "inner") rdfs:comment "outer") :A :B)`: the
    `.ofn` file's `owl_axioms` row kept the inner annotation, the same axiom in Turtle (its
    `owl:Annotation` node on the `owl:Axiom`) lost it, so one axiom had two texts. Both keep every
    level now, each level's annotations sorted; an `owl:Annotation` of a value the axiom does not
    have annotates nothing."""
    rows = {name: [(a.axiom_type, a.subject, a.object, a.annotations["ofn"]) for a in
                   parse_file(name, text.encode(), ParseOptions()).axioms]
            for name, text in (("t.ttl", NESTED_TTL), ("t.ofn", NESTED_OFN))}
    assert rows["t.ttl"] == rows["t.ofn"]
    label, comment = "<http://www.w3.org/2000/01/rdf-schema#label>", "<http://www.w3.org/2000/01/rdf-schema#comment>"
    assert [r[3] for r in rows["t.ttl"]] == [
        'SubClassOf(Annotation(<http://www.w3.org/2000/01/rdf-schema#seeAlso> <http://example.org/t#z>) '
        f'Annotation(Annotation({label} "inner2") Annotation(Annotation({comment} "deepest") {label} "inner1") '
        f'{comment} "outer") <http://example.org/t#A> <http://example.org/t#B>)']


def test_a_cardinality_in_any_lexical_form_of_its_integer_is_read() -> None:
    """`owl:minCardinality "+1"^^xsd:nonNegativeInteger` (or " 2 ", xsd's whitespace collapsed) was
    skipped as "cardinality that is not a non-negative integer", which it is. Expected: the
    numbers rdflib reads from the same literals; a negative one stays skipped."""
    restriction = 'a owl:Restriction ; owl:onProperty :p ; owl:minCardinality "{}"^^xsd:nonNegativeInteger'
    head = "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n" + TWO_FORMS_TTL.split(":A rdfs:subClassOf")[0]
    text = head + "".join(
        f":C{i} rdfs:subClassOf [ {restriction.format(n)} ] .\n" for i, n in enumerate(("+1", " 2 ", "03", "-1")))
    graph = rdflib.Graph().parse(data=text, format="turtle")
    numbers = sorted(o.toPython() for o in graph.objects(None, rdflib.OWL.minCardinality))
    facts = parse_file("t.ttl", text.encode(), ParseOptions())
    assert numbers == [-1, 1, 2, 3]
    assert [a.object for a in facts.axioms] == [
        f"ObjectMinCardinality({n} <http://example.org/t#p>)" for n in numbers if n >= 0]
    assert [w.message.split("#")[1] for w in facts.warnings] == [
        "C3> skipped: cardinality that is not a non-negative integer"]


def test_a_cardinality_has_one_text_in_both_readers() -> None:
    """`ObjectMinCardinality(03 :p)` in an `.ofn` file kept "03" in its axiom's text, where the same
    restriction in Turtle (and the `.ofn` file's own RDF rows) says 3: one axiom, two texts."""
    ofn = ("Prefix(:=<http://example.org/t#>)\nOntology(<http://example.org/t>\n"
           "SubClassOf(:A ObjectMinCardinality(03 :p))\n)\n")
    ttl = ("@prefix : <http://example.org/t#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
           '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n:p a owl:ObjectProperty .\n'
           ':A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ;\n'
           '  owl:minCardinality "03"^^xsd:nonNegativeInteger ] .\n')
    texts = [[a.object for a in parse_file(name, text.encode(), ParseOptions()).axioms]
             for name, text in (("t.ofn", ofn), ("t.ttl", ttl))]
    assert texts[0] == texts[1] == ["ObjectMinCardinality(3 <http://example.org/t#p>)"]


def test_a_relative_vocab_without_a_base_drops_properties_with_a_warning() -> None:
    """`"@vocab": "terms#"` (relative) in a document with no `@base`: every property it would name
    is no IRI, and JSON-LD drops it; pyoxigraph did so without a word, and the `dropped-node`
    warning took any `@vocab` for one that works. Expected: rdflib's reading of the same document
    with an absolute vocabulary names the statements lost."""
    doc = '{"@context": {"@vocab": "%s"}, "@id": "http://x.org/a", "label": "A", "@type": "http://x.org/C"}'
    full = rdflib.Graph().parse(data=doc % "http://x.org/terms#", format="json-ld")
    facts = parse_file("t.jsonld", (doc % "terms#").encode(), ParseOptions())
    assert len(full) == 2 and len(facts.statements) == 1
    assert [w.message for w in facts.warnings] == [
        "JSON-LD property 'label' dropped: not an absolute IRI nor a term of the context (needs @vocab)"]
    with_base = (doc % "terms#").replace('{"@vocab"', '{"@base": "http://x.org/", "@vocab"')
    based = parse_file("t.jsonld", with_base.encode(), ParseOptions())
    assert (len(based.statements), based.warnings) == (2, [])


OTHER_PARSE_TYPES = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/t#">
  <rdf:Description rdf:about="http://example.org/t#a">
    <ex:typo rdf:parseType="literal"><ex:b>bold</ex:b> text</ex:typo>
    <ex:daml rdf:parseType="daml:collection"><ex:i>x</ex:i></ex:daml>
    <ex:empty rdf:parseType='Other'/>
    <ex:label>kept</ex:label>
  </rdf:Description>
</rdf:RDF>
"""


def test_another_parse_type_is_read_as_literal() -> None:
    """`rdf:parseType="literal"` (lower-case), DAML's `"daml:collection"` or any other value: RDF/XML
    reads such an element as `parseType="Literal"` (its grammar's parseTypeOtherPropertyElt), but
    pyoxigraph dropped the statement without a word. Expected: rdflib's XML literals of the file."""
    graph = rdflib.Graph().parse(data=OTHER_PARSE_TYPES, format="xml")
    want = sorted((str(p), str(o)) for p, o in graph.predicate_objects() if isinstance(o, rdflib.Literal))
    facts = parse_file("t.owl", OTHER_PARSE_TYPES.encode(), ParseOptions())
    assert len(want) == 4
    assert sorted((p, v) for _, _, p, _, v, _, _ in facts.statements) == want
