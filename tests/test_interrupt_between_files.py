"""An interrupt stops a sync between two files: a file whose transaction committed is counted in
the report and the checkpoint, whenever the signal lands (here: right after a commit, through the
ONTOSYNC_FAULT_SIGNAL_AFTER_SAVE hook)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

from tests.helpers import ROOT

FILES = 10


def test_a_signal_right_after_a_commit_still_counts_that_file(tmp_path):
    tree, db, report, ckpt = tmp_path / "tree", tmp_path / "o.db", tmp_path / "r.json", tmp_path / "c.json"
    tree.mkdir()
    for i in range(FILES):
        (tree / f"f{i:02d}.ttl").write_text(
            f"<http://example.org/f#C{i}> a <http://www.w3.org/2002/07/owl#Class> .\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ONTOSYNC_FAULT_SIGNAL_AFTER_SAVE": "3"}
    proc = subprocess.run([sys.executable, "-m", "ontosync", "sync", str(tree), "--db", str(db), "--quiet",
                           "--workers", "1", "--checkpoint", str(ckpt), "--report", str(report)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr
    with sqlite3.connect(db) as conn:
        committed = conn.execute("SELECT count(*) FROM source_files").fetchone()[0]
    assert committed == 3
    assert json.loads(ckpt.read_text())["processed"] == committed
    assert json.loads(report.read_text())["files"]["ok"] == committed
