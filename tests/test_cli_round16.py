"""The command line and its configuration, round 16 (task h165).

- Another program's file as `--db` (an SQLite database of other tables, a text file, an SQLite
  database without tables): `sync`, `migrate` and `diff` exited 2, `status` and `search` 3
  ("fatal"), and `verify` 0 ("integrity_check ok") of another program's database. Every command
  now exits 2 (CONTRACT section 1: the user named the wrong file); a damaged ontosync database
  (its header, a b-tree page) stays exit 3 (store/shapes.foreign_database).
- `.ontosync.yml` in the source root that is a FIFO, a folder or a link to nothing was taken for
  absent: the defaults applied without a word. Now exit 2, one line naming it and why, nothing
  written, the FIFO never opened; an unreadable one was already exit 2 (kept here). A `github:`
  source reads no `.ontosync.yml` from the repository, whatever the entry is (kept here too).
- `diff --run N` naming no run said a range with a negative start ("must be between
  -9223372036854775808 and ..."), or "runs kept: 1 to 1": now the runs the log keeps.
- Hunt: `sync --db` through a symbolic link loop was a RuntimeError traceback (exit 1); `migrate
  --db` of a folder, a FIFO or a link loop said "no such database file" of a path that is there.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

import pytest

from tests.fake_github import FakeGitHub
from tests.helpers import cli
from tests.test_first_contact_round4 import _other_database

TTL = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
ex:A a owl:Class ; rdfs:label "alpha" .
"""


def _tree(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "a.ttl").write_text(TTL, encoding="utf-8")
    return root


def _one_line(proc, code: int, *words: str) -> str:
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == code and len(lines) == 1 and "Traceback" not in proc.stderr, (proc.returncode,
                                                                                           proc.stderr)
    assert all(w in lines[0] for w in words), lines[0]
    assert proc.stdout == "", proc.stdout
    return lines[0]


# -- 1. another program's file as --db: exit 2 for every command ------------------------------------

def _no_tables(path: Path) -> None:
    """An SQLite database whose only table was dropped: SQLite's header, no table."""
    _other_database(path)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("DROP TABLE notes")
        conn.commit()


def _text(path: Path) -> None:
    path.write_text("these are my notes\n" * 100, encoding="utf-8")


FOREIGN = {"another program's database": (_other_database, "is not an ontosync database: expected owl_classes"),
           "a text file": (_text, "is not an ontosync database: not an SQLite database"),
           "an SQLite database without tables": (_no_tables, "without tables, no ontosync database yet")}
READERS = [["verify"], ["status"], ["status", "--json"], ["search", "alpha"], ["diff"], ["diff", "--format", "json"]]


@pytest.mark.parametrize("kind", FOREIGN)
@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_a_file_not_ontosyncs_is_exit_2_for_every_reading_command(tmp_path, kind, command):
    """`status` and `search` said "fatal: ... is not an ontosync database" (exit 3, the code of a
    damaged database), `verify` "integrity_check ok, foreign_key_check ok" (exit 0) of another
    program's database: one line, exit 2, as `sync` and `migrate` refuse it; the file is untouched."""
    make, words = FOREIGN[kind]
    db = tmp_path / "o.db"
    make(db)
    before = db.read_bytes()
    line = _one_line(cli(*command, "--db", db), 2, words)
    assert line.startswith(f"ontosync: error: {db} "), line
    assert db.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["o.db"]


@pytest.mark.parametrize("kind", ["another program's database", "a text file"])
@pytest.mark.parametrize("command", [["sync", "{tree}"], ["migrate"]], ids=" ".join)
def test_sync_and_migrate_still_refuse_it_with_exit_2(tmp_path, kind, command):
    make, _ = FOREIGN[kind]
    db = tmp_path / "o.db"
    make(db)
    before = db.read_bytes()
    tree = _tree(tmp_path / "tree")
    words = [w.format(tree=tree) for w in command]
    _one_line(cli(*words, "--db", db), 2, "not a database ontosync can upgrade")
    assert db.read_bytes() == before


def _damaged_page(db: Path) -> None:
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page * 2:page * 2 + 400] = b"\xff" * 400  # the b-tree page after the schema's
    db.write_bytes(bytes(data))


