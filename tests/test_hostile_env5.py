"""Permissions as an unprivileged user (tests/privileges.py): a database, or a file beside it, the
user may not read or write, where root's override hid the defect."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.helpers import EXAMPLE, cli
from tests.privileges import restore_permissions, run_cli_unprivileged


@pytest.fixture(scope="module")
def two_databases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("two")
    src = folder / "src"
    shutil.copytree(EXAMPLE, src)
    head = folder / "head.db"
    assert cli("sync", str(src), "--db", str(head), "--quiet").returncode == 0
    base = folder / "base.db"
    shutil.copy(head, base)
    yield head, base
    restore_permissions(folder)


READERS = """
import contextlib, io, sys
from ontosync.cli import main
for args in {commands!r}:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()) as out:
        code = main(list(args))
    print(repr((code, err.getvalue(), out.getvalue())))
"""


def run_readers_unprivileged(*commands: tuple[str, ...]) -> list[tuple[int, str, str]]:
    """Each command's (exit code, stderr, stdout), all in ONE process bound by permissions: a
    process each cost ~0.25 CPU-s."""
    import ast
    import subprocess
    import sys

    from tests.helpers import ROOT
    from tests.privileges import _prefix

    proc = subprocess.run([*_prefix(), sys.executable, "-c", READERS.format(commands=commands)], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [ast.literal_eval(line) for line in proc.stdout.splitlines()]


def test_a_database_it_may_not_read_is_said_so_by_every_reader(two_databases):
    """Mode 000. status, search and diff said "fatal: o.db: database error: unable to open database
    file", leaving the user to guess between a missing folder, a damaged file and the permissions;
    verify said "cannot open ..." then "fails its checks (above)", two lines calling a sound
    database damaged; `diff --db head.db --base base.db` with the base unreadable named the
    readable head."""
    head, base = two_databases
    os.chmod(base, 0)
    try:
        results = run_readers_unprivileged(
            ("status", "--db", str(base)), ("search", "Actuator", "--db", str(base)), ("diff", "--db", str(base)),
            ("verify", "--db", str(base)), ("diff", "--db", str(head), "--base", str(base)))
    finally:
        os.chmod(base, 0o644)
    said = f"ontosync: fatal: {base}: cannot be read: permission denied\n"
    assert results == [(3, said, "")] * 5, results  # README: diff exits 3 when a database cannot be read


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


def test_fetch_db_that_cannot_clear_the_old_shm_keeps_the_old_wal(tmp_path):
    """A shared sticky folder (mode 1777) where `o.db-shm` is another user's: fetch-db deleted the
    old database's `-wal`, then failed on the `-shm` and left the old database without the commits
    its `-wal` held. The `-shm` (an index SQLite rebuilds) goes first, so a failure loses nothing."""
    import sqlite3
    import subprocess
    import sys

    from tests.fake_artifacts import FakeArtifactServer
    from tests.helpers import ROOT
    from tests.test_fetch_db import REPO, TOKEN, make_db, marker_of

    if os.geteuid() != 0:
        pytest.skip("only root can give the -shm to another user here")
    make_db(tmp_path / "work.db", "old")
    folder = tmp_path / "shared"
    folder.mkdir()
    conn = sqlite3.connect(tmp_path / "work.db")
    conn.execute("PRAGMA journal_mode=wal")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("UPDATE marker SET value = 'in-the-wal'")
    conn.commit()
    for suffix in ("", "-wal", "-shm"):
        shutil.copy(tmp_path / f"work.db{suffix}", folder / f"o.db{suffix}")
    conn.close()
    for other in (folder / "o.db-shm", folder):  # the folder too: its owner may delete anything in it
        os.chown(other, 65534, 65534)
    os.chmod(folder, 0o1777)
    drop = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "new.db", "new")})
        proc = subprocess.run([*drop, sys.executable, "-m", "ontosync", "fetch-db", REPO, "--out", str(folder / "o.db"),
                               "--api-url", fake.api_url], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT), "GITHUB_TOKEN": TOKEN})
    os.chmod(folder, 0o755)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "o.db-shm" in proc.stderr, proc.stderr
    assert (folder / "o.db-wal").exists() and marker_of(folder / "o.db") == "in-the-wal"
