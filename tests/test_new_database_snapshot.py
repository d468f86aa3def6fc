"""A new database is created from the migrations' final schema at once (store/new_database.py),
and that is the same database the migrations applied one by one make: schema, rows (FTS shadow
tables included) and the migrations it records. The snapshot stands for the migration files it was
written from; a file that differs (a migration added, ONTOSYNC_MIGRATIONS_DIR) makes the migrations
run instead."""

from __future__ import annotations

import json
import shutil
import sqlite3

from ontosync.store import migrations, new_database
from ontosync.store.upgrade import prepare_database
from tests.helpers import database_at

LATEST = migrations.available_migrations()[-1].version


def test_the_shipped_snapshot_is_the_migrations_applied_one_by_one():
    shipped = json.loads(new_database.SNAPSHOT.read_text(encoding="utf-8"))
    assert shipped == new_database.built_by_migrations(), \
        "migrations changed: write the snapshot again with `python -m ontosync.store.new_database`"


def contents(db) -> dict:
    """Every object of the schema and every row of every table (schema_migrations without its times)."""
    conn = sqlite3.connect(db)
    try:
        out = {"schema": sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))}
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            columns = "version, name, checksum" if name == "schema_migrations" else "*"
            out[name] = sorted(conn.execute(f'SELECT {columns} FROM "{name}"'), key=repr)
        out["pragmas"] = [conn.execute(f"PRAGMA {p}").fetchone() for p in ("user_version", "application_id")]
        return out
    finally:
        conn.close()


def test_a_database_from_the_snapshot_equals_one_migrated_step_by_step(tmp_path):
    made, reference = tmp_path / "new.db", tmp_path / "reference.db"
    result = prepare_database(made)
    database_at(reference, LATEST)
    assert contents(made) == contents(reference)
    assert result.applied == [m.path.name for m in migrations.available_migrations()]
    with sqlite3.connect(made) as conn:  # created at once: no migration ran on its own
        assert {ms for (ms,) in conn.execute("SELECT execution_time_ms FROM schema_migrations")} == {0}
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_snapshot_standing_for_other_migrations_is_not_used(tmp_path, monkeypatch):
    own = tmp_path / "migrations"
    shutil.copytree(migrations.migrations_dir(), own)
    last = sorted(own.glob("*.sql"))[-1]
    last.write_text(last.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    monkeypatch.setenv("ONTOSYNC_MIGRATIONS_DIR", str(own))
    made = tmp_path / "new.db"
    prepare_database(made)
    edited = migrations.available_migrations(own)[-1]
    with sqlite3.connect(made) as conn:
        recorded, ms = conn.execute("SELECT checksum, execution_time_ms FROM schema_migrations "
                                    "WHERE version = ?", (edited.version,)).fetchone()
    assert recorded == edited.checksum and ms > 0  # the migrations ran, the edited one as edited
