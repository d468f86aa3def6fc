"""The W3C RDF syntax test suites (Turtle, N-Triples, RDF/XML) through `ontosync.parsing.parse_file`.

The suites are fetched by `tests/w3c/fetch.sh` (from rdflib's sdist on PyPI) into
`tests/w3c/suites/`; without them every test here is skipped with that instruction. Nothing here
touches the network: manifests and test documents are local files.

What "pass" means, per manifest entry (only the entries listed in `mf:entries`):

* positive tests (`rdft:TestTurtlePositiveSyntax`, `TestTurtleEval`, `TestNTriplesPositiveSyntax`,
  `TestXMLEval`): the file gives `FileFacts` that are not `skipped` (an `ok` file);
* negative tests (`TestTurtleNegativeSyntax`, `TestTurtleNegativeEval`, `TestNTriplesNegativeSyntax`,
  `TestXMLNegativeSyntax`): a `ParseError` (a `failed` file) with a line number inside the file.

The suites' documents use IRIs relative to where the suite publishes them. ontosync assumes no base
(a relative IRI in a file without `@base`/`xml:base` is an error that says so), so each document is
read with the base the suite gives it, stated in the document itself: an `@base` directive in front
of line 1 for Turtle, an `xml:base` attribute on the root element for RDF/XML (neither adds a line,
so line numbers stay the file's). N-Triples has no relative IRIs.

Known differences, each with its reason, are in `EXCEPTIONS` (copied into the README).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib

from ontosync.parsing import ParseOptions, parse_file
from ontosync.parsing.facts import ParseError

SUITES = Path(__file__).resolve().parent / "w3c" / "suites"
FETCH = "bash tests/w3c/fetch.sh"

# suite folder -> (extension ontosync reads it by, base IRI the suite publishes its documents under)
SUITE_FORMATS = {
    "turtle": (".ttl", "http://www.w3.org/2013/TurtleTests/"),
    "ntriples": (".nt", "http://www.w3.org/2013/N-TriplesTests/"),
    "rdf-xml": (".rdf", "http://www.w3.org/2013/RDFXMLTests/"),
}
POSITIVE = {"TestTurtlePositiveSyntax", "TestTurtleEval", "TestNTriplesPositiveSyntax", "TestXMLEval"}
NEGATIVE = {"TestTurtleNegativeSyntax", "TestTurtleNegativeEval", "TestNTriplesNegativeSyntax", "TestXMLNegativeSyntax"}

# "suite/test name" -> why ontosync's outcome differs from the suite's, on purpose.
EXCEPTIONS: dict[str, str] = {
    "rdf-xml/rdf-element-not-mandatory-test001": (
        "An XML document with no element in the RDF namespace (no rdf:RDF wrapper, no rdf: attribute) is "
        "`skipped` as 'not an RDF/XML document' rather than read as RDF/XML: `.owl`/`.xml`/`.rdf` files in "
        "ontology repositories are often other XML (OWL/XML, catalogs, build files), and such a document "
        "declares no OWL class or property anyway (here: one rdf:type and one title on a blank node)."),
}

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
RDFT = "http://www.w3.org/ns/rdftest#"


def _load_entries() -> list[tuple[str, str, str, Path, str, Path | None]]:
    """(suite, test name, test type, document path, document base IRI, expected N-Triples of an
    evaluation test or None) of every listed entry."""
    if not all((SUITES / s / "manifest.ttl").is_file() for s in SUITE_FORMATS):
        return []
    from rdflib.collection import Collection

    out = []
    for suite, (_, base) in SUITE_FORMATS.items():
        g = rdflib.Graph()
        g.parse(SUITES / suite / "manifest.ttl", format="turtle", publicID=base + "manifest.ttl")
        manifest = next(g.subjects(rdflib.RDF.type, rdflib.URIRef(MF + "Manifest")))
        for entry in Collection(g, g.value(manifest, rdflib.URIRef(MF + "entries"))):
            kind = str(g.value(entry, rdflib.RDF.type)).removeprefix(RDFT)
            action = str(g.value(entry, rdflib.URIRef(MF + "action")))
            name = str(g.value(entry, rdflib.URIRef(MF + "name")) or entry).rsplit("#", 1)[-1]
            result = g.value(entry, rdflib.URIRef(MF + "result"))
            out.append((suite, name, kind, SUITES / suite / action.removeprefix(base), action,
                        result and SUITES / suite / str(result).removeprefix(base)))
    return out


ENTRIES = _load_entries()


def _params():
    if not ENTRIES:
        return [pytest.param(None, marks=pytest.mark.skip(
            reason=f"W3C suites not fetched into {SUITES}: run `{FETCH}` (needs PyPI once)"), id="not-fetched")]
    params = []
    for entry in ENTRIES:
        key = f"{entry[0]}/{entry[1]}"
        marks = [pytest.mark.xfail(strict=True, reason=EXCEPTIONS[key])] if key in EXCEPTIONS else []
        params.append(pytest.param(entry, id=key, marks=marks))
    return params


_XML_PROLOG_ITEM = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.S)
_XML_START_TAG = re.compile(rb"\s*<([A-Za-z_][\w.:-]*)")


def with_base(suite: str, data: bytes, base: str) -> bytes:
    """The document with the suite's base stated in it, on no new line (see the module docstring)."""
    if suite == "turtle":
        bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
        return bom + b"@base <" + base.encode() + b"> . " + data[len(bom):]
    if suite == "rdf-xml":
        pos = 0
        while (m := _XML_PROLOG_ITEM.match(data, pos)) is not None:
            pos = m.end()
        tag = _XML_START_TAG.match(data, pos)
        if tag is None:
            return data
        close = data.find(b">", tag.end())
        if b"xml:base" in data[tag.end():close]:
            return data
        return data[: tag.end()] + b' xml:base="' + base.encode() + b'"' + data[tag.end():]
    return data


