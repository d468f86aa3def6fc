"""The one way a reader opens a SQLite file read-only (`status`, `search`, `diff` and `--base`,
`verify`, `fetch-db`'s check, the damage probe before a sync).

The path goes into a `file:` URI, so it is percent-quoted: unquoted, `x#y.db` opens (and
creates) `x`, `a?b.db` opens `a`, and `%41` is read as `A`. A WAL database in a read-only folder
cannot get its `-shm` file, so a plain read-only open fails there; nothing can write such a
database meanwhile, so it is then read as immutable, which is exact. A database another process
is writing (busy, locked) is not: that error goes to the command, which exits 4.

A writer opens the path by name, not as a URI; `file_name` keeps SQLite from reading that name as
its own syntax there too.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from ontosync.parsing.lfs import MAX_POINTER_SIZE, is_lfs_pointer

SQLITE_BUSY, SQLITE_LOCKED = 5, 6  # primary result codes (sqlite3.h)
SQLITE_MAGIC = b"SQLite format 3\0"  # the first 16 bytes of every SQLite database file
READ_WAIT_S = 5.0  # how long a reader waits for a writer's lock by default (the reading commands' --busy-timeout)
_waits = [READ_WAIT_S]


@contextlib.contextmanager
def reader_wait(seconds: float) -> Iterator[None]:
    """Readers opened inside wait up to `seconds` for a writer's lock, then fail busy (exit 4).
    Set once per command (cli.py), not passed down: a command opens its database in several
    places (`diff`'s base, `status`'s probe and its models), and each took SQLite's fixed 5 s."""
    _waits.append(seconds)
    try:
        yield
    finally:
        _waits.pop()


def is_busy(exc: BaseException) -> bool:
    """A writer holds the database (SQLITE_BUSY, SQLITE_LOCKED): exit 4, never a verdict on the file."""
    return isinstance(exc, sqlite3.OperationalError) and _busy(exc)


def file_uri(path: str | Path) -> str:
    """`file:` URI of `path`, opened read-only (`mode=ro`): never creates or writes the file. The
    name's own bytes are quoted (os.fsencode), so a name that is not UTF-8 opens too."""
    return f"file:{quote(os.fsencode(Path(path).resolve()))}?mode=ro"


def file_name(path: str | Path) -> str:
    """`path` as a name SQLite opens as that file: a relative one is prefixed with `./`. Bare,
    `file:other.db` is a URI to SQLite (its builds here read URIs in every open), which opened
    `other.db`, and `:memory:` a database in memory: `sync --db file:other.db` wrote its facts into
    another database while the lock, checkpoint and migrations were the named file's."""
    name = os.fspath(path)
    return name if os.path.isabs(name) else os.path.join(os.curdir, name)


def read_only_uri(path: str | Path) -> str:
    """`file_uri(path)`, or its immutable form when a read-only open cannot read the file."""
    uri = file_uri(path)
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=_waits[-1])
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        if _busy(exc):
            raise  # a writer holds a rollback-journal database: immutable would read its pages mid-write
        return uri + "&immutable=1"
    except sqlite3.DatabaseError:
        pass  # not a database at all: the caller's own reads say so
    return uri


def _busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return (code & 0xFF) in (SQLITE_BUSY, SQLITE_LOCKED) if code is not None else "locked" in str(exc)


def unreadable(path: str | Path) -> str | None:
    """The system's reason this process cannot open `path` for reading ("permission denied"), None
    when it can: SQLite says only "unable to open database file", which left the user to guess
    between a missing folder, a damaged file and the permissions. Non-blocking: a FIFO is no wait."""
    try:
        os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
    except OSError as exc:
        return (exc.strerror or str(exc)).lower()
    except (TypeError, ValueError):  # a NUL in the name: SQLite's own message says it
        return None
    return None


def starts_as_sqlite(path: str | Path) -> bool:
    """Whether the file at `path` begins as a SQLite database does (SQLITE_MAGIC); an OSError naming
    `path` when it cannot be read. The one test of that header: `verify`'s check (integrity.py),
    the damage probe before a sync (health.py), the refusal of an output path holding another
    program's database (pipeline/outputs.py); the Action's test of a database an earlier run wrote
    (action/own_files.py) compares SQLITE_MAGIC with the head it reads (read_head)."""
    return read_head(path, len(SQLITE_MAGIC)) == SQLITE_MAGIC


def read_head(path: str | Path, size: int) -> bytes:
    """The first `size` bytes (at most) of the file at `path`; an OSError naming `path` when it
    cannot be read. Non-blocking: a FIFO is no wait."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        return os.read(fd, size)
    except OSError as exc:  # a folder opens, then fails the read without naming itself
        raise OSError(exc.errno, exc.strerror, os.fspath(path)) from None
    finally:
        os.close(fd)


# what a database file that is a Git LFS pointer is said to be (lfs_pointer_at), by the sync and `verify`
LFS_DATABASE = ("a Git LFS pointer, not the database: its content was not fetched (`git lfs pull`; in GitHub "
                "Actions, actions/checkout with `lfs: true`)")


def lfs_pointer_at(path: str | Path) -> bool:
    """Whether the file at `path` is a Git LFS pointer (parsing/lfs.py) where a database was
    expected: a database kept in Git LFS and checked out without it (actions/checkout's default).
    It was "not a database (file is not a database)", and the user looked for a damaged file.
    False when it cannot be read."""
    try:
        return is_lfs_pointer(read_head(path, MAX_POINTER_SIZE))
    except OSError:
        return False


def no_database_to_read(path: str | Path) -> str | None:
    """Why `path` is no database `status`, `search` or `diff` can read (console.no_database), or a
    Git LFS pointer in its place (LFS_DATABASE); None: a file to open. Why the pointer: `sync`,
    `migrate` and `verify` said so, the readers "not an ontosync database: file is not a database"."""
    from ontosync.console import no_database

    if problem := no_database(path):
        return problem
    return f"{path}: {LFS_DATABASE}" if lfs_pointer_at(path) else None


def connect_read_only(path: str | Path) -> sqlite3.Connection:
    """The reader's connection: `search`, `diff` (and its `--base`), `verify`, the Action's changes;
    `status` wraps the same URI in a Peewee database (store/status.py `open_read_only`)."""
    return sqlite3.connect(read_only_uri(path), uri=True, timeout=_waits[-1])


def wait_s() -> float:
    """The wait `reader_wait` set (READ_WAIT_S outside one): for a reader opened another way (Peewee)."""
    return _waits[-1]
