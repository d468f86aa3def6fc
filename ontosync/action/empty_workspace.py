"""An empty workspace is a job that forgot its checkout, not an ontology whose files were all deleted.

On a runner the workspace is empty until `actions/checkout` fills it, and `docker run` without
`-v` gives the image its own empty /github/workspace. Synced as it is, an empty folder is a tree
with no files: every file the database holds (a restored artifact) is deleted, the run exits 0,
and the emptied database is uploaded under the artifact's name, where `restore-artifact` and
`fetch-db` take it as the newest. So the Action stops before it restores or writes anything.
A checkout is never empty (it holds at least `.git`), nor is a folder of it (git keeps no empty
folder), but for a submodule's that was not checked out: a `path` folder so empty stops the run
too. A repository read through the API (`repository`) needs none.
"""

from __future__ import annotations

import os
from pathlib import Path

from ontosync.action.inputs import ActionInputs


def empty_workspace(inputs: ActionInputs) -> str | None:
    """The error to stop with when the local source is an empty folder, or its `path` folder is (a
    submodule actions/checkout did not fetch: without `submodules: true`, its default, git leaves
    the folder empty, and its sync deleted every file of the restored database); else None (a
    missing or unreadable folder is left to the sync, which names what is wrong with it)."""
    if not inputs.local_source:
        return None
    if _empty(inputs.workspace):
        return (f"the workspace {inputs.workspace} is empty: check out the repository first (a step "
                "`uses: actions/checkout`), or name it with the `repository` input; with `docker run`, mount "
                "the folder: -v \"$PWD\":/github/workspace. Nothing was synced, restored or uploaded.")
    folder = inputs.path  # (the sync's, normalized: inputs.synced_folder)
    if folder and _empty(inputs.workspace / folder):
        return (f"the `path` folder {folder} is empty: a submodule that was not checked out? (actions/checkout "
                "fetches submodules with `submodules: true`). Nothing was synced, restored or uploaded.")
    return None


def _empty(folder: Path) -> bool:
    """Whether `folder` lists no entry (False when it cannot be listed)."""
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except OSError:
        return False
