"""Which repository the Action synced when it synced a checkout: the `origin` of the checkout
holding the synced folder, which need not be the workflow's GITHUB_REPOSITORY (actions/checkout's
`repository:` input). The job summary names it; a failed file's annotation links only into the
workflow's own repository. (A PostgreSQL schema is named after the same checkout by the sync:
sources/git_head.checkout_origin.)
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping
from pathlib import Path

from ontosync.action.inputs import ActionInputs
from ontosync.sources.git_head import head_revision, origin_repository


def shown_source(env: Mapping[str, str], inputs: ActionInputs | None) -> dict[str, str]:
    """The summary's source for a checkout: the repository's name, the `path` folder synced in it,
    and (`commit`) the commit of the checkout holding that folder when it is not the workspace's
    own (a submodule, another repository cloned into `path`; "" when it cannot be read): the
    report's revision is the workspace's, the workflow's commit that a push's figures are measured
    by, and "lab/terms at" it named no commit of lab/terms. The sync's report names the workspace
    as the container mounts it (/github/workspace), which is no path on the runner nor in the
    repository."""
    if inputs is None or not inputs.local_source:
        return {}
    folder = posixpath.normpath(inputs.path.strip("/")) if inputs.path.strip("/") else ""  # (the config's too)
    shown = {"source": checked_out_repository(env, inputs.workspace, folder), "folder": folder}
    place, inside = holding_checkout(inputs.workspace, folder)
    if place is None or place == inputs.workspace:
        return shown
    return {**shown, "commit": head_revision(place, inside)[0] or ""}  # ("": unknown, rather than the workspace's)


def holding_checkout(workspace: Path, folder: str) -> tuple[Path | None, Path]:
    """(the nearest folder holding `folder` of the workspace that has a `.git`, None when none
    does, up to the workspace; the workspace's real path, which its git files must be in)."""
    synced, inside = Path(os.path.normpath(workspace / folder)), Path(os.path.realpath(workspace))
    for place in (synced, *synced.parents):
        # (a `path` folder linked out of the workspace: no checkout elsewhere on the runner is read)
        if (place / ".git").exists() and Path(os.path.realpath(place)).is_relative_to(inside):
            return place, inside
        if place == workspace:
            break
    return None, inside


def checked_out_repository(env: Mapping[str, str], workspace: Path, folder: str) -> str:
    """The `origin` of the nearest checkout holding the synced folder (actions/checkout's
    `repository:`, into the workspace or its `path:`), else GITHUB_REPOSITORY (`.` without it).
    GITHUB_REPOSITORY alone is the workflow's repository: a workflow syncing another repository's
    checkout had its summary name itself."""
    place, inside = holding_checkout(workspace, folder)
    return (origin_repository(place, inside) if place else None) or env.get("GITHUB_REPOSITORY") or "."


def links_files(env: Mapping[str, str], shown: Mapping[str, str]) -> bool:
    """Whether a failed file's annotation may name it, `shown` being shown_source's answer: GitHub
    shows `file=` in the workflow's repository at the run's commit, so not for the API's source
    (`shown` is empty), nor for a checkout of another repository (its path marked a file of the
    workflow's, or none)."""
    synced = shown.get("source")
    return synced is not None and (synced == "." or synced.lower() == (env.get("GITHUB_REPOSITORY") or "").lower())
