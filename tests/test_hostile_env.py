"""Issue h45: hostile surroundings met at first contact, where the earlier rounds
(tests/test_hostile_environment.py, test_unreadable.py, test_file_names.py) did not look.

- Standard output that stops taking bytes part-way (a file at `ulimit -f`, a full disk):
  `diff > changes.json` kept a truncated file and said exit 0 (CPython's buffered writer drops
  what a partial write left over), `search > hits.tsv` ended in an OSError traceback.
- A database path holding a newline (or another control character) broke each "one line on
  stderr" message, and the first line of `status`, in two.
- A folder the walk cannot list (deeper than PATH_MAX, or no permission) left only a warning in
  the report: the terminal said "0 files ... ok", exit 0, as if the folder were empty.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, cli, copy_example


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> Path:
    tmp_path = tmp_path_factory.mktemp("hostile-env-h45")
    db = tmp_path / "o.db"
    assert cli("sync", str(copy_example(tmp_path)), "--db", str(db), "--quiet").returncode == 0
    return db


def _into_small_file(out: Path, limit: int, *args: str) -> subprocess.CompletedProcess:
    """`ontosync ARGS > out` in a fresh process whose files may not grow past `limit` bytes
    (`ulimit -f`; the interpreter ignores SIGXFSZ, so a write past it fails with EFBIG)."""
    with open(out, "wb") as fh:
        return subprocess.run([sys.executable, "-m", "ontosync", *args], stdout=fh, stderr=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600,
                              preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))


@pytest.mark.parametrize("command", [["diff", "--format", "json"], ["search", "o"]])
def test_standard_output_that_stops_taking_bytes_is_one_line_not_a_short_file(synced, tmp_path, command):
    """The output is longer than the limit: the user must learn the file is short (exit 2, one
    line naming standard output), never an exit 0 over a truncated file, never a traceback."""
    out = tmp_path / "out.txt"
    limit = 40
    proc = _into_small_file(out, limit, *command, "--db", str(synced))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    said = [line for line in proc.stderr.splitlines() if line.startswith("ontosync: error:")]
    assert said == ["ontosync: error: standard output: not written: File too large"], proc.stderr
    assert out.stat().st_size <= limit


def _garbage_db(tmp_path: Path) -> str:
    folder = tmp_path / "dir with\nnewline\x1b[2J"
    folder.mkdir()
    (folder / "bad.db").write_bytes(b"not a database at all" * 10)
    return str(folder / "bad.db")


@pytest.mark.parametrize("command", [["status"], ["verify"], ["diff"], ["search", "o"], ["sync", "."]])
def test_a_database_path_with_a_newline_is_named_on_one_line(tmp_path, command):
    db = _garbage_db(tmp_path)
    (tmp_path / "src").mkdir()
    proc = cli(*command, "--db", db, cwd=tmp_path / "src")
    assert proc.returncode in (2, 3), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines and all(line.startswith("ontosync: ") for line in lines), proc.stderr
    assert "\x1b" not in proc.stderr
    assert any("dir with\\x0anewline\\x1b[2J/bad.db" in line for line in lines), proc.stderr


def test_status_names_a_database_path_with_a_newline_on_one_line(synced, tmp_path):
    folder = tmp_path / "a\nb"
    folder.mkdir()
    db = folder / "o.db"
    db.write_bytes(synced.read_bytes())
    proc = cli("status", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == f"database      {tmp_path}/a\\x0ab/o.db"


def test_a_folder_deeper_than_path_max_is_named_not_passed_over_in_silence(tmp_path):
    """A file nested past PATH_MAX (4096 bytes of path): the walk cannot list its folder. The run
    said "0 files: 0 ok" and nothing else (the warning was in the report only); now one line on
    stderr names the folder and why, while the run still ends as before (its stored files, if any,
    keep their facts: tests/test_unreadable.py)."""
    tree = tmp_path / "tree"
    tree.mkdir()
    saved = os.getcwd()
    try:
        os.chdir(tree)
        for _ in range(25):  # one step at a time: a path past PATH_MAX cannot be given whole
            os.mkdir("d" * 200)
            os.chdir("d" * 200)
        Path("x.ttl").write_text("<http://e/A> a <http://www.w3.org/2002/07/owl#Class> .\n")
    finally:
        os.chdir(saved)
    proc = cli("sync", str(tree), "--db", str(tmp_path / "o.db"), "--quiet")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    listed = [line for line in lines if line.startswith("ontosync: not listed: ")]
    assert len(listed) == 1, proc.stderr
    assert listed[0].endswith("/" + "d" * 200 + ": cannot list folder: File name too long; the files stored "
                              "from it keep their facts"), listed[0][-200:]


def test_a_fifo_swapped_in_after_the_walk_is_refused_not_waited_on(tmp_path):
    """The walk's stat said regular file; by the time the file was hashed (the planner hashes a
    known path whose stat changed) it was a FIFO with no writer: the plain open() blocked for
    ever, and the sync with it. The hash now opens as the worker does, and refuses it."""
    import threading

    from ontosync.sources.local import hash_file

    fifo = tmp_path / "page.md"
    os.mkfifo(fifo)
    outcome: list = []

    def hash_it() -> None:
        try:
            outcome.append(hash_file(str(fifo), 10))
        except OSError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=hash_it, daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive():  # free the blocked open so the thread ends
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(5)
        pytest.fail("hashing a FIFO blocked")
    assert len(outcome) == 1 and isinstance(outcome[0], OSError), outcome
    assert "not a regular file (a FIFO)" in str(outcome[0])


def test_a_sync_under_an_ascii_locale_records_the_paths_every_other_sync_records(tmp_path):
    """`LC_ALL=C` with Python's UTF-8 mode off (a cron job, a daemon's bare environment): the OS
    hands names over as ASCII with escapes, and `Ünter/Élan.ttl` was recorded `\\xc3\\x9cnter/...`.
    The sync after it, in a UTF-8 locale, took the file for deleted and added again (its change log
    with it). Names are read as UTF-8 whatever the locale; `--path` too."""
    import sqlite3

    tree = tmp_path / "tree"
    (tree / "Ünter").mkdir(parents=True)
    (tree / "Ünter" / "Élan.ttl").write_text(
        "<http://e/%C3%89lan> a <http://www.w3.org/2002/07/owl#Class> .\n", encoding="utf-8")
    db = tmp_path / "o.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHONIOENCODING"))}
    proc = subprocess.run([sys.executable, "-m", "ontosync", "sync", str(tree), "--db", str(db), "--quiet",
                           "--path", "Ünter"], capture_output=True, text=True, timeout=600,
                          env={**env, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
                               "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT path, status FROM source_files").fetchall() == [("Ünter/Élan.ttl", "ok")]
    finally:
        conn.close()
    again = cli("sync", str(tree), "--db", str(db), "--quiet")
    assert again.returncode == 0, again.stderr
    assert "0 ok, 0 failed, 0 skipped, 1 unchanged, 0 deleted" in again.stderr, again.stderr


def _main_with(stream: str, target, *args: str) -> int:
    """`main(ARGS)` in this process with sys.`stream` on `target` (an open file)."""
    from ontosync.cli import main

    redirect = contextlib.redirect_stdout if stream == "stdout" else contextlib.redirect_stderr
    with redirect(target):
        return main(list(args))


@pytest.fixture
def full_disk():
    """/dev/full: every write fails with ENOSPC, as a log on a full disk does."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    fh = open("/dev/full", "w")  # noqa: SIM115
    yield fh
    with contextlib.suppress(OSError):  # text a failed write left in its buffer
        fh.close()


