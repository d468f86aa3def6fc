"""Wrong-data hunt, round 13: the two readers of a Logseq page (the block scan, `logseq_scan.PageScan`, and
the page-properties reader, `logseq_page_props`) read one page alike: where a column-0 bullet ends an HTML
comment, a `#+BEGIN_X` block or a fence, where a markdown list ends, and the page properties of a first
block that opens with text.

Each expectation is what Logseq (file graphs, 0.10.x) makes of the text, cited at each test, or the rule
the block scan already applies (README "What ontosync reads"), not ontosync's output.
"""

from __future__ import annotations

import pytest

from ontosync.parsing import ParseOptions, parse_file
from tests.test_logseq_round5 import M, block, parents, repos, sync

__all__ = ["repos"]  # the fixture, imported for this module's tests

BLOCK = block("mv:Dog")


def page(text: str, path: str = "pages/Dog.md"):
    return parse_file(path, text.encode(), ParseOptions())


def read(text: str) -> tuple[list, list[str]]:
    """(the page's names, its parents' refs): what the page-properties reader and the block scan found."""
    facts = page(text)
    return facts.names, [e.parent_ref for e in facts.edges]


# -- 1. a column-0 bullet ends an open comment, block or fence in both readers ----------------------------------

# A `- ` bullet at column 0 starts a new top-level block, and Logseq never continues a block past it (README,
# "Fences"): the block scan ends every open fence there, and an HTML comment or `#+BEGIN_X` block with no end
# before it is none (its lines are read again). The page-properties reader looked for the `-->`, `#+END_X` or
# closing backticks over the whole rest of the page, so a `#+title:` below the bullet was hidden in a comment
# the block scan had closed: the property beside it counted, the title did not.
@pytest.mark.parametrize("opening, closing", [
    ("<!--", "-->"), ("<!---", "-->"), ("#+BEGIN_QUOTE", "#+END_QUOTE"), ("#+begin_note", "#+end_note"),
    ("```", "```"), ("~~~", "~~~"),
])
def test_a_column_0_bullet_ends_an_open_comment_block_or_fence_for_the_page_properties_too(opening, closing):
    text = f"{opening}\n- note\n  is-subclass-of:: [[Animal]]\n#+title: Canis\n{closing}\n" + BLOCK
    assert read(text) == ([("Canis", 0)], ["Animal"])


@pytest.mark.parametrize("opening, closing", [("<!--", "-->"), ("#+BEGIN_QUOTE", "#+END_QUOTE")])
def test_a_comment_or_block_a_bullet_ends_is_none_its_lines_read_again(opening, closing):
    # the block scan reads the lines of a comment or block never closed before the bullet as any others
    text = f"{opening}\n#+alias: Hound\nis-subclass-of:: [[Animal]]\n- note\n{closing}\n" + BLOCK
    facts = page(text)
    assert (facts.names, [e.parent_ref for e in facts.edges]) == ([("Dog", 0), ("Hound", 1)], ["Animal"])


@pytest.mark.parametrize("fence", ["```", "~~~"])
def test_a_fence_a_bullet_ends_still_hides_the_lines_above_the_bullet(fence):
    text = f"{fence}\n#+alias: Hound\nis-subclass-of:: [[Old]]\n- note\n#+title: Canis\n" + BLOCK
    assert read(text) == ([("Canis", 0)], [])


@pytest.mark.parametrize("text", [
    "<!--\n#+title: Old\n  - note\n-->\n",  # an indented bullet is inside the comment
    "#+BEGIN_QUOTE\n#+title: Old\n  - note\n#+END_QUOTE\n",
    "<!--\n#+title: Old\n-->\n- note\n",  # closed before the bullet
])
def test_a_comment_or_block_closed_before_a_column_0_bullet_still_hides_its_lines(text):
    assert read(text + BLOCK) == ([("Dog", 0)], [])


