"""Issue h64: hostile surroundings, round 3 (round 2: tests/test_hostile_env2.py).

- A hard-linked database (`ln real.db hard.db`): `--db hard.db` and `--db real.db` took two lock
  files, and two syncs wrote into the one file at once.
- Two databases sharing one `--checkpoint`: the second resumed the first's interrupted run (a
  `--full` run of it skipped files as "done by the interrupted run"), and replaced its checkpoint.
- A checkpoint file of gigabytes was read whole into memory by `sync` and `status`.
- `fetch-db` (in-process) kept the retry backoff `$ONTOSYNC_RETRY_BACKOFF` had when it was imported.
- `verify` on a database another program held locked said it "fails its checks", exit 3.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import cli
from tests.test_hostile_env2 import _classes


def _empty_tree(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir(exist_ok=True)
    return tmp_path / "src"


def _page(src: Path, name: str) -> None:
    (src / f"{name}.md").write_text(f"- ### OntologyBlock\n  - owl:class:: mv:{name}\n", encoding="utf-8")


def test_a_hard_link_of_the_database_takes_the_same_lock(tmp_path):
    """realpath() does not see hard links: `hard.db.lock` was free while `real.db.lock` was held."""
    from ontosync.store.lock import SyncLock

    src = _empty_tree(tmp_path)
    real, hard = tmp_path / "real.db", tmp_path / "other" / "hard.db"
    assert cli("sync", str(src), "--db", str(real), "--quiet").returncode == 0
    hard.parent.mkdir()
    os.link(real, hard)
    _page(src, "Cat")
    with SyncLock(real, "the other sync", timeout=0):
        proc = cli("sync", str(src), "--db", str(hard), "--lock-timeout", "0", "--quiet")
    assert proc.returncode == 4, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ontosync: busy: database {hard} is busy: another sync holds it through another name of the same file "
        "(a hard link; that name's .lock file names the holder); waited 0 s (--lock-timeout). Nothing was "
        "written; run again later."]
    with SyncLock(hard, "this sync", timeout=0):  # released with its holder: the other name's turn
        pass



def test_a_forked_worker_does_not_keep_the_database_files_lock(tmp_path):
    """Both locks are open file descriptions' (`<db>.lock`'s flock, the database file's OFD lock): a
    parse worker forked while they were held shared them, so a SIGKILLed sync's worker, still
    parsing (up to --file-timeout), kept the next sync waiting or busy ("the lock file still names
    pid N, which has exited"). A forked child closes its copies: once the holder is gone, the locks
    are free though the child lives."""
    from ontosync.store.lock import SyncLock

    src = _empty_tree(tmp_path)
    db = tmp_path / "o.db"
    assert cli("sync", str(src), "--db", str(db), "--quiet").returncode == 0
    lock = SyncLock(db, "the holder", timeout=0)
    lock.acquire()
    child = os.fork()
    if child == 0:  # a worker: its copies of both lock descriptors must be gone
        gone = 0
        for fd in (lock.inode_fd, lock.fd):
            try:
                os.fstat(fd)
            except OSError:
                gone += 1
        os._exit(0 if gone == 2 else 1)
    try:
        _pid, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        lock.release()


def _interrupted_checkpoint(src: Path, db: Path, ckpt: Path) -> None:
    """`ckpt` as a sync of `src` into `db` interrupted mid-way leaves it (the timing of a real
    interrupt cannot be aimed from here): unfinished, started now. A millisecond before the finished
    run's start, which the database records: its own checkpoint, left unfinished, is not resumed
    (a finished run that could not replace it: tests/test_hostile_env6.py)."""
    from datetime import datetime, timedelta

    assert cli("sync", str(src), "--db", str(db), "--checkpoint", str(ckpt), "--quiet").returncode == 0
    data = json.loads(ckpt.read_text(encoding="utf-8"))
    data["finished"] = False
    started = datetime.fromisoformat(data["started_at"]) - timedelta(milliseconds=1)
    data["started_at"] = started.isoformat(timespec="milliseconds")
    ckpt.write_text(json.dumps(data), encoding="utf-8")


def test_a_checkpoint_shared_by_two_databases_is_not_resumed_by_the_other(tmp_path):
    """`--checkpoint c.json` for a.db and b.db (one config file for both): b's `--full` sync
    resumed a's interrupted run, skipped every file b had synced since a began as "done by the
    interrupted run" (so not reparsed), and replaced a's checkpoint: a could no more resume."""
    src = _empty_tree(tmp_path)
    _page(src, "Cat")
    ckpt, a, b = tmp_path / "c.json", tmp_path / "a.db", tmp_path / "b.db"
    _interrupted_checkpoint(src, a, ckpt)
    kept = ckpt.read_bytes()
    assert cli("sync", str(src), "--db", str(b), "--quiet").returncode == 0
    proc = cli("sync", str(src), "--db", str(b), "--checkpoint", str(ckpt), "--full")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ontosync: error: --checkpoint {ckpt}: holds the unfinished sync of another database ({a}), which "
        "resumes from it; give this database its own checkpoint (or delete that one to drop its resume)"]
    assert ckpt.read_bytes() == kept
    report = tmp_path / "r.json"
    proc = cli("sync", str(src), "--db", str(a), "--checkpoint", str(ckpt), "--full", "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(report.read_text(encoding="utf-8"))["resumed"] is True  # its own database resumes it
    assert cli("sync", str(src), "--db", str(b), "--checkpoint", str(ckpt), "--quiet").returncode == 0  # finished


def test_a_checkpoint_written_before_it_named_its_database_still_resumes(tmp_path):
    src = _empty_tree(tmp_path)
    ckpt, db, report = tmp_path / "c.json", tmp_path / "a.db", tmp_path / "r.json"
    _interrupted_checkpoint(src, db, ckpt)
    data = json.loads(ckpt.read_text(encoding="utf-8"))
    data.pop("database", None)
    ckpt.write_text(json.dumps(data), encoding="utf-8")
    assert cli("sync", str(src), "--db", str(db), "--checkpoint", str(ckpt), "--report", str(report)).returncode == 0
    assert json.loads(report.read_text(encoding="utf-8"))["resumed"] is True


def test_a_huge_checkpoint_is_not_read_into_memory(tmp_path, monkeypatch):
    """A checkpoint of gigabytes (a disk filled by another program, a file named by mistake) was
    read whole, then parsed, by every sync and `status`. Past the cap it is unreadable, as garbage is,
    and `status` says why."""
    from ontosync.pipeline import checkpoint

    monkeypatch.setattr(checkpoint, "MAX_BYTES", 1000, raising=False)
    src = _empty_tree(tmp_path)
    db, ckpt = tmp_path / "o.db", tmp_path / "o.db.checkpoint.json"
    _interrupted_checkpoint(src, db, ckpt)
    with ckpt.open("a") as fh:
        fh.write(" " * 1000)
    read = []
    real_read = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: read.append(self) or real_read(self, *a, **k))
    proc = cli("status", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert (f"checkpoint    unreadable: {ckpt} is larger than 1000 bytes, more than a checkpoint holds; nothing "
            "resumes from it, and the next sync replaces it") in proc.stdout.splitlines()
    assert ckpt not in read


def test_fetch_db_takes_the_backoff_the_environment_has_when_it_runs(tmp_path, monkeypatch):
    """`RETRY = RetryPolicy()` read `$ONTOSYNC_RETRY_BACKOFF` once, at import: `fetch-db` called
    in a process whose environment changed after (the Action's entrypoint, a test) waited its old
    backoff. The waits are recorded, not slept."""
    import sys
    import time

    from ontosync.action import artifacts  # imported before the environment changes, as in a long process
    from ontosync.action.fetch_db import fetch_db
    from tests.fake_artifacts import FakeArtifactServer, make_zip

    waits: list[float] = []  # the retry policy's (PyGithub's own pacing between requests left out)
    monkeypatch.setattr(time, "sleep", lambda s: sys._getframe(1).f_globals["__name__"].startswith(
        ("ontosync.retry", "backoff")) and waits.append(s))
    monkeypatch.setenv("ONTOSYNC_RETRY_BACKOFF", "0")
    from tests.test_fetch_db import make_db

    db = tmp_path / "src.db"
    make_db(db)  # an ontosync database's shape: fetch-db refuses another program's (h66)
    with FakeArtifactServer(token="t") as fake:
        fake.add("acme/onto", "ontology-db", make_zip({"ontology.db": db.read_bytes()}))
        fake.fail_next["list"] = 2
        code = fetch_db("acme/onto", "ontology-db", tmp_path / "o.db", api_url=fake.api_url, token="t")
    assert code == 0 and (tmp_path / "o.db").read_bytes() == db.read_bytes()
    assert waits == [0, 0] and artifacts.RetryPolicy


def sqlite3_db(path: Path, *statements: str) -> None:
    """A small SQLite file (a table `t`, and what `statements` put in it): an artifact's database."""
    import sqlite3

    conn = sqlite3.connect(path)
    for sql in ("CREATE TABLE t (x)", *statements):
        conn.execute(sql)
    conn.commit()
    conn.close()


@pytest.fixture
def locked_database(tmp_path):
    """A synced database in rollback-journal mode, which another program holds in an EXCLUSIVE
    transaction (every reader is kept out: SQLITE_BUSY), until the test ends."""
    import sqlite3

    from tests.helpers import WriteLockHolder

    db = tmp_path / "o.db"
    assert cli("sync", str(_empty_tree(tmp_path)), "--db", str(db), "--quiet").returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    with WriteLockHolder(db, "EXCLUSIVE") as holder:
        yield db, holder.pid


def test_a_reader_of_a_locked_database_waits_its_busy_timeout_then_says_busy(locked_database):
    """`verify` said the database "fails its checks" (exit 3) when another program held it locked;
    and every reader waited a fixed 5 s before saying so: `--busy-timeout` sets that wait."""
    import time

    db, pid = locked_database
    for command in (["verify"], ["status"], ["search", "cat"], ["diff"]):
        started = time.monotonic()
        proc = cli(*command, "--db", str(db), "--busy-timeout", "0.1")
        assert time.monotonic() - started < 2, command
        assert proc.returncode == 4, (command, proc.stderr)
        [line] = proc.stderr.splitlines()
        assert line.startswith(f"ontosync: busy: {db}: database is locked by pid {pid} ") and line.endswith(
            "Nothing was lost; run again."), line


def test_status_whose_read_meets_a_lock_taken_after_its_open_says_busy(tmp_path):
    """A writer that locks the database between `status`'s open and its counts: "fatal: not an
    ontosync database: database is locked", exit 3 (Peewee's error taken for a schema's). The
    open and the lock are ordered here; a user meets them in that order by chance."""
    import sqlite3

    from ontosync.store.read_only import reader_wait
    from ontosync.store.status import open_read_only, status_counts
    from tests.helpers import WriteLockHolder

    db = tmp_path / "o.db"
    assert cli("sync", str(_empty_tree(tmp_path)), "--db", str(db), "--quiet").returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    with reader_wait(0.05):
        opened = open_read_only(db)
        try:
            with WriteLockHolder(db, "EXCLUSIVE"), pytest.raises(sqlite3.OperationalError, match="locked"):
                status_counts(opened)
        finally:
            opened.close()


def test_a_tuning_variable_of_any_value_costs_no_file(tmp_path, monkeypatch):
    """`ONTOSYNC_HANDOVER_MIN_BYTES=x` (a benchmark's variable left in a shell, a typo) failed every
    file of the run with "invalid literal for int()", exit 1; the value is a tuning, so one it
    cannot read leaves the default."""
    from ontosync.pipeline import handover

    for value in ("1e9", "", "x"):
        monkeypatch.setenv("ONTOSYNC_HANDOVER_MIN_BYTES", value)
        assert handover.split_from() == handover.SPLIT_FROM
    src = _empty_tree(tmp_path)
    (src / "a.ttl").write_text("@prefix ex: <http://e/#> .\nex:A a <http://www.w3.org/2002/07/owl#Class> .\n")
    proc = cli("sync", str(src), "--db", str(tmp_path / "o.db"), "--workers", "1", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert _classes(tmp_path / "o.db") == [("http://e/#A", None, "a.ttl")]




def test_a_test_hook_variable_of_garbage_is_no_traceback():
    """`ONTOSYNC_FAULT_SIGNAL_AFTER_SAVE=x` was read with int() at import: every command's first
    import of the pipeline was a ValueError traceback."""
    import subprocess
    import sys

    from tests.helpers import ROOT

    proc = subprocess.run([sys.executable, "-c", "import ontosync.pipeline.interrupts as i; print(i._FAULT_AFTER)"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "ONTOSYNC_FAULT_SIGNAL_AFTER_SAVE": "x"})
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "0\n", "")


def test_a_github_timeout_variable_out_of_range_is_the_default(monkeypatch):
    """`ONTOSYNC_GITHUB_TIMEOUT=inf` ("no timeout" meant): an OverflowError traceback as the GitHub
    source was made, before the first request; `nan` made every request's timeout 0.1 s. A value
    that is no usable number of seconds leaves the default (30 s), as `$ONTOSYNC_RETRY_BACKOFF` does."""
    from ontosync.sources.github import GitHubSource
    from ontosync.sources.github_http import DEFAULT_TIMEOUT

    for value in ("inf", "nan", "-1", "x", "1e400"):
        monkeypatch.setenv("ONTOSYNC_GITHUB_TIMEOUT", value)
        assert GitHubSource("github:o/r", None, api_url="http://127.0.0.1:9").timeout == DEFAULT_TIMEOUT
    monkeypatch.setenv("ONTOSYNC_GITHUB_TIMEOUT", "2.5")
    assert GitHubSource("github:o/r", None, api_url="http://127.0.0.1:9").timeout == 2.5


@pytest.mark.parametrize("command", [["status"], ["verify"], ["diff"], ["search", "a"], ["migrate"],
                                     ["sync", "src"]])
@pytest.mark.parametrize("long", ["name", "path"])
def test_a_database_name_past_the_file_systems_limits_is_one_line(tmp_path, command, long):
    """A name of 300 bytes (a generated name, a variable pasted twice) or a path past PATH_MAX (4096):
    every command ended in an OSError "File name too long" traceback, exit 1."""
    _empty_tree(tmp_path)
    db = "x" * 300 + ".db" if long == "name" else "/".join(["d" * 250] * 17) + "/o.db"
    proc = cli(*command, "--db", db, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    what = "a name in it is longer than 255 bytes" if long == "name" else "longer than 4096 bytes"
    assert proc.stderr.splitlines() == [f"ontosync: error: --db {db}: the path is too long for this system ({what})"]


@pytest.mark.parametrize("args", [["sync", "{long}", "--db", "o.db"], ["diff", "--db", "o.db", "--base", "{long}"],
                                  ["fetch-db", "a/b", "--out", "{long}"]])
def test_other_paths_past_the_limits_are_one_line(tmp_path, args):
    """The source folder and `fetch-db --out`: the same traceback; `diff --base` said "not found"."""
    long = "x" * 300
    assert cli("sync", str(_empty_tree(tmp_path)), "--db", str(tmp_path / "o.db"), "--quiet").returncode == 0
    proc = cli(*[a.replace("{long}", long) for a in args], cwd=tmp_path, env={"GITHUB_TOKEN": "t"})
    assert proc.returncode == 2, proc.stderr
    [line] = proc.stderr.splitlines()
    assert line.endswith(f" {long}: the path is too long for this system (a name in it is longer than 255 bytes)"), line


@pytest.mark.parametrize("token", ["ghp_abc\nghp_def", "ghp_abc def", "ghp_abc€"])
@pytest.mark.parametrize("command", [["sync", "github:o/r", "--db", "o.db"], ["fetch-db", "o/r", "--out", "o.db"]])
def test_a_token_with_a_break_inside_is_named_not_sent(tmp_path, token, command):
    """A secret pasted over two lines (or with a space, or a character outside ASCII) inside it:
    "unexpected InvalidHeader from the GitHub client" (sync), "InvalidHeader (3 attempts)"
    (fetch-db), after three tries of what no request can carry. Nothing of the token is printed."""
    proc = cli(*command, "--api-url", "http://127.0.0.1:9", cwd=tmp_path,
               env={"GITHUB_TOKEN": token, "ONTOSYNC_RETRY_BACKOFF": "0"})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        "ontosync: error: GITHUB_TOKEN has a space, a line break or a character outside ASCII inside it, which no "
        "request can carry: set it again as the one word GitHub gave"]
    assert not (tmp_path / "o.db").exists()


def test_fetch_db_whose_temporary_folder_cannot_take_the_download_is_one_line(tmp_path, monkeypatch):
    """The artifact is downloaded into $TMPDIR first: a full one (here a file size limit, `ulimit -f`,
    which fails the write the same way) was an OSError traceback, exit 1."""
    import resource
    import tempfile

    from tests.fake_artifacts import FakeArtifactServer

    src = tmp_path / "big.db"
    sqlite3_db(src, "INSERT INTO t VALUES (randomblob(200000))")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    out = tmp_path / "out" / "o.db"
    with FakeArtifactServer(token="t") as fake:
        fake.add("a/b", "ontology-db", {"ontology.db": src.read_bytes()})
        before = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, before[1]))
        try:
            proc = cli("fetch-db", "a/b", "--out", str(out), "--api-url", fake.api_url,
                       env={"GITHUB_TOKEN": "t", "ONTOSYNC_RETRY_BACKOFF": "0"})
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, before)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ontosync: error: cannot download artifact 'ontology-db' into the temporary folder {scratch}: File too "
        "large; give TMPDIR a folder with room for it"]
    assert not out.exists() and os.listdir(scratch) == []


