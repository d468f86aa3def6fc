"""The one integrity check: `PRAGMA integrity_check` and `PRAGMA foreign_key_check`, as `verify`,
`fetch-db` and the Action's restore all report it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ontosync.console import Stopped
from ontosync.store.read_only import (
    LFS_DATABASE,
    connect_read_only,
    is_busy,
    lfs_pointer_at,
    starts_as_sqlite,
    unreadable,
)

MAX_LISTED = 20


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """Every integrity_check line other than ok, and every foreign-key violation (empty: sound)."""
    problems = [f"integrity_check: {r[0]}" for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
    problems += [f"foreign_key_check: table {r[0]} row {r[1]} -> {r[2]}"
                 for r in conn.execute("PRAGMA foreign_key_check")]
    return problems


def database_problems(path: str | Path) -> list[str]:
    """The problems of the database file at `path`, read-only, at most MAX_LISTED and a count of the
    rest (empty: clean). A file that is not SQLite or cannot be opened is one problem, not an error."""
    path = Path(path)
    try:
        if not starts_as_sqlite(path):
            return [f"{path.name} is {LFS_DATABASE if lfs_pointer_at(path) else 'not an SQLite database'}"]
        conn = connect_read_only(path)
    except (OSError, sqlite3.Error) as exc:
        if is_busy(exc):  # a writer holds it: exit 4 (cli.py), not "fails its checks", exit 3
            raise
        return [f"cannot open {path.name}: {exc}"]
    try:
        problems = integrity_problems(conn)
    except sqlite3.Error as exc:
        if is_busy(exc):
            raise
        return [f"{path.name}: {exc}"]
    finally:
        conn.close()
    more = len(problems) - MAX_LISTED
    return problems[:MAX_LISTED] + ([f"... and {more} more"] if more > 0 else [])


def readable_problems(path: str | Path) -> list[str]:
    """`verify`'s database_problems: a file this process may not read stops the command with the
    system's reason (fatal, exit 3, one line). It was a problem "cannot open ..." and "fails its
    checks": a sound database called damaged when the user only lacks the permission to read it;
    then an "unable to open" error made up here for classify to find that reason again."""
    if why := unreadable(path):
        raise Stopped(f"{path}: cannot be read: {why}")
    return database_problems(path)
