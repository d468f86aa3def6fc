"""A source's schema on a PostgreSQL server: connect, lock, migrate.

One server, many sources: each source's rows live in its own schema (the connection's
`search_path`), with exactly SQLite's tables, keys and foreign keys. So one source's writer never
reads or locks another's rows (two syncs of different repositories cannot deadlock each other),
and deleting a source is `DROP SCHEMA ... CASCADE`. Readers query one source by its schema, or
all of them with `UNION ALL` over the schemas (the README shows how).

Two syncs of the same source are kept apart by a session advisory lock keyed by the schema name,
waited for up to --lock-timeout.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import peewee

from ontosync.db_url import SourceOwner, default_source_name, lossy, mask, schema_for, split_schema
from ontosync.store import migrations
from ontosync.store.db_errors import first_line
from ontosync.store.pg import rights
from ontosync.store.pg.dialect import PgConnection, is_retryable, wrap_errors
from ontosync.store.pg.session_lost import MIGRATION_KEPT, explain

LOCK_POLL_S = 0.2


class PgLockBusy(Exception):
    """Another sync of the same source holds its lock past --lock-timeout (exit 4)."""


class PgMissingRight(Exception):
    """The role lacks a right a sync needs (exit 2: a grant for the DBA, nothing wrong in the data)."""


class PgServerFull(PgLockBusy):
    """The server takes no more connections: max_connections, or a role's or database's CONNECTION
    LIMIT (SQLSTATE 53300). Busy, exit 4, as a held lock is: a matrix of syncs that fills the
    server is not a wrong URL (exit 2), and running again later succeeds."""


# The server refuses the connection before a session exists, so libpq gives no SQLSTATE, only the
# server's words (English under lc_messages C or en): PostgreSQL's messages for 53300 at start-up.
SERVER_FULL = ("too many clients", "too many connections", "connection slots are reserved")


@dataclass
class PgTarget:
    url: str  # as the user gave it (never printed: `shown` is)
    schema: str
    owner: SourceOwner | None = None  # who owns the schema derived from the source's name (store/pg/owner.py)

    @property
    def shown(self) -> str:
        return f"{mask(split_schema(self.url)[0])} schema {self.schema}"


def target(url: str, source: str, checkout: str | None = None, owner: SourceOwner | None = None) -> PgTarget:
    """The source's schema, and who owns it (store/pg/owner.py): `owner` (a sync's writer gives
    sources/folder_owner's), else the source's name, when the schema is derived from it (`checkout`:
    db_url.default_source_name); an explicit `?schema=` that sanitize makes lossy, itself; else none."""
    named = split_schema(url)[1]
    if named is None:
        name = default_source_name(source, checkout)
        owner = owner or SourceOwner(name, name)
    else:
        owner = SourceOwner(named, named) if lossy(named) else None
    return PgTarget(url, schema_for(url, source, checkout), owner)


# The writer's statements each touch the few keys one file's save affects, driven by small temp
# tables that have no statistics (the planner guesses ~900 rows, then sorts or hashes whole tables):
# like SQLite, it runs them as nested loops over indexes. Measured on the corpus: 4x faster.
WRITER_SETTINGS = "-c enable_hashjoin=off -c enable_mergejoin=off"
# lock_timeout: a row another session holds locked fails the statement after WRITER_LOCK_TRY_MS, or
# --busy-timeout when that is shorter (SQLSTATE 55P03), like SQLite's busy timeout; the pipeline
# retries the file's transaction with backoff, counted in the report, for --busy-timeout seconds,
# then exits 4. Why the cap: with a fixed 1 s, `--busy-timeout 0.3` waited 1 s and more.
WRITER_LOCK_TRY_MS = 1000
LOCK_TRY_FLOOR_MS = 100  # never 0, which is PostgreSQL's "wait for ever"; long enough for BlockerWatch
# The writer idles between files while its workers parse, so a DBA's idle_session_timeout for
# abandoned sessions ended it whenever a parse outlasted it, and the next run met the same file: exit
# 3 at every run. Off for the writer's session from its start (a first statement setting it came
# too late on a loaded machine); PostgreSQL 13 and older refuse the unknown startup option (name, option).
NEVER_IDLE_OUT = ("idle_session_timeout", "-c idle_session_timeout=0")


def lock_try_ms(budget_s: float, most_ms: int) -> int:
    """One try's lock wait in ms: `most_ms`, or the whole budget (`budget_s`) when that is shorter."""
    return max(LOCK_TRY_FLOOR_MS, min(most_ms, round(budget_s * 1000)))

