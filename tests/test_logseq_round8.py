"""Wrong-data hunt, round 8: page properties, property values and graph settings as Logseq (file graphs,
0.10.x) reads them.

Each expectation is what Logseq's own code makes of the text, cited at each test (graph-parser
`extract.cljc`, `text.cljs`, `property.cljs`; mldoc), not ontosync's output.
"""

from __future__ import annotations

import pytest

from ontosync.parsing import ParseOptions, parse_file
from tests.test_logseq_round5 import block

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
    ("title:: Hound\n\n" + BLOCK + "- title:: Canis\n", 5),
])
def test_a_title_outside_the_page_properties_is_a_warning_naming_its_line(text, line):
    facts = page(text)
    assert [(w.kind, w.line) for w in facts.warnings] == [("block-title", line)]
    assert "Canis" not in [name for name, _rank in facts.names]


@pytest.mark.parametrize("text", ["title:: Canis\n\n" + BLOCK, "- title:: Canis\n" + BLOCK,
                                  BLOCK + "  - title:: Dog\n", "title:: Canis\n\n" + BLOCK + "  - title:: Canis\n"])
def test_a_title_in_the_page_properties_or_repeating_the_name_is_no_warning(text):
    assert [w.kind for w in page(text).warnings] == []


def test_a_title_outside_the_page_properties_of_a_page_without_an_ontology_block_is_a_warning_too():
    facts = page("- notes\n  title:: Canis\n- ```\n  title:: In Code\n  ```\n")
    assert (facts.skipped, facts.names, [(w.kind, w.line) for w in facts.warnings]) == (
        "no OntologyBlock heading", [("Dog", 0)], [("block-title", 2)])
