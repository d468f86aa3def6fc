"""Which repository the Action synced when it synced a checkout: the `origin` of the checkout
holding the synced folder, which need not be the workflow's GITHUB_REPOSITORY (actions/checkout's
`repository:` input). The job summary names it; a failed file's annotation links only into the
workflow's own repository. (A PostgreSQL schema is named after the same checkout by the sync:
sources/git_head.checkout_origin; the Action reads it once a run: inputs.read_checkout.)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ontosync.action.inputs import ActionInputs
from ontosync.sources.git_head import head_revision


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
    place, origin = inputs.checked_out()  # (`path`: the sync's, normalized; read once a run)
    top = Path(os.path.realpath(inputs.workspace))
    shown = {"source": origin or env.get("GITHUB_REPOSITORY") or ".", "folder": inputs.path}
    if place is None or place == top:
        return shown
    return {**shown, "commit": head_revision(place, top)[0] or ""}  # ("": unknown, rather than the workspace's)


def links_files(env: Mapping[str, str], shown: Mapping[str, str]) -> bool:
    """Whether a failed file's annotation may name it, `shown` being shown_source's answer: GitHub
    shows `file=` in the workflow's repository at the run's commit, so not for the API's source
    (`shown` is empty), nor for a checkout of another repository (its path marked a file of the
    workflow's, or none)."""
    synced = shown.get("source")
    return synced is not None and (synced == "." or synced.lower() == (env.get("GITHUB_REPOSITORY") or "").lower())
