"""RDF and functional syntax, seventh round: an anonymous or abbreviated `Ontology(` header in an
`.ofn` file, JSON-LD's semantic errors, SWRL rules, and corners of RDF input (RDF/XML collections
and `xml:base`, Turtle's `@base`, language tags, compressed and misnamed files). The Turtle's rows
are the reference, as in round 6 (`shapes`: blank nodes compared by what they hold).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import sqlite3
import time
from pathlib import Path

import pytest

from ontosync.parsing import ParseOptions, parse_file
from ontosync.parsing.facts import ParseError
from tests.test_rdf_round6 import EX, OFN_HEAD, TTL_HEAD, file_graph, synced

OFN_PREFIXES = f"Prefix(:=<{EX}>)\nPrefix(oio:=<http://www.geneontology.org/formats/oboInOwl#>)\n"
TTL_PREFIXES = TTL_HEAD.split("<http://example.org/t> a", 1)[0]


def test_an_anonymous_ontology_has_the_rows_of_turtles_blank_ontology(tmp_path: Path) -> None:
    """`Ontology(` with no IRI gave no `owl:Ontology` row, and its annotations and imports none
    either, where the same ontology in Turtle (`[] a owl:Ontology ; ...`) has them on a blank node.
    An empty `Ontology()` is an ontology too; neither has an ontology id, as in Turtle."""
    ofn = (OFN_PREFIXES + 'Ontology(\nImport(<http://example.org/imp>)\nAnnotation(rdfs:comment "c")\n'
           'Annotation(Annotation(oio:source "s") rdfs:seeAlso :about)\nDeclaration(Class(:A))\n)\n')
    ttl = (TTL_PREFIXES + '_:o a owl:Ontology ; owl:imports <http://example.org/imp> ; rdfs:comment "c" ;\n'
           '  rdfs:seeAlso :about .\n:A a owl:Class .\n'
           '[] a owl:Annotation ; owl:annotatedSource _:o ; owl:annotatedProperty rdfs:seeAlso ;\n'
           '  owl:annotatedTarget :about ; oio:source "s" .\n')
    db = synced(tmp_path, {"t.ofn": ofn, "t.ttl": ttl, "e.ofn": "Ontology()\n",
                           "e.ttl": TTL_PREFIXES + "[] a owl:Ontology .\n"})
    got = file_graph(db, "t.ofn")
    assert got == file_graph(db, "t.ttl")
    conn = sqlite3.connect(db)
    typed = conn.execute("SELECT source_file, count(*) FROM statements WHERE object = 'owl:Ontology' "
                         "AND subject LIKE '\\_:%' ESCAPE '\\' GROUP BY 1 ORDER BY 1").fetchall()
    # `shapes` leaves out the rows of a node another row points at: the ontology's, hung from the
    # owl:Annotation that points at it, as in Turtle
    hung = conn.execute("SELECT source_file, predicate FROM statements WHERE stanza <> subject "
                        "ORDER BY 1, 2").fetchall()
    conn.close()
    assert typed == [("e.ofn", 1), ("e.ttl", 1), ("t.ofn", 1), ("t.ttl", 1)]
    assert [p for f, p in hung if f == "t.ofn"] == [p for f, p in hung if f == "t.ttl"] == [
        "owl:imports", "rdf:type", "rdfs:comment", "rdfs:seeAlso"]
    assert file_graph(db, "e.ofn") == file_graph(db, "e.ttl") != set()
    facts = parse_file("t.ofn", ofn.encode(), ParseOptions())
    assert (facts.ontology_id, facts.warnings) == (None, [])


def test_an_abbreviated_ontology_iri_names_the_ontology() -> None:
    """`Ontology(ex:onto ex:onto-v1` (OWL 2's grammar: an ontology IRI is any IRI, abbreviated
    too) was read as prose, "not OWL functional syntax", and the file had no ontology id; and an
    IRI after the first axiom (`Ontology(<o> Declaration(...) <x>`) was taken for its version IRI."""
    text = (b"Prefix(ex:=<http://example.org/>)\nOntology(ex:onto ex:onto-v1\nDeclaration(Class(ex:A))\n)\n")
    facts = parse_file("t.ofn", text, ParseOptions())
    assert (facts.ontology_id, facts.warnings) == ("http://example.org/onto", [])
    assert [(a.axiom_type, a.subject, a.object) for a in facts.axioms] == [
        ("VersionIRI", "http://example.org/onto", "http://example.org/onto-v1")]
    late = b"Ontology(<http://example.org/o>\nDeclaration(Class(<http://example.org/A>))\n<http://example.org/x>\n)\n"
    facts = parse_file("t.ofn", late, ParseOptions())
    assert [a.axiom_type for a in facts.axioms] == []
    assert [(w.line, w.message) for w in facts.warnings] == [
        (3, "not OWL functional syntax: '<http://example.org/x>'")]


@pytest.mark.parametrize(("text", "line", "where"), [
    ('{\n "@context": {"ex": "http://x.org/"},\n "@graph": [\n  {"@id": "ex:a"},\n  {"@id": 5}\n ]\n}\n',
     5, '$["@graph"][1]["@id"]'),
    ('{\n "@context": {\n  "@vocab": ["http://x.org/"]\n },\n "@id": "http://x.org/a"\n}\n',
     3, '$["@context"]["@vocab"]'),
    ('{"@id": "http://x.org/a",\n "http://x.org/p": {"@value": "x",\n   "@language": "en", "@type": "http://x.org/t"}}',
     3, '$["http://x.org/p"]["@type"]'),
    ('{"@id": "http://x.org/a", "@type": ["http://x.org/C",\n 5]}', 1, '$["@type"]'),
    ('[{"@id": "http://x.org/a"},\n {"@id": "http://x.org/b", "http://x.org/p": {"@value": "x", "@direction": "up"}}]',
     2, '$[1]["http://x.org/p"]["@direction"]'),
    ('{"@context": [{"a": "http://x.org/a"},\n  {"p": 5}],\n "@id": "http://x.org/a"}', 2, '$["@context"][1]["p"]'),
    ('{"@id": "http://x.org/a",\n "@context": {"@id": "http://x.org/p"}}', 2, '$["@context"]["@id"]'),
])
def test_a_json_ld_semantic_error_names_its_line_and_path(text: str, line: int, where: str) -> None:
    """"JSON-LD syntax error: @id value must be a string": pyoxigraph's errors that are not JSON
    syntax carry no position, and the failed file's line named nothing in it. The member at fault
    is now named by its JSON path, and its line is the file's (`status`: `t.jsonld:5 [parse] ...`)."""
    with pytest.raises(ParseError) as caught:
        parse_file("t.jsonld", text.encode(), ParseOptions())
    assert (caught.value.line, caught.value.message.endswith(f"(at {where})")) == (line, True), caught.value.message


