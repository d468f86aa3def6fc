"""Wrong-data hunt, round 7: a page's `alias::` names and its line ends, as Logseq (file graphs, 0.10.x) reads them.

Each expectation is what Logseq's own code makes of the text, cited at each test (graph-parser
`text.cljs`: `parse-property`, `extract-refs-by-commas`, `sep-by-comma`; mldoc), not ontosync's
output. Pages go through the parser and the store in-process, as the pipeline sends them.
"""

from __future__ import annotations

import pytest

from ontosync.parsing import ParseOptions, parse_file
from ontosync.parsing.logseq import mint_page_iri
from ontosync.parsing.logseq_verbatim import LONG_VALUE
from tests.test_logseq_round5 import M, assert_equals_fresh, block, graph_options, parents, repos, sync

__all__ = ["repos"]  # the fixture, imported for this module's tests


def aliases(value: str) -> list[str]:
    facts = parse_file("pages/Dog.md", f"alias:: {value}\n\n- notes\n".encode(), ParseOptions())
    return [name for name, rank in facts.names if rank == 1]


# graph-parser `parse-property` has no length limit: `alias` is separated by commas, its refs are the
# value's links and tags and each mldoc Plain node split at `,` or `，` (`sep-by-comma`), however
# long the value. ontosync reads a value over LONG_VALUE characters at C speed (no nested links, no
# emphasis); its plain names were dropped there and the whole value taken as ONE alias, so
# `[[Canine]]` reached no page. Now its names are read, and a warning names the line.
def test_a_long_alias_value_still_names_each_of_its_items(repos):
    inc, fresh = repos
    filler = ", ".join(f"Breed{i}" for i in range(LONG_VALUE // 8))
    assert len(filler) > LONG_VALUE
    page = f"title:: Dog\nalias:: Canine, {filler}, #Hound, [[Pooch]]\n\n" + block("mv:Dog")
    facts = parse_file("pages/Dog.md", page.encode(), ParseOptions())
    names = [name for name, rank in facts.names if rank == 1]
    assert sorted(names[:2]) == ["Hound", "Pooch"] and names[2] == "Canine" and "Breed0" in names
    assert len(names) == 3 + LONG_VALUE // 8
    assert [(w.kind, w.line) for w in facts.warnings] == [("long-value", 2)]
    assert f"over {LONG_VALUE:,} characters" in facts.warnings[0].message
    tree = {"pages/Dog.md": page, "pages/Puppy.md": block("mv:Puppy", "is-subclass-of:: [[Canine]]"),
            "pages/Whelp.md": block("mv:Whelp", "is-subclass-of:: [[Breed7]]")}
    sync(inc, tree)
    assert (parents(inc, M + "Puppy"), parents(inc, M + "Whelp")) == ([M + "Dog"], [M + "Dog"])
    assert_equals_fresh(inc, fresh, tree)


def test_one_long_alias_is_still_one_name():
    """A long value with no comma, link or tag is one text, as any value with no ref (round 6)."""
    name = "Canine" + "x" * LONG_VALUE
    assert aliases(name) == [name]


# `extract-refs-by-commas` splits only the Plain nodes of the value's mldoc AST: `**Bold**` is an
# Emphasis node, no Plain text, so it names nothing beside other names; `a **b** c` is two Plain
# nodes (`a `, ` c`), each split on its own. A value with no ref at all is one text (`parse-property`
# returns the value itself when the refs are empty), as `` `code` `` alone is (round 6).
@pytest.mark.parametrize(("written", "named"), [
    ("**Bold**, C", ["C"]), ("C, _it_", ["C"]), ("~~gone~~, ==mark==, C", ["C"]), ("a **b** c, D", ["a", "c", "D"]),
    ("**Bold**, [[C]]", ["C"]), ("**Bold**", ["**Bold**"]), ("snake_case, C", ["snake_case", "C"]),
    ("x*y, C", ["x*y", "C"]),
])
def test_emphasis_in_an_alias_value_names_no_page(written, named):
    assert aliases(written) == named


def test_an_emphasised_alias_is_no_name_a_link_reaches(repos):
    inc, _fresh = repos
    sync(inc, {"pages/Dog.md": "alias:: **Bold**, Canine\n\n" + block("mv:Dog"),
               "pages/Puppy.md": block("mv:Puppy", "is-subclass-of:: [[**Bold**]]", "is-subclass-of:: [[Canine]]")})
    minted = mint_page_iri("**Bold**", ParseOptions())  # the page `[[**Bold**]]` names: none of this graph's
    assert minted.startswith("urn:ontosync:page:") and parents(inc, M + "Puppy") == sorted([M + "Dog", minted])


# mldoc ends a line at `\r` as at `\n` (lib/parsers.ml: `is_eol = '\r' | '\n'`, `line = take_till1
# is_eol`): a page saved with old-Mac line ends is read line by line in Logseq, its properties and
# OntologyBlock as in any page. ontosync made only `\r\n` a line end, so such a page was one line:
# skipped ("no OntologyBlock heading"), and titled by the whole file.
@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"])
def test_a_page_whose_lines_end_in_a_lone_cr_is_read_line_by_line(end):
    page = end.join(["title:: Dog", "alias:: Canine", "", "- ### OntologyBlock", "  - owl:class:: mv:Dog",
                     "  - is-subclass-of:: [[Animal]]", "```clojure", "SubClassOf(mv:Dog mv:Pet)", "```", ""])
    facts = parse_file("pages/d.md", page.replace("```", "  - ```").encode(), ParseOptions())
    assert (facts.skipped, facts.names) == (None, [("Dog", 0), ("Canine", 1)])
    assert sorted((e.child, e.parent_ref or e.parent) for e in facts.edges) == [(M + "Dog", "Animal"),
                                                                                (M + "Dog", M + "Pet")]


def test_a_skipped_page_with_lone_cr_line_ends_keeps_its_own_title():
    facts = parse_file("pages/d.md", b"title:: Dog\ralias:: Canine\r\r- notes\r", ParseOptions())
    assert facts.names == [("Dog", 0), ("Canine", 1)]
    org = parse_file("pages/d.org", b"#+title: Dog\r#+alias: Canine\r\r* notes\r", ParseOptions())
    assert org.names == [("Dog", 0), ("Canine", 1)]


def test_an_emphasised_item_of_a_comma_separated_key_names_no_page():
    """The same Plain-only split for a key in `:property/separated-by-commas`: `**Wheel**` is no page."""
    facts = parse_file("pages/Dog.md", block("mv:Dog", "has-part:: **Wheel**, Axle, _tyre_").encode(),
                       graph_options(comma_ref_keys=("has-part",)))
    assert [a.object_ref for a in facts.axioms] == ["Axle"]


def test_a_bad_byte_in_a_page_with_lone_cr_line_ends_is_named_at_its_line():
    from ontosync.parsing.facts import ParseError

    with pytest.raises(ParseError) as caught:
        parse_file("pages/d.md", b"title:: Dog\r- x\r\n- \xff\r", ParseOptions())
    assert (caught.value.line, str(caught.value)) == (3, "invalid UTF-8 (byte 0xff) at line 3")


def test_an_alias_value_long_only_by_its_inline_code_is_read_in_full():
    """`split_values` decides "long" on the value with its code spans masked, `_aliases` decided on the
    value as written: a value over LONG_VALUE only by a long inline code span took the full path in
    one and the long one in the other, so the code's text became an alias (and `，` items one name)
    and a `long-value` warning spoke of a value read in full (review of this round's merge)."""
    code = "`" + "x" * LONG_VALUE + "`"
    facts = parse_file("pages/Dog.md", f"alias:: Canine, {code}, Hound，Pooch\n\n- notes\n".encode(), ParseOptions())
    assert [name for name, rank in facts.names if rank == 1] == ["Canine", "Hound", "Pooch"]
    assert [w.kind for w in facts.warnings] == []
