"""Wrong-data hunt, round 3: where ontosync read a Logseq graph differently from Logseq.

Each expectation is what Logseq's own parsers (mldoc, deps/graph-parser) make of the page,
written from their rules (cited at each test), not from ontosync's output. Pages are parsed
in-process (`parse_file`); one tiny graph is synced for what only a sync shows.
"""

from __future__ import annotations

import json

import pytest

from ontosync.parsing import ParseOptions, parse_file
from tests.helpers import q, synced_pages

M = "http://narrativegoldmine.com/metaverse#"
P = "urn:ontosync:page:"


def page(*lines: str) -> bytes:
    return ("- ### OntologyBlock\n  - owl:class:: mv:Dog\n" + "".join(f"{ln}\n" for ln in lines)).encode()


def read(*lines: str):
    return parse_file("pages/Dog.md", page(*lines), ParseOptions())


def parents(facts) -> list[str]:
    return [e.parent for e in facts.edges]


def relations(facts) -> list[tuple[str, str]]:
    return [(a.annotations["relation"], a.object) for a in facts.axioms if a.axiom_type == "Relationship"]


def block(cls: str, *props: str) -> str:
    return f"- ### OntologyBlock\n  - owl:class:: {cls}\n" + "".join(f"  - {p}\n" for p in props)


