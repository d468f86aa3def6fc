"""The exception classes a store write or read can raise, without importing Peewee to name them.

A SQLite sync talks to `sqlite3` directly; only the PostgreSQL store (and `status`, `diff`) go
through Peewee, whose import costs a SQLite run ~50 ms of start-up with psycopg2 installed
(issue 18). Peewee's errors can only be raised once Peewee is imported, so its classes join the
tuples exactly when it is loaded: the `except` clauses catch the same errors either way.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys


def _with_peewee(sqlite_class: type[Exception], name: str) -> tuple[type[Exception], ...]:
    peewee = sys.modules.get("peewee")
    return (sqlite_class,) if peewee is None else (sqlite_class, getattr(peewee, name))


def database_errors() -> tuple[type[Exception], ...]:
    """sqlite3.DatabaseError, and Peewee's DatabaseError (PostgreSQL's, as Peewee raises them) if loaded."""
    return _with_peewee(sqlite3.DatabaseError, "DatabaseError")


def operational_errors() -> tuple[type[Exception], ...]:
    """sqlite3.OperationalError (a locked database), and Peewee's if loaded."""
    return _with_peewee(sqlite3.OperationalError, "OperationalError")


def server_stopped(exc: BaseException) -> str | None:
    """Why a PostgreSQL server stopped a write (store/pg/session_lost.py), None otherwise; imports
    nothing of PostgreSQL's on a SQLite run."""
    if "psycopg2" not in sys.modules:
        return None
    from ontosync.store.pg.session_lost import explain

    return explain(exc)


def size_limit_note(exc: BaseException) -> str:
    """` (...ulimit -f...)` when SQLite's "disk I/O error" (or "disk is full") may be the process's
    file size limit: a write past it fails with EFBIG, which SQLite reports as a failing disk, and
    the user went looking for a bad disk with room to spare. Then, on "disk is full", the folder of
    SQLite's temporary files (`temp_folder_note`). Empty otherwise."""
    if not re.search(r"disk I/O error|disk is full", str(exc)):
        return ""
    import resource

    soft = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    limit = ""
    if soft != resource.RLIM_INFINITY:
        limit = f" (this process may not write a file past {soft} bytes: `ulimit -f`)"
    return limit + temp_folder_note(exc)


# Where SQLite's Unix layer puts its temporary files when no PRAGMA names a folder (os_unix.c
# unixTempFileDir): the first writable folder of these, after $SQLITE_TMPDIR and $TMPDIR.
_SQLITE_TEMP_DIRS = ("/var/tmp", "/usr/tmp", "/tmp", ".")


def sqlite_temp_folder() -> str:
    """The folder SQLite's temporary files (large sorts, index builds, a big transaction's
    statement journal) go to, chosen as SQLite chooses it."""
    for folder in (os.environ.get("SQLITE_TMPDIR"), os.environ.get("TMPDIR"), *_SQLITE_TEMP_DIRS):
        if folder and os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
            return os.path.abspath(folder)  # "." is the working folder: named as such
    return os.path.abspath(".")


def temp_folder_note(exc: BaseException) -> str:
    """` (SQLite's temporary files go to ...)` on SQLite's "database or disk is full": a full
    $TMPDIR says exactly that while the database's disk has room, and the user freed the wrong
    disk. Names the folder and its free space; empty for any other error."""
    if "disk is full" not in str(exc):
        return ""
    folder = sqlite_temp_folder()
    try:
        st = os.statvfs(folder)
        free = f", {st.f_bavail * st.f_frsize / 1e6:,.0f} MB free there"
    except OSError:
        free = ""
    return (f" (SQLite's temporary files go to {folder}{free}: if that disk is the full one, set $SQLITE_TMPDIR "
            "to a folder with room)")


def first_line(exc: BaseException) -> str:
    """An error's first line (a server's error goes on with the statement and a caret), or its
    type's name when it says nothing."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
