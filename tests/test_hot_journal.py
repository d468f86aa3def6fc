"""A sync killed while it created its database leaves a hot rollback journal (the database is in
rollback-journal mode until its first migration sets WAL). The next sync must roll it back and go on,
as SQLite's recovery is meant to, not call the database damaged (exit 3): the pre-sync health check
reads through a read-only connection, which may not roll a journal back (SQLITE_READONLY_ROLLBACK).
Found by CI: tests/test_sync_lock.py's killed holder, killed mid-creation under load.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys

from tests.helpers import assert_equals_fresh_sync, cli, copy_example

# A writer that dies inside a transaction on a database with no tables yet (as ontosync's creation
# applies every migration in one transaction), after the page cache spilled into the file: the file
# holds pages of a transaction that never committed, and `<db>-journal` is hot.
DIES_MID_TRANSACTION = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("CREATE TABLE scratch (x)")  # a committed header, then an empty schema again
conn.execute("DROP TABLE scratch")
conn.execute("PRAGMA cache_size = 1")
conn.execute("BEGIN")
conn.execute("CREATE TABLE half_made (x TEXT)")
for _ in range(3000):
    conn.execute("INSERT INTO half_made VALUES (?)", ("x" * 200,))
print("holding", flush=True)
time.sleep(120)
"""


def _killed_mid_transaction(db) -> None:
    proc = subprocess.Popen([sys.executable, "-c", DIES_MID_TRANSACTION, str(db)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "holding"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)


def test_a_hot_journal_left_by_a_killed_creator_is_rolled_back_and_the_sync_goes_on(tmp_path):
    tree = copy_example(tmp_path)
    db = tmp_path / "o.db"
    _killed_mid_transaction(db)
    assert (tmp_path / "o.db-journal").exists() and db.stat().st_size > 0
    # the precondition: a read-only reader cannot get past the journal
    probe = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        probe.execute("PRAGMA quick_check").fetchall()
        raised = None
    except sqlite3.DatabaseError as exc:
        raised = str(exc)
    finally:
        probe.close()
    assert raised is not None and "readonly" in raised

    proc = cli("sync", str(tree), "--db", str(db), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "o.db-journal").exists()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_made'").fetchone() == (0,)
    finally:
        conn.close()
    assert_equals_fresh_sync(tree, db, tmp_path)
