"""Wrong-data hunt, round 2: where ontosync stored a Logseq graph differently from Logseq.

Each expectation is what Logseq's own graph parser (deps/graph-parser) makes of the page, written
from its rules (cited at each test), not from ontosync's output. One small graph is synced once
for the whole module (in-process: cheap).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import q, synced_pages

M = "http://narrativegoldmine.com/metaverse#"
P = "urn:ontosync:page:"


def block(*props: str) -> str:
    return "- ### OntologyBlock\n" + "".join(f"  - {p}\n" for p in props)


FILES = {
    "pages/Animal.md": block("owl:class:: mv:Animal"),
    # Logseq files a property under its key lower-cased with `_` as `-` (graph-parser
    # `block/extract-properties`): `is_subclass_of::` IS `is-subclass-of::`, and so on.
    "pages/Dog.md": block("owl:class:: mv:Dog", "Preferred_Term:: Good Dog", "is_subclass_of:: [[Animal]]",
                          "alternate_terms:: Doggo", "has_part:: [[Tail]]", "see_also:: [[Wolf]]"),
    # A property value runs to the end of its line in Logseq (mldoc reads `key:: value` lines as
    # the block's properties): backticks inside it open no code block, so the lines below stay
    # properties. (A fence opens only where a line starts with three backticks.)
    "pages/Coder.md": block("owl:class:: mv:Coder", "definition:: Wraps code in ``` fences",
                            "is-subclass-of:: [[Animal]]", "requires:: [[Keyboard]]"),
    # `alias::` is a name of its page in Logseq: [[AI]] opens the page that declares it. A
    # preferred-term is no name in Logseq (ontosync's own fallback for links by a term's name), so
    # it must not take the link from a page Logseq opens (graph-parser `extract/build-page-entity`).
    "pages/Artificial Intelligence.md": "alias:: AI\n\n" + block("owl:class:: mv:ArtificialIntelligence"),
    "pages/AI Concept.md": block("owl:class:: mv:AIConcept", "preferred-term:: AI"),
    "pages/Chatbot.md": block("owl:class:: mv:Chatbot", "is-subclass-of:: [[AI]]"),
    # A macro's [[X]] in a property value IS a ref in Logseq: mldoc reads a value's refs with
    # inline_skip_macro (mldoc `property.ml`, `property_references`). (Held: no fix needed.)
    "pages/Embedder.md": block("owl:class:: mv:Embedder", "is-subclass-of:: {{embed [[Animal]]}}"),
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> Path:
    return synced_pages(tmp_path_factory.mktemp("round2"), FILES)


def rows(db: Path, sql: str, *args) -> list[tuple]:
    return sorted(q(db, sql, *args))


def relations(db: Path, subject: str) -> list[tuple[str, str]]:
    found = rows(db, "SELECT annotations, object FROM owl_axioms WHERE subject = ? AND axiom_type = 'Relationship'",
                 subject)
    return sorted((json.loads(a)["relation"], o) for a, o in found)


def test_property_keys_with_underscores_are_the_dashed_keys(graph):
    """`is_subclass_of::` is a parent link, `Preferred_Term::` the label, `alternate_terms::` a
    synonym, `see_also::` metadata: Logseq reads them as the dashed keys."""
    assert rows(graph, "SELECT parent_iri FROM owl_class_hierarchy WHERE class_iri = ?", M + "Dog") == [(M + "Animal",)]
    assert rows(graph, "SELECT label FROM owl_classes WHERE class_iri = ?", M + "Dog") == [("Good Dog",)]
    assert ("Doggo",) in rows(graph, "SELECT synonym FROM file_synonyms WHERE class_iri = ?", M + "Dog")
    # has_part stays a relationship (its key as written); see_also is metadata like see-also.
    assert relations(graph, M + "Dog") == [("has_part", P + "tail")]


def test_backticks_inside_a_property_value_open_no_fence(graph):
    assert rows(graph, "SELECT comment FROM owl_classes WHERE class_iri = ?", M + "Coder") == [
        ("Wraps code in ``` fences",)]
    assert rows(graph, "SELECT parent_iri FROM owl_class_hierarchy WHERE class_iri = ?", M + "Coder") == [
        (M + "Animal",)]
    assert relations(graph, M + "Coder") == [("requires", P + "keyboard")]


@pytest.mark.parametrize(("stem", "triple_lowbar", "legacy"), [
    # :triple-lowbar decodes each %XX on its own (graph-parser `tri-lb-title-parsing`: a token
    # that is no character alone, a byte of a multi-byte UTF-8 sequence, stays as written) ...
    ("Caf%C3%A9", "Caf%C3%A9", "Café"),
    ("a%3A%FF", "a:%FF", "a%3A%FF"),
    # ... legacy decodes the whole name with decodeURIComponent, or nothing when that fails
    # (`legacy-title-parsing`: a `%` not followed by two hex digits is malformed).
    ("50%zz%3A off", "50%zz: off", "50%zz%3A off"),
    ("a.b%3A c", "a.b: c", "a/b: c"),
    ("x%252F", "x%2F", "x%2F"),  # one pass, both
])
def test_percent_escapes_in_file_names_decode_as_logseq_does(stem, triple_lowbar, legacy):
    from ontosync.parsing.logseq_config import LogseqConfig, LogseqGraph
    from ontosync.parsing.logseq_names import file_page_name

    def name(fmt: str) -> str:
        return file_page_name(f"pages/{stem}.md", LogseqGraph(config=LogseqConfig(name_format=fmt), found=True))

    assert (name("triple-lowbar"), name("legacy")) == (triple_lowbar, legacy)


def test_an_alias_wins_a_link_over_another_pages_preferred_term(graph):
    assert rows(graph, "SELECT parent_iri FROM owl_class_hierarchy WHERE class_iri = ?", M + "Chatbot") == [
        (M + "ArtificialIntelligence",)]


def test_a_link_inside_a_macro_in_a_property_value_is_a_link(graph):
    assert rows(graph, "SELECT parent_iri FROM owl_class_hierarchy WHERE class_iri = ?", M + "Embedder") == [
        (M + "Animal",)]
