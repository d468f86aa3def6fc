"""The change log on the real corpus: a series of edits gives exactly the expected entries.

Each edit is made to a copy of ../shared/corpora/visionflow-pages, then synced; the run's diff
(`ontosync diff --run ID --format json`) must equal what the test expects from the page text (the
old and new `preferred-term`, the pages an `is-subclass-of` link names) and from the database as
it was before the edit (which classes, properties and axioms only the deleted page held). A
whitespace-only edit and a rename that changes no content must log nothing. Skips without the corpus.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from ontosync.cli import main as cli_main
from ontosync.parsing.facts import normalize_name
from tests.conftest import copy_db
from tests.helpers import q

PAGES = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "visionflow-pages"
PROP = re.compile(r"^\s*(?:- )?\s*([\w:-]+)::\s*(.*?)\s*$")
LINK = re.compile(r"\[\[([^\]|]+)(?:\|[^\]]*)?\]\]")

pytestmark = pytest.mark.skipif(not PAGES.is_dir(), reason=f"corpus not found at {PAGES}")


def props(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = PROP.match(line)
        if m:
            out.setdefault(m.group(1).lower(), []).append(m.group(2))
    return out


def all_link_keys(root: Path, skip: Path | None = None) -> set[str]:
    keys: set[str] = set()
    for p in root.glob("*.md"):
        if p != skip:
            keys |= {normalize_name(n) for n in LINK.findall(p.read_text(encoding="utf-8"))}
    return keys


def sync(src: Path, db: Path) -> int:
    assert cli_main(["sync", str(src), "--db", str(db), "--quiet", "--workers", "2"]) == 0
    return sqlite3.connect(db).execute("SELECT max(id) FROM runs").fetchone()[0]


def diff(db: Path, *args: str, capsys) -> dict:
    capsys.readouterr()
    assert cli_main(["diff", "--db", str(db), "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def empty_sections(data: dict) -> bool:
    return (all(not data[s][k] for s in ("classes", "properties") for k in ("added", "removed", "changed"))
            and data["axioms"]["added"] == data["axioms"]["removed"] == 0)


def class_of(db: Path, page: str) -> tuple[str, str]:
    """(iri, label) of the page's own class: the class whose page_names row the page holds."""
    return q(db, "SELECT c.class_iri, c.label FROM page_names n JOIN owl_classes c ON c.class_iri = n.class_iri "
                 "WHERE n.path = ? AND n.rank = 0", page)[0]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, corpus_db):
    """A copy of the pages and of the session's full sync of them (conftest's corpus_db: what a
    first sync of this copy makes), then one run over the copy, which finds nothing to do."""
    root = tmp_path_factory.mktemp("changelog")
    src = root / "pages"
    shutil.copytree(PAGES, src)
    db = copy_db(corpus_db, root / "onto.db")
    first = sync(src, db)
    assert q(db, "SELECT changes FROM runs WHERE id = ?", first) == [(0,)]
    return src, db, first


def pick_pages(src: Path) -> dict[str, Path]:
    """Pages that fit each edit, chosen by their text so that the edit's effect is known exactly."""
    links = all_link_keys(src)
    titles = {normalize_name(p.stem): p for p in src.glob("*.md")}
    chosen: dict[str, Path] = {}
    for p in sorted(src.glob("*.md")):
        pr = props(p)
        pts, parents = pr.get("preferred-term", []), pr.get("is-subclass-of", [])
        plain = "### OntologyBlock" in p.read_text(encoding="utf-8") and len(pts) == 1 and "owl:class" in pr
        if not plain or "alternate-terms" in pr or "alias" in pr:
            continue
        title_key = normalize_name(p.stem)
        if "relabel" not in chosen and normalize_name(pts[0]) == title_key:
            chosen["relabel"] = p
        elif ("reparent" not in chosen and len(parents) == 1 and len(LINK.findall(parents[0])) == 1
              and normalize_name(LINK.findall(parents[0])[0]) in titles):
            chosen["reparent"] = p
        elif "delete" not in chosen and title_key not in links and normalize_name(pts[0]) not in links:
            chosen["delete"] = p
        elif "rename" not in chosen and title_key not in links and normalize_name(pts[0]) != title_key:
            chosen["rename"] = p
        elif "whitespace" not in chosen:
            chosen["whitespace"] = p
    assert len(chosen) == 5, chosen
    return chosen


