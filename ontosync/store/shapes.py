"""Which shape a database has (L1, L2, L3, empty, ontosync's own, or unknown), from its schema alone.

`detect` reads the tables, their columns and one unique index; it never writes. A legacy-looking
database that would lose rows or collide with the new schema (a kept table with a foreign key to
a replaced one, a leftover legacy_* table, a table named like one of ontosync's) is unknown, so
the upgrade refuses it untouched.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ontosync.store.legacy import COPIED, CURRENT, EMPTY, L1, L2, L3, LEGACY, RENAMED, UNKNOWN, archived
from ontosync.store.migrations import Migration
from ontosync.store.upgrade_errors import MigrationFailed

NOT_SQLITE = "not an SQLite database"


@dataclass
class Detection:
    shape: str
    tables: dict[str, list[str]]  # lower-case table name -> lower-case column names
    reason: str = ""



def is_locked(exc: sqlite3.Error) -> bool:
    """SQLite's "database is locked" / "database table is locked" / SQLITE_BUSY."""
    return "locked" in str(exc) or "busy" in str(exc)


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def tables_of(conn: sqlite3.Connection) -> dict[str, tuple[str, list[str]]]:
    """lower-case name -> (name as stored, lower-case columns) of every user table in main."""
    out = {}
    for (name,) in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"):
        cols = [r[1].lower() for r in conn.execute(f"PRAGMA main.table_info({quote_name(name)})")]
        out[name.lower()] = (name, cols)
    return out


def _ontosync_tables(numbered: list[Migration]) -> set[str]:
    """Every table the numbered migrations create: a legacy table by such a name would collide."""
    names: set[str] = set()
    for mig in numbered:
        names |= {n.lower() for n in re.findall(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(\w+)", mig.sql,
                                                 re.IGNORECASE)}
    return names


def detect(conn: sqlite3.Connection, numbered: list[Migration] | None = None) -> Detection:
    """Recognise the shape from the schema alone (tables and columns, one unique index)."""
    try:
        info = tables_of(conn)
        others = conn.execute("SELECT count(*) FROM main.sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                              ).fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "encrypted" in str(exc):
            return Detection(UNKNOWN, {}, f"{NOT_SQLITE} ({exc})")
        if is_locked(exc):
            raise  # another writer's lock, past the busy timeout: the caller says who holds it (exit 4)
        raise MigrationFailed(f"cannot read the database schema: {exc}") from exc
    tables = {name: cols for name, (_, cols) in info.items()}
    if not tables:
        if others:
            return Detection(UNKNOWN, tables, "it holds views or triggers but no tables")
        return Detection(EMPTY, tables)
    listing = ", ".join(sorted(tables))

    def cols(t: str) -> set[str]:
        return set(tables.get(t, ()))

    if "schema_migrations" in tables:
        if {"source_files", "file_classes"} <= tables.keys() and \
                {"ontology_id", "class_iri", "source_file"} <= cols("owl_classes"):
            return Detection(CURRENT, tables)
        return Detection(UNKNOWN, tables, f"it has a schema_migrations table but not ontosync's tables ({listing})")

    classes = cols("owl_classes")
    if "iri" in classes and "class_iri" not in classes:
        shape = L1
    elif {"ontology_id", "class_iri"} <= classes:
        shape = L3 if "file_sha1" in classes or _unique_on_class_iri(conn, info["owl_classes"][0]) else L2
    else:
        return Detection(UNKNOWN, tables, "expected owl_classes keyed by iri (L1) or by (ontology_id, class_iri) "
                                          f"(L2, L3), or ontosync's schema; found tables: {listing}")
    problem = _legacy_problem(conn, shape, info, numbered)
    return Detection(UNKNOWN, tables, f"looks like {shape}, but {problem}") if problem else Detection(shape, tables)


def _legacy_problem(conn: sqlite3.Connection, shape: str, info: dict[str, tuple[str, list[str]]],
                    numbered: list[Migration] | None) -> str | None:
    """Why a legacy-looking database cannot be migrated without losing rows or colliding, if it cannot."""
    cols = {low: set(c) for low, (_, c) in info.items()}
    for src in LEGACY[shape].sources:
        if src.origin in cols and not set(src.keys) <= cols[src.origin]:
            return f"its {src.origin} lacks {', '.join(sorted(set(src.keys) - cols[src.origin]))}"
    for name in COPIED + RENAMED:
        if archived(name) in cols:
            return f"it already has a table {archived(name)} (half migrated by hand?)"
    if numbered is not None:
        clash = sorted((_ontosync_tables(numbered) - set(COPIED) - set(RENAMED)) & cols.keys())
        if clash:
            return f"it has tables the ontosync schema creates: {', '.join(clash)}"
    # A kept table referencing a table that gets dropped would lose rows (ON DELETE) or block it.
    for low, (name, _) in info.items():
        if low in COPIED:
            continue
        for fk in conn.execute(f"PRAGMA main.foreign_key_list({quote_name(name)})"):
            if fk[2].lower() in COPIED:
                return f"its table {name} has a foreign key to {fk[2]}, which the migration replaces"
    return None


def _unique_on_class_iri(conn: sqlite3.Connection, table: str) -> bool:
    for idx in conn.execute(f"PRAGMA main.index_list({quote_name(table)})"):
        if idx[2]:  # unique
            cols = [r[2].lower() for r in conn.execute(f"PRAGMA main.index_info({quote_name(idx[1])})") if r[2]]
            if cols == ["class_iri"]:
                return True
    return False


def foreign_database(path: str | Path) -> str | None:
    """Why the file at `path` is no ontosync database (another program's SQLite file, a text file,
    an SQLite database with no tables yet), or None: ontosync's of any version, a legacy one
    `migrate` converts, a damaged one (exit 3), or one that cannot be read now (busy, permission,
    empty, a Git LFS pointer): each reader says those its own way. The one verdict of `verify`,
    `status`, `search` and `diff` (cli._require_file), exit 2 as `sync` and `migrate` refuse the
    same file: the user named the wrong file. `status` and `search` said exit 3, fatal, and
    `verify` "integrity_check ok" of another program's database."""
    from ontosync.store.read_only import connect_read_only, lfs_pointer_at, starts_as_sqlite

    try:
        if os.path.getsize(path) == 0 or lfs_pointer_at(path):
            return None  # (an empty file's WAL may hold its pages)
        if not starts_as_sqlite(path):
            return f"{path} is not an ontosync database: {NOT_SQLITE}"
        conn = connect_read_only(path)
    except (OSError, sqlite3.Error):
        return None
    try:
        shape = detect(conn)
    except (sqlite3.Error, MigrationFailed):  # damaged, or busy: the command's own reading says it
        return None
    finally:
        conn.close()
    if shape.shape == EMPTY:
        return (f"{path} is an SQLite database without tables, no ontosync database yet; "
                "`ontosync sync` creates one in it")
    if shape.shape == UNKNOWN and not shape.reason.startswith(NOT_SQLITE):  # (SQLite's header, then "not a
        # database": a damaged header, exit 3)
        return f"{path} is not an ontosync database: {shape.reason}"
    return None
