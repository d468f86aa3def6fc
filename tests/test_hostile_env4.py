"""Issue h73: hostile surroundings, round 4 (round 3: tests/test_hostile_env3.py).

- A full `$TMPDIR` during a sync was said as SQLite's "database or disk is full" alone, while the
  database's disk had room: SQLite's temporary files (large sorts, index builds) spill there. The
  line now names that folder and its free space.
- A hard-linked database (`ln real.db other.db`, a `cp -al` backup) shares its file but not its
  `-wal`/`-shm`, which SQLite keeps beside the name used: a run interrupted under one name and the
  next under the other lose (or damage) the first's last writes, and a reader under one name does
  not see a writer under the other. A sync warns once, naming the hazard; a `--db` that is another
  name of a file the sync reads from the source is refused (the sync would write SQLite pages into
  the user's source file).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.helpers import cli


def _sqlite_full() -> sqlite3.OperationalError:
    """SQLite's own SQLITE_FULL ("database or disk is full"), raised for real: a page cap."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("PRAGMA max_page_count = 2")
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (zeroblob(100000))")
    except sqlite3.OperationalError as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError("the page cap did not stop the insert")


def _free_mb(folder: Path) -> str:
    st = os.statvfs(folder)
    return f"{st.f_bavail * st.f_frsize / 1e6:,.0f} MB"


def test_a_full_disk_names_the_folder_of_sqlites_temporary_files(tmp_path, monkeypatch):
    """$SQLITE_TMPDIR before $TMPDIR, as SQLite looks (os_unix.c): the user must learn which disk to
    free; the database's own disk had room."""
    from ontosync.store.db_errors import size_limit_note
    from ontosync.store.health import classify

    scratch, other = tmp_path / "scratch", tmp_path / "other"
    scratch.mkdir()
    other.mkdir()
    monkeypatch.delenv("SQLITE_TMPDIR", raising=False)
    monkeypatch.setenv("TMPDIR", str(scratch))
    exc = _sqlite_full()
    assert str(exc) == "database or disk is full"
    said = (f" (SQLite's temporary files go to {scratch}, {_free_mb(scratch)} free there: if that disk is "
            "the full one, set $SQLITE_TMPDIR to a folder with room)")
    assert size_limit_note(exc).endswith(said)
    code, line = classify(exc, "o.db")  # what status, diff and search say
    assert (code, line) == (3, f"fatal: o.db: database error: database or disk is full{size_limit_note(exc)}")
    monkeypatch.setenv("SQLITE_TMPDIR", str(other))
    assert f"temporary files go to {other}," in size_limit_note(exc)
    assert "temporary files" not in size_limit_note(sqlite3.OperationalError("no such table: t"))