SWRL_TTL = """@prefix swrl: <http://www.w3.org/2003/11/swrl#> .
@prefix swrlb: <http://www.w3.org/2003/11/swrlb#> .
@prefix var: <urn:swrl:var#> .
var:x a swrl:Variable . var:y a swrl:Variable . var:a a swrl:Variable .
[] a swrl:Imp ; rdfs:comment "adults" ;
  swrl:body [ a swrl:AtomList ;
    rdf:first [ a swrl:ClassAtom ; swrl:classPredicate :Person ; swrl:argument1 var:x ] ;
    rdf:rest [ a swrl:AtomList ;
      rdf:first [ a swrl:DatavaluedPropertyAtom ; swrl:propertyPredicate :age ; swrl:argument1 var:x ;
                  swrl:argument2 var:a ] ;
      rdf:rest [ a swrl:AtomList ;
        rdf:first [ a swrl:BuiltinAtom ; swrl:builtin swrlb:greaterThan ; swrl:arguments ( var:a 17 ) ] ;
        rdf:rest [ a swrl:AtomList ;
          rdf:first [ a swrl:IndividualPropertyAtom ; swrl:propertyPredicate :knows ; swrl:argument1 var:x ;
                      swrl:argument2 var:y ] ;
          rdf:rest [ a swrl:AtomList ;
            rdf:first [ a swrl:ClassAtom ; swrl:classPredicate [ a owl:Class ; owl:complementOf :Child ] ;
                        swrl:argument1 var:y ] ;
            rdf:rest rdf:nil ] ] ] ] ] ;
  swrl:head [ a swrl:AtomList ;
    rdf:first [ a swrl:ClassAtom ; swrl:classPredicate :Adult ; swrl:argument1 var:x ] ;
    rdf:rest [ a swrl:AtomList ;
      rdf:first [ a swrl:SameIndividualAtom ; swrl:argument1 var:y ; swrl:argument2 :bob ] ;
      rdf:rest rdf:nil ] ] .
"""
SWRL_OFN = """Prefix(var:=<urn:swrl:var#>)
DLSafeRule(Annotation(rdfs:comment "adults")
  Body(ClassAtom(:Person Variable(var:x)) DataPropertyAtom(:age Variable(var:x) Variable(var:a))
       BuiltInAtom(<http://www.w3.org/2003/11/swrlb#greaterThan> Variable(var:a) "17"^^xsd:integer)
       ObjectPropertyAtom(:knows Variable(var:x) Variable(var:y))
       ClassAtom(ObjectComplementOf(:Child) Variable(var:y)))
  Head(ClassAtom(:Adult Variable(var:x)) SameIndividualAtom(Variable(var:y) :bob)))
"""


