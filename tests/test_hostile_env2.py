"""Issue h53: hostile surroundings, round 2 (round 1: tests/test_hostile_env.py).

- A 0-byte database file (`touch ontology.db`, a download cut short) had three verdicts: `status`
  "fatal: not an ontosync database" (exit 3), `verify` "not an SQLite database" (exit 3), `diff`
  "no change log yet" (exit 2), `search` "cannot search" (exit 3). SQLite takes a 0-byte file as
  an empty database, and `sync` fills it: every reading command now says that, in one line, exit 2.
- SIGTERM while the modules load (the first ~0.3 s) ended the process on the spot, without a line.
- `--config` naming a FIFO with no writer blocked for ever.
- The password mask ran to the last `@` of the URL: `u:pw@host/d@b` was shown as `u:***@b`.
- A `logseq/config.edn` that failed applied Logseq's defaults, not its last good version's settings.
Then the hunt: config bombs and wrong entries, a `--db` through a link (two locks on one database),
read-only media, file systems without locks, outputs that are the config file, a source file or a
FIFO nobody reads, unreadable and failure-heavy checkpoints, an exited holder named as busy.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.helpers import ROOT, cli, copy_example


def _empty_tree(tmp_path: Path) -> Path:
    """A source with no file: the cheapest sync that makes a database."""
    (tmp_path / "src").mkdir(exist_ok=True)
    return tmp_path / "src"


@pytest.mark.parametrize("command", [["status"], ["verify"], ["diff"], ["search", "a"], ["diff", "--base", "{empty}"]])
def test_an_empty_database_file_gets_one_verdict(tmp_path, command):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    if "--base" in command:  # the head a real database, the base the empty file
        head = tmp_path / "o.db"
        assert cli("sync", str(_empty_tree(tmp_path)), "--db", str(head), "--quiet").returncode == 0
        proc = cli("diff", "--db", str(head), "--base", str(empty))
    else:
        proc = cli(*command, "--db", str(empty))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ontosync: error: database {empty}: an empty file (0 bytes), no ontosync database yet; "
        "`ontosync sync` creates one in it"]
    assert empty.stat().st_size == 0 and proc.stdout == ""


def test_a_sync_into_an_empty_database_file_fills_it(tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert cli("sync", str(copy_example(tmp_path)), "--db", str(empty), "--quiet").returncode == 0
    proc = cli("status", "--db", str(empty))
    assert proc.returncode == 0, proc.stderr
    assert "files         7 ok, 0 failed, 1 skipped" in proc.stdout


def test_sigterm_while_starting_is_exit_130_in_one_line(tmp_path):
    """The signal's timing cannot be aimed from outside, so the process sends it to itself while
    `ontosync.cli` is being imported (where the first ~0.3 s go)."""
    script = (
        "import builtins, os, signal, sys\n"
        "real = builtins.__import__\n"
        "def hooked(name, *a, **k):\n"
        "    if name == 'ontosync.cli':\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = hooked\n"
        "sys.argv = ['ontosync', 'status', '--db', 'absent.db']\n"
        "from ontosync import run\n"
        "run()\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert (proc.returncode, proc.stderr) == (130, "ontosync: interrupted while starting; nothing was done\n")


def test_run_leaves_the_signal_handlers_as_it_found_them(monkeypatch, capsys):
    """`ontosync.run` called in a process that goes on (a test, a wrapper) must not keep its handlers."""
    import ontosync

    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    monkeypatch.setattr(sys, "argv", ["ontosync", "--version"])
    with pytest.raises(SystemExit):
        ontosync.run()
    assert {s: signal.getsignal(s) for s in before} == before
    assert capsys.readouterr().out.startswith("ontosync ")


def _in_thread(call, seconds: float = 5):
    """`call()` in a thread, its outcome (a value or the exception), or None when it still runs."""
    outcome: list = []

    def go() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # the outcome is what the test looks at
            outcome.append(exc)

    worker = threading.Thread(target=go, daemon=True)
    worker.start()
    worker.join(seconds)
    return outcome[0] if outcome else None


def test_a_config_fifo_without_a_writer_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "conf.yml"
    os.mkfifo(fifo)
    (tmp_path / "src").mkdir()
    outcome = _in_thread(lambda: cli("sync", str(tmp_path / "src"), "--db", str(tmp_path / "o.db"),
                                     "--config", str(fifo)))
    if outcome is None:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # free the blocked open
        pytest.fail("--config on a FIFO blocked")
    assert outcome.returncode == 2, outcome.stderr
    assert outcome.stderr.splitlines() == [
        f"ontosync: error: cannot read config {fifo}: a FIFO with nothing to read (no writer)"]
    assert not (tmp_path / "o.db").exists()


def test_a_config_from_a_pipe_with_a_writer_is_read(tmp_path):
    """`--config <(make-config)`: process substitution hands over a pipe, which is read."""
    from ontosync.config import load_config_file

    read, write = os.pipe()
    os.write(write, b"workers: 3\n")
    os.close(write)
    try:
        assert load_config_file(Path(f"/dev/fd/{read}")) == {"workers": 3}
    finally:
        os.close(read)


@pytest.mark.parametrize(("url", "secrets"), [
    ("postgresql://u:p@ss/w@host:5432/db", ("p@ss/w", "ss/w")),
    ("postgresql://u:pw@host/d@b", ("pw",)),
    ("cannot use postgresql://u:Sec@Ret9@host/team@work: refused", ("Sec", "Ret9")),
    ("postgresql://u:Sec/Ret9@host/db", ("Sec", "Ret9")),
    ("postgresql://u:pw@host/db?application_name=a@b", ("pw",)),
])
def test_a_password_is_masked_whole_whatever_at_signs_follow(url, secrets):
    """An `@` in the database's name cannot be told from one in a password holding a `/`
    (`u:p@ss/w@host/db`): a mask that stopped at the first `@` before a host printed `ss/w` of that
    password (this round's first mend of `u:pw@host/team@work` did). The mask runs to the last `@`
    before the query: it may hide a database name's head, never a password's tail."""
    from ontosync.db_url import mask

    shown = mask(url)
    assert "***" in shown and not any(secret in shown for secret in secrets), shown


def _classes(db: Path) -> list[tuple]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return sorted(conn.execute("SELECT class_iri, label, source_file FROM owl_classes"))
    finally:
        conn.close()


def test_a_config_edn_that_fails_keeps_the_settings_of_its_last_good_version(tmp_path):
    """CONTRACT section 2: a file that fails keeps what its last good version gave. A config.edn
    that could not be read applied Logseq's defaults instead: its `:hidden` folder's pages entered
    the database (and the change log), every page was reparsed under other names, and mended, all
    again; as if the settings file had been emptied, when only a bracket was lost."""
    import json

    root = tmp_path / "graph"
    (root / "logseq").mkdir(parents=True)
    (root / "archive").mkdir()
    config = root / "logseq" / "config.edn"
    config.write_text('{:hidden ["/archive"]\n :file/name-format :triple-lowbar}\n')
    (root / "archive" / "Old.md").write_text("- ### OntologyBlock\n  - owl:class:: mv:Old\n")
    (root / "Link.md").write_text("- ### OntologyBlock\n  - owl:class:: mv:Link\n")
    db, report = tmp_path / "o.db", tmp_path / "r.json"
    assert cli("sync", str(root), "--db", str(db), "--quiet").returncode == 0
    before = _classes(db)
    assert [c[2] for c in before] == ["Link.md"]
    config.write_text('{:hidden ["/archive"\n :file/name-format :triple-lowbar}\n')  # a bracket lost
    proc = cli("sync", str(root), "--db", str(db), "--quiet", "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    assert _classes(db) == before
    rep = json.loads(report.read_text(encoding="utf-8"))
    assert rep["files"]["unchanged"] == 2 and rep["files"]["ok"] == 0, rep["files"]
    [warning] = rep["warnings"]
    assert warning["kind"] == "logseq-config" and warning["message"].endswith(
        "; the settings of its last good version apply"), warning
    config.write_text("{:file/name-format :triple-lowbar}\n")  # the tree's own change: it applies
    assert cli("sync", str(root), "--db", str(db), "--quiet").returncode == 0
    assert sorted(c[2] for c in _classes(db)) == ["Link.md", "archive/Old.md"]


def test_a_config_number_of_5000_digits_is_one_line(tmp_path):
    """PyYAML turns digits into an int with Python's int(), which refuses more than 4300 digits:
    a ValueError traceback, exit 1."""
    config = tmp_path / "c.yml"
    config.write_text("workers: " + "9" * 5000 + "\n")
    (tmp_path / "src").mkdir()
    proc = cli("sync", str(tmp_path / "src"), "--db", str(tmp_path / "o.db"), "--config", str(config))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [f"ontosync: error: {config}: a number too long to read (more than 4300 digits)"]


def test_a_database_named_through_a_link_takes_the_lock_of_the_file_it_leads_to(tmp_path):
    """`--db link.db` (a link to real.db) locked `link.db.lock` while another sync of `real.db`
    held `real.db.lock`: both synced into the one database at once."""
    from ontosync.store.lock import SyncLock

    real, link = tmp_path / "real.db", tmp_path / "link.db"
    link.symlink_to(real.name)
    (tmp_path / "src").mkdir()
    with SyncLock(real, "the other sync", timeout=0):
        proc = cli("sync", str(tmp_path / "src"), "--db", str(link), "--lock-timeout", "0", "--quiet")
    assert proc.returncode == 4, proc.stderr
    assert "another sync holds it" in proc.stderr and "the other sync" in proc.stderr, proc.stderr
    assert not real.exists()


@pytest.mark.parametrize("content", [b"garbage{", b'{"notes": "another program\'s file"}', b"\xff\xfe"])
def test_status_says_a_checkpoint_it_cannot_read_is_there(tmp_path, content):
    """A checkpoint file that is garbage, another program's JSON or not UTF-8: `status` said
    "checkpoint none", as if no file were there (and the next sync replaces it)."""
    import json

    db = tmp_path / "o.db"
    assert cli("sync", str(_empty_tree(tmp_path)), "--db", str(db), "--quiet").returncode == 0
    ckpt = tmp_path / "o.db.checkpoint.json"
    ckpt.write_bytes(content)
    text = cli("status", "--db", str(db))
    assert text.returncode == 0, text.stderr
    why = f"unreadable: {ckpt} is not a checkpoint this ontosync reads; nothing resumes from it, and the next sync " \
          "replaces it"
    assert f"checkpoint    {why}" in text.stdout.splitlines()
    as_json = json.loads(cli("status", "--db", str(db), "--json").stdout)
    assert as_json["checkpoint"] is None and as_json["checkpoint_unreadable"] == why
    ckpt.unlink()
    assert json.loads(cli("status", "--db", str(db), "--json").stdout)["checkpoint_unreadable"] is None


@pytest.fixture
def read_only_database(tmp_path):
    """A synced database the user may only read (its file and its folder), as on read-only media."""
    from tests.privileges import restore_permissions

    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "o.db"
    assert cli("sync", str(_empty_tree(tmp_path)), "--db", str(db), "--quiet").returncode == 0
    for name in os.listdir(folder):
        os.chmod(folder / name, 0o444)
    os.chmod(folder, 0o555)
    yield db
    restore_permissions(tmp_path)


def test_migrate_of_a_database_it_may_not_write(read_only_database):
    """`migrate --dry-run` never writes, yet it opened the database read-write: exit 3, "cannot read
    the database schema". `migrate` said "cannot open the lock file", exit 2, where `sync` says the
    contract's read-only failure, exit 3."""
    from tests.privileges import run_cli_unprivileged

    dry = run_cli_unprivileged("migrate", "--db", str(read_only_database), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "up to date: nothing to do (dry run)" in dry.stdout
    real = run_cli_unprivileged("migrate", "--db", str(read_only_database))
    assert real.returncode == 3, real.stderr
    assert real.stderr.splitlines() == [f"ontosync: fatal: read-only database {read_only_database}: permission denied; "
                                        "nothing was written"]


def test_a_read_only_file_system_is_named_not_called_permission_denied(tmp_path):
    """A database folder on read-only media: "permission denied" sent the user to chmod."""
    import shutil

    mnt = tmp_path / "mnt"
    mnt.mkdir()
    (tmp_path / "src").mkdir()
    if not shutil.which("mount") or subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(mnt)],
                                                   capture_output=True).returncode:
        pytest.skip("cannot mount a read-only file system here (not root, or no CAP_SYS_ADMIN)")
    try:
        proc = cli("sync", str(tmp_path / "src"), "--db", str(mnt / "o.db"), "--quiet")
        report = cli("sync", str(tmp_path / "src"), "--db", str(tmp_path / "o.db"), "--report", str(mnt / "r.json"))
    finally:
        subprocess.run(["umount", str(mnt)], check=True)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"ontosync: error: cannot write database {mnt}/o.db: read-only file system"]
    assert report.returncode == 2
    assert report.stderr.splitlines() == [f"ontosync: error: --report {mnt}/r.json: cannot write in folder {mnt}: "
                                          "read-only file system"]


