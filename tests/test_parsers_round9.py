"""Parsers, ninth round: functional syntax that was silently read one way (a prefix declared twice)
or failed whole (a cardinality past Python's int-text limit), and Logseq warnings on pages whose
`#+` directives are the page properties (lost, or advising what does nothing there).
"""

from __future__ import annotations

import pytest

from ontosync.parsing import ParseOptions, parse_file
from ontosync.parsing.facts import ParseError

OFN = "Prefix(:=<http://a.org/>)\n{more}Ontology(<http://x.org/o>\n{axioms})\n"


def ofn(axioms: str, more: str = "", path: str = "t.ofn"):
    return parse_file(path, OFN.format(more=more, axioms=axioms).encode(), ParseOptions())


def test_a_cardinality_of_thousands_of_digits_is_one_axiom_not_a_failed_file() -> None:
    """`str(int("1000...0"))` past 4,300 digits raised Python's ValueError: the whole file failed as a
    parser bug. Leading zeros are now stripped as text: `0003` is 3, and the long count is kept."""
    big = "1" + "0" * 5000
    facts = ofn(f"SubClassOf(:A ObjectMinCardinality(000{big} :p :B))\n"
                "SubClassOf(:C ObjectMaxCardinality(0003 :p))\n")
    texts = sorted(a.annotations["ofn"] for a in facts.axioms)
    assert texts == [f"SubClassOf(<http://a.org/A> ObjectMinCardinality({big} <http://a.org/p> <http://a.org/B>))",
                     "SubClassOf(<http://a.org/C> ObjectMaxCardinality(3 <http://a.org/p>))"], texts
    assert facts.warnings == []
    counts = sorted(row[4] for a in facts.axioms for row in a.annotations["rdf_graph"]
                    if row[2].endswith("Cardinality"))
    assert counts == [big, "3"]  # the readers' layer's triple: the same number


def test_a_prefix_declared_again_with_another_namespace_is_a_warning_naming_both_lines() -> None:
    """OWL 2 gives a prefix name one mapping (its prefix map); `Prefix(:=<a>)` then `Prefix(:=<b>)` silently used
    the later one. Each name still expands by the declaration before it, and the second line warns."""
    facts = ofn("SubClassOf(:A :B)\n", more="Prefix(:=<http://a.org/>)\nPrefix(:=<http://b.org/>)\n")
    assert [(w.kind, w.line) for w in facts.warnings] == [("prefix-redeclared", 3)]  # line 2 repeats line 1
    message = facts.warnings[0].message
    assert "line 2" in message and "<http://a.org/>" in message and "<http://b.org/>" in message, message
    assert [(e.child, e.parent) for e in facts.edges] == [("http://b.org/A", "http://b.org/B")]


def warnings(text: str) -> list[tuple[str, int, str]]:
    facts = parse_file("pages/x.md", text.encode(), ParseOptions())
    return [(w.kind, w.line or 0, w.message) for w in facts.warnings]


DIRECTIVES_BELOW = ("#+title: Dir\n\n- block one\n  alias:: Other\n- ### OntologyBlock\n  title:: Wrong\n"
                    "  owl:class:: http://x.org/A\n#+alias: Z\n")


def test_a_block_alias_above_the_last_directive_is_still_a_warning() -> None:
    """With `#+` directives the page properties are the directives, and the line of the last one was
    taken as the end of the page properties: an `alias::` or `title::` above it named nothing in
    Logseq, and its `block-alias` / `block-title` warning vanished."""
    said = warnings(DIRECTIVES_BELOW)
    assert [(kind, line) for kind, line, _m in said] == [("block-alias", 4), ("block-title", 6)], said


@pytest.mark.parametrize("text", [DIRECTIVES_BELOW,
                                  "#+title: Dir\n\n- ### OntologyBlock\n  title:: Wrong\n  alias:: Q\n"])
def test_on_a_directive_page_a_block_name_warning_says_to_write_a_directive(text: str) -> None:
    """"Move it there" (to the first block) does nothing on a page whose directives are its
    properties: the warning says to write `#+title:` / `#+alias:`."""
    said = {kind: message for kind, _line, message in warnings(text)}
    assert "write it as #+title:" in said["block-title"] and "move it" not in said["block-title"], said
    assert "write it as #+alias:" in said["block-alias"], said


def test_a_block_title_on_a_page_with_no_directive_still_says_move_it() -> None:
    said = warnings("type:: x\n\n- ### OntologyBlock\n  title:: Wrong\n  owl:class:: http://x.org/A\n")
    assert [(kind, line) for kind, line, _m in said] == [("block-title", 4)], said
    assert said[0][2].endswith("move it there"), said


LANGUAGE_MAP = ('{"@context": {"p": {"@id": "http://x.org/p", "@container": %s}},\n "@id": "http://x.org/a",\n'
                ' "p": {"en": ["x", "y"], "de": null,\n   "fr": %s}}')


@pytest.mark.parametrize(("container", "value"), [('"@language"', "5"), ('["@language", "@set"]', '{"@value": "x"}'),
                                                  ('"@language"', '["a", 5]')])
