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


def test_an_ontology_heading_inside_a_tilde_fence_is_text():
    data = b"- ~~~\n  - ### OntologyBlock\n  ~~~\n- notes\n"
    assert parse_file("pages/Notes.md", data, ParseOptions()).skipped == "no OntologyBlock heading"


@pytest.mark.parametrize(("opener", "closer"), [("~~~clojure", "~~~"), ("#+BEGIN_SRC clojure", "#+END_SRC")])
def test_an_owl_block_in_tildes_or_begin_src_is_read_like_a_backtick_fence(opener, closer):
    """mldoc makes both `Src {language = "clojure"}`, as it does ```clojure: the same code block."""
    facts = read(f"  - {opener}", "    SubClassOf(mv:Dog mv:Animal)", f"    {closer}")
    assert parents(facts) == [M + "Animal"]


# Logseq reads `.org` pages as well as `.md` ones (`logseq.common.util/get-format`: :org). Their
# syntax is another (`#+title:`, `:PROPERTIES:` drawers, `*` headings), which the ontology page
# rules (a `### OntologyBlock` heading, `key:: value` lines) do not describe: ontosync does not
# read them, but it must say so, not drop the page without a word.
def test_an_org_page_is_skipped_with_a_reason_naming_org_mode(tmp_path):
    files = {"pages/Dog.md": page().decode(), "pages/Cat.org": "#+title: Cat\n* OntologyBlock\n:PROPERTIES:\n"
             ":owl:class: mv:Cat\n:END:\n", "logseq/bak/pages/Cat.org": "#+title: Cat\n"}
    db = synced_pages(tmp_path / "graph", files)
    report = json.loads((tmp_path / "graph.json").read_text())
    assert report["files"]["skipped"] == 2
    reasons = dict(q(db, "SELECT path, error FROM source_files WHERE path LIKE '%.org'"))
    assert "org-mode" in reasons["pages/Cat.org"] and "Logseq backup" in reasons["logseq/bak/pages/Cat.org"]
