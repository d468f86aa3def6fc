"""Wrong-data hunt, round 4: links as Logseq (file graphs, 0.10.x) resolves them.

Each expectation is what Logseq's parsers make of the text, cited at each test (mldoc
`lib/syntax/inline.ml`, graph-parser `block.cljs`, `text.cljs`, `date_time_util.cljs`), not
ontosync's output. Pages are parsed in-process (`parse_file`); one tiny graph is synced for what
only a sync shows (link resolution across files, the run report).
"""

from __future__ import annotations

import dataclasses
import json
from urllib.parse import quote

import pytest

from ontosync.parsing import ParseOptions, parse_file
from ontosync.parsing.logseq_config import LogseqConfig, LogseqGraph
from tests.helpers import q, synced_pages

M = "http://narrativegoldmine.com/metaverse#"
P = "urn:ontosync:page:"


def read(*lines: str, options: ParseOptions | None = None):
    data = "- ### OntologyBlock\n  - owl:class:: mv:Dog\n" + "".join(f"  - {ln}\n" for ln in lines)
    return parse_file("pages/Dog.md", data.encode(), options or ParseOptions())


def minted(name: str) -> str:
    return P + quote("-".join(name.lower().split()), safe="")


def block(cls: str | None, *props: str) -> str:
    head = f"  - owl:class:: {cls}\n" if cls else ""
    return "- ### OntologyBlock\n" + head + "".join(f"  - {p}\n" for p in props)


# mldoc (inline.ml `markdown_link_or_page_ref`): `[[...]]` is `Page_ref inner_s`, the whole text
# between the brackets; nothing splits it at `|` (that is Obsidian's syntax; Logseq's labelled link
# is `[label]([[Page]])`, logseq/logseq#2144). graph-parser `get-ref-from-ast` takes the Page_ref
# value as the page name: `[[Animal|animals]]` is a link to the page "Animal|animals".
def test_a_pipe_link_names_the_page_with_the_pipe_and_says_so():
    facts = read("is-subclass-of:: [[Animal|animals]]", "has-part:: [[Tail|tails]]")
    assert [(e.parent, e.parent_ref) for e in facts.edges] == [(minted("Animal|animals"), "Animal|animals")]
    assert [(a.object, a.object_ref) for a in facts.axioms] == [(minted("Tail|tails"), "Tail|tails")]
    pipes = [(w.line, w.message) for w in facts.warnings if w.kind == "pipe-link"]
    assert [line for line, _ in pipes] == [3, 4]
    assert "'Animal|animals'" in pipes[0][1] and "[animals]([[Animal]])" in pipes[0][1]


# mldoc `markdown_link_or_page_ref` tries `org_link` first: `[[url][label]]` is a Link to
# `Search "url"`, which graph-parser `extract-refs-from-mldoc-ast` drops (`ast-link?`: no Page_ref):
# no page at all in a property value, least of all one named "Animal][animals".
def test_an_org_style_link_names_no_page_and_says_so():
    facts = read("is-subclass-of:: [[Animal][animals]], [[Pet]]", "has-part:: [[Tail][]]")
    assert ([e.parent_ref for e in facts.edges], facts.axioms) == (["Pet"], [])
    assert [(w.kind, w.line) for w in facts.warnings] == [("org-link", 3), ("org-link", 4)]
    assert "[[Animal]]" in facts.warnings[0].message


# mldoc `markdown_link`: `[label]([[Page]])` is a Link whose url is `Page_ref "Page"`, Logseq's own
# labelled link (the one the pipe-link warning suggests): a link to Page, and no stray text.
def test_a_labelled_markdown_link_is_a_link_and_no_unreadable_text():
    facts = read("is-subclass-of:: [animals]([[Animal]]), [[Pet]]", "has-part:: [a tail]([[Tail]])")
    assert [e.parent_ref for e in facts.edges] == ["Animal", "Pet"]
    assert ([a.object_ref for a in facts.axioms], facts.warnings) == (["Tail"], [])


# graph-parser `page-name->map` runs every referenced name through `convert-page-if-journal`: a
# name that parses (capitalised) by any of `safe-journal-title-formatters` -- the graph's
# :journal/page-title-format, "MMM do, yyyy", "yyyy-MM-dd", "yyyy_MM_dd" -- is the journal page
# of that day, named by the title format. So `[[2024-01-15]]` opens the page `Jan 15th, 2024`.
@pytest.mark.parametrize("written", ["2024-01-15", "2024_01_15", "Jan 15th, 2024", "jan 15th, 2024",
                                     "JAN 15TH, 2024"])
def test_a_date_link_is_the_journal_page_of_that_day(written):
    facts = read(f"is-subclass-of:: [[{written}]]", f"has-part:: [[{written}]]")
    assert [(e.parent, e.parent_ref) for e in facts.edges] == [(minted("Jan 15th, 2024"), "Jan 15th, 2024")]
    assert [a.object_ref for a in facts.axioms] == ["Jan 15th, 2024"]


def test_a_date_link_takes_the_graphs_journal_title_format():
    config = LogseqConfig(journal_title_format="yyyy-MM-dd")
    options = dataclasses.replace(ParseOptions(), logseq=LogseqGraph("", config, True))
    facts = read("is-subclass-of:: [[Jan 15th, 2024]], [[2024_02_29]]", options=options)
    assert [e.parent_ref for e in facts.edges] == ["2024-01-15", "2024-02-29"]


def test_a_date_alias_names_the_journal_day_and_stays_a_page_alias():
    facts = parse_file("pages/Dog.md", b"alias:: 2024-01-15\n\n- ### OntologyBlock\n", ParseOptions())
    assert (facts.names, facts.warnings) == ([("Dog", 0), ("Jan 15th, 2024", 1)], [])


