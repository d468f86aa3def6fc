"""Numbered SQL migrations, applied in order and recorded with their checksums.

A migration file is `migrations/NNN_name.sql`. Each runs inside one transaction together with its
`schema_migrations` row, so a failure leaves the database as it was. A file whose checksum no
longer matches what was applied is refused: the database was built by different SQL.

A line `-- include: FILE from MARKER` stands for FILE's text from its line MARKER to its end, and
`-- include: FILE from MARKER to END` for the lines from MARKER up to (not including) the line END
that follows it (MARKER itself may not hold " to "). So the PostgreSQL migrations take the SQL that
reads the same on both databases (semantic-sql's views, its association table, the statements'
indexes) from the SQLite migration that first wrote it (`postgresql/002` from `005`) instead of a
second copy; the checksum covers the text as composed.

A released migration may be rewritten for readability (layout, comments, the order of its views)
as long as it builds the same schema: `REWRITTEN` pairs the checksum that databases migrated by the release
recorded with the checksum of the text that replaced it, and such a database is accepted as it is
(its recorded checksum stays). tests/test_migration_rewrites.py builds the schema from the released
text (kept under tests/fixtures/released_migrations/) and from the rewrite and compares them, so a
rewrite that changed a table or a view fails there. Any other change is still refused; a further
rewrite of the same file adds the pair for the text it replaces (each earlier checksum -> the new).
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ontosync.store import transaction


class MigrationError(Exception):
    """A migration cannot be applied or was tampered with; the database is left as it was."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return INCLUDE.sub(self._included, self.path.read_text(encoding="utf-8"))

    @property
    def checksum(self) -> str:
        """Of the file's bytes; of the composed text when it includes another file's."""
        raw = self.path.read_bytes()
        text = raw.decode("utf-8")
        composed = INCLUDE.sub(self._included, text)
        return hashlib.sha256(raw if composed == text else composed.encode("utf-8")).hexdigest()

    def accepts(self, recorded: str) -> bool:
        """Was a database that recorded `recorded` for this version built by this file's schema?"""
        return self.checksum in (recorded, REWRITTEN.get(recorded))

    def _included(self, match: re.Match) -> str:
        text = (self.path.parent / match["file"]).read_text(encoding="utf-8")
        start = text.find("\n" + match["marker"] + "\n")
        if start < 0:
            raise MigrationError(f"{self.path.name}: {match['file']} has no line {match['marker']!r} to include from")
        if match["end"] is None:
            return text[start + 1:].rstrip("\n")
        stop = text.find("\n" + match["end"] + "\n", start + 1)
        if stop < 0:
            raise MigrationError(f"{self.path.name}: {match['file']} has no line {match['end']!r} after "
                                 f"{match['marker']!r} to include up to")
        return text[start + 1:stop].rstrip("\n")


INCLUDE = re.compile(r"^-- include: (?P<file>\S+) from (?P<marker>.+?)(?: to (?P<end>.+))?$", re.M)

# Released migrations rewritten without changing the schema they build (see the module's doc):
# the checksum a release recorded -> the checksum of the file that now stands in its place.
REWRITTEN: dict[str, str] = {
    # 001_initial.sql: a class's or property's descriptive columns, and a per-file table's
    # (ontology_id, IRI) pair, each on one line.
    "f8f67f057e65f1580aebd988ca59f10a2c8aea09afda28a12e661a0ab0c04c35":
        "c0f32429dd554849e22b9ff5c54bb740052d649f9da111fb3bc568d8970a45ac",
    # 005_semantic_sql.sql: section headings (postgresql/002 includes the sections it shares), the
    # triple views grouped by vocabulary, the node views by rdf:type one to a line.
    "538459ca341228687fbbd4b8477956aa85da6af9ab4fb12fc0b68882831e0276":
        "ab04ade82a6642461ff2e9174c523a40932bd7c2b186aef26eaaa141035f0d8e",
}


