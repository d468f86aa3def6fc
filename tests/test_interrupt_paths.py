"""Each place a sync can be stopped by a signal ends with a true last line, its exit code, and nothing
half-written. Real processes and real signals (tests/helpers.py signalled_run): the process sends
itself SIGTERM or SIGINT as a chosen function starts or returns.

- A signal while the run report is written: the last line said "the checkpoint is saved, run the
  same command again to resume", the summary line was never printed, and the file at `--report` was
  absent or an earlier run's, unsaid. It now says the report was not written, exit 130.
- A signal while a finished sync closed its PostgreSQL session: exit 130, "the checkpoint is saved,
  run the same command again to resume", no report nor summary line. The close now lets it finish.
- A signal as a run that had synced every file ended its change log, wrote its last checkpoint or
  read the report's counts: the same. Those last steps now let the run finish, as the WAL's
  truncation and the close do (pipeline/interrupts.finishing). So do the steps after the close (is
  the database still the file the run wrote, the lock's release), which ended the run so too.
- A signal as the finished run read the report's counts (on PostgreSQL a new session, up to its
  30 s connect timeout) ended it without the report: it cuts that read, and the report is written
  with its counts null.
- A first sync interrupted before its first file said "the sync had not begun" but left its new,
  empty database (or PostgreSQL schema) and checkpoint, a store of 0 files to `status`: removed now,
  as when its source cannot be read.
- A sync interrupted before its lock (checking its paths, listing a GitHub repository) said "the
  checkpoint is saved", none written: it says the sync had not begun.
- The Action: a cancelled job's second signal, landing as the interrupted sync said the first, was
  said as a stop "outside the sync: nothing more was done", with no outputs nor job summary: it is
  the sync's exit 130, one error annotation saying the sync was cut short.
- A signal right after the command returned, its last line said, as the process ended: a
  KeyboardInterrupt traceback, exit 130. The process now ends with the command's exit code.
- `docker stop` right after the Action's work, as its container's process ended: the same traceback,
  exit 130 where the run's was 0; it ends with the Action's exit code.
- An interrupt right after the atomic writer (files.replace_atomically) made its temp file, before
  its cleanup was armed, left `.r.json.XXXX.tmp` (or the checkpoint's) behind for good: the name
  is chosen first and the cleanup armed before the file is made.
- The Action's change JSON had a writer of its own with the same gap (`.changes-XXXX` left in the
  workspace by a cancelled job): it is written by that one writer now.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import ROOT, cli, make_chain_tree, q, run_cli, signalled_run
from tests.postgres_server import connect, own_schema, schema_url

FILES = 4
SUMMARY = f"ontosync: {FILES} files: {FILES} ok, 0 failed"


def _paths(tmp_path):
    tree = tmp_path / "tree"
    make_chain_tree(tree, FILES)
    return tree, tmp_path / "o.db", tmp_path / "r.json", tmp_path / "c.json"


def _args(tree, db, report, ckpt):
    return ["sync", str(tree), "--db", str(db), "--report", str(report), "--checkpoint", str(ckpt),
            "--workers", "1", "--quiet"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_the_report_is_written_says_it_is_not_written(tmp_path, signum):
    tree, db, report, ckpt = _paths(tmp_path)
    report.write_text('{"an": "earlier run\'s report"}')
    proc = signalled_run("ontosync.pipeline.outputs:write_report", *_args(tree, db, report, ckpt), signum=signum)
    assert (proc.returncode, "Traceback" in proc.stderr) == (130, False), proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[-1] == (f"ontosync: interrupted while writing the report: --report {report}: not written "
                         "(the run itself ended as the lines above say)"), proc.stderr
    assert lines[-2].startswith(SUMMARY), proc.stderr  # the run's own counts are still said
    assert json.loads(report.read_text()) == {"an": "earlier run's report"}  # not replaced, and said so
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert q(db, "SELECT count(*) FROM source_files") == [(FILES,)]  # the run's work is kept
    assert json.loads(ckpt.read_text())["finished"] is True
    again = run_cli(*_args(tree, db, report, ckpt))
    assert again.returncode == 0 and json.loads(report.read_text())["files"]["unchanged"] == FILES, again.stderr


def test_sigterm_while_the_report_waits_for_its_fifos_reader(tmp_path):
    """`--report` a FIFO whose reader has not come yet (the sync waits for it up to 5 s): a SIGTERM
    from outside then, as a cancelled job sends it, stops the wait and says the report is not written."""
    tree, db, fifo, ckpt = _paths(tmp_path)
    os.mkfifo(fifo)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "ontosync", *_args(tree, db, fifo, ckpt)], env=env,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (ckpt.exists() and json.loads(ckpt.read_text() or "{}").get("finished")):  # the run is over
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.2)  # (it waits for a reader for 5 s)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, "Traceback" in err) == (130, False), err
    assert err.splitlines()[-1] == ("ontosync: interrupted while writing the report: --report "
                                    f"{fifo}: not written (the run itself ended as the lines above say)"), err
    assert q(db, "SELECT count(*) FROM source_files") == [(FILES,)]


# -- PostgreSQL: the session's close at the end of a run -------------------------------------------

schema = pytest.fixture(own_schema)  # a schema of the test's own, dropped after it (skips without a server)


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_signal_while_the_postgresql_session_closes_keeps_the_runs_end(tmp_path, schema, when):
    """SIGTERM as the finished run closed its PostgreSQL session ended it with "interrupted; the
    checkpoint is saved, run the same command again to resume", exit 130 and no report nor summary
    line, though every file was committed and counted. The close is bounded, and the run is over:
    it finishes as the SQLite side's closing does, its report written and its own exit code."""
    tree, _db, report, ckpt = _paths(tmp_path)
    url = schema_url(schema)
    args = ["sync", str(tree), "--db", url, "--report", str(report), "--checkpoint", str(ckpt), "--workers", "1"]
    proc = signalled_run("ontosync.store.pg.repository:PgRepository.close", *args, when=when)
    assert (proc.returncode, "Traceback" in proc.stderr) == (0, False), proc.stderr
    assert proc.stderr.splitlines()[-1].startswith(SUMMARY), proc.stderr
    assert json.loads(report.read_text())["files"]["ok"] == FILES
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(f'SELECT count(*) FROM "{schema}".source_files')
        assert cur.fetchone() == (FILES,)
    finally:
        conn.close()


