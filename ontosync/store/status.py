"""What `ontosync status` reads from a database, behind named functions (the CLI holds no SQL).

The counts go through the Peewee models (store/models.py): nothing here is SQLite-specific except
opening the file read-only, so the same reads serve PostgreSQL (pg_commands.open_for_status hands
`status` a Peewee database of the source's schema).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from peewee import Database, DatabaseError, SqliteDatabase, fn

from ontosync.store.entity_counts import entity_counts
from ontosync.store.models import (
    MODELS,
    Ontology,
    OwlClass,
    SourceFileRow,
    SyncMeta,
)
from ontosync.store.read_only import is_busy, read_only_uri, wait_s
from ontosync.store.sync_records import FINISHED_KEY


class NotAnOntosyncDatabase(Exception):
    """The file opened, but its tables are not ontosync's (or it is damaged); the message says how."""


def open_read_only(db_path: str | Path) -> SqliteDatabase:
    """The database opened read-only as store/read_only.py opens it (never creates, writes or takes
    a write lock), as a Peewee database: `status` reads through the models. The other readers
    take read_only.connect_read_only's plain connection."""
    db = SqliteDatabase(read_only_uri(db_path), uri=True, timeout=wait_s())
    db.connect()
    return db


def status_counts(db: SqliteDatabase) -> dict[str, Any]:
    """Files by status, classes, edges, properties, axioms, ontologies, revision and the failed files.

    Raises NotAnOntosyncDatabase when the file is not an ontosync database. One read transaction:
    the figures are one snapshot, never files counted before a running sync's commit and classes after.
    """
    try:
        with db.atomic():
            return _counts(db)
    except (sqlite3.DatabaseError, DatabaseError) as exc:
        raw = exc.__context__ if isinstance(exc, DatabaseError) else exc  # Peewee re-raises sqlite3's as its own
        if raw is not None and is_busy(raw):  # a writer took the lock mid-read: exit 4 (cli.py), not "not ontosync's"
            raise raw from None
        raise NotAnOntosyncDatabase(str(exc)) from exc


def _counts(db: Database) -> dict[str, Any]:
    entities = entity_counts(db.execute_sql)  # the run report's counts, the same SQL (store/entity_counts.py)
    with db.bind_ctx(MODELS):
        files = dict(SourceFileRow.select(SourceFileRow.status, fn.COUNT(SourceFileRow.path))
                     .group_by(SourceFileRow.status).tuples())
        revision = SyncMeta.select(SyncMeta.value).where(SyncMeta.key == "revision").scalar()
        failed = SourceFileRow.select(SourceFileRow.path, SourceFileRow.error, SourceFileRow.error_line,
                                      SourceFileRow.error_kind).where(SourceFileRow.status == "failed")
        return {
            "files": {k: files.get(k, 0) for k in ("ok", "failed", "skipped")},
            "classes": entities["classes"],
            "referenced_only_classes": OwlClass.select().where(OwlClass.source_file.is_null()).count(),
            "hierarchy_edges": entities["hierarchy_edges"],
            "properties": entities["properties"],
            "axioms": entities["axioms"],
            "ontologies": [o.ontology_id for o in Ontology.select(Ontology.ontology_id).order_by(Ontology.ontology_id)],
            "last_revision": revision,
            "last_synced_at": SourceFileRow.select(fn.MAX(SourceFileRow.synced_at)).scalar(),
            "failed_files": [{"path": r.path, "line": r.error_line, "kind": r.error_kind, "error": r.error}
                             for r in failed.order_by(SourceFileRow.path)],
        }


def finished_checkpoint_of(db: Database) -> str | None:
    """sync_meta's `finished_checkpoint` (store/sync_records.py), for `status`'s checkpoint line."""
    with db.bind_ctx(MODELS):
        return SyncMeta.select(SyncMeta.value).where(SyncMeta.key == FINISHED_KEY).scalar()


FAILED_SHOWN = 50  # failed files `status` lists in its text (its JSON has them all)


def failed_lines(failed: list[dict[str, Any]]) -> list[str]:
    """`status`'s text lines of the failed files (user text, for the caller to make printable):
    the first FAILED_SHOWN, then how many more. Unsaid, 50 lines of 120 failed files read as all."""
    lines = [f"failed        {ff['path']}{':' + str(ff['line']) if ff['line'] else ''} [{ff['kind']}] {ff['error']}"
             for ff in failed[:FAILED_SHOWN]]
    if len(failed) > FAILED_SHOWN:
        lines.append(f"failed        …and {len(failed) - FAILED_SHOWN} more (`ontosync status --json` lists them all)")
    return lines


def unread_reason(db_path: str, exc: NotAnOntosyncDatabase) -> tuple[int, str]:
    """`status`'s exit code and line for a SQLite file whose counts it could not read: damaged (as
    `sync` and `diff` say it: "not an ontosync database" of a malformed one sent the user looking
    for another file), exit 3; an older ontosync's or a legacy tool's (how to upgrade it), exit 2
    as `search` and `diff` say it: a command to run first, not damage; else unreadable, exit 3."""
    from ontosync.store.health import damaged_line

    if damaged := damaged_line(exc, db_path):  # (a text file is "not a database" too: not ontosync's, not damaged)
        return 3, damaged
    if advice := upgrade_advice_of(db_path):
        return 2, f"error: {advice}"
    return 3, f"fatal: {db_path} is not an ontosync database: {exc}"


def upgrade_advice_of(db_path: str) -> str | None:
    """How to upgrade the SQLite database at `db_path` when an older ontosync or a legacy tool
    wrote it (store/diff.py `upgrade_advice`), else None: `status` called such a file "not an
    ontosync database", though `ontosync migrate` converts it."""
    from ontosync.store.diff import upgrade_advice
    from ontosync.store.read_only import connect_read_only

    try:
        conn = connect_read_only(db_path)
    except sqlite3.DatabaseError:
        return None
    try:
        return upgrade_advice(conn, db_path)
    finally:
        conn.close()
