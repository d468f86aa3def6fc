"""Issue 13.1: nothing that cannot be read is taken for deleted.

Run as a user whom permissions bind (tests/privileges.py drops root to `nobody`). A folder that
cannot be listed and a file that cannot be read keep their stored facts: the files are `failed`,
kind `io`, with a warning for the folder; once readable again they are reprocessed. A source root
that cannot be listed is exit 2 before anything is written.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import dump_file
from tests.privileges import restore_permissions, run_cli_unprivileged

TTL = """@prefix ex: <http://example.org/{n}#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:{n} a owl:Class ; rdfs:label "{n}" ; rdfs:subClassOf ex:Root{n} .
"""
FILES = ("a.ttl", "sub/b.ttl", "sub/c.ttl", "locked/d.ttl", "locked/deeper/e.ttl", "z.ttl")


def make_tree(root: Path) -> None:
    for rel in FILES:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(TTL.format(n=Path(rel).stem), encoding="utf-8")


def sync(tree: Path, db: Path, *extra: str):
    return run_cli_unprivileged("sync", str(tree), "--db", str(db), "--quiet", "--workers", "2",
                                "--max-error-rate", "1", *extra)


def without_source_rows(dump: dict, paths: set[str]) -> dict:
    """The dump minus the source_files rows of `paths` (their status is what the test checks)."""
    return {t: [r for r in rows if not (t == "source_files" and r[0] in paths)] for t, rows in dump.items()}


def source_row(db: Path, path: str) -> tuple:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT status, error_kind, error FROM source_files WHERE path = ?", (path,)).fetchone()
    finally:
        conn.close()


@pytest.fixture
def work(tmp_path):
    tree, expected_tree = tmp_path / "tree", tmp_path / "expected"
    make_tree(tree)
    make_tree(expected_tree)
    yield tmp_path, tree, expected_tree
    os.chmod(tree, 0o755)
    restore_permissions(tmp_path)


def assert_clean(proc) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr


def test_unlistable_folder_keeps_its_files_facts(work):
    base, tree, expected_tree = work
    db, expected_db = base / "o.db", base / "expected.db"
    assert sync(tree, db).returncode == 0
    assert sync(expected_tree, expected_db).returncode == 0
    os.chmod(tree / "locked", 0o000)
    proc = sync(tree, db, "--report", str(base / "r.json"))
    assert_clean(proc)
    assert proc.returncode == 0, proc.stderr
    lost = {"locked/d.ttl", "locked/deeper/e.ttl"}
    assert without_source_rows(dump_file(db), lost) == without_source_rows(dump_file(expected_db), lost)
    for path in lost:
        status, kind, error = source_row(db, path)
        assert (status, kind) == ("failed", "io") and "cannot list folder" in error and "locked" in error
    report = json.loads((base / "r.json").read_text())
    assert report["files"]["deleted"] == 0 and report["files"]["failed"] == 2
    assert [w["path"] for w in report["warnings"] if w["kind"] == "unreadable-folder"] == ["locked"]
    # listable again: the files are reprocessed and the database equals the fresh sync's
    os.chmod(tree / "locked", 0o755)
    assert sync(tree, db).returncode == 0
    assert dump_file(db) == dump_file(expected_db)


def test_unreadable_file_is_failed_io_and_keeps_its_facts(work):
    base, tree, expected_tree = work
    db, expected_db = base / "o.db", base / "expected.db"
    assert sync(tree, db).returncode == 0
    assert sync(expected_tree, expected_db).returncode == 0
    os.chmod(tree / "sub" / "b.ttl", 0o000)
    proc = sync(tree, db)
    assert_clean(proc)
    assert proc.returncode == 0, proc.stderr
    assert without_source_rows(dump_file(db), {"sub/b.ttl"}) == without_source_rows(dump_file(expected_db),
                                                                                     {"sub/b.ttl"})
    status, kind, error = source_row(db, "sub/b.ttl")
    assert (status, kind) == ("failed", "io") and "Permission denied" in error
    os.chmod(tree / "sub" / "b.ttl", 0o644)
    assert sync(tree, db).returncode == 0
    assert dump_file(db) == dump_file(expected_db)


def test_unlistable_root_is_exit_2_before_anything_is_written(work):
    base, tree, _ = work
    db = base / "o.db"
    assert sync(tree, db).returncode == 0
    before = dump_file(db)
    checkpoint = Path(f"{db}.checkpoint.json").read_bytes()
    os.chmod(tree, 0o000)
    proc = sync(tree, db)
    assert_clean(proc)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot list the source folder" in lines[0] and str(tree) in lines[0]
    assert dump_file(db) == before
    assert Path(f"{db}.checkpoint.json").read_bytes() == checkpoint
    fresh = base / "never.db"
    assert sync(tree, fresh).returncode == 2 and not fresh.exists()
