"""PostgreSQL URLs and ontosync's SQL on the server, round 2 (h175): follow-ups of this round.

A URL's parameter ontosync reads given twice, or parameters after an `&` with no `?`, are refused
before connecting (exit 2, one line); `status` with no `?schema=` while a first sync creates the
server's only store is busy (exit 4) as with `?schema=`; `diff --base` names `--base` in its errors
about that URL; a `'` in a comment of ontosync's SQL no longer hides the `?` placeholders after it.

Each test of a defect failed before its fix. Skips without a server (tests/postgres_server.py).
"""

from __future__ import annotations

import pytest

from ontosync.store.pg.dialect import _placeholders
from tests.helpers import cli
from tests.postgres_server import connect, own_database, own_schema, pg_row, schema_url

schema = pytest.fixture(own_schema)  # a schema of the test's own, dropped after it


def _tree(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.ttl").write_text('@prefix owl: <http://www.w3.org/2002/07/owl#> .\n'
                                '<http://e.org/Alpha> a owl:Class .\n', encoding="utf-8")
    return tree


@pytest.mark.parametrize("command", ["sync", "status"])
def test_a_parameter_ontosync_reads_given_twice_is_refused(tmp_path, schema, command):
    """`?schema=a&schema=b` synced into `a` silently (the first value), exit 0. Now exit 2, one line
    naming the repeated parameter, and nothing is created on the server."""
    url = f"{schema_url(schema)}&schema={schema}_b"
    args = [str(_tree(tmp_path)), "--checkpoint", str(tmp_path / "c.json")] if command == "sync" else []
    r = cli(command, *args, "--db", url)
    assert r.returncode == 2, r.stderr
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and "its parameter schema is given twice" in line, line
    assert "Traceback" not in r.stderr
    assert pg_row(schema_url(schema), "SELECT count(*) FROM pg_namespace WHERE nspname IN (?, ?)",
                  schema, f"{schema}_b") == (0,)


def test_parameters_after_an_ampersand_with_no_question_mark_are_refused_with_a_hint(tmp_path, schema):
    """`postgresql://h/db&schema=x` failed with libpq's `database "db&schema=x" does not exist`.
    Now exit 2 before connecting, saying the parameters begin with `?`."""
    base = schema_url(schema).partition("?")[0]
    r = cli("status", "--db", f"{base}&schema={schema}")
    assert r.returncode == 2, r.stderr
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and "does not exist" not in line, line
    assert "its parameters follow an & with no ? before them" in line and "begin the parameters with ?" in line, line


def test_status_without_a_schema_while_a_first_sync_creates_the_only_store_is_busy():
    """A first sync holds its source's lock while its migration is not committed: `status` with no
    `?schema=` said "name the source's schema ... (ontosync schemas on this server: none)", exit 2.
    Now busy, exit 4, naming the schema and the sync's session, as with `?schema=` (round 12)."""
    from ontosync.store.pg.database import lock_key_sql

    with own_database() as (_name, url):
        sync = connect(url)  # the sync's session: it created the schema and took the source's lock
        try:
            sync.cursor().execute('CREATE SCHEMA "onto"')
            key, args = lock_key_sql("onto")
            sync.cursor().execute(f"SELECT pg_advisory_lock({key.replace('?', '%s')})", args)
            r = cli("status", "--db", url)
        finally:
            sync.close()
        assert r.returncode == 4, r.stderr
        line = r.stderr.strip()
        assert len(line.splitlines()) == 1 and line.startswith("ontosync: busy: schema onto on "), line
        assert "being created by a sync (server process" in line, line
        r = cli("status", "--db", url)  # the lock gone: no store, as before
        assert r.returncode == 2 and "ontosync schemas on this server: none" in r.stderr, r.stderr


def test_diff_base_without_a_schema_names_the_base_option(tmp_path):
    """`diff --db x.db --base postgresql://...` with no `?schema=` on --base said "name the source's
    schema with ?schema=NAME in the URL", not which of the two databases. Now it names `--base`."""
    db = tmp_path / "o.db"
    assert cli("sync", str(_tree(tmp_path)), "--db", str(db), "--quiet").returncode == 0
    with own_database() as (_name, url):
        r = cli("diff", "--db", str(db), "--base", url)
    assert r.returncode == 2, r.stderr
    assert r.stderr == ("ontosync: error: --base: name the source's schema with ?schema=NAME in --base's URL "
                        "(ontosync schemas on this server: none)\n")


@pytest.mark.parametrize(("sql", "expected"), [
    ("-- the source's rows\nSELECT 1 WHERE ? = ?", "-- the source's rows\nSELECT 1 WHERE %s = %s"),
    ("SELECT ? -- it's one\n, ? /* don't ? */, 'a?''b%'", "SELECT %s -- it's one\n, %s /* don't ? */, 'a?''b%%'"),
    ('SELECT "what?" FROM t WHERE x = ?', 'SELECT "what?" FROM t WHERE x = %s'),
    ('SELECT "it\'s" FROM t WHERE x = ?', 'SELECT "it\'s" FROM t WHERE x = %s'),
])
def test_the_placeholder_converter_skips_comments_and_quoted_identifiers(sql, expected):
    """A `'` in a `--` comment (or a quoted identifier) opened a string literal to the next `'`:
    the `?` between them stayed `?`, a syntax error on the server."""
    assert _placeholders(sql) == expected


@pytest.mark.parametrize("prepare", [False, True])
def test_a_statement_with_a_quote_in_its_comment_runs_on_the_server(schema, prepare):
    """The same through ontosync's connection (a reader's, and the writer's prepared statements):
    it failed with a syntax error at or near `?`."""
    from ontosync.store.pg.database import PgTarget
    from ontosync.store.pg.database import connect as pg_connect
    from ontosync.store.pg.dialect import PgConnection

    db, _ = pg_connect(PgTarget(schema_url(schema), schema), "ontosync test")
    try:
        conn = PgConnection(db, prepare=prepare)
        sql = "-- the source's rows, 100% of them\nSELECT ? + ?, 'x''y' /* it's ? */"
        assert tuple(conn.execute(sql, (2, 3)).fetchone()) == (5, "x'y")
    finally:
        db.close()
