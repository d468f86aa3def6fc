"""Issue 18, fixed costs: what a SQLite sync imports, and that the counts it reports stay right.

A SQLite sync writes through `sqlite3` alone (store/repository.py `open_connection`) and counts
through plain SQL (store/entity_counts.py), so neither Peewee nor psycopg2 (which Peewee imports
whenever it is installed) is loaded by a no-op or a one-page re-sync; `status` and `diff` still
read through Peewee's models. Asserted from `sys.modules` of a real CLI run in a subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, cli, copy_example, q

NOT_FOR_A_SQLITE_SYNC = ("peewee", "playhouse", "psycopg2", "github", "requests", "urllib3")

_RUN = ("import sys\nfrom ontosync.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {names!r})))\n"
        "sys.exit(code)\n")


def _sync_listing_imports(*argv: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    code = "import json\n" + _RUN.format(names=NOT_FOR_A_SQLITE_SYNC)
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    return proc, json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else []


@pytest.fixture(scope="module")
def first_sync(tmp_path_factory) -> tuple[Path, Path]:
    """The example synced once for the module; each test works on its own copy of both."""
    work = tmp_path_factory.mktemp("startup")
    tree, db = copy_example(work), work / "o.db"
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    return tree, db


@pytest.fixture
def synced(first_sync, tmp_path) -> tuple[Path, Path]:
    tree, db = tmp_path / "tree", tmp_path / "o.db"
    shutil.copytree(first_sync[0], tree)
    shutil.copyfile(first_sync[1], db)  # without its lock file: the full pre-sync checks run too
    return tree, db


def _independent_counts(db: Path) -> dict[str, int]:
    return {
        "classes": q(db, "SELECT count(*) FROM owl_classes WHERE source_file IS NOT NULL")[0][0],
        "properties": q(db, "SELECT count(*) FROM owl_properties")[0][0],
        "axioms": q(db, "SELECT count(*) FROM owl_axioms")[0][0],
        "hierarchy_edges": q(db, "SELECT count(*) FROM owl_class_hierarchy")[0][0],
    }


def test_a_no_op_sqlite_sync_imports_neither_peewee_nor_psycopg2(synced, tmp_path):
    tree, db = synced
    report = tmp_path / "report.json"
    proc, loaded = _sync_listing_imports("sync", str(tree), "--db", str(db), "--quiet", "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    rep = json.loads(report.read_text())
    assert rep["files"]["unchanged"] == rep["files"]["total"] > 0
    assert loaded == []
    assert rep["entities"] == _independent_counts(db)


def test_a_one_page_sqlite_sync_writes_without_peewee_and_counts_the_change(synced, tmp_path):
    tree, db = synced
    page = next(p for p in sorted(tree.rglob("*.md")) if "term-id::" in p.read_text())
    before = _independent_counts(db)
    page.unlink()
    report = tmp_path / "report.json"
    proc, loaded = _sync_listing_imports("sync", str(tree), "--db", str(db), "--quiet", "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    rep = json.loads(report.read_text())
    assert rep["files"]["deleted"] == 1
    assert loaded == []
    assert rep["entities"] == _independent_counts(db) != before


def test_status_still_reads_through_the_models_and_agrees_with_the_sync(synced, tmp_path):
    tree, db = synced
    report = tmp_path / "report.json"
    assert cli("sync", str(tree), "--db", str(db), "--quiet", "--report", str(report)).returncode == 0
    proc = cli("status", "--db", str(db), "--json")
    assert proc.returncode == 0, proc.stderr
    status = json.loads(proc.stdout)
    entities = json.loads(report.read_text())["entities"]
    assert {k: status[k] for k in entities} == entities == _independent_counts(db)