# What every session needs whatever the role, the database or the URL's `options=` set (ours come
# last, and a startup option outranks ALTER ROLE/DATABASE ... SET): text goes over the wire as
# UTF-8 (under a role's LATIN1 or SQL_ASCII, psycopg2 failed to encode a non-Latin label, a
# UnicodeEncodeError traceback), and backslashes in literals are plain characters, as the
# migrations and the dialect write them.
SESSION_SETTINGS = "-c client_encoding=UTF8 -c standard_conforming_strings=on"


def connect(t: PgTarget, application: str = "ontosync", writer: bool = False, create: bool = True,
            busy_timeout: float = 30.0):
    """A connected Peewee PostgresqlDatabase whose search_path is the source's schema (created,
    unless `create` is false: a read command never adds a schema to the server); a `writer`'s
    statements wait for a row's lock as --busy-timeout (`busy_timeout`) allows."""
    dsn, _ = split_schema(t.url)
    lock = f"-c lock_timeout={lock_try_ms(busy_timeout, WRITER_LOCK_TRY_MS)}"
    ours = (f"-c search_path={_option_identifier(t.schema)}", f"{WRITER_SETTINGS} {lock}" if writer else "")
    db = server(dsn, application, *ours, NEVER_IDLE_OUT[1] if writer else "")
    try:
        open_session(db, t.shown)
    except peewee.OperationalError as exc:
        if not writer or NEVER_IDLE_OUT[0] not in str(exc):
            raise
        db = server(dsn, application, *ours)
        open_session(db, t.shown)  # PostgreSQL 13 or older: no idle_session_timeout to turn off
    conn = PgConnection(db, prepare=writer)
    if writer:
        _require_temporary(conn, t, db)
    if create:
        create_schema(conn, t.schema)
    why = rights.missing(conn, t.schema, rights.WRITE if writer else rights.READ)
    if why is not None:
        db.close()
        raise PgMissingRight(why)
    return db, conn


def _option_identifier(schema: str) -> str:
    """A schema as an identifier in a libpq `options` value: quoted (a name ontosync did not make,
    the only store found on a server, may hold capitals or spaces: a DBA's `ALTER SCHEMA ... RENAME
    TO "My Store"`), its spaces and backslashes escaped as libpq splits `options` at spaces.
    Unquoted, `My Store` failed to connect ("invalid command-line argument ...: Store")."""
    quoted = '"' + schema.replace('"', '""') + '"'
    return quoted.replace("\\", "\\\\").replace(" ", "\\ ")


# libpq waits for ever for a server that takes the connection and never answers (a port another
# program holds, a stalled tunnel or proxy): `ontosync status` hung there, a CI job until its own
# limit. A URL's connect_timeout, PGCONNECT_TIMEOUT or a service's own settings are left to libpq.
CONNECT_TIMEOUT_S = 30


