"""Fuzzing (issue 8): no input crashes a parser or loses a file.

* The Logseq and functional-syntax parsers, on any bytes and on text built from their own syntax:
  the result is a `FileFacts` or a `ParseError` (with a line inside the file, when it has one),
  never another exception.
* The whole pipeline on generated small trees (pages, functional syntax, Turtle, RDF/XML, N-Triples,
  JSON-LD, binary junk): every file ends `ok`, `skipped` or `failed` (with a message), there is
  one `source_files` row per file, and the database passes its integrity checks.

Bounded (a fixed number of examples, no deadline, no example database written to the tree) so the
file runs in well under a minute.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ontosync.config import Settings
from ontosync.parsing import ParseOptions, parse_file
from ontosync.parsing.facts import FileFacts, ParseError
from ontosync.parsing.logseq import parse_page
from ontosync.parsing.ofn import parse_ofn_document, parse_ofn_text
from ontosync.pipeline.sync import SyncRun
from ontosync.sources import PathFilter
from ontosync.sources.local import LocalSource
from ontosync.store.repository import Repository

OPTIONS = ParseOptions()
# ONTOSYNC_FUZZ_SCALE=20 runs twenty times the examples (a longer search, by hand).
SCALE = max(1, int(os.environ.get("ONTOSYNC_FUZZ_SCALE", "1")))
PARSER_RUNS = settings(max_examples=300 * SCALE, deadline=None, database=None,
                       suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
PIPELINE_RUNS = settings(max_examples=25 * SCALE, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# -- building blocks of each syntax ------------------------------------------------------------------
LOGSEQ_BITS = [
    "- ### OntologyBlock", "### OntologyBlock", "  - ### OntologyBlock", "owl:class:: mv:Thing", "- owl:class:: ",
    "owl:class:: <http://e/a b>", "owl:class:: nope:X", "preferred-term:: Name", "definition:: text",
    "is-subclass-of:: [[Parent]]", "subClassOf:: [[A]], [[B|label]]", "has-part:: [[Part]] via is-part-of",
    "owl:disjointWith:: mv:Other", "owl:equivalentClass:: [[Same]]", "public:: true", "alias:: [[X]]", "::", "[[",
    "]]", "[[]]", "- ```clojure", "```clojure", "```owl", "```turtle", "```", "  ```", "- ```", "``` ```",
    "{{renderer}} ```x", "Declaration(Class(:X))", "SubClassOf(:X :Y)", "(SubClassOf :A :B)", "Prefix(:=<http://e/>)",
    "@prefix ex: <http://e/> .", "ex:a a owl:Class .", "(", ")", "- ", "-", "\t", "  ", "%", "%2F", "___", "#", ";;",
    "\u200f", "🚀", "שלום", '"', "\\", "\r",
]
OFN_BITS = [
    "Prefix(", "Prefix(:=<http://e/>)", "Prefix(ex:=<http://e/x#>)", ":=", "Ontology(", "Ontology(<http://e/o>",
    "Import(<file:///etc/passwd>)", "Declaration(", "Class(", "ObjectProperty(", "DataProperty(",
    "AnnotationProperty(", "NamedIndividual(", "SubClassOf(", "EquivalentClasses(", "DisjointClasses(",
    "ObjectSomeValuesFrom(", "ObjectAllValuesFrom(", "ObjectIntersectionOf(", "ObjectUnionOf(", "ObjectComplementOf(",
    "ObjectMinCardinality(", "ObjectPropertyDomain(", "DataPropertyRange(", "AnnotationAssertion(", "rdfs:label",
    "rdfs:comment", "xsd:integer", "owl:Thing", '"lit"', '"a\\"b\\\\"', '"unterminated', "^^xsd:string", "@en", "(",
    ")", "))", ":x", ":", "mv:Y", "ex:Z", "undeclared:W", "_:b", "<http://e/a>", "<", ">", "<>", "3", "-1", "#",
    ";;", "Annotation(", "(Declaration (Class :X))", "(SubClassOf", "\n", " ", "\t", "🚀", "\u202e",
]
TURTLE_BITS = [
    "@prefix ex: <http://e/> .", "@base <http://e/> .", "PREFIX owl: <http://www.w3.org/2002/07/owl#>", "ex:a", "ex:b",
    "a", "owl:Class", "rdfs:subClassOf", "rdfs:label", "<http://e/c>", "<rel>", "_:b", "[", "]", "(", ")", ";", ",",
    ".", '"x"', '"""long"""', "@en", "^^xsd:int", "1.5", "true", "#", "\n", " ",
]
XML_BITS = [
    '<?xml version="1.0"?>', '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:owl="http://www.w3.org/2002/07/owl#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">', "</rdf:RDF>",
    '<owl:Class rdf:about="http://e/a">', "</owl:Class>", '<rdfs:subClassOf rdf:resource="http://e/b"/>',
    "<rdfs:label>", "</rdfs:label>", "<!DOCTYPE rdf:RDF [", '<!ENTITY e "http://e/">', "]>", "&e;", "&amp;",
    "<!--", "-->", "<![CDATA[", "]]>", 'xml:base="rel"', "<", ">", "/>", "\n", " ",
]
JSON_BITS = [
    '{"@context": {"owl": "http://www.w3.org/2002/07/owl#"}, ', '"@id": "http://e/a", ', '"@type": "owl:Class"', "}",
    "{", "[", "]", ",", ":", '"@context": "http://example.invalid/c"', "null", "1e999", "\n",
]


def syntax_text(bits: list[str]) -> st.SearchStrategy[str]:
    """Text made of the syntax's own pieces, glued by nothing, spaces or line breaks, with some noise."""
    piece = st.one_of(st.sampled_from(bits), st.sampled_from(bits), st.text(max_size=6))
    glue = st.sampled_from(["", " ", "\n", "\n", "\n\t", "\r\n", "\n  - "])
    return st.lists(st.tuples(piece, glue), max_size=60).map(lambda parts: "".join(p + g for p, g in parts))


