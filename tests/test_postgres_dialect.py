"""Issue 15: the dialect layer turns the writer's SQLite SQL into PostgreSQL's (store/pg/dialect.py),
and PostgreSQL's deadlocks are recognised as retryable. The translations are checked as text here;
that they mean the same rows is what tests/test_postgres_sync.py checks against SQLite."""

from __future__ import annotations

import threading

import pytest

from ontosync.store.pg.dialect import is_retryable, numbered, translate
from tests.postgres_server import connect, drop_schema, new_schema


@pytest.mark.parametrize(("sqlite", "postgres"), [
    ("SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = %s AND c = %s"),
    ("INSERT OR IGNORE INTO aff VALUES (?, ?)", "INSERT INTO aff VALUES (%s, %s) ON CONFLICT DO NOTHING"),
    ("SELECT 1 FROM a x CROSS JOIN t e ON e.k = x.k", "SELECT 1 FROM a x JOIN t e ON e.k = x.k"),
    ("ORDER BY f.path GLOB 'legacy:*', f.path", "ORDER BY f.path LIKE 'legacy:%%', f.path"),
    ("DELETE FROM temp.aff_names", "DELETE FROM pg_temp.aff_names"),
    ("UPDATE e SET p = 1 WHERE rowid IN (SELECT x.rowid FROM x)",
     "UPDATE e SET p = 1 WHERE ctid IN (SELECT x.ctid FROM x)"),
    ("SELECT a FROM t WHERE 1\n ON CONFLICT", "SELECT a FROM t WHERE true\n ON CONFLICT"),
    ("SELECT 'a?b', '50%' FROM t WHERE x = ?", "SELECT 'a?b', '50%%' FROM t WHERE x = %s"),
    ("SELECT 1 WHERE 1 = 1", "SELECT 1 WHERE 1 = 1"),
])
def test_translations(sqlite, postgres):
    assert translate(sqlite) == postgres


def test_upsert_columns_are_qualified():
    out = translate("INSERT INTO source_files (path, fmt) VALUES (?, ?) ON CONFLICT (path) DO UPDATE SET "
                    "fmt = COALESCE(excluded.fmt, fmt), path = excluded.path")
    assert out.endswith("DO UPDATE SET fmt = COALESCE(excluded.fmt, source_files.fmt), path = excluded.path")


def test_numbered_placeholders_for_prepare():
    assert numbered("SELECT %s, '5%%' WHERE a = %s") == ("SELECT $1, '5%' WHERE a = $2", 2)


def test_a_real_deadlock_is_retryable():
    import peewee

    from ontosync.store.pg.dialect import wrap_errors

    schema = new_schema()
    a, b = connect(), connect()
    try:
        setup = a.cursor()
        setup.execute(f'CREATE SCHEMA "{schema}"; CREATE TABLE "{schema}".t (k int PRIMARY KEY, v int);'
                      f'INSERT INTO "{schema}".t VALUES (1, 0), (2, 0)')
        ca, cb = a.cursor(), b.cursor()
        ca.execute("BEGIN")
        cb.execute("BEGIN")
        ca.execute(f'UPDATE "{schema}".t SET v = 1 WHERE k = 1')
        cb.execute(f'UPDATE "{schema}".t SET v = 1 WHERE k = 2')
        errors: list[BaseException] = []

        def cross(cur, key):
            try:
                with wrap_errors():
                    cur.execute(f'UPDATE "{schema}".t SET v = 2 WHERE k = {key}')
            except peewee.DatabaseError as exc:
                errors.append(exc)
                cur.execute("ROLLBACK")
            else:
                cur.execute("COMMIT")

        t = threading.Thread(target=cross, args=(ca, 2))
        t.start()
        cross(cb, 1)
        t.join(30)
        assert len(errors) == 1 and "deadlock detected" in str(errors[0])
        assert isinstance(errors[0], peewee.OperationalError) and is_retryable(errors[0])
        assert not is_retryable(peewee.OperationalError("no such table: x"))
    finally:
        a.close()
        b.close()
        drop_schema(schema)
