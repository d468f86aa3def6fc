"""The backup taken before a migration writes: SQLite's online backup API, integrity-checked."""

from __future__ import annotations

import itertools
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from ontosync.store.upgrade_errors import MigrationFailed

BUSY_TIMEOUT_S = 5.0


def backup_name(db_path: Path, backup_dir: str | Path | None, now: datetime | None = None) -> Path:
    """`<dir>/<stem>.backup-<UTC time><suffix>`, e.g. `ontology.backup-20250101T120000Z.db`."""
    directory = Path(backup_dir) if backup_dir else db_path.resolve().parent
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    return directory / f"{db_path.stem}.backup-{stamp}{db_path.suffix or '.db'}"


def back_up(db_path: Path, backup_dir: str | Path | None) -> Path:
    """An online copy through SQLite's backup API, integrity-checked; never overwrites a file.

    Taken through a second connection while the migrating one holds the write lock (BEGIN
    IMMEDIATE, nothing written yet), so the copy is exactly the state the migration starts from.
    """
    first = backup_name(db_path, backup_dir)
    first.parent.mkdir(parents=True, exist_ok=True)
    target = first
    for n in itertools.count(1):
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            break
        except FileExistsError:
            target = first.with_name(f"{first.stem}-{n}{first.suffix}")
    src = sqlite3.connect(db_path.resolve().as_uri() + "?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        problems = [r[0] for r in dst.execute("PRAGMA integrity_check")]
    except sqlite3.Error as exc:
        raise MigrationFailed(f"could not back up {db_path} to {target}: {exc}; nothing was changed",
                              str(target)) from exc
    finally:
        dst.close()
        src.close()
    if problems != ["ok"]:
        raise MigrationFailed(
            f"the backup {target} fails PRAGMA integrity_check ({'; '.join(problems[:5])}): the database itself "
            "is probably damaged; nothing was changed", str(target))
    return target