def test_the_actions_restore_whose_temporary_folder_is_full_runs_a_full_sync(tmp_path, monkeypatch):
    """restore-artifact downloads into $TMPDIR too: a full one was an OSError traceback that ended
    the Action before its sync; now a warning, and the full sync any failed restore runs."""
    import io
    import resource
    import tempfile

    from ontosync.action import run as action_run
    from tests.fake_artifacts import FakeArtifactServer
    from tests.test_action import REPO, TOKEN, FakeCli, make_env, sample_report

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with FakeArtifactServer(token=TOKEN) as fake:
        sqlite3_db(tmp_path / "main.db", "INSERT INTO t VALUES (randomblob(200000))")  # past the limit below
        fake.add(REPO, "ontology-db", {"ontology.db": (tmp_path / "main.db").read_bytes()})
        env = make_env(tmp_path, restore_artifact="ontology-db")
        env.update({"GITHUB_API_URL": fake.api_url, "ONTOSYNC_RETRY_BACKOFF": "0"})
        cli_run, log = FakeCli(sample_report(failed=0)), io.StringIO()
        before = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, before[1]))
        try:
            code = action_run.main(env, cli_main=cli_run, out=log)
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, before)
    assert code == 0 and cli_run.argv is not None and cli_run.db_marker is None, log.getvalue()
    assert (f"::warning::restore-artifact 'ontology-db': cannot download it into the temporary folder {scratch}: "
            "File too large; running a full sync") in log.getvalue().splitlines()
    assert os.listdir(scratch) == []


