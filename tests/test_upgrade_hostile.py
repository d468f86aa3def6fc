"""Upgrades that meet hostile conditions: a backup folder that cannot be written or fills up,
legacy values that are not UTF-8 text.

Every case asserts what a user sees (exit code, one line, no traceback) and that the database
is exactly as it was when the upgrade could not go through (its bytes), or holds the rows when it
could. The legacy fixtures are tests/test_migrate.py's builders, small.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ontosync.store import upgrade
from ontosync.store.backup import backup_name
from tests.helpers import ROOT, WriteLockHolder, cli
from tests.privileges import restore_permissions, run_cli_unprivileged
from tests.test_migrate import build_l2
from tests.test_migrate_cli import TURTLE

TRACEBACK = "Traceback (most recent call last)"


def _migrate(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return cli("migrate", *args, cwd=cwd, env={upgrade.FAULT_ENV: ""})


def _one_line_error(proc: subprocess.CompletedProcess, code: int) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert TRACEBACK not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


# -- the backup taken before an upgrade --------------------------------------------------------------
def test_a_backup_dir_below_a_file_is_a_clear_error_and_nothing_changes(tmp_path):
    db = tmp_path / "ontology.db"
    build_l2(db, n_classes=20)
    before = db.read_bytes()
    (tmp_path / "notes.txt").write_text("not a folder")
    line = _one_line_error(_migrate("--db", db, "--backup-dir", tmp_path / "notes.txt" / "backups", cwd=tmp_path), 3)
    assert "backup" in line and "notes.txt" in line and "nothing was changed" in line
    assert db.read_bytes() == before


def test_an_unwritable_backup_folder_is_a_clear_error_and_nothing_changes(tmp_path):
    db = tmp_path / "ontology.db"
    build_l2(db, n_classes=20)
    before = db.read_bytes()
    locked = tmp_path / "backups"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        proc = run_cli_unprivileged("migrate", "--db", str(db), "--backup-dir", str(locked), cwd=tmp_path)
    finally:
        restore_permissions(tmp_path)
    line = _one_line_error(proc, 3)
    assert "backup" in line and str(locked) in line and "Permission denied" in line
    assert db.read_bytes() == before
    assert list(locked.iterdir()) == []


def _limit_file_size(limit: int, ignore: bool = True):
    """For a child process: writes past `limit` bytes fail (EFBIG), or kill it (`ignore=False`:
    SIGXFSZ's default action; Python ignores the signal, so the child must restore it too)."""
    def apply() -> None:
        if ignore:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_no_room_for_the_backup_leaves_no_half_backup(tmp_path):
    """A backup that cannot be written whole is removed: a truncated file named like a backup
    is worse than none (the README tells users to restore from it)."""
    db = tmp_path / "ontology.db"
    build_l2(db, n_classes=200)
    before = db.read_bytes()
    backups = tmp_path / "backups"
    env = {**os.environ, "PYTHONPATH": str(ROOT), upgrade.FAULT_ENV: ""}
    proc = subprocess.run([sys.executable, "-m", "ontosync", "migrate", "--db", str(db), "--backup-dir", str(backups)],
                          capture_output=True, text=True, env=env, cwd=tmp_path,
                          preexec_fn=_limit_file_size(len(before) // 2), timeout=120)
    line = _one_line_error(proc, 3)
    assert "could not back up" in line and "nothing was changed" in line
    assert db.read_bytes() == before
    assert [p.name for p in backups.iterdir()] == []


def test_a_backup_never_overwrites_a_file_of_the_same_name(tmp_path):
    """Two upgrades in one second (or a file left there) get `-1`, `-2`, ... rather than a clobber."""
    db = tmp_path / "ontology.db"
    build_l2(db, n_classes=20)
    with sqlite3.connect(db) as conn:
        legacy_rows = conn.execute("SELECT * FROM owl_classes ORDER BY 1, 2").fetchall()
    now = datetime.now(timezone.utc)
    taken = {backup_name(db, tmp_path, now + timedelta(seconds=s)) for s in range(-1, 30)}
    for path in taken:
        path.write_text("someone else's file")
    result = upgrade.migrate(db)
    made = Path(result.backup_path)
    assert made not in taken and made.name.startswith("ontology.backup-") and made.name.endswith("-1.db")
    assert all(p.read_text() == "someone else's file" for p in taken)
    with sqlite3.connect(made) as conn:
        assert conn.execute("SELECT * FROM owl_classes ORDER BY 1, 2").fetchall() == legacy_rows


# -- legacy values that are not UTF-8 text ------------------------------------------------------------
# The old tools wrote what Python handed them: bytes became BLOBs, bytes cast to TEXT kept bytes
# that are not UTF-8, numbers stayed numbers. (legacy value, what the migrated row must hold)
BAD_LABEL = ("CAST(x'436166e92043f36c6c' AS TEXT)", "Caf\\xe9 C\\xf3ll")  # Latin-1 bytes in a TEXT column
BAD_PARENT = ("CAST(x'75726e3a6f6c64ff' AS TEXT)", "urn:old\\xff")  # a parent no class declares
BAD_TYPE = ("CAST(x'ff' AS TEXT)", "\\xff")  # a property type that names none of the three
BLOB_ANNOTATIONS = ("x'ff41'", "\\xffA")  # not JSON: becomes a JSON string
JSON_BLOB = ("CAST('{\"note\": \"ok\"}' AS BLOB)", '{"note": "ok"}')  # UTF-8 JSON written as bytes
NUMBER_IRI = ("42", "42")


def _awkward_l1(db: Path) -> None:
    from tests.test_migrate import build_l1

    build_l1(db, n_classes=12)
    with sqlite3.connect(db) as conn:
        conn.execute(f"INSERT INTO owl_classes (iri, label) VALUES ('urn:bad-label', {BAD_LABEL[0]})")
        conn.execute(f"INSERT INTO owl_classes (iri, label) VALUES ({NUMBER_IRI[0]}, 'a number for an IRI')")
        conn.execute(f"INSERT INTO owl_class_hierarchy VALUES ('urn:bad-label', {BAD_PARENT[0]})")
        conn.execute(f"INSERT INTO owl_class_hierarchy VALUES ({NUMBER_IRI[0]}, 'urn:bad-label')")
        conn.execute(f"INSERT INTO owl_properties (iri, property_type) VALUES ('urn:bad-type', {BAD_TYPE[0]})")
        for i, (value, _) in enumerate((BLOB_ANNOTATIONS, JSON_BLOB)):
            conn.execute("INSERT INTO owl_axioms (id, axiom_type, subject, object, annotations, is_inferred) "
                         f"VALUES ({9000 + i}, 'SubClassOf', 'urn:bad-label', 'urn:x', {value}, 0)")


def test_legacy_values_that_are_not_utf8_text_are_carried_over_and_later_syncs_work(tmp_path):
    """Such a database used to fail its migration (a BLOB annotation: 'JSON cannot hold BLOB
    values'; a parent or property type not UTF-8: 'Could not decode to UTF-8'), or to migrate and
    then fail every sync after (a label not UTF-8: exit 3; a number for an IRI: a traceback)."""
    db = tmp_path / "ontology.db"
    _awkward_l1(db)
    migrated = _migrate("--db", db, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert f"{BAD_TYPE[1]!r}" in migrated.stdout and BAD_PARENT[1] in migrated.stdout  # the report shows them

    q = lambda sql: sqlite3.connect(db).execute(sql).fetchall()  # noqa: E731
    assert q("SELECT label FROM owl_classes WHERE class_iri = 'urn:bad-label'") == [(BAD_LABEL[1],)]
    assert q("SELECT parent_iri FROM owl_class_hierarchy WHERE class_iri = 'urn:bad-label'") == [(BAD_PARENT[1],)]
    assert q(f"SELECT source_file FROM owl_classes WHERE class_iri = '{BAD_PARENT[1]}'") == [(None,)]
    assert q("SELECT typeof(class_iri), label FROM owl_classes WHERE class_iri = '42'") == [
        ("text", "a number for an IRI")]
    assert q("SELECT parent_iri FROM owl_class_hierarchy WHERE class_iri = '42'") == [("urn:bad-label",)]
    assert q("SELECT property_type FROM owl_properties WHERE property_iri = 'urn:bad-type'") == [
        ("AnnotationProperty",)]
    assert [(i, json.loads(a)) for i, a in q("SELECT id, annotations FROM owl_axioms WHERE id >= 9000 ORDER BY id")] \
        == [(9000, BLOB_ANNOTATIONS[1]), (9001, json.loads(JSON_BLOB[1]))]
    # The legacy copy keeps the original values, byte for byte and type for type.
    assert q("SELECT hex(label) FROM legacy_owl_classes WHERE iri = 'urn:bad-label'") == [("436166E92043F36C6C",)]
    assert q("SELECT typeof(annotations) FROM legacy_owl_axioms WHERE id = 9000") == [("blob",)]

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "new.ttl").write_text(TURTLE, encoding="utf-8")
    for args in (("sync", tree, "--db", db, "--quiet"), ("status", "--db", db), ("verify", "--db", db)):
        proc = cli(*args, cwd=tmp_path)
        assert proc.returncode == 0 and TRACEBACK not in proc.stderr, (args[0], proc.stderr)
    assert q("SELECT label FROM owl_classes WHERE class_iri = 'urn:bad-label'") == [(BAD_LABEL[1],)]
    assert q("SELECT count(*) FROM owl_classes WHERE class_iri = 'http://example.org/new#Sub'") == [(1,)]


def test_a_utf16_legacy_database_keeps_its_text(tmp_path):
    """SQLite converts text to a UTF-16 database's encoding: reading it as UTF-8 bytes would garble
    every non-ASCII label, so such a database's text is taken as SQLite gives it."""
    from tests.test_migrate import L1_DDL

    db = tmp_path / "ontology.db"
    labels = {"urn:c1": "Façade 水", "urn:c2": "Ünïcode ☃"}
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA encoding = 'UTF-16le'")
        conn.executescript(L1_DDL)
        conn.executemany("INSERT INTO owl_classes (iri, label) VALUES (?, ?)", labels.items())
        conn.execute("INSERT INTO owl_class_hierarchy VALUES ('urn:c2', 'urn:c1')")
    assert _migrate("--db", db, cwd=tmp_path).returncode == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA encoding").fetchone()[0] == "UTF-16le"
        assert dict(conn.execute("SELECT class_iri, label FROM owl_classes")) == labels
        edges = conn.execute("SELECT class_iri, parent_iri FROM owl_class_hierarchy").fetchall()
    assert edges == [("urn:c2", "urn:c1")]


def test_an_upgrade_killed_while_backing_up_leaves_nothing_named_like_a_backup(tmp_path):
    """The process dies mid-copy (here: SIGXFSZ's default action, at a file size limit below the
    database's size). What it leaves must not pass for a backup; the next run migrates, with one."""
    db = tmp_path / "ontology.db"
    build_l2(db, n_classes=200)
    before = db.read_bytes()
    backups = tmp_path / "backups"
    killed = subprocess.run(
        [sys.executable, "-c", "import signal; signal.signal(signal.SIGXFSZ, signal.SIG_DFL); "
         "from ontosync.cli import run; run()", "migrate", "--db", str(db), "--backup-dir", str(backups)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT), upgrade.FAULT_ENV: ""},
        cwd=tmp_path, preexec_fn=_limit_file_size(len(before) // 2, ignore=False), timeout=120)
    assert killed.returncode == -signal.SIGXFSZ, killed.stderr
    assert db.read_bytes() == before
    assert list(backups.glob("*.backup-*.db")) == []

    again = _migrate("--db", db, "--backup-dir", backups, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    [made] = backups.glob("*.backup-*.db")
    with sqlite3.connect(made) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    with sqlite3.connect(made) as copy, sqlite3.connect(tmp_path / "original.db") as original:
        original.deserialize(before)
        sql = "SELECT * FROM owl_classes ORDER BY 1, 2"
        assert copy.execute(sql).fetchall() == original.execute(sql).fetchall()


def test_a_backup_folder_without_hard_links_still_gets_a_backup_and_no_clobber(tmp_path, monkeypatch):
    """FAT and some network file systems refuse hard links (EPERM); none runs here, so os.link is
    made to refuse the way they do."""
    db = tmp_path / "ontology.db"
    build_l2(db, n_classes=20)
    now = datetime.now(timezone.utc)
    taken = {backup_name(db, tmp_path, now + timedelta(seconds=s)) for s in range(-1, 30)}
    for path in taken:
        path.write_text("someone else's file")

    def no_links(src, dst):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    made = Path(upgrade.migrate(db).backup_path)
    assert made.name.endswith("-1.db") and all(p.read_text() == "someone else's file" for p in taken)
    with sqlite3.connect(made) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert sorted(p.name for p in tmp_path.glob("*.partial*")) == []


# -- killed mid-upgrade --------------------------------------------------------------------------------
def test_a_sync_killed_while_migrating_then_run_again_equals_an_uninterrupted_one(tmp_path):
    """`sync` on a legacy database dies inside the migration's transaction (SIGXFSZ when the growing
    database passes a file size limit that the backup stayed under). The next sync exits 0, and
    the database holds what an uninterrupted sync of the same legacy database and tree holds."""
    from tests.helpers import dump_file

    db, reference = tmp_path / "ontology.db", tmp_path / "reference.db"
    build_l2(db, n_classes=200)
    size = db.stat().st_size
    reference.write_bytes(db.read_bytes())
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "new.ttl").write_text(TURTLE, encoding="utf-8")

    killed = subprocess.run(
        [sys.executable, "-c", "import signal; signal.signal(signal.SIGXFSZ, signal.SIG_DFL); "
         "from ontosync.cli import run; run()", "sync", str(tree), "--db", str(db), "--quiet"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT), upgrade.FAULT_ENV: ""},
        cwd=tmp_path, preexec_fn=_limit_file_size(size * 3 // 2, ignore=False), timeout=120)
    assert killed.returncode == -signal.SIGXFSZ, killed.stderr
    assert list(tmp_path.glob("ontology.backup-*.db")), "the kill came before the backup was whole"
    assert (tmp_path / "ontology.db-journal").stat().st_size > 0  # killed mid-commit: a hot journal

    for path in (db, reference):
        proc = cli("sync", tree, "--db", path, "--quiet", cwd=tmp_path, env={upgrade.FAULT_ENV: ""})
        assert proc.returncode == 0, proc.stderr
    assert dump_file(db) == dump_file(reference)
    assert cli("verify", "--db", db, cwd=tmp_path).returncode == 0


def test_migrate_in_a_read_only_folder_says_permission_denied(tmp_path):
    """The lock file beside the database cannot be made there: the message said 'No such file or
    directory' (of the read-only fallback open), which sends the user looking for a missing file.
    It is the contract's read-only failure, exit 3, as `sync` says of the same folder (h53: it was
    "cannot open the lock file ...: Permission denied", exit 2)."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    db = folder / "ontology.db"
    build_l2(db, n_classes=20)
    before = db.read_bytes()
    folder.chmod(0o555)
    try:
        proc = run_cli_unprivileged("migrate", "--db", str(db), cwd=tmp_path)
    finally:
        restore_permissions(tmp_path)
    line = _one_line_error(proc, 3)
    assert line == f"ontosync: fatal: read-only database {db} ({folder}): permission denied; nothing was written"
    assert db.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == ["ontology.db"]


# -- PostgreSQL: a schema that holds another program's tables -------------------------------------------
FOREIGN_SCHEMAS = {
    # a Rails application's migrations table: `version`, no `checksum`
    "rails": ("CREATE TABLE {s}.schema_migrations (version varchar PRIMARY KEY); "
              "INSERT INTO {s}.schema_migrations VALUES ('20240101000000')", "schema_migrations"),
    "table": ("CREATE TABLE {s}.owl_classes (id int, name text); INSERT INTO {s}.owl_classes VALUES (1, 'keep')",
              "owl_classes"),
    "view": ("CREATE VIEW {s}.source_files AS SELECT 1 AS x", "source_files"),
}


@pytest.mark.parametrize("kind", sorted(FOREIGN_SCHEMAS))
def test_a_postgresql_schema_holding_another_programs_tables_is_refused_untouched(kind, tmp_path):
    """Was: exit 3 with PostgreSQL's words ('relation "owl_classes" already exists', 'column
    "checksum" does not exist'). Now the contract's unknown shape: exit 2, the names in the way."""
    from tests.postgres_server import connect, own_schema, schema_url

    schemas = own_schema()
    schema = next(schemas)
    setup, name = FOREIGN_SCHEMAS[kind]
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(f'CREATE SCHEMA "{schema}"; ' + setup.format(s=f'"{schema}"'))

        def relations() -> list[tuple]:
            cur.execute("SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = %s ORDER BY 1", (schema,))
            return cur.fetchall()

        before = relations()
        tree = tmp_path / "tree"
        tree.mkdir()
        (tree / "new.ttl").write_text(TURTLE, encoding="utf-8")
        for args in (("migrate", "--db", schema_url(schema)),
                     ("sync", tree, "--db", schema_url(schema), "--checkpoint", tmp_path / "c.json")):
            line = _one_line_error(cli(*args, cwd=tmp_path), 2)
            assert f"schema {schema} is not an ontosync store" in line and name in line, line
            assert relations() == before
        if kind == "table":
            cur.execute(f'SELECT * FROM "{schema}".owl_classes')
            assert cur.fetchall() == [(1, "keep")]
    finally:
        conn.close()
        next(schemas, None)


# -- another writer in the middle of a commit ----------------------------------------------------------
def test_a_legacy_database_another_writer_holds_is_busy_not_damaged(tmp_path):
    """The old tool (rollback journal, not WAL) holds an EXCLUSIVE lock while it commits: even
    reading the schema waits. Past the busy timeout, `sync` and `migrate` said 'fatal: cannot read
    the database schema: database is locked', exit 3 (the code for a damaged database); it is the
    contract's busy database: exit 4 (DatabaseBusy), naming the holder, nothing written. (Through
    the API: the CLI's `migrate` and the damage check before a sync each wait 5 s first.)"""
    db = tmp_path / "ontology.db"
    build_l2(db, n_classes=20)
    before = db.read_bytes()
    with WriteLockHolder(db, "EXCLUSIVE") as holder, pytest.raises(upgrade.DatabaseBusy) as caught:
        upgrade.prepare_database(db, busy_timeout=0.2)
    assert caught.value.code == 4
    assert "busy" in str(caught.value) and f"pid {holder.pid}" in str(caught.value), caught.value
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("*.backup-*"))


@pytest.mark.parametrize("room", [0.5, 1.5], ids=["for-the-copy", "for-its-migration"])
def test_a_dry_run_without_room_for_its_copy_says_so_not_that_the_database_failed(room, tmp_path):
    """`--dry-run` migrates a private copy in the temporary folder. With no room there, it said
    'fatal: ontology.db: database error: disk I/O error' (or 'disk is full'): the user's database
    named, as if it had the problem. It now names the temporary folder, and nothing was written."""
    db = tmp_path / "ontology.db"
    build_l2(db, n_classes=200)
    before = db.read_bytes()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), upgrade.FAULT_ENV: "", "TMPDIR": str(scratch)}
    proc = subprocess.run([sys.executable, "-m", "ontosync", "migrate", "--db", str(db), "--dry-run"],
                          capture_output=True, text=True, env=env, cwd=tmp_path,
                          preexec_fn=_limit_file_size(int(len(before) * room)), timeout=120)
    line = _one_line_error(proc, 3)
    assert "dry run (nothing was written)" in line and f"copy of the database in {scratch}" in line, line
    assert "TMPDIR" in line
    assert db.read_bytes() == before and list(scratch.iterdir()) == []
