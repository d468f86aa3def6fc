"""The database a command is given, beyond the sync: a PostgreSQL URL's blank `?schema=`, a
`diff --base` that is an older ontosync database or one another process is writing, and
`migrate` waiting for a sync's lock. Each test failed before its fix."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.helpers import WriteLockHolder, cli

TTL = """@prefix ex: <http://example.org/{n}#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
ex:{n} a owl:Class .
"""


@pytest.mark.parametrize("value", ["", "%20", "++"])  # `+` is a space in a query string
def test_a_blank_schema_parameter_is_as_if_absent(value):
    """Every command names its schema from split_schema: blank was schema `s_` for the read
    commands (sanitize('')), while a sync took the default name: status did not find the sync's rows."""
    from ontosync.db_url import schema_for, split_schema

    url = f"postgresql://u@h/d?sslmode=disable&schema={value}"
    assert split_schema(url) == ("postgresql://u@h/d?sslmode=disable", None)
    assert schema_for(url, "/somewhere/Robotics-Ontology") == "robotics_ontology"


def test_a_sync_into_a_blank_schema_parameter_is_found_by_status(tmp_path):
    from tests.postgres_server import connect, new_schema, own_database

    schema = new_schema()  # the folder's name: the schema a sync names when ?schema= is absent
    tree = tmp_path / schema
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL.format(n="a"), encoding="utf-8")
    # a database of its own: `status` without a schema lists the whole database's, which other tests change
    with own_database() as (_name, base):
        url = f"{base}{'&' if '?' in base else '?'}schema="
        proc = cli("sync", tree, "--db", url, "--quiet", "--checkpoint", tmp_path / "c.json")
        assert proc.returncode == 0, proc.stderr
        conn = connect(base)
        try:
            cur = conn.cursor()
            cur.execute(f'SELECT path FROM "{schema}".source_files')
            assert cur.fetchall() == [("a.ttl",)]
            cur.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 's_'")
            assert cur.fetchone() == (0,)
        finally:
            conn.close()
        # a read command takes the blank value as absent too: the same answer as without it
        blank, absent = cli("status", "--db", url), cli("status", "--db", base)
        assert (blank.returncode, blank.stdout, blank.stderr) == (absent.returncode, absent.stdout, absent.stderr)


# -- 5. diff --base an older ontosync database ------------------------------------------------------------
def test_diff_base_of_an_older_database_says_so_and_how_to_upgrade(tmp_path):
    from ontosync.store.migrations import available_migrations
    from tests.helpers import database_at

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL.format(n="a"), encoding="utf-8")
    head, old = tmp_path / "head.db", tmp_path / "old.db"
    assert cli("sync", tree, "--db", head, "--quiet").returncode == 0
    database_at(old, 1)  # as the first release left it: schema 001, no file_synonyms
    newest = max(m.version for m in available_migrations())

    proc = cli("diff", "--db", head, "--base", old)
    assert proc.returncode == 2 and proc.stdout == "", proc.stderr
    assert proc.stderr == (f"ontosync: error: {old} is an older ontosync database (schema 001; this ontosync reads "
                           f"{newest:03d}): upgrade it with `ontosync migrate --db {old}` (a backup is kept)\n")
    # the advice works: after it, the same diff runs (the empty old database: the head's class is added)
    assert cli("migrate", "--db", old).returncode == 0
    after = cli("diff", "--db", head, "--base", old, "--format", "json")
    assert after.returncode == 0, after.stderr
    assert [c["iri"] for c in json.loads(after.stdout)["classes"]["added"]] == ["http://example.org/a#a"]


# -- 6. diff --base a database another process is writing ------------------------------------------------
def test_diff_base_being_written_is_busy_and_names_the_base(tmp_path):
    """A base whose writer holds the lock (a rollback-journal database: no reader may read it
    mid-write) is exit 4 with the `busy:` line about the base, as status and search say it,
    not exit 3 "fatal" naming the head database."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL.format(n="a"), encoding="utf-8")
    head, base = tmp_path / "head.db", tmp_path / "base.db"
    assert cli("sync", tree, "--db", head, "--quiet").returncode == 0
    assert cli("sync", tree, "--db", base, "--quiet").returncode == 0
    conn = sqlite3.connect(base)
    assert conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
    conn.close()
    with WriteLockHolder(base, begin="EXCLUSIVE"):  # a short wait: the line, not the default 5 s, is tested
        proc = cli("diff", "--db", head, "--base", base, "--busy-timeout", "0.3")
    assert proc.returncode == 4, proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and proc.stdout == ""
    # the line status and search print for a busy database (store/health.classify), about the base
    assert proc.stderr.startswith(f"ontosync: busy: {base}: database is locked by ")
    assert proc.stderr.endswith("Nothing was lost; run again.\n")
    assert cli("diff", "--db", head, "--base", base).returncode == 0  # once the writer is gone


# -- 7. `migrate` waiting for a sync's lock names no option it lacks --------------------------------------
def test_migrate_busy_on_postgresql_names_its_own_wait_not_lock_timeout(monkeypatch):
    """`migrate` has no --lock-timeout (it waits a fixed time); its busy line said to raise it."""
    import ontosync.pg_commands as pg_commands
    from tests.postgres_server import connect, drop_schema, new_schema, schema_url, server_url

    server_url()  # skips without a server
    monkeypatch.setattr(pg_commands, "MIGRATE_LOCK_TIMEOUT_S", 0.3)  # the wait, not the behaviour
    schema = new_schema()
    holder = connect()
    try:
        holder.cursor().execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (f"ontosync:{schema}",))
        proc = cli("migrate", "--db", schema_url(schema))
    finally:
        holder.close()
        drop_schema(schema)
    assert proc.returncode == 4, proc.stderr
    assert proc.stderr.startswith("ontosync: busy: another sync of ") and len(proc.stderr.splitlines()) == 1
    assert "--lock-timeout" not in proc.stderr and "past migrate's wait of 0.3 s" in proc.stderr
    assert "--lock-timeout" not in cli("migrate", "--help").stdout  # the option it named is not there


def test_migrate_busy_on_sqlite_names_its_own_wait_not_lock_timeout(tmp_path, monkeypatch):
    from ontosync.store import lock

    db = tmp_path / "o.db"
    tree = tmp_path / "tree"
    tree.mkdir()
    assert cli("sync", tree, "--db", db, "--quiet").returncode == 0
    monkeypatch.setattr(lock, "MIGRATE_WAIT_S", 0.3)
    with lock.SyncLock(db, "a sync", 0):
        proc = cli("migrate", "--db", db)
    assert proc.returncode == 4, proc.stderr
    assert proc.stderr.startswith(f"ontosync: busy: database {db} is busy: another sync holds it (")
    assert "--lock-timeout" not in proc.stderr and "waited 0.3 s (migrate's wait)" in proc.stderr
