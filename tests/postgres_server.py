"""The PostgreSQL server the tests use: `ONTOSYNC_TEST_POSTGRES_URL` (.ci/postgres.sh up prints it).

Without it the PostgreSQL tests skip, unless `ONTOSYNC_REQUIRE_POSTGRES=1` (CI), where they fail.
Each test gets its own schema (`?schema=t_<random>`), dropped afterwards, so tests never see each
other's rows and may run in parallel against one server.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import VOLATILE

ENV = "ONTOSYNC_TEST_POSTGRES_URL"


def server_url() -> str:
    url = os.environ.get(ENV)
    if not url:
        if os.environ.get("ONTOSYNC_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{ENV} is not set but ONTOSYNC_REQUIRE_POSTGRES=1 (run .ci/postgres.sh up)")
        pytest.skip(f"no PostgreSQL server: set {ENV} (bash .ci/postgres.sh up prints one)")
    return url


def connect(url: str | None = None):
    """A plain psycopg2 connection to the server (autocommit), for the tests' own reads."""
    import psycopg2

    from ontosync.db_url import split_schema

    conn = psycopg2.connect(split_schema(url or server_url())[0])
    conn.autocommit = True
    return conn


def schema_url(schema: str) -> str:
    base = server_url()
    return f"{base}{'&' if '?' in base else '?'}schema={schema}"


def new_schema() -> str:
    return f"t_{secrets.token_hex(6)}"


def own_schema():
    """A new schema for one test, dropped after it: a fixture's body (`yield from own_schema()`)."""
    server_url()
    name = new_schema()
    yield name
    drop_schema(name)


def run_sql(sql: str) -> None:
    """One statement on the server's database, in its own connection (autocommit)."""
    conn = connect()
    try:
        conn.cursor().execute(sql)
    finally:
        conn.close()


def drop_schema(schema: str) -> None:
    run_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def pg_dump(schema: str, tables, url: str | None = None) -> dict[str, list[tuple]]:
    """The tables of `schema` as tests/helpers.dump_db gives a SQLite database's (VOLATILE left out);
    on the server's database, or on the one `url` names."""
    conn = connect(url)
    try:
        cur = conn.cursor()
        out = {}
        for table in tables:
            cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
                        "AND table_name = %s ORDER BY ordinal_position", (schema, table))
            cols = [r[0] for r in cur.fetchall() if r[0] not in VOLATILE]
            cur.execute(f'SELECT {", ".join(cols)} FROM "{schema}".{table}')
            out[table] = sorted(cur.fetchall(), key=repr)
        return out
    finally:
        conn.close()


def sqlite_dump(db: Path | str, tables) -> dict[str, list[tuple]]:
    from tests.helpers import dump_db

    conn = sqlite3.connect(db)
    try:
        return dump_db(conn, tables)
    finally:
        conn.close()


class Backend:
    """One database for a test: a SQLite file or a fresh schema on the server; `db` is what `--db` takes."""

    def __init__(self, kind: str, tmp_path: Path):
        self.kind = kind
        if kind == "sqlite":
            self.db = str(tmp_path / "backend.db")
            self.schema = None
        else:
            self.schema = new_schema()
            self.db = schema_url(self.schema)

    def dump(self, tables=None) -> dict[str, list[tuple]]:
        from tests.helpers import CONTENT_TABLES

        tables = tables or CONTENT_TABLES
        return sqlite_dump(self.db, tables) if self.schema is None else pg_dump(self.schema, tables)

    def close(self) -> None:
        if self.schema is not None:
            drop_schema(self.schema)

    def count(self, table: str) -> int:
        """Rows in `table` now (0 while the database or the table does not exist yet)."""
        if self.schema is None:
            try:
                conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)
                try:
                    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                finally:
                    conn.close()
            except sqlite3.Error:
                return 0
        import psycopg2

        conn = connect()
        try:
            cur = conn.cursor()
            cur.execute(f'SELECT count(*) FROM "{self.schema}".{table}')
            return cur.fetchone()[0]
        except psycopg2.Error:
            return 0
        finally:
            conn.close()


def database_url(name: str, schema: str) -> str:
    """The server's URL naming another database `name` (and the source's `schema` in it)."""
    from urllib.parse import urlsplit, urlunsplit

    dsn = connect_dsn()
    parts = urlsplit(dsn)
    query = f"{parts.query}&schema={schema}" if parts.query else f"schema={schema}"
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", query, ""))


def connect_dsn() -> str:
    from ontosync.db_url import split_schema

    return split_schema(server_url())[0]


