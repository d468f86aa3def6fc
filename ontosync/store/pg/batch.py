"""The writer's statements inside a transaction, sent to PostgreSQL in as few round trips as possible.

Why: a save is ~50 statements, and on PostgreSQL each was its own round trip to the server (a
client-server exchange and two context switches, 0.15 ms on an idle machine and up to 1 ms on a
loaded one), most of them statements whose results the writer never reads (the DELETEs, the
INSERTs, the change log's `SELECT chg_record(...)`, the BEGIN). Measured on the corpus's full sync
(bench/postgres.py, README "PostgreSQL"): round trips per save from ~50 to ~15.

How, without the writer (store/repository.py, shared with SQLite) knowing: inside a transaction,
`PgConnection.execute` does not send a statement but queues it and hands back a `Pending` cursor.
The queue goes to the server as one `"s1; s2; ..."` (psycopg2 interpolates the parameters on the
client, so one parameter list serves) when the writer reads a result, or at COMMIT. A statement
whose cursor is still referenced when the queue is sent ends its group, so its results (rowcount,
rows: psycopg2 keeps the last statement's) are its own; a cursor nobody holds any more cannot be
read, so its statement rides along. CPython frees a cursor the moment the writer drops it
(`c.execute(...)` as a statement), which makes this exact, not a heuristic.

What changes for the caller: an error in a queued statement is raised by the call that sends the
queue (a later execute, a read of a result, or the COMMIT), inside the same transaction; the
transaction is rolled back whole either way, and the pipeline retries or fails the file as before.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from typing import Any

_PLACEHOLDER = re.compile(r"(?<!%)(?:%%)*%s")
MAX_QUEUED = 400  # statements (or rows) held before the queue is sent anyway (bounds one query's size)
ROWS_A_STATEMENT = 100


class Pending:
    """The cursor of a queued statement: reading anything from it sends the queue first."""

    __slots__ = ("__weakref__", "_cursor", "_queue")

    def __init__(self, queue: StatementQueue) -> None:
        self._queue = queue
        self._cursor: Any = None

    def _sent(self) -> Any:
        if self._cursor is None:
            self._queue.send()
        if self._cursor is None:  # the queue failed before this statement ran
            raise RuntimeError("a queued statement's result was read after its transaction failed")
        return self._cursor

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sent(), name)

    def __iter__(self):
        return iter(self._sent())


class StatementQueue:
    """Statements queued in one transaction: (SQL with %s placeholders, parameters, cursor ref)."""

    def __init__(self, raw: Any, wrap_errors: Any) -> None:
        self.raw = raw  # the psycopg2 connection
        self.wrap_errors = wrap_errors  # driver errors -> Peewee's (store/pg/dialect.py)
        self.items: list[tuple[str, tuple, weakref.ref | None]] = []
        self.rows = 0  # the statements queued, a multi-row INSERT counted by its rows

    def __len__(self) -> int:
        return len(self.items)

    def add(self, sql: str, params: Sequence[Any]) -> Pending:
        """Queue a statement. Its parameters must be exactly its placeholders' (psycopg2 ignores
        extra ones on a statement with none, which the store relies on for its no-op: dropped)."""
        params = tuple(params) if _PLACEHOLDER.search(sql) else ()
        handle = Pending(self)
        self.items.append((sql, params, weakref.ref(handle)))
        self._counted(1)
        return handle

    def add_rows(self, statement: Any, rows: list[tuple]) -> None:
        """An executemany's rows as multi-row INSERTs of ROWS_A_STATEMENT rows each (`statement(n)`
        is the INSERT of n rows): a statement a row cost the server its executor's start and end
        for each row (the 144,000 `statements` rows of a large Turtle file: 1.9 s of the server's
        CPU a row at a time, 1.15 s by hundreds). Counted by rows towards MAX_QUEUED, as before."""
        full = statement(ROWS_A_STATEMENT) if len(rows) >= ROWS_A_STATEMENT else None
        for at in range(0, len(rows), ROWS_A_STATEMENT):
            chunk = rows[at:at + ROWS_A_STATEMENT]
            sql = full if len(chunk) == ROWS_A_STATEMENT else statement(len(chunk))
            self.items.append((sql, tuple(v for row in chunk for v in row), None))
            self._counted(len(chunk))

    def add_many(self, sql: str, rows: list[tuple]) -> None:
        """An executemany's rows, one statement each (nobody reads an executemany's cursor)."""
        bare = not _PLACEHOLDER.search(sql)
        for row in rows:
            self.items.append((sql, () if bare else row, None))
            self._counted(1)

    def _counted(self, n: int) -> None:
        """`n` more rows queued: the queue is sent once it holds MAX_QUEUED."""
        self.rows += n
        if self.rows >= MAX_QUEUED:
            self.send()

    def discard(self) -> None:
        """Forget what is queued (the transaction is being rolled back: none of it ran)."""
        self.items, self.rows = [], 0

    def send(self, last: str | None = None) -> Any:
        """Send the queue (and `last`, a statement with no parameters, such as COMMIT, after it):
        one round trip per group, a group ending at each statement whose cursor is still held.
        Returns the cursor of the last group sent."""
        items, self.items, self.rows = self.items, [], 0
        if last is not None:
            items.append((last, (), None))
        sql: list[str] = []
        params: list[Any] = []
        cursor = None
        for text, args, ref in items:
            sql.append(text)
            params.extend(args)
            handle = ref() if ref is not None else None
            if handle is not None:
                handle._cursor = cursor = self._run(sql, params)
                sql, params = [], []
        if sql:
            cursor = self._run(sql, params)
        return cursor

    def _run(self, sql: list[str], params: list[Any]) -> Any:
        with self.wrap_errors():
            cur = self.raw.cursor()
            cur.execute(";\n".join(sql), tuple(params))
        return cur
