"""The command line: exit codes and configuration wording, round 17 (task h171).

- `search` on an older ontosync database (no `class_search`: schema before 005, or a legacy
  shape `migrate` converts) said "run `ontosync sync` ... first" with exit 3, a damaged
  database's code, while `diff` exited 2 on the same file; PostgreSQL `search` on a schema an
  older ontosync left did the same. `status` on a legacy database said "fatal: ... upgrade it"
  (exit 3). The user has a command to run first: a usage matter, exit 2, for all of them.
- `verify` on a Git LFS pointer listed it as a failed check (exit 3); every other command says
  it in one line, exit 2. `verify` now says the same line: there is no database to verify.
- A YAML key `null:` (`~:`, `true:`) in `.ontosync.yml` was "unknown setting 'None'" ('True'):
  a word the user never wrote. It is now the key as YAML reads it: 'null', 'true', '1'.
- Hunt (hostile `--db`): a sync beside an `o.db-wal` left without its database replayed it into a
  new, damaged `o.db` (exit 3); a folder or a FIFO at `o.db-wal`, `-shm` or `-journal` was SQLite's
  "unable to open database file" (exit 3, files made), and a FIFO at `-journal` made every reader
  and `migrate` wait for ever. Each is now one line, exit 2, nothing written.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.helpers import cli, database_at
from tests.postgres_server import own_schema, run_sql, schema_url
from tests.test_cli_round16 import _one_line, _tree  # (its TTL: one class, labelled alpha)

LFS_POINTER = ("version https://git-lfs.github.com/spec/v1\n"
               "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 1234567\n")


schema = pytest.fixture(own_schema)  # a schema of the test's own, dropped after it


# -- 1. an older database: a command to run first, exit 2 -------------------------------------------

def _legacy_l1(db: Path) -> None:
    """The legacy shape L1 (`owl_classes` keyed by `iri`), which `ontosync migrate` converts."""
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE owl_classes (iri TEXT PRIMARY KEY, label TEXT)")
    conn.close()


OLDER = {"schema 004": lambda db: database_at(db, 4), "legacy L1": _legacy_l1}


@pytest.mark.parametrize("kind", OLDER)
def test_search_and_diff_of_an_older_database_both_exit_2(tmp_path, kind):
    db = tmp_path / "old.db"
    OLDER[kind](db)
    _one_line(cli("search", "alpha", "--db", db), 2, "run `ontosync sync`", "first")
    _one_line(cli("diff", "--db", db), 2, "no change log yet")


def test_status_of_a_legacy_database_says_how_to_upgrade_it_exit_2(tmp_path):
    db = tmp_path / "old.db"
    _legacy_l1(db)
    line = _one_line(cli("status", "--db", db), 2)
    assert line == (f"ontosync: error: {db} is a legacy database (legacy shape L1 (the batch tool's own tables)): "
                    f"upgrade it with `ontosync migrate --db {db}` (a backup is kept)")


def test_status_of_an_older_numbered_database_reads_it(tmp_path):
    db = tmp_path / "old.db"
    database_at(db, 4)
    proc = cli("status", "--db", db)
    assert proc.returncode == 0 and "classes       0 declared" in proc.stdout, proc.stderr


def test_postgresql_search_on_an_older_schema_is_exit_2(schema, tmp_path):
    url = schema_url(schema)
    assert cli("sync", _tree(tmp_path / "t"), "--db", url, "--checkpoint", tmp_path / "c.json",
               "--quiet").returncode == 0
    run_sql(f'DELETE FROM "{schema}".schema_migrations WHERE version = '
            f'(SELECT max(version) FROM "{schema}".schema_migrations)')
    _one_line(cli("search", "alpha", "--db", url), 2, f"schema {schema} is at migration",
              "run `ontosync migrate` or `ontosync sync` on it with this version first")
    assert cli("status", "--db", url).returncode == 0  # status reads it, as on SQLite


# -- 2. verify of a Git LFS pointer -----------------------------------------------------------------

def test_verify_of_a_git_lfs_pointer_says_what_every_command_says(tmp_path):
    from ontosync.store.read_only import LFS_DATABASE

    pointer = tmp_path / "ontology.db"
    pointer.write_text(LFS_POINTER, encoding="ascii")
    for command in (["verify"], ["status"], ["search", "x"], ["diff"], ["migrate"]):
        line = _one_line(cli(*command, "--db", pointer), 2)
        assert line.startswith(f"ontosync: error: {pointer}: {LFS_DATABASE}"), (command, line)
    assert pointer.read_text(encoding="ascii") == LFS_POINTER
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ontology.db"]
# -- 3. a YAML key that is no string ----------------------------------------------------------------

@pytest.mark.parametrize(("written", "shown"), [("null", "null"), ("~", "null"), ("true", "true"), ("False", "false"),
                                                ("1", "1"), ("1.5", "1.5")])
def test_a_key_that_yaml_reads_as_no_string_is_named_as_written(tmp_path, written, shown):
    tree = _tree(tmp_path / "t")
    (tree / ".ontosync.yml").write_text(f"workers: 1\n{written}: x\n", encoding="utf-8")
    line = _one_line(cli("sync", tree, "--db", tmp_path / "o.db"), 2)
    assert line == f"ontosync: error: {tree}/.ontosync.yml line 2: unknown setting '{shown}'"
    assert not (tmp_path / "o.db").exists()


def test_an_alerts_key_that_is_no_string_is_named_as_written(tmp_path):
    tree = _tree(tmp_path / "t")
    (tree / ".ontosync.yml").write_text("alerts:\n  null: 1\n", encoding="utf-8")
    line = _one_line(cli("sync", tree, "--db", tmp_path / "o.db"), 2)
    assert "unknown setting 'alerts.null'" in line, line


def test_a_no_string_key_given_twice_is_named_as_written(tmp_path):
    tree = _tree(tmp_path / "t")
    (tree / ".ontosync.yml").write_text("null: 1\n~: 2\n", encoding="utf-8")
    line = _one_line(cli("sync", tree, "--db", tmp_path / "o.db"), 2)
    assert line.endswith("line 2: 'null' is given twice (first on line 1); keep one"), line


# -- hunt: hostile --db values ----------------------------------------------------------------------

def _wal_left(tmp_path: Path, db: Path) -> bytes:
    """`db`-wal holding another database's unwritten pages, `db` itself gone: a database removed
    without its write-ahead log (`rm o.db`, a restore that copied only the database)."""
    other = tmp_path / "other.db"
    assert cli("sync", _tree(tmp_path / "src"), "--db", other, "--quiet").returncode == 0
    conn = sqlite3.connect(other, isolation_level=None)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE zz (a)")
    wal = Path(f"{other}-wal").read_bytes()
    conn.close()
    assert wal
    Path(f"{db}-wal").write_bytes(wal)
    return wal


def test_sync_beside_a_write_ahead_log_left_without_its_database_is_refused(tmp_path):
    """A sync into `o.db` beside an `o.db-wal` left without its database made a new `o.db`, into
    which SQLite replayed the log's pages: "fatal: o.db: malformed database schema", exit 3, a
    damaged `o.db` and a lock left, the log gone. Now exit 2 naming the log, nothing written.
    (Beside an empty `o.db` the log may be the file's own, never checkpointed: taken in as before.)"""
    db = tmp_path / "o.db"
    wal = _wal_left(tmp_path, db)
    before = sorted(p.name for p in tmp_path.iterdir())
    line = _one_line(cli("sync", tmp_path / "src", "--db", db), 2)
    assert line == (f"ontosync: error: cannot use database {db}: {db}-wal is there without its database ({len(wal)} "
                    "bytes: the write-ahead log of a database removed without it?), and a new database would take "
                    f"in its pages, damaged: move or remove {db}-wal; nothing was written")
    _one_line(cli("migrate", "--db", db), 2, "database not found")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert Path(f"{db}-wal").read_bytes() == wal


def _side_entry(tmp_path: Path, suffix: str, kind: str, exists: bool) -> tuple[Path, Path, str]:
    """(the database, a folder or a FIFO where SQLite keeps its `suffix` file, its words)."""
    import os

    db = tmp_path / "o.db"
    if exists:
        assert cli("sync", _tree(tmp_path / "src"), "--db", db, "--quiet").returncode == 0
    else:
        _tree(tmp_path / "src")
    side = Path(f"{db}{suffix}")
    side.unlink(missing_ok=True)
    os.mkdir(side) if kind == "folder" else os.mkfifo(side)
    return db, side, "a folder" if kind == "folder" else "a FIFO (named pipe)"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
@pytest.mark.parametrize("kind", ["folder", "fifo"])
@pytest.mark.parametrize("command", [["sync", "{src}"], ["migrate"], ["migrate", "--dry-run"]], ids=" ".join)
def test_a_folder_or_fifo_where_sqlite_keeps_its_files_is_one_line_for_writers(tmp_path, suffix, kind, command):
    """A folder or a FIFO at `o.db-wal` (`-shm`, `-journal`): a sync said SQLite's "unable to open
    database file" or "disk I/O error", exit 3, after making `o.db` and its lock (and a checkpoint),
    and took the FIFO away; `migrate` the same of a database there, or took the FIFO away with exit 0,
    or (a FIFO at `-journal`) waited for ever. Now exit 2 naming it, nothing written, the entry kept."""
    db, side, what = _side_entry(tmp_path, suffix, kind, exists=command[0] == "migrate")
    before = sorted(p.name for p in tmp_path.iterdir())
    line = _one_line(cli(*[a.format(src=tmp_path / "src") for a in command], "--db", db), 2)
    assert line == (f"ontosync: error: cannot use database {db}: {side} is {what}, where SQLite keeps the database's "
                    f"{ {'-wal': 'write-ahead log', '-shm': 'shared-memory index', '-journal': 'journal'}[suffix]}: "
                    "move or remove it; nothing was written"), line
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert side.is_dir() if kind == "folder" else side.is_fifo()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
@pytest.mark.parametrize("command", [["verify"], ["status"], ["search", "alpha"], ["diff"], ["diff", "--db", "{head}",
                                                                                          "--base"]], ids=" ".join)
def test_a_fifo_where_sqlite_keeps_its_files_is_one_line_for_readers(tmp_path, suffix, command):
    """A FIFO at `o.db-journal`: every reading command waited for ever (SQLite opens it to look for
    a hot journal). A FIFO is never SQLite's file: exit 2 naming it. A folder there does them no
    harm: they read the database, as before."""
    db, side, what = _side_entry(tmp_path, suffix, "fifo", exists=True)
    argv = [*command, "--db", db]
    if "--base" in command:  # the database compared with is the one beside the FIFO
        head = tmp_path / "head.db"
        assert cli("sync", tmp_path / "src", "--db", head, "--quiet").returncode == 0
        argv = [a.format(head=head) for a in command] + [db]
    line = _one_line(cli(*argv), 2)
    assert line.startswith(f"ontosync: error: cannot read database {db}: {side} is {what}, where SQLite"), line
    assert line.endswith("move or remove it; nothing was read") and side.is_fifo(), line
    side.unlink()
    side.mkdir()
    assert cli(*argv).returncode == 0
