"""A terminal closing under a sync (SIGHUP to its whole process group, as the kernel sends it when
the controlling terminal hangs up, or an SSH session drops) stops it as Ctrl-C does: between two
files, report and checkpoint written, exit 130, the next sync resumes. SIGHUP's default action
killed the sync on the spot, leaving no checkpoint."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from tests.helpers import ROOT, make_chain_tree

FILES = 400


def _committed(db) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as conn:
            return conn.execute("SELECT count(*) FROM source_files").fetchone()[0]
    except sqlite3.Error:  # not made yet, or its schema not yet there
        return 0


def test_a_hangup_stops_the_sync_between_files_with_its_checkpoint(tmp_path):
    tree, db, report, ckpt = tmp_path / "tree", tmp_path / "o.db", tmp_path / "r.json", tmp_path / "c.json"
    make_chain_tree(tree, FILES)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "ontosync", "sync", str(tree), "--db", str(db), "--quiet",
                             "--workers", "2", "--checkpoint", str(ckpt), "--report", str(report)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while _committed(db) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert proc.poll() is None, "the sync finished before the hangup: make the tree larger"
    os.killpg(proc.pid, signal.SIGHUP)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (proc.returncode, err)
    assert "Traceback" not in err
    committed = _committed(db)
    assert 2 <= committed < FILES
    assert json.loads(ckpt.read_text())["processed"] == committed
    assert json.loads(report.read_text())["files"]["ok"] == committed
    again = subprocess.run([sys.executable, "-m", "ontosync", "sync", str(tree), "--db", str(db), "--quiet",
                            "--checkpoint", str(ckpt), "--report", str(report)],
                           env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert json.loads(report.read_text())["resumed"] is True
    assert _committed(db) == FILES
