"""An empty workspace is a job that forgot its checkout, not an ontology whose files were all deleted.

On a runner the workspace is empty until `actions/checkout` fills it, and `docker run` without
`-v` gives the image its own empty /github/workspace. Synced as it is, an empty folder is a tree
with no files: every file the database holds (a restored artifact) is deleted, the run exits 0,
and the emptied database is uploaded under the artifact's name, where `restore-artifact` and
`fetch-db` take it as the newest. So the Action stops before it restores or writes anything.
A checkout is never empty (it holds at least `.git`); a repository read through the API
(`repository`) needs none.
"""

from __future__ import annotations

import os

from ontosync.action.inputs import ActionInputs


def empty_workspace(inputs: ActionInputs) -> str | None:
    """The error to stop with when the local source is an empty folder, else None (a missing or
    unreadable workspace is left to the sync, which names what is wrong with it)."""
    if not inputs.local_source:
        return None
    try:
        with os.scandir(inputs.workspace) as entries:
            if next(entries, None) is not None:
                return None
    except OSError:
        return None
    return (f"the workspace {inputs.workspace} is empty: check out the repository first (a step "
            "`uses: actions/checkout`), or name it with the `repository` input; with `docker run`, mount "
            "the folder: -v \"$PWD\":/github/workspace. Nothing was synced, restored or uploaded.")
