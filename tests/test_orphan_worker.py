"""A parse worker whose coordinator is gone ends, however early the coordinator died.

The worker watches its parent's pid while it waits for work (a killed coordinator does not always
give it EOF: it holds both ends of its own pipe, and later workers hold copies). It read that pid
itself, first thing after the fork, so a coordinator killed between the fork and that read left
it watching init's pid (1) for ever: an orphan that a clean-clone CI run caught still alive, its
stdout keeping test_sync_lock's `communicate` waiting. The coordinator now passes its own pid.
"""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import ROOT

WORKER = """
import sys
from multiprocessing import Pipe
from ontosync.parsing import ParseOptions
from ontosync.pipeline import workers
ours, theirs = Pipe()  # this process holds both ends: no EOF, as in a forked worker
workers._worker_main(theirs, ParseOptions(), 1 << 20, int(sys.argv[1]))
"""


def test_a_worker_whose_coordinator_already_died_returns():
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a pid that is nobody's parent now, as a killed coordinator's
    worker = subprocess.run([sys.executable, "-c", WORKER, str(gone.pid)], cwd=ROOT, capture_output=True,
                            text=True, timeout=20)
    assert worker.returncode == 0, worker.stderr
