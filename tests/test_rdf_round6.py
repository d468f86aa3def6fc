"""RDF and functional syntax, sixth round: what an `.ofn` file's readers' layer still lacked beside
the same ontology in Turtle (an annotated ontology annotation, annotations of an anonymous
individual), the choice of `owl:members` for `owl:AllDifferent`, and corners of RDF input. The
Turtle's rows are the reference (`shapes`: blank nodes compared by what they hold).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ontosync.cli import main
from ontosync.parsing import ParseOptions, parse_file
from tests.test_ofn_layer import shapes

EX = "http://example.org/t#"
TTL_HEAD = f"""@prefix : <{EX}> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .
<http://example.org/t> a owl:Ontology .
"""
OFN_HEAD = f"""Prefix(:=<{EX}>)
Prefix(oio:=<http://www.geneontology.org/formats/oboInOwl#>)
Prefix(rdf:=<http://www.w3.org/1999/02/22-rdf-syntax-ns#>)
Ontology(<http://example.org/t>
"""


def synced(tmp_path: Path, files: dict[str, str]) -> Path:
    """`files` synced, each in its own tree and database (a file's rows, whatever the others)."""
    src = tmp_path / "src"
    src.mkdir()
    for name, text in files.items():
        (src / name).write_text(text, encoding="utf-8")
    db = tmp_path / "o.db"
    assert main(["sync", str(src), "--db", str(db), "--quiet", "--workers", "1"]) == 0
    return db


def file_graph(db: Path, path: str) -> set[tuple]:
    """One file's `statements` rows, as tests/test_ofn_layer.py's `shapes` compares them."""
    conn = sqlite3.connect(db)
    try:
        return shapes(conn.execute("SELECT stanza, subject, predicate, object, value, datatype, language "
                                   "FROM statements WHERE source_file = ?", (path,)).fetchall())
    finally:
        conn.close()


def twins(tmp_path: Path, ofn: str, ttl: str) -> tuple[set[tuple], set[tuple]]:
    db = synced(tmp_path, {"t.ofn": OFN_HEAD + ofn + ")\n", "t.ttl": TTL_HEAD + ttl})
    return file_graph(db, "t.ofn"), file_graph(db, "t.ttl")


def test_an_annotated_ontology_annotation_is_reified_as_turtle_reifies_it(tmp_path: Path) -> None:
    """`Ontology(<o> Annotation(Annotation(rdfs:comment "why") rdfs:seeAlso <about>))`: the `.ofn`
    file's layer had `<o> rdfs:seeAlso <about>` and not the `owl:Annotation` OWL 2's mapping gives
    the annotation's own annotation (as the same ontology in Turtle has it); an ontology annotation
    whose value is an anonymous individual had no row at all."""
    ofn = ('Annotation(Annotation(rdfs:comment "why") Annotation(oio:source "s") rdfs:seeAlso :about)\n'
           'Annotation(rdfs:comment "plain")\nAnnotation(rdfs:seeAlso _:v)\n')
    ttl = ('<http://example.org/t> rdfs:seeAlso :about ; rdfs:comment "plain" ; rdfs:seeAlso _:v .\n'
           '[] a owl:Annotation ; owl:annotatedSource <http://example.org/t> ; owl:annotatedProperty rdfs:seeAlso ;\n'
           '  owl:annotatedTarget :about ; rdfs:comment "why" ; oio:source "s" .\n')
    got, want = twins(tmp_path, ofn, ttl)
    assert got == want
    assert sum(1 for r in got if r[2] == "owl:annotatedSource") == 1


def test_annotations_of_an_anonymous_individual_reach_the_layer(tmp_path: Path) -> None:
    """`AnnotationAssertion(rdfs:comment _:x "c")` (or `_:x` as the value) gave no row, and a
    synonym or deprecation of `_:x` gave one whose subject was the bare `_:x`: not the individual's
    node of the file (`ClassAssertion(:A _:x)`'s), and one node for every file that says `_:x`.
    Each is now the triple Turtle gives, on the file's one node for `_:x`."""
    ofn = ('Declaration(Class(:A))\nClassAssertion(:A _:x)\nAnnotationAssertion(rdfs:comment _:x "com")\n'
           'AnnotationAssertion(rdfs:label _:x "anon"@en)\nAnnotationAssertion(oio:hasExactSynonym _:x "syn")\n'
           'AnnotationAssertion(owl:deprecated _:x "true"^^xsd:boolean)\n'
           'AnnotationAssertion(Annotation(rdfs:comment "why") rdfs:seeAlso :A _:y)\n'
           'AnnotationAssertion(rdfs:label _:y "why")\n')
    ttl = (':A a owl:Class .\n_:x a :A ; rdfs:comment "com" ; rdfs:label "anon"@en ; oio:hasExactSynonym "syn" ;\n'
           '  owl:deprecated true .\n:A rdfs:seeAlso _:y . _:y rdfs:label "why" .\n'
           '[] a owl:Axiom ; owl:annotatedSource :A ; owl:annotatedProperty rdfs:seeAlso ; owl:annotatedTarget _:y ;\n'
           '  rdfs:comment "why" .\n')
    db = synced(tmp_path, {"t.ofn": OFN_HEAD + ofn + ")\n", "t.ttl": TTL_HEAD + ttl,
                           "u.ofn": OFN_HEAD + 'AnnotationAssertion(oio:hasExactSynonym _:x "other")\n)\n'})
    assert file_graph(db, "t.ofn") == file_graph(db, "t.ttl")
    conn = sqlite3.connect(db)
    nodes = conn.execute("SELECT source_file, count(DISTINCT subject) FROM statements WHERE subject LIKE '_:%' "
                         "AND source_file LIKE '%.ofn' GROUP BY 1 ORDER BY 1").fetchall()
    bare = conn.execute("SELECT count(*) FROM statements WHERE subject = '_:x'").fetchone()[0]
    conn.close()
    # t.ofn: _:x, _:y and the owl:Axiom; u.ofn its own _:x
    assert (nodes, bare) == ([("t.ofn", 3), ("u.ofn", 1)], 0)


def test_all_different_is_owl_members_and_an_owl_1_file_keeps_distinct_members(tmp_path: Path) -> None:
    """Decided (docs/decisions.md): an `.ofn` file's n-ary `DifferentIndividuals` is W3C's
    `owl:AllDifferent` with `owl:members`, the rows of a Turtle file written so; an OWL 1 (or OWL
    API) Turtle file's `owl:distinctMembers` stays its triple, not rewritten: `statements` are the
    file's triples, and no view of the layer reads either predicate."""
    ofn = "DifferentIndividuals(:i :j :k)\n"
    db = synced(tmp_path, {"t.ofn": OFN_HEAD + ofn + ")\n",
                           "t.ttl": TTL_HEAD + "[] a owl:AllDifferent ; owl:members ( :i :j :k ) .\n",
                           "v.ttl": TTL_HEAD + "[] a owl:AllDifferent ; owl:distinctMembers ( :i :j :k ) .\n"})
    got, owl1 = file_graph(db, "t.ofn"), file_graph(db, "v.ttl")
    assert got == file_graph(db, "t.ttl")
    assert {r[2] for r in got} - {r[2] for r in owl1} == {"owl:members"}
    assert {r[2] for r in owl1} - {r[2] for r in got} == {"owl:distinctMembers"}
    conn = sqlite3.connect(db)
    readers = conn.execute("SELECT name FROM sqlite_master WHERE type = 'view' AND sql LIKE '%embers%'").fetchall()
    conn.close()
    assert readers == []  # the decision's premise: were a view to read one, both would have to be read


def test_a_plain_literal_typed_rdf_plain_literal_is_its_short_form(tmp_path: Path) -> None:
    """`"Alpha@en"^^rdf:PlainLiteral` is the literal `"Alpha"@en`, and `"x@"^^rdf:PlainLiteral` is
    `"x"` (OWL 2's structural specification, 5.7; RDF writes them so): an `.ofn` file's class was
    labelled `Alpha@en` and its layer had the typed literal where Turtle has the tagged one. A
    lexical form that is not one (`a@b.org`: no language tag) stays as written."""
    ofn = ("Declaration(Class(:A))\n"
           'AnnotationAssertion(rdfs:label :A "Alpha@en"^^rdf:PlainLiteral)\n'
           'AnnotationAssertion(rdfs:comment :A "plain \\"q\\"@"^^rdf:PlainLiteral)\n'
           'AnnotationAssertion(:n :A "a@b.org"^^rdf:PlainLiteral)\n'
           'DataPropertyAssertion(:d :i "five@EN-gb"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral>)\n')
    ttl = (':A a owl:Class ; rdfs:label "Alpha"@en ; rdfs:comment "plain \\"q\\"" ;\n'
           '  :n "a@b.org"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral> .\n:i :d "five"@EN-gb .\n')
    db = synced(tmp_path, {"t.ofn": OFN_HEAD + ofn + ")\n", "t.ttl": TTL_HEAD + ttl})
    assert file_graph(db, "t.ofn") == file_graph(db, "t.ttl")
    conn = sqlite3.connect(db)
    labels = conn.execute("SELECT path, label, comment FROM file_classes ORDER BY 1").fetchall()
    conn.close()
    assert labels == [("t.ofn", "Alpha", 'plain "q"'), ("t.ttl", "Alpha", 'plain "q"')]


def test_an_anonymous_individuals_rows_hang_from_the_named_subject_pointing_at_it(tmp_path: Path) -> None:
    """`stanza` is the named subject a blank node hangs from. An anonymous individual `_:y` that
    `:i :p _:y` points at is one node of the file, but each axiom's rows were hung within that
    axiom: `_:y`'s own rows (its class expression's too) had `_:y` as their stanza where the same
    ontology's Turtle has `:i`."""
    ofn = ('AnnotationAssertion(rdfs:seeAlso :A _:x)\nAnnotationAssertion(rdfs:label _:x "l")\n'
           "ClassAssertion(ObjectSomeValuesFrom(:p :B) _:y)\nObjectPropertyAssertion(:p :i _:y)\n"
           'DataPropertyAssertion(:d _:y "5"^^xsd:integer)\nClassAssertion(:B _:z)\n')
    ttl = (':A rdfs:seeAlso _:x . _:x rdfs:label "l" .\n'
           "_:y a [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :B ] ; :d 5 .\n:i :p _:y .\n"
           "_:z a :B .\n")
    db = synced(tmp_path, {"t.ofn": OFN_HEAD + ofn + ")\n", "t.ttl": TTL_HEAD + ttl})
    conn = sqlite3.connect(db)
    stanzas = {name: sorted(conn.execute(
        "SELECT CASE WHEN stanza LIKE '_:%' THEN 'blank' ELSE stanza END, predicate, "
        "coalesce(value, CASE WHEN object LIKE '_:%' THEN 'blank' ELSE object END) "
        "FROM statements WHERE source_file = ? AND subject LIKE '_:%' AND object IS NOT 'owl:Ontology'", (name,)),
        key=repr) for name in ("t.ofn", "t.ttl")}
    conn.close()
    assert stanzas["t.ofn"] == stanzas["t.ttl"]
    assert ("blank", "rdf:type", EX + "B") in stanzas["t.ofn"]  # _:z hangs from nothing


@pytest.mark.parametrize("text", [
    "<http://example.org/t#A> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>\n"
    "  <http://www.w3.org/2002/07/owl#Class> .\n",
    "# written by riot\n<http://example.org/t#A> a <http://www.w3.org/2002/07/owl#Class> .\n",
    "_:b0 <http://www.w3.org/2000/01/rdf-schema#label> \"x\" .\n"
    "<http://example.org/t#A> a <http://www.w3.org/2002/07/owl#Class> .\n"])
def test_an_owl_file_of_n_triples_or_turtle_without_directives_is_read_as_turtle(text: str) -> None:
    """An `.owl` file holding N-Triples (or Turtle with no `@prefix`) was read as RDF/XML: it failed
    "RDF/XML syntax error: Unknown prefix http:" or was skipped as "XML without the RDF namespace".
    A document that starts with an absolute `<scheme://...>` IRI or a `_:` blank node is no XML."""
    facts = parse_file("t.owl", text.encode(), ParseOptions())
    assert (facts.format, facts.skipped, [c.iri for c in facts.classes]) == ("turtle", None, [EX + "A"])


def test_a_relative_datatype_iri_in_functional_syntax_is_named_not_kept() -> None:
    """`"x"^^<dt>`: round 5 made a relative `<IRI>` an entity's warning, but a datatype's was kept,
    the layer's row typed `dt` (a Turtle `"x"^^<dt>` without `@base` fails, naming it). Each such
    axiom is now skipped with the warning on its line, as for any relative IRI."""
    text = (OFN_HEAD + "Declaration(Class(:A))\nAnnotationAssertion(:n :A \"x\"^^<dt>)\n"
            "AnnotationAssertion(rdfs:label :A \"y\"^^<rel/dt>)\nDataPropertyAssertion(:d :i \"5\"^^xsd:integer)\n)\n")
    facts = parse_file("t.ofn", text.encode(), ParseOptions())
    assert [(a.axiom_type, a.object) for a in facts.axioms] == [
        ("DataPropertyAssertion", '<http://example.org/t#i> "5"^^<http://www.w3.org/2001/XMLSchema#integer>')]
    assert [c.label for c in facts.classes] == [None]
    assert [(w.line, "relative IRI <dt>" in w.message or "relative IRI <rel/dt>" in w.message)
            for w in facts.warnings] == [(6, True), (7, True)]


def test_a_utf8_byte_order_mark_wins_over_a_declared_encoding() -> None:
    """An RDF/XML file saved as UTF-8 with a byte order mark by an editor that kept its
    `encoding="ISO-8859-1"` declaration: its labels were read as Latin-1 (`CafÃ©`), without a
    word. The mark says UTF-8 (XML 1.0, appendix F: it is the document's encoding), as it does
    for UTF-16 and UTF-32."""
    body = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#" xmlns:owl="http://www.w3.org/2002/07/owl#">\n'
            f'<owl:Class rdf:about="{EX}A"><rdfs:label>Caf\u00e9</rdfs:label></owl:Class></rdf:RDF>\n')
    for declared in ("ISO-8859-1", "windows-1252", "UTF-8"):
        data = b"\xef\xbb\xbf" + f'<?xml version="1.0" encoding="{declared}"?>\n{body}'.encode()
        assert [c.label for c in parse_file("t.owl", data, ParseOptions()).classes] == ["Caf\u00e9"], declared
    # a blank line before the declaration (a template's): read as when it declares UTF-8, not failed
    # "Only UTF-8 is supported by the RDF/XML parser"
    data = f'\n<?xml version="1.0" encoding="ISO-8859-1"?>\n{body}'.encode("latin-1")
    assert [c.label for c in parse_file("t.owl", data, ParseOptions()).classes] == ["Caf\u00e9"]
