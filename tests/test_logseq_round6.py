"""Wrong-data hunt, round 6: a Logseq graph's names, dates and mappings as Logseq (file graphs, 0.10.x) reads them.

Each expectation is what Logseq's own code makes of the text, cited at each test (graph-parser
`graph_parser.cljs`, `extract.cljc`; the date parser of cljs-time, `cljs_time/internal/parse.cljs`),
or what the same statement written in another syntax gives (a CURIE, a fence), not ontosync's
output. Pages go through the parser and the store in-process, as the pipeline sends them
(`Repository.save_parsed`); one tiny graph is synced for what only the readers' layer shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ontosync.parsing import ORG_SKIP, ParseOptions, parse_file
from tests.helpers import q, synced_pages
from tests.test_logseq_round5 import M, P, assert_equals_fresh, block, graph_options, parent_refs, parents, repos, sync

__all__ = ["repos"]  # the fixture, imported for this module's tests


# cljs-time's `parse-number` reads every digit there is and keeps up to the field's maximum, but
# takes fewer than its minimum too (no error): `yyyy` (`parse-year 4 4`) reads a year of 1 to 4
# digits and `yy` one of 1 or 2. `compile` then runs `infer-years`: a year below (this year + 20)
# mod 100 is in this century (`24` and `0024` are 2024); the date is then made by JavaScript's
# `Date.UTC`, which reads any other year below 100 as 19xx (`99` is 1999: cljs-time issue 146,
# `(parse (formatter "yyyy-MM-DD") "99-12-10")` is 1999-12-10); from 100 on, the year as written
# (`202` is the year 202, named `0202` by `yyyy`'s zero padding in the title).
@pytest.mark.parametrize(("written", "named"), [
    ("24-01-15", "Jan 15th, 2024"), ("0024-01-15", "Jan 15th, 2024"), ("24_1_15", "Jan 15th, 2024"),
    ("202-01-15", "Jan 15th, 0202"), ("Jan 15th, 202", "Jan 15th, 0202"), ("Jan 5th, 99", "Jan 5th, 1999"),
    ("99-12-10", "Dec 10th, 1999"),
])
def test_a_date_with_a_short_year_is_the_journal_day_logseq_reads(written, named):
    assert parent_refs(written) == [named]


@pytest.mark.parametrize("written", ["20245-01-15", "-01-15", "2024-01-15-1"])
def test_a_year_of_five_digits_is_no_date(written):
    assert parent_refs(written) == [written]


def test_a_two_digit_year_format_reads_the_year_as_logseq_does():
    """`yy` is `parse-year 2 2` then `infer-years`: `99` is 1999 (not 2099), `24` is 2024."""
    options = graph_options(journal_title_format="yy-MM-dd")
    assert parent_refs("99-01-05", options) == ["99-01-05"]  # 1999, written back by `yy`
    assert parent_refs("Jan 5th, 2099", options) == ["99-01-05"]
    assert parent_refs("2024-01-05", options) == ["24-01-05"]
    from ontosync.parsing.logseq_names import parse_date

    assert [parse_date(x, "yy-MM-dd").year for x in ("99-01-05", "24-01-05", "5-01-05")] == [1999, 2024, 2005]


def test_a_journal_file_with_a_short_year_is_that_days_page():
    from ontosync.parsing.logseq_names import file_page_name

    assert file_page_name("journals/24_01_15.md") == "Jan 15th, 2024"


# graph-parser `parse-file` transacts each file's page by its name (`:block/name`): two files that
# name one page are one page in Logseq. It calls that an error ("Page already exists with another
# file: ..., current file: ...", file-common-handler `validate-and-get-blocks-to-delete`) and shows
# the blocks of the file it parsed last (its blocks replace the page's), which depends on the order
# of edits and re-indexing, not on the tree. ontosync takes the file that declares a class: the page
# with the OntologyBlock, whichever path is smaller; between two files alike, the smaller path.
NOTES = "alias:: Canine\n\n- notes about dogs\n"
ONTOLOGY = "title:: Dog\nalias:: Canine\n\n" + block("mv:Dog")
LINKING = {"pages/Puppy.md": block("mv:Puppy", "is-subclass-of:: [[Dog]]", "has-part:: [[Canine]]")}


@pytest.mark.parametrize(("notes", "ontology"), [("pages/Dog.md", "pages/zz.md"), ("pages/Dog.md", "pages/a.md"),
                                                  ("pages/a/Dog.md", "pages/b.md")])
def test_a_page_with_an_ontology_block_wins_over_a_page_without_one_of_the_same_name(repos, notes, ontology):
    inc, fresh = repos
    notes_text = NOTES if notes.endswith("/Dog.md") else "title:: Dog\n" + NOTES
    tree = {notes: notes_text, ontology: ONTOLOGY, **LINKING}
    sync(inc, tree)
    assert parents(inc, M + "Puppy") == [M + "Dog"]
    assert [o for (o,) in inc.conn.execute("SELECT object FROM owl_axioms WHERE subject = ?", (M + "Puppy",))] == [
        M + "Dog"]
    sync(inc, {ontology: None})  # the ontology page goes: the notes page is the page again
    assert parents(inc, M + "Puppy") == [P + "dog"]
    sync(inc, {ontology: ONTOLOGY})
    assert_equals_fresh(inc, fresh, tree)


def test_a_page_without_an_ontology_block_keeps_its_title_before_another_pages_alias(repos):
    """Unchanged: a title (of any page) before an alias, as Logseq opens the page of that title."""
    inc, _fresh = repos
    sync(inc, {"pages/Zed.md": "- notes\n", "pages/A.md": "alias:: Zed\n\n" + block("mv:A"),
               "pages/B.md": block("mv:B", "is-subclass-of:: [[Zed]]")})
    assert parents(inc, M + "B") == [P + "zed"]


# Logseq reads `.org` pages: their page properties are the `#+key: value` directives at the top of
# the file (graph-parser: the first block's directives, keys lower-cased), so `#+title:` names the
# page and `#+alias: A, B` gives it more names, as `title::` and `alias::` do in markdown. ontosync
# reads no org page's ontology, but a link through any of its names must still meet one page.
ORG = "#+TITLE: Dog\n#+alias: Canine, [[Hound]]\n#+tags: pet\n\n* notes about dogs\n** more\n"


def test_an_org_pages_title_and_aliases_name_it():
    facts = parse_file("pages/dog_notes.org", ORG.encode(), ParseOptions())
    assert (facts.skipped, facts.page_class) == (ORG_SKIP, P + "dog")
    assert sorted(name for name, _rank in facts.names) == ["Canine", "Dog", "Hound"]
    untitled = parse_file("pages/Wolf.org", b"* a wolf\n", ParseOptions())
    assert (untitled.page_class, [n for n, _ in untitled.names]) == (P + "wolf", ["Wolf"])


def test_links_through_an_org_pages_names_reach_one_class(repos):
    inc, fresh = repos
    tree = {"pages/dog_notes.org": ORG,
            "pages/Puppy.md": block("mv:Puppy", "is-subclass-of:: [[Canine]]", "has-part:: [[Hound]]")}
    sync(inc, tree)
    assert parents(inc, M + "Puppy") == [P + "dog"]
    assert [o for (o,) in inc.conn.execute("SELECT object FROM owl_axioms WHERE subject = ?", (M + "Puppy",))] == [
        P + "dog"]
    assert_equals_fresh(inc, fresh, tree)


def test_a_leading_drawer_and_an_undecodable_org_page():
    """(Directives below the first block name the page too: round 9.)"""
    drawer = parse_file("pages/Cat.org", b"\n:PROPERTIES:\n:title: Felis\n:alias: Kitty\n:END:\n* x\n",
                        ParseOptions())
    assert [n for n, _ in drawer.names] == ["Felis", "Kitty"]
    broken = parse_file("pages/Bad.org", b"#+alias: \xff\xfe\n", ParseOptions())
    assert (broken.skipped, broken.names) == (ORG_SKIP, [])


# A mapping property whose value is a link (`skos:exactMatch:: [[Hound]]`) maps the page's class to
# the class of the page the link names, as `skos:exactMatch:: mv:Hound` or a fence's
# `AnnotationAssertion(skos:exactMatch mv:Dog mv:Hound)` does: a row of `has_mapping_statement`
# (`runoak mappings`), not an existential restriction on a made-up relation (`runoak relationships`).
# `oboInOwl:hasDbXref` holds text in OBO: a link's page name is the xref's text.
LINKED = block("mv:Dog", "skos:exactMatch:: [[Hound]], mv:Wolf", "skos:broadMatch:: [[Canid]]",
               "oboInOwl:hasDbXref:: [[MESH:D004285]], FMA:7")
WRITTEN = block("mv:Cat", "skos:exactMatch:: mv:Hound, mv:Wolf", "skos:broadMatch:: mv:Hound",
                "oboInOwl:hasDbXref:: MESH:D004285, FMA:7")
MAPPINGS = "SELECT predicate, object, value FROM has_mapping_statement WHERE subject = ? ORDER BY 1, 2, 3"


def mapped_graph(root: Path, hound: str) -> Path:
    return synced_pages(root, {"pages/Dog.md": LINKED, "pages/Cat.md": WRITTEN.replace("mv:Hound", hound),
                               "pages/Hound.md": f"alias:: Canid\n\n- ### OntologyBlock\n  - owl:class:: {hound}\n"})


def test_a_mapping_to_a_page_link_is_a_mapping_to_that_pages_class(tmp_path):
    db = mapped_graph(tmp_path / "g", "mv:Hound")
    rows = q(db, MAPPINGS, "mv:Dog")
    assert rows == q(db, MAPPINGS, "mv:Cat") == [
        ("oio:hasDbXref", None, "FMA:7"), ("oio:hasDbXref", None, "MESH:D004285"),
        ("skos:broadMatch", "mv:Hound", None), ("skos:exactMatch", "mv:Hound", None),
        ("skos:exactMatch", "mv:Wolf", None)]
    assert q(db, "SELECT count(*) FROM statements WHERE subject = 'mv:Dog' AND predicate = 'rdfs:subClassOf'") == [(0,)]
    # the page the links name changes its class: the mappings follow it, as a fresh sync has them
    later = mapped_graph(tmp_path / "g", "mv:Canis")
    fresh = mapped_graph(tmp_path / "fresh", "mv:Canis")
    assert q(later, MAPPINGS, "mv:Dog") == q(fresh, MAPPINGS, "mv:Dog") == q(fresh, MAPPINGS, "mv:Cat")
    # the link's row moved, the CURIE's (a row of the same predicate, re-derived with it) stayed
    assert {("skos:exactMatch", "mv:Canis", None), ("skos:exactMatch", "mv:Wolf", None)} <= set(q(later, MAPPINGS,
                                                                                                  "mv:Dog"))
    dog = "SELECT predicate, object, value FROM statements WHERE subject = 'mv:Dog' ORDER BY 1, 2, 3"
    assert q(later, dog) == q(fresh, dog)  # the per-file path (later) as a first run's (fresh)


def test_a_mapping_link_parses_to_no_relationship():
    facts = parse_file("pages/Dog.md", LINKED.encode(), ParseOptions())
    assert ([a.axiom_type for a in facts.axioms if a.axiom_type == "Relationship"], facts.edges) == ([], [])
    assert facts.warnings == []


def test_a_mapping_value_mixing_a_link_and_curies_reads_each_item():
    facts = parse_file("pages/Dog.md", block("mv:Dog", "skos:exactMatch:: [[Hound]], mv:Wolf, not an iri").encode(),
                       ParseOptions())
    assert sorted((a.object, a.object_ref) for a in facts.axioms) == [
        (f"<http://www.w3.org/2004/02/skos/core#exactMatch> <{M}Wolf>", None), (P + "hound", "Hound")]
    assert [(w.kind, w.line) for w in facts.warnings] == [("unreadable-value", 3)]
    assert "'not an iri'" in facts.warnings[0].message


# logseq.common.config `hidden?` (which `remove-hidden-files` applies to the graph's files): a
# pattern is a plain prefix of the path, both with a leading `/` (`(string/starts-with? (str "/"
# path) pattern)`), no folder boundary: `:hidden ["archive"]` hides `archive.md` and `archived/`
# too, while `"drafts/"`, its trailing `/` kept, hides only what is inside `drafts/`.
@pytest.mark.parametrize(("path", "hidden"), [
    ("archive/A.md", True), ("archive.md", True), ("archived/B.md", True), ("pages/archive.md", False),
    ("pages/old.md", True), ("pages/older notes.md", True), ("pages/Old.md", False),
    ("drafts/C.md", True), ("drafts.md", False), ("draftsman/D.md", False),
])
def test_hidden_patterns_are_path_prefixes_as_logseq_matches_them(path, hidden):
    from ontosync.parsing.logseq_config import LogseqGraph, parse_config, skip_reason

    config, warnings = parse_config(b'{:hidden ["archive" "/pages/old" "drafts/"]}', "logseq/config.edn")
    reason = skip_reason(path, LogseqGraph("", config, True))
    assert (warnings, reason is not None) == ([], hidden), reason


# graph-parser `parse-non-string-property-value`: only the exact text `true` is the boolean true
# (`(= v "true")`); `True`, `TRUE` or `"true"` stay strings, and Logseq's public pages are those
# whose `public` is the boolean (`[(= true ?pub)]`), so such a page is not published.
@pytest.mark.parametrize(("written", "public"), [("true", True), ("True", False), ("TRUE", False),
                                                 ('"true"', False), ("true ", True), ("yes", False)])
def test_only_the_exact_text_true_makes_a_page_public(written, public):
    facts = parse_file("pages/Dog.md", f"public:: {written}\n\n".encode() + block("mv:Dog").encode(), ParseOptions())
    skipped = parse_file("pages/Cat.md", f"public:: {written}\n\n- notes\n".encode(), ParseOptions())
    assert (facts.public, skipped.public) == (public, public)


# graph-parser `parse-property`: `alias` is comma-separated (`separated-by-commas?`: the editable
# linkable built-ins), its refs the value's links and the Plain text split at `,` or `，`
# (`sep-by-comma`), code and emphasis being no Plain text; a value with no ref at all is one text,
# which `extract-page-alias-and-tags` takes as one alias.
@pytest.mark.parametrize(("written", "aliases"), [
    ("犬，イヌ", ["犬", "イヌ"]), ("`code`, Hound", ["Hound"]), ("`code`", ["`code`"]),
    ('"Canine, Hound"', ['"Canine, Hound"']), ("Canine, [[Hound]]", ["Hound", "Canine"]),
])
def test_alias_values_split_as_logseq_splits_them(written, aliases):
    facts = parse_file("pages/Dog.md", f"alias:: {written}\n\n- notes\n".encode(), ParseOptions())
    assert [name for name, rank in facts.names if rank == 1] == aliases


def test_two_files_of_one_title_are_a_warning_naming_both(tmp_path):
    """Logseq reports two files naming one page as an error: the run says so, and which is taken."""
    import json

    synced_pages(tmp_path / "g", {"pages/Dog.md": NOTES, "pages/zz.md": ONTOLOGY, "pages/Cat.md": block("mv:Cat")})
    report = json.loads((tmp_path / "g.json").read_text())
    found = [(w["path"], w["message"]) for w in report["warnings"] if w["kind"] == "page-conflict"]
    assert len(found) == 1 and found[0][0] == "pages/Dog.md", report["warnings"]
    assert "pages/Dog.md and pages/zz.md are one page in Logseq, [[dog]]" in found[0][1]
    assert "reach the class of pages/zz.md" in found[0][1]


def test_shared_titles_are_those_of_two_files_whatever_their_ranks():
    """`page_conflicts` finds the titles two files share by one grouped pass: against the titles
    counted here, a file naming itself twice is no conflict, an alias (rank 2) none, another
    ontology's title none, and three files of one title are one warning naming the three."""
    import sqlite3

    from ontosync.store.minted_collisions import page_conflicts

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE page_names (path TEXT, ontology_id TEXT, name_key TEXT, rank INTEGER, class_iri TEXT)")
    conn.execute("CREATE INDEX page_names_key ON page_names (ontology_id, name_key, rank, path)")
    rows = [("a.md", "o", "dog", 0), ("b.md", "o", "dog", 1), ("c.md", "o", "dog", 0), ("d.md", "o", "cat", 0),
            ("d.md", "o", "cat", 1), ("e.md", "o", "cat", 2), ("f.md", "p", "dog", 0), ("g.md", "o", "fox", 1),
            ("h.md", "o", "fox", 1)]
    conn.executemany("INSERT INTO page_names VALUES (?, ?, ?, ?, 'x')", rows)
    titles: dict[tuple[str, str], set[tuple[int, str]]] = {}
    for path, onto, key, rank in rows:
        if rank < 2:
            titles.setdefault((onto, key), set()).add((rank, path))
    want = {key: [p for _, p in sorted(found)] for (_, key), found in titles.items() if len({p for _, p in found}) > 1}
    got = page_conflicts(conn.execute)
    assert [w["message"].split(" are one page")[0] for w in got] == [
        f"{', '.join(paths[1:])} and {paths[0]}" for _key, paths in sorted(want.items())]
    assert [w["path"] for w in got] == ["c.md", "h.md"]  # dog: a.md taken (rank 0, then path); fox: g.md
