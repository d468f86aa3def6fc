"""The change log, `diff`, the job summary and the pull-request comment, round 12 (task h140)."""

from __future__ import annotations

import json
import sqlite3

from ontosync.cli import main as cli_main


def _started_on_content(tmp_path) -> str:
    """A database whose change log starts on content it already holds (an ontosync database from
    before the change log, upgraded): synced, then its log emptied as migration 006 leaves it."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.ttl").write_text("@prefix ex: <http://ex.org/> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                               'ex:A a owl:Class ; <http://www.w3.org/2000/01/rdf-schema#label> "Alpha" .\n',
                               encoding="utf-8")
    db = str(tmp_path / "o.db")
    assert cli_main(["sync", str(src), "--db", db, "--quiet"]) == 0
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM run_changes")
        conn.execute("DELETE FROM runs")
        conn.execute("DELETE FROM sync_meta WHERE key LIKE 'change_log%'")
    conn.close()
    assert cli_main(["sync", str(src), "--db", db, "--quiet"]) == 0  # its first logged run: no change
    return db


def test_diff_after_a_first_logged_run_that_changed_nothing_names_that_run(tmp_path, capsys):
    """A database upgraded from before the change log, then synced with no change: `diff` said
    "empty -> the content before the change log" with no change, as if the ontology had been
    built from nothing without adding a class (JSON: head run 0, base run null). With no run that
    changed something, the newest run is shown, from the content it started on."""
    db = _started_on_content(tmp_path)
    with sqlite3.connect(db) as conn:
        [(run,)] = conn.execute("SELECT id FROM runs").fetchall()
    conn.close()
    capsys.readouterr()
    assert cli_main(["diff", "--db", db]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines()[:2] == [
        f"the content before the change log -> run {run}",
        "classes: 0 added, 0 removed, 0 changed; properties: 0 added, 0 removed, 0 changed; "
        "axioms: 0 added, 0 removed"], out.out
    assert out.err == ""
    assert cli_main(["diff", "--db", db, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["base"] == {"run": 0, "revision": None} and data["head"]["run"] == run