def test_a_file_system_without_locks_is_one_line(tmp_path, monkeypatch):
    """flock() failing with ENOLCK (NFS without its lock daemon; no such file system here, so the
    call is made to fail) was an OSError traceback, exit 1."""
    import errno
    import fcntl

    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    (tmp_path / "src").mkdir()
    db = tmp_path / "o.db"
    proc = cli("sync", str(tmp_path / "src"), "--db", str(db), "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ontosync: error: cannot lock {db}.lock: No locks available; a file system without file locks cannot keep "
        "two syncs apart: put the database on a local disk"]
    assert not db.exists()


@pytest.mark.parametrize("flag", ["--report", "--checkpoint"])
@pytest.mark.parametrize("given", [True, False])
def test_an_output_that_is_the_configuration_file_is_refused(tmp_path, flag, given):
    """`--config c.yml --report c.yml` (or the source's own `.ontosync.yml` named as an output):
    the report replaced the user's settings, exit 0, and the next sync failed on them."""
    src = _empty_tree(tmp_path)
    config = tmp_path / "c.yml" if given else src / ".ontosync.yml"
    config.write_text("workers: 2\n")
    proc = cli("sync", str(src), "--db", str(tmp_path / "o.db"), flag, str(config),
               *(["--config", str(config)] if given else []))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [f"ontosync: error: {flag} {config}: is the config file; give another path"]
    assert config.read_text() == "workers: 2\n" and not (tmp_path / "o.db").exists()


