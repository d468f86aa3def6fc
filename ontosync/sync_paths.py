"""The paths a sync (or `migrate`) will write, checked before any work: the database, the files
SQLite and the lock keep beside it, `--report` and `--checkpoint`.

Why before: a path that cannot be written found after the run loses the run (its report, its
checkpoint), and one found in the middle of it is SQLite's "unable to open database file" or
"attempt to write a readonly database". Each refusal is one line: `PathRefused` (exit 2, a usage
error) or `ReadOnlyDatabase` (the contract's read-only failure, exit 3).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from ontosync.config import Settings
from ontosync.console import Stopped, kind_of, unusable_db_path
from ontosync.db_url import is_postgres_url, shown_db
from ontosync.pipeline.checkpoint import Checkpoint, checkpoint_owner
from ontosync.pipeline.outputs import (
    DB_FILES,
    STDOUT,
    OutputError,
    check_distinct,
    check_not_a_database,
    check_output,
    current_umask,
    file_mode,
    is_special,
    link_loop,
    missing_folder,
    not_writable,
    refused_kind,
    side_file,
    too_long,
    url_refused,
)
from ontosync.sources import PathFilter


class PathRefused(Stopped):
    """A path the command cannot use: a usage error, exit 2, with this one-line message."""

    word, code = "error", 2


class ReadOnlyDatabase(Stopped):
    """The contract's "read-only" failure (section 9): exit 3."""


def check_db_path(db: str) -> None:
    """The SQLite database a sync will create or write: a usable name in an existing folder (of a
    PostgreSQL URL: none libpq would misread, db_url.unencoded_at)."""
    if reason := unusable_db_path(db):  # from a flag, $ONTOSYNC_DATABASE_URL or the file's `db:`
        raise PathRefused(f"--db {shown_db(db)}: {reason}")
    if is_postgres_url(db):
        return
    if (mask := current_umask()) & 0o600:
        # SQLite made the database (and each run its -wal) unwritable by its owner: "attempt to write a
        # readonly database" after the first commit, an empty database left, and the umask never named
        raise PathRefused(f"the umask {mask:04o} takes the owner's read or write permission from the files a sync "
                          "creates (the database, its -wal and -shm, the lock): set one that leaves them, such as "
                          "0022 or 0077")
    parent = _resolved(db).parent
    if not parent.is_dir():
        raise PathRefused(f"cannot create database {db}: {missing_folder(parent)}")
    if Path(db).is_dir():
        raise PathRefused(f"cannot use database {db}: it is a folder")
    if Path(db).exists() and not Path(db).is_file():  # /dev/null, a FIFO: SQLite would fail as "fatal"
        raise PathRefused(f"cannot use database {db}: not a regular file")
    if reason := side_file(db):
        raise PathRefused(f"cannot use database {db}: {reason}")
    # A name that fits, but not with `-journal` after it: SQLite said "unable to open database file",
    # exit 3, and left an empty database that every later command called not ontosync's.
    longest = max(DB_FILES, key=len)
    if reason := too_long(Path(db).name, parent, longest):
        raise PathRefused(f"cannot use database {db}: {reason}")
    for beside in (f"{db}-wal", f"{db}-shm"):  # SQLite refuses them ("unable to open database file")
        if os.path.islink(beside):
            raise PathRefused(f"cannot use database {db}: {beside} is a symbolic link (to {os.readlink(beside)}); "
                              "remove it")
        if _hard_linked(beside):  # the same overwrite, through a hard link (`ln notes.txt o.db-shm`)
            raise PathRefused(f"cannot use database {db}: {beside} is another name (a hard link) of a file that "
                              f"SQLite would write over; {_unlink_advice(beside)}")
    if reason := side_file_kind(db):
        raise PathRefused(f"cannot use database {db}: {reason}")
    if not Path(db).exists():
        if reason := not_writable(parent):  # no database yet: a path that cannot be used
            raise PathRefused(f"cannot write database {db}: {reason}")
        if reason := _log_without_database(db):
            raise PathRefused(f"cannot use database {db}: {reason}")
        return
    check_writable(db)