def server(dsn: str, application: str, *ours: str):
    """An unconnected Peewee PostgresqlDatabase for `dsn`: our session's name, options (`ours` after
    the URL's: session_options) and, unless the user set one, CONNECT_TIMEOUT_S. Our name is libpq's
    fallback: a keyword outranks the URL, and the user's `?application_name=` (or PGAPPNAME, or a
    service's), what a DBA's pg_stat_activity, a pooler or the server's log tell sessions by, was
    `ontosync sync` whatever the user named it."""
    from peewee import PostgresqlDatabase

    own = {"connect_timeout", "service"} & parse_qs(urlsplit(dsn).query).keys()
    own |= {"PGCONNECT_TIMEOUT", "PGSERVICE"} & os.environ.keys()
    wait = {} if own else {"connect_timeout": CONNECT_TIMEOUT_S}
    return PostgresqlDatabase(dsn, fallback_application_name=application[:63], options=session_options(dsn, *ours),
                              **wait)


def session_options(dsn: str, *ours: str) -> str:
    """The `options` keyword for a session: the URL's own `options=` first (a keyword replaces the
    URL's value whole), then SESSION_SETTINGS and `ours`, which win where they meet."""
    own = parse_qs(urlsplit(dsn).query).get("options", [""])[-1]
    return " ".join(filter(None, (own, SESSION_SETTINGS, *ours)))


def open_session(db, shown: str) -> None:
    """db.connect(), a full server raised as PgServerFull (naming `shown`, the masked URL)."""
    try:
        with wrap_errors():
            db.connect()
    except peewee.OperationalError as exc:
        words = (str(exc).strip().splitlines() or [""])[0]
        if not any(w in words for w in SERVER_FULL):
            raise
        raise PgServerFull(f"{shown} takes no more connections ({mask(words)}); nothing was written, "
                           "run again once other sessions end") from None


def _require_temporary(conn: PgConnection, t: PgTarget, db) -> None:
    """The writer keeps each file's changes in temp tables (`pg_temp.`): without the TEMPORARY
    right it stopped at its first file with PostgreSQL's three lines (statement, caret), exit 3.
    Asked before the schema is created or anything written, so the run never starts."""
    name, role, ok = conn.execute("SELECT current_database(), current_user, "
                                  "has_database_privilege(current_database(), 'TEMPORARY')").fetchone()
    if not ok:
        db.close()
        raise PgMissingRight(f"cannot sync into {t.shown}: role {role} lacks the TEMPORARY right on database "
                             f"{name} (a sync keeps each file's changes in temp tables); nothing was written: "
                             f'GRANT TEMPORARY ON DATABASE "{name}" TO "{role}"')


def foreign_tables(conn: PgConnection, schema: str) -> list[str]:
    """Another program's tables in `schema` under the names ontosync's take (store/pg/foreign.py), for
    a schema that is not ontosync's (the read commands ask: open_reader)."""
    from ontosync.store.pg.foreign import in_the_way

    return in_the_way(conn, schema, migrations.available_migrations(migrations_dir()))


def create_schema(conn: PgConnection, schema: str) -> None:
    """CREATE SCHEMA IF NOT EXISTS, one session at a time: two sessions running it at once can both
    find the schema missing, and the second then fails on pg_namespace's unique index (seen when
    two syncs of one source start together). A transaction-level advisory lock on the schema's
    name (not the source's sync lock, which is taken later and held for the run) orders them.
    An existing schema is left alone: PostgreSQL checks the database's CREATE right before IF NOT
    EXISTS, so a role granted only its own schema could never sync."""
    key, params = lock_key_sql(f"create:{schema}")
    conn.execute("BEGIN")
    try:
        conn.execute(f"SELECT pg_advisory_xact_lock({key})", params)
        if conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = ?", (schema,)).fetchone() is None:
            conn.execute(f'CREATE SCHEMA "{schema}"')
            conn.created_schema = True  # a first sync that reads nothing drops it (PgRepository.drop_unsynced)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def lock_key_sql(schema: str) -> tuple[str, tuple]:
    return "hashtextextended(?, 0)", (f"ontosync:{schema}",)