@pytest.mark.corpus
def test_edits_give_exactly_the_expected_changes(corpus, capsys):
    src, db, first = corpus
    pages = pick_pages(src)
    rel = {k: p.name for k, p in pages.items()}

    # 1. relabel: the preferred-term (equal to the title, so links by either name still resolve)
    p = pages["relabel"]
    iri, old_label = class_of(db, rel["relabel"])
    old_pt = props(p)["preferred-term"][0]
    assert old_label == old_pt
    new_label = old_pt + " (renamed by test)"
    p.write_text(p.read_text(encoding="utf-8").replace(f"preferred-term:: {old_pt}", f"preferred-term:: {new_label}",
                                                       1), encoding="utf-8")
    run = sync(src, db)
    data = diff(db, "--run", str(run), capsys=capsys)
    assert data["head"]["run"] == run
    assert data["classes"] == {"added": [], "removed": [], "changed": [
        {"iri": iri, "label": new_label, "changes": {"label": [old_label, new_label]}}]}
    assert data["properties"] == {"added": [], "removed": [], "changed": []}
    assert data["axioms"]["added"] == data["axioms"]["removed"] == 0

    # 2. re-parent: the one is-subclass-of link now names another page
    p = pages["reparent"]
    iri, label = class_of(db, rel["reparent"])
    line = next(ln for ln in p.read_text(encoding="utf-8").splitlines() if PROP.match(ln)
                and PROP.match(ln).group(1).lower() == "is-subclass-of")
    old_target = LINK.findall(line)[0]
    old_parent = class_of(db, next(f.name for f in src.glob("*.md") if normalize_name(f.stem) == normalize_name(
        old_target)))
    new_page = pages["relabel"]  # its class is declared and its title still resolves
    new_parent = class_of(db, new_page.name)
    parents_before = {r[0] for r in q(db, "SELECT parent_iri FROM owl_class_hierarchy WHERE class_iri = ?", iri)}
    assert old_parent[0] in parents_before and new_parent[0] not in parents_before
    p.write_text(p.read_text(encoding="utf-8").replace(line, line.replace(f"[[{old_target}", f"[[{new_page.stem}")),
                 encoding="utf-8")
    run = sync(src, db)
    data = diff(db, "--run", str(run), capsys=capsys)
    changes = {"parents_added": [{"iri": new_parent[0], "label": new_parent[1]}]}
    still = [v for v in props(p).get("is-subclass-of", []) if normalize_name(old_target) in
             {normalize_name(n) for n in LINK.findall(v)}]
    if not still:
        changes["parents_removed"] = [{"iri": old_parent[0], "label": old_parent[1]}]
    assert data["classes"] == {"added": [], "removed": [], "changed": [
        {"iri": iri, "label": label, "changes": changes}]}
    assert empty_sections({**data, "classes": {"added": [], "removed": [], "changed": []}})

    # 3. delete a page nothing links to: its class, the properties and axioms only it held, go
    p = pages["delete"]
    gone_classes = q(db, """SELECT c.class_iri, c.label FROM owl_classes c WHERE c.source_file IS NOT NULL
                            AND NOT EXISTS (SELECT 1 FROM file_classes f
                                            WHERE f.class_iri = c.class_iri AND f.path <> ?)
                            ORDER BY c.class_iri""", rel["delete"])
    gone_props = q(db, """SELECT p.property_iri FROM owl_properties p WHERE NOT EXISTS (SELECT 1 FROM file_properties f
                          WHERE f.property_iri = p.property_iri AND f.path <> ?)""", rel["delete"])
    gone_axioms = q(db, """SELECT count(*) FROM (SELECT DISTINCT axiom_type, subject, object, annotations
                           FROM owl_axioms a WHERE source_file = ? AND NOT EXISTS (
                           SELECT 1 FROM owl_axioms b WHERE b.source_file <> ?
                           AND b.axiom_type = a.axiom_type AND b.subject IS a.subject AND b.object IS a.object
                           AND b.annotations IS a.annotations))""", rel["delete"], rel["delete"])[0][0]
    assert gone_classes and gone_axioms > 0
    p.unlink()
    run = sync(src, db)
    data = diff(db, "--run", str(run), capsys=capsys)
    assert sorted((e["iri"], e["label"]) for e in data["classes"]["removed"]) == gone_classes
    assert data["classes"]["added"] == [] and data["classes"]["changed"] == []
    assert sorted(e["iri"] for e in data["properties"]["removed"]) == sorted(r[0] for r in gone_props)
    assert data["axioms"]["removed"] == gone_axioms and data["axioms"]["added"] == 0

    # 4. add a page: one class with its label, definition-less, under an existing page
    new = src / "Zz Test Added Page.md"
    assert normalize_name(new.stem) not in all_link_keys(src)
    new.write_text("- ### OntologyBlock\n  - ontology:: true\n  - owl:class:: <http://example.org/test#Added>\n"
                   "  - preferred-term:: Zz Test Added Page\n"
                   f"  - is-subclass-of:: [[{new_page.stem}]]\n", encoding="utf-8")
    run = sync(src, db)
    data = diff(db, "--run", str(run), capsys=capsys)
    assert data["classes"] == {"added": [{"iri": "http://example.org/test#Added", "label": "Zz Test Added Page"}],
                               "removed": [], "changed": []}
    card = q(db, "SELECT new FROM run_changes WHERE run_id = ? AND iri = ?", run, "http://example.org/test#Added")
    assert json.loads(card[0][0]) == {"label": "Zz Test Added Page", "definition": None,
                                      "parents": [new_parent[0]], "synonyms": []}

    # 5. whitespace and metadata only, and 6. a rename without content change: no change at all
    p = pages["whitespace"]  # trailing spaces, blank lines, and a metadata key (not a relationship)
    p.write_text(p.read_text(encoding="utf-8").replace("\n", "  \n") + "\n\n- last-updated:: 2031-01-01\n",
                 encoding="utf-8")
    run = sync(src, db)
    assert q(db, "SELECT changes FROM runs WHERE id = ?", run) == [(0,)]
    p = pages["rename"]
    p.rename(src / "Zz Renamed By Test.md")
    run = sync(src, db)
    assert q(db, "SELECT changes FROM runs WHERE id = ?", run) == [(0,)]
    assert empty_sections(diff(db, "--run", str(run), capsys=capsys))
    # the default (last run that changed something) is the page added in step 4
    assert diff(db, capsys=capsys)["classes"]["added"][0]["iri"] == "http://example.org/test#Added"
    assert sync(src, db) > first


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root,
                          check=True, capture_output=True, text=True).stdout.strip()


