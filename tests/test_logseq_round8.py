"""Wrong-data hunt, round 8: page properties, property values and graph settings as Logseq (file graphs,
0.10.x) reads them.

Each expectation is what Logseq's own code makes of the text, cited at each test (graph-parser
`extract.cljc`, `text.cljs`, `property.cljs`; mldoc), not ontosync's output.
"""

from __future__ import annotations

import pytest

from ontosync.parsing import ParseOptions, parse_file
from tests.test_logseq_round5 import M, P, assert_equals_fresh, block, parents, repos, sync

__all__ = ["repos"]  # the fixture, imported for this module's tests

BLOCK = block("mv:Dog")


def page(text: str, path: str = "pages/Dog.md", options: ParseOptions | None = None):
    return parse_file(path, text.encode(), options or ParseOptions())


# graph-parser `extract`: a page's name comes from the properties of its first block only when that
# block is a pre-block (nothing but properties); a `title::` in any other block is that block's
# property, which names nothing, as an `alias::` there does (`block-alias`). Logseq says nothing of it;
# a user who typed it expects the page to be named so: a `block-title` warning names the line.
@pytest.mark.parametrize(("text", "line"), [
    (BLOCK + "  - title:: Canis\n", 3),
    ("- some notes\n  title:: Canis\n" + BLOCK, 2),
    ("title:: Hound\n\n" + BLOCK + "    title:: Canis\n", 5),
    ("- notes\n  - ### OntologyBlock\n    - owl:class:: mv:Dog\n      title:: Canis\n", 4),
])
def test_a_title_outside_the_page_properties_is_a_warning_naming_its_line(text, line):
    facts = page(text)
    assert [(w.kind, w.line) for w in facts.warnings] == [("block-title", line)]
    assert "'Canis' is no page property" in facts.warnings[0].message
    assert "Canis" not in [name for name, _rank in facts.names]


# (round 12: a first BULLET of properties, `- title:: Canis`, is a block of its own in Logseq, no page
# properties: tests/test_logseq_property_placement.py; the unbulleted form below is the page properties.)
@pytest.mark.parametrize("text", ["title:: Canis\n\n" + BLOCK, "title:: Canis\n" + BLOCK,
                                  BLOCK + "  - title:: Dog\n", "title:: Canis\n\n" + BLOCK + "  - title:: Canis\n",
                                  "- about dogs\n  title:: dog\n" + BLOCK])  # (the page's name as Logseq matches it)
def test_a_title_in_the_page_properties_or_repeating_the_name_is_no_warning(text):
    assert [w.kind for w in page(text).warnings] == []


# The same key names a web link's block in Logseq (`title::` beside `url::`, as the real graph's pages
# hold them: `Digital Objects.md`) or an embed's: a block of its own, not the page's first nor its
# OntologyBlock, where nobody meant to name the page. No warning there.
@pytest.mark.parametrize("text", [
    BLOCK + "- [[NFT Security]] and [[Hacking risks]]\n  title:: Hackers Stole NFTs\n  url:: https://example.org\n",
    "- notes\n- Block embed\n  title:: Could\n" + BLOCK,
    BLOCK + "- ## RAGFLOW\n\t- docker compose up\n\t  title:: RAG Graphs\n",
    "- ### OntologyBlock\n  - owl:class:: mv:Dog\n- later\n  title:: Canis\n",
    "- Reading list\n  - title:: Some article\n    url:: https://example.org\n" + BLOCK,  # a child of the first
])
def test_a_title_of_another_block_is_no_warning(text):
    assert [w.kind for w in page(text).warnings] == []


def test_a_title_outside_the_page_properties_of_a_page_without_an_ontology_block_is_a_warning_too():
    facts = page("- notes\n  title:: Canis\n- ```\n  title:: In Code\n  ```\n")
    assert (facts.skipped, facts.names, [(w.kind, w.line) for w in facts.warnings]) == (
        "no OntologyBlock heading", [("Dog", 0)], [("block-title", 2)])


# mldoc reads a page's properties as a list of (key, value) pairs, repeats kept; graph-parser
# `get-page-name` makes the title of them with `zipmap` and `extract-properties` the page properties
# (`alias::`) with `(into {} properties)`: a key given twice is worth its LAST value, as in any
# Clojure map built from pairs. ontosync kept the first, so the page was named otherwise than in Logseq
# and links to its Logseq name reached no class. The value left unread is a `repeated-property` warning.
@pytest.mark.parametrize(("head", "names", "unread"), [
    ("title:: Dog\ntitle:: Canine\n", [("Canine", 0)], [1]),
    ("Title:: Dog\nTITLE:: Canine\n", [("Canine", 0)], [1]),
    ("title::\ntitle:: Canine\n", [("Canine", 0)], []),
    ("alias:: Hound\nalias:: Canine\n", [("Dog", 0), ("Canine", 1)], [1]),
    ("title:: Dog\nalias:: Hound\ntitle:: Canine\n", [("Canine", 0), ("Hound", 1)], [1]),  # (no bullet: round 12)
    ("title:: Canine\ntitle:: Canine\n", [("Canine", 0)], []),
    ("title:: Canine\ntitle::\n", [("Canine", 0)], []),  # a property with no value is none (issue 7124)
    ("alias:: Canine\nalias:: Hound, Canine\n", [("Dog", 0), ("Hound", 1), ("Canine", 1)], []),  # still named
])
def test_a_page_property_given_twice_is_worth_its_last_value(head, names, unread):
    facts = page(head + "\n" + BLOCK)
    assert facts.names == names
    assert [(w.kind, w.line) for w in facts.warnings] == [("repeated-property", line) for line in unread]
    assert [s.text for s in facts.synonyms] == [name for name, rank in names if rank == 1]


