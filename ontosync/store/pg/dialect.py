"""SQLite's SQL, as the writer (store/repository.py) writes it, spoken to PostgreSQL.

Why a translator rather than a second copy of the writer: the per-file steps (replace a file's
rows, re-point links, recompute the touched classes and properties) are the subtle part of
ontosync, tested at length on SQLite. Keeping them once, and turning the few SQLite-only words
into PostgreSQL's here, means a fix to those steps is a fix on both databases.

The words translated (each a fixed, tested rewrite; `translate` caches per statement):

- `?` placeholders -> `%s` (and a literal `%` -> `%%`, psycopg2's escape);
- `INSERT OR IGNORE INTO ...` -> `INSERT INTO ... ON CONFLICT DO NOTHING`;
- `a CROSS JOIN b ON ...` (SQLite's hint to loop over the small table first) -> `JOIN`;
- `x GLOB 'legacy:*'` -> `x LIKE 'legacy:%'` (the only patterns used are prefixes);
- `rowid` -> `ctid`; `temp.` -> `pg_temp.`; `WITHOUT ROWID` dropped; `WHERE 1` -> `WHERE true`;
- `json_array(` (the axiom item) -> the schema's `axiom_item(`; PostgreSQL's own function bodies
  (`CREATE FUNCTION`, `DO`) are left as they are.

`PgConnection` gives the writer the sqlite3.Connection surface it uses (`execute` returning a
cursor, `executemany`, `in_transaction`), with every driver error raised as Peewee's (so the
pipeline's retry and fatal-error handling, written for Peewee's errors, hold on both databases).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from ontosync.store.pg.batch import StatementQueue
from ontosync.store.refused import refusal

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bCROSS JOIN(\s+\w+(?:\s+\w+)?\s+ON\b)"), r"JOIN\1"),
    (re.compile(r"\bGLOB\s+'([^'*?\[]*)\*'"), r"LIKE '\1%'"),
    (re.compile(r"\browid\b"), "ctid"),
    (re.compile(r"\btemp\.(\w)"), r"pg_temp.\1"),
    (re.compile(r"\s+WITHOUT ROWID\b"), ""),
    (re.compile(r"\bWHERE 1\b(?!\s*[=<>!])"), "WHERE true"),
    # the readers' layer (store/semsql.py, closure.py, search.py)
    # JSON's text has the database's default collation, not the columns' "C": on an en_US server the
    # writer sorted a restriction's property (its blank node's number) as English, not as SQLite does
    (re.compile(r"\bjson_extract\((\w+), '\$\.(\w+)'\)"), r"((\1::json ->> '\2') COLLATE " '"C")'),
    (re.compile(r"\binstr\("), "strpos("),
    (re.compile(r"\bgroup_concat\(value, ' \| '\)"), "string_agg(value, ' | ' ORDER BY predicate, value)"),
    (re.compile(r"\s+INDEXED BY \w+"), ""),
    (re.compile(r"(?<=[\s(=])\+(\w+\.\w+)"), r"\1"),  # SQLite's "+col" (no index on it) is a number in PostgreSQL
    # a FROM subquery needs a name
    (re.compile(r"\)\s+WHERE (strpos\(x|source IS NOT NULL)"), r") AS sub WHERE \1"),
    # the axiom item of store/diff.py's `--base` (the only JSON array the store builds): the schema's
    # axiom_item(), migrations/postgresql/004
    (re.compile(r"\bjson_array\("), "axiom_item("),
)
# SQLite's FTS5 index upkeep; PostgreSQL indexes class_search itself (migrations/postgresql/002)
_FTS_WRITE = re.compile(r"^\s*INSERT INTO class_search_fts\b", re.IGNORECASE)
NO_OP = "SELECT 1 WHERE false"
_PG_BODY = re.compile(r"^\s*(?:--[^\n]*\n\s*)*(?:CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION|DO)\b", re.IGNORECASE)
_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)


@functools.lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """SQLite SQL -> PostgreSQL SQL with %s placeholders (see the module's list)."""
    if _FTS_WRITE.match(sql):
        return NO_OP
    if _PG_BODY.match(sql):  # PostgreSQL's own code (migrations/postgresql/004): nothing to translate
        return _placeholders(sql)
    out = sql
    for pattern, replacement in _RULES:
        out = pattern.sub(replacement, out)
    out = _qualify_upsert(out)
    if _OR_IGNORE.match(out):
        out = _OR_IGNORE.sub("INSERT INTO", out, count=1).rstrip().rstrip(";") + " ON CONFLICT DO NOTHING"
    return _placeholders(out)


_UPSERT = re.compile(r"INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)(.*?\bDO UPDATE SET\b)(.*)$", re.S | re.I)


def _qualify_upsert(sql: str) -> str:
    """In `ON CONFLICT ... DO UPDATE SET`, a bare column means the existing row in SQLite and is
    ambiguous in PostgreSQL: name it `table.column` (assignment targets and `excluded.` stay)."""
    m = _UPSERT.search(sql)
    if not m:
        return sql
    table, columns, middle, sets = m.groups()
    for col in (c.strip() for c in columns.split(",")):
        sets = re.sub(rf"(?<![.\w]){col}\b(?!\s*=[^=])", f"{table}.{col}", sets)
    return sql[:m.start()] + f"INSERT INTO {table} ({columns}){middle}{sets}"


_ROWS = re.compile(r"^(\s*INSERT INTO \w+(?: \([^()]*\))? VALUES )(\(.*\))((?: ON CONFLICT DO NOTHING)?)\s*$", re.S)


@functools.lru_cache(maxsize=128)
def rows_statement(translated: str) -> Any:
    """For an INSERT of one row of values (`VALUES (...)`, its conflicts ignored or none), the
    function n -> the same INSERT of n rows (store/pg/batch.py's add_rows); else None. An upsert
    is not one: two of its rows with one key in one statement are an error, not a second update."""
    m = _ROWS.match(translated)
    if m is None or not _one_group(m[2]):
        return None
    head, row, tail = m.groups()
    return lambda n: head + ", ".join([row] * n) + tail


_LITERAL = re.compile(r"('(?:[^']|'')*')")  # an SQL string literal ('' inside it is a quote)


def _one_group(text: str) -> bool:
    """Whether `(...)` closes only at its end (its string literals emptied): one row, not `(a), (b)`."""
    code = "".join(part if i % 2 == 0 else "''" for i, part in enumerate(_LITERAL.split(text)))
    depth = 0
    for n, ch in enumerate(code):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and n < len(code) - 1:
            return False
    return depth == 0


_PREPARABLE = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def numbered(translated: str) -> tuple[str, int]:
    """A translation's `%s` placeholders as `$1, $2, ...` (PREPARE's form) and `%%` as `%`; and
    how many there are."""
    count = 0

    def number(m: re.Match[str]) -> str:
        nonlocal count
        if m.group(0) == "%%":
            return "%"
        count += 1
        return f"${count}"

    return re.sub(r"%%|%s", number, translated), count


# What a `?` inside is not a placeholder of: a string literal, a quoted identifier, a `--` or `/* */`
# comment. Why the comments and identifiers: a `'` in a comment (`-- the source's rows`) opened a
# literal to the next `'`, and the placeholders between them stayed `?` (a syntax error).
_NOT_CODE = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/)""", re.S)


def _placeholders(sql: str) -> str:
    """`?` -> `%s` in the code (_NOT_CODE: not in a literal, identifier or comment), `%` -> `%%`
    everywhere (psycopg2's paramstyle formats the whole text)."""
    parts = _NOT_CODE.split(sql)
    for i, part in enumerate(parts):
        if i % 2:  # a literal, identifier or comment: no placeholder
            parts[i] = part.replace("%", "%%")
        else:
            parts[i] = part.replace("%", "%%").replace("?", "%s")
    return "".join(parts)


def wrap_errors() -> _ErrorWrapper:
    """A context that raises any psycopg2 error as Peewee's class for it, found along the MRO
    (Peewee's own wrapper looks one level up only, so a deadlock, a psycopg2
    TransactionRollbackError two levels below OperationalError, would escape it). The driver's
    error stays as the exception's `orig`, with its `pgcode`."""
    return _ErrorWrapper()


class _ErrorWrapper:
    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        import peewee
        import psycopg2

        refused = refusal(exc) if exc is not None else None
        if refused is not None:  # one file's value, not the database's health (store/refused.py)
            raise refused from None
        if exc is None or not isinstance(exc, psycopg2.Error):
            return False
        if isinstance(exc, psycopg2.InterfaceError):  # "connection already closed": the server went away
            raise peewee.OperationalError(exc, *exc.args).with_traceback(tb)
        for klass in type(exc).__mro__:
            new_type = peewee.EXCEPTIONS.get(klass.__name__)
            if new_type is not None:
                raise new_type(exc, *exc.args).with_traceback(tb)
        return False


class PgConnection:
    """The slice of sqlite3.Connection the writer uses, over a Peewee PostgresqlDatabase (which
    keeps psycopg2 in autocommit mode: transactions are the BEGIN/COMMIT the store sends)."""

    def __init__(self, db: Any, prepare: bool = False) -> None:
        self.db = db  # peewee.PostgresqlDatabase, connected
        self.raw = db.connection()
        # The writer's statements run thousands of times each: prepared once per session, they
        # skip PostgreSQL's planning (~1 ms a statement, most of a save's time without it).
        self.prepare = prepare
        self._prepared: dict[str, str | None] = {}  # SQLite SQL -> EXECUTE template, None: run as is
        # inside a transaction the writer's statements are queued and sent together (store/pg/batch.py)
        self.queue = StatementQueue(self.raw, _ErrorWrapper) if prepare else None
        self._open = False  # a BEGIN was queued or sent, no COMMIT or ROLLBACK yet
        self.created_schema = False  # this session made the source's schema (database.create_schema)

    dialect = "postgresql"  # store/diff.py picks this dialect's card SQL by it

    def has_table(self, name: str) -> bool:
        """Whether the source's schema (the search_path) holds the table."""
        return self.execute("SELECT to_regclass(?) IS NOT NULL", (name,)).fetchone()[0]

    @property
    def in_transaction(self) -> bool:
        """A closed connection is in none: the server ended its transaction with the session."""
        import psycopg2.extensions as ext

        if self.raw.closed:
            return False
        return self._open or self.raw.info.transaction_status != ext.TRANSACTION_STATUS_IDLE

    def cursor(self) -> Any:
        """A driver cursor; on a connection the server closed, Peewee's OperationalError (as the
        error that closed it), so the pipeline stops with one line rather than a traceback."""
        with _ErrorWrapper():
            return self.raw.cursor()

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        word = sql.strip().rstrip(";").upper()
        if self.queue is not None and word in ("COMMIT", "ROLLBACK"):
            return self._end(word)
        if self.queue is not None and (self._open or word == "BEGIN") and not isinstance(params, dict):
            self._open = True
            return self.queue.add(self._statement(sql, self.cursor()), params)
        self.flush()
        cur = self.cursor()
        with _ErrorWrapper():
            if isinstance(params, dict):  # :name parameters (store/search.py)
                cur.execute(re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", translate(sql)), params)
            else:
                cur.execute(self._statement(sql, cur), tuple(params))
        return cur

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any:
        from psycopg2.extras import execute_batch

        cur = self.cursor()
        rows = [tuple(r) for r in rows]
        if rows and self.queue is not None and self._open:
            many = rows_statement(translate(sql)) if len(rows) > 1 else None
            if many is not None:
                self.queue.add_rows(many, rows)
            else:
                self.queue.add_many(self._statement(sql, cur), rows)
        elif rows:
            self.flush()
            with _ErrorWrapper():
                execute_batch(cur, self._statement(sql, cur), rows, page_size=200)
        return cur

    def flush(self) -> None:
        """Send what is queued (store/pg/batch.py); the writer's reads of its own results do this."""
        if self.queue is not None and len(self.queue):
            self.queue.send()

    def _end(self, word: str) -> Any:
        """COMMIT: sent behind the queue, in the same round trip. ROLLBACK: the queue never ran."""
        self._open = False
        if word == "COMMIT":
            return self.queue.send("COMMIT")
        self.rollback()
        return self.cursor()

    def rollback(self) -> None:
        """End a failed transaction (psycopg2's rollback() does nothing in autocommit mode: the
        server's transaction must be ended by a ROLLBACK sent as SQL), and forget the statements
        prepared so far: whether a PREPARE inside it survived is not something to rely on."""
        if self.queue is not None:
            self.queue.discard()  # none of it was sent
        self._open = False
        if not self.in_transaction:  # a BEGIN still queued never reached the server (or it went away)
            self._prepared.clear()
            return
        cur = self.cursor()
        with _ErrorWrapper():
            cur.execute("ROLLBACK")
            if self._prepared:
                cur.execute("DEALLOCATE ALL")
        self._prepared.clear()

    def _statement(self, sql: str, cur: Any) -> str:
        """The SQL to send: `EXECUTE name(%s, ...)` for a prepared statement, else the translation."""
        if not self.prepare or not _PREPARABLE.match(sql):
            return translate(sql)
        if sql not in self._prepared:
            self._prepared[sql] = self._prepare(sql, cur)
        return self._prepared[sql] or translate(sql)

    def _prepare(self, sql: str, cur: Any) -> str | None:
        """PREPARE the statement (in a savepoint inside a transaction, so a statement PostgreSQL
        cannot prepare, say for a parameter whose type it cannot infer, is simply run unprepared)."""
        import psycopg2

        body, n = numbered(translate(sql))
        name = f"ontosync_{len(self._prepared)}"
        self.flush()  # what is queued goes first: a PREPARE may name a table a queued CREATE makes
        inside = self.in_transaction
        try:
            if inside:
                cur.execute("SAVEPOINT ontosync_prepare")
            cur.execute(f"PREPARE {name} AS {body}".replace("%", "%%"), ())
            if inside:
                cur.execute("RELEASE SAVEPOINT ontosync_prepare")
        except psycopg2.Error:
            if inside:
                cur.execute("ROLLBACK TO SAVEPOINT ontosync_prepare")
            return None
        return f"EXECUTE {name}" + (f"({', '.join(['%s'] * n)})" if n else "")


# deadlock_detected, serialization_failure, lock_not_available: the transaction was rolled back
# whole and may simply run again (the pipeline's lock retries take these like SQLite's "locked").
RETRYABLE_CODES = frozenset({"40P01", "40001", "55P03"})


def is_retryable(exc: BaseException) -> bool:
    """A PostgreSQL error (raw or wrapped by Peewee) that a retry of the same transaction cures."""
    for candidate in (exc, getattr(exc, "orig", None), exc.__cause__, exc.__context__):  # Peewee keeps `orig`
        if getattr(candidate, "pgcode", None) in RETRYABLE_CODES:
            return True
    return False
