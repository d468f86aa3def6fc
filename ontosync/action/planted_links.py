"""Symbolic links the checkout planted where the Action writes.

The Action writes its database (with SQLite's `-wal`, `-shm` and `-journal`, and ontosync's
`.lock`), the checkpoint, the report and the change report at fixed paths of the workspace, and the
workspace holds a pull request's files. A link committed at one of those names was followed:
SQLite writes through links, the container's root chowned and chmodded the target
(`hand_over_files`), and actions/upload-artifact, which follows links, uploaded its target
(`ontology.db -> .git/config`, where actions/checkout keeps the job's token). These paths are the
Action's own files, so a link in their place is removed, with a warning, before anything opens
them; so is a link at a folder on the way to one (`build` of `database: build/x.db`), which led
out of the workspace. A link that cannot be removed stops the Action (exit 2) before anything is
written. (An input naming a place outside the workspace is the workflow's own: a note says so.)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from ontosync.action.commands import Commands
from ontosync.action.inputs import ActionInputs

SQLITE_SIDECARS = ("-wal", "-shm", "-journal", ".lock")


def output_paths(inputs: ActionInputs) -> Iterator[Path]:
    """Every file the Action writes or uploads (no database file for a PostgreSQL server)."""
    if not inputs.database_url:
        db = inputs.database
        yield db
        yield from (db.with_name(db.name + suffix) for suffix in SQLITE_SIDECARS)
    yield from (inputs.checkpoint, inputs.report, inputs.changes)


def linked_folders(inputs: ActionInputs, path: Path) -> Iterator[Path]:
    """The folders between the workspace and `path` (outermost first) that are symbolic links: a
    committed `build -> /github/home` sent `database: build/x.db` out of the workspace, where
    SQLite wrote it and its sidecars and the container's root chowned them. Checked one at a time
    while the caller removes them, so nothing beyond a removed link is looked at through it."""
    try:
        parts = path.parent.relative_to(inputs.workspace).parts
    except ValueError:
        return  # an input naming a place outside the workspace: the user's own (a note says so)
    folder = inputs.workspace
    for part in parts:
        folder = folder / part
        if folder.is_symlink():
            yield folder


def remove_planted_links(cmd: Commands, inputs: ActionInputs) -> str:
    """Unlink each output path, and each folder on the way to one, that is a symbolic link (a
    warning names it and its target). Returns "" or, when a link cannot be removed, why the Action
    stops: writing on would go through it."""
    for path in output_paths(inputs):
        for link in (*linked_folders(inputs, path), path):
            if link.is_symlink() and not _unlink(cmd, inputs, link):
                return (f"{inputs.relative(link)} is a symbolic link (to {os.readlink(link)}) that cannot be "
                        "removed: the Action does not write through a link from the checkout")
    return ""


def _unlink(cmd: Commands, inputs: ActionInputs, link: Path) -> bool:
    target = os.readlink(link)
    try:
        link.unlink()
    except OSError:
        return False
    cmd.warning(f"{inputs.relative(link)} was a symbolic link (to {target}); removed: the Action writes and "
                "uploads its own file there, never through a link from the checkout", title="ontosync: link removed")
    return True
