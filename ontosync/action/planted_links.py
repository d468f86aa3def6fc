"""Symbolic links the checkout planted where the Action writes.

The Action writes its database (with SQLite's `-wal`, `-shm` and `-journal`, and ontosync's
`.lock`), the checkpoint, the report and the change report at fixed paths of the workspace, and the
workspace holds a pull request's files. A link committed at one of those names was followed:
SQLite writes through links, the container's root chowned and chmodded the target
(`hand_over_files`), and actions/upload-artifact, which follows links, uploaded its target
(`ontology.db -> .git/config`, where actions/checkout keeps the job's token). These paths are the
Action's own files, so a link in their place is removed, with a warning, before anything opens
them. (The Docker Action sees only the workspace: a link cannot reach a cache outside it anyway;
the `database` input names such a place.)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from ontosync.action.commands import Commands
from ontosync.action.inputs import ActionInputs

SQLITE_SIDECARS = ("-wal", "-shm", "-journal", ".lock")
CHANGES_FILE = "ontosync-changes.json"  # beside the report (action/changes.py)


def output_paths(inputs: ActionInputs) -> Iterator[Path]:
    """Every file the Action writes or uploads (no database file for a PostgreSQL server)."""
    if not inputs.database_url:
        db = inputs.database
        yield db
        yield from (db.with_name(db.name + suffix) for suffix in SQLITE_SIDECARS)
    yield from (inputs.checkpoint, inputs.report, inputs.report.with_name(CHANGES_FILE))


def remove_planted_links(cmd: Commands, inputs: ActionInputs) -> None:
    """Unlink each output path that is a symbolic link (a warning names it and its target)."""
    for path in output_paths(inputs):
        if not path.is_symlink():
            continue
        target = os.readlink(path)
        shown = inputs.relative(path)
        try:
            path.unlink()
        except OSError as exc:
            cmd.warning(f"{shown} is a symbolic link (to {target}) that cannot be removed: {exc.strerror}",
                        title="ontosync: link in the way")
            continue
        cmd.warning(f"{shown} was a symbolic link (to {target}); removed: the Action writes and uploads its "
                    "own file there, never through a link from the checkout", title="ontosync: link removed")