def test_a_language_map_s_bad_value_names_its_member_and_line(container: str, value: str) -> None:
    """"The values in a @language map must be null or strings" named no place: the member at fault
    is named by its JSON path and line, as the other JSON-LD errors are (null, strings and lists of
    strings pass, as JSON-LD 1.1 and pyoxigraph read them)."""
    with pytest.raises(ParseError) as caught:
        parse_file("t.jsonld", (LANGUAGE_MAP % (container, value)).encode(), ParseOptions())
    assert (caught.value.line, caught.value.message.endswith('(at $["p"]["fr"])')) == (4, True), caught.value.message


CONTEXTS = {"http://ctx.example/two.jsonld": '{"@context": [{"ex": "http://x.org/"}, {"q": "ex:q"}]}'}


@pytest.mark.parametrize(("context", "line", "where"), [
    ('[\n  "http://ctx.example/two.jsonld",\n  {"@vocab": 5}\n ]', 5, '$["@context"][1]["@vocab"])'),
    ('[\n  {"ex": "http://x.org/"},\n  "http://ctx.example/two.jsonld",\n  {"q": "ex:q"},\n  {"@vocab": 5}\n ]',
     7, '$["@context"][3]["@vocab"])'),
    ('[\n  {"@vocab": 5},\n  "http://ctx.example/two.jsonld"\n ]', 4, '$["@context"][0]["@vocab"])'),
])
def test_the_user_s_own_object_in_a_context_array_with_a_mapped_url_is_named(context: str, line: int,
                                                                              where: str) -> None:
    """In a `@context` array holding a mapped URL, any index stopped the walk: the error named the
    `@context` line and blamed the mapped context, where the fault was the user's own object. The
    user's objects before the first URL and after the last are theirs, with their own index and line."""
    text = '{\n "@id": "http://x.org/a",\n "@context": ' + context + "\n}\n"
    with pytest.raises(ParseError) as caught:
        parse_file("t.jsonld", text.encode(), ParseOptions(jsonld_contexts=CONTEXTS))
    assert (caught.value.line, caught.value.message.endswith(f"(at {where}")) == (line, True), caught.value.message


REIFIED = """@prefix : <http://x.org/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
:A a owl:Class . :B a owl:Class . :C a owl:Class . :D a owl:Class .
[] a owl:Axiom ; owl:annotatedSource :A ; owl:annotatedProperty rdfs:subClassOf ; owl:annotatedTarget :B ;
   rdfs:comment "why A" .
:C rdfs:subClassOf :D .
[] owl:annotatedSource :C ; owl:annotatedProperty rdfs:subClassOf ; owl:annotatedTarget :D ; rdfs:comment "why C" .
"""


def test_a_reified_axiom_the_mapping_does_not_read_is_a_warning() -> None:
    """An `owl:Axiom` reifying a subclass triple the file does not assert was ignored without a word,
    and a node without `rdf:type owl:Axiom` was read as an annotated axiom though OWL 2's mapping
    (and the OWL API) read an annotated axiom only from the typed node and its asserted triple. Each
    is now a warning; no edge or annotated row is made from either, the asserted edge stays."""
    facts = parse_file("t.ttl", REIFIED.encode(), ParseOptions())
    assert [(e.child, e.parent) for e in facts.edges] == [("http://x.org/C", "http://x.org/D")]
    assert facts.axioms == []
    said = sorted(w.message for w in facts.warnings if w.kind == "annotated-axiom")
    assert len(said) == 2 and "<http://x.org/A> and <http://x.org/B> is not asserted" in said[0], said
    assert "<http://x.org/C> and <http://x.org/D> has no rdf:type owl:Axiom" in said[1], said


def page_axioms(value: str) -> tuple[list[tuple[str, str]], list[str]]:
    text = f"- ### OntologyBlock\n  owl:class:: http://x.org/A\n  {value}\n"
    facts = parse_file("pages/x.md", text.encode(), ParseOptions())
    return [(a.axiom_type, a.object) for a in facts.axioms], [w.kind for w in facts.warnings]


SKOS_EXACT = "<http://www.w3.org/2004/02/skos/core#exactMatch>"


@pytest.mark.parametrize(("value", "axioms", "kinds"), [
    # a mapping property's link to a file: no class minted from the file name, a warning
    ("skos:exactMatch:: [[assets/x.pdf]]", [], ["asset-link"]),
    ("skos:exactMatch:: [[assets/x.pdf]], http://x.org/m",
     [("AnnotationAssertion", f"{SKOS_EXACT} <http://x.org/m>")], ["asset-link"]),
    # the same name also written as a tag: the tag is a page ref in Logseq, kept
    ("has-part:: [[assets/x]] #[[assets/x]]", [("Relationship", "urn:ontosync:page:assets%2Fx")], []),
    ("has-part:: [[draws/d.excalidraw]], #draws/d.excalidraw",
     [("Relationship", "urn:ontosync:page:draws%2Fd.excalidraw")], []),
    ("has-part:: #[[assets/x]]", [("Relationship", "urn:ontosync:page:assets%2Fx")], []),
])
def test_an_asset_link_names_no_page_in_a_mapping_and_a_tag_of_it_still_does(value, axioms, kinds) -> None:
    """`skos:exactMatch:: [[assets/x.pdf]]` minted a class from the file's name (the mapping
    properties were read before the asset filter), and `[[assets/x]] #[[assets/x]]` dropped the
    tag's page ref with the file link, though Logseq keeps a Tag node's ref whatever it names."""
    assert page_axioms(value) == (axioms, kinds)