def side_file_kind(db: str, reading: bool = False) -> str | None:
    """Why SQLite cannot keep its files beside `db`: a folder or a FIFO at `-wal`, `-shm` or
    `-journal`. A sync or `migrate` said "unable to open database file" or "disk I/O error", exit 3,
    after making the database and its lock, took a FIFO away, or (a FIFO at `-journal`) waited for
    ever. `reading` (the read commands): only what is no folder, a FIFO above all, where every
    reader waited for ever (a folder beside a database they read is no harm to them)."""
    for suffix, what in (("-wal", "write-ahead log"), ("-shm", "shared-memory index"), ("-journal", "journal")):
        with contextlib.suppress(OSError):
            mode = os.lstat(f"{db}{suffix}").st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode) or (reading and stat.S_ISDIR(mode))):
                return (f"{db}{suffix} is {kind_of(mode)}, where SQLite keeps the database's {what}: move or "
                        "remove it; nothing was " + ("read" if reading else "written"))
    return None


def _log_without_database(db: str) -> str | None:
    """Why a new database may not be made at `db`: a `-wal` with pages in it is there, the log of a
    database removed without it (`rm o.db`, a restore of the file alone). SQLite replayed it into
    the new file: "malformed database schema", exit 3, a damaged database left and the log gone.
    (Beside an empty file it may be the file's own, never checkpointed into it: taken in as before.)"""
    with contextlib.suppress(OSError):
        st = os.stat(f"{db}-wal")
        if stat.S_ISREG(st.st_mode) and (size := st.st_size):
            return (f"{db}-wal is there without its database ({size} bytes: the write-ahead log of a database "
                    f"removed without it?), and a new database would take in its pages, damaged: move or remove "
                    f"{db}-wal; nothing was written")
    return None


def _resolved(db: str) -> Path:
    """`db` with its links followed, or PathRefused for a symbolic link loop on the way (a link to
    itself, a path through one): pathlib's RuntimeError "Symlink loop from ...", a traceback, exit 1."""
    try:
        return Path(db).resolve()
    except (RuntimeError, OSError) as exc:
        raise PathRefused(f"cannot use database {db}: a symbolic link loop on the way ({exc})") from None


def check_writable(db: str) -> None:
    """An existing database the user cannot write (the file, the files SQLite keeps beside it, or
    its folder: read-only media) is the contract's read-only failure, exit 3, found before the
    run rather than as SQLite's "attempt to write a readonly database" in its middle (`migrate`: as
    "cannot open the lock file", exit 2)."""
    for target in (db, f"{db}-wal", f"{db}-shm", str(Path(db).resolve().parent)):
        if os.path.exists(target) and (reason := not_writable(target)):
            where = "" if target == db else f" ({target})"
            raise ReadOnlyDatabase(f"read-only database {db}{where}: {reason}; nothing was written")


def check_outputs(settings: Settings, config: str | None, selects: PathFilter | None) -> None:
    """--report and --checkpoint must be writable before the work starts, not after it, and be
    neither the database nor the configuration file the run reads (`config`): `--report c.yml`
    with `--config c.yml` replaced the user's settings with the report, exit 0. `selects` is the
    sync's path filter (None: its globs are bad, which the caller says)."""
    report = None if settings.report == STDOUT else settings.report  # `-`: printed (cli.py _finish_sync)
    try:
        refused = checkpoint_refused(settings.checkpoint_path)
        if refused and settings.checkpoint_path == STDOUT:  # said before --report's problems, as before
            raise OutputError(refused)
        if report:
            check_output(report, "--report")
        if refused:
            raise OutputError(refused)
        check_output(settings.checkpoint_path, "--checkpoint")
        if not settings.checkpoint and os.path.islink(settings.checkpoint_path):
            # the default, beside the database: a link there is the checkout's (`ontology.db.checkpoint.json
            # -> ~/.bashrc`), not a place the user chose; the checkpoint was written into its target
            raise OutputError(f"--checkpoint {settings.checkpoint_path} (the default) is a symbolic link (to "
                              f"{os.readlink(settings.checkpoint_path)}); remove it, or give --checkpoint")
        _check_checkpoint_owner(settings)
        outputs = {"--config": config, "--checkpoint": settings.checkpoint_path, "--report": report}
        db = None if is_postgres_url(settings.db) else settings.db
        check_distinct(db, {k: v for k, v in outputs.items() if v})
        check_not_a_database({"--report": report, "--checkpoint": settings.checkpoint_path})
        for flag, path in (("--db", db), ("--checkpoint", settings.checkpoint_path), ("--report", report)):
            if path and selects is not None and _read_by_the_sync(settings, selects, path):
                raise OutputError(f"{flag} {path}: is a file of the source the sync reads (the next sync would "
                                  "read what this one writes there); give a path outside it, or one it leaves out")
        if db and selects is not None and (page := _source_file_linked_to(settings, selects, db)):
            raise OutputError(f"--db {db}: is another name (a hard link) of {page}, a file of the source the sync "
                              "reads (the next sync would read what this one writes there); give a path outside it")
    except OutputError as exc:
        raise PathRefused(str(exc)) from None


