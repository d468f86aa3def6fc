"""The backup taken before a migration writes: SQLite's online backup API, integrity-checked."""

from __future__ import annotations

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
    A copy that cannot be finished (no room, an I/O error) is removed: a truncated file named like
    a backup could be restored from later.
    """
    target = _claim(backup_name(db_path, backup_dir))
    try:
        problems = _copy(db_path, target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if problems != ["ok"]:
        raise MigrationFailed(
            f"the backup {target} fails PRAGMA integrity_check ({'; '.join(problems[:5])}): the database itself "
            "is probably damaged; nothing was changed", str(target))
    return target


def _claim(first: Path) -> Path:
    """Create the backup's file, empty, under the first free name (`-1`, `-2`, ... after the stamp).

    A folder that cannot be made or written (a file in the way, no permission, read-only media)
    is the migration's one-line failure, before anything was written.
    """
    target, n = first, 0
    try:
        first.parent.mkdir(parents=True, exist_ok=True)
        while not _create_new(target):
            n += 1
            target = first.with_name(f"{first.stem}-{n}{first.suffix}")
    except OSError as exc:
        raise MigrationFailed(f"cannot write the backup {target}: {exc.strerror or exc}; nothing was changed "
                              "(--backup-dir puts it elsewhere)") from exc
    return target


def _create_new(path: Path) -> bool:
    """Create `path`, empty; False when it already exists (never overwrite a file)."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except FileExistsError:
        return False
    return True


def _copy(db_path: Path, target: Path) -> list[str]:
    """Copy `db_path` into `target` with the backup API; what integrity_check says of the copy."""
    src = sqlite3.connect(db_path.resolve().as_uri() + "?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        return [r[0] for r in dst.execute("PRAGMA integrity_check")]
    except sqlite3.Error as exc:
        raise MigrationFailed(f"could not back up {db_path} into {target.parent}: {exc}; nothing was changed "
                              "(the unfinished copy was removed)") from exc
    finally:
        dst.close()
        src.close()