def test_an_interrupted_reading_command_does_not_speak_of_a_checkpoint(tmp_path, monkeypatch):
    """Ctrl-C (or SIGTERM) during `status`: "the checkpoint is saved, run the same command again to
    resume", of a command that writes no checkpoint. The interrupt is raised where the counts are
    read (its timing cannot be aimed from here)."""
    from ontosync.store import status

    db = tmp_path / "o.db"
    assert cli("sync", str(_empty_tree(tmp_path)), "--db", str(db), "--quiet").returncode == 0

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(status, "status_counts", interrupted)
    proc = cli("status", "--db", str(db))
    assert (proc.returncode, proc.stderr) == (130, "ontosync: interrupted; nothing was changed\n")


def test_checkpoints_of_a_run_whose_files_fail_stay_cheap(tmp_path):
    """CONTRACT section 4: writing checkpoints stays a small share of the run. Each checkpoint
    encoded the whole list of failed files again: 2,000 failed files, one checkpoint per 10 files,
    cost ~3 CPU-s of checkpoint text (4,000: 12 s of a 30 s run)."""
    import json
    import time
    from dataclasses import asdict

    from ontosync.pipeline.checkpoint import Checkpoint

    ckpt = Checkpoint("src", None, "2026-01-01T00:00:00.000+00:00", "2026-01-01T00:00:00.000+00:00")
    started = time.process_time()
    for i in range(2000):
        ckpt.add_failed(f"bad/é{i}.ttl", 'Turtle syntax error: "quoted"\nsecond line')
        if i % 10 == 9:
            text = ckpt.text()
    assert time.process_time() - started < 0.5
    assert json.loads(text) == asdict(ckpt)
    path = tmp_path / "c.json"
    ckpt.save(path)
    assert Checkpoint.load(path) == ckpt