# -- a signal as a finished run writes its last state ----------------------------------------------

@pytest.mark.parametrize(("target", "nth"), [
    ("ontosync.pipeline.sync:SyncRun._finish_change_log", 1),  # the change log's end
    ("ontosync.pipeline.checkpoint:Checkpoint.save", 2),  # the last checkpoint (the first is the run's start)
    ("ontosync.pipeline.sync:SyncRun._report", 1),  # the report's counts, read from the database
    ("ontosync.store.health:gone_since", 1),  # after the close: is the database still the file it wrote?
    ("ontosync.store.lock:SyncLock.release", 1),  # the lock's release, the database left sound
])
def test_a_signal_as_a_finished_run_writes_its_last_state_keeps_its_report(tmp_path, target, nth):
    """SIGTERM as a run that had synced every file ended its change log, wrote its last checkpoint
    or read its counts for the report: exit 130, "interrupted; the checkpoint is saved, run the same
    command again to resume", and no report nor summary line. Those steps are bounded and the run is
    over: it ends with its report and its own exit code, as at its WAL's truncation."""
    tree, db, report, ckpt = _paths(tmp_path)
    proc = signalled_run(target, *_args(tree, db, report, ckpt), nth=nth)
    assert (proc.returncode, "Traceback" in proc.stderr) == (0, False), proc.stderr
    assert proc.stderr.splitlines()[-1].startswith(SUMMARY), proc.stderr
    assert json.loads(report.read_text())["files"]["ok"] == FILES
    assert json.loads(ckpt.read_text())["finished"] is True
    assert q(db, "SELECT count(*) FROM runs WHERE finished_at IS NULL") == [(0,)]


# -- a first sync interrupted before its first file -------------------------------------------------

