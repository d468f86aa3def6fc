"""Wrong-data hunt, round 5: a Logseq graph's pages and names as Logseq (file graphs, 0.10.x) reads them.

Each expectation is what Logseq's own code makes of the text, cited at each test (graph-parser
`extract.cljc`, `block.cljs`; logseq.common.util; the date parser of Logseq's cljs-time fork,
`cljs_time/internal/parse.cljs`), not ontosync's output. Pages go through the parser and the store
in-process, as the pipeline sends them (`Repository.save_parsed`), so a later edit of one page can
be compared with a fresh sync of the tree it leaves.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ontosync.parsing import ParseOptions, parse_file
from ontosync.sources import git_blob_sha
from ontosync.store.repository import Repository
from tests.helpers import dump_db

M = "http://narrativegoldmine.com/metaverse#"
P = "urn:ontosync:page:"
TABLES = ("owl_classes", "owl_class_hierarchy", "owl_axioms", "file_classes", "file_edges", "page_names",
          "file_synonyms", "source_files")


def block(cls: str, *props: str) -> str:
    return f"- ### OntologyBlock\n  - owl:class:: {cls}\n" + "".join(f"  - {p}\n" for p in props)


def sync(repo: Repository, files: dict[str, str | None]) -> None:
    """Save (or, for None, delete) each file, in the order given, as the pipeline does."""
    for path, text in files.items():
        if text is None:
            repo.delete_file(path, "t")
            continue
        data = text.encode()
        repo.save_parsed(path, git_blob_sha(data), len(data), parse_file(path, data, ParseOptions()), "t")


@pytest.fixture
def repos(tmp_path: Path):
    """Two empty databases: one synced step by step, one synced once from the final tree."""
    made = [Repository(tmp_path / "inc.db"), Repository(tmp_path / "fresh.db")]
    for repo in made:
        repo.ensure_schema()
    yield made
    for repo in made:
        repo.close()


def parents(repo: Repository, child: str) -> list[str]:
    return [p for (p,) in repo.conn.execute(
        "SELECT parent_iri FROM owl_class_hierarchy WHERE class_iri = ? ORDER BY 1", (child,))]


def objects(repo: Repository, subject: str) -> list[str]:
    return [o for (o,) in repo.conn.execute("SELECT object FROM owl_axioms WHERE subject = ? ORDER BY 1", (subject,))]


def assert_equals_fresh(inc: Repository, fresh: Repository, tree: dict[str, str]) -> None:
    sync(fresh, dict(sorted(tree.items())))
    assert dump_db(inc.conn, TABLES) == dump_db(fresh.conn, TABLES)


# graph-parser `extract` names every page file, ontology or not: its `title::` (else its file name)
# and each `alias::` of its page properties are names that open it (`:block/alias`), so `[[Canine]]`
# and `[[Dog]]` are links to one page even when that page holds no OntologyBlock. ontosync stores
# no class for such a page, but links through any of its names reach one class (the IRI minted
# from its title, which `[[Dog]]` mints too).
LINKS = {
    "pages/Puppy.md": block("mv:Puppy", "is-subclass-of:: [[Canine]]", "has-part:: [[canine]]"),
    "pages/Whelp.md": block("mv:Whelp", "is-subclass-of:: [[Dog]]", "has-part:: #Dog"),
}


def test_links_through_the_names_of_a_page_without_an_ontology_block_reach_one_class(repos):
    inc, _fresh = repos
    sync(inc, {"pages/Dog.md": "alias:: Canine\n\n- a dog is a pet\n", **LINKS})
    assert (parents(inc, M + "Puppy"), parents(inc, M + "Whelp")) == ([P + "dog"], [P + "dog"])
    assert (objects(inc, M + "Puppy"), objects(inc, M + "Whelp")) == ([P + "dog"], [P + "dog"])
    assert inc.conn.execute("SELECT status FROM source_files WHERE path = 'pages/Dog.md'").fetchone() == ("skipped",)


@pytest.mark.parametrize(("before", "after"), [
    ("alias:: Canine\n\n- text\n", "alias:: Hound\n\n- text\n"),  # the alias moves: [[Canine]] is its own page
    ("- text\n", "alias:: Canine\n\n- text\n"),  # an alias added later
    ("alias:: Canine\n\n- text\n", "title:: Hound\nalias:: Canine\n\n- text\n"),  # the page renamed by title::
    ("alias:: Canine\n\n- text\n", None),  # the page deleted
    ("alias:: Canine\n\n- text\n", block("mv:Dog")),  # the page becomes an ontology page
    (block("mv:Dog"), "alias:: Canine\n\n- text\n"),  # ... and back
])
def test_editing_the_alias_page_later_moves_the_links_as_a_fresh_sync_would(repos, before, after):
    inc, fresh = repos
    sync(inc, {"pages/Dog.md": before, **LINKS})
    sync(inc, {"pages/Dog.md": after})
    final = {**LINKS, **({"pages/Dog.md": after} if after is not None else {})}
    assert_equals_fresh(inc, fresh, final)


def test_the_alias_page_arriving_last_still_gathers_the_links(repos):
    inc, fresh = repos
    tree = {**LINKS, "pages/Dog.md": "alias:: Canine\n\n- text\n"}
    sync(inc, tree)
    assert parents(inc, M + "Puppy") == [P + "dog"]
    assert_equals_fresh(inc, fresh, tree)


def graph_options(**config) -> ParseOptions:
    from ontosync.parsing.logseq_config import LogseqConfig, LogseqGraph

    return dataclasses.replace(ParseOptions(), logseq=LogseqGraph("", LogseqConfig(**config), True))


def parent_refs(written: str, options: ParseOptions | None = None) -> list[str | None]:
    data = block("mv:Dog", f"is-subclass-of:: [[{written}]]").encode()
    return [e.parent_ref for e in parse_file("pages/Dog.md", data, options or ParseOptions()).edges]


# Logseq reads a date with its cljs-time fork (`tf/parse`, cljs_time/internal/parse.cljs), not with
# fixed-width fields: `parse-number` reads every digit there is and keeps up to the field's maximum,
# so `MM`, `dd` (1-2 digits) and `d` take `1` as well as `01`; `MMM` and `MMMM` both take a month's
# full name or its first three letters (`parse-period-name` tries the twelve full names first), as
# `E`/`EEE`/`EEEE` take a weekday's. The title is `capitalize-all`ed first: any case.
@pytest.mark.parametrize("written", ["2024-1-5", "2024-01-5", "2024_1_05", "Jan 5th, 2024", "January 5th, 2024",
                                     "JANUARY 5TH, 2024"])
def test_a_date_without_leading_zeros_or_with_a_full_month_name_is_the_journal_day(written):
    assert parent_refs(written) == ["Jan 5th, 2024"]


@pytest.mark.parametrize(("title_format", "written", "named"), [
    ("MMM d, yyyy", "Jan 5, 2024", "Jan 5, 2024"),
    ("MMM d, yyyy", "January 05, 2024", "Jan 5, 2024"),
    ("MMM d, yyyy", "2024-1-5", "Jan 5, 2024"),
    ("yyyy/M/d", "2024/01/05", "2024/1/5"),
    ("yyyy/M/d", "Jan 5th, 2024", "2024/1/5"),
    ("EEEE, MMMM d, yyyy", "Fri, Jan 5, 2024", "Friday, January 5, 2024"),
    ("dd-MM-yyyy", "5-1-2024", "05-01-2024"),
])
def test_a_date_in_the_graphs_title_format_is_read_as_logseq_reads_it(title_format, written, named):
    assert parent_refs(written, graph_options(journal_title_format=title_format)) == [named]


@pytest.mark.parametrize("written", ["2024-1-5x", "2024-13-5", "2023-2-29", "2024-001-15", "2024-1-155",
                                     "Janu 5th, 2024", "2024--5"])
def test_a_name_that_logseq_cannot_read_as_a_date_stays_as_written(written):
    assert parent_refs(written) == [written]


def test_a_journal_file_named_without_leading_zeros_is_that_days_page():
    from ontosync.parsing.logseq_names import file_page_name

    assert file_page_name("journals/2024_1_5.md") == "Jan 5th, 2024"
    assert file_page_name("journals/2024_1_5.md", graph_options(journals_directory="days").logseq) == "2024_1_5"


def test_a_markdown_file_outside_the_graph_names_no_page():
    """Only files under the graph's root (the folder of logseq/config.edn) are Logseq pages: a
    repository's README or docs/ beside the graph name nothing, or a docs page titled like a term
    would take that term's links."""
    from ontosync.parsing.logseq_config import LogseqConfig, LogseqGraph

    options = dataclasses.replace(ParseOptions(), logseq=LogseqGraph("graph/", LogseqConfig(), True))
    data = b"alias:: Canine\n\n- notes\n"
    inside, outside = (parse_file(path, data, options) for path in ("graph/pages/Dog.md", "docs/Dog.md"))
    assert (inside.names, inside.page_class) == ([("Dog", 0), ("Canine", 1)], P + "dog")
    assert (outside.names, outside.page_class, outside.skipped) == ([], None, "no OntologyBlock heading")