def create_database(name: str, template: str | None = None) -> None:
    """CREATE DATABASE (a file copy of `template` when given: the corpus synced once, tests/conftest.py)."""
    _past_autovacuum(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def drop_database(name: str) -> None:
    _past_autovacuum(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _past_autovacuum(sql: str, tries: int = 60) -> None:
    """`sql`, retried while the server's autovacuum works in the database: a freshly synced or
    changed database draws it, CREATE DATABASE ... TEMPLATE then finds the template "being accessed
    by other users" (after waiting 5 s for it), and a non-superuser's DROP ... WITH (FORCE) may not
    end it ("must be a member of the role whose process is being terminated")."""
    import time

    import psycopg2

    for attempt in range(tries):
        try:
            return run_sql(sql)
        except (psycopg2.errors.ObjectInUse, psycopg2.errors.InsufficientPrivilege):
            if attempt == tries - 1:
                raise
            time.sleep(0.5)


@contextmanager
def own_database(encoding: str = "UTF8", locale: str = "LC_COLLATE 'C' LC_CTYPE 'C'"):
    """(name, URL) of a database of its own (the tests' role may CREATEDB), dropped afterwards:
    changing rights, encoding or default collation (`locale`: CREATE DATABASE's words for it) on
    the shared database would break the tests running beside, and its list of schemas is the
    test's alone."""
    from urllib.parse import urlsplit, urlunsplit

    name = f"t_db_{secrets.token_hex(4)}"
    conn = connect()
    try:
        conn.cursor().execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING '{encoding}' {locale}")
        parts = urlsplit(connect_dsn())
        yield name, urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        conn.close()
        drop_database(name)  # past the server's autovacuum, which a just-synced database draws


@contextmanager
def full_database_url():
    """A URL of a database on the server that takes no connection (CONNECTION LIMIT 0): the
    server's answer when every slot is taken (SQLSTATE 53300), without opening 100 sessions."""
    from ontosync.db_url import split_schema

    name = new_schema()
    conn = connect()
    try:
        conn.cursor().execute(f"CREATE DATABASE {name} CONNECTION LIMIT 0")
        dsn = split_schema(server_url())[0]
        head, _, query = dsn.partition("?")
        yield f"{head.rsplit('/', 1)[0]}/{name}{'?' + query if query else ''}"
    finally:
        conn.cursor().execute(f"DROP DATABASE IF EXISTS {name}")
        conn.close()


def pg_row(url: str, sql: str, *args) -> tuple:
    """The first row of a query (SQLite's `?` placeholders) on the source's schema that `url` names."""
    import psycopg2

    from ontosync.db_url import split_schema

    dsn, schema = split_schema(url)
    conn = psycopg2.connect(dsn, options=f"-c search_path={schema}")
    try:
        cur = conn.cursor()
        cur.execute(sql.replace("?", "%s"), args)
        return cur.fetchone()
    finally:
        conn.close()


@contextmanager
def reader_role():
    """(name, URL) of a new login role with no right on any store (a reader the DBA is to grant),
    dropped afterwards. The tests' role needs CREATEROLE (.ci/postgres.sh gives it): without it the
    test skips, or fails under ONTOSYNC_REQUIRE_POSTGRES=1 (CI)."""
    from urllib.parse import quote, urlsplit, urlunsplit

    import psycopg2

    name, password = f"t_reader_{secrets.token_hex(4)}", secrets.token_hex(12)
    conn = connect()
    try:
        try:
            conn.cursor().execute(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
            conn.cursor().execute(f"GRANT {name} TO CURRENT_USER")  # to end its sessions, drop what it owns
        except psycopg2.errors.InsufficientPrivilege as exc:
            reason = (f"the tests' role may not create a second role ({exc.pgerror.strip()}): "
                      ".ci/postgres.sh up gives it CREATEROLE")
            if os.environ.get("ONTOSYNC_REQUIRE_POSTGRES") == "1":
                pytest.fail(reason)
            pytest.skip(reason)
        parts = urlsplit(connect_dsn())
        netloc = f"{name}:{quote(password)}@{parts.hostname}:{parts.port}"
        yield name, urlunsplit(parts._replace(netloc=netloc, query=""))
    finally:
        _drop_role(conn, name)
        conn.close()


def _drop_role(conn, name: str) -> None:
    """The role and its grants gone (DROP OWNED revokes them in this database), its sessions first."""
    import psycopg2

    cur = conn.cursor()
    cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (name,))
    try:
        cur.execute(f"DROP OWNED BY {name}")
        cur.execute(f"DROP ROLE {name}")
    except psycopg2.errors.UndefinedObject:
        pass  # never made (the skip above)
