"""Wrong-data hunt, round 10: the page `pages/contents.md` and page files with a capital extension,
as Logseq (file graphs, 0.10.x) reads them.

Each Logseq expectation is what Logseq's own code does, cited at each test (graph-parser
`extract.cljc`, `common-util`, electron `utils.cljs`), not ontosync's output.
"""

from __future__ import annotations

import pytest

from ontosync.cli import main as cli_main
from ontosync.parsing import ParseOptions, parse_file
from ontosync.sources import PathFilter
from tests.test_logseq_round5 import M, block, parents, repos, sync

__all__ = ["repos"]  # the fixture, imported for this module's tests


def names(path: str, text: str) -> list[tuple[str, int]]:
    return parse_file(path, text.encode(), ParseOptions()).names


# -- 5. pages/contents.md is the page `Contents` --------------------------------------------------------

# graph-parser `get-page-name`: `(if (string/starts-with? file "pages/contents.") "Contents" (or
# property-name file-name first-block-name))`: the file's path (relative to the graph) decides before any
# `title::`, in any format (`contents.org` too), and only the literal `pages/` folder and lower-case
# `contents.` (`Contents.md` is named by its file name, `Contents` all the same). ontosync named the page
# `contents`, or by its `title::`, so `[[Contents]]` minted another IRI than the page's own.
@pytest.mark.parametrize(("path", "text", "named"), [
    ("pages/contents.md", "- [[Cat]]\n", [("Contents", 0)]),
    ("pages/contents.md", "title:: Table of contents\n\n- [[Cat]]\n", [("Contents", 0)]),
    ("pages/contents.org", "#+title: Table of contents\n* x\n", [("Contents", 0)]),
    ("pages/Contents.md", "title:: Table of contents\n\n- x\n", [("Table of contents", 0)]),  # not the rule's
    ("pages/sub/contents.md", "- x\n", [("contents", 0)]),
])
def test_logseq_names_pages_contents_contents_over_its_title(path, text, named):
    assert names(path, text) == named


def test_a_link_to_contents_reaches_the_contents_page_s_class(repos):
    inc, _fresh = repos
    sync(inc, {"pages/contents.md": "title:: Index\n\n" + block("mv:Toc"),
               "pages/Part.md": block("mv:Part", "is-subclass-of:: [[Contents]]")})
    assert parents(inc, M + "Part") == [M + "Toc"]


# -- 6. `X.MD` is a page ----------------------------------------------------------------------------------

# Logseq lists a graph's files by electron `utils/ignored-path?`, which lower-cases the path before testing
# the page extensions (`.md`, `.markdown`, `.org`), and reads a file's format by `common-util/get-format`
# (`get-file-ext`: lower-cased): `pages/Cat.MD` is the markdown page `Cat` (`path->file-body` drops the
# extension in any case). ontosync's default selection passed it over (a `not-read` warning), so a link
# `[[Cat]]` minted a page IRI, not the page's class; under a user's own --include, case counts as before.
@pytest.mark.parametrize("path", ["pages/Cat.MD", "pages/Cat.Md", "pages/Cat.MARKDOWN", "pages/Cat.ORG"])
def test_the_default_selection_takes_a_page_file_in_any_case(path):
    chosen = PathFilter()
    assert chosen(path) and not chosen.not_read_warnings()
    assert not PathFilter(include=["**/*.md"])(path)
    assert not PathFilter()("x.TTL")  # an ontology file's extension: case-sensitive, as before


def test_a_page_file_with_a_capital_extension_is_synced_as_its_page(tmp_path, capsys):
    tree, db = tmp_path / "g", str(tmp_path / "x.db")
    (tree / "pages").mkdir(parents=True)
    (tree / "pages" / "Cat.MD").write_text(block("mv:Cat"), encoding="utf-8")
    (tree / "pages" / "Kitten.md").write_text(block("mv:Kitten", "is-subclass-of:: [[Cat]]"), encoding="utf-8")
    assert cli_main(["sync", str(tree), "--db", db, "--quiet", "--workers", "1"]) == 0
    import sqlite3

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT class_iri, parent_iri FROM owl_class_hierarchy").fetchall()
    conn.close()
    assert rows == [(M + "Kitten", M + "Cat")]
