"""The configuration file a pull request's base is synced with, when the `config` input names one.

The base is synced to diff the pull request against it. With the head's file for both sides, a pull
request that changes that file (its include/exclude, its ontology ids) showed no change of its own.
So the base reads the base's version of the file, as it reads the base's ontology files: the same
path in the base's tree. A file of the checkout the base does not hold leaves the base with the
defaults, as a base without `.ontosync.yml` is (the input replaces `.ontosync.yml` on both sides). A
file outside the checkout, or one no commit holds (an earlier step wrote it), is the workflow's own
and applies to both sides.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ontosync.action.inputs import ActionInputs

DEFAULTS_FILE = "defaults.yml"  # an empty configuration file: the defaults, whatever the tree holds


def base_flags(flags: list[str], inputs: ActionInputs, tree: Path | None, tmp: Path) -> list[str]:
    """`flags` (the head's sync flags) with `--config` naming the base's version of the file when
    the base is synced from `tree` (the base commit's files, from the checkout's history), the
    file is the checkout's and the head commit holds it; `tmp`: a folder of the run's own, for an
    empty file standing for the defaults."""
    if tree is None or inputs.config is None or not committed(inputs.workspace, inputs.config):
        return flags
    rel = inputs.config.relative_to(inputs.workspace)
    at_base = tree / rel
    if not at_base.is_file():
        at_base = tmp / DEFAULTS_FILE
        at_base.write_text("", encoding="utf-8")
    i = flags.index("--config")
    return [*flags[:i], "--config", str(at_base), *flags[i + 2:]]


def committed(workspace: Path, config: Path) -> bool:
    """Whether `config` is a file of the checkout that git tracks (in its index): the pull request's
    to change, not one an earlier step of the job wrote."""
    git = shutil.which("git")
    if git is None or not config.is_relative_to(workspace):
        return False
    rel = os.path.relpath(config, workspace)
    try:
        done = subprocess.run([git, "-c", "safe.directory=*", "-C", str(workspace), "ls-files", "--error-unmatch",
                               "--", rel], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0
