"""Is the database sound enough to write? A cheap check before a sync, and what a database error means.

`damage` runs `PRAGMA quick_check` (the b-tree and page checks of integrity_check, without the
index-content cross-check) on databases up to QUICK_CHECK_MAX_BYTES: measured at ~40 ms on the
1,684-page corpus database (7.3 MB) against ~135 ms for integrity_check, so about 5-6 ms per MB;
above the limit (~350 ms) only the header is checked and SQLite's own errors on the way stop the
run. A damaged database is exit 3 before anything is written: writing into a damaged b-tree can
spread the damage, and a run that "succeeds" on it would report a sound database.

The check is skipped when nothing has touched the database since a sync that ended cleanly left it:
that sync records `file_stamp` (size, mtime, ctime, inode of the file; the WAL's size; which
migrations the code knew) in its lock file (store/lock.py), and a database whose stamp is still the
same has not been written by anyone since (a stray write, `cp`, a restore, even `touch -d`, moves
the mtime or the ctime), nor needs a migration. A run that crashed or was killed leaves no stamp,
and neither does `migrate`: the next sync checks in full. On the corpus the check was ~30-40 ms of
a ~0.25 s no-op re-sync, and the schema check (store/upgrade.py) another ~15 ms.

`classify` maps any sqlite3 or Peewee exception to the contract's exit codes: 4 when another
writer holds the lock (busy, locked), 3 for everything else (damage, disk full, read-only, I/O).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from pathlib import Path

from ontosync.db_url import is_postgres_url
from ontosync.store.db_errors import first_line, size_limit_note
from ontosync.store.read_only import file_uri, starts_as_sqlite, unreadable

QUICK_CHECK_MAX_BYTES = 64 * 1024 * 1024
SQLITE_READONLY_RECOVERY = 8 | 1 << 8  # extended result codes (sqlite3.h)
SQLITE_READONLY_ROLLBACK = 8 | 3 << 8


def file_stamp(db_path: str | Path) -> list[int] | None:
    """What changes whenever anyone writes the database: size, mtime, ctime, inode and device of
    the file, and the size of its WAL and rollback journal (a WAL with frames in it holds writes the
    file does not show yet); and the migrations this code knows (`schema_key`). None when the file
    is missing."""
    try:
        st = os.stat(db_path)
    except OSError:
        return None
    sides = []
    for suffix in ("-wal", "-journal"):
        try:
            sides.append(os.stat(f"{db_path}{suffix}").st_size)
        except OSError:
            sides.append(0)
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev, *sides, schema_key()]


def untouched(db_path: str | Path, sound_stamp: list[int] | None) -> bool:
    """The database is exactly as a clean sync by code with the same migrations left it: neither
    the integrity check nor the schema check can find anything new."""
    return sound_stamp is not None and sound_stamp == file_stamp(db_path)


def schema_key() -> int:
    """The migration files this code would apply (names, sizes, mtimes, numbered and legacy) and its
    version, as one number: a new or rewritten migration, or another ontosync, changes it."""
    from ontosync import __version__
    from ontosync.store.migrations import migrations_dir

    folder = migrations_dir()
    seen = [__version__]
    for sub in (folder, folder / "legacy"):
        with contextlib.suppress(OSError), os.scandir(sub) as it:
            seen += sorted(f"{e.name}:{e.stat().st_size}:{e.stat().st_mtime_ns}" for e in it if e.is_file())
    return int(hashlib.sha1("\0".join(seen).encode()).hexdigest()[:15], 16)


def damage(db_path: str | Path) -> str | None:
    """A one-line description of the damage, or None when the database looks sound (or is new)."""
    path = Path(db_path)
    try:
        size = path.stat().st_size
        if size == 0:
            return None
        sqlite = starts_as_sqlite(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    if not sqlite:
        return None  # not SQLite at all: the upgrade refuses it as an unknown shape (exit 2)
    if size > QUICK_CHECK_MAX_BYTES:
        return None
    try:
        conn = sqlite3.connect(file_uri(path), uri=True, timeout=5)
        try:
            rows = conn.execute("PRAGMA quick_check(5)").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):
            return None  # a writer mid-commit; its own lock handling applies
        if needs_recovery(exc):
            return None  # a writer died mid-transaction: the sync's own connection recovers it
        return " ".join(str(exc).split())
    problems = [r[0] for r in rows if r[0] != "ok"]
    return " ".join("; ".join(problems).split())[:300] if problems else None


def needs_recovery(exc: sqlite3.DatabaseError) -> bool:
    """A hot rollback journal or WAL that a writer which died mid-transaction left behind: SQLite
    recovers it on the next read-write open, but a read-only connection (ours, above) may not
    (SQLITE_READONLY_ROLLBACK, SQLITE_READONLY_RECOVERY). That is crash recovery, not damage."""
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return code in (SQLITE_READONLY_ROLLBACK, SQLITE_READONLY_RECOVERY)
    return "readonly" in str(exc).lower()  # a read-only probe that needed to write


def is_busy(exc: BaseException) -> bool:
    """A lock in the way, from any driver's error (Peewee's and psycopg's wrap SQLite's codes away, so
    by its words); a plain sqlite3 error is better asked `read_only.is_busy` (its result codes)."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def is_damaged(exc: BaseException) -> bool:
    """SQLite's words for a damaged file (a b-tree page overwritten, a header that is no database's).
    Why ask: a reader that took it for another program's file, or an older ontosync's, said so and
    sent the user to `sync` (which refuses a damaged database) instead of to `verify` and a backup."""
    lowered = str(exc).lower()
    return "malformed" in lowered or "not a database" in lowered