def as_bytes(text: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """The text encoded, sometimes with a BOM, a NUL byte or a byte that is not UTF-8 put in."""
    def damage(data: bytes, how: int, where: int) -> bytes:
        at = where % (len(data) + 1)
        return [data, b"\xef\xbb\xbf" + data, data[:at] + b"\x00" + data[at:], data[:at] + b"\xff" + data[at:],
                data.replace(b"\n", b"\r\n")][how]

    return st.builds(damage, text.map(lambda t: t.encode("utf-8", "surrogatepass")),
                     st.integers(0, 4), st.integers(0, 10_000))


def content_for(bits: list[str]) -> st.SearchStrategy[bytes]:
    return st.one_of(as_bytes(syntax_text(bits)), st.binary(max_size=300))


@contextlib.contextmanager
def time_limit(seconds: float):
    """A parse that runs longer than this is a hang: fail the example instead of stalling the run."""
    def expired(signum, frame):
        raise AssertionError(f"parser still running after {seconds} s on a small input")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- the parsers ---------------------------------------------------------------------------------------
def check_outcome(data: bytes, call) -> None:
    try:
        with time_limit(20):
            facts = call()
    except ParseError as exc:
        assert exc.message, "a ParseError needs a message"
        if exc.line is not None:  # Turtle and N-Triples also end a line at a lone CR
            lines = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n") + 1
            assert 1 <= exc.line <= lines, (exc.line, exc.message)
        return
    assert isinstance(facts, FileFacts)
    if facts.skipped:
        assert not (facts.classes or facts.edges or facts.properties or facts.axioms)
    for c in facts.classes:
        assert isinstance(c.iri, str) and c.iri
    for w in facts.warnings:
        assert w.message and (w.line is None or w.line >= 1)


@PARSER_RUNS
@given(content_for(LOGSEQ_BITS))
def test_logseq_parser_never_crashes(data: bytes):
    check_outcome(data, lambda: parse_page("pages/Fuzz.md", data, OPTIONS))


@PARSER_RUNS
@given(content_for(OFN_BITS))
def test_ofn_document_parser_never_crashes(data: bytes):
    check_outcome(data, lambda: parse_ofn_document("fuzz.ofn", data, OPTIONS))


@PARSER_RUNS
@given(syntax_text(OFN_BITS), st.integers(0, 1000), st.sampled_from([None, "http://e/x#Page", "urn:ontosync:page:p"]))
def test_ofn_text_reader_never_raises(text: str, offset: int, hint: str | None):
    with time_limit(20):
        facts = parse_ofn_text(text, OPTIONS, offset, hint)
    assert isinstance(facts, FileFacts)
    for w in facts.warnings:
        assert w.line is None or w.line > offset


@PARSER_RUNS
@given(st.sampled_from([".ttl", ".nt", ".rdf", ".owl", ".jsonld"]), st.data())
def test_rdf_dispatch_never_crashes(ext: str, data):
    bits = {".ttl": TURTLE_BITS, ".nt": TURTLE_BITS, ".rdf": XML_BITS, ".owl": XML_BITS + OFN_BITS,
            ".jsonld": JSON_BITS}[ext]
    content = data.draw(content_for(bits))
    check_outcome(content, lambda: parse_file("fuzz" + ext, content, OPTIONS))


# -- the whole pipeline ----------------------------------------------------------------------------------
KINDS = {".md": LOGSEQ_BITS, ".ofn": OFN_BITS, ".ttl": TURTLE_BITS, ".nt": TURTLE_BITS, ".rdf": XML_BITS,
         ".owl": XML_BITS, ".jsonld": JSON_BITS}
NAME = st.text(alphabet=st.sampled_from("abcXYZ019 _-%;'\"\\🚀שا"), min_size=1, max_size=10)
FOLDER = st.sampled_from(["", "pages/", "pages/deep/", "ontology/"])


@st.composite
def trees(draw) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for _ in range(draw(st.integers(1, 6))):
        ext = draw(st.sampled_from(sorted(KINDS)))
        path = draw(FOLDER) + draw(NAME) + ext
        content = draw(content_for(KINDS[ext]))
        files[path] = content
    return files


@PIPELINE_RUNS
@given(trees())
def test_pipeline_ends_every_file_with_a_status(files: dict[str, bytes]):
    with tempfile.TemporaryDirectory() as tmp:
        src, db = Path(tmp) / "src", Path(tmp) / "fuzz.db"
        for rel, data in files.items():
            p = src / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        s = Settings(source=str(src), db=str(db), workers=1, quiet=True, max_error_rate=1.0, file_timeout=20)
        repo = Repository(str(db), s.ontology_id)
        repo.ensure_schema()
        try:
            result = SyncRun(s, LocalSource(src, PathFilter(), s.max_file_size), repo, s.parse_options(src)).run()
        finally:
            repo.close()
        assert result.exit_code == 0, result.message
        conn = sqlite3.connect(db)
        try:
            rows = {r[0]: r[1:] for r in conn.execute("SELECT path, status, error FROM source_files")}
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            conn.close()
        assert set(rows) == set(files)  # none lost, none invented
        for path, (status, error) in rows.items():
            assert status in ("ok", "skipped", "failed"), (path, status)
            assert (error is None) == (status == "ok"), (path, status, error)
            assert "--file-timeout" not in (error or ""), (path, error)  # a small file that hangs a parser
        files_report = result.report["files"]
        assert files_report["total"] == len(files) == files_report["ok"] + files_report["failed"] + \
            files_report["skipped"]