def checkpoint_refused(path: str) -> str | None:
    """Why a sync refuses `path` as its checkpoint for what it is, whoever runs it, or None. Why
    here: `status` says it in the sync's words, where it said "none" of `-` and "the next sync
    replaces it" of a folder, paths no sync writes."""
    if path == STDOUT:
        return "--checkpoint -: standard output, which no sync can resume from: give a file (or /dev/null for none)"
    if stat.S_ISFIFO(file_mode(path) or 0):  # each write waited for a reader, the run with it
        return f"--checkpoint {path}: a FIFO, which no sync can resume from: give a file (or /dev/null for none)"
    return url_refused(path, "--checkpoint") or refused_kind(path, "--checkpoint") or link_loop(path, "--checkpoint")


def _check_checkpoint_owner(settings: Settings) -> None:
    """A `--checkpoint` holding another database's unfinished sync is not replaced (its resume
    would be lost), nor resumed from (pipeline/checkpoint.py `checkpoint_owner`)."""
    owner = checkpoint_owner(settings)
    previous = Checkpoint.load(settings.checkpoint_path) if owner else None
    if previous is not None and previous.owned_by_another(owner):
        raise OutputError(f"--checkpoint {settings.checkpoint_path}: holds the unfinished sync of another database "
                          f"({previous.database}), which resumes from it; give this database its own checkpoint "
                          "(or delete that one to drop its resume)")


def _read_by_the_sync(settings: Settings, selects: PathFilter, path: str) -> bool:
    """Whether `path` is (or would be) a file the sync reads from its local source: `--report
    pages/Cat.md` replaced the page with the report, and the next sync failed on it."""
    if settings.source.startswith("github:") or is_special(path):
        return False
    root, real = os.path.realpath(settings.source), os.path.realpath(path)
    if real == root or os.path.commonpath([root, real]) != root:
        return False
    return selects(Path(os.path.relpath(real, root)).as_posix())


def _source_file_linked_to(settings: Settings, selects: PathFilter, db: str) -> str | None:
    """The file the sync reads that is another name of the database (`ln src/Cat.ttl o.db`): its
    path, or None. SQLite wrote its pages into the user's source file. The source is walked only
    when the database has more than one name."""
    try:
        st = os.stat(db)
    except OSError:
        return None
    if st.st_nlink < 2 or settings.source.startswith("github:"):
        return None
    with contextlib.suppress(OSError):
        if os.stat(settings.source).st_dev != st.st_dev:  # no hard link crosses file systems
            return None
    for folder, dirs, names in os.walk(settings.source):
        dirs[:] = [d for d in dirs if d != ".git"]  # git's objects: never a file the sync reads
        for name in names:
            path = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                if os.path.samestat(os.lstat(path), st):
                    rel = Path(os.path.relpath(path, settings.source)).as_posix()
                    return path if selects(rel) else None
    return None



def _hard_linked(path: str) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_nlink > 1


def _unlink_advice(path: str) -> str:
    """How to part a hard-linked `-wal`/`-shm` from the file it shares: a `-wal` holding frames (a
    `cp -al` copy of a folder after an interrupted run) holds committed writes not yet in the
    database, which removing it would lose; a copy of its own keeps them."""
    with contextlib.suppress(OSError):
        if path.endswith("-wal") and os.path.getsize(path) > 0:
            return (f"it may hold writes not yet in the database: give it a copy of its own "
                    f"(`cp -p {path} {path}.tmp && mv {path}.tmp {path}`) rather than removing it")
    return "remove that name"


def new_outputs(settings: Settings) -> list[str]:
    """The database's files and the checkpoint that no file held before this run (taken under the
    sync's lock, before the database is created): what `remove_unsynced` may take away again."""
    if is_postgres_url(settings.db):
        return []
    names = [settings.db + suffix for suffix in DB_FILES if suffix != ".lock"] + [settings.checkpoint_path]
    return [name for name in names if not os.path.lexists(name)]


def remove_unsynced(db: str, new: list[str]) -> bool:
    """Remove the files a first sync created when it stopped before syncing any file (a source it
    could not read: exit 2); True when it did. Why: the empty, migrated database stayed, and `status`
    showed it as a synced database of 0 files. The lock file is the caller's (store/lock.py `drop`)."""
    if db not in new:
        return False
    for name in new:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
    return True

