"""Issue 13.9: interruptions are clean.

Ctrl-C (SIGINT to the whole process group, workers included) and SIGTERM (to the main process, as
`kill` or a cancelled job sends): no traceback from any process, the report written with what was
done, exit 130, the checkpoint saved, and the next run resumes to the same database as a fresh
sync. A closed pipe (`ontosync status | head`) is silent. `verify` and `status` read a database
on read-only media, as a user whom permissions bind.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import ROOT, cli, dump_file, make_chain_tree
from tests.privileges import run_cli_unprivileged

FILES = 40


def make_tree(root: Path) -> None:
    make_chain_tree(root, FILES)


def committed(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM source_files").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_interrupted_sync_reports_checkpoints_and_resumes(tmp_path, how):
    tree, db, report = tmp_path / "tree", tmp_path / "o.db", tmp_path / "r.json"
    make_tree(tree)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ONTOSYNC_FAULT_SLOW_PARSE": ".ttl:0.3"}
    proc = subprocess.Popen([sys.executable, "-m", "ontosync", "sync", str(tree), "--db", str(db), "--quiet",
                             "--workers", "2", "--checkpoint-every", "1", "--report", str(report)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    while committed(db) < 6 and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends: parent and workers alike
    else:
        proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "interrupted" in err and "resume" in err
    done = committed(db)
    data = json.loads(report.read_text())
    assert 0 < data["files"]["ok"] == done < FILES
    ckpt = json.loads(Path(f"{db}.checkpoint.json").read_text())
    assert ckpt["finished"] is False and ckpt["processed"] == done
    # the resume and the fresh reference in this process: the interrupted one was the process under test
    again = cli("sync", str(tree), "--db", str(db), "--quiet", "--report", str(report))
    assert again.returncode == 0, again.stderr
    data = json.loads(report.read_text())
    assert data["resumed"] is True and data["files"]["ok"] == FILES - done
    expected = tmp_path / "e.db"
    assert cli("sync", str(tree), "--db", str(expected), "--quiet").returncode == 0
    assert dump_file(db) == dump_file(expected)


@pytest.fixture
def synced(tmp_path) -> Path:
    tree, db = tmp_path / "tree", tmp_path / "o.db"
    make_tree(tree)
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0  # the commands read it in processes
    return db


@pytest.mark.parametrize("command", [["status"], ["status", "--json"], ["verify"]])
def test_a_closed_pipe_is_silent(synced, command):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    read, write = os.pipe()
    os.close(read)  # the reader (`head`) is gone before anything is written
    proc = subprocess.run([sys.executable, "-m", "ontosync", *command, "--db", str(synced)], stdout=write,
                          stderr=subprocess.PIPE, text=True, env=env, timeout=60)
    os.close(write)
    assert proc.stderr == ""
    assert proc.returncode == 141


def test_verify_and_status_on_read_only_media(synced, tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    copy = media / "o.db"
    copy.write_bytes(synced.read_bytes())
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    for p in media.iterdir():
        if p != copy:
            p.unlink()
    os.chmod(copy, 0o444)
    os.chmod(media, 0o555)
    try:
        verify = run_cli_unprivileged("verify", "--db", str(copy))
        status = run_cli_unprivileged("status", "--db", str(copy), "--json")
    finally:
        os.chmod(media, 0o755)
    assert verify.returncode == 0, verify.stderr
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["files"]["ok"] == FILES
    assert sorted(p.name for p in media.iterdir()) == ["o.db"]
