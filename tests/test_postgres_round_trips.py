"""Issue 15: the PostgreSQL writer sends a transaction's statements in few round trips
(store/pg/batch.py) and means exactly what it meant statement by statement: a result read is that
statement's own, an error in a queued statement rolls the whole transaction back, nothing queued
outlives a ROLLBACK, and a corpus page's save takes a fraction of its statements' round trips.
Skips without a server (tests/postgres_server.py); CI requires it."""

from __future__ import annotations

from typing import ClassVar

import peewee
import psycopg2.extensions as ext
import pytest

from ontosync.parsing import ParseOptions, parse_file
from ontosync.store.pg import database
from ontosync.store.pg.repository import PgRepository
from tests.helpers import PAGES
from tests.postgres_server import drop_schema, new_schema, pg_row, schema_url, server_url


class Counting(ext.cursor):
    """A psycopg2 cursor counting what it sends: one execute is one round trip to the server."""

    sent: ClassVar[list[str]] = []

    def execute(self, query, vars=None):
        Counting.sent.append(query)
        return super().execute(query, vars)


@pytest.fixture
def conn():
    server_url()
    schema = new_schema()
    t = database.target(schema_url(schema), "test")
    db, c = database.connect(t, "ontosync test", writer=True)
    c.raw.cursor_factory = Counting
    c.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
    Counting.sent = []
    yield c
    db.close()
    drop_schema(schema)


def test_unread_statements_share_one_round_trip_and_commit(conn):
    def write(start: int) -> None:
        conn.execute("BEGIN")
        for k in range(start, start + 5):
            conn.execute("INSERT INTO t (k, v) VALUES (?, ?)", (k, f"v{k}"))
        conn.executemany("INSERT INTO t (k, v) VALUES (?, ?)", [(k, "many") for k in range(start + 5, start + 9)])

    write(100)  # the first transaction also PREPAREs the statement (once a session)
    conn.execute("COMMIT")
    Counting.sent = []
    write(0)
    assert Counting.sent == []  # nothing read yet: nothing sent
    conn.execute("COMMIT")
    assert len(Counting.sent) == 1 and Counting.sent[0].count("EXECUTE ontosync_") == 5  # the executes'
    assert Counting.sent[0].count("VALUES (%s, %s), (%s, %s), (%s, %s), (%s, %s)") == 1  # the executemany's
    assert Counting.sent[0].startswith("BEGIN") and Counting.sent[0].endswith("COMMIT")
    assert conn.execute("SELECT count(*), min(v), max(v) FROM t WHERE k < 100").fetchone() == (9, "many", "v4")


def test_a_result_read_is_its_own_statement_s(conn):
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t (k, v) VALUES (?, ?)", [(k, "a" if k % 2 else "b") for k in range(10)])
    kept = conn.execute("UPDATE t SET v = 'c' WHERE v = ?", ("a",))  # 5 rows, read only later
    conn.execute("DELETE FROM t WHERE k < ?", (2,))                    # 2 rows, after it
    assert conn.execute("SELECT count(*) FROM t WHERE v = ?", ("c",)).fetchone()[0] == 4
    assert kept.rowcount == 5  # its own count, not the DELETE's nor the SELECT's
    assert [r[0] for r in conn.execute("SELECT k FROM t ORDER BY k LIMIT ?", (3,))] == [2, 3, 4]
    conn.execute("COMMIT")


def test_a_failing_queued_statement_rolls_the_transaction_back(conn):
    conn.execute("INSERT INTO t (k, v) VALUES (?, ?)", (1, "before"))  # outside a transaction: sent now
    conn.execute("BEGIN")
    conn.execute("UPDATE t SET v = ? WHERE k = ?", ("changed", 1))
    conn.execute("INSERT INTO t (k, v) VALUES (?, ?)", (1, "duplicate"))  # fails when sent
    conn.execute("INSERT INTO t (k, v) VALUES (?, ?)", (2, "after"))
    with pytest.raises(peewee.IntegrityError, match="duplicate key"):
        conn.execute("COMMIT")
    assert conn.in_transaction  # the server's transaction failed and waits for its ROLLBACK
    conn.rollback()
    assert not conn.in_transaction
    assert conn.execute("SELECT k, v FROM t ORDER BY k").fetchall() == [(1, "before")]


def test_a_rollback_forgets_what_was_queued(conn):
    conn.execute("BEGIN")
    conn.execute("INSERT INTO t (k, v) VALUES (?, ?)", (7, "never"))
    conn.rollback()
    conn.execute("BEGIN")
    conn.execute("INSERT INTO t (k, v) VALUES (?, ?)", (8, "kept"))
    conn.execute("COMMIT")
    assert conn.execute("SELECT k FROM t").fetchall() == [(8,)]


def test_a_corpus_page_save_takes_few_round_trips(tmp_path):
    """Every page of a slice of the corpus saved through the real writer: the statements it asks
    for against the round trips sent (the writer asked ~50 a page, each a round trip, before)."""
    server_url()
    pages = sorted(PAGES.glob("*.md"))[:20]
    if not pages:
        pytest.skip("the shared corpus is absent")
    schema = new_schema()
    url = schema_url(schema)
    repo = PgRepository(database.target(url, "test"))
    try:
        repo.ensure_schema()
        asked = []
        real_execute, real_many = type(repo.conn).execute, type(repo.conn).executemany
        repo.conn.raw.cursor_factory = Counting
        type(repo.conn).execute = lambda self, sql, p=(): asked.append(sql) or real_execute(self, sql, p)
        type(repo.conn).executemany = lambda self, sql, rows: asked.append(sql) or real_many(self, sql, rows)
        Counting.sent = []
        try:
            for page in pages:
                facts = parse_file(page.name, page.read_bytes(), ParseOptions())
                repo.save_parsed(page.name, None, page.stat().st_size, facts, "2026-01-01T00:00:00Z")
        finally:
            type(repo.conn).execute, type(repo.conn).executemany = real_execute, real_many
        trips = [q for q in Counting.sent if not q.startswith(("PREPARE", "SAVEPOINT", "RELEASE"))]
        assert len(asked) >= 25 * len(pages)
        assert len(trips) <= 0.5 * len(asked), (len(trips), len(asked))
        assert pg_row(url, "SELECT count(*) FROM source_files")[0] == len(pages)
    finally:
        repo.close()
        drop_schema(schema)