def test_a_swrl_rule_has_the_rows_protege_writes_for_it(tmp_path: Path) -> None:
    """Decided (docs/decisions.md): `DLSafeRule` in an `.ofn` file had no row in the readers'
    layer, where the same rule in Turtle has its triples. It now has the SWRL submission's RDF as
    the OWL API (Protégé) writes it: a `swrl:Imp` whose `swrl:body` and `swrl:head` are lists of
    atoms (each cell a `swrl:AtomList`), each variable typed `swrl:Variable`, the rule's
    annotations on its node."""
    db = synced(tmp_path, {"t.ofn": OFN_HEAD + SWRL_OFN + ")\n",
                           "t.ttl": TTL_HEAD + "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
                           + SWRL_TTL})
    got = file_graph(db, "t.ofn")
    assert got == file_graph(db, "t.ttl")
    assert sum(1 for r in got if r[3] == "http://www.w3.org/2003/11/swrl#Imp") == 1


def test_a_long_list_in_functional_syntax_is_read_in_linear_time() -> None:
    """`ObjectOneOf` of 10,000 individuals: each list cell's row found its stanza by walking up the
    cells before it (ofn_rdf.Graph.rows, without rdf_statements.hung_from's memo), quadratic: 7 s of
    CPU here (5,000: 1.7 s), where it now takes 0.1 s. Every row hangs from `:A`."""
    n = 10000
    items = " ".join(f":i{k}" for k in range(n))
    text = f"{OFN_HEAD}EquivalentClasses(:A ObjectOneOf({items}))\n)\n".encode()
    started = time.process_time()
    facts = parse_file("t.ofn", text, ParseOptions())
    spent = time.process_time() - started
    rows = next(a.annotations["rdf_graph"] for a in facts.axioms if "rdf_graph" in (a.annotations or {}))
    # each cell's rdf:first and rdf:rest, the expression's rdf:type and owl:oneOf, the equivalence
    assert (len(rows), {r[0] for r in rows}) == (2 * n + 3, {EX + "A"})
    assert spent < 2.0, spent


TTL_CLASS = b"@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<http://x.org/A> a owl:Class .\n"


@pytest.mark.parametrize(("path", "compress", "name", "label"), [
    ("t.owl", gzip.compress, "gzip", "RDF/XML"), ("t.rdf", lzma.compress, "xz", "RDF/XML"),
    ("t.ttl", lzma.compress, "xz", "Turtle"), ("t.ofn", bz2.compress, "bzip2", "OWL functional syntax")])
def test_a_compressed_file_is_named_so(path: str, compress, name: str, label: str) -> None:
    """An `.owl` file holding gzip failed "not an RDF/XML document: invalid UTF-8 (byte 0x8b;
    binary file?)", and an xz or bzip2 one "Turtle syntax error: BZh91AY is not a valid subject":
    only gzip and zip behind a UTF-8 syntax were named. Each is now named in every syntax."""
    with pytest.raises(ParseError) as caught:
        parse_file(path, compress(TTL_CLASS), ParseOptions())
    assert (caught.value.line, caught.value.message) == (
        1, f"the file is {name}-compressed, not {label} text: commit it uncompressed")


@pytest.mark.parametrize(("path", "text", "line"), [
    ("t.ttl", b"@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<http://x.org/g> {\n"
              b" <http://x.org/A> a owl:Class .\n}\n", 2),
    ("t.owl", b"<http://x.org/A> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
              b"<http://www.w3.org/2002/07/owl#Class> <http://x.org/g> .\n", 1),
    ("t.nt", b"<http://x.org/A> <http://x.org/p> <http://x.org/B> .\n"
             b"<http://x.org/A> <http://x.org/p> <http://x.org/B> <http://x.org/g> .\n", 2)])
def test_trig_or_n_quads_behind_a_triples_extension_is_named_so(path: str, text: bytes, line: int) -> None:
    """A TriG or N-Quads file named `.ttl`, `.owl` or `.nt` (a triple store's export) failed "{ is
    not a valid predicate" or "A dot is expected at the end of statements": a typo to look for. It is
    now named for what it is, on the line the parser stopped at; its graphs are not read (one graph
    per file), and a syntax error in a Turtle file stays one."""
    with pytest.raises(ParseError) as caught:
        parse_file(path, text, ParseOptions())
    assert caught.value.line == line
    assert "is TriG or N-Quads (it names graphs)" in caught.value.message, caught.value.message
    with pytest.raises(ParseError, match="Turtle syntax error"):
        parse_file("t.ttl", TTL_CLASS + b"<http://x.org/B> a {\n", ParseOptions())


