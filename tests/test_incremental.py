"""Incremental sync, resume after SIGKILL, retries, disk full and timeouts (issue 3's acceptance).

The incremental and failure tests run on both backends (`corpus_store`, `backend`: a SQLite file or
a PostgreSQL URL); the SIGKILL, write-lock and disk-full tests are SQLite's (its file, its lock;
tests/test_postgres_sync.py kills and resumes a sync on both backends)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from ontosync.db_url import is_postgres_url, split_schema
from tests.conftest import copy_db
from tests.helpers import CONTENT_TABLES, PAGES, ROOT, cli, dump_file

EXAMPLE = ROOT / "examples" / "ontology"
pytestmark = pytest.mark.slow


def sync(source: Path, db: Path | str, *extra: str, env: dict | None = None) -> tuple[int, dict, str]:
    """`db`: a SQLite path, or a PostgreSQL URL (its report then goes to a temporary folder)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json" if is_postgres_url(str(db)) else Path(db).with_suffix(".report.json")
        proc = cli("sync", str(source), "--db", str(db), "--quiet", "--report", str(report), *extra, env=env)
        data = json.loads(report.read_text()) if report.exists() else {}
    return proc.returncode, data, proc.stderr


def processed(report: dict) -> int:
    f = report["files"]
    return f["ok"] + f["failed"] + f["skipped"]


def verify_ok(db: Path) -> None:
    proc = cli("verify", "--db", str(db))
    assert proc.returncode == 0, proc.stderr + proc.stdout


def count(db: Path | str, sql: str, *args) -> int:
    return one(db, sql, *args)[0]


def one(db: Path | str, sql: str, *args) -> tuple:
    """The first row of a query (SQLite's `?` placeholders) on either backend."""
    if is_postgres_url(str(db)):
        from tests.postgres_server import pg_row

        return pg_row(str(db), sql, *args)
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchone()
    finally:
        conn.close()


def dump_any(db: Path | str) -> dict[str, list[tuple]]:
    if is_postgres_url(str(db)):
        from tests.postgres_server import pg_dump

        return pg_dump(split_schema(str(db))[1], CONTENT_TABLES, str(db))
    return dump_file(db)


def fresh_equals(src: Path, db: Path, fresh_sync) -> None:
    """The incrementally kept database equals a full sync of the same tree from nothing (conftest's
    fresh_sync: made once for the SQLite and PostgreSQL cases, whose trees end the same)."""
    a, b = dump_any(db), dump_file(fresh_sync(src))
    for table in a:
        assert a[table] == b[table], table


@pytest.fixture(params=["sqlite", "postgres"])
def corpus_store(request, tmp_path):
    """The corpus synced once, for a test to change: a copy of corpus_db, or (its URL) a database on
    the PostgreSQL server copied from the PostgreSQL sync of the same pages (pg_corpus_template,
    tests/conftest.py; it does not wait for corpus_db, which another worker may be making)."""
    if request.param == "sqlite":
        yield copy_db(request.getfixturevalue("corpus_db"), tmp_path / "inc.db")
        return
    from tests.postgres_server import create_database, database_url, drop_database, new_schema

    template = request.getfixturevalue("pg_corpus_template")
    name = new_schema()
    create_database(name, template)
    yield database_url(name, "corpus")
    drop_database(name)


@pytest.fixture()
def corpus(tmp_path):
    if not PAGES.is_dir():
        pytest.skip("shared corpora not found")
    src = tmp_path / "pages"
    shutil.copytree(PAGES, src)
    return src


NEW_PAGE = """- ### OntologyBlock
  - term-id:: NEW-0001
  - preferred-term:: {title}
  - definition:: A page added by the test.
  - is-subclass-of:: [[Robot]], [[{parent}]]
  - has-part:: [[Sensor]]
"""


def edit_page(path: Path, rng: random.Random) -> None:
    text = path.read_text(encoding="utf-8")
    text = text.replace("definition::", f"definition:: (edited {rng.random():.6f})", 1)
    text += f"\n- is-subclass-of:: [[Edited Parent {rng.randint(0, 3)}]]\n"
    path.write_text(text, encoding="utf-8")