def acquire_lock(conn: PgConnection, t: PgTarget, timeout: float, wait: str = "--lock-timeout") -> None:
    """Take the source's advisory lock (held by this session until it closes), waiting `timeout` s
    (`wait`: what the busy line calls it, the sync's option or `migrate`'s own wait)."""
    expr, args = lock_key_sql(t.schema)
    deadline = time.monotonic() + max(timeout, 0.0)
    while True:
        if conn.execute(f"SELECT pg_try_advisory_lock({expr})", args).fetchone()[0]:
            return
        if time.monotonic() >= deadline:
            raise PgLockBusy(f"another sync of {t.shown} holds its lock ({_holder(conn, t)}) past "
                             f"{wait} {timeout:g} s; nothing was written, run again once it ends")
        time.sleep(LOCK_POLL_S)


def _holder(conn: PgConnection, t: PgTarget) -> str:
    return describe_session(sync_holder(conn, t.schema))


def read_only(conn: PgConnection) -> str | None:
    """Why this session can write nothing (None: it may): a standby, or transaction_read_only on (a
    role's or database's default_transaction_read_only, which a provider sets on a full disk). Asked
    before a sync begins its run: it began, then stopped at its first INSERT after a summary of nothing."""
    standby, read_only_now = conn.execute("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')"
                                          ).fetchone()
    if standby:
        return "the server is a standby (in recovery), which takes no writes"
    if read_only_now == "on":
        return "the session is read-only (default_transaction_read_only is on for the role, the database or the URL)"
    return None


def sync_holder(conn: PgConnection, schema: str) -> tuple | None:
    """The session holding the lock of `schema`'s source (a sync: acquire_lock), None when none does."""
    expr, args = lock_key_sql(schema)
    return lock_holder(conn, f"{ADVISORY} = {expr}", args)


# Which locks lock_holder asks about. A lock's session, as a busy line names it, is one query with
# one order (the holder before a waiter, then the oldest transaction): it was three near-copies
# (each with its own joins, one of them not ruling out the asking session) that drifted apart.
ADVISORY = "l.locktype = 'advisory' AND l.granted AND ((l.classid::bigint << 32) | l.objid::bigint)"
ON_TABLES = ("l.relation IN (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
             "WHERE n.nspname = ?)")


def lock_holder(conn: PgConnection, which: str, params: tuple) -> tuple | None:
    """(pid, application_name, backend_start) of another session with a lock `which` selects (SQL on
    pg_locks `l`, `?` its parameters): one that holds it, else one queued for it, the oldest
    transaction first; None when there is none."""
    return conn.execute(
        f"""SELECT a.pid, a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a
            ON a.pid = l.pid WHERE {which} AND l.pid <> pg_backend_pid()
            ORDER BY l.granted DESC, a.xact_start NULLS LAST LIMIT 1""", params).fetchone()


def describe_session(row: tuple | None) -> str:
    """A session as a busy line names it: (pid, application_name, backend_start) from pg_stat_activity."""
    if row is None:
        return "a session that has just ended"
    pid, app, since = row
    return f"server process {pid}, {app or 'unnamed'}, connected since {since:%Y-%m-%d %H:%M:%S %Z}"


def _table_holder(conn: PgConnection, schema: str, watch: BlockerWatch | None) -> str:
    """The session in the way of a migration that could not get its locks: the one the server said
    blocked it (`watch`), else the oldest transaction holding a lock on one of the schema's tables."""
    if watch is not None and watch.seen is not None:
        return describe_session(watch.seen)
    return describe_session(lock_holder(conn, f"{ON_TABLES} AND l.granted", (schema,)))


