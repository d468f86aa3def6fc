"""Wrong-data hunt, round 14: where a code fence ends on a Logseq page, read by both readers of the page
(the block scan, `logseq_scan.PageScan`, and the page-properties reader, `logseq_page_props`) as Logseq's
parser reads it (`logseq_code`), and a page's first block of any length.

mldoc (Logseq 0.10's parser), `lib/syntax/block0.ml` `fenced_code_block`: a fence opens on a line whose text
(after spaces, and after a bullet's `- `, whose title `heading0.ml` `title_aux_p` reads as the block it opens)
starts with ```` ``` ```` or `~~~`, the rest of the line its language; `between_lines` (`lib/parsers.ml`) ends
it at the first line below whose trimmed text starts with ```` ``` ```` or `~~~`, and fails when none does,
so the fence is none and its lines are parsed again as any others (round 11 pinned that rule for the
directives). The block scan hid everything below a fence left open to the page's end, closed a fence at a
bullet's `- ```` line, nested a tagged fence line, and knew one-line and inline fences mldoc does not: each
time a property or heading one reader saw the other did not, and Logseq did otherwise.
"""

from __future__ import annotations

import time

import pytest

from tests.test_logseq_round5 import M, P, block, parents, repos, sync
from tests.test_logseq_two_readers import BLOCK, page, read  # (names, parents' refs): what both readers found

__all__ = ["repos"]  # the fixture, imported for this module's tests


# -- 1. a fence left open to the page's end is none -------------------------------------------------------------

# `between_lines` finds no closing line: no fence, and the lines below are a block's lines, a `key:: value`
# line a property (and an OntologyBlock heading a heading). The directives reader read the `#+alias:` there,
# the block scan hid the `is-subclass-of::` beside it.
@pytest.mark.parametrize("opener", ["```", "~~~", "```text", "- ```", "- ~~~markdown"])
def test_a_fence_no_line_closes_is_none_for_both_readers(opener):
    text = BLOCK + f"  {opener}\n  is-subclass-of:: [[Animal]]\n  #+alias: Hound\n"
    assert read(text) == ([("Dog", 0), ("Hound", 1)], ["Animal"])


def test_an_ontology_block_below_a_fence_left_open_is_read():
    facts = page("- notes\n  - ```\n  - ### OntologyBlock\n    - owl:class:: mv:Dog\n")
    assert (facts.skipped, facts.page_class) == (None, M + "Dog")


def test_the_text_of_a_clojure_fence_left_open_is_still_read_with_a_warning():
    facts = page(BLOCK + "  - ```clojure\n    (SubClassOf :Dog :Animal)\n    is-subclass-of:: [[Canine]]\n")
    assert [e.parent for e in facts.edges] == [M + "Animal", P + "canine"]
    assert [(w.kind, w.line) for w in facts.warnings][:1] == [("unclosed-fence", 3)]


def test_a_fence_left_open_costs_linear_time():
    """Every line below is text inside the fence (a bullet's `- ````): read again once, no fence opening."""
    lines = "".join(f"  - ```x{i}\n  - is-subclass-of:: [[A{i}]]\n  #+alias: H{i}\n" for i in range(20_000))
    started = time.monotonic()
    names, refs = read(BLOCK + lines)
    assert (names[-1], len(refs)) == (("H19999", 1), 20_000) and time.monotonic() - started < 20


# -- 2. where a fence ends -------------------------------------------------------------------------------------

# Only a line whose TRIMMED text starts with the marker closes (`starts_with (String.trim line) "```"`): a
# bullet's `- ```` inside a fence is its text, as the directives reader read it; the block scan closed there.
def test_a_bullet_s_fence_line_inside_a_fence_is_text():
    text = (BLOCK + "  - ```solidity\n  - ```\n  - is-subclass-of:: [[Hidden]]\n  #+alias: Kitty\n  ```\n"
            "  - is-subclass-of:: [[Animal]]\n")
    assert read(text) == ([("Dog", 0)], ["Animal"])


# A tagged fence line inside a fence closes it (fences do not nest in mldoc): the lines below it are text, so
# their properties and directives count, and the next fence line opens a fence again. The text of the nested
# fence is still read when its tag is one ontosync reads (quoted "Original Content" blocks hold the pages'
# `clojure` fences: tests/test_logseq.py::test_fence_rules).
def test_a_tagged_fence_line_inside_a_fence_closes_it_as_in_logseq():
    text = (BLOCK + "  - ```markdown\n    - is-subclass-of:: [[Quoted]]\n    ```text\n"
            "    is-subclass-of:: [[Animal]]\n    #+alias: Hound\n    ```\n    is-subclass-of:: [[Hidden]]\n    ```\n")
    assert read(text) == ([("Dog", 0), ("Hound", 1)], ["Animal"])