def _damaged_header(db: Path) -> None:
    data = bytearray(db.read_bytes())
    data[16:24] = b"\x00\x03\xff\xff\xff\xff\xff\xff"  # page size 3: SQLite's header, then "not a database"
    db.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_damaged_page, _damaged_header], ids=["page", "header"])
@pytest.mark.parametrize("command", [["verify"], ["status"], ["search", "alpha"]], ids=" ".join)
def test_a_damaged_ontosync_database_stays_exit_3(tmp_path, damage, command):
    db = tmp_path / "o.db"
    assert cli("sync", _tree(tmp_path / "tree"), "--db", db, "--quiet").returncode == 0
    damage(db)
    proc = cli(*command, "--db", db)
    assert proc.returncode == 3, proc.stderr
    assert "not an ontosync database" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


# -- 3. diff --run N out of range: the runs the log keeps --------------------------------------------

def _synced_runs(tmp_path: Path, runs: int) -> Path:
    """A database with `runs` runs in its change log (0: created by `migrate`, no sync yet)."""
    db = tmp_path / "o.db"
    if not runs:
        db.touch()
        assert cli("migrate", "--db", db).returncode == 0
        return db
    tree = _tree(tmp_path / "tree")
    for n in range(runs):
        (tree / "a.ttl").write_text(TTL.replace("alpha", f"alpha {n}"), encoding="utf-8")
        assert cli("sync", tree, "--db", db, "--quiet").returncode == 0
    return db


@pytest.mark.parametrize("runs, kept", [(0, "no run kept yet"), (1, "run kept: 1"), (3, "runs kept: 1 to 3")])
@pytest.mark.parametrize("run", ["0", "-1", "4", "99999999999999999999999"])
def test_diff_of_a_run_that_is_not_there_names_the_runs_kept(tmp_path, runs, kept, run):
    """`diff --run 99999999999999999999999` said "argument --run: must be between -9223372036854775808
    and 9223372036854775807", a range with a negative start no run ever has; a database with one run
    said "runs kept: 1 to 1". Every number that names no run is now said with the runs the log keeps."""
    db = _synced_runs(tmp_path, runs)
    for fmt in ("text", "json"):
        line = _one_line(cli("diff", "--db", db, "--run", run, "--format", fmt), 2)
        assert line == f"ontosync: error: no run {run} in the change log ({kept})", line
    assert cli("diff", "--db", db, "--run", "1").returncode == (0 if runs else 2)


def test_diff_run_that_is_no_number_is_a_usage_error(tmp_path):
    db = _synced_runs(tmp_path, 1)
    assert _one_line(cli("diff", "--db", db, "--run", "1e3"), 2) == \
        "ontosync: error: argument --run: invalid int value: '1e3'"


# -- 2. the source root's .ontosync.yml that is no regular file -------------------------------------

def _make_entry(tree: Path, kind: str) -> None:
    entry = tree / ".ontosync.yml"
    if kind == "fifo":
        os.mkfifo(entry)
    elif kind == "folder":
        entry.mkdir()
        (entry / "workers.yml").write_text("workers: 2\n", encoding="utf-8")
    elif kind == "broken link":
        entry.symlink_to("settings.yml")  # inside the root, but not there
    elif kind == "link loop":
        entry.symlink_to(".ontosync.yml")


ENTRY_WORDS = {"fifo": "a FIFO (named pipe)", "folder": "a folder", "broken link": "a symbolic link to a file "
               "that does not exist", "link loop": "Too many levels of symbolic links"}


@pytest.mark.parametrize("kind", ENTRY_WORDS)
def test_an_ontosync_yml_that_is_no_file_is_exit_2_and_writes_nothing(tmp_path, kind):
    """Taken for absent, the defaults applied (exit 0): a folder or a FIFO named `.ontosync.yml`, or
    a link whose file is gone, hides the settings the user meant the sync to take. A FIFO must not
    block the run (a separate process, with a timeout: it is never opened)."""
    from tests.helpers import run_cli

    tree = _tree(tmp_path / "tree")
    _make_entry(tree, kind)
    db = tmp_path / "o.db"
    proc = run_cli("sync", str(tree), "--db", str(db), "--quiet", cwd=tmp_path, timeout=60)
    line = _one_line(proc, 2, f"{tree}/.ontosync.yml", ENTRY_WORDS[kind])
    assert line.startswith("ontosync: error: "), line
    assert sorted(os.listdir(tmp_path)) == ["tree"]  # no database, lock, checkpoint


