"""Issue 14, properties: random Logseq graphs synced incrementally in random order equal a fresh
sync, and every link the graph can resolve has its edge; and a config.edn that cannot be read is a
warning with its line while the sync goes on with Logseq's defaults."""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ontosync.parsing import ParseOptions, parse_file
from ontosync.parsing.facts import normalize_name
from ontosync.parsing.logseq_config import parse_config
from ontosync.sources import git_blob_sha
from ontosync.store.repository import Repository
from tests.helpers import cli, dump_db

MV = "http://narrativegoldmine.com/metaverse#"
NAMES = ["Alpha", "beta", "Gamma Ray", "Ns/Child", "Ns/Other Leaf", "Delta", "Zeta/Eta/Theta"]
TABLES = ("owl_classes", "owl_class_hierarchy", "owl_axioms", "file_classes", "file_edges", "page_names",
          "file_synonyms", "source_files")


# -- the model: pages with a name, aliases and links, written the ways Logseq writes them ----------
@st.composite
def graphs(draw) -> dict[int, dict]:
    """page id -> {name, aliases, links, file, titled}: names and aliases all distinct."""
    count = draw(st.integers(1, 5))
    names = draw(st.permutations(NAMES))
    pages: dict[int, dict] = {}
    spare = list(names[count:])
    for k in range(count):
        name = names[k]
        aliases = [spare.pop() for _ in range(draw(st.integers(0, min(1, len(spare)))))]
        links = draw(st.lists(st.tuples(st.sampled_from([*NAMES, "Nowhere", "Elsewhere Page"]),
                                        st.sampled_from(["link", "tag", "upper", "lower"])), max_size=4))
        pages[k] = {"name": name, "aliases": aliases, "links": links,
                    "file": draw(st.sampled_from(["lowbar", "percent", "titled"])), "version": 0}
    return pages


def link_text(name: str, style: str) -> str:
    if style == "upper":
        return f"[[{name.upper()}]]"
    if style == "lower":
        return f"[[{name.lower()}]]"
    if style == "tag":
        return f"#[[{name}]]" if " " in name else f"#{name}"
    return f"[[{name}]]"


def render(k: int, page: dict) -> tuple[str, str]:
    """(path, text) of a page, its file name encoded as `page["file"]` says."""
    name = page["name"]
    stem = {"lowbar": name.replace("/", "___"), "percent": name.replace("/", "%2F"),
            "titled": f"file-{k}-v{page['version']}"}[page["file"]]
    head = ""
    if page["file"] == "titled":
        head += f"title:: {name}\n"
    if page["aliases"]:
        head += "alias:: " + ", ".join(page["aliases"]) + "\n"
    body = "- ### OntologyBlock\n" + f"  - owl:class:: mv:P{k}\n"
    if page["links"]:
        body += "  - is-subclass-of:: " + ", ".join(link_text(n, s) for n, s in page["links"]) + "\n"
    return f"pages/{stem}.md", (head + "\n" if head else "") + body


def tree(pages: dict[int, dict]) -> dict[str, bytes]:
    out = {}
    for k, p in pages.items():
        path, text = render(k, p)
        out[path] = text.encode()
    return out


def mutate(pages: dict[int, dict], rng: random.Random) -> dict[int, dict]:
    """Delete, rename (new file name, same page) or relink some pages."""
    out = {k: dict(p) for k, p in pages.items()}
    for k in list(out):
        roll = rng.random()
        if roll < 0.25:
            del out[k]
        elif roll < 0.5:
            out[k]["file"] = "titled"
            out[k]["version"] += 1
        elif roll < 0.75:
            out[k]["links"] = [(rng.choice(NAMES), "link")]
    return out


# -- syncing through the parser and the store, as the pipeline does ----------------------------------
def apply(repo: Repository, old: dict[str, bytes], new: dict[str, bytes], rng: random.Random | None) -> None:
    steps = [("delete", p) for p in old if p not in new] + [("save", p) for p in new if old.get(p) != new[p]]
    if rng is None:
        steps.sort(key=lambda s: s[1])
    else:
        rng.shuffle(steps)
    for kind, path in steps:
        if kind == "delete":
            repo.delete_file(path, "t")
        else:
            data = new[path]
            repo.save_parsed(path, git_blob_sha(data), len(data), parse_file(path, data, ParseOptions()), "t")


