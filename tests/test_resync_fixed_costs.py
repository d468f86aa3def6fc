"""Issue 18, fixed costs of a re-sync: what a SQLite sync imports, that the counts it reports stay
right, and that a changed file is parsed while the rest of the tree is still being walked.

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

from ontosync.cli import main as cli_main
from ontosync.pipeline.workers import ParsePool
from ontosync.sources.local import LocalSource
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


def test_a_changed_file_goes_to_a_worker_before_the_walk_ends(synced, tmp_path, monkeypatch):
    """The loop hands a planned file to a worker as soon as one can take it: a one-page re-sync
    forks its worker and parses while the rest of the tree is stat'ed, not after the walk."""
    tree, db = synced
    pages = sorted((tree / "pages").glob("*.md"))
    first = pages[0]
    first.write_text(first.read_text() + "\n- note:: changed\n")
    listed: list[str] = []
    at_submit: list[tuple[str, int]] = []
    list_files, submit = LocalSource.list_files, ParsePool.submit

    def counting_list_files(self):
        for sf in list_files(self):
            listed.append(sf.path)
            yield sf

    def recording_submit(self, task):
        at_submit.append((task.path, len(listed)))
        return submit(self, task)

    monkeypatch.setattr(LocalSource, "list_files", counting_list_files)
    monkeypatch.setattr(ParsePool, "submit", recording_submit)
    report = tmp_path / "report.json"
    assert cli_main(["sync", str(tree), "--db", str(db), "--quiet", "--report", str(report)]) == 0
    assert json.loads(report.read_text())["files"]["ok"] == 1
    changed = first.relative_to(tree).as_posix()
    assert [path for path, _ in at_submit] == [changed]
    assert at_submit[0][1] == listed.index(changed) + 1 < len(listed)
