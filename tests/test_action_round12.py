"""The Action, twelfth round (h103): a restore that cannot clear the old `-shm` keeps the old `-wal`;
a `.git` that is a file (a submodule's or a worktree's checkout) or a link is followed within the
workspace; a `.git/HEAD` the run may not read is said; a `path` folder's checkout names its
PostgreSQL schema. In process, against the real CLI; each test is a user-visible outcome."""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from ontosync.action import run as action_run
from ontosync.cli import main as cli_main
from tests.fake_artifacts import FakeArtifactServer
from tests.test_action import REPO, TOKEN, FakeCli, make_db, make_env, sample_report
from tests.test_action_round8 import write_classes
from tests.test_action_round11 import checkout_config

SHA = "0123456789abcdef0123456789abcdef01234567"
EVENT_SHA = "fedcba9876543210fedcba9876543210fedcba98"
BOUND = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


@contextlib.contextmanager
def bound_by_permissions():
    """This thread bound by file permissions for the block, as any user is (CI runs as root, where
    they do not): root's CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER leave its effective
    set and come back after (they stay permitted). Capabilities are a thread's own: the fake
    servers' threads keep theirs. In process: a subprocess costs ~0.3 CPU-s of imports. Not root:
    permissions bind already."""
    if os.geteuid() != 0:
        yield
        return
    libc = ctypes.CDLL(None, use_errno=True)
    header, data = _CapHeader(0x20080522, 0), (_CapData * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        pytest.skip(f"capget: {os.strerror(ctypes.get_errno())}")
    kept = data[0].effective
    data[0].effective = kept & ~sum(1 << cap for cap in BOUND)
    if libc.capset(ctypes.byref(header), data) != 0:
        pytest.skip(f"capset: {os.strerror(ctypes.get_errno())}")
    try:
        yield
    finally:
        data[0].effective = kept
        assert libc.capset(ctypes.byref(header), data) == 0


def run_action(env: dict[str, str], cli=cli_main, code: int = 0) -> str:
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli, out=log) == code, log.getvalue()[-3000:]
    return log.getvalue()


# -- 1. the restore clears the old -shm before the old -wal -------------------------------------------

def test_a_restore_that_cannot_clear_the_old_shm_keeps_the_old_wal(tmp_path):
    """A self-hosted runner's kept `db/ontology.db` with commits in its `-wal`, its `-shm` another
    user's in a shared sticky folder: the restore deleted the `-wal`, then failed on the `-shm`
    ("running a full sync"), and the sync went on from the old database without the commits its
    `-wal` held. The `-shm` (an index SQLite rebuilds) goes first, as fetch-db's does (round 11):
    the failure is said and loses nothing."""
    if os.geteuid() != 0:
        pytest.skip("only root can give the -shm to another user here")
    folder = tmp_path / "workspace" / "db"
    folder.mkdir(parents=True)
    make_db(tmp_path / "work.db", "old")
    conn = sqlite3.connect(tmp_path / "work.db")
    conn.execute("PRAGMA journal_mode=wal")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("UPDATE marker SET value = 'in-the-wal'")
    conn.commit()
    for suffix in ("", "-wal", "-shm"):  # copied open: closing would fold the -wal in
        shutil.copy(tmp_path / f"work.db{suffix}", folder / f"ontology.db{suffix}")
    conn.close()
    for other in (folder / "ontology.db-shm", folder):  # the folder too: its owner may delete anything in it
        os.chown(other, 65534, 65534)
    os.chmod(folder, 0o1777)
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", {"db/ontology.db": make_db(tmp_path / "new.db", "new")})
        env = make_env(tmp_path, restore_artifact="ontology-db", database="db/ontology.db", github_token=TOKEN)
        env["GITHUB_API_URL"] = fake.api_url
        write_classes(Path(env["GITHUB_WORKSPACE"]), "A")
        cli = FakeCli(sample_report(failed=0))
        with bound_by_permissions():
            log = run_action(env, cli)
    os.chmod(folder, 0o755)
    said = [line for line in log.splitlines() if line.startswith("::warning") and "restore-artifact" in line]
    assert len(said) == 1 and "cannot write ontology.db-shm" in said[0], log
    assert cli.db_marker == "in-the-wal"  # what the sync went on from
    (folder / "ontology.db-shm").unlink()
    conn = sqlite3.connect(folder / "ontology.db")
    assert conn.execute("SELECT value FROM marker").fetchone()[0] == "in-the-wal"
    conn.close()