# logseq.common.util `page-name-sanity-lc`: JavaScript's toLowerCase (full Unicode case mapping,
# final sigma by context, no case folding), then NFC. Expected keys written from that definition.
@pytest.mark.parametrize(("name", "key"), [
    ("ΟΔΟΣ", "οδος"),  # a capital sigma ending a word lowers to final ς
    ("ΟΔΟΣ ΣΟΦΙΑ", "οδος σοφια"),
    ("İstanbul", "i\u0307stanbul"),  # dotted capital I: i + combining dot above, not a plain i
    ("STRASSE", "strasse"), ("Straße", "straße"),  # no folding: two pages
    ("Cafe\u0301", "café"),  # NFD (a macOS file name) meets the NFC a link is typed in
])
def test_page_names_lower_case_as_logseq_does(name, key):
    from ontosync.parsing.facts import normalize_name

    assert normalize_name(name) == key


def test_an_nfd_file_name_without_an_ontology_block_meets_an_nfc_link():
    facts = parse_file("pages/Cafe\u0301.md", b"alias:: Coffee House\n\n- text\n", ParseOptions())
    assert facts.page_class == P + "caf%C3%A9" == parse_file(
        "pages/X.md", block("mv:X", "is-subclass-of:: [[Café]]").encode(), ParseOptions()).edges[0].parent


