"""An organisation's PostgreSQL server, round 5: the busy lines name the session in the way (a
migration's, a save's, a read's), a write waits as long as --busy-timeout says, a signal while a
sync waits is exit 130, and a second role (a read-only reader, one granted nothing) runs in CI.

Each test failed before its fix. Skips without a server (tests/postgres_server.py).
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from tests.helpers import cli
from tests.postgres_server import connect, own_schema, reader_role, run_sql, schema_url
from tests.test_postgres_round4 import _one_line

TTL = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://e.org/A> a owl:Class ; rdfs:label "Alpha" .
"""

schema = pytest.fixture(own_schema)  # a schema of the test's own, dropped after it


@pytest.fixture
def tree(tmp_path):
    """A source of one Turtle file declaring one class, labelled (for `search`)."""
    files = {tmp_path / "tree" / "a.ttl": TTL}
    for path, text in files.items():
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path / "tree"


def _sync(tree, url: str, tmp_path, *more: str):
    return cli("sync", str(tree), "--db", url, "--checkpoint", str(tmp_path / "c.json"), *more)


def _session(autocommit: bool = False):
    """(connection, its server process id): another session on the server, as a reader's."""
    conn = connect()
    conn.autocommit = autocommit
    cur = conn.cursor()
    cur.execute("SELECT pg_backend_pid()")
    return conn, cur.fetchone()[0]


@pytest.mark.timeout(60)
def test_a_migrations_busy_line_names_the_session_in_its_way(schema, tree, tmp_path, monkeypatch):
    """Migration 008 drops an index of `owl_classes`, which one reader's open transaction holds;
    another reader, whose transaction began earlier, holds only `source_files`, which 008 does not
    touch. The busy line named the older transaction's session (any lock on any of the schema's
    tables), so the DBA ended the wrong one and the migration stayed stuck. It now names the
    session the server says blocks it (pg_blocking_pids)."""
    import ontosync.store.pg.database as database

    monkeypatch.setattr(database, "MIGRATION_LOCK_TRY_MS", 200)  # each try's wait, not the behaviour
    assert _sync(tree, schema_url(schema), tmp_path, "--quiet").returncode == 0
    run_sql(f'CREATE INDEX owl_classes_source_file ON "{schema}".owl_classes (source_file)')
    run_sql(f'DELETE FROM "{schema}".schema_migrations WHERE version = 8')
    bystander, bystander_pid = _session()
    blocker, blocker_pid = _session()
    try:
        bystander.cursor().execute(f'SELECT count(*) FROM "{schema}".source_files')
        time.sleep(0.02)  # its transaction is the older one
        blocker.cursor().execute(f'SELECT count(*) FROM "{schema}".owl_classes')
        line = _one_line(_sync(tree, schema_url(schema), tmp_path, "--busy-timeout", "0.5"), 4)
    finally:
        bystander.close()
        blocker.close()
    assert f"server process {blocker_pid}," in line and f"server process {bystander_pid}," not in line, line


def _when_waiting(schema: str, then) -> threading.Thread:
    """A thread that calls `then` once the sync of `schema` polls for the source's lock (another
    worker's sync, under xdist, is not this test's)."""
    def watch() -> None:
        conn = connect()
        try:
            for _ in range(200):
                cur = conn.cursor()
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ontosync sync' "
                            "AND query LIKE %s", (f"%'ontosync:{schema}'%",))  # its lock's poll: this test's sync
                if cur.fetchone()[0]:
                    time.sleep(0.1)  # in its lock's wait
                    return then()
                time.sleep(0.02)
        finally:
            conn.close()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


class _Killed(Exception):
    """SIGTERM's default, here: the test's process must outlive a sync that ignores it."""


@pytest.mark.timeout(60)
def test_sigterm_while_a_sync_waits_for_the_sources_lock_exits_130(schema, tree, tmp_path, monkeypatch):
    """SIGTERM (a cancelled CI job, `docker stop`, `kill`) while the sync waited for another sync
    of the source (--lock-timeout) ended the process on the spot: no line, exit -15 (143 in a
    shell), where the README's exit codes say an interrupted sync is 130 with one line, like
    Ctrl-C at the same moment. Now 130, one line saying nothing was written."""
    from ontosync.store.pg.database import lock_key_sql

    assert _sync(tree, schema_url(schema), tmp_path, "--quiet").returncode == 0
    holder, _ = _session(autocommit=True)
    expr, args = lock_key_sql(schema)
    holder.cursor().execute(f"SELECT pg_advisory_lock({expr.replace('?', '%s')})", args)

    def killed(_signum, _frame):
        raise _Killed

    previous = signal.signal(signal.SIGTERM, killed)
    try:
        thread = _when_waiting(schema, lambda: os.kill(os.getpid(), signal.SIGTERM))
        r = _sync(tree, schema_url(schema), tmp_path, "--lock-timeout", "20", "--full")
        thread.join(5)
    finally:
        signal.signal(signal.SIGTERM, previous)
        holder.close()
    line = _one_line(r, 130)
    assert "interrupted" in line and "nothing was written" in line, line


