"""A new database gets the schema the migrations end with, in one step.

Why: applying the migrations one by one to an empty file makes SQLite parse the growing schema
again after each DDL statement (012's table renames most of all): ~24 ms of CPU for every first
sync and every database a test makes, where creating the final schema at once takes ~6. As Rails
loads `schema.rb` into a new database instead of replaying its migrations, a new ontosync database
is created from `new_database.json`: the statements of the schema the migrations build, in the
order SQLite keeps them, any rows they insert, and the migrations (version, name, checksum) it
stands for. It is used only when those equal the migration files found; otherwise (a migration
added and the snapshot not yet written again, `ONTOSYNC_MIGRATIONS_DIR`) the migrations run as
before. The database records each migration as applied, with `execution_time_ms` 0: none ran on
its own. tests/test_new_database_snapshot.py holds the snapshot to the migrations applied one by
one; `python -m ontosync.store.new_database` writes it again.

A database file that does not exist yet is born whole (`born_whole`): the schema is built in a
private file beside it with no journal and no syncs, switched to WAL, synced once, and linked in
under the database's name, which fails if anything took that name meanwhile. Built in place, as an
existing empty file still is, it cost eight `fdatasync`s (the schema's commit through a rollback
journal, then the header's switch to WAL through another), up to ~40 ms of a first sync's wall time on a
loaded disk (issue 18); this costs two (the file, then its folder's new name). A crash leaves no
half-built database under the real name, at worst the private file (`.NAME.XXXXXXXX.new`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from ontosync.store import migrations
from ontosync.store.migrations import Migration
from ontosync.store.read_only import file_name

SNAPSHOT = Path(__file__).with_name("new_database.json")


def stands_for(numbered: list[Migration]) -> list[list[Any]]:
    return [[m.version, m.name, m.checksum] for m in numbered]


def load(numbered: list[Migration], path: Path = SNAPSHOT) -> dict | None:
    """The snapshot, when it stands for exactly `numbered`; else None (the migrations run)."""
    try:
        snap = json.loads(path.read_text(encoding="utf-8"))
        return snap if snap["migrations"] == stands_for(numbered) else None
    except (OSError, ValueError, KeyError, TypeError, migrations.MigrationError):
        return None


def create(conn: sqlite3.Connection, snap: dict, numbered: list[Migration]) -> list[str]:
    """Create the schema in the caller's open transaction; the migration files it stands for."""
    for statement in snap["statements"]:
        conn.execute(statement)
    now = migrations.utc_now()
    conn.executemany("INSERT INTO schema_migrations (version, name, applied_at, checksum, execution_time_ms) "
                     "VALUES (?, ?, ?, ?, 0)", [(v, name, now, checksum) for v, name, checksum in snap["migrations"]])
    return [m.path.name for m in numbered]


def born_whole(path: Path, snap: dict, numbered: list[Migration]) -> list[str] | None:
    """Create the missing database `path` from `snap` (see the module's docstring); the migration
    files it stands for, or None when it could not (the caller then builds it in place as before)."""
    short = os.fsencode(path.name)[:100].decode("utf-8", "ignore")  # a long name's private file fits too
    tmp = str(path.parent / f".{short}.{os.urandom(4).hex()}.new")
    try:
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o644))  # SQLite's mode
    except OSError:
        return None
    try:
        applied = _build(tmp, snap, numbered)
        if applied is None:
            return None
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.link(tmp, path)  # never replaces: a name taken meanwhile is left alone (EEXIST)
    except (OSError, sqlite3.Error):
        return None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    _sync_folder(path.parent)
    return applied


def _build(tmp: str, snap: dict, numbered: list[Migration]) -> list[str] | None:
    """The schema in `tmp`, nobody else's file yet: no journal, no syncs (`born_whole` syncs it once)."""
    conn = sqlite3.connect(file_name(tmp), isolation_level=None)  # beside `--db file:x/o.db`: never a URI
    try:
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "foreign_keys = ON"):
            conn.execute(f"PRAGMA {pragma}")
        if conn.execute("PRAGMA foreign_keys").fetchone() != (1,):
            return None  # the build in place refuses such an SQLite, with its message
        conn.execute("BEGIN")
        applied = create(conn, snap, numbered)
        if conn.execute("PRAGMA foreign_key_check").fetchall():
            return None
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode = WAL")  # the contract's journal mode, in the header
        return applied
    finally:
        conn.close()


def _sync_folder(folder: Path) -> None:
    """The new name made durable: a power loss must not leave the run's WAL beside no database."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def snapshot(conn: sqlite3.Connection) -> dict:
    """What `create` needs to rebuild `conn`'s database: its schema's statements (not SQLite's own
    objects nor an FTS table's shadow tables, which their statements make), its rows (not
    `schema_migrations`, recorded apart) and the migrations it applied."""
    shadow = {name for name, kind in conn.execute("SELECT name, type FROM pragma_table_list") if kind == "shadow"}
    objects = conn.execute("SELECT name, type, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid").fetchall()
    statements = [sql for name, _, sql in objects if not name.startswith("sqlite_") and name not in shadow]
    for name, kind, _ in objects:
        if kind == "table" and name not in shadow and name != "schema_migrations" and not name.startswith("sqlite_"):
            statements.extend(_inserts(conn, name))
    applied = conn.execute("SELECT version, name, checksum FROM schema_migrations ORDER BY version").fetchall()
    return {"about": "written by `python -m ontosync.store.new_database` (see its docstring); do not edit",
            "migrations": [list(row) for row in applied], "statements": statements}


def _inserts(conn: sqlite3.Connection, table: str) -> list[str]:
    columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
    values = " || ',' || ".join(f'quote("{c}")' for c in columns)
    return [f'INSERT INTO "{table}" VALUES ({row})' for (row,) in conn.execute(f'SELECT {values} FROM "{table}"')]


def built_by_migrations(directory: Path | None = None) -> dict:
    """The snapshot of a database made by applying each migration file in turn."""
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "new.db", isolation_level=None)
        try:
            for mig in migrations.available_migrations(directory):
                conn.execute("BEGIN IMMEDIATE")
                migrations.apply_migration(conn, mig)
                conn.execute("COMMIT")
            return snapshot(conn)
        finally:
            conn.close()


def main() -> int:
    SNAPSHOT.write_text(json.dumps(built_by_migrations(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