@pytest.mark.corpus
@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_diff_base_equals_the_union_of_the_run_logs(tmp_path, capsys, corpus_db):
    """A copy of the database at revision A; three more runs to revision D (each a commit). The
    direct comparison of the two databases equals `diff --since A`, the fold of the runs between.
    The database at A: the session's full sync of the same pages, then a run at revision A."""
    src = tmp_path / "src"
    shutil.copytree(PAGES, src)
    git(src, "init", "-q")
    git(src, "add", "-A")
    git(src, "commit", "-qm", "A")
    rev_a = git(src, "rev-parse", "HEAD")
    db = copy_db(corpus_db, tmp_path / "head.db")
    run_a = sync(src, db)
    assert q(db, "SELECT revision, changes FROM runs WHERE id = ?", run_a) == [(rev_a, 0)]
    base = tmp_path / "base.db"
    shutil.copy(db, base)
    files = [f for f in sorted(src.glob("*.md")) if all(
        k in f.read_text(encoding="utf-8") for k in ("### OntologyBlock", "preferred-term:: ", "definition:: "))]
    def append(f: Path, text: str) -> None:
        f.write_text(f.read_text(encoding="utf-8") + text, encoding="utf-8")

    def replace(f: Path, old: str, new: str) -> None:
        f.write_text(f.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    edits = [
        lambda: files[10].unlink(),
        lambda: replace(files[20], "preferred-term:: ", "preferred-term:: X "),
        lambda: (src / "New Parent Page.md").write_text(
            "- ### OntologyBlock\n  - preferred-term:: New Parent Page\n  - definition:: made by a test\n"),
        lambda: append(files[30], "\n- is-subclass-of:: [[New Parent Page]]\n"),
        lambda: (src / "New Parent Page.md").unlink(),  # the link of files[30] re-points to the minted IRI
        lambda: replace(files[40], "definition:: ", "definition:: Y "),
    ]
    for i in range(0, len(edits), 2):
        edits[i]()
        edits[i + 1]()
        git(src, "add", "-A")
        git(src, "commit", "-qm", f"edit {i}")
        sync(src, db)
    since = diff(db, "--since", rev_a, capsys=capsys)
    direct = diff(db, "--base", str(base), capsys=capsys)
    assert since["base"]["revision"] == rev_a and direct["base"] == {"database": str(base)}
    for key in ("classes", "properties", "axioms", "counts"):
        assert since[key] == direct[key], key
    assert since["counts"]["classes_removed"] >= 1 and since["counts"]["classes_changed"] >= 3
    # the reverse comparison swaps added and removed
    back = diff(base, "--base", str(db), capsys=capsys)
    assert {e["iri"] for e in back["classes"]["added"]} == {e["iri"] for e in direct["classes"]["removed"]}
    assert back["axioms"]["added"] == direct["axioms"]["removed"]


def test_keep_runs_prunes_old_runs(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    db = tmp_path / "k.db"
    for i in range(4):
        (src / f"P{i}.md").write_text(f"- ### OntologyBlock\n  - preferred-term:: P{i}\n", encoding="utf-8")
        assert cli_main(["sync", str(src), "--db", str(db), "--quiet", "--keep-runs", "2"]) == 0
    sync(src, db)  # a run that changes nothing is kept too
    runs = q(db, "SELECT id, changes FROM runs ORDER BY id")
    assert [r[0] for r in runs] == [3, 4, 5] and runs[-1][1] == 0
    assert q(db, "SELECT DISTINCT run_id FROM run_changes ORDER BY 1") == [(3,), (4,)]
    assert cli_main(["diff", "--db", str(db), "--run", "1"]) == 2
    assert cli_main(["sync", str(src), "--db", str(db), "--keep-runs", "0"]) == 2


def test_synonyms_and_properties_in_the_card(tmp_path):
    """Synonyms (file_synonyms, union over files) and property cards, through the repository."""
    from ontosync.parsing.facts import ClassFact, FileFacts, PropertyFact, SynonymFact
    from ontosync.store.changelog import ChangeLog
    from ontosync.store.diff import select_runs
    from ontosync.store.repository import Repository

    repo = Repository(tmp_path / "s.db")
    repo.ensure_schema()
    a = "http://example.org/A"
    p = "http://example.org/p"

    def run(*saves):
        repo.changes = ChangeLog.start(repo, None, "test", "t")
        for path, facts in saves:
            repo.save_parsed(path, None, 1, facts, "t")
        repo.changes.finish("t")
        return select_runs(repo.conn).to_json(repo.conn)

    one = FileFacts("turtle", classes=[ClassFact(a, "A")], synonyms=[SynonymFact(a, "Alpha")],
                    properties=[PropertyFact(p, "ObjectProperty", "p")])
    data = run(("a.ttl", one))
    assert data["classes"]["added"] == [{"iri": a, "label": "A"}]
    assert data["properties"]["added"] == [{"iri": p, "label": "p", "type": "ObjectProperty"}]
    two = FileFacts("turtle", classes=[ClassFact(a)], synonyms=[SynonymFact(a, "Alpha"), SynonymFact(a, "Ay")],
                    properties=[PropertyFact(p, "ObjectProperty", "p", domain=a)])
    data = run(("b.ttl", two), ("a.ttl", FileFacts("turtle", classes=[ClassFact(a, "A")],
                                                   properties=[PropertyFact(p, "ObjectProperty", "p")])))
    assert data["classes"]["changed"] == [{"iri": a, "label": "A", "changes": {"synonyms_added": ["Ay"]}}]
    assert data["properties"]["changed"] == []  # a.ttl still wins the property: no visible change
    data = run(("a.ttl", FileFacts("turtle", classes=[ClassFact(a, "A")])))
    assert data["properties"]["changed"] == [{"iri": p, "label": "p", "type": "ObjectProperty",
                                              "changes": {"domain": [None, a]}}]
    repo.close()
