"""Issue h16: the environment the CLI runs in is hostile (closed standard streams, pipes closed
early, an ASCII-only locale), and still no traceback reaches the user and the exit code is the
contract's.

Each test starts a real process (`run_cli` or `subprocess` with a closed descriptor): the point
is what the interpreter does with its standard streams before ontosync runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, cli, copy_example


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> tuple[Path, Path]:
    tmp_path = tmp_path_factory.mktemp("hostile-env")
    tree = copy_example(tmp_path)
    db = tmp_path / "o.db"
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    return tree, db


def _closed(fd: int, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`ontosync ARGS` with descriptor `fd` (1 or 2) closed, as `>&-` / `2>&-` leave it; the other
    stream is captured. A shell does the closing, as a user's would."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = " ".join(f"'{a}'" for a in (sys.executable, "-m", "ontosync", *args))
    return subprocess.run(["sh", "-c", f"exec {command} {fd}>&-"], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600)


@pytest.mark.parametrize("command", [["status"], ["verify"], ["search", "a"], ["diff"]])
def test_a_closed_standard_output_is_no_traceback(synced, command):
    """`ontosync status >&-` (cron, a daemon, a CI step that closed it): the output has nowhere to
    go, as with `> /dev/null`; the command still does its work and exits as it would."""
    _, db = synced
    proc = _closed(1, *command, "--db", str(db))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr


def test_a_sync_with_standard_output_closed_succeeds(synced, tmp_path):
    tree, _ = synced
    proc = _closed(1, "sync", str(tree), "--db", str(tmp_path / "n.db"))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert "0 failed" in proc.stderr


def test_a_sync_with_standard_error_closed_succeeds(synced, tmp_path):
    """The progress lines go to stderr; with it closed they are dropped and the run completes
    (it exited 1 half-way, after the first progress line, with no word anywhere)."""
    tree, _ = synced
    db = tmp_path / "n.db"
    proc = _closed(2, "sync", str(tree), "--db", str(db))
    assert "Traceback" not in proc.stdout, proc.stdout
    assert proc.returncode == 0, proc.stdout
    assert cli("status", "--db", str(db)).returncode == 0