@pytest.mark.parametrize("when", ["before", "after"])
def test_a_first_sync_interrupted_before_any_file_leaves_nothing(tmp_path, when):
    """SIGTERM as a first sync wrote its first checkpoint (before any file): "the sync had not begun:
    no file was synced", but its new, empty database stayed (with its lock file, and its checkpoint
    once written), which `status` showed as a synced database of 0 files. A first sync stopped before
    any file (a source it cannot read) removes what it made; interrupted there it now does too."""
    tree, db, report, ckpt = _paths(tmp_path)
    proc = signalled_run("ontosync.pipeline.sync:SyncRun._write_checkpoint", *_args(tree, db, report, ckpt),
                         when=when)
    assert (proc.returncode, "Traceback" in proc.stderr) == (130, False), proc.stderr
    assert proc.stderr.splitlines()[-1] == ("ontosync: interrupted: the sync had not begun: no file was synced, "
                                            "run the same command again"), proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tree"]
    again = run_cli(*_args(tree, db, report, ckpt))
    assert again.returncode == 0 and json.loads(report.read_text())["files"]["ok"] == FILES, again.stderr


def test_a_first_postgresql_sync_interrupted_before_any_file_leaves_no_schema(tmp_path, schema):
    """The same on PostgreSQL: the new schema, migrated and empty, stayed (`status` listed a store of
    0 files), and so did the checkpoint; they are dropped, as when the source cannot be read."""
    tree, _db, report, ckpt = _paths(tmp_path)
    args = ["sync", str(tree), "--db", schema_url(schema), "--report", str(report), "--checkpoint", str(ckpt)]
    proc = signalled_run("ontosync.pipeline.sync:SyncRun._write_checkpoint", *args, when="after")
    assert (proc.returncode, "Traceback" in proc.stderr) == (130, False), proc.stderr
    assert "the sync had not begun" in proc.stderr.splitlines()[-1], proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tree"]
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s", (schema,))
        assert cur.fetchone() == (0,)
    finally:
        conn.close()


# -- the atomic writer: an interrupt at any line of it ------------------------------------------------

def _interrupted_at_each_line(code, call, check) -> None:
    """`call()` run once whole, then once per line of `code` (a function's) that it ran, with
    KeyboardInterrupt raised as that line starts: how a signal's handler lands between two lines;
    `check(at)` after each."""
    def run(at: int | None) -> int:
        seen = [0]

        def local(_frame, event, _arg):
            if event == "line":
                seen[0] += 1
                if seen[0] == at:
                    raise KeyboardInterrupt
            return local

        sys.settrace(lambda frame, _event, _arg: local if frame.f_code is code else None)
        try:
            call()
        except KeyboardInterrupt:
            pass
        finally:
            sys.settrace(None)
        return seen[0]

    lines = run(None)
    assert lines >= 5
    for at in range(1, lines + 1):
        run(at)
        check(at)


def test_an_interrupt_at_any_line_of_the_atomic_writer_leaves_no_temp_file(tmp_path):
    """A signal's handler runs between two lines of Python: one right after the temp file beside the
    report (or checkpoint) was made, before the writer's cleanup was armed, left `.r.json.XXXX.tmp`
    behind, empty, for good. Here the interrupt is raised at each line the writer runs, in turn: the
    folder holds the target only, the earlier text or the new, whole."""
    from ontosync import files

    target = tmp_path / "r.json"

    def check(at: int) -> None:
        assert [p.name for p in tmp_path.iterdir()] == ["r.json"], at
        assert target.read_bytes() in (b"old", b"new"), at
        target.write_bytes(b"old")

    _interrupted_at_each_line(files.replace_atomically.__code__,
                              lambda: files.replace_atomically(target, lambda fh: fh.write(b"new")), check)


def test_an_interrupt_as_the_action_writes_the_change_json_leaves_no_temp_file(tmp_path):
    """The Action's change JSON had a writer of its own, its cleanup armed after its temp file was
    made, and for an OSError only: a cancelled job (SIGTERM, an interrupt in the Action) left
    `.changes-XXXX` in the workspace. It is written by files.replace_atomically now."""
    from ontosync.action import changes

    tree, db, report, ckpt = _paths(tmp_path)
    assert run_cli(*_args(tree, db, report, ckpt)).returncode == 0
    out = tmp_path / "out"
    out.mkdir()

    def check(at: int) -> None:
        left = [p.name for p in out.iterdir()]
        assert left in ([], ["changes.json"]), at
        if left:
            assert json.loads((out / "changes.json").read_text())["classes"], at

    _interrupted_at_each_line(changes.collect.__code__, lambda: changes.collect(db, 0, out / "changes.json"), check)


