"""Hostile environments, round 6: what a refused or stopped run leaves behind, and what the next
run makes of it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.helpers import ROOT, assert_equals_fresh_sync, cli, copy_example
from tests.privileges import _prefix, run_cli_unprivileged

TTL = "@prefix ex: <http://ex.org/> .\nex:a ex:b ex:c .\n"


def _source(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.ttl").write_text(TTL)
    return src


def test_a_refused_non_database_leaves_no_lock_file(tmp_path):
    """`sync --db notes.txt` (a text file) said "Nothing was changed" but left notes.txt.lock;
    `migrate --db notes.txt` as well."""
    src = _source(tmp_path)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    for args in (("sync", str(src), "--db", str(notes)), ("migrate", "--db", str(notes))):
        proc = cli(*args)
        assert proc.returncode == 2, proc.stderr
        assert "Nothing was changed" in proc.stderr
        assert sorted(os.listdir(tmp_path)) == ["notes.txt", "src"], args
        assert notes.read_text() == "hello\n"


def test_a_refused_run_keeps_a_lock_file_it_did_not_create(tmp_path):
    """The lock file was there before the run (another run's, or a sound stamp): it stays."""
    src = _source(tmp_path)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    lock = tmp_path / "notes.txt.lock"
    lock.write_text("")
    assert cli("sync", str(src), "--db", str(notes)).returncode == 2
    assert lock.exists()


def test_a_run_waiting_on_a_removed_lock_file_locks_the_name_again(tmp_path):
    """A run that opened the lock file before a refused run removed it must not hold a file no
    name leads to: a third run would lock the new file, and two syncs would write at once."""
    from ontosync.store.lock import LockBusy, SyncLock

    db = tmp_path / "o.db"
    first = SyncLock(db, "first", 5).__enter__()
    assert first.created
    waiter = SyncLock(db, "second", 10)
    thread = threading.Thread(target=waiter.acquire)
    thread.start()
    time.sleep(0.5)  # the waiter has opened the file and polls its lock
    first.drop()
    first.release()
    thread.join(10)
    assert waiter.fd is not None
    try:
        third = SyncLock(db, "third", 0)
        try:
            third.acquire()
        except LockBusy:
            pass
        else:
            third.release()
            raise AssertionError("a third run took the lock the second one holds")
    finally:
        waiter.release()


def _stalled_sync(tmp_path: Path, folder: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """A sync of the example, bound by permissions, whose `folder` becomes read-only once the run's
    first checkpoint is there: one page's parse stalls 3 s meanwhile (ONTOSYNC_FAULT_SLOW_PARSE)."""
    src = tmp_path / "tree"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ONTOSYNC_FAULT_SLOW_PARSE": "Machine:3", **(env or {})}
    cmd = [*_prefix(), sys.executable, "-m", "ontosync", "sync", str(src), "--workers", "1", *args]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not any(folder.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        folder.chmod(0o555)
        out, err = proc.communicate(timeout=120)
    finally:
        folder.chmod(0o755)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def test_a_run_whose_last_checkpoint_was_not_saved_is_not_resumed_by_the_next(tmp_path):
    """The checkpoint's folder read-only mid-run: the run finished (exit 0), its first checkpoint,
    "unfinished", stayed; the next `sync --full` took it for an interrupted run to resume
    (`resumed: true`) and reparsed none of the files that run had synced."""
    src = copy_example(tmp_path)
    folder, db = tmp_path / "ck", tmp_path / "o.db"
    folder.mkdir()
    ckpt = folder / "c.json"
    proc = _stalled_sync(tmp_path, folder, "--db", str(db), "--checkpoint", str(ckpt))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(ckpt.read_text())["finished"] is False  # what the next run finds
    shown = cli("status", "--db", str(db), "--checkpoint", str(ckpt)).stdout.splitlines()
    assert [line for line in shown if line.startswith("checkpoint")] == [
        "checkpoint    unfinished, but its run finished and could not replace it (0/0 processed, 0 failed when "
        f"written), source {src}; no sync resumes it"
    ]  # it said "UNFINISHED ...; a sync of SOURCE resumes it"
    report = tmp_path / "r.json"
    proc = cli("sync", str(src), "--db", str(db), "--checkpoint", str(ckpt), "--full", "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    said = json.loads(report.read_text())
    assert (said["resumed"], said["files"]["ok"], said["files"]["unchanged"]) == (False, 7, 0)


def test_a_checkpoint_not_saved_is_said_on_the_terminal(tmp_path):
    """Exit 0 and a summary line, nothing else: only the report (if any) said that no checkpoint
    after the first could be saved, so an interrupted run's "the checkpoint is saved" could not
    be checked either."""
    copy_example(tmp_path)
    folder = tmp_path / "ck"
    folder.mkdir()
    ckpt = folder / "c.json"
    proc = _stalled_sync(
        tmp_path, folder, "--db", str(tmp_path / "o.db"), "--checkpoint", str(ckpt), "--checkpoint-every", "1"
    )
    assert proc.returncode == 0, proc.stderr
    last = proc.stderr.splitlines()[-1]
    # it named a temp file that never was (`.c.json.x1y2z3.tmp`): the error's own words, for the path it names
    assert last == f"ontosync: warning: {ckpt}: not saved: Permission denied", proc.stderr


def test_an_interrupted_run_whose_checkpoint_was_not_saved_does_not_say_it_is(tmp_path):
    """SIGTERM after the stalled page's save (the 4th), its checkpoint's folder read-only: the run
    said "warning: ...: not saved" and then "interrupted: the checkpoint is saved"."""
    copy_example(tmp_path)
    folder, db, report = tmp_path / "ck", tmp_path / "o.db", tmp_path / "r.json"
    folder.mkdir()
    ckpt = folder / "c.json"
    proc = _stalled_sync(
        tmp_path,
        folder,
        "--db",
        str(db),
        "--checkpoint",
        str(ckpt),
        "--report",
        str(report),
        env={"ONTOSYNC_FAULT_SIGNAL_AFTER_SAVE": "4"},
    )
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.splitlines()[-2:] == [
        f"ontosync: warning: {ckpt}: not saved: Permission denied",
        "ontosync: interrupted: every counted file is committed, but the checkpoint is not saved (its warning says "
        "why); run the same command again to go on",
    ], proc.stderr
    assert json.loads(report.read_text())["files"]["ok"] == 4
    assert json.loads(ckpt.read_text())["processed"] == 0  # the run's first, all it could write


def test_a_signal_during_the_last_wal_truncation_keeps_the_finished_runs_report(tmp_path):
    """SIGTERM while the finished run emptied its WAL: exit 130, "interrupted; the checkpoint is
    saved", and no report nor summary line, though every file was synced and counted."""
    src, db, report = _source(tmp_path), tmp_path / "o.db", tmp_path / "r.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ONTOSYNC_FAULT_SIGNAL_IN_TRUNCATE": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "ontosync", "sync", str(src), "--db", str(db), "--report", str(report)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0 and "interrupted" not in proc.stderr, proc.stderr
    assert proc.stderr.splitlines()[-1].startswith("ontosync: 1 files: 1 ok, 0 failed"), proc.stderr
    assert json.loads(report.read_text())["files"]["ok"] == 1
    assert not os.path.exists(f"{db}-wal") or os.path.getsize(f"{db}-wal") == 0  # the truncation was done
    assert cli("verify", "--db", str(db)).returncode == 0


def test_a_sync_interrupted_while_it_waits_for_the_lock_says_nothing_was_synced(tmp_path):
    """SIGTERM while another sync held the database: "interrupted; the checkpoint is saved, run the
    same command again to resume", of a run that had written no checkpoint nor synced any file."""
    import signal

    from ontosync.store.lock import SyncLock

    src, db, ckpt = _source(tmp_path), tmp_path / "o.db", tmp_path / "c.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "ontosync", "sync", str(src), "--db", str(db), "--lock-timeout", "60"]
    with SyncLock(db, "another", 5):
        proc = subprocess.Popen([*cmd, "--checkpoint", str(ckpt)], env=env, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)  # it waits for the lock
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.splitlines()[-1] == (
        f"ontosync: interrupted; it waited for {db}'s lock: nothing was written, run the same command again"
    ), err
    assert not ckpt.exists()


def test_the_actions_summary_of_a_stopped_run_says_its_checkpoint_was_not_saved(tmp_path):
    """GitHub stopped the run (exit 1), its checkpoint's folder read-only: the job summary said
    "stopped early: the checkpoint is saved", its report's `checkpoint` warning saying it was not."""
    from tests.test_action import FakeCli, run_action, sample_report

    report = sample_report(failed=0)
    report["warnings"].append({"path": "c.json", "kind": "checkpoint", "message": "not saved: Permission denied"})
    stop = "GitHub API rate limit reached for github:o/r: run again after 2030-01-01T00:00:00Z"
    code, env = run_action(tmp_path, FakeCli(report, code=1, stderr=stop))
    assert code == 1
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "## ontosync: ⏸️ stopped early: the checkpoint is not saved (its warning says why), run again" in summary
    assert "checkpoint is saved" not in summary, summary


def test_a_full_disk_at_the_change_logs_end_is_said(tmp_path, monkeypatch):
    """A first sync's change log ends by building the indexes it did without and writing the log:
    with the disk full there (SQLite's own SQLITE_FULL, from a page cap), the run said nothing, exit
    0, its run left unfinished and three indexes missing until the next sync."""
    from ontosync.store import changelog

    finish = changelog.ChangeLog.finish

    def on_a_full_disk(self, now, keep_runs=50):
        pages = self.conn.execute("PRAGMA page_count").fetchone()[0]
        self.conn.execute(f"PRAGMA max_page_count = {pages}")
        try:
            return finish(self, now, keep_runs)
        finally:
            self.conn.execute("PRAGMA max_page_count = 1073741823")

    monkeypatch.setattr(changelog.ChangeLog, "finish", on_a_full_disk)
    src, db, report = copy_example(tmp_path), tmp_path / "o.db", tmp_path / "r.json"
    proc = cli("sync", str(src), "--db", str(db), "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    said = "this run's change log could not be closed: database or disk is full"
    end = "; its files are committed, and the next sync closes it"
    last = proc.stderr.splitlines()[-1]
    assert last.startswith(f"ontosync: warning: {said}") and last.endswith(end), proc.stderr
    warnings = json.loads(report.read_text())["warnings"]
    assert [w["message"][: len(said)] for w in warnings if w["kind"] == "change-log"] == [said]
    monkeypatch.setattr(changelog.ChangeLog, "finish", finish)
    assert cli("sync", str(src), "--db", str(db), "--quiet").returncode == 0
    assert_equals_fresh_sync(src, db, tmp_path)


def test_a_first_sync_stopped_before_any_file_leaves_no_lock_file(tmp_path):
    """A graph whose `logseq/config.edn` the user may not read stops a first sync (exit 2), which
    removed the database it made, its WAL and checkpoint, but left `o.db.lock` alone in the folder."""
    from tests.privileges import restore_permissions, run_cli_unprivileged

    graph, out = tmp_path / "graph", tmp_path / "out"
    (graph / "logseq").mkdir(parents=True)
    out.mkdir()
    (graph / "A.md").write_text("- ### OntologyBlock\n  - owl:class:: mv:A\n")
    config = graph / "logseq" / "config.edn"
    config.write_text("{}")
    config.chmod(0)
    try:
        proc = run_cli_unprivileged("sync", str(graph), "--db", str(out / "o.db"), "--workers", "1")
    finally:
        restore_permissions(tmp_path)
        config.chmod(0o644)
    assert proc.returncode == 2 and "cannot read logseq/config.edn: Permission denied" in proc.stderr, proc.stderr
    assert os.listdir(out) == []


def test_a_database_in_a_folder_whose_name_is_not_utf8_gets_its_checkpoint(tmp_path):
    """`--db 'd\\xff/o.db' --checkpoint c.json`: the checkpoint records its database's real path, and
    a name that is not UTF-8 could not be written: a UnicodeEncodeError traceback at the run's first
    checkpoint, the new database left with no file synced."""
    from ontosync.pipeline.checkpoint import Checkpoint

    src = _source(tmp_path)
    folder = os.fsdecode(os.fsencode(str(tmp_path)) + b"/d\xff")
    os.mkdir(folder)
    db, ckpt = os.path.join(folder, "o.db"), tmp_path / "c.json"
    proc = cli("sync", str(src), "--db", db, "--checkpoint", str(ckpt), "--quiet")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    loaded = Checkpoint.load(ckpt)
    assert loaded is not None and loaded.finished and loaded.database == os.path.realpath(db)
    assert cli("sync", str(src), "--db", db, "--checkpoint", str(ckpt), "--quiet").returncode == 0


def test_a_report_naming_a_database_whose_folder_name_is_not_utf8_is_written(tmp_path):
    """The report's `hard-links` warning names the database by the path given: in a folder `d\\xff`,
    writing the report was a UnicodeEncodeError traceback after the whole sync, the report lost."""
    src = _source(tmp_path)
    folder = os.fsdecode(os.fsencode(str(tmp_path)) + b"/d\xff")
    os.mkdir(folder)
    db, report = os.path.join(folder, "o.db"), tmp_path / "r.json"
    assert cli("sync", str(src), "--db", db, "--quiet").returncode == 0
    os.link(db, os.path.join(folder, "p.db"))
    proc = cli("sync", str(src), "--db", db, "--quiet", "--report", str(report))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    warnings = json.loads(report.read_text(encoding="utf-8"))["warnings"]
    assert [w["path"] for w in warnings if w["kind"] == "hard-links"] == [db]


INTERRUPT_IN_PREPARE = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # as at a terminal: a shell's `&` job ignores SIGINT
from ontosync.store import new_database
create = new_database.create
def interrupted(*args):
    os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the new database's schema is made
    return create(*args)
new_database.create = interrupted
from ontosync.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_first_sync_interrupted_while_its_database_is_made_leaves_nothing(tmp_path):
    """Ctrl-C while a first sync made its database: the schema's private file went, and no
    database was there, but `o.db.lock` stayed alone in the folder."""
    src, out = _source(tmp_path), tmp_path / "out"
    out.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", INTERRUPT_IN_PREPARE, "sync", str(src), "--db", str(out / "o.db")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert proc.returncode == 130 and "Traceback" not in proc.stderr, proc.stderr
    assert os.listdir(out) == []


def test_a_github_stop_whose_checkpoint_was_not_saved_does_not_say_it_is(tmp_path):
    """GitHub down mid-run (every blob after the first two a 503), the checkpoint's folder made
    read-only when the first failing blob is asked for: the run said "warning: ...: not saved" and
    then "the files read so far are committed and the checkpoint is saved"."""
    from tests.fake_github import FakeGitHub, blob_sha
    from tests.test_github_source_round3 import answer, ttl

    files = {f"f{i:02d}.ttl": ttl(f"f{i:02d}") for i in range(8)}
    good = {blob_sha(files[n]) for n in ("f00.ttl", "f01.ttl")}
    folder, db = tmp_path / "ck", tmp_path / "o.db"
    folder.mkdir()
    ckpt = folder / "c.json"

    def hook(handler, seg, query):
        if seg[3:5] == ["git", "blobs"] and seg[5] not in good:
            folder.chmod(0o555)
            return answer(handler, 503)
        return None

    env = {"GITHUB_TOKEN": "", "ONTOSYNC_GITHUB_TIMEOUT": "30", "ONTOSYNC_RETRY_BACKOFF": "0.001"}
    try:
        with FakeGitHub(None) as fake:
            fake.commit(files)
            fake.answer_hook = hook
            env["GITHUB_TOKEN"] = fake.token
            args = ("sync", "github:o/r@main", "--api-url", fake.url, "--db", str(db), "--checkpoint", str(ckpt))
            proc = run_cli_unprivileged(*args, "--retries", "1", "--workers", "1", env=env)
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 1, proc.stderr
    last = proc.stderr.splitlines()[-2:]
    assert last[0] == f"ontosync: warning: {ckpt}: not saved: Permission denied", proc.stderr
    assert last[1].startswith("ontosync: GitHub API kept failing for github:o/r"), proc.stderr
    assert last[1].endswith(
        "; the files read so far are committed, but the checkpoint is not saved (its warning says why): "
        "run again later to go on"
    ), proc.stderr
    assert json.loads(ckpt.read_text())["processed"] == 0  # the run's first, all it could write


def test_a_sync_interrupted_before_its_first_checkpoint_does_not_say_it_is_saved(tmp_path):
    """Ctrl-C while a github: sync read the graph's config.edn (before its first checkpoint): the run
    said "interrupted; the checkpoint is saved, run the same command again to resume", no checkpoint
    written."""
    import signal

    from tests.fake_github import FakeGitHub, blob_sha

    config = b"{:meta/version 1}\n"
    files = {"logseq/config.edn": config, "pages/A.md": b"- a\n"}
    asked = threading.Event()

    def hook(handler, seg, query):
        if seg[3:5] == ["git", "blobs"] and seg[5] == blob_sha(config):
            asked.set()
            time.sleep(5)
        return None

    db = tmp_path / "o.db"
    with FakeGitHub(None) as fake:
        fake.commit(files)
        fake.answer_hook = hook
        env = {**os.environ, "PYTHONPATH": str(ROOT), "GITHUB_TOKEN": fake.token, "ONTOSYNC_GITHUB_TIMEOUT": "30"}
        cmd = [sys.executable, "-m", "ontosync", "sync", "github:o/r@main", "--api-url", fake.url, "--db", str(db)]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert asked.wait(60), proc.communicate(timeout=60)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert not Path(f"{db}.checkpoint.json").exists()
    said = "ontosync: interrupted: the sync had not begun: no file was synced, run the same command again"
    assert err.splitlines()[-1] == said, err