def read(*props: str, options: ParseOptions | None = None):
    return parse_file("pages/Dog.md", block("mv:Dog", *props).encode(), options or ParseOptions())


# mldoc `property_references` (lib/syntax/property.ml): a value's refs are the Tag, Link and
# Nested_link nodes at its top level; a link inside emphasis (`**[[X]]**`, `*[[X]]*`, `~~[[X]]~~`,
# `^^[[X]]^^`, `==[[X]]==`, `_[[X]]_`: inline.ml `markdown_emphasis`) is inside an Emphasis node and
# names no page. (Macros are skipped there, `inline_skip_macro`: `{{embed [[X]]}}` IS a ref, round 2.)
@pytest.mark.parametrize("wrapped", ["**[[Wheel]]**", "*[[Wheel]]*", "***[[Wheel]]***", "~~[[Wheel]]~~",
                                     "^^[[Wheel]]^^", "==[[Wheel]]==", "_[[Wheel]]_", "__[[Wheel]]__",
                                     "**see [[Wheel]] and #Tyre**", "*a *[[Wheel]]*"])
def test_a_link_inside_emphasis_names_no_page(wrapped):
    facts = read(f"has-part:: {wrapped}, [[Axle]]", f"is-subclass-of:: {wrapped}")
    assert ([a.object_ref for a in facts.axioms], facts.edges) == (["Axle"], [])
    assert [(w.kind, w.line) for w in facts.warnings] == [("unreadable-value", 3), ("unreadable-value", 4)]
    assert wrapped in facts.warnings[0].message


@pytest.mark.parametrize(("value", "refs"), [
    ("**Note**: [[Wheel]]", ["Wheel"]),  # emphasis beside a link: the link counts
    ("[[snake_case_a]], [[b_c]]", ["snake_case_a", "b_c"]),  # underscores inside links start nothing
    ("[[Wheel]] * [[Axle]] *", ["Wheel", "Axle"]),  # `* ` opens no emphasis (not left-flanking)
    ("[[Wheel]], x_[[Axle]]_", ["Wheel", "Axle"]),  # `_` after a letter opens none
    ("[[Wheel]] ** [[Axle]]", ["Wheel", "Axle"]),  # `** ` opens nothing
    ("`**[[Wheel]]**`, [[Axle]]", ["Axle"]),  # code, not emphasis (and no link either)
    ("[[a*b]], [[c*d]]", ["a*b", "c*d"]),
])
def test_emphasis_that_holds_no_link_leaves_the_links_around_it(value, refs):
    assert [a.object_ref for a in read(f"has-part:: {value}").axioms] == refs


def test_an_emphasised_item_is_no_comma_separated_page():
    """`extract-refs-by-commas` splits only the value's Plain nodes: `**a, b**` is one Emphasis."""
    facts = read("has-part:: **Wheel, Axle**, Brake", options=graph_options(comma_ref_keys=("has-part",)))
    assert [a.object_ref for a in facts.axioms] == ["Brake"]


# Logseq reads a file's path through `path-normalize` (NFC: "for reading paths from FS"; frontend
# `get-file-path`) before naming the page, so a page macOS wrote as `Cafe\u0301.md` (NFD) is titled
# `Café` in NFC: the label is what Logseq shows, byte for byte (a `title::` is kept as written).
def test_a_title_from_an_nfd_file_name_is_nfc():
    facts = parse_file("pages/Cafe\u0301 Cre\u0300me.md", b"- ### OntologyBlock\n", ParseOptions())
    assert [c.label for c in facts.classes] == ["Caf\u00e9 Cr\u00e8me"]
    titled = parse_file("pages/Cafe\u0301.md", "title:: Cafe\u0301 Noir\n\n- ### OntologyBlock\n".encode(),
                        ParseOptions())
    assert [c.label for c in titled.classes] == ["Cafe\u0301 Noir"]