def test_a_checkpoint_whose_database_moved_with_it_still_resumes(tmp_path):
    """A database and its `--checkpoint` restored together under another folder (a CI cache): the
    database the checkpoint names is gone from its path, so this one is taken for it, moved."""
    src = _empty_tree(tmp_path)
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    _interrupted_checkpoint(src, old / "o.db", old / "c.json")
    old.rename(new)
    report = tmp_path / "r.json"
    proc = cli("sync", str(src), "--db", str(new / "o.db"), "--checkpoint", str(new / "c.json"),
               "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(report.read_text(encoding="utf-8"))["resumed"] is True


@pytest.mark.parametrize("mask", [0o277])
def test_a_umask_that_takes_the_owners_write_permission_is_refused_first(tmp_path, mask):
    """`umask 0277`: SQLite made the database, then its -wal, read-only for their owner; the first
    sync ended "fatal: attempt to write a readonly database" (exit 3) leaving an empty database,
    every later one "read-only database", and nothing said the umask did it. (As root the
    permission bits do not bind, so the sync succeeded: the refusal comes before any file.)"""
    src = _empty_tree(tmp_path)
    before = os.umask(mask)
    try:
        proc = cli("sync", str(src), "--db", str(tmp_path / "o.db"))
    finally:
        os.umask(before)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ontosync: error: the umask {mask:04o} takes the owner's read or write permission from the files a sync "
        "creates (the database, its -wal and -shm, the lock): set one that leaves them, such as 0022 or 0077"]
    assert sorted(os.listdir(tmp_path)) == ["src"]