def test_a_sync_whose_log_is_on_a_full_disk_still_syncs(full_disk, tmp_path):
    """`ontosync sync ... 2>>sync.log` (a cron job) with the log's disk full: the first progress
    line raised OSError and the run stopped before any file, exit 1 (and its traceback went
    nowhere). The lines are lost; the sync is not."""
    import sqlite3

    db = tmp_path / "o.db"
    assert _main_with("stderr", full_disk, "sync", str(copy_example(tmp_path)), "--db", str(db)) == 0
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM source_files WHERE status = 'ok'").fetchone()[0] == 7
    finally:
        conn.close()
    assert _main_with("stderr", full_disk, "status", "--db", str(tmp_path / "absent.db")) == 2


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_on_a_full_disk_is_one_line_not_exit_0(full_disk, capsys, flag):
    """`ontosync --help > usage.txt` on a full disk: argparse's SystemExit(0) left the text in
    the buffer, the interpreter's flush at exit failed with "Exception ignored", exit 120."""
    assert _main_with("stdout", full_disk, flag) == 2
    assert capsys.readouterr().err == "ontosync: error: standard output: not written: No space left on device\n"


def _refused_name(tmp_path: Path, stem_bytes: int, named: str, reason: str) -> tuple[Path, Path]:
    """Sync the example into a database named with `stem_bytes` bytes plus `.db`: exit 2, the one
    line naming `named` (`{db}` stands for the database) and `reason`."""
    if os.pathconf(tmp_path, "PC_NAME_MAX") != 255:
        pytest.skip("the temporary folder's file system does not limit names to 255 bytes")
    tree, db = copy_example(tmp_path), tmp_path / ("n" * stem_bytes + ".db")
    proc = cli("sync", str(tree), "--db", str(db), "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [f"ontosync: error: {named.format(db=db)}: {reason}, past this file "
                                        "system's 255-byte limit for a name"]
    return tree, db


