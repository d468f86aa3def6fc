"""An organisation's PostgreSQL server, round 4: many repositories and live readers on one server.

Readers (a service, Datasette, a BI tool) keep transactions open on a source's tables while its
syncs run. Each test failed before its fix. Skips without a server (tests/postgres_server.py).
"""

from __future__ import annotations

import pytest

from tests.helpers import cli
from tests.postgres_server import connect, own_schema, run_sql, schema_url

TTL = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
<http://e.org/A> a owl:Class .
"""
DROPPED_BY_008 = "owl_classes_source_file"  # the index migrations/postgresql/008 drops


schema = pytest.fixture(own_schema)  # a schema of the test's own, dropped after it


@pytest.fixture
def tree(tmp_path):
    """A source of one Turtle file declaring one class."""
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "a.ttl").write_text(TTL, encoding="utf-8")
    return tmp_path / "tree"


def _one_line(proc, code: int) -> str:
    assert proc.returncode == code, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr and len(lines) == 1, proc.stderr
    return lines[0]


def _older_store(schema: str, tree, tmp_path) -> None:
    """A store as an ontosync before migration 008 left it (its index, no row 8)."""
    r = cli("sync", str(tree), "--db", schema_url(schema), "--quiet", "--checkpoint", str(tmp_path / "c.json"))
    assert r.returncode == 0, r.stderr
    run_sql(f'CREATE INDEX {DROPPED_BY_008} ON "{schema}".owl_classes (source_file)')
    run_sql(f'DELETE FROM "{schema}".schema_migrations WHERE version = 8')


def _at_008(schema: str) -> bool:
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(f'SELECT count(*) FROM "{schema}".schema_migrations WHERE version = 8')
        applied = cur.fetchone()[0] == 1
        cur.execute("SELECT count(*) FROM pg_indexes WHERE schemaname = %s AND indexname = %s",
                    (schema, DROPPED_BY_008))
        assert applied == (cur.fetchone()[0] == 0)  # the migration all or nothing
        return applied
    finally:
        conn.close()


@pytest.mark.timeout(60)
def test_a_readers_open_transaction_makes_a_migration_busy_not_failed(schema, tree, tmp_path, monkeypatch):
    """A reader's open transaction on `owl_classes` holds up migration 008's DROP INDEX. The sync
    failed after its 1 s lock_timeout with "fatal: ... canceling statement due to lock timeout",
    exit 3 (as if the migration were broken, naming nothing); `ontosync migrate` waited for ever,
    every new reader of the table queued behind it. Now both retry for their wait (--busy-timeout,
    migrate's wait), then exit 4 with one line naming the migration and the reader's session."""
    import ontosync.pg_commands as pg_commands
    import ontosync.store.pg.database as database

    monkeypatch.setattr(database, "MIGRATION_LOCK_TRY_MS", 200)  # each try's wait, not the behaviour
    _older_store(schema, tree, tmp_path)
    reader = connect()
    reader.autocommit = False
    try:
        cur = reader.cursor()
        cur.execute(f'SELECT count(*) FROM "{schema}".owl_classes')
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
        sync = ("sync", str(tree), "--db", schema_url(schema), "--checkpoint", str(tmp_path / "c.json"))
        line = _one_line(cli(*sync, "--busy-timeout", "0.3"), 4)
        assert line.startswith("ontosync: busy: migration postgresql/008_") and f"server process {pid}," in line
        monkeypatch.setattr(pg_commands, "MIGRATE_LOCK_TIMEOUT_S", 0.3)  # the wait, not the behaviour
        line = _one_line(cli("migrate", "--db", schema_url(schema)), 4)
        assert "008_" in line and f"server process {pid}," in line and "migrate's wait" in line
        assert not _at_008(schema)
    finally:
        reader.close()
    assert cli(*sync, "--quiet").returncode == 0  # once the reader's transaction ends
    assert _at_008(schema)


@pytest.mark.parametrize("userinfo", ["{user}:Sec@Ret9", "{user}:Sec/Ret9", "{user}:Sec@R:et9",
                                      "{user}@myserver:Sec9Ret9"])
@pytest.mark.parametrize("command", [("status",), ("sync", ".")])
def test_a_password_with_an_unencoded_at_or_slash_is_never_printed(userinfo, command, tmp_path):
    """A password pasted into the URL without percent-encoding its `@` or `/` (`Sec@Ret9` for
    `Sec%40Ret9`), or a user name with one (Azure's `user@server`): the mask stopped at the first
    `@` or `/`, so the line said `postgresql://ontosync:***@Ret9@127.0.0.1...` and libpq's `host
    name "Ret9@127.0.0.1"`, or `ontosync:Sec/Ret9@...` and `ontosync@myserver:Sec9Ret9@...` whole,
    and `invalid integer value "Sec" for connection option "port"` (libpq reads such a URL its own
    way). Still one line, exit 2, with none of the password in it."""
    from urllib.parse import urlsplit

    from tests.postgres_server import connect_dsn

    server = urlsplit(connect_dsn())
    url = f"postgresql://{userinfo.format(user=server.username)}@{server.hostname}:{server.port}{server.path}?schema=x"
    line = _one_line(cli(*command, "--db", url, "--checkpoint", str(tmp_path / "c.json"), cwd=tmp_path), 2)
    assert "***" in line and f"{server.hostname}:{server.port}" in line
    assert not any(piece in line for piece in ("Sec", "Ret9", "et9")), line


REVOKED = {  # what the DBA forgot, taken from the schema's owner (a second role's case: test_postgres_round5)
    "usage": ('REVOKE USAGE ON SCHEMA "{s}" FROM CURRENT_USER', "USAGE on schema"),
    "select": ('REVOKE SELECT ON ALL TABLES IN SCHEMA "{s}" FROM CURRENT_USER', "SELECT"),
}


@pytest.mark.parametrize("revoked", sorted(REVOKED))
def test_a_role_without_the_rights_on_a_store_is_told_the_grants(revoked, schema, tree, tmp_path):
    """A reader role the DBA did not grant USAGE on the schema, or SELECT on its tables: the read
    commands said "holds no ontosync store (run `ontosync sync` into it first)" (information_schema
    hides what a role may not use), or PostgreSQL's three lines `relation "owl_classes" does not
    exist` / `LINE 1` / a caret, exit 3, and `diff` "no change log yet"; the sync "relation
    schema_migrations does not exist", exit 3. Now every command says, in one line, exit 2, which
    right the role lacks on which schema and the GRANT that gives it; the rows are untouched."""
    url = schema_url(schema)
    assert cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json")).returncode == 0
    sql, lacks = REVOKED[revoked]
    run_sql(sql.format(s=schema))
    try:
        for command in (("status",), ("search", "A"), ("diff",), ("verify",),
                        ("sync", str(tree), "--full", "--checkpoint", str(tmp_path / "c.json"))):
            line = _one_line(cli(*command, "--db", url), 2)
            assert f"schema {schema}: it lacks {lacks}" in line and f'GRANT USAGE ON SCHEMA "{schema}"' in line, line
    finally:
        run_sql(f'GRANT ALL ON SCHEMA "{schema}" TO CURRENT_USER; GRANT ALL ON ALL TABLES IN SCHEMA "{schema}" '
                "TO CURRENT_USER")
    status = cli("status", "--db", url, "--json")
    assert status.returncode == 0 and '"classes": 1' in status.stdout, status.stderr


STOPPED_READS = {  # the role's setting (on the URL here), the exit code, the start and words of the line
    "statement_timeout": ("statement_timeout%3D200", 3, "ontosync: fatal: ", "statement_timeout"),
    "lock_timeout": ("lock_timeout%3D100", 4, "ontosync: busy: ", "another session holds a table"),
}


@pytest.mark.parametrize("setting", sorted(STOPPED_READS))
def test_a_reader_the_server_stops_is_told_why(setting, schema, tree, tmp_path):
    """A reader with a role's statement_timeout or lock_timeout, held up by a lock on the store's
    tables (a migration, a DBA's LOCK TABLE): `status` said the store "is not an ontosync
    database", the others only "canceling statement due to statement timeout" (or "lock
    timeout"), exit 3. Now the statement_timeout is named with the URL option that lifts it
    (exit 3), and a lock another session holds is the contract's busy (exit 4); both say that
    nothing changed and to run again."""
    option, code, start, words = STOPPED_READS[setting]
    url = schema_url(schema)
    assert cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json")).returncode == 0
    holder = connect()
    holder.autocommit = False
    try:
        holder.cursor().execute(f'LOCK TABLE "{schema}".owl_classes, "{schema}".runs, "{schema}".class_search, '
                                f'"{schema}".schema_migrations IN ACCESS EXCLUSIVE MODE')
        for command in (("status",), ("search", "A"), ("diff",), ("verify",)):
            line = _one_line(cli(*command, "--db", f"{url}&options=-c%20{option}"), code)
            assert line.startswith(start) and words in line and "nothing was changed; run it again" in line, line
            assert "not an ontosync" not in line
    finally:
        holder.close()


def test_the_roles_idle_session_timeout_does_not_end_the_writer(schema, tree, tmp_path):
    """A DBA's idle_session_timeout for abandoned sessions (here on the URL, as the role's would be):
    the writer idles between files while its workers parse, so the server ended it whenever a
    parse outlasted the timeout, exit 3 "run the sync again to resume", and the next run met the
    same file. The writer's session now sets it off for itself, as it sets lock_timeout."""
    (tree / "b.ttl").write_text(TTL.replace("e.org/A", "e.org/B"), encoding="utf-8")
    url = schema_url(schema) + "&options=-c%20idle_session_timeout%3D20"
    r = cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json"))
    assert r.returncode == 0, r.stderr
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(f'SELECT count(*) FROM "{schema}".owl_classes WHERE source_file IS NOT NULL')
        assert cur.fetchone()[0] == 2
    finally:
        conn.close()


def _writer_after_a_pause(url: str, monkeypatch):
    """The writer's session opened with the server slow to hand it over: 0.2 s pass between the
    connection and the session's first statement, as under a loaded machine."""
    import time

    import ontosync.store.pg.database as database

    opened = database.open_session

    def slow(db, shown):
        opened(db, shown)
        time.sleep(0.2)

    monkeypatch.setattr(database, "open_session", slow)
    db, conn = database.connect(database.target(url, "src"), writer=True)
    try:
        return conn.execute("SELECT current_setting('idle_session_timeout')").fetchone()[0]
    finally:
        db.close()


def test_the_writer_is_never_idle_under_a_roles_idle_session_timeout(schema, monkeypatch):
    """The writer set idle_session_timeout off with its first statement: a session the server
    handed over late was ended before it (the round-4 test above failed under load, "cursor already
    closed", exit 2). It is now a startup option: the session is never under the role's timeout."""
    assert _writer_after_a_pause(schema_url(schema) + "&options=-c%20idle_session_timeout%3D20", monkeypatch) == "0"


def test_a_server_without_idle_session_timeout_still_takes_the_writer(schema, monkeypatch):
    """PostgreSQL 13 and older refuse a startup option they do not know: the writer then connects
    without it (here: an unknown setting stands for the older server's missing one)."""
    import ontosync.store.pg.database as database

    monkeypatch.setattr(database, "NEVER_IDLE_OUT", ("ontosync_no_such_setting", "-c ontosync_no_such_setting=0"))
    assert _writer_after_a_pause(schema_url(schema), monkeypatch) == "0"  # the server's default: off


@pytest.mark.parametrize("table", ["source_files", "sync_meta"])  # schema_migrations: as source_files
def test_a_table_another_session_locks_makes_the_sync_busy_in_one_line(table, schema, tree, tmp_path, monkeypatch):
    """A table of the store held by another session (a DBA's LOCK TABLE, VACUUM FULL): the sync's
    first reads (its migrations, its plan) ended "fatal: ... database error: canceling statement
    due to lock timeout LINE 1: SELECT ... ^", exit 3; a later read (sync_meta) was busy but
    printed the statement and its caret on two more lines. Now: busy, exit 4, one line."""
    import ontosync.store.pg.database as database

    # each statement's wait (the writer's lock_timeout, tried again for --busy-timeout), not the
    # behaviour: 0.2 s keeps the test's waits from costing the suite seconds
    monkeypatch.setattr(database, "WRITER_LOCK_TRY_MS", 200)
    monkeypatch.setattr(database, "MIGRATION_LOCK_TRY_MS", 200)
    url = schema_url(schema)
    sync = ("sync", str(tree), "--db", url, "--checkpoint", str(tmp_path / "c.json"))
    assert cli(*sync, "--quiet").returncode == 0
    holder = connect()
    holder.autocommit = False
    try:
        holder.cursor().execute(f'LOCK TABLE "{schema}".{table} IN ACCESS EXCLUSIVE MODE')
        r = cli(*sync, "--full", "--busy-timeout", "0.5")
    finally:
        holder.close()
    assert r.returncode == 4, r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert "Traceback" not in r.stderr and last.startswith("ontosync: busy: ") and "lock timeout" in last, r.stderr
    assert "LINE 1" not in r.stderr and "Nothing was lost" in last
