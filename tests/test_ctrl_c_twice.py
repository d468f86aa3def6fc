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


def _stopped_twice(tmp_path, runner: str) -> subprocess.CompletedProcess:
    """A sync of FILES pages in tmp_path (o.db, r.json, c.json), stopped after 2 saves, by `runner`."""
    tree = tmp_path / "tree"
    make_chain_tree(tree, FILES)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ONTOSYNC_FAULT_SIGNAL_AFTER_SAVE": "2"}
    args = ["sync", str(tree), "--db", str(tmp_path / "o.db"), "--quiet", "--workers", "1",
            "--checkpoint", str(tmp_path / "c.json"), "--report", str(tmp_path / "r.json")]
    return subprocess.run([sys.executable, "-c", runner, *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_a_second_ctrl_c_while_stopping_still_saves_checkpoint_and_report(tmp_path):
    db, report, ckpt = tmp_path / "o.db", tmp_path / "r.json", tmp_path / "c.json"
    proc = _stopped_twice(tmp_path, RUNNER)
    assert (proc.returncode, "Traceback" in proc.stderr) == (130, False), proc.stderr
    [(committed,)] = q(db, "SELECT count(*) FROM source_files")
    assert committed == 2
    assert q(db, "SELECT count(*) FROM runs WHERE finished_at IS NULL") == [(0,)]  # the change log ended
    counted = json.loads(ckpt.read_text())["processed"], json.loads(report.read_text())["files"]["ok"]
    assert counted == (committed, committed)


# The second Ctrl-C as the stopping run waits for its workers to exit (ParsePool.close).
RUNNER_AT_JOIN = """
import multiprocessing.process, os, signal, sys
join = multiprocessing.process.BaseProcess.join
def second_interrupt(self, timeout=None):
    if timeout == 2:  # ParsePool.close's wait, once
        multiprocessing.process.BaseProcess.join = join
        os.kill(os.getpid(), signal.SIGINT)
    return join(self, timeout)
multiprocessing.process.BaseProcess.join = second_interrupt
from ontosync.cli import main
sys.argv[0] = "ontosync"
sys.exit(main())
"""


def test_a_second_ctrl_c_while_the_workers_exit_still_writes_the_report(tmp_path):
    """It raised out of the run: exit 130 with no report, though the first Ctrl-C's run had its
    checkpoint written and every file committed."""
    report, ckpt = tmp_path / "r.json", tmp_path / "c.json"
    proc = _stopped_twice(tmp_path, RUNNER_AT_JOIN)
    assert (proc.returncode, "Traceback" in proc.stderr) == (130, False), proc.stderr
    assert proc.stderr.splitlines()[-1] == ("ontosync: interrupted: the checkpoint is saved and every counted file is "
                                            "committed; run the same command again to resume"), proc.stderr
    counted = json.loads(ckpt.read_text())["processed"], json.loads(report.read_text())["files"]["ok"]
    assert counted == (2, 2)