@pytest.mark.parametrize("command", [["status"], ["sync", "src"]])
def test_a_database_path_ending_in_a_slash_is_named_as_such(tmp_path, command):
    """`--db o.db/` (a shell's completion, a variable with a trailing slash): `status` said
    "database not found" of the file `ls` shows; `sync` spoke of a checkpoint `o.db/.checkpoint.json`."""
    _empty_tree(tmp_path)
    (tmp_path / "o.db").write_bytes(b"")
    proc = cli(*command, "--db", "o.db/", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        "ontosync: error: --db o.db/: ends in /, so it names a folder, not a database file"]


def test_an_output_fifo_nobody_reads_is_one_line_not_a_hang(tmp_path, monkeypatch):
    """`diff --output f` (or `--report f`) with `f` a FIFO no process reads: open() waited for a
    reader for ever (a sync after all its work). A reader that comes within the wait is written to."""
    from ontosync.pipeline import outputs

    monkeypatch.setattr(outputs, "FIFO_READER_WAIT_S", 0.2, raising=False)
    db = tmp_path / "o.db"
    assert cli("sync", str(_empty_tree(tmp_path)), "--db", str(db), "--quiet").returncode == 0
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    outcome = _in_thread(lambda: cli("diff", "--db", str(db), "--output", str(fifo), "--format", "json"))
    if outcome is None:
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        pytest.fail("diff --output blocked on a FIFO without a reader")
    assert outcome.returncode == 2
    assert outcome.stderr.splitlines() == [f"ontosync: error: --output {fifo}: not written: a FIFO nobody reads "
                                           "(waited 0.2 s)"]
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader there: the diff is written to it
    try:
        assert cli("diff", "--db", str(db), "--output", str(fifo), "--format", "json").returncode == 0
        assert b'"base"' in os.read(reader, 65536)
    finally:
        os.close(reader)
    proc = cli("sync", str(tmp_path / "src"), "--db", str(db), "--checkpoint", str(fifo))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"ontosync: error: --checkpoint {fifo}: a FIFO, which no sync can resume from: "
                                        "give a file (or /dev/null for none)"]