def _empty_tree(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir(exist_ok=True)
    return tmp_path / "src"


def test_a_hard_linked_database_is_synced_with_one_warning(tmp_path):
    src = _empty_tree(tmp_path)
    real, other = tmp_path / "real.db", tmp_path / "other.db"
    assert cli("sync", str(src), "--db", str(real), "--quiet").returncode == 0
    os.link(real, other)
    (src / "Cat.md").write_text("- ### OntologyBlock\n  - owl:class:: mv:Cat\n", encoding="utf-8")
    report = tmp_path / "report.json"
    proc = cli("sync", str(src), "--db", str(other), "--quiet", "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    said = ("the database has 2 names (hard links; beside it: real.db): SQLite keeps its -wal and -shm beside the "
            "name used, so a reader under one name does not see a sync under another, and a run interrupted under one "
            "name loses its last writes to the next under another; use one name (`cp` makes a copy that is its own)")
    assert proc.stderr.splitlines()[1:] == [f"ontosync: warning: {other}: {said}"]
    warnings = json.loads(report.read_text(encoding="utf-8"))["warnings"]
    assert warnings == [{"path": str(other), "kind": "hard-links", "line": None, "message": said}]
    conn = sqlite3.connect(real)
    try:
        assert conn.execute("SELECT count(*) FROM statements WHERE object = 'owl:Class'").fetchone()[0] >= 1
    finally:
        conn.close()


def test_a_database_that_is_another_name_of_a_source_file_is_refused(tmp_path):
    """`ln src/Cat.ttl o.db` (an empty page): SQLite filled the source file with its pages."""
    src = _empty_tree(tmp_path)
    page, db = src / "Cat.ttl", tmp_path / "o.db"
    page.write_bytes(b"")
    os.link(page, db)
    proc = cli("sync", str(src), "--db", str(db), "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ontosync: error: --db {db}: is another name (a hard link) of {page}, a file of the source the sync "
        "reads (the next sync would read what this one writes there); give a path outside it"]
    assert page.read_bytes() == b""


def test_an_output_that_is_another_name_of_the_database_is_refused(tmp_path):
    """`--checkpoint backup.db` where backup.db is a hard link of the database: the checkpoint
    replaced that name, and the user's second name of the database (a `cp -al` backup) was gone."""
    src = _empty_tree(tmp_path)
    db, other = tmp_path / "o.db", tmp_path / "backup.db"
    assert cli("sync", str(src), "--db", str(db), "--quiet").returncode == 0
    os.link(db, other)
    for flag in ("--checkpoint", "--report"):
        proc = cli("sync", str(src), "--db", str(db), flag, str(other), "--quiet")
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.splitlines() == [
            f"ontosync: error: {flag} {other}: is the database (--db) under another name (a hard link); give "
            "another path"]
        assert os.path.samefile(db, other)
    proc = cli("diff", "--db", str(db), "--output", str(other))
    assert proc.returncode == 2, proc.stderr
    assert os.path.samefile(db, other)


def test_a_database_renamed_over_during_the_sync_is_exit_3(tmp_path, monkeypatch):
    """`mv restored.db o.db` while a sync writes o.db: SQLite goes on writing the unlinked file
    without an error. The run's writes are lost; it must not say success. (The rename's timing
    cannot be aimed from outside: it is done as the run records its settings, near its end.)"""
    from ontosync.pipeline.sync import SyncRun

    src = _empty_tree(tmp_path)
    db, restored = tmp_path / "o.db", tmp_path / "restored.db"
    assert cli("sync", str(src), "--db", str(db), "--quiet").returncode == 0
    restored.write_bytes(db.read_bytes())
    (src / "Cat.md").write_text("- ### OntologyBlock\n  - owl:class:: mv:Cat\n", encoding="utf-8")
    record = SyncRun._record_settings

    def renamed_over(self):
        record(self)
        os.replace(restored, db)

    monkeypatch.setattr(SyncRun, "_record_settings", renamed_over)
    proc = cli("sync", str(src), "--db", str(db), "--quiet")
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.splitlines()[-1] == (
        f"ontosync: fatal: database {db} was replaced by another file while this sync wrote it; its writes went "
        "to the old file and are lost: run the sync again")
    monkeypatch.undo()
    proc = cli("sync", str(src), "--db", str(db), "--quiet")  # and the next run does the work again
    assert proc.returncode == 0, proc.stderr
    assert "1 ok" in proc.stderr


def test_a_sync_under_one_name_while_another_names_wal_holds_writes_is_refused(tmp_path):
    """A process writing under other.db stopped without closing (a crash, a kill): its writes sit
    in other.db-wal. A sync under real.db did not see them, and the next open under other.db
    replayed them over the sync's pages: `verify` found the database damaged."""
    src = _empty_tree(tmp_path)
    real, other = tmp_path / "real.db", tmp_path / "other.db"
    assert cli("sync", str(src), "--db", str(real), "--quiet").returncode == 0
    os.link(real, other)
    crashed = ("import os, sqlite3, sys\nconn = sqlite3.connect(sys.argv[1])\n"
               "conn.execute('PRAGMA wal_autocheckpoint=0')\nconn.execute('CREATE TABLE precious (x)')\n"
               "conn.commit()\nos._exit(0)\n")
    subprocess.run([sys.executable, "-c", crashed, str(other)], check=True)
    assert os.path.getsize(f"{other}-wal") > 0
    (src / "Cat.md").write_text("- ### OntologyBlock\n  - owl:class:: mv:Cat\n", encoding="utf-8")
    kept = real.read_bytes()
    proc = cli("sync", str(src), "--db", str(real), "--quiet")
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ontosync: fatal: {real} is also named {other} (a hard link), whose {other}-wal holds writes the file does "
        f"not show yet: a sync under this name would not see them, and would damage the file. Run it under that name "
        f"(--db {other}), which takes them in; nothing was written"]
    assert real.read_bytes() == kept
    migrated = cli("migrate", "--db", str(real))  # its backup did not hold them either
    assert (migrated.returncode, migrated.stderr) == (3, proc.stderr)
    assert cli("sync", str(src), "--db", str(other), "--quiet").returncode == 0  # as the line says
    proc = cli("sync", str(src), "--db", str(real), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert cli("verify", "--db", str(real)).returncode == 0
    conn = sqlite3.connect(real)
    try:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'precious'").fetchone() == (1,)
    finally:
        conn.close()


def test_a_lock_file_that_is_a_hard_link_of_another_file_is_not_truncated(tmp_path):
    """`ln o.db o.db.lock`: the sync truncated its lock file to write its name there, the database
    went to 0 bytes, and the line said "Nothing was changed". A hard link of another lock file (a
    `cp -al` backup of the folder) is a lock file still: the sync goes on."""
    src = _empty_tree(tmp_path)
    db, lock = tmp_path / "o.db", tmp_path / "o.db.lock"
    assert cli("sync", str(src), "--db", str(db), "--quiet").returncode == 0
    lock.unlink()
    os.link(db, lock)
    kept = db.read_bytes()
    proc = cli("sync", str(src), "--db", str(db), "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ontosync: error: cannot use the lock file {lock}: it is another name (a hard link) of a file that is no "
        "lock file, which the lock's writes would overwrite; remove it"]
    assert db.read_bytes() == kept
    lock.unlink()
    assert cli("sync", str(src), "--db", str(db), "--quiet").returncode == 0
    (tmp_path / "backup").mkdir()
    os.link(lock, tmp_path / "backup" / "o.db.lock")
    assert cli("sync", str(src), "--db", str(db), "--quiet").returncode == 0


def test_a_wal_or_shm_that_is_a_hard_link_of_another_file_is_refused(tmp_path):
    """`<db>-shm` a hard link of a user's file: SQLite wrote its shared memory over the file (32 KiB
    of it), as it would through the symbolic link it is refused for."""
    src = _empty_tree(tmp_path)
    db, notes = tmp_path / "o.db", tmp_path / "notes.txt"
    assert cli("sync", str(src), "--db", str(db), "--quiet").returncode == 0
    notes.write_text("precious\n", encoding="utf-8")
    os.link(notes, f"{db}-shm")
    proc = cli("sync", str(src), "--db", str(db), "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ontosync: error: cannot use database {db}: {db}-shm is another name (a hard link) of a file that SQLite "
        f"would write over; remove that name"]
    assert notes.read_text(encoding="utf-8") == "precious\n"


def test_a_hard_linked_wal_holding_writes_is_not_advised_away_and_json_is_no_lock(tmp_path):
    """Review of this round's merge: a hard-linked `-wal` holding frames (a `cp -al` copy after an
    interrupted run) holds committed writes: the refusal said "remove that name", which loses them;
    and any JSON object passed for a lock file, so a hard link of a checkpoint or a config named as
    the lock was written over."""
    import os

    from ontosync.store.lock import _holds_a_lock
    from ontosync.sync_paths import _unlink_advice

    wal = tmp_path / "o.db-wal"
    wal.write_bytes(b"frames")
    assert "rather than removing it" in _unlink_advice(str(wal)) and "cp -p" in _unlink_advice(str(wal))
    wal.write_bytes(b"")
    assert _unlink_advice(str(wal)) == "remove that name"
    for text, holds in (('{"pid": 1, "host": "h", "started_at": "t", "source": "s"}', True),
                        ('{"sound": [1, 2]}', True), ('{"version": 1, "failed": []}', False), ("", True)):
        path = tmp_path / "lock"
        path.write_text(text, encoding="utf-8")
        fd = os.open(path, os.O_RDONLY)
        try:
            assert _holds_a_lock(fd, len(text)) is holds, text
        finally:
            os.close(fd)
