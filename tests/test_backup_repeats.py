"""A migration that keeps failing takes one backup, not one per attempt. A user (or a scheduled
job) re-running `sync` or `migrate` on a database whose migration fails got a new full copy of
the database each time (`ontology.backup-<time>.db`, `-1`, `-2`, ...), filling the disk with
identical files; an attempt whose database is unchanged since the last backup now names that
backup. A changed database still gets a backup of its own."""

from __future__ import annotations

import sqlite3

from ontosync.store import upgrade
from tests.test_migrate import backups_in, build_l3, dump
from tests.test_migrate_cli import ontosync


def test_a_repeated_failed_migration_reuses_the_identical_backup(tmp_path):
    db = tmp_path / "ontology.db"
    build_l3(db)
    content = dump(db)
    fail = {upgrade.FAULT_ENV: "convert"}
    first = ontosync("migrate", "--db", str(db), cwd=tmp_path, env=fail)
    assert first.returncode == 3
    [backup] = backups_in(tmp_path)
    for command in (["migrate", "--db", str(db)], ["sync", str(tmp_path / "tree"), "--db", str(db)]):
        (tmp_path / "tree").mkdir(exist_ok=True)
        again = ontosync(*command, cwd=tmp_path, env=fail)
        assert again.returncode == 3, again.stderr
        assert backups_in(tmp_path) == [backup]
        assert str(backup) in again.stderr + again.stdout
    assert dump(db) == content
    assert dump(backup) == content
    with sqlite3.connect(db) as conn:  # the database changes: its next attempt gets its own backup
        conn.execute("INSERT INTO sync_meta (key, value) VALUES ('note', 'changed')") if _has(conn, "sync_meta") \
            else conn.execute("CREATE TABLE user_note (x)")
    ontosync("migrate", "--db", str(db), cwd=tmp_path, env=fail)
    assert len(backups_in(tmp_path)) == 2


def _has(conn: sqlite3.Connection, table: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone() is not None
