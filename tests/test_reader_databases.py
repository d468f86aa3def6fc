"""The read commands (`search`, `diff`, `status`) on databases a user really has: named
with characters that mean something in an SQLite URI (`#`, `?`, `%`), in a read-only folder, and
an `--output` that cannot be written. Each test failed before its fix."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from tests.helpers import EXAMPLE, cli
from tests.privileges import restore_permissions, run_cli_unprivileged


@pytest.fixture
def example_db(fresh_sync):
    if not EXAMPLE.is_dir():
        pytest.skip(f"{EXAMPLE} is missing")
    return fresh_sync(EXAMPLE)


def _curies(out: str) -> list[str]:
    return sorted(hit["curie"] for hit in json.loads(out))


@pytest.mark.parametrize("name", ["x#y.db", "q?z.db", "p%41.db"])
def test_search_and_diff_base_read_a_database_named_with_uri_characters(example_db, tmp_path, name):
    """`search` and `diff --base` built an unquoted `file:` URI: `x#y.db` opened (and created) `x`,
    so search said "run `ontosync sync` first" and diff "not an ontosync database"; `%41` failed."""
    db = tmp_path / name
    shutil.copy(example_db, db)
    before = set(os.listdir(tmp_path))
    expected = cli("search", "robot", "--db", str(example_db), "--json")
    assert expected.returncode == 0 and _curies(expected.stdout), expected.stderr

    found = cli("search", "robot", "--db", str(db), "--json")
    assert found.returncode == 0, found.stderr
    assert _curies(found.stdout) == _curies(expected.stdout)

    diff = cli("diff", "--db", str(example_db), "--base", str(db), "--format", "json")
    assert diff.returncode == 0, diff.stderr
    classes = json.loads(diff.stdout)["classes"]
    assert classes == {"added": [], "removed": [], "changed": []}
    assert set(os.listdir(tmp_path)) - before <= {f"{name}-shm", f"{name}-wal"}  # no stray `x`, `q`


def test_search_and_diff_base_work_in_a_read_only_folder(example_db, tmp_path):
    """A WAL database in a read-only folder (a mounted artifact, a shared drive): `status` and
    `diff` read it, but `search` failed with exit 3 "attempt to write a readonly database" and
    `diff --base` called it "not an ontosync database"."""
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "onto.db"
    shutil.copy(example_db, db)
    expected = cli("search", "robot", "--db", str(example_db), "--json")
    os.chmod(db, 0o444)
    os.chmod(folder, 0o555)
    try:
        found = run_cli_unprivileged("search", "robot", "--db", str(db), "--json")
        assert found.returncode == 0, found.stderr
        assert _curies(found.stdout) == _curies(expected.stdout)
        diff = run_cli_unprivileged("diff", "--db", str(example_db), "--base", str(db), "--format", "json")
        assert diff.returncode == 0, diff.stderr
        assert json.loads(diff.stdout)["classes"]["added"] == []
        assert os.listdir(folder) == ["onto.db"]
    finally:
        restore_permissions(tmp_path)


@pytest.mark.parametrize("where", ["missing/changes.json", "."])
def test_diff_output_that_cannot_be_written_is_one_line_exit_2(example_db, tmp_path, where):
    """`diff --output` into a folder that does not exist (or onto a folder) printed a
    FileNotFoundError (IsADirectoryError) traceback and exited 1."""
    target = tmp_path / where
    proc = cli("diff", "--db", str(example_db), "--output", str(target))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ontosync: error: --output ") and str(target) in lines[0]
    assert proc.stdout == ""


def test_search_takes_the_database_from_the_environment_like_every_other_command(example_db):
    """README (PostgreSQL): `--db` or ONTOSYNC_DATABASE_URL, for sync, status, verify, migrate,
    diff and search; `search` alone required `--db` ("the following arguments are required")."""
    env = {"ONTOSYNC_DATABASE_URL": str(example_db)}
    expected = cli("search", "robot", "--db", str(example_db), "--json")
    found = cli("search", "robot", "--json", env=env)
    assert found.returncode == 0, found.stderr
    assert _curies(found.stdout) == _curies(expected.stdout) != []
    assert cli("status", env=env).returncode == 0  # as status already did


def test_a_database_another_process_is_writing_is_busy_not_read_mid_write(example_db, tmp_path):
    """A rollback-journal database (journal_mode=DELETE: a legacy one, or set by hand) whose writer
    holds the EXCLUSIVE lock: the read-only open fell back to `immutable=1`, which reads the file's
    pages as they are mid-write (SQLite's docs: corrupt results). It is busy: exit 4, one line."""
    import sqlite3
    import subprocess
    import sys

    db = tmp_path / "rollback.db"
    shutil.copy(example_db, db)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
    conn.close()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys\n"
        f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
        "c.execute('BEGIN EXCLUSIVE'); print('held', flush=True); sys.stdin.read()\n")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        proc = cli("search", "robot", "--db", str(db), "--busy-timeout", "0.3")  # not the default 5 s' wait
    finally:
        holder.communicate("", timeout=60)
    assert proc.returncode == 4, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ontosync: busy: ") and "Traceback" not in proc.stderr
    assert cli("search", "robot", "--db", str(db)).returncode == 0  # once the writer is gone
