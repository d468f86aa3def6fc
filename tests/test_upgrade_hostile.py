"""Upgrades that meet hostile conditions: a backup folder that cannot be written or fills up,
legacy values that are not UTF-8 text.

Every case asserts what a user sees (exit code, one line, no traceback) and that the database
is exactly as it was when the upgrade could not go through (its bytes), or holds the rows when it
could. The legacy fixtures are tests/test_migrate.py's builders, small.
"""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ontosync.store import upgrade
from ontosync.store.backup import backup_name
from tests.helpers import ROOT, cli
from tests.privileges import restore_permissions, run_cli_unprivileged
from tests.test_migrate import build_l2

TRACEBACK = "Traceback (most recent call last)"


def _migrate(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return cli("migrate", *args, cwd=cwd, env={upgrade.FAULT_ENV: ""})


def _one_line_error(proc: subprocess.CompletedProcess, code: int) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert TRACEBACK not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


# -- the backup taken before an upgrade --------------------------------------------------------------
def test_a_backup_dir_below_a_file_is_a_clear_error_and_nothing_changes(tmp_path):
    db = tmp_path / "ontology.db"
    build_l2(db, n_classes=20)
    before = db.read_bytes()
    (tmp_path / "notes.txt").write_text("not a folder")
    line = _one_line_error(_migrate("--db", db, "--backup-dir", tmp_path / "notes.txt" / "backups", cwd=tmp_path), 3)
    assert "backup" in line and "notes.txt" in line and "nothing was changed" in line
    assert db.read_bytes() == before


def test_an_unwritable_backup_folder_is_a_clear_error_and_nothing_changes(tmp_path):
    db = tmp_path / "ontology.db"
    build_l2(db, n_classes=20)
    before = db.read_bytes()
    locked = tmp_path / "backups"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        proc = run_cli_unprivileged("migrate", "--db", str(db), "--backup-dir", str(locked), cwd=tmp_path)
    finally:
        restore_permissions(tmp_path)
    line = _one_line_error(proc, 3)
    assert "backup" in line and str(locked) in line and "Permission denied" in line
    assert db.read_bytes() == before
    assert list(locked.iterdir()) == []


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_no_room_for_the_backup_leaves_no_half_backup(tmp_path):
    """A backup that cannot be written whole is removed: a truncated file named like a backup
    is worse than none (the README tells users to restore from it)."""
    db = tmp_path / "ontology.db"
    build_l2(db, n_classes=200)
    before = db.read_bytes()
    backups = tmp_path / "backups"
    env = {**os.environ, "PYTHONPATH": str(ROOT), upgrade.FAULT_ENV: ""}
    proc = subprocess.run([sys.executable, "-m", "ontosync", "migrate", "--db", str(db), "--backup-dir", str(backups)],
                          capture_output=True, text=True, env=env, cwd=tmp_path,
                          preexec_fn=_limit_file_size(len(before) // 2), timeout=120)
    line = _one_line_error(proc, 3)
    assert "could not back up" in line and "nothing was changed" in line
    assert db.read_bytes() == before
    assert [p.name for p in backups.iterdir()] == []


def test_a_backup_never_overwrites_a_file_of_the_same_name(tmp_path):
    """Two upgrades in one second (or a file left there) get `-1`, `-2`, ... rather than a clobber."""
    db = tmp_path / "ontology.db"
    build_l2(db, n_classes=20)
    with sqlite3.connect(db) as conn:
        legacy_rows = conn.execute("SELECT * FROM owl_classes ORDER BY 1, 2").fetchall()
    now = datetime.now(timezone.utc)
    taken = {backup_name(db, tmp_path, now + timedelta(seconds=s)) for s in range(-1, 30)}
    for path in taken:
        path.write_text("someone else's file")
    result = upgrade.migrate(db)
    made = Path(result.backup_path)
    assert made not in taken and made.name.startswith("ontology.backup-") and made.name.endswith("-1.db")
    assert all(p.read_text() == "someone else's file" for p in taken)
    with sqlite3.connect(made) as conn:
        assert conn.execute("SELECT * FROM owl_classes ORDER BY 1, 2").fetchall() == legacy_rows