def dump(repo: Repository) -> dict:
    return dump_db(repo.conn, TABLES)


def expected_edges(pages: dict[int, dict]) -> set[tuple[str, str]]:
    """(child IRI, parent) from Logseq's rules: a link opens the page holding that name or alias
    (any case); with none, the class is referenced-only and its label is the link text."""
    owner = {}
    for k, p in pages.items():
        for n in [p["name"], *p["aliases"]]:
            owner[normalize_name(n)] = k
    out = set()
    for k, p in pages.items():
        for name, _style in p["links"]:
            target = owner.get(normalize_name(name))
            out.add((MV + f"P{k}", MV + f"P{target}" if target is not None else "missing:" + normalize_name(name)))
    return out


def stored_edges(repo: Repository) -> set[tuple[str, str]]:
    out = set()
    rows = repo.conn.execute("""SELECT h.class_iri, h.parent_iri, c.source_file, c.label FROM owl_class_hierarchy h
                                JOIN owl_classes c ON c.class_iri = h.parent_iri""")
    for child, parent, source, label in rows:
        out.add((child, parent if source is not None else "missing:" + normalize_name(label or "")))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.randoms(use_true_random=False))
def test_random_graphs_incremental_in_any_order_equal_a_fresh_sync(pages, rng):
    later = mutate(pages, rng)
    with tempfile.TemporaryDirectory() as tmp:
        inc, fresh = Repository(Path(tmp) / "inc.db"), Repository(Path(tmp) / "fresh.db")
        try:
            for repo in (inc, fresh):
                repo.ensure_schema()
            apply(inc, {}, tree(pages), rng)
            assert stored_edges(inc) == expected_edges(pages)
            apply(inc, tree(pages), tree(later), rng)
            apply(fresh, {}, tree(later), None)
            assert dump(inc) == dump(fresh)
            assert stored_edges(fresh) == expected_edges(later)
        finally:
            inc.close()
            fresh.close()


def test_missing_page_label_is_the_smallest_link_text_whatever_the_order():
    a = b"- ### OntologyBlock\n  - owl:class:: mv:A\n  - is-subclass-of:: [[nowhere]]\n"
    b = b"- ### OntologyBlock\n  - owl:class:: mv:B\n  - is-subclass-of:: #Nowhere\n"
    labels = set()
    for order in (("a.md", "b.md"), ("b.md", "a.md")):
        with tempfile.TemporaryDirectory() as tmp:
            repo = Repository(Path(tmp) / "x.db")
            repo.ensure_schema()
            apply(repo, {}, {p: {"a.md": a, "b.md": b}[p] for p in order}, random.Random(0))
            labels.add(repo.conn.execute("SELECT label FROM owl_classes WHERE source_file IS NULL").fetchone())
            repo.delete_file("b.md", "t")  # the other text stays
            after = repo.conn.execute("SELECT label FROM owl_classes WHERE source_file IS NULL").fetchone()
            labels.add(("after:", *after))
            repo.close()
    assert labels == {("Nowhere",), ("after:", "nowhere")}


# -- config.edn that cannot be read ------------------------------------------------------------------
BROKEN = {
    'unclosed vector': ('{:hidden ["/archive"\n :file/name-format :legacy\n}\n', 1),
    'regex literal': ('{:meta/version 1\n\n :x #"re"\n}\n', 3),
    'stray closer': ('{:a 1}\n]\n', 2),
    'key without a value': ('{:meta/version 1\n :hidden []\n :journals-directory\n}\n', 3),
    'nested map without a value': ('{:a {:x 1\n      :y}\n :b 2}\n', 2),
    'not UTF-8': (b'{:a "\xff"}\n'.decode("latin-1"), 1),
}