@pytest.mark.parametrize("entry", _params())
def test_w3c(entry):
    suite, name, kind, path, base, result = entry
    ext = SUITE_FORMATS[suite][0]
    data = path.read_bytes()
    if kind not in POSITIVE | NEGATIVE:
        pytest.skip(f"test type {kind} is not a syntax test")
    try:
        facts = parse_file(f"{suite}/{name}{ext}", with_base(suite, data, base), ParseOptions())
    except ParseError as exc:
        assert kind in NEGATIVE, f"{kind} {path.name}: ParseError line {exc.line}: {exc.message}"
        assert exc.line is not None, f"{path.name}: no line in {exc.message!r}"
        assert 1 <= exc.line <= data.count(b"\n") + 1, (exc.line, exc.message)
        return
    assert kind in POSITIVE, f"{kind} {path.name}: accepted, the suite says it is invalid"
    assert not facts.skipped, f"{path.name}: skipped: {facts.skipped}"
    if result is not None:  # an evaluation test: the file's `statements` rows are the suite's triples
        assert _isomorphic(_graph(facts.statements or []), result), f"{path.name}: not the triples of {result.name}"


_CURIES = {"rdf": str(rdflib.RDF), "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": "http://www.w3.org/2001/XMLSchema#",
           "owl": "http://www.w3.org/2002/07/owl#"}


def _graph(rows: list) -> rdflib.Graph:
    """An rdflib graph of `statements` rows (compact IRIs expanded, blank nodes as they are named)."""
    def term(text: str) -> rdflib.term.Node:
        prefix, _, local = text.partition(":")
        return rdflib.BNode(text[2:]) if prefix == "_" else rdflib.URIRef(
            _CURIES[prefix] + local if prefix in _CURIES else text)

    graph = rdflib.Graph()
    for _stanza, s, p, o, value, datatype, language in rows:
        obj = term(o) if o is not None else rdflib.Literal(
            value, lang=language, datatype=None if language or not datatype else term(datatype))
        graph.add((term(s), term(p), obj))
    return graph


def _isomorphic(graph: rdflib.Graph, expected: Path) -> bool:
    from rdflib.compare import isomorphic

    return isomorphic(graph, rdflib.Graph().parse(expected, format="nt"))


def test_suites_are_complete_when_fetched():
    """Guards against a partial extraction silently shrinking the suites."""
    if not ENTRIES:
        pytest.skip(f"W3C suites not fetched into {SUITES}: run `{FETCH}`")
    counts: dict[str, int] = {}
    for suite, *_ in ENTRIES:
        counts[suite] = counts.get(suite, 0) + 1
    assert counts["turtle"] >= 290 and counts["ntriples"] >= 60 and counts["rdf-xml"] >= 160, counts
    for _, _, _, path, _, result in ENTRIES:
        assert path.is_file() and (result is None or result.is_file()), path
    assert sum(1 for entry in ENTRIES if entry[5] is not None) >= 250  # evaluation tests compared
