"""Issue 13.2: no file name stops a sync.

Names that are not valid UTF-8 or hold control characters are recorded escaped (sources/names.py:
`\\xNN` for such bytes and C0 controls, `\\u00NN` for C1 controls, `\\\\` for a backslash), so the
database, the report, the job summary and the annotations hold readable one-line text, the original
name comes back from the recorded one, and the next run is not blocked.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
from pathlib import Path

import pytest

from ontosync.action.commands import Commands
from ontosync.action.summary import annotate_failures, summary_markdown
from ontosync.sources.names import display_name, unescape_name
from tests.helpers import cli, dump_file, run_cli

TTL = """@prefix ex: <http://example.org/{n}#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:{n} a owl:Class ; rdfs:label "{n}" .
"""
ODD = {  # OS name (bytes) -> recorded path
    b"bad\xff\xfe.ttl": "bad\\xff\\xfe.ttl",
    b"ctrl\x1b[31m\nline.ttl": "ctrl\\x1b[31m\\x0aline.ttl",
    b"back\\slash\x07.ttl": "back\\\\slash\\x07.ttl",
    b"dir\xe9/inner.ttl": "dir\\xe9/inner.ttl",
}
BROKEN = b"broken\xff\x1b.ttl"  # a parse failure under an odd name: its error reaches the annotations
BROKEN_RECORDED = "broken\\xff\\x1b.ttl"


def make_tree(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate([*ODD, b"plain.ttl"]):
        path = os.path.join(os.fsencode(root), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(TTL.format(n=f"c{i}"))
    with open(os.path.join(os.fsencode(root), BROKEN), "wb") as fh:
        fh.write(b"@prefix ex: <http://example.org/> .\nex:A a ex:B ;\n ex:p \"open .\n")


def sync_tree(tmp_path, run):
    tree, db, report = tmp_path / "tree", tmp_path / "o.db", tmp_path / "r.json"
    make_tree(tree)
    proc = run("sync", str(tree), "--db", str(db), "--quiet", "--max-error-rate", "1", "--report", str(report))
    return tree, db, report, proc


@pytest.fixture
def synced(tmp_path):
    """The tree synced in this process: the tests using it read the database and report (the first
    run's own process, its stderr and exit code, is test_odd_names_...'s)."""
    return sync_tree(tmp_path, cli)


def test_odd_names_are_recorded_escaped_and_the_run_goes_on(tmp_path):
    tree, db, report, proc = sync_tree(tmp_path, run_cli)  # a user's process: odd names on its stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    conn = sqlite3.connect(db)
    rows = dict(conn.execute("SELECT path, status FROM source_files"))
    classes = dict(conn.execute("SELECT source_file, count(*) FROM owl_classes WHERE source_file IS NOT NULL "
                                "GROUP BY source_file"))
    conn.close()
    assert rows == {**{p: "ok" for p in ODD.values()}, "plain.ttl": "ok", BROKEN_RECORDED: "failed"}
    assert {p: classes.get(p) for p in ODD.values()} == {p: 1 for p in ODD.values()}
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["files"] == {"total": 6, "ok": 5, "failed": 1, "skipped": 0, "unchanged": 0, "deleted": 0}
    # the next run is not blocked, and nothing changed
    again = run_cli("sync", str(tree), "--db", str(db), "--quiet", "--max-error-rate", "1", "--report", str(report))
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    assert json.loads(report.read_text(encoding="utf-8"))["files"]["unchanged"] == 6


def test_recorded_names_lead_back_to_the_files(synced):
    tree, db, _report, _proc = synced
    for os_name, recorded in ODD.items():
        assert display_name(os.fsdecode(os_name)) == recorded
        assert os.fsencode(unescape_name(recorded)) == os_name
    # deleting an odd-named file removes exactly its rows: the recorded name matched the file
    os.unlink(os.path.join(os.fsencode(tree), b"bad\xff\xfe.ttl"))
    assert cli("sync", str(tree), "--db", str(db), "--quiet", "--max-error-rate", "1").returncode == 0
    expected_tree, expected_db = tree.parent / "expected", tree.parent / "e.db"
    make_tree(expected_tree)
    os.unlink(os.path.join(os.fsencode(expected_tree), b"bad\xff\xfe.ttl"))
    assert cli("sync", str(expected_tree), "--db", str(expected_db), "--quiet", "--max-error-rate",
               "1").returncode == 0
    assert dump_file(db) == dump_file(expected_db)


def test_summary_annotations_and_status_render_odd_names(synced):
    _tree, db, report, _proc = synced
    data = json.loads(report.read_text(encoding="utf-8"))
    out = io.StringIO()
    annotate_failures(Commands(out), data)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("::error file=broken\\xff\\x1b.ttl,line=3,")
    text = summary_markdown(data, 0, {"database": str(db)})
    for rendered in (out.getvalue(), text):
        assert not any((ch < " " and ch != "\n") or "\x7f" <= ch <= "\x9f" for ch in rendered)
    assert "broken\\xff\\x1b.ttl" in text
    status = run_cli("status", "--db", str(db))
    assert status.returncode == 0 and "\x1b" not in status.stdout and BROKEN_RECORDED in status.stdout


def test_control_characters_in_messages_are_escaped_in_summary_and_annotations():
    report = {"errors": [{"path": "a\x1b[2J.ttl", "line": 2, "kind": "parse", "message": "bad \x1b]0;x\x07 here"}],
              "files": {}, "entities": {}}
    out = io.StringIO()
    annotate_failures(Commands(out), report)
    text = summary_markdown(report, 0, {})
    for rendered in (out.getvalue(), text):
        assert "\x1b" not in rendered and "\x07" not in rendered
    assert "a\\x1b[2J.ttl" in out.getvalue() and "\\x1b]0;x\\x07" in text


def test_status_escapes_control_characters_a_remote_source_may_record(tmp_path):
    """A GitHub tree can name a file with an escape sequence; `status` must not print it raw."""
    db = tmp_path / "o.db"
    (tmp_path / "empty").mkdir()
    assert run_cli("sync", str(tmp_path / "empty"), "--db", str(db), "--quiet").returncode == 0
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT INTO source_files (path, size, status, error, error_kind, synced_at) VALUES "
                     "('evil\x1b]0;pwned\x07.ttl', 1, 'failed', 'bad \x1b[2J', 'parse', '2026-01-01')")
    conn.close()
    status = run_cli("status", "--db", str(db))
    assert status.returncode == 0 and "\x1b" not in status.stdout and "\x07" not in status.stdout
    assert "evil\\x1b]0;pwned\\x07.ttl" in status.stdout
