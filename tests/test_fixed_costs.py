"""Issue 18 (fixed costs): what a no-op or one-page re-sync may skip, and that skipping loses nothing.

- The pre-sync integrity check (store/health.py) is skipped only while the database file is exactly
  as a clean sync left it (the stamp in its lock file); any write since, a crash, or an exit 3
  brings the full check back.
- The default include globs are matched by a suffix test instead of wcmatch: the same answers.
- A no-op re-sync imports none of the heavy modules it does not use.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ontosync.formats import SUPPORTED_GLOBS
from ontosync.sources.globs import SuffixMatcher, _wcmatch, compile_globs, expand
from ontosync.store.health import damage, file_stamp, untouched
from tests.helpers import ROOT, cli, copy_example


def _stamp_in_lock(db: Path):
    text = Path(f"{db}.lock").read_text()
    return json.loads(text).get("sound") if text else None


def _corrupt_last_page(db: Path, table: str) -> None:
    conn = sqlite3.connect(db)
    page = conn.execute("SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno DESC LIMIT 1", (table,)).fetchone()
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as fh:
        fh.seek((page[0] - 1) * size + 8)
        fh.write(b"\xa5" * (size - 16))


@pytest.fixture
def synced(tmp_path) -> tuple[Path, Path]:
    tree = copy_example(tmp_path)
    db = tmp_path / "o.db"
    proc = cli("sync", str(tree), "--db", str(db), "--quiet")
    assert proc.returncode == 0, proc.stderr
    return tree, db


def test_a_clean_sync_leaves_the_database_stamp_and_readers_do_not_change_it(synced):
    tree, db = synced
    stamp = _stamp_in_lock(db)
    assert stamp is not None and stamp == file_stamp(db)
    assert cli("status", "--db", str(db)).returncode == 0
    assert cli("verify", "--db", str(db)).returncode == 0
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM source_files").fetchone()[0] > 0
    conn.close()
    assert file_stamp(db) == stamp  # readers do not write: the next sync may trust it
    proc = cli("sync", str(tree), "--db", str(db), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert _stamp_in_lock(db) == file_stamp(db)


def test_the_stamp_skips_the_check_only_for_the_very_file_it_describes(synced):
    _, db = synced
    before = file_stamp(db)
    assert untouched(db, before) and not untouched(db, None)
    _corrupt_last_page(db, "owl_axioms")
    assert damage(db) is not None
    assert not untouched(db, before)  # written since the stamp: checked in full


def test_a_new_migration_is_not_skipped_by_the_stamp(synced, tmp_path, monkeypatch):
    """A database stamped by code that knew migrations 001-N is checked and upgraded by code that
    knows one more (or a rewritten one): the stamp names the migrations too."""
    import shutil

    from ontosync.store.migrations import migrations_dir

    tree, db = synced
    stamp = file_stamp(db)
    copy = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), copy)
    monkeypatch.setenv("ONTOSYNC_MIGRATIONS_DIR", str(copy))
    assert untouched(db, stamp)
    (copy / "999_scratch.sql").write_text("CREATE TABLE scratch (x INTEGER);\n")
    assert not untouched(db, stamp)
    proc = cli("sync", str(tree), "--db", str(db), "--quiet", env={"ONTOSYNC_MIGRATIONS_DIR": str(copy)})
    assert proc.returncode == 0, proc.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'scratch'").fetchone() == (1,)
    conn.close()


def test_damage_written_after_a_clean_sync_with_the_mtime_put_back_is_still_exit_3(synced):
    tree, db = synced
    st = db.stat()
    _corrupt_last_page(db, "owl_axioms")
    os.utime(db, ns=(st.st_atime_ns, st.st_mtime_ns))  # `touch -d`: the ctime still moves
    raw = db.read_bytes()
    proc = cli("sync", str(tree), "--db", str(db), "--quiet")
    assert proc.returncode == 3, proc.stderr
    assert "damaged" in proc.stderr and "Traceback" not in proc.stderr
    assert db.read_bytes() == raw
    assert _stamp_in_lock(db) is None  # an exit 3 leaves no stamp: the next run checks again
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 3


def test_a_wal_with_frames_in_it_is_not_the_stamped_database(synced):
    _, db = synced
    stamp = _stamp_in_lock(db)
    holder = sqlite3.connect(db)
    try:
        holder.execute("PRAGMA wal_autocheckpoint = 0")
        holder.execute("CREATE TABLE scratch (x)")  # a foreign write, still in the WAL
        holder.commit()
        assert os.path.getsize(f"{db}-wal") > 0
        assert file_stamp(db) != stamp
    finally:
        holder.close()


def test_a_killed_sync_leaves_no_stamp(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    for i in range(400):
        text = f"- ontology:: true\n- term-id:: T{i}\n- is-subclass-of:: [[page {i + 1}]]\n"
        (tree / f"page {i}.md").write_text(text)
    db = tmp_path / "o.db"
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    assert _stamp_in_lock(db) is not None
    for i in range(400):
        (tree / f"page {i}.md").write_text(f"- ontology:: true\n- term-id:: U{i}\n")
    proc = subprocess.Popen([sys.executable, "-m", "ontosync", "sync", str(tree), "--db", str(db), "--quiet"],
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not _holder_written(db):
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert _stamp_in_lock(db) is None
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    assert _stamp_in_lock(db) == file_stamp(db)


def _holder_written(db: Path) -> bool:
    try:
        return '"pid"' in Path(f"{db}.lock").read_text()
    except OSError:
        return False


PATHS = [".md", "a/.md", "..md", "x.MD", "a/b.md/c", ".hidden/x.md", "a\\b.md", "./a.md", "../a.md",
         "a/../b.md", "a//b.md", "/a.md", "a/./b.md", "a.md/", "é/ü.md", "a b (c).md", "[x].md", "a/b.ttl",
         "a\nb.md", ".", "..", "a/..md", "x.owl", "x.owl.bak", "deep/er/x.jsonld", "x.json", "md", "x.ofn/"]


@pytest.mark.parametrize("globs", [SUPPORTED_GLOBS, ("**/*.md",), ("/**/*.ttl",), ("**/*.tar.gz", "**/*.nt"),
                                   ("**/*.{md,ttl}",)])
def test_suffix_globs_answer_as_wcmatch_does(globs):
    fast = compile_globs(globs)
    assert isinstance(fast, SuffixMatcher)
    slow = _wcmatch(expand(globs))  # (brace choices are each a suffix glob: `{md,ttl}` is two)
    for path in PATHS:
        assert fast.match(path) == bool(slow.match(path)), path


def test_other_globs_still_go_to_wcmatch():
    for globs in (("**/*.{md,ttl}/x",), ("pages/*.md",), ("**/*[0-9].md",), ("**/*.md", "x/**")):
        assert not isinstance(compile_globs(globs), SuffixMatcher), globs
    assert not compile_globs(()).match("a.md")

# psycopg2 is not here: Peewee imports it whenever it is installed (~15 ms of a no-op); nor PyYAML:
# the example tree has a .ontosync.yml.
HEAVY = ("wcmatch", "pyoxigraph", "github", "rdflib", "requests", "multiprocessing")


def test_a_no_op_re_sync_imports_none_of_the_heavy_modules(synced):
    tree, db = synced
    code = ("import sys\nfrom ontosync.cli import main\n"
            f"code = main(['sync', {str(tree)!r}, '--db', {str(db)!r}, '--quiet'])\n"
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in " + repr(HEAVY) + ")))\n"
            "sys.exit(code)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "0 ok" in proc.stderr and "unchanged" in proc.stderr
    assert proc.stdout.split() == []
    assert "pyoxigraph" not in subprocess.run(  # nor does the store when it is imported at all
        [sys.executable, "-c", "import sys, ontosync.store.repository, ontosync.pipeline.sync; print(*sys.modules)"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120).stdout.split()


def test_the_pool_starts_another_worker_only_while_the_writer_waits(tmp_path):
    """One worker starts with the first file; a second only after a window in which the writer
    spent over STARVED_SHARE of its time waiting for parses (ParsePool.starved)."""
    from ontosync.parsing import ParseOptions
    from ontosync.pipeline.workers import ParsePool, Task

    page = tmp_path / "a.md"
    page.write_text("- term-id:: T1\n")
    pool = ParsePool(2, ParseOptions(), 1 << 20, 60.0)
    try:
        assert pool.has_idle() and not pool.workers  # nothing started before the first file
        pool.submit(Task("a.md", None, 0, str(page)))
        assert len(pool.workers) == 1
        assert not pool.has_idle()  # busy, and the writer has not waited yet: no second worker
        pool.starved = True
        assert pool.has_idle()
        pool.submit(Task("a.md", None, 0, str(page)))
        assert len(pool.workers) == 2 and not pool.starved
        assert not pool.has_idle()  # the size is reached
        outcomes = []
        while len(outcomes) < 2:
            outcomes += pool.collect(timeout=5.0)
        assert all(o.failure is None and o.facts is not None for o in outcomes)
    finally:
        pool.close()


def test_a_window_spent_waiting_marks_the_writer_starved():
    from ontosync.parsing import ParseOptions
    from ontosync.pipeline.workers import ParsePool

    pool = ParsePool(2, ParseOptions(), 1 << 20, 60.0)
    start = pool._window[0] - pool.WINDOW_S  # a window that is over
    pool._window = (start, 0.0)
    pool._waited(0.0)
    assert not pool.starved  # a window without waiting
    pool._window = (pool._window[0] - pool.WINDOW_S, pool.WINDOW_S)  # a window spent waiting
    pool._waited(0.0)
    assert pool.starved


# -- a run's fixed costs at its start and end (issue 18, thirteenth round) ----------------------------
def _files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_a_missing_database_is_born_whole_as_the_build_in_place_makes_it(tmp_path, monkeypatch):
    """Made from the snapshot beside it and linked in (store/new_database.py `born_whole`): the same
    schema and rows as a database built in place, in WAL mode by its header, with SQLite's file
    mode, and no private file left in the folder."""
    from ontosync.store import new_database, upgrade

    born, in_place = tmp_path / "born" / "o.db", tmp_path / "in_place.db"
    result = upgrade.prepare_database(born)
    assert result.shape == "empty" and result.applied and result.rows["owl_classes"] == 0
    with monkeypatch.context() as m:  # the build in place, as for an existing empty file
        m.setattr(new_database, "born_whole", lambda *a: None)
        upgrade.prepare_database(in_place)
    assert _files_in(born.parent) == {"o.db"}
    assert born.read_bytes()[18:20] == b"\x02\x02"  # WAL: the contract's journal mode, before any connection
    assert born.stat().st_mode == in_place.stat().st_mode
    schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
    rows = "SELECT version, name, checksum, execution_time_ms FROM schema_migrations ORDER BY version"
    for sql in (schema, rows, "PRAGMA integrity_check", "PRAGMA foreign_key_check"):
        with sqlite3.connect(born) as a, sqlite3.connect(in_place) as b:
            assert a.execute(sql).fetchall() == b.execute(sql).fetchall()
    assert upgrade.detect_shape(born).shape == "current"


def test_a_name_taken_while_the_database_was_built_is_not_replaced(tmp_path, monkeypatch):
    """Between the check that the database is missing and its link, another program made a file
    under that name: it is left as it was, and the database is built in place as before (here:
    an empty file, which becomes the database)."""
    db = tmp_path / "o.db"
    link = os.link

    def taken(src, dst, *args, **kwargs):
        Path(dst).write_bytes(b"")
        return link(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "link", taken)
    from ontosync.store import upgrade

    assert upgrade.prepare_database(db).applied
    assert _files_in(tmp_path) == {"o.db"}  # the private file went with the failed link
    assert upgrade.detect_shape(db).shape == "current"
