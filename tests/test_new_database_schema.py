"""A new database's schema is the migrations' schema, statement for statement.

ontosync applies the migrations to a new, empty database with `PRAGMA legacy_alter_table=ON`
(store/upgrade.py `_plain_renames`: a quarter of a first sync's migration CPU). That is sound only
while no migration renames a table a view or trigger names; these tests hold it to that, so a
future migration that does is caught here rather than in a user's database.
"""

from __future__ import annotations

import sqlite3

from ontosync.store.upgrade import prepare_database
from tests.helpers import database_at

LATEST = 13  # migrations/013_readers_fidelity.sql, the last SQLite migration


def schema_of(db) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    finally:
        conn.close()


def test_a_new_database_has_the_schema_of_the_migrations_applied_one_by_one(tmp_path):
    made = tmp_path / "new.db"
    result = prepare_database(made)
    assert result.applied[-1].startswith(f"{LATEST:03d}_")
    reference = tmp_path / "reference.db"
    database_at(reference, LATEST)  # each migration as written, SQLite's default (checked) renames
    assert schema_of(made) == schema_of(reference)
    conn = sqlite3.connect(made)
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_the_comparison_sees_a_rename_that_a_view_names(tmp_path):
    """The premise above can fail: with a view naming the renamed table, the legacy rename leaves the
    view's SQL as it was and the default rename rewrites it, so the schemas differ."""
    schemas = []
    for legacy in ("ON", "OFF"):
        conn = sqlite3.connect(tmp_path / f"{legacy}.db", isolation_level=None)
        conn.execute(f"PRAGMA legacy_alter_table={legacy}")
        conn.execute("CREATE TABLE t (a)")
        conn.execute("CREATE VIEW v AS SELECT a FROM t")
        conn.execute("ALTER TABLE t RENAME TO t_old")
        schemas.append(conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall())
        conn.close()
    assert schemas[0] != schemas[1]
