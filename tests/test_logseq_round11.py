"""Wrong-data hunt, round 11: a page's `#+key:` directives (markdown and org) as Logseq (file graphs,
0.10.x) reads them, and page files with a capital extension beside the pages.

Each Logseq expectation is what Logseq's own code makes of the text, cited at each test (mldoc's
`mldoc_parser.ml`, `directive.ml`, `heading0.ml`, `lists.ml`; graph-parser `mldoc.cljc`,
`extract.cljc`), not ontosync's output.
"""

from __future__ import annotations

import pytest

from ontosync.parsing import ParseOptions, parse_file
from ontosync.sources import PathFilter
from tests.test_logseq_round5 import M, P, block, parents, repos, sync

__all__ = ["repos"]  # the fixture, imported for this module's tests


def names(path: str, text: str) -> list[tuple[str, int]]:
    return parse_file(path, text.encode(), ParseOptions()).names


# -- 1. `#+title:` / `#+alias:` in a markdown page ----------------------------------------------------------

# mldoc's block parsers (`mldoc_parser.ml` `parsers`) are one list for both formats, `Directive.parse` first:
# a line `#+KEY: value` (spaces before it allowed: `between_eols`) is a Directive in a markdown page too. A
# markdown bullet `- x` is a one-line Heading (`heading0.ml`, the `unordered` level), so the lines of its
# body are top-level elements, a directive among them; the bullet's own text (`- #+alias: K`) is its title.
# graph-parser `collect-page-properties` (mldoc.cljc, run by `->edn` on every page, in any format) puts
# EVERY top-level directive first, as the page's `Properties`, which `get-page-name` (`zipmap`: the last
# `#+title:`) and `extract` (`properties-ast? first-block`) read as the page properties: a `title::` first
# block is then the second element, no page property. ontosync read no directive in markdown, so
# `[[Kitty]]` minted a page of its own and the page kept a name Logseq does not give it.
@pytest.mark.parametrize(("text", "named"), [
    ("#+title: Felis\n\n- x\n", [("Felis", 0)]),
    ("#+TITLE: Felis\n- x\n#+title: Lynx\n", [("Lynx", 0)]),
    ("#+alias: Kitty\n\n- x\n", [("Cat", 0), ("Kitty", 1)]),
    ("- x\n  #+alias: Kitty\n", [("Cat", 0), ("Kitty", 1)]),
    ("- x\n" * 250 + "#+title: Felis\n", [("Felis", 0)]),  # anywhere on the page
    ("---\ntitle: Felis\n---\n- x\n#+alias: Kitty\n", [("Felis", 0), ("Kitty", 1)]),  # front matter: directives
    ("---\ntitle: Felis\n---\n- x\n#+title: Lynx\n", [("Lynx", 0)]),
    # the directives are the page properties: a first block of properties is no longer
    ("title:: Felis\nalias:: Tom\n\n- x\n  #+alias: Kitty\n", [("Cat", 0), ("Kitty", 1)]),
    # no directive: a bullet's title, a block's, a fence's, a list item's (`* `, `1. `) content
    ("- #+alias: Kitty\n", [("Cat", 0)]),
    ("- x\n  ```\n  #+alias: Kitty\n  ```\n", [("Cat", 0)]),
    ("- ```\n  #+alias: Kitty\n  ```\n", [("Cat", 0)]),
    ("- x\n  #+BEGIN_QUOTE\n  #+alias: Kitty\n  #+END_QUOTE\n", [("Cat", 0)]),
    ("- x\n  ```\n  #+alias: Kitty\n", [("Cat", 0), ("Kitty", 1)]),  # unclosed: no fence (`between_lines`)
    ("* item\n  #+alias: Kitty\n", [("Cat", 0)]),
    ("1. item\n   #+alias: Kitty\n", [("Cat", 0)]),
    ("* item\n#+alias: Kitty\n", [("Cat", 0), ("Kitty", 1)]),  # a column-0 line ends the list
    ("- x\n  #+BEGIN_SRC clojure\n", [("Cat", 0)]),  # `#+BEGIN_` is no directive
    ("title:: Felis\n\n- x\n", [("Felis", 0)]),  # as before
])
def test_the_directives_of_a_markdown_page_are_its_page_properties(text, named):
    assert names("pages/Cat.md", text) == named


@pytest.mark.parametrize(("text", "said"), [
    ("title:: Felis\n\n- x\n  #+alias: Kitty\n", [("page-directives", 1)]),
    ("title:: Felis\nalias:: Tom\n\n" + block("mv:Cat") + "  #+alias: Kitty\n",
     [("page-directives", 1), ("page-directives", 2)]),
    ("title:: Felis\n\n" + block("mv:Cat") + "#+title: Lynx\n", [("page-directives", 1)]),  # no repeated-property
    ("title:: Cat\n\n- x\n#+alias: Kitty\n", [("page-directives", 1)]),
    ("---\ntitle: Felis\n---\n- x\n#+alias: Kitty\n", []),  # front matter keys are directives too
])
def test_a_title_the_directives_displace_is_a_warning_naming_its_line(text, said):
    facts = parse_file("pages/Cat.md", text.encode(), ParseOptions())
    assert [(w.kind, w.line) for w in facts.warnings] == said
    assert all("#+ directives (line " in w.message for w in facts.warnings)