def migrations_dir() -> Path:
    """`$ONTOSYNC_MIGRATIONS_DIR`, else the copy inside an installed package (setup.py puts
    `migrations/` there as `ontosync/migrations/`), else `migrations/` beside the package: a
    source tree, an editable install or the Action's image."""
    env = os.environ.get("ONTOSYNC_MIGRATIONS_DIR")
    if env:
        return Path(env)
    package = Path(__file__).resolve().parents[1]
    bundled = package / "migrations"
    if bundled.is_dir():
        return bundled
    return package.parent / "migrations"


def available_migrations(directory: Path | None = None) -> list[Migration]:
    directory = directory or migrations_dir()
    found = []
    try:
        paths = sorted(directory.glob("*.sql"))
    except OSError as exc:  # `$ONTOSYNC_MIGRATIONS_DIR` past NAME_MAX: glob's stat raised, a traceback
        raise MigrationError(f"no migration files found in {directory}: {exc.strerror}") from None
    for path in paths:
        m = re.fullmatch(r"(\d+)_(\w+)\.sql", path.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), path))
    if not found:
        raise MigrationError(f"no migration files found in {directory}")
    return found


def applied_versions(conn: sqlite3.Connection) -> dict[int, str]:
    """version -> checksum of what this database has applied (empty for a new database)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
    ).fetchone()
    if not exists:
        return {}
    return dict(conn.execute("SELECT version, checksum FROM schema_migrations"))


def check_checksums(conn: sqlite3.Connection, migrations: list[Migration]) -> None:
    applied = applied_versions(conn)
    for mig in migrations:
        if mig.version in applied and not mig.accepts(applied[mig.version]):
            raise MigrationError(
                f"migration {mig.path.name} changed after it was applied "
                f"(checksum {mig.checksum[:12]} != recorded {applied[mig.version][:12]}); refusing to run"
            )


def pending(conn: sqlite3.Connection, migrations: list[Migration] | None = None) -> list[Migration]:
    migrations = migrations if migrations is not None else available_migrations()
    check_checksums(conn, migrations)
    applied = applied_versions(conn)
    return [m for m in migrations if m.version not in applied]


def apply_migration(conn: sqlite3.Connection, mig: Migration) -> None:
    """Run one migration and record it, all in the caller's open transaction."""
    started = time.perf_counter()
    for statement in split_sql(mig.sql):
        conn.execute(statement)
    conn.execute(
        "INSERT INTO schema_migrations (version, name, applied_at, checksum, execution_time_ms) "
        "VALUES (?, ?, ?, ?, ?)",
        (mig.version, mig.name, utc_now(), mig.checksum, (time.perf_counter() - started) * 1000),
    )


def apply_pending(conn: sqlite3.Connection) -> list[Migration]:
    """Apply every pending migration, each in its own IMMEDIATE transaction."""
    done = []
    for mig in pending(conn):
        with transaction.immediate(conn):
            apply_migration(conn, mig)
            problems = conn.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise MigrationError(f"{mig.path.name}: foreign_key_check failed: {problems[:3]}")
        done.append(mig)
    return done


def split_sql(sql: str) -> list[str]:
    """Split a migration into statements (sqlite3 runs one per execute, and executescript commits).

    Statements end at a `;` at the end of a line, outside comments and outside a `$$ ... $$` body
    (PostgreSQL's functions, migrations/postgresql/004); SQLite's migrations use no triggers.
    """
    statements, current, in_body = [], [], False
    for line in sql.splitlines():
        stripped = line.split("--", 1)[0].rstrip()
        if not stripped.strip() and not current:
            continue
        current.append(line)
        in_body ^= stripped.count("$$") % 2 == 1
        if stripped.endswith(";") and not in_body:
            statements.append("\n".join(current))
            current = []
    if "".join(current).strip():
        statements.append("\n".join(current))
    return statements


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