FILES = {
    "pages/Robot Arm.md": block("mv:RobotArm"),
    "pages/Gripper.md": block("mv:Gripper", "is-subclass-of:: [[Robot  Arm]]"),
    "pages/Welder.md": block("mv:Welder", "is-subclass-of:: [[ robot arm ]]"),
    "pages/Wolf.markdown": block("mv:Wolf"),
    "pages/Cub.md": block("mv:Cub", "is-subclass-of:: [[wolf]]"),
    "pages/Cat.org": "#+title: Cat\n* OntologyBlock\n:PROPERTIES:\n:owl:class: mv:Cat\n:END:\n",
    "logseq/bak/pages/Cat.org": "#+title: Cat\n",
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    """One tiny graph synced once (in-process): the database and the sync's report."""
    root = tmp_path_factory.mktemp("round3") / "graph"
    db = synced_pages(root, FILES)
    return db, json.loads((root.parent / "graph.json").read_text())


# mldoc (lib/syntax/block.ml, `fenced_language`): a code block opens with ``` OR ~~~ and closes at
# a line starting with either; `#+BEGIN_X` ... `#+END_X` (case-insensitive: Prelude.starts_with) is
# a block too, SRC/EXAMPLE/COMMENT/EXPORT verbatim and QUOTE/custom ones parsed as body text.
# Either way its lines are the block's content, never the block's properties: a `key:: value`
# line inside is text, and its [[links]] make no parent or relation.
@pytest.mark.parametrize(("opener", "closer"), [
    ("~~~", "~~~"),
    ("~~~markdown", "~~~"),
    ("```", "~~~"),  # mldoc closes on either marker
    ("#+BEGIN_SRC markdown", "#+END_SRC"),
    ("#+BEGIN_QUOTE", "#+END_QUOTE"),
    ("#+begin_example", "#+END_EXAMPLE"),
    ("#+BEGIN_NOTE", "#+end_note"),
])
def test_lines_inside_a_code_or_quote_block_are_no_properties(opener, closer):
    facts = read(f"  - {opener}", "    is-subclass-of:: [[Cat]]", "    has-part:: [[Whisker]]", f"    {closer}",
                 "  - is-subclass-of:: [[Animal]]")
    assert (parents(facts), relations(facts)) == ([P + "animal"], [])


@pytest.mark.parametrize("end", ["", "- next block\n"])
def test_a_begin_block_without_its_end_is_no_block(end):
    """mldoc reads `#+BEGIN_X` as a block only up to its `#+END_X` (`between_lines`); without one
    the parse falls back and the lines are the block's own: its properties still count."""
    facts = parse_file("pages/Dog.md", page("  - #+BEGIN_QUOTE", "  - is-subclass-of:: [[Animal]]") + end.encode(),
                       ParseOptions())
    assert parents(facts) == [P + "animal"]


def test_unclosed_begin_lines_are_read_again_a_bounded_number_of_times():
    """Each unclosed block's lines are read again: a page of them must not cost quadratic time."""
    from ontosync.parsing.logseq_scan import PageScan

    fed: list[int] = []

    class Counting(PageScan):
        def feed(self, no: int, line: str) -> None:
            fed.append(no)
            super().feed(no, line)

    lines = [f"  - #+BEGIN_X{i}" for i in range(2000)] + ["  - is-subclass-of:: [[Animal]]"]
    scan = Counting()
    for no, line in enumerate(lines, 1):
        scan.feed(no, line)
    scan.end_all()
    assert len(fed) < 10 * len(lines) and [v for _, _, v in scan.props] == ["[[Animal]]"]


def test_an_ontology_heading_inside_a_tilde_fence_is_text():
    data = b"- ~~~\n  - ### OntologyBlock\n  ~~~\n- notes\n"
    assert parse_file("pages/Notes.md", data, ParseOptions()).skipped == "no OntologyBlock heading"


@pytest.mark.parametrize(("opener", "closer"), [("~~~clojure", "~~~"), ("#+BEGIN_SRC clojure", "#+END_SRC")])
def test_an_owl_block_in_tildes_or_begin_src_is_read_like_a_backtick_fence(opener, closer):
    """mldoc makes both `Src {language = "clojure"}`, as it does ```clojure: the same code block."""
    facts = read(f"  - {opener}", "    SubClassOf(mv:Dog mv:Animal)", f"    {closer}")
    assert parents(facts) == [M + "Animal"]


# Logseq keeps a page name's inner whitespace: its key is the trimmed name lower-cased, boundary
# slashes dropped, NFC (logseq.common.util `page-name-sanity-lc`; block `page-name->map` trims the
# ends only), so `[[Robot  Arm]]` (two spaces) is a page of its own, not the page `Robot Arm`.
# The IRI minted for such a name stays what it was (runs of whitespace as one `-`).
def test_a_link_with_doubled_inner_space_is_another_page(graph):
    db, _report = graph
    assert q(db, "SELECT parent_iri FROM owl_class_hierarchy WHERE class_iri = ?", M + "Gripper") == [
        (P + "robot-arm",)]
    assert q(db, "SELECT parent_iri FROM owl_class_hierarchy WHERE class_iri = ?", M + "Welder") == [
        (M + "RobotArm",)]


@pytest.mark.parametrize("name", ["Robot  Arm", "Robot\tArm", " robot arm ", "Robot \u00a0Arm"])
def test_minted_iris_do_not_change(name):
    from ontosync.parsing.logseq import mint_page_iri

    assert mint_page_iri(name, ParseOptions()) == P + "robot-arm"


# Logseq reads `.markdown` files as markdown pages, like `.md` ones (logseq.common.config
# `mldoc-support-formats` #{:org :markdown :md}); the page is named by the file name without it.
def test_a_markdown_extension_page_is_read_like_an_md_page(graph):
    db, _report = graph
    assert q(db, "SELECT label, source_file FROM owl_classes WHERE class_iri = ?", M + "Wolf") == [
        ("Wolf", "pages/Wolf.markdown")]
    assert q(db, "SELECT parent_iri FROM owl_class_hierarchy WHERE class_iri = ?", M + "Cub") == [(M + "Wolf",)]


# Logseq reads `.org` pages as well as `.md` ones (`logseq.common.util/get-format`: :org). Their
# syntax is another (`#+title:`, `:PROPERTIES:` drawers, `*` headings), which the ontology page
# rules (a `### OntologyBlock` heading, `key:: value` lines) do not describe: ontosync does not
# read them, but it must say so, not drop the page without a word.
def test_an_org_page_is_skipped_with_a_reason_naming_org_mode(graph):
    db, report = graph
    assert report["files"]["skipped"] == 2
    reasons = dict(q(db, "SELECT path, error FROM source_files WHERE path LIKE '%.org'"))
    assert "org-mode" in reasons["pages/Cat.org"] and "Logseq backup" in reasons["logseq/bak/pages/Cat.org"]