def test_unreadable_config_is_a_warning_with_its_line_and_defaults_apply():
    for what, (text, line) in BROKEN.items():
        data = text.encode("latin-1") if what == "not UTF-8" else text.encode()
        config, warnings = parse_config(data, "logseq/config.edn")
        assert config == type(config)(), what
        assert [(w.kind, w.line) for w in warnings] == [("logseq-config", line)], (what, warnings)
        assert warnings[0].message.startswith("logseq/config.edn: "), what


def test_a_sync_with_a_broken_config_goes_on_with_the_defaults(tmp_path):
    root = tmp_path / "graph"
    (root / "logseq").mkdir(parents=True)
    (root / "logseq" / "config.edn").write_text('{:hidden ["/archive"]\n :journals-directory "daily"\n :x #"re"}\n')
    (root / "archive").mkdir()
    (root / "archive" / "Kept.md").write_text("- ### OntologyBlock\n  - owl:class:: mv:Kept\n")
    (root / "journals").mkdir()
    (root / "journals" / "2024_01_15.md").write_text("- ### OntologyBlock\n  - owl:class:: mv:Day\n")
    (root / "Link.md").write_text("- ### OntologyBlock\n  - owl:class:: mv:Link\n"
                                  "  - is-subclass-of:: [[Jan 15th, 2024]]\n")
    db, report = tmp_path / "x.db", tmp_path / "r.json"
    r = cli("sync", str(root), "--db", str(db), "--report", str(report), "--quiet")
    assert r.returncode == 0, r.stderr
    rep = json.loads(report.read_text())
    assert [(w["path"], w["kind"], w["line"]) for w in rep["warnings"]] == [
        ("logseq/config.edn", "logseq-config", 3)]
    assert rep["files"]["ok"] == 3  # :hidden was not applied: the defaults
    conn = sqlite3.connect(db)
    try:
        parent = conn.execute("SELECT parent_iri FROM owl_class_hierarchy").fetchall()
    finally:
        conn.close()
    assert parent == [(MV + "Day",)]  # journals/ is the default journals folder


# -- page-level rules, one page at a time -------------------------------------------------------------
def _page(path: str, text: str, config=None):
    from ontosync.parsing.logseq_config import LogseqGraph

    graph = LogseqGraph("", config, True) if config else None
    return parse_file(path, text.encode(), ParseOptions(logseq=graph) if graph else ParseOptions())


def test_title_and_alias_count_only_in_the_page_properties():
    block = "- ### OntologyBlock\n  - owl:class:: mv:C\n"
    facts = _page("pages/Could.md", "- Block embed\n  title:: Not The Name\n" + block)
    assert facts.names == [("Could", 0)]  # a block's title:: is that block's (a link title)
    facts = _page("pages/X.md", block + "  - alias:: Elsewhere\n")
    assert ("Elsewhere", 1) not in facts.names
    assert [w.kind for w in facts.warnings] == ["block-alias"] and facts.warnings[0].line == 3
    facts = _page("pages/X.md", "title:: Real Name\nalias:: One, #Two, [[Three]]\n" + block)  # no bullet: round 12
    assert sorted(facts.names) == [("One", 1), ("Real Name", 0), ("Three", 1), ("Two", 1)] and not facts.warnings


def test_legacy_file_names_and_custom_journal_formats_from_the_config():
    from ontosync.parsing.logseq_config import LogseqConfig

    block = "- ### OntologyBlock\n  - owl:class:: mv:C\n"
    legacy = LogseqConfig(name_format="legacy", journals_directory="days", journal_title_format="EEEE, dd.MM.yyyy")
    assert _page("pages/Parent.Child.md", block, legacy).names == [("Parent/Child", 0)]
    assert _page("pages/Parent___Child.md", block, legacy).names == [("Parent___Child", 0)]
    assert _page("pages/Parent.Child.md", block).names == [("Parent.Child", 0)]  # triple-lowbar
    assert _page("days/2024_03_02.md", block, legacy).names == [("Saturday, 02.03.2024", 0)]
    assert _page("days/20240302.md", block, legacy).names == [("20240302", 0)]  # no format Logseq reads a date in
    assert _page("journals/2024_03_02.md", block).names == [("Mar 2nd, 2024", 0)]
