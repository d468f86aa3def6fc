"""The change log, `diff`, the job summary and the pull-request comment, round 13 (task h170)."""

from __future__ import annotations

import json

from tests.helpers import cli
from tests.test_diff_fidelity import kill_after, page


def test_diff_of_a_run_that_did_not_finish_says_so(tmp_path):
    """A sync stopped half-way (killed, out of memory, the runner cancelled): `ontosync diff` showed
    "run 1 -> run 2" and the classes run 2 had saved, read as what the last sync changed, with
    nothing saying run 2 never reached its end (the database is between two states; its other
    files' changes are not there yet). The output stays as it was; a note on stderr says so, for
    the default selection and for `--run` naming that run."""
    tree, db = tmp_path / "tree", tmp_path / "x.db"
    tree.mkdir()
    (tree / "A.md").write_text(page("A"))
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    (tree / "C.md").write_text(page("C", "A"))
    (tree / "D.md").write_text(page("D", "A"))
    kill_after(db, tree, "C.md")  # run 2 saved C, then stopped: D not saved, finish() never run

    out = cli("diff", "--db", str(db))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "run 1 -> run 2"
    assert out.stderr == ("ontosync: note: run 2 did not finish (stopped before its end, or still running): "
                          "shown is what it saved; the next sync of its source saves the rest\n")
    for args in (["--run", "2"], ["--format", "json"]):
        again = cli("diff", "--db", str(db), *args)
        assert again.returncode == 0 and again.stderr == out.stderr, again.stderr
    assert json.loads(cli("diff", "--db", str(db), "--format", "json").stdout)["head"]["run"] == 2

    finished = cli("diff", "--db", str(db), "--run", "1")  # a run that finished: no note
    assert finished.returncode == 0 and finished.stderr == ""
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    resumed = cli("diff", "--db", str(db), "--format", "json")
    assert resumed.stderr == ""
    assert {e["label"] for e in json.loads(resumed.stdout)["classes"]["added"]} == {"C", "D"}
    assert cli("diff", "--db", str(db), "--run", "2").stderr == ""  # a later sync took it on


def _git(tree, *args: str) -> str:
    import os
    import subprocess

    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(["git", *args], cwd=tree, check=True, capture_output=True, text=True, env=env).stdout.strip()


def test_markdown_of_runs_names_the_runs_it_compares(tmp_path):
    """`diff --since R --format markdown` (pasted into a release note, a pull request's text) said
    "What changed" and the counts, and nothing of which runs or commits they are the change
    between: the text's first line says `run 1 (R) -> run 2 (S)`, the markdown of `--base` names
    both databases, the markdown of runs named neither side. It now says them as the text does."""
    tree, db = tmp_path / "tree", tmp_path / "x.db"
    tree.mkdir()
    _git(tree, "init", "-q")
    (tree / "A.md").write_text(page("A"))
    _git(tree, "add", "-A")
    _git(tree, "commit", "-qm", "one")
    first = _git(tree, "rev-parse", "HEAD")
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    (tree / "B.md").write_text(page("B", "A"))
    _git(tree, "add", "-A")
    _git(tree, "commit", "-qm", "two")
    second = _git(tree, "rev-parse", "HEAD")
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0

    for args in (["--since", first[:9]], ["--run", "2"], []):
        out = cli("diff", "--db", str(db), "--format", "markdown", *args)
        assert out.returncode == 0, out.stderr
        lines = out.stdout.splitlines()
        assert lines[:3] == ["### What changed", "", f"Compared: run 1 (`{first[:12]}`) → run 2 (`{second[:12]}`)"], \
            lines[:4]
        assert "| B | `" in out.stdout
    out = cli("diff", "--db", str(db), "--format", "markdown", "--run", "1")
    assert out.stdout.splitlines()[2] == f"Compared: empty → run 1 (`{first[:12]}`)"