def test_a_signal_while_the_report_counts_the_database_cuts_the_count_not_the_report(tmp_path):
    """The report's counts are read last, on PostgreSQL from a new session when the writer's is gone
    (its connect timeout: 30 s): a SIGTERM then cuts that read, and the report is written all the
    same, its counts null ("could not be read", never a 0), with the run's own exit code."""
    tree, db, report, ckpt = _paths(tmp_path)
    proc = signalled_run("ontosync.store.repository:Repository.counts", *_args(tree, db, report, ckpt))
    assert (proc.returncode, "Traceback" in proc.stderr) == (0, False), proc.stderr
    assert proc.stderr.splitlines()[-1].startswith(f"{SUMMARY}, 0 skipped, 0 unchanged, 0 deleted; the database's "
                                                   "counts could not be read in "), proc.stderr
    written = json.loads(report.read_text())
    assert written["files"]["ok"] == FILES and set(written["entities"].values()) == {None}
    assert q(db, "SELECT count(*) FROM source_files") == [(FILES,)]


# -- before the sync's lock --------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "ontosync.sync_paths:check_outputs",  # the outputs' paths checked
    "ontosync.cli:make_source",  # the source resolved and listed (a GitHub repository: requests, rate-limit waits)
])
def test_a_sync_interrupted_before_its_lock_says_it_had_not_begun(tmp_path, target):
    """SIGTERM while a sync checked its paths or listed its source (a GitHub repository's listing can
    take a while) said "interrupted; the checkpoint is saved, run the same command again to resume":
    no database, checkpoint nor report was written. It now says the sync had not begun."""
    tree, db, report, ckpt = _paths(tmp_path)
    proc = signalled_run(target, *_args(tree, db, report, ckpt))
    assert (proc.returncode, "Traceback" in proc.stderr) == (130, False), proc.stderr
    assert proc.stderr.splitlines()[-1] == ("ontosync: interrupted; the sync had not begun: no file was synced, "
                                            "run the same command again"), proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tree"]


# -- the Action ----------------------------------------------------------------------------------------

def test_a_cancelled_action_whose_sync_is_signalled_twice_says_so_once(tmp_path, monkeypatch):
    """A cancelled job signals twice (the runner's SIGINT, then SIGTERM; `docker stop`): the second
    landed as the interrupted sync said its first, out of the sync. The Action said "the run was
    stopped (job cancelled) outside the sync: nothing more was done", and wrote no outputs nor job
    summary. It is the sync's exit 130, without a report: one error annotation says so, and the
    outputs and summary are written. Real signals, in this process, with the Action's handler."""
    import io

    from ontosync import cli, sync_paths
    from ontosync.action import run as action_run
    from ontosync.pipeline.interrupts import as_interrupt
    from tests.test_action import make_env, parse_outputs
    from tests.test_action_round8 import write_classes

    env = make_env(tmp_path)
    write_classes(Path(env["GITHUB_WORKSPACE"]), "A")

    def signalled(function):
        def call(*args, **kwargs):
            if not call.done:
                call.done = True
                os.kill(os.getpid(), signal.SIGTERM)
            return function(*args, **kwargs)
        call.done = False
        return call

    monkeypatch.setattr(sync_paths, "check_outputs", signalled(sync_paths.check_outputs))  # the first
    monkeypatch.setattr(cli, "_say", signalled(cli._say))  # the second, as the sync says the first
    old = signal.signal(signal.SIGTERM, as_interrupt)  # as the Action's main installs it in the container
    try:
        log = io.StringIO()
        assert action_run.main(env, cli_main=cli.main, out=log) == 130
    finally:
        signal.signal(signal.SIGTERM, old)
    said = log.getvalue()
    errors = [line for line in said.splitlines() if line.startswith("::error")]
    assert errors == ["::error title=ontosync%3A exit 130::ontosync: the sync was interrupted (job cancelled) "
                      "before it said how it ended; no run report"], said
    assert "outside the sync" not in said and "Traceback" not in said
    assert "interrupted" in (tmp_path / "summary.md").read_text()
    assert parse_outputs(tmp_path / "output.txt")["report"] == ""