def test_a_database_name_too_long_for_its_journal_is_a_usage_error(tmp_path):
    """A 250-byte name fits (the limit is 255), `NAME-journal` does not: SQLite said "unable to
    open database file", exit 3, and left an empty file every later command called not a database."""
    _, db = _refused_name(tmp_path, 247, "cannot use database {db}", "the name is 258 bytes with -journal after it")
    assert not db.exists()


def test_a_default_checkpoint_name_too_long_is_said_before_the_sync(tmp_path):
    """A 244-byte database name: the database and its journal fit, `NAME.checkpoint.json` does not.
    The sync said exit 0 and never wrote its checkpoint (nothing to resume from, in silence)."""
    tree, db = _refused_name(tmp_path, 241, "--checkpoint {db}.checkpoint.json", "the name is 260 bytes")
    elsewhere = tmp_path / "o.checkpoint.json"
    proc = cli("sync", str(tree), "--db", str(db), "--checkpoint", str(elsewhere), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert elsewhere.is_file()


def test_a_report_to_standard_output_on_a_pipe_is_written(tmp_path):
    """`ontosync sync . --report /dev/stdout | jq` (the README says a character device such as
    /dev/stdout is written into): on a pipe, /dev/stdout is a link to `pipe:[N]`, which realpath
    turns into no path at all. The sync ran, then "--report /dev/stdout: not written", exit 2."""
    import json

    proc = subprocess.run([sys.executable, "-m", "ontosync", "sync", str(copy_example(tmp_path)), "--db",
                           str(tmp_path / "o.db"), "--quiet", "--report", "/dev/stdout"], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["files"]["ok"] == 7


def test_a_source_folder_named_in_latin_1_syncs(tmp_path):
    """`sync src\\xff` (a folder named on an old Latin-1 system): its files' names were escaped,
    the folder's own name, the checkpoint's `source`, was not, and the checkpoint's JSON could not
    be encoded: UnicodeEncodeError, a traceback before the first file, exit 1."""
    import json

    odd = Path(os.fsdecode(bytes(tmp_path) + b"/src\xff"))
    copy_example(tmp_path).rename(odd)
    db = tmp_path / "o.db"
    proc = cli("sync", str(odd), "--db", str(db), "--quiet")
    assert proc.returncode == 0, proc.stderr
    checkpoint = json.loads((tmp_path / "o.db.checkpoint.json").read_text(encoding="utf-8"))
    assert checkpoint["source"] == f"{tmp_path}/src\\xff" and checkpoint["finished"]
    again = cli("sync", str(odd), "--db", str(db), "--quiet")
    assert "0 ok, 0 failed, 0 skipped, 8 unchanged, 0 deleted" in again.stderr, again.stderr


@pytest.mark.parametrize("command", [["status"], ["verify"], ["diff"], ["search", "a"], ["sync"], ["sync", "--path"]])
def test_something_there_but_of_the_wrong_kind_is_not_called_not_found(tmp_path, command):
    """`sync page.ttl` (a file given as the source folder), `--path page.ttl`, `status --db pages/`
    (a folder, or a FIFO, as the database): "not found" of what `ls` shows sent the user looking
    for a typo."""
    (tmp_path / "page.ttl").write_text("")
    (tmp_path / "pages").mkdir()
    if command == ["sync"]:
        proc = cli("sync", str(tmp_path / "page.ttl"), "--db", str(tmp_path / "o.db"))
        expected = f"ontosync: error: source directory {tmp_path}/page.ttl: not a folder"
    elif command == ["sync", "--path"]:
        proc = cli("sync", str(tmp_path), "--path", "page.ttl", "--db", str(tmp_path / "o.db"))
        expected = "ontosync: error: --path page.ttl: not a folder"
    else:
        proc = cli(*command, "--db", str(tmp_path / "pages"))
        expected = f"ontosync: error: database {tmp_path}/pages: not a regular file"
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [expected]


def test_a_database_at_the_file_size_limit_names_the_limit(tmp_path):
    """`ulimit -f` below what the new database needs: SQLite's write fails with EFBIG, which it
    reports as "disk I/O error", and the user looked for a failing disk. Exit 3 as before, and
    the line names the limit. (In this process: the limit is set for the call and restored.)"""
    db = tmp_path / "o.db"
    tree = copy_example(tmp_path)
    before = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, before[1]))
    try:
        proc = cli("sync", str(tree), "--db", str(db), "--quiet")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, before)
    assert proc.returncode == 3, proc.stderr
    [line] = proc.stderr.splitlines()
    assert "disk I/O error (this process may not write a file past 65536 bytes: `ulimit -f`)" in line, line