def damaged_database(exc: BaseException, path: str | Path) -> bool:
    """`is_damaged`, of a file that begins as an SQLite database. Why: SQLite says "file is not a
    database" of a text file too, another program's file and no damaged database (`diff --base
    notes.txt` said "damaged ... `ontosync verify`", exit 3, not "not an ontosync database", exit 2)."""
    with contextlib.suppress(OSError):
        return is_damaged(exc) and starts_as_sqlite(path)
    return False


def damaged_line(exc: BaseException, path: str | Path) -> str | None:
    """`classify`'s line (`fatal: ... damaged ...; ontosync verify ...`) for a damaged database file,
    None for any other error: the one answer of `status`, `search` and `diff` (as `sync` says it)."""
    return classify(exc, str(path))[1] if damaged_database(exc, path) else None


def is_db_error(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.Error):
        return True
    try:
        import peewee
    except ImportError:  # pragma: no cover - peewee is a dependency
        return False
    return isinstance(exc, peewee.PeeweeException)


def lock_wait(exc: BaseException, verb: str = "needs",
              then: str = ". Nothing was lost; run again once it ends.", who: str | None = None) -> str | None:
    """What to say (after "busy: ") of a PostgreSQL statement another session's lock stopped
    (lock_timeout, a deadlock), or None for any other error. Why: a table a DBA's LOCK TABLE or
    VACUUM FULL held when the sync read its migrations or its plan was "fatal: database error:
    canceling statement due to lock timeout LINE 1: ...", exit 3. Only the server's first line: the
    rest quotes the statement with a caret."""
    from ontosync.store.pg.dialect import is_retryable

    if not is_retryable(exc):
        return None
    named = f": {who}" if who else ""  # who: store/pg/database.read_blocker
    return f"another session holds a table this command {verb}{named} ({first_line(exc)}){then}"


def classify(exc: BaseException, db: str | None) -> tuple[int, str]:
    """(exit code, one-line message) for a database exception that reached the command line."""
    where = f"{db}: " if db else ""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if held := lock_wait(exc):
        return 4, f"busy: {where}{held}"
    if is_busy(exc):
        from ontosync.store.lock import describe_writers

        holder = describe_writers(db) if db and os.path.exists(db) else "another process"
        return 4, f"busy: {where}database is locked by {holder}: {text}. Nothing was lost; run again."
    lowered = text.lower()
    if "unable to open" in lowered and db and not is_postgres_url(db) and (why := unreadable(db)):
        return 3, f"fatal: {where}cannot be read: {why}"
    if is_damaged(exc):
        return 3, f"fatal: {where}the database is damaged ({text}); `ontosync verify` lists the problems"
    return 3, f"fatal: {where}database error: {text}{size_limit_note(exc)}"