# -- the process's end ---------------------------------------------------------------------------------

@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_as_the_process_ends_after_its_command_is_no_traceback(tmp_path, signum):
    """SIGTERM or Ctrl-C right after the command returned (its report written, its last line said),
    as the process ended: a KeyboardInterrupt traceback, exit -2 (130). The command is over: a signal
    then asks for nothing, and the process ends with the command's exit code."""
    tree, db, report, ckpt = _paths(tmp_path)
    proc = signalled_run("ontosync.cli:main", *_args(tree, db, report, ckpt), when="after", signum=signum)
    assert (proc.returncode, "Traceback" in proc.stderr) == (0, False), proc.stderr
    assert proc.stderr.splitlines()[-1].startswith(SUMMARY), proc.stderr
    assert json.loads(report.read_text())["files"]["ok"] == FILES


def test_a_cancel_as_the_actions_container_ends_is_no_traceback(tmp_path):
    """`docker stop` (SIGTERM) right after the Action's work was done, its outputs and summary
    written, as its container's process ended: a KeyboardInterrupt traceback closed the step's log,
    exit 130 where the run's was 0. The process now ends with the Action's exit code."""
    from tests.test_action import make_env
    from tests.test_action_round8 import write_classes

    env = make_env(tmp_path)
    write_classes(Path(env["GITHUB_WORKSPACE"]), "A")
    runner = ("import os, runpy, signal, sys\n"
              "import ontosync.action as action\n"
              "main = action.main\n"
              "def signalled(*args, **kwargs):\n"
              "    try:\n"
              "        return main(*args, **kwargs)\n"
              "    finally:\n"
              "        os.kill(os.getpid(), signal.SIGTERM)\n"
              "action.main = signalled\n"
              "sys.argv = [sys.argv[1]]\n"
              "runpy.run_path(sys.argv[0], run_name='__main__')\n")
    proc = subprocess.run([sys.executable, "-c", runner, str(ROOT / "entrypoint.py")], capture_output=True, text=True,
                          env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert (proc.returncode, "Traceback" in proc.stderr) == (0, False), proc.stderr
    assert "sync finished in" in proc.stdout and "files-ok=1" in proc.stdout, proc.stdout
    assert "ontosync: ✅" in (tmp_path / "summary.md").read_text()


def test_run_in_a_process_that_goes_on_leaves_later_commands_their_signals(monkeypatch, tmp_path):
    """`ontosync.run` called in a process that goes on (a test, a wrapper) marked every later `main`
    of that process as its last: a `diff` run then in a thread stopped with "signal only works in
    main thread" (exit 1, a traceback), and one in the main thread left SIGTERM ignored for good."""
    import threading

    import ontosync

    db = tmp_path / "o.db"
    (tmp_path / "src").mkdir()
    assert cli("sync", str(tmp_path / "src"), "--db", str(db), "--quiet").returncode == 0
    monkeypatch.setattr(sys, "argv", ["ontosync", "--version"])
    with pytest.raises(SystemExit):
        ontosync.run()
    before = signal.getsignal(signal.SIGTERM)
    outcome = {}

    def status() -> None:
        try:
            outcome["r"] = cli("status", "--db", str(db))
        except BaseException as exc:  # what escaped the in-process command, for the assertion
            outcome["r"] = exc

    thread = threading.Thread(target=status)
    thread.start()
    thread.join(30)
    assert isinstance(outcome["r"], subprocess.CompletedProcess), outcome["r"]
    assert "Traceback" not in outcome["r"].stderr and "main thread" not in outcome["r"].stderr
    assert outcome["r"].returncode == 0, outcome["r"].stderr
    assert cli("status", "--db", str(db)).returncode == 0
    assert signal.getsignal(signal.SIGTERM) == before
