"""`ontosync diff` against an independent computation: the classes two fresh syncs of the trees
before and after hold (issue h9: a wrong diff misleads a reviewer)."""

from __future__ import annotations

import json
import os
import subprocess
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


def kill_after(db: Path, tree: Path, saved: str, revision: str | None = None) -> None:
    """A sync of `tree` killed after saving only `saved` (its commit made, finish() never run)."""
    repo = Repository(db)
    repo.changes = ChangeLog.start(repo, revision, str(tree), "t")
    text = (tree / saved).read_bytes()
    repo.save_parsed(saved, None, len(text), parse_file(saved, text, ParseOptions()), "t")
    repo.close()


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
    kill_after(db, tree, "C.md", None)  # killed after C's commit, before D and before finish()
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    after = fresh_classes(tree, tmp_path / "after.db")
    assert len(after - before) == 2  # the independent computation: C and D are new

    out = cli("diff", "--db", str(db), "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {e["iri"] for e in data["classes"]["added"]} == after - before
    assert data["classes"]["removed"] == [] and data["classes"]["changed"] == []
    assert data["base"]["run"] == 1  # the last finished sync before the killed one


def _git(tree: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(["git", *args], cwd=tree, check=True, capture_output=True, text=True,
                          env={**os.environ, **env}).stdout.strip()


def _commit(tree: Path) -> str:
    _git(tree, "add", "-A")
    _git(tree, "commit", "-qm", "edit")
    return _git(tree, "rev-parse", "HEAD")


def test_since_a_revision_whose_run_was_killed_does_not_report_that_revision_s_content(tmp_path):
    """`--since R` took a run killed half-way through syncing R as the state at R, so classes that
    R already held (saved only by the next run) were reported as changed since R. The database
    never held R's state: say so (exit 2) rather than report them."""
    tree, db = tmp_path / "tree", tmp_path / "x.db"
    tree.mkdir()
    _git(tree, "init", "-q")
    (tree / "A.md").write_text(page("A"))
    _commit(tree)
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    (tree / "C.md").write_text(page("C", "A"))
    (tree / "D.md").write_text(page("D", "A"))
    r2 = _commit(tree)
    kill_after(db, tree, "C.md", r2)  # killed while syncing r2: D not saved yet
    (tree / "E.md").write_text(page("E", "A"))
    _commit(tree)
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    assert q(db, "SELECT revision FROM runs WHERE finished_at IS NULL") == [(r2,)]

    out = cli("diff", "--db", str(db), "--since", r2[:10], "--format", "json")
    assert out.returncode == 2, out.stdout
    assert r2[:10] in out.stderr and "did not finish" in out.stderr
    assert "Traceback" not in out.stderr


TTL = ('@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
       '<http://example.org/A> a owl:Class ; rdfs:label "{label}" .\n')


def test_text_diff_shows_terminal_escapes_in_labels_instead_of_running_them(tmp_path):
    """A label holding an escape sequence (`\\u001b[2J` in a Turtle literal) went raw to the
    terminal in `ontosync diff`'s text: the reviewer's screen was cleared or retitled and the
    lines before it hidden. Each character that does not print is now shown as its escape."""
    tree, db = tmp_path / "tree", tmp_path / "x.db"
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL.format(label="Ok"))
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    (tree / "a.ttl").write_text(TTL.format(label=r"Ok\u001b]0;title\u0007\u001b[2J"))
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    assert q(db, "SELECT label FROM owl_classes") == [("Ok\x1b]0;title\x07\x1b[2J",)]  # stored as written

    out = cli("diff", "--db", str(db))
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout
    assert '"Ok" -> "Ok\\x1b]0;title\\x07\\x1b[2J"' in out.stdout


def test_markdown_shows_bidirectional_overrides_and_keeps_joiners():
    """A label with U+202E (right-to-left override) showed reversed text in the pull-request
    comment, so `evil` could read as `live`; it is shown as its escape. ZWNJ, part of Persian words,
    stays as it is (in text and markdown)."""
    from ontosync.diff_format import md, visible

    assert md("a\u202eevil") == "a\\\\u202eevil"
    word = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    assert visible(word) == word
    assert md("\u0645\u06cc\u200c\u062e") == "\u0645\u06cc\u200c\u062e"


def test_action_report_after_a_killed_run_holds_its_part(tmp_path):
    """The Action reports the runs after the newest one before its sync; when that newest run had
    been killed (a cached database of a cancelled job), what it saved was in no report at all."""
    from ontosync.action import changes

    tree, db = tmp_path / "tree", tmp_path / "x.db"
    tree.mkdir()
    (tree / "A.md").write_text(page("A"))
    before = fresh_classes(tree, tmp_path / "before.db")
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    (tree / "C.md").write_text(page("C", "A"))
    (tree / "D.md").write_text(page("D", "A"))
    kill_after(db, tree, "C.md", None)  # the cancelled job's run: C saved, D not

    after_run = changes.before_sync(db, ".", None, None)[1]
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    data = changes.collect(db, after_run, tmp_path / "changes.json")
    after = fresh_classes(tree, tmp_path / "after.db")
    assert {e["iri"] for e in data["classes"]["added"]} == after - before
    assert len(after - before) == 2
    assert changes.outputs(data, "c.json")["classes-added"] == "2"
