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
    assert proc.returncode == 3 and proc.stdout == "", proc.stderr  # README: 3 when a database cannot be read
    assert proc.stderr == f"ontosync: fatal: {base}: cannot be read: permission denied\n", proc.stderr


def test_fetch_db_into_a_folder_it_may_not_write_is_one_line_before_the_download(tmp_path):
    from tests.fake_artifacts import FakeArtifactServer
    from tests.test_fetch_db import REPO, TOKEN, make_db

    folder = tmp_path / "ro"
    folder.mkdir()
    old = folder / "o.db"
    make_db(old, "old")
    (folder / "o.db-wal").write_bytes(b"")
    before = old.read_bytes()
    os.chmod(folder, 0o555)
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "new.db", "new")})
        proc = run_cli_unprivileged("fetch-db", REPO, "--out", str(old), "--api-url", fake.api_url,
                                    env={"GITHUB_TOKEN": TOKEN})
        zips = fake.requests["zip"]
    os.chmod(folder, 0o755)
    err = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(err) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert str(folder) in err[0] and "permission denied" in err[0].lower(), err[0]
    assert old.read_bytes() == before and (folder / "o.db-wal").exists()
    assert zips == 0, "refused before the download, as sync refuses an output up front"


def test_files_kept_from_a_folder_that_cannot_be_listed_are_in_the_total(tmp_path):
    """Their facts kept, they were counted `failed` but not in `files.total`: 4 files, of which 2
    failed and 4 unchanged, and the progress line said 6/4 (150.0%)."""
    import json

    from tests.test_unreadable import FILES, make_tree

    tree, db, report = tmp_path / "tree", tmp_path / "o.db", tmp_path / "r.json"
    make_tree(tree)
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    os.chmod(tree / "locked", 0)
    proc = run_cli_unprivileged("sync", str(tree), "--db", str(db), "--max-error-rate", "1", "--report", str(report))
    os.chmod(tree / "locked", 0o755)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    files = json.loads(report.read_text())["files"]
    assert files["failed"] == 2 and files["deleted"] == 0, files
    assert files["total"] == len(FILES) == files["ok"] + files["failed"] + files["skipped"] + files["unchanged"], files
    assert f"{len(FILES)}/{len(FILES)} (100.0%)" in proc.stderr, proc.stderr


@pytest.mark.parametrize("command", [("status",), ("search", "Actuator"), ("diff",)])
def test_a_database_it_may_not_read_is_said_so(two_databases, command):
    """Mode 000: "fatal: o.db: database error: unable to open database file" left the user to
    guess between a missing folder, a damaged file and the permissions."""
    head, _ = two_databases
    os.chmod(head, 0)
    proc = run_cli_unprivileged(*command, "--db", str(head))
    os.chmod(head, 0o644)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 3 and len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0] == f"ontosync: fatal: {head}: cannot be read: permission denied", lines[0]


def test_verify_of_a_database_it_may_not_read_does_not_say_it_fails_its_checks(two_databases):
    """Mode 000: "verify: cannot open head.db: [Errno 13] ..." then "verify failed: ... fails its
    checks (above)", two lines calling a sound database damaged."""
    head, _ = two_databases
    os.chmod(head, 0)
    proc = run_cli_unprivileged("verify", "--db", str(head))
    os.chmod(head, 0o644)
    assert proc.returncode == 3 and proc.stdout == "", proc.stderr
    assert proc.stderr == f"ontosync: fatal: {head}: cannot be read: permission denied\n", proc.stderr