# Org pages have no `- ` blocks: a `- ` line there is a list item, and a comment or block runs to its end.
def test_an_org_block_runs_past_a_dash_line():
    facts = parse_file("pages/Dog.org", b"#+BEGIN_QUOTE\n- note\n#+title: Canis\n#+END_QUOTE\n", ParseOptions())
    assert facts.names == [("Dog", 0)]


# -- 2. one rule for where a markdown list ends ----------------------------------------------------------------

# A `1. `, `+ ` or `* ` item's text is the lines indented further than the list's least indented item mark; a
# `- ` bullet (a Logseq block), a line at an item's own indentation or less, an empty line not followed by an
# item, or a column-0 comment, block or fence line ends the list (README, "Properties"; round 12). The block
# scan applied that rule to `key:: value` lines, the directives reader another (a `- ` bullet went on with the
# list, so did any indented line, and a comment did not end the list for the block scan): a `#+title:` and an
# `is-subclass-of::` written side by side were one read and one not.
LIST_ENDS = [
    "  - notes\n    + item\n    - bullet\n      {}\n",  # a bullet ends the list
    "  - notes\n    + item\n\n    - bullet\n      {}\n",  # so does one after an empty line
    "  - notes\n    1. item\n    {}\n",  # a line at the item's own indentation
    "  - notes\n    * item\n      + child\n    {}\n",
    "+ item\n<!--\nnote\n-->\n  {}\n",  # a column-0 comment ends the list: the line below is no item's
    "+ item\n#+BEGIN_QUOTE\nnote\n#+END_QUOTE\n  {}\n",
]


@pytest.mark.parametrize("shape", LIST_ENDS)
def test_a_line_after_a_list_is_read_by_both_readers(shape):
    assert read(BLOCK + shape.format("#+title: Canis"))[0] == [("Canis", 0)]
    assert read(BLOCK + shape.format("is-subclass-of:: [[Animal]]"))[1] == ["Animal"]


@pytest.mark.parametrize("shape", [
    "  - notes\n    + item\n      {}\n",  # indented further than the item's mark: its text
    "  - notes\n    1. item\n\n    2. item\n       {}\n",  # an empty line before the next item goes on
    "  - notes\n      1. a\n    2. b\n      {}\n",  # the least indented mark counts
])
def test_a_list_item_s_text_is_read_by_neither_reader(shape):
    assert read(BLOCK + shape.format("#+title: Canis"))[0] == [("Dog", 0)]
    assert read(BLOCK + shape.format("is-subclass-of:: [[Animal]]"))[1] == []


def test_an_org_list_keeps_mldoc_s_rule_any_indented_line_is_an_item_s():
    # mldoc `lists.ml` `content_parser`: an indented line that is no item is the item's content (an org page has
    # no `- ` blocks, and only its directives are read); a column-0 line ends the list
    org = b"  + item\n  #+title: Old\n- item\n  #+alias: Older\n#+alias: Hound\n"
    assert parse_file("pages/Dog.org", org, ParseOptions()).names == [("Dog", 0), ("Hound", 1)]


# -- 3. the page properties of a first block that opens with text ---------------------------------------------

# graph-parser's `extract-blocks` walks the page's mldoc elements up to its first heading (a `- ` bullet or a
# `#` heading): the pre-block. Every Properties element there replaces the one before it, read from the end,
# so the pre-block's properties are its FIRST run of `key:: value` lines, text before it or not, and
# `with-pre-block-if-exists` makes them the page's: its `alias::` names the page. The page's title is another
# matter: `get-page-name` takes `title::` only from the page's first element (`(ffirst ast)` when it is
# Properties), so after intro text `title::` is that block's property and names nothing. ontosync read page
# properties only from a first block of nothing but properties: the alias was lost, with a `block-alias`
# warning saying it named nothing.
@pytest.mark.parametrize("intro", [
    "This page is about dogs.\n",
    "This page is about dogs.\nIt has two lines of text.\n",
    "\n**Dogs** are [[Animal]]s.\n\n",
    "A note\n```\ncode\n```\n",  # a fence in the intro, its lines no property
])
def test_an_alias_after_intro_text_names_the_page(intro):
    facts = page(intro + "alias:: Hound, [[Canine]]\n" + BLOCK)
    assert sorted(facts.names) == [("Canine", 1), ("Dog", 0), ("Hound", 1)]
    assert sorted(s.text for s in facts.synonyms) == ["Canine", "Hound"]
    assert facts.warnings == []


