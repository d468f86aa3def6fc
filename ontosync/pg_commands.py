"""The commands on a PostgreSQL database (`--db postgresql://...`): what differs from SQLite's path.

cli.py hands over here when `--db` is a PostgreSQL URL; everything after the database is open (the
pipeline, the report, the exit codes) is the same code as for SQLite. The URL is never printed
with its password (`PgTarget.shown`, and console.say masks any line).
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from ontosync.console import Stopped, say, verdict
from ontosync.db_url import mask, sanitize, split_schema
from ontosync.store.lock import MIGRATE_WAIT, MIGRATE_WAIT_S
from ontosync.store.pg.foreign import ForeignSchema

MIGRATE_LOCK_TIMEOUT_S = MIGRATE_WAIT_S  # as SQLite's `migrate` waits for a sync's lock


class PgUnavailable(Stopped):
    """The server cannot be reached or refuses us (exit 2: a configuration problem)."""

    word, code = "error", 2


class PgFull(PgUnavailable):
    """The server takes no more connections (store/pg/database.PgServerFull): busy, exit 4."""

    word, code = "busy", 4


class PgBeingCreated(PgUnavailable):
    """A schema with no store yet whose source's lock a sync holds: its first sync's migration is not
    committed (busy, exit 4, as SQLite's `status` says of a file a first sync is creating)."""

    word, code = "busy", 4


def _driver_errors() -> tuple[type[BaseException], ...]:
    import peewee

    try:
        import psycopg2
    except ImportError:
        return (peewee.DatabaseError,)
    return (peewee.DatabaseError, psycopg2.Error)


def _need_driver() -> None:
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        raise PgUnavailable("a postgresql:// database needs the psycopg2 driver, not installed here: pip install "
                            "'ontosync[postgres]' (README: PostgreSQL)") from None


def sync(settings: Any, source: Any, options: Any) -> Any:
    """Run a sync into the source's schema: an exit code, or the pipeline's SyncResult. Three
    steps on one session, each turning its own failures into a line and an exit code: open it
    (connect, take the source's lock), migrate the schema, run the pipeline. The session is open
    from the first step's success to the one `finally` that closes it, whatever happens after.
    SIGTERM and SIGHUP stop it as Ctrl-C does from the start, also while it waits for the source's
    lock or for a migration's tables: they ended the process there on the spot, no line, exit 143."""
    from ontosync.pipeline.interrupts import finishing, terminate_as_interrupt

    with terminate_as_interrupt():
        repo = _open_writer(settings)
        if isinstance(repo, int):
            return repo
        new = [] if os.path.lexists(settings.checkpoint_path) else [settings.checkpoint_path]  # under the lock
        try:
            code = _migrated(repo, settings)
            return code if code is not None else _run(settings, source, options, repo, new)
        finally:  # bounded (the blocker watch's join times out), and the run is over: a signal now asks for
            with finishing():  # nothing (it was exit 130, no report), as SQLite's close in cli.py
                repo.close()


def _open_writer(settings: Any) -> Any:
    """The source's PgRepository, connected and locked (not yet migrated); else the exit code, its
    line said, and no session left open (PgRepository closes its own when the lock fails)."""
    from ontosync.sources.folder_owner import folder_owner
    from ontosync.store.pg.database import PgLockBusy, PgMissingRight, read_only, target
    from ontosync.store.pg.repository import PgRepository

    t = target(settings.db, settings.source, settings.checkout, folder_owner(settings.source, settings.checkout))
    try:
        _need_driver()
        repo = PgRepository(t, settings.ontology_id, settings.lock_timeout, settings.busy_timeout)
        if (why := read_only(repo.conn)) is None:
            return repo
        repo.close()
        say(f"fatal: read-only database {t.shown}: {why}; nothing was written")
        return 3
    except (PgLockBusy, PgMissingRight, *_driver_errors()) as exc:  # PgUnavailable: said by cli.py's main
        if _read_only(exc):  # the contract's read-only failure (section 9), as a read-only SQLite file
            return _stopped(exc, {}, ("fatal", 3, f"read-only database {t.shown}: "))
        return _stopped(exc, {PgLockBusy: ("busy", 4), PgMissingRight: ("error", 2)},
                        ("error", 2, f"cannot use {t.shown}: "))
    except KeyboardInterrupt:
        return _interrupted(f"{t.shown}'s lock")


def _migrated(repo: Any, settings: Any) -> int | None:
    """The writer's schema migrated (None), or the exit code, its line said (the caller closes the
    session either way)."""
    from ontosync.store.pg.database import PgLockBusy
    from ontosync.store.repository import StoreError

    try:
        repo.ensure_schema(settings.busy_timeout)
        return None
    except (ForeignSchema, StoreError, PgLockBusy) as exc:
        return _stopped(exc, {ForeignSchema: ("error", 2), StoreError: ("fatal", 3), PgLockBusy: ("busy", 4)})
    except _driver_errors() as exc:  # its first reads (the applied migrations) stopped by a table's lock
        return _busy_read(exc, settings, repo)
    except KeyboardInterrupt:
        return _interrupted(f"the migrations of {repo.target.shown}")


def _interrupted(waited_for: str) -> int:
    """Exit 130 (README: exit codes), as an interrupted run's, for a sync stopped before it began."""
    say(f"interrupted while waiting for {waited_for}; nothing was written, run the same command again")
    return 130


def _run(settings: Any, source: Any, options: Any, repo: Any, new: list[str]) -> Any:
    """The pipeline's SyncResult, or the exit code, its line said. `new`: the checkpoint, when no
    file held its name before this run (removed with the schema a first sync made, as SQLite's
    sync_paths.remove_unsynced removes it with the database: it was left behind)."""
    from ontosync.pipeline.interrupts import NotBegun
    from ontosync.pipeline.sync import SyncRun
    from ontosync.sources import SourceError
    from ontosync.store.pg.database import PgLockBusy
    from ontosync.store.repository import StoreError

    try:
        return SyncRun(settings, source, repo, options).run()
    except (SourceError, NotBegun) as exc:  # (interrupted before its first file: its empty schema stayed)
        with contextlib.suppress(*_driver_errors()):  # the source's line matters more than the drop's
            if repo.drop_unsynced():  # a first sync that read nothing leaves nothing
                for name in new:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(name)
        if isinstance(exc, NotBegun):
            raise  # said by cli.py's main
        return _stopped(exc, {SourceError: ("error", 2)})
    except (StoreError, PgLockBusy) as exc:
        return _stopped(exc, {StoreError: ("fatal", 3), PgLockBusy: ("busy", 4)})
    except _driver_errors() as exc:  # a read of the run's plan that a table's lock stopped
        return _busy_read(exc, settings, repo)


def _busy_read(exc: BaseException, settings: Any, repo: Any) -> int:
    """Busy, exit 4, naming the session whose table lock stopped a sync's read (re-raised when
    something else stopped it: cli.py's main says that)."""
    from ontosync.store.health import lock_wait
    from ontosync.store.pg.database import read_blocker
    from ontosync.store.pg.dialect import is_retryable

    if not is_retryable(exc):
        raise exc
    say(f"busy: {repo.target.shown}: {lock_wait(exc, who=read_blocker(settings.db, repo.target.schema))}")
    return 4


def open_reader(url: str, create: bool = False):
    """(a connected Peewee database on the source's schema, its schema name) for the read commands.

    The schema is the URL's `?schema=` made an identifier as a sync makes it (db_url.sanitize), else
    the only ontosync schema on the server; with several, the user must say which (a usage error
    listing them). A schema that holds no store is a usage error too, and is not created (only
    `migrate` passes `create`), and so is one holding another program's tables under ontosync's
    names (a sync refuses it: store/pg/foreign.py)."""
    from ontosync.store.pg.database import (
        PgMissingRight,
        PgServerFull,
        PgTarget,
        connect,
        describe_session,
        foreign_tables,
        sync_holder,
    )
    from ontosync.store.pg.foreign import is_ours

    _need_driver()
    dsn = split_schema(url)[0]
    try:
        schema = _schema_of(url)
        db, conn = connect(PgTarget(url, schema), "ontosync read", create=create)
        if create or is_ours(conn, schema):  # one question for a store's own schema
            return db, conn, schema
        found = foreign_tables(conn, schema)
        making = None if found else sync_holder(conn, schema)
    except PgServerFull as exc:
        raise PgFull(str(exc)) from None
    except PgMissingRight as exc:  # a store the role may not read: the GRANTs, not "no store" (store/pg/rights.py)
        raise PgUnavailable(str(exc)) from None
    except _driver_errors() as exc:
        raise PgUnavailable(f"cannot use {mask(dsn)}: {_first_line(exc)}") from None
    db.close()
    if found:
        raise PgUnavailable(f"schema {schema} on {mask(dsn)} is not an ontosync store but holds {', '.join(found)} "
                            "(another program's?); nothing was read or written. Check ?schema= in the URL")
    if making is not None:
        raise _creating(schema, dsn, describe_session(making))
    raise PgUnavailable(f"schema {schema} on {mask(dsn)} holds no ontosync store (run `ontosync sync` into it "
                        "first, or check ?schema= in the URL)")


def _only_schema(url: str) -> str:
    from ontosync.store.pg.database import list_schemas

    try:
        found = list_schemas(url)
    except _driver_errors() as exc:
        raise PgUnavailable(f"cannot use {mask(split_schema(url)[0])}: {_first_line(exc)}") from None
    if len(found) == 1:
        return found[0]
    if not found:
        _being_created(url)
    which = ", ".join(found) if found else "none"
    raise PgUnavailable(f"name the source's schema with ?schema=NAME in the URL (ontosync schemas on this server: "
                        f"{which})")


def _being_created(url: str) -> None:
    """PgBeingCreated when a first sync is creating a store on a server that holds none yet (busy,
    as with ?schema=: open_reader), else nothing."""
    from ontosync.store.pg.database import creating_sync

    try:
        making = creating_sync(url)
    except _driver_errors():  # its question unanswered: the server's list stands
        return
    if making is not None:
        raise _creating(making[0], split_schema(url)[0], making[1])


def _creating(schema: str, dsn: str, session: str) -> PgBeingCreated:
    return PgBeingCreated(f"schema {schema} on {mask(dsn)} is being created by a sync ({session}), "
                          "its tables not committed yet; run the command again in a moment")


# read_only_sql_transaction: a read-only session or server (a hot standby). A role without the
# right to create the schema stays "cannot use" (exit 2), as a new SQLite file in a folder that
# cannot be written does: there is no database yet.
READ_ONLY_STATES = ("25006",)


def _read_only(exc: BaseException) -> bool:
    """Whether the server refused to write because it is read-only. The SQLSTATE is on the
    driver's error, which the Peewee error we raise keeps as `orig` (store/pg/dialect.py)."""
    return any(getattr(e, "pgcode", None) in READ_ONLY_STATES for e in (exc, getattr(exc, "orig", None)))


def _stopped(exc: BaseException, kinds: dict, other: tuple[str, int, str] = ("error", 2, "")) -> int:
    """The one line and exit code for an error that stops a command: `kinds` maps an exception
    class to (word, code); anything else (a driver error) is `other`, its message's first line."""
    for cls, (word, code) in kinds.items():
        if isinstance(exc, cls):
            say(f"{word}: {exc}")
            return code
    word, code, prefix = other
    say(f"{word}: {prefix}{_first_line(exc)}")
    return code


# what a command that stopped before writing (a read command, a sync still connecting) leaves
NOTHING_CHANGED = "nothing was changed; run it again"


def _first_line(exc: BaseException) -> str:
    """The error's first line, or, when the server stopped the statement (a role's statement_timeout,
    a restart), what it did and what to do (store/pg/session_lost.py): a reader waiting on a
    migration's lock past its statement_timeout said "canceling statement due to statement timeout"
    and nothing more, `status` even that the store "is not an ontosync database"."""
    from ontosync.store.db_errors import first_line
    from ontosync.store.pg.session_lost import explain

    return mask(explain(exc, NOTHING_CHANGED) or first_line(exc))


def read_stopped(exc: BaseException, what: str = "", store: tuple[str, str | None] | None = None) -> int:
    """Say why the server stopped a read command's query, and return its exit code: 4 when another
    session's lock did (a role's lock_timeout while a migration or a DBA's LOCK TABLE holds a table;
    busy as a held sync lock is: run again), naming that session when `store` (URL, schema or None:
    the URL's) says where to look, else 3. `what`: the store, for `status`'s line, whose read
    status.NotAnOntosyncDatabase wraps (it said "is not an ontosync database" of a store
    open_reader had found)."""
    from ontosync.store.health import lock_wait
    from ontosync.store.pg.dialect import is_retryable

    cause = exc.__cause__ or exc if what else exc
    who = _blocker(*store) if store is not None and is_retryable(cause) else None
    if held := lock_wait(cause, "reads", f"; {NOTHING_CHANGED} once it ends", who):
        say(f"busy: {what}{held}")
        return 4
    say(f"fatal: {what}{_first_line(cause)}")
    return 3


def _blocker(url: str, schema: str | None) -> str | None:
    """store/pg/database.read_blocker on the URL's schema (or the server's only store)."""
    from ontosync.store.pg.database import read_blocker

    try:
        return read_blocker(url, schema or _schema_of(url))
    except (PgUnavailable, *_driver_errors()):  # several stores and no ?schema=, or no second session
        return None


def _schema_of(url: str) -> str:
    named = split_schema(url)[1]
    return _only_schema(url) if named is None else sanitize(named)


def read_failed(url: str, exc: BaseException) -> int:
    """`status`'s read_stopped."""
    return read_stopped(exc, f"cannot read {mask(split_schema(url)[0])}: ", (url, None))


def open_for_status(url: str):
    """(Peewee database, how to show it, the default checkpoint path, the owner a sync of it records
    in a checkpoint: pipeline/checkpoint.schema_owner) for `ontosync status`."""
    from ontosync.pipeline.checkpoint import schema_owner

    db, _conn, schema = open_reader(url)
    shown = f"{mask(split_schema(url)[0])} schema {schema}"
    return db, shown, f"ontosync-{schema}.checkpoint.json", schema_owner(url, schema)


def run_command(args: Any) -> int:
    """`migrate`, `verify`, `diff` and `search` on a PostgreSQL database (a server it cannot use:
    PgUnavailable, which cli.py's main says)."""
    db, conn, schema = open_reader(args.db, create=args.command == "migrate")
    try:
        return {"migrate": _migrate, "verify": _verify, "search": _search, "diff": _diff}[args.command](
            args, conn, schema)
    except _driver_errors() as exc:  # the store named: a query the server refused said only why
        return read_stopped(exc, f"cannot read {_shown(args, schema)}: ", (args.db, schema))
    finally:
        db.close()


def _shown(args: Any, schema: str) -> str:
    return f"{mask(split_schema(args.db)[0])} schema {schema}"


def _migrate(args: Any, conn: Any, schema: str) -> int:
    from ontosync.store.migrations import MigrationError
    from ontosync.store.pg.database import PgLockBusy, PgTarget, acquire_lock, migrate

    if getattr(args, "dry_run", False):
        say("error: --dry-run is not available on PostgreSQL (a migration there is one transaction)")
        return 2
    try:
        acquire_lock(conn, PgTarget(args.db, schema), MIGRATE_LOCK_TIMEOUT_S, MIGRATE_WAIT + " of")
        done = migrate(conn, schema, MIGRATE_LOCK_TIMEOUT_S, MIGRATE_WAIT + " of")
    except PgLockBusy as exc:
        say(f"busy: {exc}")
        return 4
    except ForeignSchema as exc:
        say(f"error: {exc}")
        return 2
    except MigrationError as exc:
        say(f"fatal: {exc}")
        return 3
    print(f"{_shown(args, schema)}: " + (f"applied {', '.join(done)}" if done else "up to date"))
    return 0


def _verify(args: Any, conn: Any, schema: str) -> int:
    from ontosync.store.pg.database import problems

    return verdict(problems(conn, schema), _shown(args, schema),
                   "constraints validated, migrations match, foreign keys hold")


def _search(args: Any, conn: Any, schema: str) -> int:
    from ontosync.search_command import print_hits
    from ontosync.store.pg.database import behind
    from ontosync.store.pg.search import search
    from ontosync.store.search import index_behind

    why = behind(conn, schema)
    if why is not None:  # a command to run first: exit 2, as on SQLite (search_command.run)
        say(f"error: {why}")
        return 2
    return print_hits(args, search(conn, args.text, args.limit), index_behind(conn))


def _diff(args: Any, conn: Any, schema: str) -> int:
    """`diff` on a source's schema: store/diff.py's reading, as on SQLite (diff_cli.py)."""
    from ontosync.diff_cli import emit_diff

    return emit_diff(args, conn, _shown(args, schema), say)