def test_an_output_with_a_non_ascii_name_is_written_under_an_ascii_locale(tmp_path):
    """`LC_ALL=C` with Python's UTF-8 mode off (PYTHONUTF8=0: file names are ASCII to Python): the
    temporary name of `ü.db.checkpoint.json` was made by decoding its bytes as UTF-8, which the
    file system encoding could not encode back: a UnicodeEncodeError traceback at the first
    checkpoint. The lone write is run in a child (the locale is fixed at the interpreter's start)."""
    import subprocess
    import sys

    from tests.helpers import ROOT

    target = os.fsencode(tmp_path) + "/ü.json".encode()
    proc = subprocess.run([sys.executable, "-c", "import sys, os; from ontosync.files import replace_atomically; "
                           "replace_atomically(os.fsdecode(sys.argv[1].encode('ascii', 'surrogateescape')), "
                           "lambda fh: fh.write(b'{}'))", target],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "LC_ALL": "C", "PYTHONUTF8": "0",
                               "PYTHONCOERCECLOCALE": "0"})
    assert (proc.returncode, proc.stderr) == (0, "")
    assert os.listdir(os.fsencode(tmp_path)) == ["ü.json".encode()]
    assert (tmp_path / "ü.json").read_bytes() == b"{}"


def test_a_folder_swapped_for_a_link_out_of_the_source_during_the_sync_is_not_read_through(tmp_path):
    """`pages/` replaced by a link to a folder outside the source after the walk listed `pages/a.md`
    (and before a worker read it): the worker's open followed the link (O_NOFOLLOW guards the last
    name only), and the outside file's facts entered the database as `pages/a.md`. The swap is made
    between the listing and the read, in this process; a run meets it by timing."""
    from ontosync.sources import PathFilter
    from ontosync.sources.local import LocalSource, hash_file, read_with_stat

    src, outside = _empty_tree(tmp_path), tmp_path / "outside"
    (src / "pages").mkdir()
    outside.mkdir()
    (src / "pages" / "a.md").write_text("inside\n")
    (outside / "a.md").write_text("SECRET\n")
    source = LocalSource(str(src), PathFilter(["**/*.md"], []), 1 << 20)
    [(_, path)] = list(source.contents(source.list_files()))
    assert read_with_stat(path, 1 << 20)[0] == b"inside\n"
    (src / "pages").rename(src / "pages.real")
    (src / "pages").symlink_to(outside)
    for read in (lambda: read_with_stat(path, 1 << 20), lambda: hash_file(path, 7)):
        with pytest.raises(OSError, match=r"^a folder on its path changed since the walk"):
            read()