def test_a_link_through_a_markdown_alias_directive_reaches_the_page_s_class(repos):
    inc, _fresh = repos
    cat = "#+alias: Kitty\n" + block("mv:Cat")
    facts = parse_file("pages/Cat.md", cat.encode(), ParseOptions())
    assert (facts.names, [s.text for s in facts.synonyms]) == ([("Cat", 0), ("Kitty", 1)], ["Kitty"])
    sync(inc, {"pages/Cat.md": cat, "pages/Kitten.md": block("mv:Kitten", "is-subclass-of:: [[Kitty]]"),
               "pages/Dog.md": "- x\n  #+title: Canine\n",
               "pages/Puppy.md": block("mv:Puppy", "is-subclass-of:: [[Canine]]")})
    assert parents(inc, M + "Kitten") == [M + "Cat"]
    assert parents(inc, M + "Puppy") == [P + "canine"]  # the page Dog is `Canine`: its minted IRI


# -- 2. a directive inside an org list item -------------------------------------------------------------------

# mldoc `lists.ml`: a list item (`- `, `+ `, an indented `* `, `1. `) takes the indented lines below it as its
# content (`content_parser`: a line starting with a space is the item's, or a child item), which is parsed by
# `list_content_parsers` (mldoc_parser.ml: tables, blocks, paragraphs... no Directive): a `#+alias:` there is
# text of the item, no page property. A column-0 line that is no item, or a blank line (`two_eols`) not
# followed by an item, ends the list: a directive after it is top-level again. ontosync read the directive
# in the item as the page's alias, so `[[Kitty]]` reached a page Logseq never names so.
@pytest.mark.parametrize(("text", "named"), [
    ("- item\n  #+alias: Kitty\n", [("Cat", 0)]),
    ("* h\n  - item\n    #+alias: Kitty\n", [("Cat", 0)]),
    ("1. one\n   #+alias: Kitty\n", [("Cat", 0)]),
    ("- a\n\n- b\n  #+alias: Kitty\n", [("Cat", 0)]),  # a blank line before the next item: one list
    ("- item\n#+alias: Kitty\n", [("Cat", 0), ("Kitty", 1)]),
    ("- item\n\n  #+alias: Kitty\n", [("Cat", 0), ("Kitty", 1)]),
    ("* h\n  #+alias: Kitty\n", [("Cat", 0), ("Kitty", 1)]),  # under a heading: top-level, as before
])
def test_a_directive_inside_an_org_list_item_names_nothing(text, named):
    assert names("pages/Cat.org", text) == named


# -- 3. `README.MD` (held) ---------------------------------------------------------------------------------------

# Logseq's electron `ignored-path?` lower-cases a path before testing the page extensions, and graph-parser
# names a file by its name without the extension: `README.MD` in the graph's folder is the page `README`, as
# `README.md` is; neither holds an OntologyBlock, so both are counted `skipped`, named alike.
@pytest.mark.parametrize("path", ["README.md", "README.MD"])
def test_a_readme_in_any_case_is_a_skipped_page_named_readme(path):
    facts = parse_file(path, b"# Notes\n\nSee [[Cat]].\n", ParseOptions())
    assert PathFilter()(path) and (facts.skipped, facts.names) == ("no OntologyBlock heading", [("README", 0)])


# -- 4. `[[assets...]]` and `[[draws...]]` in a property value are file links ---------------------------------

# graph-parser 0.10 reads a property value's refs by `text/extract-refs-from-mldoc-ast`, which first drops
# every `gp-mldoc/ast-link?` node: a Link that is a URL, or a Page_ref whose page is a drawing
# (`gp-config/draw?`: it starts with `draws`) or a local asset (`gp-config/local-asset?`: `^[./]*assets`,
# case-sensitive). So `has-part:: [[assets]]` or `[[../assets/wheel.png]]` names no page in Logseq, while
# `#assets` and `#[[assets]]` (Tag nodes) and `[[Assets]]` do. ontosync made a relationship and a parent of
# each.
@pytest.mark.parametrize(("value", "refs", "dropped"), [
    ("[[assets]], [[Axle]]", ["Axle"], 1),
    ("[[../assets/wheel.png]]", [], 1),
    ("[[drawstring]], [[draws/a.excalidraw]]", [], 2),
    ("[wheel]([[assets]])", [], 1),
    ("#assets, #[[assets under management]], [[Assets]], [[my assets]]",
     ["assets", "assets under management", "Assets", "my assets"], 0),
])
def test_a_link_to_an_asset_or_a_drawing_names_no_page(value, refs, dropped):
    text = block("mv:Dog", f"has-part:: {value}", f"is-subclass-of:: {value}")
    facts = parse_file("pages/Dog.md", text.encode(), ParseOptions())
    assert ([a.object_ref for a in facts.axioms], [e.parent_ref for e in facts.edges]) == (refs, refs)
    assert [(w.kind, w.line) for w in facts.warnings] == [("asset-link", 3)] * dropped + [("asset-link", 4)] * dropped


# -- 5. names with non-ASCII letters (held) --------------------------------------------------------------------

# graph-parser `page-name-sanity-lc` is JavaScript's `toLowerCase` (full Unicode lower-casing, Greek final
# sigma by context, `İ` as `i` + U+0307), then NFC; Python's `str.lower` gives the same (checked against
# node 20 over every code point: they differ only on letters newer than Python's Unicode tables).
@pytest.mark.parametrize(("name", "key"), [
    ("ΟΔΟΣ", "\u03bf\u03b4\u03bf\u03c2"), ("ΑΣ ΒΣ", "\u03b1\u03c2 \u03b2\u03c2"), ("Σ", "σ"), ("İzmir", "i\u0307zmir"),
    ("Maße", "maße"), ("Cafe\u0301", "café"),
])
def test_a_name_is_lower_cased_as_logseq_lower_cases_it(name, key):
    from ontosync.parsing.facts import normalize_name

    assert normalize_name(name) == key
