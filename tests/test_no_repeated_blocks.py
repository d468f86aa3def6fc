"""Issue 17: no block of six or more lines repeated (the same lines, or the same shape with other
names) inside `ontosync/` or `migrations/`, as the `duplicates` command measures it.

`duplicates` is a developer tool, not a dependency (it is not installed from a registry and must
not be copied into the repository): where it is not on PATH this test skips, with its reason."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.helpers import ROOT

TOOL = shutil.which("duplicates")


@pytest.mark.skipif(TOOL is None, reason="the `duplicates` command is not on PATH")
@pytest.mark.parametrize("folder", ["ontosync", "migrations"])
def test_no_block_of_six_lines_repeats(folder):
    proc = subprocess.run([TOOL, "--repo", folder, "--min-lines", "6", "--most", "200", "--seconds", "120"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    lines = proc.stdout.splitlines()
    assert lines and lines[0].startswith("no duplicates"), proc.stdout
    assert not [line for line in lines if line.startswith(("left out:", "incomplete:"))], proc.stdout
