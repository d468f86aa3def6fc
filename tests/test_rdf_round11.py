"""RDF/XML, JSON-LD and functional syntax, eleventh round: RDF/XML property-element attributes on
node elements, JSON-LD error lines between mapped contexts, comments in .ofn bracket matching.
"""

from __future__ import annotations

import pytest

from ontosync.parsing import ParseOptions, parse_file
from ontosync.parsing.facts import ParseError

HEAD = (
    '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
    ' xmlns:owl="http://www.w3.org/2002/07/owl#" xmlns:ex="http://x.org/" xml:base="http://x.org/">\n'
)


@pytest.mark.parametrize(
    ("body", "element", "attribute"),
    [
        ('<owl:Class rdf:about="#A" rdf:resource="#B"/>', "owl:Class", "resource"),
        ('<owl:Class rdf:resource="#B"\n  rdf:about="#A"/>', "owl:Class", "resource"),
        (
            '<owl:Class rdf:about="#A">\n <ex:p>\n  <ex:Thing rdf:resource="#B"/>\n </ex:p>\n</owl:Class>',
            "ex:Thing",
            "resource",
        ),
        (
            '<owl:Class rdf:about="#A">\n <ex:p>\n  <rdf:Description rdf:resource="#B"/>\n </ex:p>\n</owl:Class>',
            "rdf:Description",
            "resource",
        ),
        ('<owl:Class rdf:about="#A" rdf:parseType="Resource"/>', "owl:Class", "parseType"),
        ('<ex:Thing rdf:resource="#B"/>', "ex:Thing", "resource"),
        (
            '<owl:Class rdf:about="#A">\n <ex:p rdf:parseType="Collection">\n  <ex:Thing rdf:resource="#B"/>\n'
            " </ex:p>\n</owl:Class>",
            "ex:Thing",
            "resource",
        ),
    ],
)
def test_a_property_elements_attribute_on_a_node_element_fails_naming_its_line(
    body: str, element: str, attribute: str
) -> None:
    """pyoxigraph dropped `rdf:resource` / `rdf:parseType` on a node element without a word (the
    first gave `#A a owl:Class` alone, a nested one a blank node typed ex:Thing where #B was meant):
    such a file is no RDF/XML and fails, naming the element and its line."""
    text = HEAD + body + "\n</rdf:RDF>\n"
    line = 4 + body.split(f"<{element} ")[0].count("\n")
    with pytest.raises(ParseError) as caught:
        parse_file("t.owl", text.encode(), ParseOptions())
    assert caught.value.line == line, caught.value
    assert caught.value.message.startswith(f"RDF/XML syntax error: rdf:{attribute} on the node element <{element}>")


@pytest.mark.parametrize(
    "body",
    [
        '<owl:Class rdf:about="#A">\n <ex:p rdf:resource="#B"/>\n <ex:q rdf:ID="s1" rdf:resource="#C"/>\n</owl:Class>',
        '<owl:Class rdf:about="#A">\n <ex:p rdf:parseType="Resource">\n  <ex:q rdf:resource="#B"/>\n </ex:p>\n'
        "</owl:Class>",
        '<owl:Class rdf:about="#A">\n <ex:p rdf:parseType="Literal"><ex:Thing rdf:resource="#B"/></ex:p>\n</owl:Class>',
        '<owl:Class rdf:about="#A">\n <ex:p><owl:Thing/></ex:p>\n <!-- <x rdf:about="a" rdf:resource="b"/> -->\n'
        "</owl:Class>",
    ],
)
def test_the_same_attributes_on_property_elements_still_read(body: str) -> None:
    facts = parse_file("t.owl", (HEAD + body + "\n</rdf:RDF>\n").encode(), ParseOptions())
    assert [c.iri for c in facts.classes] == ["http://x.org/#A"]


CONTEXTS = {
    "http://ctx.example/a.jsonld": '{"@context": {"ex": "http://x.org/"}}',
    "http://ctx.example/two.jsonld": '{"@context": [{"ex": "http://x.org/"}, {"q": "ex:q"}]}',
    "http://ctx.example/nest.jsonld": '{"@context": ["http://ctx.example/two.jsonld", {"r": "ex:r"}]}',
    "http://ctx.example/bad.jsonld": '{"@context": {"b": {"@id": "http://x.org/b", "@container": 5}}}',
}


