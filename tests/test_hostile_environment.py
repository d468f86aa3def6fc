"""Issue h16: the environment the CLI runs in is hostile (closed standard streams, pipes closed
early, an ASCII-only locale), and still no traceback reaches the user and the exit code is the
contract's.

Each test starts a real process (`run_cli` or `subprocess` with a closed descriptor): the point
is what the interpreter does with its standard streams before ontosync runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, cli, copy_example, run_cli


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> tuple[Path, Path]:
    tmp_path = tmp_path_factory.mktemp("hostile-env")
    tree = copy_example(tmp_path)
    db = tmp_path / "o.db"
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    return tree, db


def _closed(fd: int, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`ontosync ARGS` with descriptor `fd` (1 or 2) closed, as `>&-` / `2>&-` leave it; the other
    stream is captured. A shell does the closing, as a user's would."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = " ".join(f"'{a}'" for a in (sys.executable, "-m", "ontosync", *args))
    return subprocess.run(["sh", "-c", f"exec {command} {fd}>&-"], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600)


@pytest.mark.parametrize("command", [["status"], ["search", "a"]])
def test_a_closed_standard_output_is_no_traceback(synced, command):
    """`ontosync status >&-` (cron, a daemon, a CI step that closed it): the output has nowhere to
    go, as with `> /dev/null`; the command still does its work and exits as it would."""
    _, db = synced
    proc = _closed(1, *command, "--db", str(db))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr


def test_a_sync_with_standard_output_closed_succeeds(synced, tmp_path):
    tree, _ = synced
    proc = _closed(1, "sync", str(tree), "--db", str(tmp_path / "n.db"))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert "0 failed" in proc.stderr


def test_a_sync_with_standard_error_closed_succeeds(synced, tmp_path):
    """The progress lines go to stderr; with it closed they are dropped and the run completes
    (it exited 1 half-way, after the first progress line, with no word anywhere)."""
    tree, _ = synced
    db = tmp_path / "n.db"
    proc = _closed(2, "sync", str(tree), "--db", str(db))
    assert "Traceback" not in proc.stdout, proc.stdout
    assert proc.returncode == 0, proc.stdout
    assert cli("status", "--db", str(db)).returncode == 0


ACCENTED = """- ### OntologyBlock
  - term-id:: H16-1
  - preferred-term:: \u00c9lan vital \u2603 \U0001d11e
  - is-subclass-of:: [[For\u00e7a]]