def read_blocker(url: str, schema: str) -> str | None:
    """The session whose lock stopped a read of `schema`'s tables, for a busy line: one holding,
    else one queued for, an ACCESS EXCLUSIVE lock on one of them (the one mode a read waits for; a
    queued one makes later readers queue behind it). Asked on a session of its own (the stopped
    one may be in a failed transaction); None when none is found or the server cannot be asked.
    Why: "another session holds a table this command needs" named nobody, where CONTRACT section
    9 says a busy line names what holds the database."""
    dsn, _ = split_schema(url)
    db = server(dsn, "ontosync watch")
    try:
        with wrap_errors():
            db.connect()
        row = lock_holder(PgConnection(db), f"{ON_TABLES} AND l.mode = 'AccessExclusiveLock'", (schema,))
    except (peewee.DatabaseError, peewee.InterfaceError):
        return None
    finally:
        db.close()
    return None if row is None else describe_session(row)


class BlockerWatch:
    """Who keeps a session waiting for a lock: pg_blocking_pids(), asked from a second session every
    WATCH_POLL_S while the first waits (a waiting session cannot ask, and once its lock_timeout
    fires nobody blocks it any more). Why: the busy line named the oldest transaction holding any
    lock in the schema, which may be a reader of another table, or one queued behind the migration:
    the DBA ended that session and the migration stayed stuck. Best effort: a server that takes no
    second session leaves `seen` None (the caller falls back to the catalog's guess)."""

    def __init__(self, conn: PgConnection) -> None:
        import threading

        self.seen: tuple | None = None  # (pid, application_name, backend_start) of a blocker
        self._stop = threading.Event()
        params = {**conn.db.connect_params, "application_name": "ontosync watch"}
        self._thread = threading.Thread(target=self._poll, args=(conn.db.database, params, conn.raw.info.backend_pid),
                                        daemon=True)
        self._thread.start()

    def _poll(self, dsn: str, params: dict, pid: int) -> None:
        import psycopg2

        with contextlib.suppress(psycopg2.Error):  # no second session, or the server went: no name
            watcher = psycopg2.connect(dsn, **params)
            try:
                watcher.autocommit = True
                cur = watcher.cursor()
                while not self._stop.wait(WATCH_POLL_S):
                    cur.execute("""SELECT pid, application_name, backend_start FROM pg_stat_activity
                                   WHERE pid = ANY(pg_blocking_pids(%s)) ORDER BY xact_start NULLS LAST LIMIT 1""",
                                (pid,))
                    self.seen = cur.fetchone() or self.seen
            finally:
                watcher.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(WATCH_JOIN_S)  # a server that stopped answering keeps no run waiting


WATCH_JOIN_S = 5.0
WATCH_POLL_S = 0.05


def migrations_dir() -> Path:
    return migrations.migrations_dir() / "postgresql"


def applied_versions(conn: PgConnection, schema: str) -> dict[int, str]:
    exists = conn.execute("SELECT 1 FROM information_schema.tables WHERE table_schema = ? "
                          "AND table_name = 'schema_migrations'", (schema,)).fetchone()
    if not exists:
        return {}
    return dict(conn.execute("SELECT version, checksum FROM schema_migrations").fetchall())


# A migration's statements (DROP INDEX, ALTER TABLE) need the table to themselves, so a reader's
# open transaction on it holds them up; while one waits, every new reader of the table queues behind
# it. So each try waits at most MIGRATION_LOCK_TRY_MS (or the whole budget, when shorter) for its
# locks (rolled back, the readers go on), and the tries repeat for the caller's budget: then busy,
# exit 4, naming the session in the way.
MIGRATION_LOCK_TRY_MS = 1000
MIGRATION_RETRY_PAUSE_S = 0.2