@pytest.mark.parametrize(
    ("text", "line", "where"),
    [
        # the user's own object between two mapped contexts: its own index and line
        (
            '{\n "@context": [\n  "http://ctx.example/a.jsonld",\n  {"t": 5},\n  "http://ctx.example/two.jsonld"\n ],\n'
            ' "@id": "ex:a"\n}\n',
            4,
            '$["@context"][1]["t"])',
        ),
        # ... after a mapped context that names another one
        (
            '{\n "@context": [\n  "http://ctx.example/nest.jsonld",\n  {"s": "ex:s"},\n  {"t": 5},\n'
            '  "http://ctx.example/a.jsonld"\n ],\n "@id": "ex:a"\n}\n',
            5,
            '$["@context"][2]["t"])',
        ),
        # ... in a scoped context
        (
            '{\n "@context": {"ex": "http://x.org/",\n  "p": {"@id": "ex:p", "@context": ["http://ctx.example/a.jsonld",\n'
            '   {"t": 5}, "http://ctx.example/a.jsonld"]}},\n "@id": "ex:a", "p": {"@id": "ex:b"}\n}\n',
            4,
            '$["@context"]["p"]["@context"][1]["t"])',
        ),
        # the fault inside the second mapped context: the line of the URL that brought it in, the
        # user's index of it (the first mapped context brought two objects)
        (
            '{\n "@context": [\n  "http://ctx.example/two.jsonld",\n  "http://ctx.example/bad.jsonld"\n ],\n'
            ' "@id": "ex:a"\n}\n',
            4,
            '$["@context"][1]["b"]["@container"], in what',
        ),
        (
            '{\n "@context": [\n  "http://ctx.example/a.jsonld",\n  "http://ctx.example/bad.jsonld",\n'
            '  {"t": "ex:t"}\n ],\n "@id": "ex:a"\n}\n',
            4,
            '$["@context"][1]["b"]["@container"], in what',
        ),
        (
            '{\n "@context": [\n  "http://ctx.example/a.jsonld",\n  {"t": "ex:t"},\n  "http://ctx.example/bad.jsonld",\n'
            '  {"s": "ex:s"}\n ],\n "@id": "ex:a"\n}\n',
            5,
            '$["@context"][2]["b"]["@container"], in what',
        ),
    ],
)
def test_a_json_ld_error_between_mapped_contexts_names_its_own_line(text: str, line: int, where: str) -> None:
    """An error in the user's object between two mapped contexts of a `@context` array was put in
    "what a mapped context on that line brought in", on the array's line; one inside the second
    mapped context named the array's line too, not the URL's. Each mapped URL's share of the
    inlined array is known now, so the user's own item, or the URL, is named."""
    with pytest.raises(ParseError) as caught:
        parse_file("t.jsonld", text.encode(), ParseOptions(jsonld_contexts=CONTEXTS))
    assert (caught.value.line, f"(at {where}" in caught.value.message) == (line, True), caught.value.message


def test_a_close_bracket_inside_a_comment_is_not_owed_to_the_form_it_would_have_closed() -> None:
    """`SubClassOf(:A :B # the parent)`: the `)` is in the comment, so the form is closed by the
    repair at the next axiom, and the reader then waited for that `)` all the same: the
    Ontology's own `)` was taken for it ("Ontology( is not closed"), and a stray `)` after it went
    unsaid. A `)` inside a comment closes nothing and is owed nothing; the warning says where it is."""
    text = (
        "Prefix(:=<http://x.org/>)\nOntology(<http://x.org/o>\nSubClassOf(:A :B # B, the parent)\n"
        "SubClassOf(:C :D)\n)\n"
    )
    facts = parse_file("o.ofn", text.encode(), ParseOptions())
    assert facts.ontology_id == "http://x.org/o"
    assert sorted((e.child, e.parent) for e in facts.edges) == [
        ("http://x.org/A", "http://x.org/B"),
        ("http://x.org/C", "http://x.org/D"),
    ]
    assert [(w.line, w.message) for w in facts.warnings] == [
        (
            3,
            "SubClassOf: missing ')' (the one on line 3 is inside a comment, which runs to the end of its line); "
            "read as if closed before the next axiom",
        )
    ]
    fence = parse_file(
        "o.ofn",
        b"SubClassOf(<http://x.org/A> <http://x.org/B> ; B)\nSubClassOf(<http://x.org/C> <http://x.org/D>)\n)\n",
        ParseOptions(),
    )
    assert [w.line for w in fence.warnings] == [1, 3]  # the stray `)` of line 3 is said
    assert "not OWL functional syntax" in fence.warnings[1].message