def test_a_writes_lock_wait_follows_busy_timeout_and_names_the_holder(schema, tree, tmp_path):
    """--busy-timeout 0.3: "seconds a write waits in all for another writer's lock". The writer's
    session waited a fixed 1 s (lock_timeout) per statement, so a row another session held kept
    the sync 2 s (two tries) where the user asked for 0.3; and its busy line named nobody ("kept
    failing with deadlocks or lock waits"), where CONTRACT section 9 says it names what holds it.
    A try now waits 1 s or the budget, whichever is shorter; the line names the session."""
    from ontosync.store.pg.database import PgTarget
    from ontosync.store.pg.repository import PgRepository

    url = schema_url(schema)
    assert _sync(tree, url, tmp_path, "--quiet").returncode == 0
    holder, pid = _session()
    try:
        holder.cursor().execute(f'SELECT * FROM "{schema}".source_files FOR UPDATE')  # the rows a save writes
        started = time.monotonic()
        r = _sync(tree, url, tmp_path, "--full", "--busy-timeout", "0.3")
        took = time.monotonic() - started
    finally:
        holder.close()
    last = r.stderr.strip().splitlines()[-1]
    assert r.returncode == 4 and "database busy: " in last, r.stderr
    assert took < 1.8, took  # two tries of 0.3 s and a backoff of at most 0.5 s; two 1 s tries before
    assert f"held up by server process {pid}," in last and "Nothing was lost" in last, last
    for budget, each in ((0.3, "300ms"), (30.0, "1s")):
        repo = PgRepository(PgTarget(url, schema), busy_timeout=budget)
        try:
            assert repo.conn.execute("SHOW lock_timeout").fetchone()[0] == each
        finally:
            repo.close()


@pytest.fixture
def synced(schema, tree, tmp_path):
    """The test's schema holding the tree's store, and the store's URL."""
    assert _sync(tree, schema_url(schema), tmp_path, "--quiet").returncode == 0
    return schema


def test_a_second_role_is_told_the_grants_then_reads_the_store_and_may_not_sync_into_it(synced, tree, tmp_path):
    """A second role (a service, a BI tool): granted nothing yet, each read command says, in one
    line, exit 2, which right it lacks and the GRANTs. Granted USAGE and SELECT only, it finds the
    store without ?schema= (the one it may read), every read command answers as the owner's would,
    and its sync is refused in one line naming the rights it lacks, exit 2; the rows stay. These
    ran by hand: CI's role could not create a second one (.ci/postgres.sh now gives it CREATEROLE)."""
    with reader_role() as (role, url):
        mine = f"{url}?schema={synced}"
        for command in (("status",), ("search", "A"), ("diff",), ("verify",)):
            line = _one_line(cli(*command, "--db", mine), 2)
            assert f"role {role} may not use" in line and f'GRANT USAGE ON SCHEMA "{synced}" TO "{role}"' in line, line
        run_sql(f'GRANT USAGE ON SCHEMA "{synced}" TO {role}; '
                f'GRANT SELECT ON ALL TABLES IN SCHEMA "{synced}" TO {role}')
        status = cli("status", "--db", url, "--json", "--checkpoint", str(tmp_path / "none.json"))
        assert status.returncode == 0 and '"classes": 1' in status.stdout, status.stderr
        hits = cli("search", "Alpha", "--db", mine)
        assert hits.returncode == 0 and "http://e.org/A" in hits.stdout, hits.stderr
        assert cli("verify", "--db", mine).returncode == 0
        diff = cli("diff", "--db", mine)
        assert diff.returncode == 0 and "http://e.org/A" in diff.stdout, diff.stderr
        line = _one_line(_sync(tree, mine, tmp_path, "--full"), 2)
        assert f"role {role} may not use the ontosync store in schema {synced}" in line and "INSERT" in line, line
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(f'SELECT count(*) FROM "{synced}".runs')
        assert cur.fetchone()[0] == 1  # the owner's sync only
    finally:
        conn.close()


LOCKED = (  # what a DBA's LOCK TABLE holds, and the commands it stops: the sync's first reads, a reader's
    (("schema_migrations",), ("sync",)),
    (("source_files",), ("sync",)),
    (("owl_classes", "runs", "class_search", "schema_migrations"), ("status", "search")),
)


def test_a_busy_line_names_the_session_that_locks_a_table(synced, tree, tmp_path):
    """A DBA's LOCK TABLE (VACUUM FULL, ALTER TABLE) on the store's tables stops the sync's first
    reads, and a reader's under its role's lock_timeout: busy, exit 4, but the line said "another
    session holds a table" and named none, where CONTRACT section 9 says it names what holds it."""
    url = f"{schema_url(synced)}&options=-c%20lock_timeout%3D200"
    args = {"sync": ("sync", str(tree), "--full", "--busy-timeout", "0.2", "--checkpoint", str(tmp_path / "c.json")),
            "status": ("status",), "search": ("search", "Alpha")}
    for tables, commands in LOCKED:
        holder, pid = _session()
        try:
            holder.cursor().execute(f"LOCK TABLE {', '.join(f'{synced}.{t}' for t in tables)} IN ACCESS EXCLUSIVE MODE")
            for command in commands:
                r = cli(*args[command], "--db", url)
                last = r.stderr.strip().splitlines()[-1]
                assert r.returncode == 4 and "Traceback" not in r.stderr, r.stderr
                assert last.startswith("ontosync: busy: "), r.stderr
                assert "another session holds a table this command" in last and f": server process {pid}," in last, last
        finally:
            holder.close()
