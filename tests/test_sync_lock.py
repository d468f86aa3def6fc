"""Issue 13.4 and 13.7 (busy): one sync per database at a time; busy is exit 4, not 3.

A sync holds an OS lock on `<db>.lock` (store/lock.py). A second sync of the same database, from
the same tree or another, waits up to --lock-timeout, then exits 4 naming the holder; a holder
killed with SIGKILL blocks nobody; `status` and `verify` are never blocked. A write that another
(non-ontosync) writer keeps locked past --busy-timeout is exit 4 naming that process.
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

from tests.helpers import ROOT, WriteLockHolder, assert_equals_fresh_sync, cli, copy_example, dump_file

STALL = "3"  # seconds the holder's parse of core.ttl stalls (the test waits on events, never on time;
# what runs while it holds the lock runs in-process, in a fraction of a second)


@pytest.fixture
def trees(tmp_path):
    copy_example(tmp_path, "one")
    copy_example(tmp_path, "two")
    (tmp_path / "two" / "extra.ttl").write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<http://example.org/extra#X> a owl:Class .\n")
    return tmp_path / "one", tmp_path / "two"


def start_holder(tree: Path, db: Path, stall: str = STALL) -> subprocess.Popen:
    """A sync that holds the lock while its parses stall; returns once it holds the lock."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ONTOSYNC_FAULT_SLOW_PARSE": f"core.ttl:{stall}"}
    proc = subprocess.Popen([sys.executable, "-m", "ontosync", "sync", str(tree), "--db", str(db), "--quiet",
                             "--workers", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = Path(f"{db}.lock")
    for _ in range(600):
        if lock.exists() and f'"pid": {proc.pid}' in lock.read_text():
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    pytest.fail(f"the first sync never took the lock: {proc.communicate()}")


def test_second_sync_exits_4_naming_the_holder(trees, tmp_path):
    one, two = trees
    db = tmp_path / "o.db"
    holder = start_holder(one, db)
    try:
        second = cli("sync", str(two), "--db", str(db), "--quiet", "--lock-timeout", "0.5")
        assert second.returncode == 4, second.stderr
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and "busy" in lines[0] and f"pid {holder.pid}" in lines[0] and str(one) in lines[0]
        assert "Traceback" not in second.stderr
        # readers are never blocked: `status` answers at once; busy (4) only while the holder's
        # schema is not committed yet (a loaded machine), never fatal
        deadline = time.monotonic() + 60
        while (status := cli("status", "--db", str(db))).returncode == 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status.returncode == 0, status.stderr
        assert cli("verify", "--db", str(db)).returncode == 0
    finally:
        _out, err = holder.communicate(timeout=300)
    assert holder.returncode == 0, err
    assert_equals_fresh_sync(one, db, tmp_path)


def test_second_sync_waits_for_the_first(trees, tmp_path):
    one, two = trees
    db = tmp_path / "o.db"
    holder = start_holder(one, db, "2")
    second = cli("sync", str(two), "--db", str(db), "--quiet", "--lock-timeout", "300")
    holder.communicate(timeout=300)
    assert holder.returncode == 0 and second.returncode == 0, second.stderr
    assert_equals_fresh_sync(two, db, tmp_path)


def test_a_killed_holder_blocks_nobody(trees, tmp_path):
    one, two = trees
    db = tmp_path / "o.db"
    holder = start_holder(one, db)
    holder.send_signal(signal.SIGKILL)
    holder.communicate(timeout=60)
    proc = cli("sync", str(two), "--db", str(db), "--quiet", "--lock-timeout", "0")
    assert proc.returncode == 0, proc.stderr
    assert_equals_fresh_sync(two, db, tmp_path)


def test_another_writer_past_the_busy_budget_is_exit_4(trees, tmp_path):
    one, two = trees
    db = tmp_path / "o.db"
    assert cli("sync", str(one), "--db", str(db), "--quiet").returncode == 0
    before = dump_file(db)
    with WriteLockHolder(db) as writer:
        proc = cli("sync", str(two), "--db", str(db), "--quiet", "--busy-timeout", "0.5",
                       "--report", str(tmp_path / "r.json"))
    assert proc.returncode == 4, proc.stderr
    assert "Traceback" not in proc.stderr
    busy = [line for line in proc.stderr.splitlines() if "busy" in line]
    assert len(busy) == 1 and f"pid {writer.pid}" in busy[0] and "--busy-timeout" in busy[0]
    assert dump_file(db) == before  # nothing half-written
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["files"]["ok"] == 0
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()


def test_a_lock_file_another_user_made_still_locks(trees, tmp_path):
    """The Action (root) leaves `<db>.lock` behind; a later step as the runner user may not write
    it, and locks it read-only instead of failing."""
    from tests.privileges import run_cli_unprivileged

    one, _two = trees
    db = tmp_path / "o.db"
    assert cli("sync", str(one), "--db", str(db), "--quiet").returncode == 0
    os.chmod(f"{db}.lock", 0o444)
    proc = run_cli_unprivileged("sync", str(one), "--db", str(db), "--quiet", "--full")
    assert proc.returncode == 0, proc.stderr
    assert_equals_fresh_sync(one, db, tmp_path)