def test_a_hash_glued_to_a_name_starts_a_comment_as_the_grammar_says() -> None:
    """`:B#x` was read as the IRI `http://a.org/B#x`, without a word. OWL 2's prefixed names are
    SPARQL's PNAME_LN, which holds no `#`, and `#` starts a comment (Turtle reads `ex:B#x` so too):
    the name is `:B`, and a warning names the line and says how a hash IRI is written."""
    facts = ofn("SubClassOf(:A :B#why\n)\nSubClassOf(:C :D) # a comment after a space\n")
    assert sorted((e.child, e.parent) for e in facts.edges) == [("http://a.org/A", "http://a.org/B"),
                                                                 ("http://a.org/C", "http://a.org/D")]
    assert [(w.line, w.message.split(":", 2)[1]) for w in facts.warnings] == [(3, "B#why")], facts.warnings
    assert "<...#why>" in facts.warnings[0].message


COPIED_TARGET = """@prefix : <http://a.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
:A a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :B ] .
:p a owl:ObjectProperty .
[] a owl:Axiom ; owl:annotatedSource :A ; owl:annotatedProperty rdfs:subClassOf ; rdfs:comment "why" ;
   owl:annotatedTarget [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom {target} ] .
"""


def test_an_annotated_axiom_whose_target_is_a_copy_of_the_restriction_is_read_not_warned() -> None:
    """The OWL API writes a new copy of an anonymous target inside `owl:annotatedTarget` (Uberon,
    PROV-O): blank nodes compared by identity said "not asserted (only reified)" of every annotated
    SubClassOf of a restriction, and the annotation was lost. The copy is matched by its rendered
    expression: the annotated row is the one the functional-syntax file gives."""
    facts = parse_file("t.ttl", COPIED_TARGET.format(target=":B").encode(), ParseOptions())
    assert facts.warnings == []
    same = ofn('SubClassOf(Annotation(rdfs:comment "why") :A ObjectSomeValuesFrom(:p :B))\n'
               "Declaration(ObjectProperty(:p))\n").axioms
    assert [a.annotations["ofn"] for a in facts.axioms] == [a.annotations["ofn"] for a in same]
    assert facts.axioms[0].annotations["ofn"].startswith('SubClassOf(Annotation(<http://www.w3.org/2000/01/rdf-')
    other = parse_file("t.ttl", COPIED_TARGET.format(target=":C").encode(), ParseOptions())  # a copy of nothing
    assert [w.kind for w in other.warnings] == ["annotated-axiom"] and "not asserted" in other.warnings[0].message
    assert [a.annotations for a in other.axioms] == [None]


def test_an_annotated_gci_whose_source_is_a_copy_is_read_not_warned() -> None:
    """The same copy as the annotated source of a general class inclusion (`[restriction]
    rdfs:subClassOf :A`): no asserted triple had the copy as subject, so it read "not asserted"."""
    ttl = COPIED_TARGET.split(":A a owl:Class")[0] + (
        ":p a owl:ObjectProperty .\n"
        "[ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :B ] rdfs:subClassOf :A .\n"
        '[] a owl:Axiom ; owl:annotatedProperty rdfs:subClassOf ; owl:annotatedTarget :A ; rdfs:comment "why" ;\n'
        "   owl:annotatedSource [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :B ] .\n")
    facts = parse_file("t.ttl", ttl.encode(), ParseOptions())
    same = ofn('SubClassOf(Annotation(rdfs:comment "why") ObjectSomeValuesFrom(:p :B) :A)\n'
               "Declaration(ObjectProperty(:p))\n").axioms
    assert facts.warnings == []
    assert [a.annotations["ofn"] for a in facts.axioms] == [a.annotations["ofn"] for a in same] != [None]


@pytest.mark.parametrize("count", ["1" + "0" * 25, "+0003", " 7 "])
def test_a_long_cardinality_in_turtle_is_the_row_functional_syntax_gives(count: str) -> None:
    """RDF refused a count over 20 digits ("not a non-negative integer", no row) where the same axiom
    in .ofn gave a row: both now write the count by one rule (leading zeros stripped, as text)."""
    ttl = ("@prefix : <http://a.org/> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
           "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n:p a owl:ObjectProperty .\n"
           f':A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:minCardinality "{count}" ] .\n')
    facts = parse_file("t.ttl", ttl.encode(), ParseOptions())
    written = count.strip().removeprefix("+")
    same = ofn(f"Declaration(ObjectProperty(:p))\nSubClassOf(:A ObjectMinCardinality({written} :p))\n")
    assert facts.warnings == [] and [a.object for a in facts.axioms] == [a.object for a in same.axioms]
    assert facts.axioms[0].object == f"ObjectMinCardinality({written.lstrip('0')} <http://a.org/p>)"
