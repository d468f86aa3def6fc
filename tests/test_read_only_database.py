"""A database the user cannot write is exit 3, as the contract says (section 9: "3 stays for
integrity, disk-full, read-only and migration failures"; README's exit-code table: "read-only
database"). The sync checked write permission up front and called it a usage error, exit 2, so a
workflow telling "fix your flags" (2) from "the database needs attention" (3) got it wrong. A
database that does not exist yet, in a folder that cannot be written, stays exit 2: there is no
database yet, only a path that cannot be used."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.helpers import EXAMPLE, cli, dump_file
from tests.privileges import restore_permissions, run_cli_unprivileged


@pytest.fixture
def synced(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(EXAMPLE, src)
    db = tmp_path / "media" / "o.db"
    db.parent.mkdir()
    assert cli("sync", str(src), "--db", str(db), "--quiet").returncode == 0
    yield src, db
    restore_permissions(tmp_path)


def fatal_one_line(proc, *words: str) -> None:
    assert proc.returncode == 3, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith("ontosync: fatal:") and all(w in lines[0] for w in words), lines[0]


@pytest.mark.parametrize("what", ["file", "folder", "-wal", "-shm"])
def test_a_read_only_database_is_exit_3_and_left_as_it_was(synced, what):
    src, db = synced
    before = dump_file(db)
    target = {"file": db, "folder": db.parent}.get(what, db.parent / f"{db.name}{what}")
    if what in ("-wal", "-shm"):
        target.touch()
    os.chmod(target, 0o555 if what == "folder" else 0o444)
    proc = run_cli_unprivileged("sync", str(src), "--db", str(db), "--quiet", "--full")
    os.chmod(target, 0o755 if what == "folder" else 0o644)
    fatal_one_line(proc, "read-only database", str(db), "permission denied")
    assert dump_file(db) == before


def test_a_new_database_in_a_folder_that_cannot_be_written_stays_a_usage_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    os.chmod(folder, 0o555)
    proc = run_cli_unprivileged("sync", str(EXAMPLE), "--db", str(folder / "new.db"), "--quiet")
    os.chmod(folder, 0o755)
    assert proc.returncode == 2, proc.stderr
    assert "cannot write database" in proc.stderr and "Traceback" not in proc.stderr