@pytest.mark.corpus
def test_edit_delete_add_processes_three_and_equals_fresh(corpus, corpus_store, fresh_sync):
    db = corpus_store
    code, report, _ = sync(corpus, db)
    assert code == 0 and processed(report) == 0 and report["files"]["unchanged"] == 1684

    rng = random.Random(3)
    edit_page(corpus / "AI Governance Framework.md", rng)
    (corpus / "Blockchain.md").unlink()  # 184 links name it: they must re-point to the next match
    # a new page whose title 49 unresolved links already name
    (corpus / "RoboticsTechnology.md").write_text(NEW_PAGE.format(title="RoboticsTechnology", parent="Technology"))
    code, report, err = sync(corpus, db)
    assert code == 0, err
    assert processed(report) == 2 and report["files"]["deleted"] == 1, report["files"]
    assert report["files"]["unchanged"] == 1682
    verify_ok(db)
    fresh_equals(corpus, db, fresh_sync)


@pytest.mark.corpus
def test_random_series_of_ten_changes(corpus, corpus_store, fresh_sync):
    db = corpus_store
    rng = random.Random(11)
    for step in range(10):
        pages = sorted(corpus.glob("*.md"))
        op = rng.choice(["edit", "delete", "add", "rename"])
        victim = rng.choice(pages)
        if op == "edit":
            edit_page(victim, rng)
        elif op == "delete":
            victim.unlink()
        elif op == "add":
            title = rng.choice([p.stem for p in pages])  # often a name that already exists
            (corpus / f"Added {step}.md").write_text(NEW_PAGE.format(title=title, parent=rng.choice(pages).stem))
        else:
            victim.rename(corpus / f"Renamed {step} {victim.name}")
        code, report, err = sync(corpus, db)
        assert code == 0, err
        expected = {"edit": (1, 0), "delete": (0, 1), "add": (1, 0), "rename": (1, 1)}[op]
        assert (processed(report), report["files"]["deleted"]) == expected, (op, report["files"])
    verify_ok(db)
    fresh_equals(corpus, db, fresh_sync)


@pytest.fixture()
def manipulator_pages(tmp_path):
    """The corpus's pages that name the manipulator (24 of its 1,684): the two files declaring
    rb:Manipulator (Manipulator.md and its older copy RB-0003-manipulator.md) and every page whose
    text mentions it, the links and parents that may name it included. Deleting the declarations
    changes rows of these pages only; the other 1,660 pages only made each sync, and the fresh
    sync it is compared with, cost a full corpus's time."""
    if not PAGES.is_dir():
        pytest.skip("shared corpora not found")
    src = tmp_path / "pages"
    src.mkdir()
    for page in PAGES.iterdir():
        if "manipulator" in page.read_text(encoding="utf-8").lower():
            shutil.copyfile(page, src / page.name)
    return src


@pytest.mark.corpus
def test_shared_declaration_survives_one_deletion(manipulator_pages, backend, fresh_sync):
    corpus, db = manipulator_pages, backend.db
    assert sync(corpus, db)[0] == 0
    iri = "http://narrativegoldmine.com/robotics#Manipulator"
    assert count(db, "SELECT count(*) FROM file_classes WHERE class_iri = ?", iri) == 2
    (corpus / "Manipulator.md").unlink()
    assert sync(corpus, db)[0] == 0
    assert count(db, "SELECT count(*) FROM owl_classes WHERE class_iri = ? AND source_file = ?", iri,
                 "RB-0003-manipulator.md") == 1
    (corpus / "RB-0003-manipulator.md").unlink()
    assert sync(corpus, db)[0] == 0
    referenced = count(db, "SELECT count(*) FROM owl_class_hierarchy WHERE class_iri = ? OR parent_iri = ?", iri, iri)
    rows = count(db, "SELECT count(*) FROM owl_classes WHERE class_iri = ? AND source_file IS NULL", iri)
    assert count(db, "SELECT count(*) FROM owl_classes WHERE class_iri = ? AND source_file IS NOT NULL", iri) == 0
    assert rows == (1 if referenced else 0)
    fresh_equals(corpus, db, fresh_sync)


def _start(src: Path, db: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "ontosync", "sync", str(src), "--db", str(db), "--quiet", *extra],
                            env=env, start_new_session=True)


def _rows(db: Path) -> int:
    try:
        return count(db, "SELECT count(*) FROM source_files")
    except sqlite3.Error:
        return 0