@pytest.mark.parametrize("written", ["2024-13-01", "2023-02-29", "2024-01-15 notes", "Jan 32nd, 2024", "15 Jan 2024x"])
def test_a_name_that_is_no_date_stays_as_written(written):
    facts = read(f"is-subclass-of:: [[{written}]]")
    assert [e.parent_ref for e in facts.edges] == [written]


FILES = {
    # Logseq: two pages, "On Chain Voting" and the empty "On-Chain Voting"; both mint on-chain-voting.
    "pages/On Chain Voting.md": block(None),
    "pages/Vote.md": block("mv:Vote", "is-subclass-of:: [[On-Chain Voting]]"),
    # Two links to two missing pages that mint one IRI.
    "pages/Link A.md": block("mv:LinkA", "has-part:: [[Low Latency Link]]"),
    "pages/Link B.md": block("mv:LinkB", "has-part:: [[Low-Latency Link]]"),
    # A journal page with an ontology block, linked to by its date in another format.
    "journals/2024_01_15.md": block(None),
    "pages/Daily.md": block("mv:Daily", "is-subclass-of:: [[2024-01-15]]"),
    # A page (not in journals/) named by a date: Logseq names it that day's journal page too.
    "pages/2024-02-01.md": block(None),
    "pages/Weekly.md": block("mv:Weekly", "is-subclass-of:: [[Feb 1st, 2024]]"),
    "pages/Monthly.md": block("mv:Monthly", "is-subclass-of:: [[2024-02-01]]"),
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    root = tmp_path_factory.mktemp("round4") / "graph"
    db = synced_pages(root, FILES)
    return db, json.loads((root.parent / "graph.json").read_text())


def test_a_date_link_resolves_to_the_journal_page(graph):
    db, _report = graph
    assert q(db, "SELECT parent_iri FROM owl_class_hierarchy WHERE class_iri = ?", M + "Daily") == [
        (minted("Jan 15th, 2024"),)]
    assert q(db, "SELECT source_file FROM owl_classes WHERE class_iri = ?", minted("Jan 15th, 2024")) == [
        ("journals/2024_01_15.md",)]


# graph-parser `build-page-map` names a page through `page-name->map` as well: a page whose title
# is a date (`pages/2024-02-01.md`) is that day's journal page, opened by `[[Feb 1st, 2024]]`.
def test_a_page_titled_by_a_date_answers_to_the_journal_title(graph):
    db, _report = graph
    rows = q(db, "SELECT class_iri, parent_iri FROM owl_class_hierarchy WHERE class_iri IN (?, ?) ORDER BY 1",
             M + "Monthly", M + "Weekly")
    assert rows == [(M + "Monthly", P + "2024-02-01"), (M + "Weekly", P + "2024-02-01")]
    assert q(db, "SELECT source_file FROM owl_classes WHERE class_iri = ?", P + "2024-02-01") == [
        ("pages/2024-02-01.md",)]


# Two names Logseq keeps apart ("On Chain Voting", "On-Chain Voting") mint one IRI: ontosync makes
# them one class. The IRIs stay (every other name keeps its IRI); the run says which names merged.
def test_two_names_minting_one_iri_are_reported(graph):
    _db, report = graph
    found = sorted((w["path"], w["message"]) for w in report["warnings"] if w["kind"] == "minted-collision")
    assert len(found) == 2, report["warnings"]
    (path_a, msg_a), (path_v, msg_v) = found
    assert path_v == "pages/Vote.md" and "[[on-chain voting]]" in msg_v and "pages/On Chain Voting.md" in msg_v
    assert minted("On Chain Voting") in msg_v
    assert path_a == "pages/Link A.md" and "[[low latency link]]" in msg_a and "[[low-latency link]]" in msg_a


# A config.edn saved on Windows ends its lines with CRLF. Clojure's reader (and cljs.reader, which
# Logseq reads config.edn with) takes `\r` as whitespace; edn_format's lexer does not: the whole
# config was refused, and the graph read with the defaults (its :hidden folders as pages, its
# journal title format lost).
@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_a_config_with_windows_line_ends_is_read(newline):
    from ontosync.parsing.logseq_config import parse_config

    lines = ["{:meta/version 1", " ;; pages Logseq hides", ' :hidden ["archive"]', " :file/name-format :triple-lowbar",
             ' :journal/page-title-format "yyyy-MM-dd"}', ""]
    config, warnings = parse_config(newline.join(lines).encode(), "logseq/config.edn")
    assert (config.hidden, config.journal_title_format, warnings) == (("archive",), "yyyy-MM-dd", [])


def test_a_broken_crlf_config_names_the_right_line():
    from ontosync.parsing.logseq_config import parse_config

    _config, warnings = parse_config(b'{:hidden ["a"]\r\n :x [1 2}\r\n :y 3}\r\n', "logseq/config.edn")
    assert [w.line for w in warnings] == [2]


def test_a_block_alias_is_warned_of_though_a_fence_gives_the_same_synonym():
    """Review finding: the block-alias check took every synonym of the page as its alias:: names,
    fence synonyms too, so an owl fence's hasExactSynonym "Bar" silenced the warning that
    `alias:: Bar` outside the page properties names no page."""
    page = ("- ### OntologyBlock\n  - owl:class:: mv:C\n  - alias:: Bar\n"
            "  - ```owl\n    AnnotationAssertion(oboInOwl:hasExactSynonym mv:C \"Bar\")\n    ```\n")
    facts = parse_file("pages/X.md", page.encode(), ParseOptions())
    assert [w.line for w in facts.warnings if w.kind == "block-alias"] == [3]
