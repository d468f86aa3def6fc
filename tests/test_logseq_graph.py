"""A Logseq graph as Logseq keeps it on disk (issue 14): config.edn, backups, recycle bin, journals,
namespaced pages in every file-name encoding, title:: and alias::, tags in property values.

The table EXPECTED is written from Logseq's documented rules (../shared/spec/logseq-format.md,
"A graph on disk"), not from ontosync's output: for each link, the file Logseq would open, or
None for a page no file holds (then the class is referenced-only and labelled with the link).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ontosync.parsing.facts import normalize_name
from tests.fake_github import FakeGitHub
from tests.helpers import PAGES, cli, dump_file, run_cli

G = "kg/"  # the graph lives in a subfolder of the repository, like mainKnowledgeGraph/

CONFIG = """;; Logseq settings, as the app writes them (comments, sets, nested maps)
{:meta/version 1
 :preferred-format :markdown
 :hidden ["/archive" "scratch/"]
 :file/name-format :triple-lowbar
 :journals-directory "daily"
 :pages-directory "pages"
 :journal/page-title-format "MMM do, yyyy"
 :journal/file-name-format "yyyy_MM_dd"
 :ui/show-brackets? true
 :default-queries {:journals [{:title "Today" :query (and (todo now later))}]}
 :feature/enable-whiteboards? #{:a :b}}
"""


def block(*props: str, heading: str = "- ### OntologyBlock") -> str:
    return heading + "\n" + "".join(f"  - {p}\n" for p in props)


FILES = {
    # pages
    "pages/Robot.md": block("owl:class:: mv:Robot", "preferred-term:: Robot", "definition:: A machine that acts."),
    "pages/Vehicle___Car.md": block("preferred-term:: Car", "is-subclass-of:: [[Robot]], [[nowhere page]]"),
    "pages/Vehicle%2FTruck.md": block("preferred-term:: Truck"),
    "pages/Old.Format.md": "title:: Old/Format\n\n" + block("preferred-term:: Old format page"),
    "pages/Machine.md": "title:: Machine Thing\nalias:: Device, [[Apparatus]]\n\n"
                        + block("owl:class:: mv:Machine", "alternate-terms::", "Contraption")
                        + "  - Gadget\n  - definition:: Does things.\n",
    "pages/Tagged.md": block("owl:class:: mv:Tagged",
                             "is-subclass-of:: #Robot, #[[Vehicle/Car]]",
                             "has-part:: [[Machine Thing]] #Device, junk words"),
    "pages/Linker.md": block("owl:class:: mv:Linker",
                             "is-subclass-of:: [[vehicle/truck]], [[Jan 15th, 2024]], [[device]]",
                             "is-subclass-of:: [[Nowhere Page]], [[nowhere page]], [[Machine]]",
                             "requires:: [[Apparatus]], [[Old/Format]], [[a [[Robot]] b]]",
                             "enables:: [[Deleted]], [[Backup Only]]"),
    "daily/2024_01_15.md": block("owl:class:: mv:Journal15", "preferred-term:: Day page"),
    # Logseq's own copies and hidden folders: never pages
    "logseq/bak/pages/Robot/2024-01-01T00_00_00.000Z.Desktop.md":
        block("owl:class:: mv:Robot", "preferred-term:: Stale Robot", "definition:: A stale backup."),
    "logseq/bak/pages/Backup Only.md": block("owl:class:: mv:BackupOnly", "preferred-term:: Backup Only"),
    "logseq/.recycle/pages_Deleted.md": block("owl:class:: mv:Deleted", "preferred-term:: Deleted",
                                              "is-subclass-of:: [[Robot]]"),
    "logseq/version-files/local/pages_Robot.md": block("owl:class:: mv:Robot", "preferred-term:: Old Robot"),
    "archive/Archived.md": block("owl:class:: mv:Archived", "preferred-term:: Deleted"),
    "scratch/Note.md": block("owl:class:: mv:Scratch"),
    "logseq/config.edn": CONFIG,
}

# (page holding the link, property, link text) -> the file Logseq opens, None: no file holds it.
EXPECTED = {
    ("pages/Vehicle___Car.md", "is-subclass-of", "Robot"): "pages/Robot.md",
    ("pages/Vehicle___Car.md", "is-subclass-of", "nowhere page"): None,  # one missing page, any case
    ("pages/Tagged.md", "is-subclass-of", "Robot"): "pages/Robot.md",  # #Robot
    ("pages/Tagged.md", "is-subclass-of", "Vehicle/Car"): "pages/Vehicle___Car.md",  # #[[...]], ___
    ("pages/Tagged.md", "has-part", "Machine Thing"): "pages/Machine.md",  # title::
    ("pages/Tagged.md", "has-part", "Device"): "pages/Machine.md",  # tag naming an alias
    ("pages/Linker.md", "is-subclass-of", "vehicle/truck"): "pages/Vehicle%2FTruck.md",  # %2F, any case
    ("pages/Linker.md", "is-subclass-of", "Jan 15th, 2024"): "daily/2024_01_15.md",  # journal title
    ("pages/Linker.md", "is-subclass-of", "device"): "pages/Machine.md",  # alias, any case
    ("pages/Linker.md", "is-subclass-of", "Nowhere Page"): None,
    ("pages/Linker.md", "is-subclass-of", "nowhere page"): None,
    ("pages/Linker.md", "is-subclass-of", "Machine"): None,  # the file name is no name once title:: is set
    ("pages/Linker.md", "requires", "Apparatus"): "pages/Machine.md",  # alias given as a link
    ("pages/Linker.md", "requires", "Old/Format"): "pages/Old.Format.md",  # legacy `.` name + title::
    ("pages/Linker.md", "requires", "a [[Robot]] b"): None,  # a nested link names the outer page...
    ("pages/Linker.md", "requires", "Robot"): "pages/Robot.md",  # ...and the inner one
    ("pages/Linker.md", "enables", "Deleted"): None,  # only in the recycle bin and a hidden folder
    ("pages/Linker.md", "enables", "Backup Only"): None,  # only in logseq/bak
}

NOT_PAGES = {
    "logseq/bak/pages/Robot/2024-01-01T00_00_00.000Z.Desktop.md": "Logseq backup copy",
    "logseq/bak/pages/Backup Only.md": "Logseq backup copy",
    "logseq/.recycle/pages_Deleted.md": "Logseq recycle bin",
    "logseq/version-files/local/pages_Robot.md": "Logseq version file",
    "archive/Archived.md": "hidden by logseq/config.edn",
    "scratch/Note.md": "hidden by logseq/config.edn",
}


def write_graph(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / G / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> tuple[Path, Path, dict]:
    root = tmp_path_factory.mktemp("repo")
    write_graph(root, FILES)
    (root / "README.md").write_text("# not part of the graph\n")
    db = root.parent / "graph.db"
    report = root.parent / "graph.json"
    r = cli("sync", str(root), "--path", G, "--db", str(db), "--report", str(report), "--quiet")
    assert r.returncode == 0, r.stderr
    return root, db, json.loads(report.read_text())


def target_file(conn: sqlite3.Connection, iri: str) -> tuple[str | None, str | None]:
    return conn.execute("SELECT source_file, label FROM owl_classes WHERE class_iri = ?", (iri,)).fetchone()


def resolutions(db: Path) -> dict[tuple[str, str, str], tuple[str | None, str | None]]:
    """(page, property, link text) -> (file of the class the link resolved to, its label)."""
    conn = sqlite3.connect(db)
    out = {}
    try:
        for (page, relation, text), _ in EXPECTED.items():
            path = G + page
            if relation == "is-subclass-of":
                row = conn.execute("SELECT parent_iri FROM file_edges WHERE path = ? AND parent_ref_key = ?",
                                   (path, normalize_name(text))).fetchone()
                if row is not None:  # the contract table holds the edge too
                    assert conn.execute("SELECT 1 FROM owl_class_hierarchy h JOIN file_classes f "
                                        "ON f.class_iri = h.class_iri AND f.path = ? WHERE h.parent_iri = ?",
                                        (path, row[0])).fetchone(), (page, text)
            else:
                row = conn.execute("SELECT object FROM owl_axioms WHERE source_file = ? AND object_ref_key = ? "
                                   "AND json_extract(annotations, '$.relation') = ?",
                                   (path, normalize_name(text), relation)).fetchone()
            if row is not None:
                found = target_file(conn, row[0])
                out[(page, relation, text)] = (found[0][len(G):] if found and found[0] else None,
                                               found[1] if found else "(no class row)")
    finally:
        conn.close()
    return out


def test_every_link_resolves_to_the_page_logseq_opens(graph):
    _, db, _ = graph
    got = resolutions(db)
    assert set(got) == set(EXPECTED), f"links missing: {sorted(set(EXPECTED) - set(got))!r}"
    wrong = {k: (got[k][0], v) for k, v in EXPECTED.items() if got[k][0] != v}
    assert wrong == {}


def test_a_link_to_no_page_is_a_class_labelled_with_the_link(graph):
    _, db, _ = graph
    got = resolutions(db)
    for key, expected in EXPECTED.items():
        if expected is None and key[1] == "is-subclass-of":
            # [[Nowhere Page]] and [[nowhere page]] name one page; its label is the smallest text.
            want = "Nowhere Page" if key[2].lower() == "nowhere page" else key[2]
            assert got[key] == (None, want), key


def test_logseq_copies_and_hidden_folders_are_skipped_and_never_win(graph):
    _, db, report = graph
    conn = sqlite3.connect(db)
    try:
        status = dict(conn.execute("SELECT path, status || ': ' || COALESCE(error, '') FROM source_files"))
        robot = conn.execute("SELECT label, comment, source_file FROM owl_classes WHERE class_iri = ?",
                             ("http://narrativegoldmine.com/metaverse#Robot",)).fetchone()
        stray = conn.execute("SELECT count(*) FROM owl_classes WHERE class_iri IN (?, ?, ?, ?)",
                             tuple("http://narrativegoldmine.com/metaverse#" + n
                                   for n in ("Deleted", "BackupOnly", "Archived", "Scratch"))).fetchone()[0]
    finally:
        conn.close()
    for rel, reason in NOT_PAGES.items():
        assert status[G + rel].startswith("skipped: " + reason), (rel, status[G + rel])
    assert robot == ("Robot", "A machine that acts.", G + "pages/Robot.md")
    assert stray == 0
    pages = [r for r in FILES if r.endswith(".md")]
    assert report["files"]["total"] == len(pages)  # --path kg/: the README.md above is not selected
    assert report["files"]["skipped"] == len(NOT_PAGES)
    assert not any(w["kind"] == "duplicate-declaration" for w in report["warnings"])


def test_alias_and_alternate_terms_are_synonyms(graph):
    _, db, _ = graph
    conn = sqlite3.connect(db)
    try:
        rows = set(conn.execute("SELECT class_iri, synonym, predicate FROM file_synonyms WHERE path = ?",
                                (G + "pages/Machine.md",)))
    finally:
        conn.close()
    iri = "http://narrativegoldmine.com/metaverse#Machine"
    assert rows == {(iri, s, "oio:hasExactSynonym") for s in ("Device", "Apparatus", "Contraption", "Gadget")}


def test_a_non_link_in_a_link_valued_property_is_a_warning_with_its_line(graph):
    _, _, report = graph
    found = [w for w in report["warnings"] if w["path"] == G + "pages/Tagged.md"]
    line = FILES["pages/Tagged.md"].split("\n").index("  - has-part:: [[Machine Thing]] #Device, junk words") + 1
    assert [(w["kind"], w["line"]) for w in found] == [("unreadable-value", line)]
    assert "junk words" in found[0]["message"]


def test_the_github_source_reads_the_same_graph(graph, tmp_path):
    root, db, _ = graph
    with FakeGitHub(root) as fake:
        remote = tmp_path / "remote.db"
        r = run_cli("sync", "github:o/r@main", "--api-url", fake.url, "--path", G, "--db", str(remote), "--quiet",
                    env={"GITHUB_TOKEN": fake.token, "ONTOSYNC_GITHUB_TIMEOUT": "5"})
        assert r.returncode == 0, r.stderr
    assert dump_file(remote) == dump_file(db)


# -- the real corpus ------------------------------------------------------------------------------
def _alternate_terms(text: str) -> list[str]:
    """alternate-terms items of a page, read here independently: the pages write them either on
    the line (comma-separated) or as the bullets right below an empty `alternate-terms::`."""
    lines = text.split("\n")
    items: list[str] = []
    for i, line in enumerate(lines):
        head, sep, value = line.partition("alternate-terms::")
        if not sep or head.strip() not in ("", "-"):
            continue
        if value.strip():
            items += [v.strip().strip("[]#").strip() for v in value.split(",")]
            continue
        indent = len(head) - len(head.lstrip())
        for nxt in lines[i + 1:]:
            if nxt[:indent].strip() or not nxt[indent:].startswith("- ") or "::" in nxt:
                break
            items.append(nxt[indent + 2:].strip())
    return [i for i in dict.fromkeys(items) if i]


@pytest.mark.corpus
def test_corpus_figures_under_the_graph_rules(corpus_db, corpus_report):
    db, rep = corpus_db, corpus_report  # the session's full sync of the pages and its report
    assert (rep["files"]["ok"], rep["files"]["skipped"], rep["files"]["failed"]) == (1524, 160, 0)
    expected = {}
    for page in sorted(PAGES.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        if "OntologyBlock" in text and _alternate_terms(text):
            expected[page.name] = set(_alternate_terms(text))
    conn = sqlite3.connect(db)
    try:
        got: dict[str, set] = {}
        for path, synonym in conn.execute("SELECT path, synonym FROM file_synonyms"):
            got.setdefault(path, set()).add(synonym)
        unlabelled = conn.execute(
            """SELECT count(*) FROM owl_classes c WHERE c.source_file IS NULL AND c.label IS NULL AND EXISTS (
                   SELECT 1 FROM file_edges e WHERE e.parent_iri = c.class_iri AND e.parent_ref_key IS NOT NULL)""")
        unlabelled = unlabelled.fetchone()[0]
        # each missing page is one class, labelled with one of the texts of the links naming it
        bad_labels = conn.execute(
            """SELECT count(*) FROM owl_classes c WHERE c.source_file IS NULL AND c.label IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM file_edges e WHERE e.parent_iri = c.class_iri
                                   AND e.parent_ref_text = c.label)""").fetchone()[0]
    finally:
        conn.close()
    assert got == expected
    assert (len(expected), sum(map(len, expected.values()))) == (25, 86)
    assert unlabelled == 0 and bad_labels == 0