def migrate(conn: PgConnection, schema: str, wait: float = 30.0, wait_name: str = "--busy-timeout") -> list[str]:
    """Apply the pending PostgreSQL migrations, each in one transaction; refuse a changed or a
    newer schema (MigrationError, exit 3). A migration whose locks other sessions hold past `wait`
    seconds (`wait_name`: the option or wait that sets it, for the busy line) is PgLockBusy (exit 4).
    Why: it failed after the writer's 1 s lock_timeout with the driver's words (exit 3, as if the
    migration were broken), and `ontosync migrate`, whose session has no lock_timeout, waited for
    ever behind a reader's open transaction while every new reader of the table queued behind it."""
    from ontosync.store.pg.foreign import refuse_foreign

    available = migrations.available_migrations(migrations_dir())
    refuse_foreign(conn, schema, available)
    applied = check_migrations(conn, schema, available)
    if any(mig.version not in applied for mig in available):
        rights.require_create(conn, schema)
    done = []
    for mig in available:
        if mig.version not in applied:
            _apply_waiting(conn, schema, mig, time.monotonic() + max(wait, 0.0),
                           f"past {wait_name} {wait:g} s", lock_try_ms(wait, MIGRATION_LOCK_TRY_MS))
            done.append(mig.name)
    return done


def _apply_waiting(conn: PgConnection, schema: str, mig, deadline: float, past: str, try_ms: int) -> None:
    """One migration in one transaction, tried again while other sessions' locks stop it, until
    `deadline`. From the second try on, a BlockerWatch names the session in the way; the first
    runs unwatched, so a migration nobody holds up costs no second session."""
    watch = None
    try:
        while True:
            try:
                return _apply_once(conn, mig, try_ms)
            except peewee.DatabaseError as exc:
                if not is_retryable(exc):
                    raise
                if watch is not None and time.monotonic() >= deadline:
                    raise PgLockBusy(f"migration postgresql/{mig.path.name} of schema {schema} waits for its "
                                     f"tables, which {_table_holder(conn, schema, watch)} holds, {past}; nothing "
                                     "of it was applied, run again once that session's transaction ends") from None
                watch = watch or BlockerWatch(conn)
                time.sleep(MIGRATION_RETRY_PAUSE_S)
    finally:
        if watch is not None:
            watch.close()


def _apply_once(conn: PgConnection, mig, try_ms: int) -> None:
    conn.execute("BEGIN")
    try:
        conn.execute(f"SET LOCAL lock_timeout = {try_ms}")
        migrations.apply_migration(conn, mig)
        conn.execute("COMMIT")
    except BaseException as exc:
        with contextlib.suppress(peewee.DatabaseError, peewee.InterfaceError):  # a session the server ended
            conn.execute("ROLLBACK")
        if isinstance(exc, peewee.DatabaseError) and not is_retryable(exc):  # name the file, as on SQLite
            first = first_line(exc)
            # a statement_timeout or an ended session: the hint a save's line gives too
            why = explain(exc, MIGRATION_KEPT) or first
            raise migrations.MigrationError(f"migration postgresql/{mig.path.name} failed and was rolled "
                                            f"back: {why}") from exc
        raise


def check_migrations(conn: PgConnection, schema: str, available: list) -> dict[int, str]:
    """The applied versions, after refusing a schema that is newer or whose migrations changed."""
    applied = applied_versions(conn, schema)
    newest = max(m.version for m in available)
    if applied and max(applied) > newest:
        raise migrations.MigrationError(
            f"schema {schema} is at migration {max(applied)}, newer than this ontosync knows "
            f"(postgresql/{newest:03d}); upgrade ontosync to use it")
    for mig in available:
        if mig.version in applied and applied[mig.version] != mig.checksum:
            raise migrations.MigrationError(
                f"migration postgresql/{mig.path.name} changed after it was applied to schema {schema}; refusing")
    return applied


def behind(conn: PgConnection, schema: str) -> str | None:
    """Why a reader cannot use a store whose migrations are older than this release's (None when
    it can): synced by an older ontosync, or a first sync still migrating the new schema."""
    applied = applied_versions(conn, schema)
    newest = max(m.version for m in migrations.available_migrations(migrations_dir()))
    if not applied or max(applied) >= newest:
        return None
    return (f"schema {schema} is at migration {max(applied)} and this ontosync reads postgresql/{newest:03d} "
            "(an older ontosync synced it, or its first sync is still running): run `ontosync migrate` or "
            "`ontosync sync` on it with this version first")


