"""The exception classes a store write or read can raise, without importing Peewee to name them.

A SQLite sync talks to `sqlite3` directly; only the PostgreSQL store (and `status`, `diff`) go
through Peewee, whose import costs a SQLite run ~50 ms of start-up with psycopg2 installed
(issue 18). Peewee's errors can only be raised once Peewee is imported, so its classes join the
tuples exactly when it is loaded: the `except` clauses catch the same errors either way.
"""

from __future__ import annotations

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
    the user went looking for a bad disk with room to spare. Empty otherwise."""
    if not re.search(r"disk I/O error|disk is full", str(exc)):
        return ""
    import resource

    soft = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    if soft == resource.RLIM_INFINITY:
        return ""
    return f" (this process may not write a file past {soft} bytes: `ulimit -f`)"


def first_line(exc: BaseException) -> str:
    """An error's first line (a server's error goes on with the statement and a caret), or its
    type's name when it says nothing."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