@pytest.mark.corpus
def test_sigkill_five_times_then_resume(corpus_db, tmp_path):
    db = tmp_path / "k.db"
    rng = random.Random(5)
    kills = 0
    while kills < 5:
        before = _rows(db)
        proc = _start(PAGES, db, "--full")  # --full: resuming must still skip what is committed
        target = before + rng.randint(20, 200)
        deadline = time.time() + 60
        while time.time() < deadline and _rows(db) < target and proc.poll() is None:
            time.sleep(0.01)
        if proc.poll() is not None:
            break  # finished before the kill: no more moments left to kill at
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        kills += 1
        verify_ok(db)
    assert kills >= 3
    committed = _rows(db)
    code, report, err = sync(PAGES, db, "--full")
    assert code == 0, err
    assert report["resumed"] is True
    assert processed(report) == 1684 - committed  # nothing committed before the kill is parsed again
    verify_ok(db)
    assert dump_file(db) == dump_file(corpus_db)  # what a fresh full sync of the same pages made
    code, report, _ = sync(PAGES, db)
    assert report["resumed"] is False and processed(report) == 0


@pytest.mark.corpus
def test_write_lock_held_two_seconds(tmp_path):
    if not PAGES.is_dir():
        pytest.skip("shared corpora not found")
    src = tmp_path / "pages"  # every fourth page (421): the lock is taken with 371 still to write
    src.mkdir()
    for page in sorted(PAGES.iterdir())[::4]:
        shutil.copyfile(page, src / page.name)
    db = tmp_path / "l.db"
    report_path = tmp_path / "l.json"
    proc = _start(src, db, "--report", str(report_path), "--workers", "2")
    while _rows(db) < 50 and proc.poll() is None:
        time.sleep(0.01)
    locker = sqlite3.connect(db, isolation_level=None, timeout=10)
    locker.execute("BEGIN IMMEDIATE")
    time.sleep(2)
    locker.execute("COMMIT")
    locker.close()
    assert proc.wait(120) == 0
    report = json.loads(report_path.read_text())
    assert report["retries"] >= 1
    assert report["files"]["total"] == 421 == _rows(db)
    verify_ok(db)


def test_file_timeout_fails_one_file_and_run_finishes(backend):
    db = backend.db
    started = time.time()
    code, report, err = sync(EXAMPLE, db, "--file-timeout", "1", "--max-error-rate", "0.5",
                             env={"ONTOSYNC_FAULT_SLOW_PARSE": "Robot.md:60"})
    assert time.time() - started < 30
    assert code == 0, err
    errors = {e["path"]: e for e in report["errors"]}
    assert set(errors) == {"pages/Robot.md", "pages/Industrial Robot.md"}
    assert all(e["kind"] == "timeout" for e in errors.values())
    assert report["files"]["ok"] == report["files"]["total"] - 3  # two timeouts, one skipped page
    verify_ok(db)


def test_failing_version_keeps_last_good_facts(backend, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(EXAMPLE, src)
    db = backend.db
    assert sync(src, db)[0] == 0
    before = count(db, "SELECT count(*) FROM owl_properties")
    (src / "core.ttl").write_text("@prefix ex: <http://e/> .\nex:a ex:b .\n")  # now malformed
    code, report, _ = sync(src, db)
    # the only file this run processed failed: a 100% error rate for the run, so exit 1
    assert code == 1 and report["files"]["failed"] == 1 and processed(report) == 1
    assert count(db, "SELECT count(*) FROM owl_properties") == before > 0
    status, line = one(db, "SELECT status, error_line FROM source_files WHERE path = 'core.ttl'")
    assert status == "failed" and line == 2
    verify_ok(db)


def test_disk_full_stops_cleanly_then_completes(tmp_path):
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a small tmpfs")
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mnt)]).returncode != 0:
        pytest.skip("cannot mount tmpfs here")
    try:
        src = tmp_path / "src"
        src.mkdir()
        for i in range(400):  # enough facts to overflow 600 kB
            (src / f"P{i}.md").write_text(NEW_PAGE.format(title=f"P{i} " + "x" * 300, parent=f"P{i + 1}"))
        db = mnt / "d.db"
        proc = cli("sync", str(src), "--db", str(db), "--quiet", "--checkpoint", str(tmp_path / "c.json"))
        assert proc.returncode == 3, proc.stderr
        assert "full" in proc.stderr.lower() and "Traceback" not in proc.stderr
        verify_ok(db)
        done = _rows(db)
        assert 0 < done < 400
        subprocess.run(["mount", "-o", "remount,size=64m", str(mnt)], check=True)
        code, report, err = sync(src, db, "--checkpoint", str(tmp_path / "c.json"))
        assert code == 0, err
        assert report["resumed"] is True and processed(report) == 400 - done
        verify_ok(db)
    finally:
        subprocess.run(["umount", "-l", str(mnt)])