def test_front_matter_given_twice_is_worth_its_last_value():
    assert page("---\ntitle: Dog\ntitle: Canine\n---\n" + BLOCK).names == [("Canine", 0)]


def test_links_to_a_retitled_page_reach_its_class(repos):
    inc, fresh = repos
    tree = {"pages/Dog.md": "title:: Dog\ntitle:: Canine\n\n" + BLOCK,
            "pages/Puppy.md": block("mv:Puppy", "is-subclass-of:: [[Canine]]")}
    sync(inc, tree)
    assert parents(inc, M + "Puppy") == [M + "Dog"]
    sync(inc, {"pages/Dog.md": "title:: Canine\ntitle:: Dog\n\n" + BLOCK})  # now `Dog`: the link misses it
    assert parents(inc, M + "Puppy") == [P + "canine"]
    assert_equals_fresh(inc, fresh, {**tree, "pages/Dog.md": "title:: Canine\ntitle:: Dog\n\n" + BLOCK})


# Logseq compares `:file/name-format` with the keyword `:triple-lowbar` (graph-parser `title-parsing`:
# `(case filename-format :triple-lowbar ...)`): the symbol `triple-lowbar` (a missing colon) is no
# match, so the graph's file names are read in the legacy format, as for any other value.
@pytest.mark.parametrize("written", ["triple-lowbar", '"triple-lowbar"', ":file/triple-lowbar"])
def test_a_name_format_that_is_not_the_keyword_is_the_legacy_format(written):
    from ontosync.parsing.logseq_config import parse_config

    config, warnings = parse_config(f"{{:file/name-format {written}}}".encode(), "logseq/config.edn")
    assert config.name_format == "legacy"
    assert [(w.kind, w.line) for w in warnings] == [("logseq-config", 1)]


# Logseq reads config.edn with cljs tools.reader's EDN reader, whose `read-map` throws "Map literal
# contains duplicate key" (and `read-set` likewise): a config.edn giving one key twice is no config
# to Logseq, which keeps Logseq's defaults. ontosync's EDN reader kept the last value silently, so the
# graph's pages were named by settings Logseq never applied. Keys a `#_` discards are no keys.
@pytest.mark.parametrize(("text", "line"), [
    ('{:file/name-format :legacy\n :hidden []\n :file/name-format :legacy}', 3),
    ('{:journal/page-title-format "yyyy-MM-dd"\n :x {:a 1 :a 2}}', 2),
    ('{:hidden ["a"]\n :y #{:b :b}}', 2),
])
def test_a_config_giving_a_key_twice_is_refused_as_logseq_refuses_it(text, line):
    from ontosync.parsing.logseq_config import LogseqConfig, parse_config, refused

    config, warnings = parse_config(text.encode(), "logseq/config.edn")
    assert (config, [(w.kind, w.line) for w in warnings], refused(warnings)) == (
        LogseqConfig(), [("logseq-config", line)], True)
    assert "duplicate key" in warnings[0].message


@pytest.mark.parametrize("text", [
    '{#_ :file/name-format :file/name-format :legacy}', '{#_#_ :file/name-format :x :file/name-format :legacy}',
    '{:a ^:m {:b 1} :file/name-format #_ :triple-lowbar :legacy :c #inst "2024-01-01T00:00:00Z"}',
    '{:file/name-format :legacy :x [:a :a] :y (:a :a) :z {:a {:a 1}} :w #:db{:id 1 :x 2}}',
])
def test_keys_a_discard_drops_or_in_other_maps_are_no_duplicates(text):
    from ontosync.parsing.logseq_config import parse_config

    config, warnings = parse_config(text.encode(), "logseq/config.edn")
    assert (config.name_format, warnings) == ("legacy", [])


def test_keys_of_other_types_are_no_duplicates():
    from ontosync.parsing.logseq_config import parse_config

    assert parse_config(b'{:x {true 1 1 2 1.0 3 "a" 4 :a 5 a 6} :file/name-format :legacy}', "c.edn")[1] == []


# graph-parser `extract-page-alias-and-tags` drops every alias whose `page-name-sanity-lc` (lower-cased,
# one boundary `/` each side dropped, NFC) is the page's own name: `alias:: dog` on the page `Dog` is
# no alias in Logseq. ontosync made each such alias an exact synonym of the page class (`Dog`
# hasExactSynonym "dog", "/Dog/"), a synonym Logseq never had.
def test_an_alias_that_is_the_pages_own_name_is_no_alias_and_no_synonym():
    facts = page("title:: Dog\nalias:: dog, Dog, /Dog/, Canine\n\n" + BLOCK, "pages/X.md")
    assert (facts.names, [s.text for s in facts.synonyms]) == ([("Dog", 0), ("Canine", 1)], ["Canine"])
    skipped = page("alias:: x, X/, Canine\n\n- notes\n", "pages/X.md")
    assert skipped.names == [("X", 0), ("Canine", 1)]