@pytest.mark.parametrize("text", [
    "This page is about dogs.\ntitle:: Canis\n" + BLOCK,
    "This page is about dogs.\ntitle:: Canis\nalias:: Hound\n" + BLOCK,
    "This page is about dogs.\nalias:: Hound\ntitle:: Canis\n\n" + BLOCK,
])
def test_a_title_after_intro_text_is_a_block_property_and_renames_nothing(text):
    facts = page(text)
    assert facts.names[0] == ("Dog", 0)
    assert [(w.kind, w.line) for w in facts.warnings] == [("block-title", text.split("\n").index("title:: Canis") + 1)]


@pytest.mark.parametrize("text", [
    "Intro\n\n- note\n  alias:: Hound\n" + BLOCK,  # past the first bullet: another block's
    "Intro\n## Dogs\nalias:: Hound\n" + BLOCK,  # a `#` heading starts a block too
    "Intro\n```\nalias:: Hound\n```\n" + BLOCK,  # in a fence: text
    "Intro\n+ item\n  alias:: Hound\n" + BLOCK,  # a list item's text
])
def test_an_alias_after_intro_text_outside_the_first_block_s_properties_names_nothing(text):
    facts = page(text)
    assert facts.names == [("Dog", 0)]


def test_only_the_first_run_of_properties_after_intro_text_is_the_page_s():
    facts = page("Intro\nalias:: Hound\n\nMore text\nalias:: Mutt\n" + BLOCK)
    assert facts.names == [("Dog", 0), ("Hound", 1)]
    assert [(w.kind, w.line) for w in facts.warnings] == [("block-alias", 5)]


def test_links_to_an_alias_after_intro_text_reach_the_page(repos):
    inc, _fresh = repos
    sync(inc, {"pages/Dog.md": "Dogs are pets.\nalias:: Hound\n" + BLOCK,
               "pages/Puppy.md": block("mv:Puppy", "is-subclass-of:: [[Hound]]")})
    assert parents(inc, M + "Puppy") == [M + "Dog"]


# -- 4. either fence marker closes a fence, for the page's directives too ------------------------------------------

# mldoc reads ``` and ~~~ alike: either opens a fence and either closes it (README, "Fences"), and the block scan
# closes a ``` fence at a ~~~ line. The directives reader closed a fence only at its own marker, so the lines
# between a ~~~ line and a later ``` one were code to it and page text to the block scan.
@pytest.mark.parametrize("opening, closing", [("```", "~~~"), ("~~~", "```"), ("- ```", "~~~"), ("```owl", "~~~")])
def test_either_fence_marker_closes_a_fence_for_both_readers(opening, closing):
    shape = f"{opening}\ncode\n{closing}\n{{}}\n```\n"
    assert read(shape.format("#+title: Canis") + BLOCK)[0] == [("Canis", 0)]
    assert read(BLOCK + "  - notes\n" + shape.format("is-subclass-of:: [[Animal]]"))[1] == ["Animal"]


# -- 5. a `:PROPERTIES:` drawer after intro text -----------------------------------------------------------------

# mldoc reads a `:PROPERTIES:` ... `:END:` drawer in markdown too (its Property_Drawer, as `key:: value` lines), and
# graph-parser's `extract-blocks` keeps the pre-block's first such element wherever it stands (section 3): after
# intro text, the drawer's `:alias:` names the page, its `:title:` (not the page's first element) does not.
# ontosync read the drawer only when it opened the page.
def test_a_properties_drawer_after_intro_text_gives_the_page_its_aliases():
    facts = page("This page is about dogs.\n:PROPERTIES:\n:alias: Hound\n:title: Canis\n:END:\n" + BLOCK)
    assert facts.names == [("Dog", 0), ("Hound", 1)]