def file_identity(db_path: str | Path) -> tuple[int, int] | None:
    """Which file the path names now (device, inode): None when it names none."""
    try:
        st = os.stat(db_path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def hard_link_warnings(db_path: str) -> list[dict]:
    """A `hard-links` warning when the SQLite database has more than one name (`ln`, a `cp -al`
    backup): SQLite keeps `-wal` and `-shm` beside the name it was given, so the names share the
    file but not those, and what a run interrupted under one name left in its `-wal` is not seen
    (then damaged) by a run under another. The run goes on (the sync lock is the file's, and a user
    may have reasons for the link: a refusal would leave no way through but breaking it); the
    terminal and the report say it. A PostgreSQL URL names no file: none."""
    try:
        st = os.stat(db_path)
    except (OSError, ValueError):
        return []
    if st.st_nlink < 2:
        return []
    beside = _other_names_beside(db_path, st)
    return [{"path": db_path, "kind": "hard-links", "line": None, "message": (
        f"the database has {st.st_nlink} names (hard links{beside}): SQLite keeps its -wal and -shm beside the "
        "name used, so a reader under one name does not see a sync under another, and a run interrupted under one "
        "name loses its last writes to the next under another; use one name (`cp` makes a copy that is its own)")}]


def _other_names_beside(db_path: str, st: os.stat_result) -> str:
    """`; beside it: a.db, b.db` (up to 3), or empty when the other names are elsewhere."""
    found = _names_beside(db_path, st)
    return f"; beside it: {', '.join(found[:3])}" if found else ""


def _names_beside(db_path: str, st: os.stat_result) -> list[str]:
    """The database's other names in its folder, which the user looks for (a leftover of `ln`, of
    a backup): one folder's listing, only once the file has several names, and once for a sync's
    two questions (`wal_of_another_name`, then `hard_link_warnings`) while the file's names stay."""
    folder, own = os.path.split(os.path.abspath(db_path))
    # link, unlink and rename of any name of the file change its ctime (and the first two its link count)
    key = (folder, own, st.st_dev, st.st_ino, st.st_nlink, st.st_ctime_ns)
    if _LISTED.get("key") != key:
        _LISTED.update(key=key, names=_list_names(folder, own, st))
    return list(_LISTED["names"])


_LISTED: dict = {}  # the last listing of `_names_beside`, and what it was of


def _list_names(folder: str, own: str, st: os.stat_result) -> list[str]:
    found = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name != own and entry.is_file(follow_symlinks=False) and \
                    os.path.samestat(entry.stat(follow_symlinks=False), st):
                found.append(entry.name)
    return sorted(found)


def wal_of_another_name(db_path: str) -> str | None:
    """Why a sync must not write the database under this name: another name of the file beside it
    (a hard link) has a `-wal` with frames in it, writes the file does not show yet (a run under that
    name interrupted, or a reader under it still open). A sync under this name did not see them,
    and the next open under the other name replayed those frames over the sync's pages: a damaged
    database (tests/test_hostile_env4.py). None when there is no such name."""
    try:
        st = os.stat(db_path)
    except (OSError, ValueError):
        return None
    if st.st_nlink < 2:
        return None
    for name in _names_beside(db_path, st):
        other = os.path.join(os.path.dirname(db_path), name)
        with contextlib.suppress(OSError):
            if os.stat(f"{other}-wal").st_size > 0:
                return (f"{db_path} is also named {other} (a hard link), whose {other}-wal holds writes the file "
                        "does not show yet: a sync under this name would not see them, and would damage the file. "
                        f"Run it under that name (--db {other}), which takes them in; nothing was written")
    return None


def gone_since(db_path: str | Path, identity: tuple[int, int] | None) -> str | None:
    """Why the run's writes are lost when the path no longer names the file the run opened (deleted,
    or replaced by a restore or a `cp`): SQLite keeps writing the unlinked file without an error, so
    only this comparison keeps a sync from reporting success over a database that is not there."""
    now = file_identity(db_path)
    if now == identity:
        return None
    what = "deleted" if now is None else "replaced by another file"
    return (f"database {db_path} was {what} while this sync wrote it; its writes went to the old file "
            f"and are lost: run the sync again")
