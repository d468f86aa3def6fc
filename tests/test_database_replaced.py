"""A database deleted or replaced while a sync writes it: the run's writes went to a file no one can
open any more, so the sync must not report success (exit 0) over a database that is not there.
It exits 3 naming the database; the next sync builds it again from the tree."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.helpers import ROOT, assert_equals_fresh_sync, cli, copy_example


def _committed(db) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM source_files").fetchone()[0]
    except sqlite3.Error:
        return 0


def _sync_then(tree, db, change) -> subprocess.CompletedProcess:
    """A sync whose last page stalls; `change(db)` runs once it has committed a file. The stall (1 s,
    twenty of the 50 ms polls) only has to outlast the poll and the change; a longer one was waited
    out after the change for nothing (issue 16: 2 s was ~1 s a case of the suite's wall)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ONTOSYNC_FAULT_SLOW_PARSE": "Sensor.md:1"}
    proc = subprocess.Popen([sys.executable, "-m", "ontosync", "sync", str(tree), "--db", str(db), "--quiet",
                             "--workers", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while proc.poll() is None and not _committed(db):
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.fail(f"the sync ended before the test could change its database: {proc.communicate()}")
    change(db)
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _delete(db) -> None:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{db}{suffix}"):
            os.unlink(f"{db}{suffix}")


def _replace(db) -> None:
    _delete(db)
    sqlite3.connect(db).close()  # another (empty) database now answers to the path


@pytest.mark.parametrize("change", [_delete, _replace], ids=["deleted", "replaced"])
def test_a_database_gone_mid_run_is_exit_3_not_success(tmp_path, change):
    tree, db = copy_example(tmp_path), tmp_path / "o.db"
    proc = _sync_then(tree, db, change)
    assert proc.returncode == 3, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("ontosync: fatal: ") and str(db) in last and "Traceback" not in proc.stderr
    again = cli("sync", str(tree), "--db", str(db), "--quiet")
    assert again.returncode == 0, again.stderr
    assert_equals_fresh_sync(tree, db, tmp_path)
