"""Security, round 4 (task h174): hostile repository content and secrets, where rounds 1-3 left them open.

Each test names what a user saw before its fix. Everything runs here: the CLI in-process on tiny
trees and SQLite, no mock.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.helpers import cli

M = "http://narrativegoldmine.com/metaverse#"


def block(cls: str, *props: str) -> str:
    return f"- ### OntologyBlock\n  - owl:class:: {cls}\n" + "".join(f"  - {p}\n" for p in props)


def test_a_long_value_with_a_tag_and_a_run_of_stops_is_read_in_linear_time(tmp_path):
    """`alias:: Canine, #Hound` followed by 100,000 dots and a letter (a value past LONG_VALUE, read
    by regular expression): the tag pattern tried every end of the tag against every end of the run
    of stops, quadratic in the run (40,000 dots: 21 s; 100,000: minutes), so the page failed as
    `timeout` after --file-timeout, a worker busy all that while, and a pull request of such pages
    held the CI for hours. Now the page is read at once and its other names still work."""
    pages = tmp_path / "src" / "pages"
    pages.mkdir(parents=True)
    alias = "Canine, #Hound" + "." * 100_000 + "x"
    (pages / "Dog.md").write_text(f"title:: Dog\nalias:: {alias}\n\n" + block("mv:Dog"), encoding="utf-8")
    (pages / "Puppy.md").write_text(block("mv:Puppy", "is-subclass-of:: [[Canine]]"), encoding="utf-8")
    db, report = tmp_path / "o.db", tmp_path / "r.json"
    proc = cli("sync", tmp_path / "src", "--db", db, "--report", report, "--file-timeout", "10", "--quiet")
    assert proc.returncode == 0, proc.stderr
    files = json.loads(report.read_text(encoding="utf-8"))["files"]
    assert (files["ok"], files["failed"]) == (2, 0)
    with sqlite3.connect(db) as conn:
        parents = conn.execute("SELECT parent_iri FROM owl_class_hierarchy WHERE class_iri = ?",
                               (M + "Puppy",)).fetchall()
    assert parents == [(M + "Dog",)]


def test_the_tag_of_a_long_value_keeps_its_name_without_the_trailing_stops():
    """The linear pattern names what the quadratic one named: the stops that end a tag are not its
    name's, a tag of stops alone keeps its first, and a run followed by more text belongs to it."""
    from ontosync.parsing.logseq_names import split_values
    from ontosync.parsing.logseq_verbatim import LONG_VALUE

    pad = "x" * LONG_VALUE
    names, _ = split_values(f"{pad} #Hound!?. #... #a.b:, #c;#d, [[E]]")
    assert names == ["E", "Hound", ".", "a.b", "c", "d"]


RDF_OPEN = ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#" xmlns:e="http://e.org/">\n')


