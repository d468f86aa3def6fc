"""Running the CLI where file permissions bind (CI runs as root, where they do not).

As root, the child runs under `setpriv` without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: still
uid 0, but bound by permission bits like any user, so `chmod 000` bites (dropping to `nobody`
does not work here: the interpreter lives under /root, which `nobody` cannot enter). As any other
user the CLI runs as that user. Tests skip, with the reason, only when neither is possible, and
fail instead under ONTOSYNC_REQUIRE_UNPRIVILEGED=1 (.ci/run sets it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

DROP = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]


def _unavailable(reason: str) -> None:
    if os.environ.get("ONTOSYNC_REQUIRE_UNPRIVILEGED") == "1":
        pytest.fail(f"ONTOSYNC_REQUIRE_UNPRIVILEGED=1 but {reason}")
    pytest.skip(reason)


def _prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        _unavailable("running as root without setpriv (util-linux): permissions cannot be made to bind")
    probe = subprocess.run([*DROP, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        _unavailable(f"setpriv cannot drop capabilities here: {probe.stderr.strip()}")
    return DROP


def run_cli_unprivileged(*args: str, env: dict | None = None, timeout: float = 600, cwd: Path | None = None):
    """`python -m ontosync ARGS` bound by file permissions, in a fresh process."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([*_prefix(), sys.executable, "-m", "ontosync", *args], capture_output=True,
                          text=True, env=full_env, timeout=timeout, cwd=cwd)


def restore_permissions(path: Path) -> None:
    """Make a tree writable again so pytest can remove it."""
    for dirpath, dirs, _files in os.walk(path):
        for d in dirs:
            os.chmod(os.path.join(dirpath, d), 0o755)
