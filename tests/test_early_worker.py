"""The first parse worker is forked as `ontosync sync` starts and adopted by the run's pool.

pipeline/early_worker.py: the worker imports its parsers while the coordinator starts (issue 18,
thirteenth round) and waits for the run's settings. These tests check that the run's files are
parsed by that very process, that a run with nothing to parse (or an error before the run) ends it
at once, that a coordinator killed while it waits leaves no process behind, and that the database
is the same as without it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ontosync.cpus
from ontosync.pipeline import early_worker
from ontosync.pipeline.workers import ParsePool
from tests.helpers import ROOT, cli, dump_file

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the early fork is Linux's")

FILES = {
    "pages/Alpha.md": "- ### OntologyBlock\n  - owl:class:: mv:Alpha\n  - is-subclass-of:: [[Beta]]\n",
    "pages/Beta.md": "- ### OntologyBlock\n  - owl:class:: mv:Beta\n",
    "onto/c.ttl": "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                  "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                  "<http://x.org/C> a owl:Class ; rdfs:label \"C\" ; rdfs:subClassOf <http://x.org/D> .\n"
                  "<http://x.org/D> a owl:Class .\n",
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def started(monkeypatch) -> list:
    """Every early worker the command starts (two CPUs assumed: on one, none is started)."""
    monkeypatch.setattr(ontosync.cpus, "usable_cpus", lambda: 2)
    seen: list = []
    start = early_worker.start

    def recording_start():
        seen.append(start())
        return seen[-1]

    monkeypatch.setattr(early_worker, "start", recording_start)
    return seen


def _gone(pid: int) -> bool:
    """No process `pid`, or only its zombie (reparented to an init that has not reaped it yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_the_early_worker_parses_the_run_and_exits(tree, tmp_path, started, monkeypatch):
    parsed_by: list[set[int]] = []
    submit = ParsePool.submit

    def recording_submit(self, task):
        submit(self, task)
        parsed_by.append({w.process.pid for w in self.workers if task in w.tasks})

    monkeypatch.setattr(ParsePool, "submit", recording_submit)
    r = cli("sync", tree, "--db", tmp_path / "a.db", "--quiet", "--workers", "1")
    assert r.returncode == 0, r.stderr
    assert "3 ok" in r.stderr
    early = started[0]
    assert early is not None and len(parsed_by) == 3
    assert parsed_by == [{early.process.pid}] * 3  # every file went to the early worker, no other forked
    assert early.process.exitcode == 0  # told to stop, it exited by itself and was reaped


def test_a_run_with_nothing_to_parse_ends_it_at_once(tree, tmp_path, started):
    db = tmp_path / "a.db"
    assert cli("sync", tree, "--db", db, "--quiet").returncode == 0
    r = cli("sync", tree, "--db", db, "--quiet")  # a no-op re-sync
    assert r.returncode == 0 and "3 unchanged" in r.stderr
    missing = cli("sync", tmp_path / "no-such-folder", "--db", db, "--quiet")  # an error before the run
    assert missing.returncode == 2
    assert len(started) == 3
    for early in started[1:]:
        assert early.process.exitcode == -signal.SIGKILL  # killed unused, and reaped: no process left
        assert _gone(early.process.pid)


def test_an_early_worker_gone_before_the_run_is_replaced(tree, tmp_path, started, monkeypatch):
    """An early worker that died before the pool adopted it (out of memory while importing, say)
    costs nothing: the pool forks a worker as it did without it."""
    start = early_worker.start

    def dead_on_arrival():
        early = start()
        early.process.kill()
        early.process.join()
        started.append(early)
        return early

    monkeypatch.setattr(early_worker, "start", dead_on_arrival)
    r = cli("sync", tree, "--db", tmp_path / "a.db", "--quiet")
    assert r.returncode == 0 and "3 ok" in r.stderr, r.stderr
    assert dump_file(tmp_path / "a.db")["owl_classes"]


def test_the_database_equals_a_run_without_it(tree, tmp_path, started, monkeypatch):
    assert cli("sync", tree, "--db", tmp_path / "early.db", "--quiet").returncode == 0
    assert started and started[0] is not None
    monkeypatch.setattr(early_worker, "start", lambda: None)
    assert cli("sync", tree, "--db", tmp_path / "late.db", "--quiet").returncode == 0
    early, late = dump_file(tmp_path / "early.db"), dump_file(tmp_path / "late.db")
    assert early == late
    assert len(early["owl_classes"]) >= 4 and early["owl_class_hierarchy"]


WAITING = """
import sys, time
import ontosync.cpus
from ontosync.pipeline import early_worker
ontosync.cpus.usable_cpus = lambda: 2
w = early_worker.start()
print(w.process.pid, flush=True)
time.sleep(60)
"""


def test_a_coordinator_killed_while_it_waits_leaves_no_process(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", WAITING], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        pid = int(parent.stdout.readline())
        time.sleep(0.3)  # its imports done: it waits on its pipe
        assert not _gone(pid)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _gone(pid)
    assert parent.stdout.read() == ""  # and its copy of our stdout is closed with it (no reader left waiting)