@pytest.mark.parametrize("text, alias", [
    ("Intro\n:PROPERTIES:\n:alias: Hound\n:END:\nalias:: Mutt\n", "Hound"),
    ("Intro\nalias:: Mutt\n\n:PROPERTIES:\n:alias: Hound\n:END:\n", "Mutt"),
    ("Intro\n- note\n  :PROPERTIES:\n  :alias: Hound\n  :END:\n", None),  # past the first bullet
])
def test_only_the_first_properties_of_the_first_block_are_the_page_s(text, alias):
    assert page(text + BLOCK).names == [("Dog", 0)] + ([(alias, 1)] if alias else [])


# -- 6. the spellings of an HTML comment opener (reported, not reproduced: a guard) ----------------------------

# mldoc's `markdown_comment.ml`: `<!---` or `<!--` and then the line's end at once (Angstrom's `end_of_line`), at
# column 0 (no parser before it takes spaces), and no markdown heading's title holds one (`heading0.ml`
# `title_aux_p` has no comment parser: `- <!--` is a bullet whose text is `<!--`). Lines end at LF, CRLF or a lone
# CR alike. Both readers already open a comment exactly there; these hold them together.
@pytest.mark.parametrize("opening, comment", [
    ("<!--", True), ("<!---", True), ("  <!--", False), ("\t<!--", False), ("- <!--", False), ("<!-- ", False),
    ("<!--\t", False), ("<!---->", False), ("<!----", False), ("<!-- note", False), ("<!--\r", True),
])
def test_an_html_comment_opens_on_the_same_lines_for_both_readers(opening, comment):
    shape = f"{opening}\n{{}}\n-->\n" + BLOCK
    names, _ = read(shape.format("#+title: Canis"))
    _, parents = read(shape.format("is-subclass-of:: [[Animal]]"))
    assert (names, parents) == (([("Dog", 0)], []) if comment else ([("Canis", 0)], ["Animal"]))
    text = shape.format("is-subclass-of:: [[Animal]]").replace("\n", "\r\n")  # CRLF line ends
    assert read(text)[1] == ([] if comment else ["Animal"])


# -- 7. a drawer's lines are no properties for either reader -------------------------------------------------------

# mldoc's `drawer.ml`: a `:NAME:` line opens a drawer (Logseq writes `:LOGBOOK:` ones), its lines up to `:END:` are
# the drawer's body, no property (`:PROPERTIES:` aside, whose `:key: value` lines are its own). The directives
# reader skipped a drawer's lines (README, "Page names"); the block scan read the `key:: value` lines in it, so a
# drawer hid a `#+title:` but not the `is-subclass-of::` beside it.
@pytest.mark.parametrize("opening", [":LOGBOOK:", "  :LOGBOOK:", ":note:", "- :LOGBOOK:"])
def test_a_drawer_s_lines_are_read_by_neither_reader(opening):
    shape = f"{opening}\n{{}}\n:END:\n"
    assert read(shape.format("#+title: Canis") + BLOCK)[0] == [("Dog", 0)]
    assert read(BLOCK + "  - notes\n" + shape.format("  is-subclass-of:: [[Animal]]"))[1] == []


@pytest.mark.parametrize("shape", [
    ":LOGBOOK:\n{}\n- note\n:END:\n",  # a column-0 bullet before its end: no drawer
    ":LOGBOOK:\n{}\n",  # never closed
    ":LOGBOOK: x\n{}\n:END:\n",  # text after the name: no drawer
])
def test_a_line_that_opens_no_drawer_leaves_the_lines_below_it_to_both_readers(shape):
    assert read(shape.format("#+title: Canis") + BLOCK)[0] == [("Canis", 0)]
    assert read(BLOCK + shape.format("is-subclass-of:: [[Animal]]"))[1] == ["Animal"]