def test_ctrl_c_while_starting_is_exit_130_in_one_line(monkeypatch, capsys):
    """Ctrl-C in the first ~0.3 s, while the command's modules load: a KeyboardInterrupt traceback
    from whichever import it met. The signal's timing cannot be aimed from here, so the import of
    the CLI raises the KeyboardInterrupt that Python's SIGINT handler raises."""
    import builtins

    import ontosync

    real_import = builtins.__import__

    def interrupted(name, *args, **kwargs):
        if name == "ontosync.cli":
            raise KeyboardInterrupt
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", interrupted)
    with pytest.raises(SystemExit) as stopped:
        ontosync.run()
    assert stopped.value.code == 130
    assert capsys.readouterr().err == "ontosync: interrupted while starting; nothing was done\n"


@pytest.mark.parametrize("term", ["dumb", "xterm-256color"])
def test_a_dumb_terminal_gets_log_lines_not_cursor_controls(monkeypatch, term):
    """TERM=dumb (Emacs' shell, some CI log viewers) is a terminal that shows `\\033[K` as litter:
    it gets the lines a pipe gets; any other terminal keeps the redrawn bar."""
    import io

    from ontosync.pipeline.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("TERM", term)
    screen = Terminal()
    progress = Progress(stream=screen)
    progress.start(3)
    progress.update(3, final=True)
    if term == "dumb":
        assert "\033" not in screen.getvalue() and "\r" not in screen.getvalue()
        assert screen.getvalue().splitlines()[0] == "ontosync: 3 files to sync"
    else:
        assert "\033[K" in screen.getvalue()


def test_an_output_name_that_fits_is_written_though_its_temporary_name_would_not(tmp_path):
    """Outputs are written to a temporary file beside them, then renamed. The temporary name was the
    output's name plus 14 bytes, so a `--report` named with 242-255 bytes passed the check before
    the sync and failed after it ("File name too long"): the whole run's report lost."""
    if os.pathconf(tmp_path, "PC_NAME_MAX") != 255:
        pytest.skip("the temporary folder's file system does not limit names to 255 bytes")
    report = tmp_path / ("r" * 250 + ".json")
    proc = cli("sync", str(copy_example(tmp_path)), "--db", str(tmp_path / "x.db"), "--report", str(report),
               "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(report.read_text(encoding="utf-8"))["files"]["ok"] > 0
