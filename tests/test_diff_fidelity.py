"""`ontosync diff` against an independent computation: the classes two fresh syncs of the trees
before and after hold (issue h9: a wrong diff misleads a reviewer)."""

from __future__ import annotations

import json
from pathlib import Path

from ontosync.parsing import ParseOptions, parse_file
from ontosync.store.changelog import ChangeLog
from ontosync.store.repository import Repository
from tests.helpers import cli, q


def page(label: str, parent: str | None = None) -> str:
    text = f"- ### OntologyBlock\n  - ontology:: true\n  - preferred-term:: {label}\n"
    return text + (f"  - is-subclass-of:: [[{parent}]]\n" if parent else "")


def declared(db: Path) -> set[str]:
    return {iri for (iri,) in q(db, "SELECT class_iri FROM owl_classes WHERE source_file IS NOT NULL")}


def fresh_classes(tree: Path, db: Path) -> set[str]:
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    return declared(db)


def test_default_diff_after_a_resumed_run_holds_the_killed_runs_part(tmp_path):
    """A sync killed half-way and run again is one sync to its user: `ontosync diff` (the last run
    that changed something) showed only what the resumed run saved, and the classes the killed
    run had already saved were never shown by default."""
    tree, db = tmp_path / "tree", tmp_path / "x.db"
    tree.mkdir()
    (tree / "A.md").write_text(page("A"))
    (tree / "B.md").write_text(page("B"))
    before = fresh_classes(tree, tmp_path / "before.db")
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    (tree / "C.md").write_text(page("C", "A"))
    (tree / "D.md").write_text(page("D", "B"))
    repo = Repository(db)
    repo.changes = ChangeLog.start(repo, None, str(tree), "t")
    text = (tree / "C.md").read_bytes()
    repo.save_parsed("C.md", None, len(text), parse_file("C.md", text, ParseOptions()), "t")
    repo.close()  # killed after C's commit, before D and before finish()
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    after = fresh_classes(tree, tmp_path / "after.db")
    assert len(after - before) == 2  # the independent computation: C and D are new

    out = cli("diff", "--db", str(db), "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {e["iri"] for e in data["classes"]["added"]} == after - before
    assert data["classes"]["removed"] == [] and data["classes"]["changed"] == []
    assert data["base"]["run"] == 1  # the last finished sync before the killed one
