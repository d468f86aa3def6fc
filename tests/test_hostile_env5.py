"""Permissions as an unprivileged user (tests/privileges.py): a database, or a file beside it, the
user may not read or write, where root's override hid the defect."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.helpers import EXAMPLE, cli
from tests.privileges import restore_permissions, run_cli_unprivileged


@pytest.fixture
def two_databases(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(EXAMPLE, src)
    head = tmp_path / "head.db"
    assert cli("sync", str(src), "--db", str(head), "--quiet").returncode == 0
    base = tmp_path / "base.db"
    shutil.copy(head, base)
    yield head, base
    restore_permissions(tmp_path)


def test_diff_whose_base_cannot_be_read_names_the_base_not_the_head(two_databases):
    """`diff --db head.db --base base.db`, base.db mode 000: "fatal: head.db: unable to open
    database file" sent the user to the readable head."""
    head, base = two_databases
    os.chmod(base, 0)
    proc = run_cli_unprivileged("diff", "--db", str(head), "--base", str(base))
    os.chmod(base, 0o644)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert str(base) in lines[0] and str(head) not in lines[0], lines[0]
    assert "permission denied" in lines[0] and proc.stdout == "", lines[0]