def creating_sync(url: str) -> tuple[str, str] | None:
    """(schema, session) of a sync holding the lock of a schema of the server's database (a first sync
    whose migration is not committed, when list_schemas finds no store), None when none does. Why:
    `status` with no `?schema=` said "ontosync schemas on this server: none" of the sync running."""
    with _server_session(url) as conn:
        row = conn.execute(
            f"""SELECT n.nspname, a.pid, a.application_name, a.backend_start FROM pg_namespace n
                JOIN pg_locks l ON {ADVISORY} = hashtextextended('ontosync:' || n.nspname, 0)
                JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.pid <> pg_backend_pid() AND l.database = (SELECT oid FROM pg_database
                WHERE datname = current_database()) ORDER BY n.nspname LIMIT 1""").fetchone()
    return None if row is None else (row[0], describe_session(row[1:]))


@contextlib.contextmanager
def _server_session(url: str):
    """A PgConnection on the server's database (no schema: a question about them all), closed after."""
    dsn, _ = split_schema(url)
    db = server(dsn, "ontosync list")
    open_session(db, mask(dsn))
    try:
        yield PgConnection(db)
    finally:
        db.close()


def list_schemas(url: str) -> list[str]:
    """The schemas on the server that hold an ontosync store (a schema_migrations and a source_files):
    the one the role may read when it may read only one (a reader role granted its source), else
    all of them, also those it may not read (the reader then names the rights it lacks:
    store/pg/rights.py)."""
    with _server_session(url) as conn:
        every = rights.store_schemas(conn)
        readable = rights.store_schemas(conn, readable=True)
    return readable if len(readable) == 1 else every


def problems(conn: PgConnection, schema: str) -> list[str]:
    """`verify` on PostgreSQL: the schema's migrations are this release's (unchanged, not newer),
    every constraint is validated, and no foreign key has an orphan (a check that also holds for
    constraints added NOT VALID or disabled triggers)."""
    found = []
    try:
        check_migrations(conn, schema, migrations.available_migrations(migrations_dir()))
    except migrations.MigrationError as exc:
        found.append(str(exc))
    applied = applied_versions(conn, schema)
    if not applied:
        return [*found, f"schema {schema} holds no ontosync store"]
    if set(applied) == {m.version for m in migrations.available_migrations(migrations_dir())}:
        from ontosync.store.pg.shape import missing

        found += missing(conn, schema)  # a key, foreign key or the change log's trigger gone
    for name, table in conn.execute(
            """SELECT c.conname, c.conrelid::regclass::text FROM pg_constraint c JOIN pg_namespace n
               ON n.oid = c.connamespace WHERE n.nspname = ? AND NOT c.convalidated ORDER BY 1""", (schema,)):
        found.append(f"constraint {name} on {table} is not validated")
    for table, cols, ref, ref_cols in _foreign_keys(conn, schema):
        join = " AND ".join(f"r.{rc} = t.{c}" for c, rc in zip(cols, ref_cols, strict=True))
        n = conn.execute(f"SELECT count(*) FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM {ref} r WHERE {join})"
                         ).fetchone()[0]
        if n:
            found.append(f"foreign key: {n} rows of {table} ({', '.join(cols)}) point to no {ref} row")
    return found


def _foreign_keys(conn: PgConnection, schema: str) -> list[tuple[str, list[str], str, list[str]]]:
    rows = conn.execute(
        """SELECT c.conrelid::regclass::text, c.confrelid::regclass::text,
                  ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
                  ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                        JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)
           FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
           WHERE n.nspname = ? AND c.contype = 'f' ORDER BY 1, 2""", (schema,)).fetchall()
    return [(t, list(cols), ref, list(ref_cols)) for t, ref, cols, ref_cols in rows]