def test_a_config_whose_aliases_expand_to_megabytes_of_text_is_refused(tmp_path):
    """300 aliases of one 100 kB string: 30 MB of globs from a 30 kB `.ontosync.yml` (a stranger's
    pull request may hold it), 15 CPU-seconds of glob compiling before the first file."""
    src = _empty_tree(tmp_path)
    (src / ".ontosync.yml").write_text('namespaces: {p: &a "' + "x" * 100_000 + '"}\ninclude: [' +
                                       ", ".join(["*a"] * 300) + "]\n")
    started = time.process_time()
    proc = cli("sync", str(src), "--db", str(tmp_path / "o.db"))
    assert time.process_time() - started < 2
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"ontosync: error: {src}/.ontosync.yml: more than 1 MiB of text once its YAML "
                                        "aliases are expanded; a configuration is small"]


def test_braces_past_the_limit_name_a_few_globs_not_all(tmp_path):
    """40 brace globs past the limit: the refusal quoted every one of them (15,000 aliased ones in a
    `.ontosync.yml`: a line of a megabyte)."""
    globs = [f"{{a,b}}{{c,d}}{{e,f}}{{g,h}}{{i,j}}{{k,l}}{{m,n}}{{o,p}}{{q,r}}{{s,t}}{{u,v}}{i}.ttl" for i in range(40)]
    proc = cli("sync", str(_empty_tree(tmp_path)), "--db", str(tmp_path / "o.db"),
               *[arg for g in globs for arg in ("--include", g)])
    assert proc.returncode == 2
    [line] = proc.stderr.splitlines()
    assert line.endswith(" and 35 more: more than 1000 patterns (each glob counts one, and each choice of its "
                         "braces)") and len(line) < 600, line