def test_a_nested_clojure_fence_is_read_and_what_logseq_shows_as_text_too():
    text = (BLOCK + "  - ```markdown\n    ```clojure\n    (SubClassOf :Dog :Animal)\n    ```\n"
            "    is-subclass-of:: [[Quoted]]\n    ```\n")
    assert [e.parent for e in page(text).edges] == [M + "Animal"]


# mldoc knows no one-line fence: ```` ```python print(1)``` ```` opens one (its language `python`) that the next
# fence line closes; nor an inline one: `{{renderer plantuml}} ```@startuml` is a block's text, opening nothing.
@pytest.mark.parametrize(("text", "refs"), [
    (BLOCK + "  - ```python print(1)```\n  - is-subclass-of:: [[Hidden]]\n  #+alias: Kitty\n  ```\n"
     "  - is-subclass-of:: [[Animal]]\n", ["Animal"]),
    (BLOCK + "  - {{renderer plantuml}} ```@startuml\n  - is-subclass-of:: [[Animal]]\n  @enduml ```\n"
     "  - is-subclass-of:: [[Canine]]\n", ["Animal", "Canine"]),
])
def test_a_fence_opens_and_closes_only_on_a_line_that_starts_with_it(text, refs):
    assert read(text) == ([("Dog", 0)], refs)


# A list item's text (`1. ` and the lines indented below it) opens no fence, for the directives reader as for
# the block scan: a fence line there, then one below the list, do not pair up.
def test_a_fence_line_in_a_list_item_opens_no_fence():
    text = (BLOCK + "  1. one\n     ```python\n     x = 1\n\n  #+alias: Hound\n  is-subclass-of:: [[Animal]]\n"
            "  ```\n  is-subclass-of:: [[Hidden]]\n  ```\n")
    assert read(text) == ([("Dog", 0), ("Hound", 1)], ["Animal"])


# -- 3. a first block of any length ------------------------------------------------------------------------------

# graph-parser's pre-block is the page's text up to its first heading, however long: the page-properties reader
# read 200 lines of it, so an `alias::` on line 450 named nothing (and was warned of as a block's alias).
def test_a_500_line_first_block_names_the_page_by_its_last_lines(repos):
    inc, _fresh = repos
    head = "".join(f"note-{i}:: {i}\n" for i in range(449)) + "alias:: Hound\n"
    head += "".join(f"more-{i}:: {i}\n" for i in range(50))
    facts = page(head + "\n" + BLOCK)
    assert (facts.names, facts.warnings) == ([("Dog", 0), ("Hound", 1)], [])
    sync(inc, {"pages/Dog.md": head + "\n" + BLOCK, "pages/Puppy.md": block("mv:Puppy", "is-subclass-of:: [[Hound]]")})
    assert parents(inc, M + "Puppy") == [M + "Dog"]


@pytest.mark.parametrize("line", ["#+BEGIN_QUOTE\n", "<!--\n", ":LOGBOOK:\n", "```x\n  - ```\n"])
def test_a_first_block_of_openers_without_an_end_costs_linear_time(line):
    started = time.monotonic()
    facts = page("intro\n" + line * 20_000 + "alias:: Hound\n\n" + BLOCK)
    assert facts.page_class == M + "Dog" and time.monotonic() - started < 20


# -- 4. where a `#+BEGIN_X` block ends ---------------------------------------------------------------------------

# mldoc `block0.ml`: the block ends at the first line whose TRIMMED text starts with `#+end_x` (any case), so a
# bullet's `- #+END_QUOTE` is the quote's text, as the directives reader read it; the block scan dropped the
# `- ` first and ended the quote there, reading the property below it that Logseq shows inside the quote.
def test_a_bullet_s_end_line_inside_a_block_is_text():
    text = (BLOCK + "  - #+BEGIN_QUOTE\n  - #+END_QUOTE\n  - is-subclass-of:: [[Hidden]]\n  #+alias: Kitty\n"
            "  #+end_quote\n  - is-subclass-of:: [[Animal]]\n")
    assert read(text) == ([("Dog", 0)], ["Animal"])
