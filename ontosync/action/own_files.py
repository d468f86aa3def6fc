"""The files the Action removes before its sync are only ones an earlier run wrote there.

Before the sync the Action removes an earlier run report and change JSON (they must not pass for
this run's), and on a pull request the database and checkpoint (the base branch's database is built
in their place), as a restored artifact's replace them on a push. An input naming a file of the
checkout instead (`report: pages/Boat.md`, `checkpoint: .ontosync.yml`) had it deleted: the sync
refused the name only afterwards, or, the configuration file gone, took it and wrote its checkpoint
there (exit 0), and a later step's `git add -A` committed the loss. Such an input is refused first,
naming it, nothing removed.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from pathlib import Path

from ontosync.action.inputs import ActionInputs
from ontosync.parsing.lfs import MAX_POINTER_SIZE, is_lfs_pointer
from ontosync.store.read_only import SQLITE_MAGIC, file_uri, read_head
from ontosync.store.shapes import UNKNOWN, detect
from ontosync.store.upgrade_errors import MigrationFailed

HEAD = 64 * 1024  # what is read of a report, change JSON or checkpoint: they are told by their opening
# The key each opens with, and one each writes soon after it (before any list of files or rows).
# Why only the opening: a genuine report of a very large source (over 256 MiB) was refused unread,
# and one under that was json.loads'ed whole to tell (a MemoryError on a small runner).
OPENINGS = {kind: re.compile(rf'\A\s*\{{\s*"{first}"\s*:[\s\S]*"{then}"\s*:') for kind, first, then in (
    ("report", "ontosync_version", "source"), ("changes", "base", "classes"), ("checkpoint", "source", "processed"))}


def foreign_output(inputs: ActionInputs, pull_request: bool) -> str | None:
    """One line refusing the first input whose file the run would remove (or replace: a restored
    artifact's database and checkpoint) and no run of ontosync wrote; None when there is none."""
    named = [("report", inputs.report, "report"), ("report", inputs.changes, "changes")]
    if pull_request or inputs.restore_artifact:
        named += [("database", inputs.database, "database"), ("checkpoint", inputs.checkpoint, "checkpoint")]
    for name, path, kind in named:
        if not _ours(path, kind):
            what = f"the change JSON beside it ({inputs.relative(path)})" if kind == "changes" else \
                inputs.relative(path)
            return (f"input {name!r}: {what} is a file no ontosync run wrote (not its {kind}), which the run would "
                    f"remove first: give {name!r} a path of its own")
    return None


def _ours(path: Path, kind: str) -> bool:
    """Whether the run may remove `path` as an earlier run's `kind`: there is nothing (no regular
    file: its removal fails harmlessly; an empty one, as a failed run may leave a database), or it
    is what ontosync writes there."""
    try:
        info = os.stat(path)
    except OSError:
        return True
    if not stat.S_ISREG(info.st_mode) or info.st_size == 0:
        return True
    try:
        head = read_head(path, HEAD)  # (non-blocking: a FIFO put there since the stat is no wait)
        if kind == "database":  # a Git LFS pointer (checked out without `lfs: true`) is replaced, as before
            if head.startswith(SQLITE_MAGIC):
                return not _other_programs(path)
            return info.st_size < MAX_POINTER_SIZE and is_lfs_pointer(head)
        return OPENINGS[kind].match(head.decode("utf-8", "replace")) is not None
    except OSError:
        return False


def _other_programs(path: Path) -> bool:
    """Whether the SQLite database at `path` is another program's: tables, none of them ontosync's
    (which the sync refuses, nothing changed, where the run had removed or replaced it first). Read
    from the file alone (a kept database's -wal is the restore's to clear); one that cannot be read
    (damaged) or has no tables there yet is not told apart: an earlier run's, replaced as before."""
    try:
        conn = sqlite3.connect(file_uri(path) + "&immutable=1", uri=True)  # no lock, no -wal or -shm touched
        try:
            found = detect(conn)
        finally:
            conn.close()
    except (sqlite3.Error, MigrationFailed, OSError):
        return False
    ours = {"owl_classes", "schema_migrations"}  # an older ontosync's layout, or one half-made or damaged: not refused
    return found.shape == UNKNOWN and bool(found.tables) and not ours & set(found.tables)