@pytest.mark.parametrize(("flag", "name"), [("--report", "pages/Cat.md"), ("--checkpoint", "core.ttl"),
                                            ("--db", "ontology.owl")])
def test_an_output_that_is_a_file_of_the_source_is_refused(tmp_path, flag, name):
    """`--report pages/Cat.md` replaced the page with the report (exit 0), and the next sync read
    the report as the page; `--db ontology.owl` inside the source: the next sync parsed the
    database. One the globs leave out is written as before."""
    src = _empty_tree(tmp_path)
    (src / "pages").mkdir()
    (src / "pages" / "Cat.md").write_text("- ### OntologyBlock\n  - owl:class:: mv:Cat\n")
    args = ["--db", str(tmp_path / "o.db")] if flag != "--db" else []
    proc = cli("sync", str(src), *args, flag, str(src / name), "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ontosync: error: {flag} {src / name}: is a file of the source the sync reads (the next sync would read what "
        "this one writes there); give a path outside it, or one it leaves out"]
    assert (src / "pages" / "Cat.md").read_text().startswith("- ### OntologyBlock")
    left_out = cli("sync", str(src), *args, flag, str(src / name), "--exclude", name, "--quiet")
    assert left_out.returncode == 0, left_out.stderr


def test_a_database_in_the_source_under_a_glob_of_everything_is_refused(tmp_path):
    """`--include '**'` selects `o.db` and the files beside it: the sync read its own database,
    WAL, lock and checkpoint as pages, 5 files failed of 5, exit 1."""
    src = _empty_tree(tmp_path)
    proc = cli("sync", str(src), "--db", str(src / "o.db"), "--include", "**", "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert "is a file of the source the sync reads" in proc.stderr


def test_a_lock_file_naming_an_exited_holder_is_not_named_as_the_holder(tmp_path):
    """A sync that may not rewrite the lock file (another user's) holds the lock under the name an
    earlier, exited sync left there: the busy line named that dead pid as the holder."""
    import fcntl
    import json

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    db = tmp_path / "o.db"
    lock = tmp_path / "o.db.lock"
    lock.write_text(json.dumps({"pid": gone.pid, "host": os.uname().nodename, "started_at": "then",
                                "source": "old"}))
    fd = os.open(lock, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # the holder that could not write its name
        proc = cli("sync", str(_empty_tree(tmp_path)), "--db", str(db), "--lock-timeout", "0", "--quiet")
    finally:
        os.close(fd)
    assert proc.returncode == 4, proc.stderr
    assert f"(holder unknown: the lock file still names pid {gone.pid}, which has exited)" in proc.stderr


@pytest.mark.parametrize(("setting", "said"), [
    ('namespaces: {ex: "http://e/#", p: 5}',
     "line 1: 'namespaces' must be a mapping of strings to strings, and 'p': 5 is not"),
    ("exclude: [journals/**, ~]", "line 1: 'exclude' must be a list of globs, and item 2 is null, not a glob"),
    ("workers: 2\n# the pages\nwokers: 4", "line 3: unknown setting 'wokers'"),
])
def test_a_wrong_entry_in_a_config_list_or_mapping_is_named(tmp_path, setting, said):
    """A table of 30 prefixes, one of them a number: the line said only that 'namespaces' was wrong,
    and no error about a setting named its line."""
    config = tmp_path / "c.yml"
    config.write_text(setting + "\n")
    proc = cli("sync", str(_empty_tree(tmp_path)), "--db", str(tmp_path / "o.db"), "--config", str(config))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"ontosync: error: {config} {said}"]
