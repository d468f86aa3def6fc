"""Numbered SQL migrations, applied in order and recorded with their checksums.

A migration file is `migrations/NNN_name.sql`. Each runs inside one transaction together with its
`schema_migrations` row, so a failure leaves the database as it was. A file whose checksum no
longer matches what was applied is refused: the database was built by different SQL.

A line `-- include: FILE from MARKER` stands for FILE's text from its line MARKER to its end, so
the PostgreSQL migrations take semantic-sql's views from the SQLite migration that first wrote them
(`postgresql/002` from `005`) instead of a second copy; the checksum covers the text as composed.
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

    def _included(self, match: re.Match) -> str:
        text = (self.path.parent / match["file"]).read_text(encoding="utf-8")
        start = text.find("\n" + match["marker"] + "\n")
        if start < 0:
            raise MigrationError(f"{self.path.name}: {match['file']} has no line {match['marker']!r} to include from")
        return text[start + 1:].rstrip("\n")


INCLUDE = re.compile(r"^-- include: (?P<file>\S+) from (?P<marker>.+)$", re.M)


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
    for path in sorted(directory.glob("*.sql")):
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
        if mig.version in applied and applied[mig.version] != mig.checksum:
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
