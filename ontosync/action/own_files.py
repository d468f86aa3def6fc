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

import json
import os
import stat
from pathlib import Path

from ontosync.action.inputs import ActionInputs
from ontosync.store.read_only import starts_as_sqlite

MAX_READ = 256 * 1024 * 1024  # a run report of a very large source; past it, not read (not taken for ours)
KEYS = {"report": "ontosync_version", "checkpoint": "processed"}  # a key each writes at the top level


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
        if kind == "database":
            return starts_as_sqlite(path)
        with open(path, "rb") as fh:
            if info.st_size > MAX_READ:
                return False
            data = json.loads(fh.read())
    except (OSError, ValueError, RecursionError):
        return False
    if not isinstance(data, dict):
        return False
    return KEYS[kind] in data if kind in KEYS else isinstance(data.get("classes"), dict)