def test_a_relative_xml_base_is_resolved_against_the_base_in_scope() -> None:
    """`<owl:Class xml:base="sub/" ...>` under `<rdf:RDF xml:base="http://example.org/t/onto">`: XML
    Base resolves it against its parent's base (rdflib does), but pyoxigraph took every `xml:base`
    for absolute and the whole file failed "No scheme found in an absolute IRI ... none is assumed".
    The IRIs are now RFC 3986's (and rdflib's); a document with no base still fails, saying so."""
    body = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#" xmlns:owl="http://www.w3.org/2002/07/owl#"{base}>\n'
            '<owl:Class rdf:about="#A"/>\n'
            '<owl:Class xml:base=\'sub/\' rdf:about="B"><rdfs:subClassOf rdf:resource="#A"/>\n'
            '  <rdfs:seeAlso><rdf:Description xml:base="../up/x?q=1&amp;r=2" rdf:about="#C"/></rdfs:seeAlso>\n'
            '</owl:Class>\n<owl:Class xml:base="http://other.org/" rdf:about="D"/>\n</rdf:RDF>\n')
    data = body.format(base=' xml:base="http://example.org/t/onto"').encode()
    facts = parse_file("t.owl", data, ParseOptions())
    # RFC 3986's resolution by hand (rdflib reads the same triples)
    triples = {(s, p, o) for _, s, p, o, *_ in facts.statements}
    assert triples == {("http://example.org/t/onto#A", "rdf:type", "owl:Class"),
                       ("http://example.org/t/sub/B", "rdf:type", "owl:Class"),
                       ("http://example.org/t/sub/B", "rdfs:subClassOf", "http://example.org/t/sub/#A"),
                       ("http://example.org/t/sub/B", "rdfs:seeAlso", "http://example.org/t/up/x?q=1&r=2#C"),
                       ("http://other.org/D", "rdf:type", "owl:Class")}
    with pytest.raises(ParseError, match="relative IRIs need a base"):
        parse_file("t.owl", body.format(base="").encode(), ParseOptions())


def test_turtle_saved_as_nt_fails_naming_it() -> None:
    """A `.nt` file holding Turtle (rdflib's serializer writes Turtle under whatever name it is
    given) failed "N-Triples syntax error: The subject of a triple must be an IRI": a typo to look
    for. It still fails (the W3C suite's N-Triples with `@prefix` are invalid), now saying why; an
    N-Triples syntax error in N-Triples stays one."""
    with pytest.raises(ParseError) as caught:
        parse_file("t.nt", b"# made by a script\n" + TTL_CLASS, ParseOptions())
    assert caught.value.line == 2
    assert caught.value.message.endswith(": the file is Turtle, which N-Triples is not (name it .ttl)")
    with pytest.raises(ParseError) as caught:
        parse_file("t.nt", b"<http://x.org/A> <http://x.org/p> <http://x.org/B>\n", ParseOptions())
    assert "Turtle" not in caught.value.message


def test_manchester_syntax_in_an_ofn_file_fails_naming_it() -> None:
    """An `.ofn` file holding Manchester syntax (`Prefix: : <...>`, `Class: A`) synced `ok` with
    nothing read but a "not OWL functional syntax" warning quoting its first words; it now fails
    naming the syntax, as an `.owl` file holding it does."""
    text = b"# from Protege\nPrefix: : <http://x.org/>\nOntology: <http://x.org/o>\nClass: A\n    SubClassOf: B\n"
    with pytest.raises(ParseError) as caught:
        parse_file("t.ofn", text, ParseOptions())
    assert caught.value.line == 1
    assert "OWL Manchester syntax, which ontosync does not read" in caught.value.message
    assert parse_file("u.ofn", b"Prefix(:=<http://x.org/>)\nOntology(:o)\n", ParseOptions()).ontology_id == "http://x.org/o"


def test_a_json_ld_language_maps_tags_keep_their_case() -> None:
    """Tags are kept as written (parsing/language_tags.py), but a JSON-LD language map's keys
    (`"label": {"EN-gb": "Colour"}`, its term's `"@container": "@language"`) came out lower-cased,
    `en-gb`, where the same label written `{"@value": "Colour", "@language": "EN-gb"}` kept `EN-gb`."""
    text = (b'{"@context": {"label": {"@id": "http://www.w3.org/2000/01/rdf-schema#label", '
            b'"@container": ["@language", "@set"]}},\n "@id": "http://x.org/A",\n'
            b' "label": {"EN-gb": "Colour", "de-AT": ["Farbe"], "fr": "Couleur"}}')
    rows = parse_file("t.jsonld", text, ParseOptions()).statements
    assert sorted((r[4], r[6]) for r in rows) == [("Colour", "EN-gb"), ("Couleur", "fr"), ("Farbe", "de-AT")]