"""


@pytest.fixture(scope="module")
def accented(tmp_path_factory) -> Path:
    """A database whose labels are not ASCII (a page's title and terms, as any non-English ontology)."""
    tmp_path = tmp_path_factory.mktemp("accented")
    (tmp_path / "tree" / "pages").mkdir(parents=True)
    (tmp_path / "tree" / "pages" / "\u00c9lan.md").write_text(ACCENTED, encoding="utf-8")
    db = tmp_path / "\u00c4rger.db"  # `status` shows the path
    assert cli("sync", str(tmp_path / "tree"), "--db", str(db), "--quiet").returncode == 0
    return db


ASCII_ONLY = {"PYTHONIOENCODING": "ascii"}  # as LC_ALL=POSIX with PYTHONUTF8=0, or a pipe on an old system


@pytest.mark.parametrize("command", [["search", "vital"], ["diff", "--run", "1"]])
def test_an_ascii_only_output_gets_escapes_not_a_traceback(accented, command):
    """Standard output that cannot encode a label: the label is written as `\\u00c9` (readable, and
    valid inside a JSON string) instead of an UnicodeEncodeError traceback and exit 1."""
    proc = run_cli(*command, "--db", str(accented), env=ASCII_ONLY)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert "\\u00c9lan" in proc.stdout, proc.stdout
    assert proc.stdout.isascii()


@pytest.mark.parametrize("command, text", [(
    ["diff", "--run", "1", "--format", "json"], "\u00c9lan vital \u2603 \U0001d11e"),
                                           (["status", "--json"], "\u00c4rger.db")])
def test_json_on_an_ascii_only_output_still_reads_back(accented, command, text):
    """The escapes are JSON's own, so the JSON a script reads back holds the text unchanged."""
    proc = run_cli(*command, "--db", str(accented), env=ASCII_ONLY)
    assert proc.returncode == 0, proc.stderr
    assert text in json.dumps(json.loads(proc.stdout), ensure_ascii=False)


def _stderr_unread(*args: str) -> subprocess.CompletedProcess:
    """`ontosync ARGS` whose stderr is a pipe with no reader left (`2>&1 | head -1` once head is done)."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line
    try:
        return subprocess.run([sys.executable, "-m", "ontosync", *args], stdout=subprocess.DEVNULL, stderr=write_end,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
def test_a_sync_whose_progress_reader_went_away_finishes(synced, tmp_path, quiet):
    """`ontosync sync . 2>&1 | head -3`, or a log collector that died: the progress lines have no
    reader. They are incidental to a sync (its result is the database), so the run goes on without
    them and exits as it would; it stopped at the first line, exit 141, half the files unsynced
    (with --quiet, the summary line made a finished sync exit 141)."""
    tree, normal = synced
    db = tmp_path / "p.db"
    assert _stderr_unread("sync", str(tree), "--db", str(db), *quiet).returncode == 0
    status, expected = (json.loads(cli("status", "--json", "--db", str(d)).stdout) for d in (db, normal))
    assert status["checkpoint"]["finished"] is True
    assert status["checkpoint"]["processed"] == expected["checkpoint"]["processed"] > 0
    assert status["files"] == expected["files"]


def test_an_error_told_to_no_reader_keeps_its_exit_code(tmp_path):
    """`ontosync status --db missing.db 2>&1 | head -1` after head is gone: the message has no
    reader, but the exit code still says what happened (2); it was 1, from the BrokenPipeError
    raised while telling it."""
    assert _stderr_unread("status", "--db", str(tmp_path / "missing.db")).returncode == 2


def _leaves_no_database(folder: Path) -> None:
    assert sorted(p.name for p in folder.iterdir()) == ["tree"], list(folder.iterdir())


@pytest.mark.parametrize("blank", [" ", "\n"])
@pytest.mark.parametrize("command", [["sync", "tree"], ["status"], ["search", "a"]])
def test_a_blank_database_variable_counts_as_unset(tmp_path, command, blank):
    """ONTOSYNC_DATABASE_URL holding only blanks (a CI secret pasted with its newline, a template
    that rendered an empty value with a space): it was a database path, so `sync` created files
    named ` `, ` .lock`, ` .checkpoint.json` in the working folder and the readers used them. As
    when it is empty: `sync` uses `ontology.db`, the others ask for --db."""
    copy_example(tmp_path)
    quiet = ["--quiet"] if command[0] == "sync" else []
    proc = cli(*command, *quiet, env={"ONTOSYNC_DATABASE_URL": blank}, cwd=tmp_path)
    assert "Traceback" not in proc.stderr, proc.stderr
    if command[0] == "sync":
        assert proc.returncode == 0, proc.stderr
        assert (tmp_path / "ontology.db").is_file()
        assert not (tmp_path / blank).exists()
    else:
        assert proc.returncode == 2
        assert "--db" in proc.stderr
        _leaves_no_database(tmp_path)


def test_a_database_variable_with_a_trailing_newline_names_the_database(tmp_path):
    """A secret pasted with its newline names the same database, not `o.db\\n` beside it."""
    copy_example(tmp_path)
    env = {"ONTOSYNC_DATABASE_URL": "o.db\n"}
    assert cli("sync", "tree", "--quiet", env=env, cwd=tmp_path).returncode == 0
    assert (tmp_path / "o.db").is_file()
    assert cli("status", env=env, cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("command", [["sync", "tree"], ["status"], ["verify"], ["diff"]])
@pytest.mark.parametrize("blank", ["", " "])
def test_a_blank_db_flag_is_a_usage_error(tmp_path, command, blank):
    """`--db ""` said "cannot use database : it is a folder"; `--db " "` made a database named
    ` `. Either is a slip (an unset shell variable: `--db "$DB"`), told as such, exit 2."""
    copy_example(tmp_path)
    proc = cli(*command, "--db", blank, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "--db must not be empty" in proc.stderr, proc.stderr
    _leaves_no_database(tmp_path)


@pytest.mark.parametrize("text, words", [
    ("workers: 2\nquiet: true\nworkers: 3\n", ["line 3", "'workers'", "line 1"]),
    ("namespaces:\n  ex: http://a/\n  ex: http://b/\n", ["line 3", "'ex'", "line 2"]),
    ("max-error-rate: 0.5\nmax_error_rate: 0.1\n", ["'max_error_rate'", "'max-error-rate'"]),
    ("db: a.db\ndatabase: b.db\n", ["'database'", "'db'"]),
])
def test_a_setting_given_twice_in_the_file_is_an_error(tmp_path, text, words):
    """PyYAML keeps the last of two equal keys without a word, so a user who wrote `workers:` twice
    (or `max-error-rate` and `max_error_rate`, or `db` and its alias `database`) ran with one of
    them unknowingly. Now it is a one-line error naming the file, the key and both lines, exit 2,
    and nothing is written."""
    tree = copy_example(tmp_path)
    (tree / ".ontosync.yml").write_text(text, encoding="utf-8")
    proc = cli("sync", str(tree), "--db", str(tmp_path / "o.db"), "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and ".ontosync.yml" in lines[0] and "twice" in lines[0], lines
    assert all(w in lines[0] for w in words), lines[0]
    assert not (tmp_path / "o.db").exists()


def test_a_merge_key_overridden_is_not_a_duplicate(tmp_path):
    """YAML's `<<:` merge, then a key of the mapping's own, is an override by design, not a slip."""
    tree = copy_example(tmp_path)
    text = "namespaces:\n  <<: {ex: 'http://a/', ey: 'http://y/'}\n  ex: 'http://b/'\n"
    (tree / ".ontosync.yml").write_text(text, encoding="utf-8")
    assert cli("sync", str(tree), "--db", str(tmp_path / "o.db"), "--quiet").returncode == 0


HUGE = "99999999999999999999999"  # past SQLite's 8-byte integers


@pytest.mark.parametrize("command", [["search", "a", "--limit", HUGE], ["search", "a", "--limit", "-" + HUGE]])
def test_a_number_past_sqlite_integers_is_a_usage_error(synced, command):
    """`diff --run 99999999999999999999999` ended in OverflowError ("Python int too large to convert
    to SQLite INTEGER"), a traceback and exit 1; now one line naming the option, exit 2. (`diff --run`:
    no such run, said with the runs the log keeps, tests/test_cli_round16.py.)"""
    _, db = synced
    proc = cli(*command, "--db", str(db))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2, proc.stderr
    assert command[-2] in proc.stderr and "9223372036854775807" in proc.stderr, proc.stderr


def _in_deleted_folder(tmp_path: Path, *words: str) -> subprocess.CompletedProcess:
    """`ontosync WORDS` started in a folder deleted under it (`cd D && rmdir ../D`)."""
    gone = tmp_path / "gone"
    gone.mkdir()
    command = " ".join(f"'{w}'" for w in (sys.executable, "-m", "ontosync", *words))
    return subprocess.run(["sh", "-c", f"cd '{gone}' && rmdir '{gone}' && exec {command}"], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)


@pytest.mark.parametrize("args", [["sync", "{tree}", "--db", "rel.db", "--quiet"],
                                  ["diff", "--db", "{db}", "--output", "changes.txt"]])
def test_a_deleted_working_folder_is_one_line(synced, tmp_path, args):
    """The folder the shell stands in was deleted (a CI workspace cleaned, `git worktree remove`):
    a relative path cannot be resolved. It was a FileNotFoundError traceback from posixpath,
    exit 1; now one line saying so, exit 2 (absolute paths keep working, as they did)."""
    tree, db = synced
    proc = _in_deleted_folder(tmp_path, *(a.format(tmp=tmp_path, tree=tree, db=db) for a in args))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == ("ontosync: error: the working folder no longer exists (deleted while ontosync "
                                   "ran?): cd to an existing folder, or give absolute paths"), proc.stderr


def test_absolute_paths_in_a_deleted_working_folder_still_sync(synced, tmp_path):
    tree, _ = synced
    proc = _in_deleted_folder(tmp_path, "sync", str(tree), "--db", str(tmp_path / "o.db"), "--quiet")
    assert proc.returncode == 0, proc.stderr


def test_too_few_file_descriptors_is_one_line(synced, tmp_path):
    """`ulimit -n 10` (a container's tight limit): the worker pool cannot open its pipes. It was an
    OSError traceback (exit 1); now one line naming the limit and what to do, exit 2, and the
    checkpoint lets the next run resume."""
    import resource

    tree, _ = synced
    proc = subprocess.run([sys.executable, "-m", "ontosync", "sync", str(tree), "--db", str(tmp_path / "o.db"),
                           "--quiet", "--workers", "2"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (10, 10)))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == ("ontosync: error: too many open files: the limit is 10 (`ulimit -n`); raise it, "
                                   "or lower --workers"), proc.stderr


@pytest.mark.parametrize("command", [["status"], ["verify"], ["search", "a"], ["diff"]])
def test_a_database_name_that_is_not_utf8_is_read(synced, tmp_path, command):
    """A database file whose name is not UTF-8 (`x\\xff.db`, from an old Latin-1 system): `sync`
    wrote it, but every reader ended in UnicodeEncodeError ("surrogates not allowed") building the
    read-only `file:` URI, a traceback. The raw bytes are percent-quoted, as SQLite reads them."""
    _, db = synced
    odd = os.fsdecode(bytes(tmp_path) + b"/x\xff.db")
    Path(odd).write_bytes(db.read_bytes())
    proc = cli(*command, "--db", odd)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