def test_a_migrations_folder_variable_past_the_name_limit_is_one_line(tmp_path, monkeypatch):
    """`ONTOSYNC_MIGRATIONS_DIR` of a 300-byte name: an OSError traceback from the glob."""
    monkeypatch.setenv("ONTOSYNC_MIGRATIONS_DIR", str(tmp_path / ("m" * 300)))
    proc = cli("sync", str(_empty_tree(tmp_path)), "--db", str(tmp_path / "o.db"))
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.splitlines() == [f"ontosync: fatal: no migration files found in {tmp_path / ('m' * 300)}: "
                                        "File name too long"]


def test_a_process_that_may_start_no_thread_still_writes_its_checkpoints(tmp_path, monkeypatch):
    """A container's pids limit, `ulimit -u`, or `ulimit -v` too small for a thread's stack: the
    checkpoint writer's thread could not start, "RuntimeError: can't start new thread", and the
    sync ended in a traceback (exit 1) after its files were committed. The checkpoints are then
    written by the run itself. (The limit is imitated: as root no such limit binds.)"""
    import threading

    real_start = threading.Thread.start

    def start(thread):
        if thread.name == "ontosync-checkpoint":
            raise RuntimeError("can't start new thread")
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", start)
    src = _empty_tree(tmp_path)
    for name in ("A", "B", "C"):
        _page(src, name)
    db = tmp_path / "o.db"
    proc = cli("sync", str(src), "--db", str(db), "--checkpoint-every", "1", "--workers", "1", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert [c[0].rsplit("#", 1)[1] for c in _classes(db)] == ["A", "B", "C"]
    ckpt = json.loads((tmp_path / "o.db.checkpoint.json").read_text(encoding="utf-8"))
    assert ckpt["finished"] is True and ckpt["processed"] == 3


@pytest.mark.parametrize("key", ["db", "report", "checkpoint", "path"])
def test_a_config_string_holding_a_nul_is_one_line(tmp_path, key):
    """`db: "a\\0b.db"` in a YAML file (a command line cannot carry a NUL, a file can): every path
    call raised "ValueError: embedded null byte", a traceback."""
    config = tmp_path / "c.yml"
    config.write_text(f'{key}: "a\\0b"\n')
    proc = cli("sync", str(_empty_tree(tmp_path)), "--config", str(config), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ontosync: error: {config} line 1: '{key}' must be a string without a NUL character (no path can hold one)"]


def test_a_report_into_a_pipe_its_reader_closed_is_exit_141_like_any_output(tmp_path):
    """`sync --report /dev/stdout | head -1`: the reader stopped early, which `status | head` takes
    as the reader's choice (141, SIGPIPE's exit); the sync said "error: not written: Broken pipe",
    exit 2, a usage error, of a run whose files were all committed."""
    src = _empty_tree(tmp_path)
    _page(src, "A")
    read, write = os.pipe()
    os.close(read)
    try:
        proc = cli("sync", str(src), "--db", str(tmp_path / "o.db"), "--report", f"/dev/fd/{write}", "--quiet")
    finally:
        os.close(write)
    assert proc.returncode == 141, proc.stderr
    assert "Broken pipe" not in proc.stderr and proc.stderr.startswith("ontosync: 1 files: 1 ok")
    assert [c[0] for c in _classes(tmp_path / "o.db")] == ["http://narrativegoldmine.com/metaverse#A"]


def test_a_checkpoints_server_is_the_same_whatever_the_role_or_the_sessions_options():
    """A PostgreSQL checkpoint's owner digested the whole URL: a sync resumed with the URL's
    `options=-c statement_timeout=...` dropped (tests/test_postgres_restricted.py) was refused as
    another database's run. The server, port and database name it; the role and options do not."""
    from types import SimpleNamespace

    from ontosync.pipeline.checkpoint import checkpoint_owner

    def owner(url: str, checkpoint: str | None = "c.json") -> str:
        return checkpoint_owner(SimpleNamespace(checkpoint=checkpoint, db=url, source="tree", checkout=None))

    base = "postgresql://u:p@db.example:5432/onto?schema=s"
    assert owner(base) == owner(base + "&options=-c%20statement_timeout%3D200")
    assert owner(base) == owner("postgresql://other:pw@db.example:5432/onto?schema=s&sslmode=require")
    assert owner(base) == owner("postgresql://u:p@DB.example/onto?schema=s")  # the default port, any case
    # the default checkpoint of a PostgreSQL database is named after its schema alone (in the working
    # folder): two servers' syncs of one source shared it, so it records its owner too
    assert owner(base, None) == owner(base) and owner(base, None) != owner(base.replace("db.", "db2."), None)
    assert owner("o.db", None) == ""  # an SQLite default checkpoint is named after its database
    assert len({owner(base), owner(base.replace("5432", "5433")), owner(base.replace("/onto", "/other")),
                owner(base.replace("db.example", "db2.example")), owner(base.replace("schema=s", "schema=t"))}) == 5
