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
