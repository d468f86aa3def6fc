"""The backup taken before a migration writes: SQLite's online backup API, integrity-checked."""

from __future__ import annotations

import filecmp
import glob
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from ontosync.store.read_only import file_name
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
    The copy is written as `<name>.partial` and takes the backup's name only when it is whole:
    a copy cut short (no room, an I/O error) is removed, and one whose process was killed stays a
    `.partial` file, never a truncated file named like a backup that someone restores later.
    """
    first = backup_name(db_path, backup_dir)
    partial = _claim(first.with_name(first.name + PARTIAL))
    try:
        problems = _copy(db_path, partial)
        same = _same_as_last(partial, first) if problems == ["ok"] else None
        target = same or _publish(partial, first)
    finally:
        partial.unlink(missing_ok=True)
    if problems != ["ok"]:
        raise MigrationFailed(
            f"the backup {target} fails PRAGMA integrity_check ({'; '.join(problems[:5])}): the database itself "
            "is probably damaged; nothing was changed", str(target))
    return target


PARTIAL = ".partial"


def _same_as_last(copy: Path, first: Path) -> Path | None:
    """The newest earlier backup of this database when it is byte for byte `copy`: a migration that
    keeps failing (a sync re-run by hand or on a schedule) names that backup again instead of
    adding an identical full copy per attempt. Backups are only compared when their sizes match."""
    stem, _, _ = first.stem.partition(".backup-")
    pattern = f"{glob.escape(stem)}.backup-*{glob.escape(first.suffix)}"
    earlier = [p for p in first.parent.glob(pattern) if p.is_file() and not p.is_symlink()]
    if not earlier:
        return None
    last = max(earlier, key=lambda p: p.stat().st_mtime_ns)
    try:
        return last if last.stat().st_size == copy.stat().st_size and filecmp.cmp(last, copy, shallow=False) \
            else None
    except OSError:  # unreadable: take the new copy
        return None


def _numbered(first: Path, n: int) -> Path:
    """`first`, then `<stem>-1<suffix>`, `<stem>-2<suffix>`, ...: the names tried in turn."""
    return first if n == 0 else first.with_name(f"{first.stem}-{n}{first.suffix}")


def _claim(first: Path) -> Path:
    """Create a new empty file under the first free name `_numbered` gives.

    A folder that cannot be made or written (a file in the way, no permission, read-only media)
    is the migration's one-line failure, before anything was written.
    """
    n = 0
    try:
        first.parent.mkdir(parents=True, exist_ok=True)
        while not _create_new(_numbered(first, n)):
            n += 1
    except OSError as exc:  # mkdir over a file said "File exists", as if a backup were there already
        why = _file_in_the_way(first.parent) if isinstance(exc, (FileExistsError, NotADirectoryError)) else None
        raise MigrationFailed(f"cannot write the backup {_numbered(first, n)}: {why or exc.strerror or exc}; nothing "
                              "was changed (--backup-dir puts it elsewhere)") from exc
    return _numbered(first, n)


def _file_in_the_way(folder: Path) -> str | None:
    """`X is not a folder` for the nearest of `folder` and its parents that is a file, or None."""
    found = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    return f"{found} is not a folder" if found else None


def _create_new(path: Path) -> bool:
    """Create `path`, empty; False when it already exists (never overwrite a file)."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except FileExistsError:
        return False
    return True


def _publish(partial: Path, first: Path) -> Path:
    """Give the finished copy the first free backup name `_numbered` gives."""
    n = 0
    try:
        while not _link_new(partial, _numbered(first, n)):
            n += 1
    except OSError as exc:
        raise MigrationFailed(f"cannot name the backup {_numbered(first, n)}: {exc.strerror or exc}; nothing was "
                              "changed") from exc
    return _numbered(first, n)


def _link_new(partial: Path, target: Path) -> bool:
    """Link `partial` as `target`; False when `target` exists. A hard link, so no file is replaced;
    a file system without them (FAT) gets a rename to a name that is free (the migration's lock
    keeps other ontosync runs out meanwhile)."""
    try:
        os.link(partial, target)
    except FileExistsError:
        return False
    except OSError:
        if os.path.lexists(target):
            return False
        os.rename(partial, target)
    return True


def _copy(db_path: Path, target: Path) -> list[str]:
    """Copy `db_path` into `target` with the backup API; what integrity_check says of the copy."""
    src = sqlite3.connect(db_path.resolve().as_uri() + "?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S)
    dst = sqlite3.connect(file_name(target))  # `--backup-dir file:x` is a folder, not a URI
    try:
        src.backup(dst)
        return [r[0] for r in dst.execute("PRAGMA integrity_check")]
    except sqlite3.Error as exc:
        raise MigrationFailed(f"could not back up {db_path} into {target.parent}: {exc}; nothing was changed "
                              "(the unfinished copy was removed)") from exc
    finally:
        dst.close()
        src.close()