def test_an_unreadable_ontosync_yml_is_exit_2_and_writes_nothing(tmp_path):
    from tests.privileges import run_cli_unprivileged

    tree = _tree(tmp_path / "tree")
    config = tree / ".ontosync.yml"
    config.write_text("workers: 2\n", encoding="utf-8")
    os.chmod(config, 0)
    try:
        proc = run_cli_unprivileged("sync", str(tree), "--db", str(tmp_path / "o.db"), "--quiet", cwd=tmp_path)
    finally:
        os.chmod(config, 0o644)
    _one_line(proc, 2, f"{config}", "ermission denied")
    assert sorted(os.listdir(tmp_path)) == ["tree"]


def test_the_action_reads_no_fifo_named_ontosync_yml(tmp_path, monkeypatch):
    """The Action reads the source's `.ontosync.yml` for its `path:` before the sync runs
    (action/inputs.synced_folder): a FIFO there is not opened by it either; the sync says why."""
    from ontosync.action.inputs import synced_folder
    from ontosync.config import config_followed

    tree = _tree(tmp_path / "tree")
    _make_entry(tree, "fifo")
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    assert config_followed(None, str(tree)) is None
    assert synced_folder({}, str(tree), None) == ""


@pytest.mark.parametrize("entry", ["folder", "link", "regular file"])
def test_a_github_source_reads_no_ontosync_yml_of_the_repository(tmp_path, entry):
    """Checked for the `github:` source: it reads no `.ontosync.yml` from the repository (a local
    checkout's own file applies; on GitHub give `--config`), so a link or a folder of that name is
    no more read than a file with settings the sync would refuse."""
    files = {"a.ttl": TTL.encode()}
    links = {}
    if entry == "folder":
        files[".ontosync.yml/b.ttl"] = TTL.replace("ex:A", "ex:B").encode()
    elif entry == "link":
        links[".ontosync.yml"] = "missing.yml"
    else:
        files[".ontosync.yml"] = b"workers: 0\nunknown-key: 1\n"
    with FakeGitHub(None) as fake:
        fake.commit(files, links=links)
        db = tmp_path / "o.db"
        proc = cli("sync", "github:o/r@main", "--api-url", fake.url, "--db", db, "--quiet",
                   env={"GITHUB_TOKEN": fake.token, "ONTOSYNC_RETRY_BACKOFF": "0.01"})
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(db) as conn:
        paths = sorted(p for (p,) in conn.execute("SELECT path FROM source_files"))
    assert paths == ([".ontosync.yml/b.ttl", "a.ttl"] if entry == "folder" else ["a.ttl"])


# -- hunt: --db through a symbolic link loop; migrate of a --db that is no file -----------------------

@pytest.mark.parametrize("where", ["loop", "loop/o.db"])
def test_sync_into_a_database_path_through_a_link_loop_is_one_line(tmp_path, where):
    """`sync --db loop` (a link to itself, or a path through one) ended in RuntimeError "Symlink loop
    from ..." (pathlib's resolve), a traceback and exit 1; now one line naming the database, exit 2."""
    (tmp_path / "loop").symlink_to("loop")
    tree = _tree(tmp_path / "tree")
    proc = cli("sync", tree, "--db", tmp_path / where, "--quiet")
    _one_line(proc, 2, f"cannot use database {tmp_path / where}: ", "symbolic link")
    assert sorted(os.listdir(tmp_path)) == ["loop", "tree"] and (tmp_path / "loop").is_symlink()


@pytest.mark.parametrize("kind", ["folder", "fifo", "link loop"])
def test_migrate_of_a_database_path_that_is_no_file_says_what_it_is(tmp_path, kind):
    """`migrate --db DIR` (or a FIFO, or a link loop) said "DIR: no such database file" of a path the
    user can list (or "database not found"); it now says what `status` says of it: not a regular file."""
    db = tmp_path / "o.db"
    {"folder": db.mkdir, "fifo": lambda: os.mkfifo(db), "link loop": lambda: db.symlink_to("o.db")}[kind]()
    for dry in ([], ["--dry-run"]):
        assert _one_line(cli("migrate", "--db", db, *dry), 2) == f"ontosync: error: database {db}: not a regular file"
