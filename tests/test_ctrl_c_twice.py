"""Ctrl-C twice: the second interrupt lands while the stopping run writes its last state (the change
log's end, the checkpoint, the report). Those writes take milliseconds and are what the message
"the checkpoint is saved" promises, so the second interrupt waits for them instead of cutting them
off: the checkpoint and the report count every committed file, as after a single Ctrl-C."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.helpers import ROOT, make_chain_tree, q

FILES = 6
# The runner sends itself SIGINT as the interrupted run starts finishing its change log: the second
# Ctrl-C, at the moment of the run's cleanup (the first is ONTOSYNC_FAULT_SIGNAL_AFTER_SAVE's SIGTERM).
RUNNER = """
import os, signal, sys
from ontosync.pipeline import sync
finish = sync.SyncRun._finish_change_log
def second_interrupt(self):
    os.kill(os.getpid(), signal.SIGINT)
    return finish(self)
sync.SyncRun._finish_change_log = second_interrupt
from ontosync.cli import main
sys.argv[0] = "ontosync"
sys.exit(main())
"""


def test_a_second_ctrl_c_while_stopping_still_saves_checkpoint_and_report(tmp_path):
    tree, db, report, ckpt = tmp_path / "tree", tmp_path / "o.db", tmp_path / "r.json", tmp_path / "c.json"
    make_chain_tree(tree, FILES)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ONTOSYNC_FAULT_SIGNAL_AFTER_SAVE": "2"}
    args = ["sync", str(tree), "--db", str(db), "--quiet", "--workers", "1", "--checkpoint", str(ckpt),
            "--report", str(report)]
    proc = subprocess.run([sys.executable, "-c", RUNNER, *args], env=env, capture_output=True, text=True,
                          timeout=120)
    assert (proc.returncode, "Traceback" in proc.stderr) == (130, False), proc.stderr
    [(committed,)] = q(db, "SELECT count(*) FROM source_files")
    assert committed == 2
    assert q(db, "SELECT count(*) FROM runs WHERE finished_at IS NULL") == [(0,)]  # the change log ended
    counted = json.loads(ckpt.read_text())["processed"], json.loads(report.read_text())["files"]["ok"]
    assert counted == (committed, committed)