def sync_one(tmp_path: Path, name: str, text: str) -> tuple[int, dict]:
    """Sync a source holding one file, parsing bounded by a 10 s --file-timeout: (exit code, report)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / name).write_text(text, encoding="utf-8")
    report = tmp_path / "r.json"
    proc = cli("sync", src, "--db", tmp_path / "o.db", "--report", report, "--file-timeout", "10", "--quiet")
    return proc.returncode, json.loads(report.read_text(encoding="utf-8"))


def test_a_long_text_naming_a_blank_nodes_type_is_read_in_linear_time(tmp_path):
    """A valid RDF/XML file (240 KB) with a blank node typed `e:Foo` and a comment saying `Foo ` 60,000
    times: the scan for a start tag of that type holding `rdf:resource` began at every `Foo` of the
    text and ran to its end, quadratic (20,000 words: 14 s), so the file failed as `timeout`. Now
    the scan starts at tags only: the file syncs, its comment whole."""
    comment = "Foo " * 60_000
    code, report = sync_one(tmp_path, "c.rdf", RDF_OPEN + '<rdf:Description rdf:about="http://e.org/A"><e:p><e:Foo/>'
                            f"</e:p><rdfs:comment>{comment}</rdfs:comment></rdf:Description>\n</rdf:RDF>\n")
    assert (code, report["errors"], report["files"]["ok"]) == (0, [], 1)
    with sqlite3.connect(tmp_path / "o.db") as conn:
        (value,), = conn.execute("SELECT value FROM statements WHERE subject = 'http://e.org/A' "
                                 "AND predicate = 'rdfs:comment'").fetchall()
    assert value == comment


def test_a_start_tag_of_many_literal_parse_types_cut_short_is_a_parse_error(tmp_path):
    """An RDF/XML file (300 KB) ending inside a start tag that repeats `parseType="Literal"`: the
    pattern looking for empty XML literals tried every one of them against every end of the tag,
    quadratic (8,000 of them: 15 s), so the file failed as `timeout` after --file-timeout, where
    cut-short markup is a syntax error (test_security_hunt). Now it is one, at once."""
    code, report = sync_one(tmp_path, "a.rdf", RDF_OPEN + '<rdf:Description rdf:about="http://e.org/A"><e:p'
                            + ' parseType="Literal"' * 15_000)
    assert code == 1
    assert [(e["path"], e["kind"]) for e in report["errors"]] == [("a.rdf", "parse")]


def test_a_comment_quoting_rdf_attributes_is_read_in_linear_time(tmp_path):
    """A valid RDF/XML file whose comment quotes `rdf:about="x" ` 16,000 times (a page documenting
    RDF/XML, 240 KB): the scan for a node element's misplaced attribute began at every quoted
    `rdf:about` of the text and ran through all the quoted attributes after it, quadratic (4,000:
    3.3 s), so the file failed as `timeout`. Now the scan looks inside start tags only, each once."""
    comment = 'rdf:about="x" ' * 16_000
    code, report = sync_one(tmp_path, "c.rdf", RDF_OPEN + '<rdf:Description rdf:about="http://e.org/A">'
                            f"<rdfs:comment>{comment}</rdfs:comment></rdf:Description>\n</rdf:RDF>\n")
    assert (code, report["errors"], report["files"]["ok"]) == (0, [], 1)


def test_a_value_of_unclosed_html_comments_is_read_in_linear_time(tmp_path):
    """`is-subclass-of:: [[Animal]]` then `<!--` 25,000 times, none closed (100 KB): each `<!--` was
    searched to the value's end for its `-->`, quadratic (8,000: 2 s), so the page failed as
    `timeout` after --file-timeout. Now the search stops at the first one with no `-->` after it
    (none after it can have one): the page syncs, its parent read."""
    pages = tmp_path / "src" / "pages"
    pages.mkdir(parents=True)
    (pages / "Dog.md").write_text(block("mv:Dog", "is-subclass-of:: [[Animal]] " + "<!--" * 25_000), encoding="utf-8")
    (pages / "Animal.md").write_text(block("mv:Animal"), encoding="utf-8")
    proc = cli("sync", tmp_path / "src", "--db", tmp_path / "o.db", "--file-timeout", "10", "--quiet")
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(tmp_path / "o.db") as conn:
        parents = conn.execute("SELECT parent_iri FROM owl_class_hierarchy WHERE class_iri = ?",
                               (M + "Dog",)).fetchall()
    assert parents == [(M + "Animal",)]


def test_a_context_whose_terms_are_each_written_with_the_next_is_a_parse_error(tmp_path):
    """A JSON-LD `@context` of 6,000 terms, each written with the next (`"t0": "t1:x"`, `"t1":
    "t2:x"`, ...): pyoxigraph defines a term by defining first the terms its IRI is written with,
    recursively, and its stack overflowed: the parser's process died and the file failed as `crash`,
    "the parser process died (out of memory or crashed)", no reason a user could act on. Now such a
    chain is a parse error that says what it is."""
    n = 6000
    context = {f"t{i}": f"t{i + 1}:x" for i in range(n)} | {f"t{n}": "http://e.org/"}
    code, report = sync_one(tmp_path, "a.jsonld", json.dumps({"@context": context, "@id": "http://e.org/A", "t0": "v"}))
    assert code == 1
    [error] = report["errors"]
    assert (error["path"], error["kind"]) == ("a.jsonld", "parse")
    assert error["message"] == ("JSON-LD: the term 't0' of a @context is written with another term, that one with "
                                "another, more than 1,000 deep; the parser reads no such chain")


def test_a_document_binding_the_rdf_namespace_to_thousands_of_prefixes_is_read_at_once(tmp_path):
    """`<rdf:RDF xmlns:r0="...rdf-syntax-ns#" ... xmlns:r11999="...">` (12,000 prefixes of the RDF
    namespace, 700 KB): the scan for a node element's misplaced attribute compiled and ran one pattern
    per prefix (4,000: 6 s), so the file failed as `timeout`. Past eight prefixes one scan takes any
    prefix and keeps the RDF namespace's: the file syncs, and a misplaced attribute under one of
    them is still found."""
    decls = " ".join(f'xmlns:r{i}="http://www.w3.org/1999/02/22-rdf-syntax-ns#"' for i in range(12_000))
    opening = RDF_OPEN.replace("<rdf:RDF ", f"<rdf:RDF {decls} ")
    code, report = sync_one(tmp_path, "a.rdf", opening + '<r7:Description r7:about="http://e.org/A">'
                            "<e:p>x</e:p></r7:Description>\n</rdf:RDF>\n")
    assert (code, report["errors"], report["files"]["ok"]) == (0, [], 1)
    (tmp_path / "src" / "a.rdf").write_text(opening + '<e:C r9:about="http://e.org/A" r9:resource="http://e.org/B"/>\n'
                                            "</rdf:RDF>\n", encoding="utf-8")
    report_path = tmp_path / "r2.json"
    proc = cli("sync", tmp_path / "src", "--db", tmp_path / "o.db", "--report", report_path, "--file-timeout", "10",
               "--quiet")
    [error] = json.loads(report_path.read_text(encoding="utf-8"))["errors"]
    assert (proc.returncode, error["kind"], error["line"]) == (1, "parse", 3)
    assert "resource on the node element <e:C>" in error["message"]
