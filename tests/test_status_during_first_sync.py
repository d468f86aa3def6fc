"""`status` on a database whose first sync is still creating it. The file exists from the sync's
first moment, its tables only once the migrations commit: `status` in between said "fatal: ... is
not an ontosync database" (exit 3), a damaged-database verdict that invites deleting the file. While
a sync holds the database's lock that is "busy" (exit 4, naming the sync): run it again in a moment.
Without a holder, a file that is not ontosync's is the wrong file: exit 2, as `sync` says it (h165)."""

from __future__ import annotations

import sqlite3

import pytest

from ontosync.store.lock import SyncLock
from tests.helpers import cli


@pytest.mark.parametrize("made", ["empty file", "tables not yet committed"])
def test_status_while_a_sync_creates_the_database_is_busy(tmp_path, made):
    db = tmp_path / "new.db"
    if made == "empty file":
        db.touch()
    else:  # what a reader's snapshot holds before the schema's transaction commits: an empty WAL database
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA journal_mode = wal")
    with SyncLock(db, "pages/", timeout=0):
        r = cli("status", "--db", str(db))
    assert r.returncode == 4, r.stderr
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and line.startswith("ontosync: busy:"), line
    assert str(db) in line and "pages/" in line
    assert "Traceback" not in r.stderr


def test_without_a_sync_a_file_that_is_not_ontosyncs_is_a_usage_error(tmp_path):
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (x)")
    r = cli("status", "--db", str(db))
    assert r.returncode == 2 and "is not an ontosync database" in r.stderr, r.stderr