def test_a_comment_ends_at_a_lone_carriage_return() -> None:
    """OWL 2's comments end at a line feed or a carriage return; a file saved with lone CR line
    ends (classic Mac) had its first `#` comment run to the end of the file: every axiom after it
    and the Ontology's `)` were lost ("Ontology( is not closed", no class)."""
    text = (
        b"Prefix(:=<http://x.org/>)\r# the ontology\rOntology(<http://x.org/o> # draft )\r"
        b"Declaration(Class(:A)) # A\rSubClassOf(:A :B)\r)\r"
    )
    facts = parse_file("o.ofn", text, ParseOptions())
    assert (facts.ontology_id, [(c.iri, c.line) for c in facts.classes], facts.warnings) == (
        "http://x.org/o",
        [("http://x.org/A", 4)],
        [],
    )
    assert [(e.child, e.parent) for e in facts.edges] == [("http://x.org/A", "http://x.org/B")]


@pytest.mark.parametrize("content", ["<!-- only a comment -->", "<?pi data?>", "<!-- a --><?pi x?><!-- b -->"])
def test_an_xml_literal_of_only_comments_is_read_empty_not_failed(content: str) -> None:
    """`<rdfs:comment rdf:parseType="Literal"><!-- ... --></rdfs:comment>` failed the whole file ("No
    value found for rdf:XMLLiteral value of property"), as an empty one did before round 8: the
    parser drops comments and processing instructions from an XML literal, and had nothing left.
    It is the empty XML literal (what rdflib reads too)."""
    body = (
        '<owl:Class rdf:about="#A" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n <rdfs:label>A</rdfs:label>\n'
        f' <rdfs:comment rdf:parseType="Literal">{content}'
        "</rdfs:comment>\n</owl:Class>"
    )
    facts = parse_file("t.owl", (HEAD + body + "\n</rdf:RDF>\n").encode(), ParseOptions())
    assert [(c.iri, c.label) for c in facts.classes] == [("http://x.org/#A", "A")]
    assert [(r[2], r[4], r[5]) for r in facts.statements if r[2] == "rdfs:comment"] == [
        ("rdfs:comment", "", "rdf:XMLLiteral")
    ]


@pytest.mark.parametrize(
    ("body", "attribute"),
    [
        ('<owl:Class rdf:about="#A">\n <ex:p rdf:parseType="Resource" rdf:resource="#B"/>\n</owl:Class>', "resource"),
        (
            '<owl:Class rdf:about="#A">\n <ex:p rdf:resource="#B"\n  rdf:parseType="Collection"/>\n</owl:Class>',
            "resource",
        ),
        ('<owl:Class rdf:about="#A">\n <ex:p rdf:nodeID="b1" rdf:parseType="Resource"/>\n</owl:Class>', "nodeID"),
    ],
)
def test_a_property_element_with_a_parse_type_and_an_object_fails_naming_its_line(body: str, attribute: str) -> None:
    """`<ex:p rdf:parseType="Resource" rdf:resource="#B"/>` gave `#A ex:p _:b` (with "Collection":
    `#A ex:p rdf:nil`), the object the file names dropped without a word; RDF/XML allows one of them."""
    with pytest.raises(ParseError) as caught:
        parse_file("t.owl", (HEAD + body + "\n</rdf:RDF>\n").encode(), ParseOptions())
    assert caught.value.line == 5, caught.value
    assert caught.value.message.startswith(
        f"RDF/XML syntax error: rdf:{attribute} beside rdf:parseType on the property element <ex:p>"
    )


# rdf:resource on a node element, found whatever the RDF namespace's prefix, and when it is an entity
@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            '<?xml version="1.0"?>\n<r:RDF xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
            " xmlns:owl='http://www.w3.org/2002/07/owl#'>\n"
            '<owl:Class r:about="http://x.org/A"\n   r:resource="http://x.org/B"/>\n</r:RDF>\n',
            4,
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n <!ENTITY rdf "http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            ' <!ENTITY owl "http://www.w3.org/2002/07/owl#">\n]>\n<rdf:RDF xmlns:rdf="&rdf;" xmlns:owl="&owl;">\n'
            '<owl:Class rdf:about="http://x.org/A" rdf:resource="&owl;Thing"/>\n</rdf:RDF>\n',
            7,
        ),
    ],
)
def test_a_node_elements_resource_is_found_whatever_the_rdf_namespace_is_written(text: str, line: int) -> None:
    with pytest.raises(ParseError) as caught:
        parse_file("t.rdf", text.encode(), ParseOptions())
    assert (caught.value.line, caught.value.message[:60]) == (
        line,
        "RDF/XML syntax error: rdf:resource on the node element <owl:",
    )
