"""Issue 15: the sync, incremental, resume, failure and migration guarantees, on both backends.

Each test takes the `backend` fixture (tests/conftest.py): once with a SQLite file, once with a
fresh schema on the PostgreSQL server (skipped without one, required in CI). The expected database
is always an independent fresh SQLite sync of the same tree, so the PostgreSQL store is held to
exactly what SQLite holds (contract tables and per-file facts, timestamps and row ids aside).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import CONTENT_TABLES, ROOT, cli, copy_example, make_chain_tree
from tests.postgres_server import sqlite_dump

# the contract tables, the per-file facts and the semantic-sql layer (class_search's id aside)
TABLES = (*CONTENT_TABLES, "file_synonyms", "statements", "prefix", "entailed_edge", "class_search")


def sqlite_reference(tree: Path, work: Path, *args: str) -> dict:
    """What a fresh full sync of `tree` into a new SQLite file holds."""
    db = work / f"reference-{time.monotonic_ns()}.db"
    proc = cli("sync", str(tree), "--db", str(db), "--quiet", "--checkpoint", str(work / "ref.ckpt.json"), *args)
    assert proc.returncode == 0, proc.stderr
    return sqlite_dump(db, TABLES)


def sync(backend, tree: Path, work: Path, *args: str):
    return cli("sync", str(tree), "--db", backend.db, "--quiet", "--checkpoint", str(work / "ckpt.json"), *args)


def test_full_sync_equals_sqlite(backend, tmp_path):
    tree = copy_example(tmp_path)
    proc = sync(backend, tree, tmp_path, "--report", str(tmp_path / "r.json"))
    assert proc.returncode == 0, proc.stderr
    got = backend.dump(TABLES)
    assert got == sqlite_reference(tree, tmp_path)
    assert len(got["owl_classes"]) > 5 and len(got["owl_class_hierarchy"]) > 3  # a real tree, not an empty one
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["entities"]["classes"] == sum(1 for r in got["owl_classes"] if r[4] is not None)
    assert report["entities"]["hierarchy_edges"] == len(got["owl_class_hierarchy"])


def test_incremental_series_equals_fresh_sync(backend, tmp_path):
    """Edit, add, delete and rename pages between syncs: links re-point across unchanged files."""
    tree = copy_example(tmp_path)
    assert sync(backend, tree, tmp_path).returncode == 0
    pages = tree / "pages"
    # rename the page others link to: [[Machine]] now names no page until it comes back
    (pages / "Machine.md").rename(pages / "Apparatus.md")
    robot = (pages / "Robot.md").read_text(encoding="utf-8")
    (pages / "Robot.md").write_text(robot.replace("A programmable machine", "A programmable device"),
                                    encoding="utf-8")
    (pages / "Notes.md").unlink()
    proc = sync(backend, tree, tmp_path, "--report", str(tmp_path / "r.json"))
    assert proc.returncode == 0, proc.stderr
    files = json.loads((tmp_path / "r.json").read_text())["files"]
    assert files["deleted"] == 2 and files["ok"] == 2  # Machine.md and Notes.md gone; Apparatus and Robot
    assert backend.dump(TABLES) == sqlite_reference(tree, tmp_path)
    (pages / "Apparatus.md").rename(pages / "Machine.md")  # and back: the links resolve again
    assert sync(backend, tree, tmp_path).returncode == 0
    assert backend.dump(TABLES) == sqlite_reference(tree, tmp_path)


def test_a_failed_file_keeps_its_last_good_version(backend, tmp_path):
    tree = copy_example(tmp_path)
    assert sync(backend, tree, tmp_path).returncode == 0
    before = backend.dump(TABLES)
    good = (tree / "core.ttl").read_text(encoding="utf-8")
    (tree / "core.ttl").write_text(good + "\nthis is not turtle .\n", encoding="utf-8")
    proc = sync(backend, tree, tmp_path, "--max-error-rate", "1", "--report", str(tmp_path / "r.json"))
    assert proc.returncode == 0, proc.stderr
    after = backend.dump(TABLES)
    row = next(r for r in after["source_files"] if r[0] == "core.ttl")
    assert row[4] == "failed" and row[5] and row[6] is not None  # status, error, error_line
    assert [r for r in after["owl_classes"]] == before["owl_classes"]
    assert after["owl_axioms"] == before["owl_axioms"] and after["file_classes"] == before["file_classes"]
    errors = json.loads((tmp_path / "r.json").read_text())["errors"]
    assert [e["path"] for e in errors] == ["core.ttl"]


FILES = 30


def make_tree(root: Path) -> None:
    make_chain_tree(root, FILES)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_an_interrupted_sync_resumes_to_the_same_database(backend, tmp_path, signum):
    """SIGTERM stops cleanly (exit 130, checkpoint saved); SIGKILL gives no chance at all (on
    PostgreSQL the server rolls back the open transaction when the connection drops): either way
    every file is whole or absent, and the next sync ends equal to a fresh one."""
    tree, report, ckpt = tmp_path / "tree", tmp_path / "r.json", tmp_path / "ckpt.json"
    make_tree(tree)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ONTOSYNC_FAULT_SLOW_PARSE": ".ttl:0.3"}
    proc = subprocess.Popen([sys.executable, "-m", "ontosync", "sync", str(tree), "--db", backend.db, "--quiet",
                             "--workers", "2", "--checkpoint-every", "1", "--checkpoint", str(ckpt),
                             "--report", str(report)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    while backend.count("source_files") < 5 and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()
    if signum == signal.SIGKILL:
        os.killpg(proc.pid, signal.SIGKILL)  # the workers too, as an OOM killer or a lost runner would
    else:
        proc.send_signal(signum)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == (130 if signum == signal.SIGTERM else -signal.SIGKILL), err
    assert "Traceback" not in err
    done = backend.count("source_files")
    assert 0 < done < FILES
    dump = backend.dump(("source_files", "file_classes", "file_edges", "statements"))
    for path in (r[0] for r in dump["source_files"]):  # each committed file has all its rows
        assert sum(r[0] == path for r in dump["file_classes"]) == 1
        assert sum(r[0] == path for r in dump["file_edges"]) == 1
        assert sum(r[-1] == path for r in dump["statements"]) == 2  # rdf:type and rdfs:subClassOf
    if signum == signal.SIGTERM:
        assert json.loads(ckpt.read_text())["processed"] == done
    again = sync(backend, tree, tmp_path, "--report", str(report))
    assert again.returncode == 0, again.stderr
    data = json.loads(report.read_text())
    assert data["resumed"] is True and data["files"]["ok"] == FILES - done
    assert backend.dump(TABLES) == sqlite_reference(tree, tmp_path)


def test_a_second_sync_of_the_same_tree_changes_nothing(backend, tmp_path):
    tree = copy_example(tmp_path)
    assert sync(backend, tree, tmp_path).returncode == 0
    first = backend.dump(TABLES)
    proc = sync(backend, tree, tmp_path, "--report", str(tmp_path / "r.json"))
    assert proc.returncode == 0, proc.stderr
    files = json.loads((tmp_path / "r.json").read_text())["files"]
    assert files["unchanged"] == files["total"] == len(first["source_files"])
    assert backend.dump(TABLES) == first


@pytest.fixture
def moved_tree(tmp_path):
    tree = copy_example(tmp_path)
    shutil.copytree(tree / "pages", tree / "more")
    return tree


def test_many_files_declaring_one_class(backend, moved_tree, tmp_path):
    """Two copies of every page: each class has two declaring files; the winner is the smallest path,
    then deleting the winners hands every class to the other copy."""
    assert sync(backend, moved_tree, tmp_path, "--max-error-rate", "1").returncode == 0
    assert backend.dump(TABLES) == sqlite_reference(moved_tree, tmp_path, "--max-error-rate", "1")
    shutil.rmtree(moved_tree / "more")
    assert sync(backend, moved_tree, tmp_path).returncode == 0
    assert backend.dump(TABLES) == sqlite_reference(moved_tree, tmp_path)
