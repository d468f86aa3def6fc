"""The command line: `ontosync sync | migrate | verify | status | diff | search | fetch-db`.

`main` parses, runs the command and turns every expected failure into one line on stderr and an
exit code; `sync`, `migrate`, `verify` and `status` on SQLite are here, `diff` (diff_cli.py),
`search` (search_command.py) and `fetch-db` (action/fetch_db.py) beside it, and every command on a
PostgreSQL `--db` in pg_commands.py.

Exit codes (CONTRACT section 1): 0 done, 1 error rate over the threshold (or a rate limit that
outlasted the allowed wait), 2 usage or configuration error, 3 database integrity or migration
failure, 4 the database busy (another sync's lock, or a writer past `--busy-timeout`), 130
interrupted (the checkpoint kept), 141 the reader of stdout went away. Usage errors print one line
and no traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sqlite3
import sys
from pathlib import Path
from typing import NoReturn

from ontosync import __version__
from ontosync.cli_parser import Parser, UsageError
from ontosync.config import ConfigError, Settings, build_settings, config_in_use, database_from_env
from ontosync.console import (
    OutputLost,
    Stopped,
    drop_output,
    environment_failure,
    flush_output,
    not_there,
    open_standard_streams,
    unusable_db_path,
    verdict,
)
from ontosync.console import say as _say
from ontosync.db_url import BadDatabaseUrl, is_postgres_url, shown_db
from ontosync.options import READ_WAIT, add_sync_arguments


class Busy(Stopped):
    """Another session holds what the command needs (a full PostgreSQL server, a first sync creating
    the database): exit 4, run again later."""

    word, code = "busy", 4


LOCAL_COMMANDS = ("sync", "migrate", "verify", "status", "diff", "search")
# What an interrupt leaves, said after "interrupted; ": every command said "the checkpoint is saved",
# of the commands that write none (those that only read change nothing).
_INTERRUPTED = {"sync": "the checkpoint is saved, run the same command again to resume",
                **dict.fromkeys(("verify", "status", "diff", "search"), "nothing was changed")}


def _db_command(sub, name: str, summary: str, db_help: str) -> argparse.ArgumentParser:
    """A subcommand that works on one database, named by `--db` (or $ONTOSYNC_DATABASE_URL)."""
    command = sub.add_parser(name, help=summary)
    _db_option(command, db_help)
    return command


def _add_sync(sub) -> None:
    s = sub.add_parser("sync", help="sync a folder or github:OWNER/REPO[@REF] into the database")
    s.add_argument("source", nargs="?", metavar="SOURCE",
                   help="folder (default $GITHUB_WORKSPACE, else .) or github:OWNER/REPO[@REF]")
    add_sync_arguments(s)  # every flag is a row of ontosync/options.py


def _add_migrate(sub) -> None:
    m = _db_command(sub, "migrate", "upgrade a database to the current schema (backup first)",
                    "the database to upgrade")
    m.add_argument("--backup-dir", metavar="DIR", help="where the backup goes (default beside the database)")
    m.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")


def _add_verify(sub) -> None:
    _wait_option(_db_command(sub, "verify", "PRAGMA integrity_check and foreign_key_check; exit 0 or 3",
                             "the database to check"))


def _wait_option(parser: argparse.ArgumentParser) -> None:
    """A reading command's `--busy-timeout`: how long it waits for another program's write lock on a
    SQLite database (then exit 4). It was SQLite's fixed 5 s."""
    parser.add_argument("--busy-timeout", type=_seconds, default=5.0, metavar="S",
                        help="seconds to wait while another writer holds the SQLite database locked, then exit 4 "
                             "(default 5)")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number: {text!r}") from None
    if rule := READ_WAIT.broken_rule(value):
        raise argparse.ArgumentTypeError(f"must {rule}, not {text}")
    return value


def _add_status(sub) -> None:
    st = _db_command(sub, "status", "what the database and checkpoint hold", "the database")
    _wait_option(st)
    st.add_argument("--checkpoint", metavar="PATH", help="checkpoint file (default <db>.checkpoint.json)")
    st.add_argument("--json", action="store_true", help="print JSON instead of text")


def _add_diff(sub) -> None:
    d = _db_command(sub, "diff", "what a run (or runs, or another database) changed in the ontology",
                    "the database, the head of the comparison")
    which = d.add_mutually_exclusive_group()
    # any whole number: one that names no run is said with the runs the log keeps (store/diff.select_runs);
    # (a range of SQL's integers said "must be between -9223372036854775808 and ...", no range of runs)
    which.add_argument("--run", type=int, metavar="ID", help="the changes of this run")
    which.add_argument("--since", metavar="REVISION", help="the changes of the runs after the run at REVISION")
    which.add_argument("--base", metavar="OTHER.db", help="compare with another database directly")
    d.add_argument("--format", choices=("text", "markdown", "json"), default="text", help="output (default text)")
    d.add_argument("--output", metavar="PATH", help="write here instead of standard output (- is standard output)")
    _wait_option(d)


def _add_search(sub) -> None:
    from ontosync.search_command import add_parser as add_search_parser

    search = add_search_parser(sub)
    _db_option(search, "the database")
    _wait_option(search)


def _add_fetch_db(sub) -> None:
    try:
        from ontosync.action.fetch_db import add_fetch_db_parser
    except ImportError:
        return
    add_fetch_db_parser(sub)


# Each command's parser, in the order `ontosync --help` lists them.
COMMAND_PARSERS = {"sync": _add_sync, "migrate": _add_migrate, "verify": _add_verify, "status": _add_status,
                   "diff": _add_diff, "search": _add_search, "fetch-db": _add_fetch_db}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with `only` just that command's parser: a command named first
    needs no other (argparse builds a formatter for every option it adds, issue 18), and a local
    command so never imports `fetch-db`'s HTTP stack (~200 ms)."""
    parser = Parser(prog="ontosync", description="Keep a SQLite database of an ontology in step with its repository.")
    parser.add_argument("--version", action="version", version=f"ontosync {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name, add in COMMAND_PARSERS.items():
        if only is None or name == only:
            add(sub)
    return parser


def _db_option(parser: argparse.ArgumentParser, text: str) -> None:
    """--db, required unless ONTOSYNC_DATABASE_URL names the database (a PostgreSQL URL kept in a secret)."""
    env = database_from_env()
    parser.add_argument("--db", required=not env, default=env, type=_database, metavar="PATH",
                        help=f"{text} (default $ONTOSYNC_DATABASE_URL); a path, or postgresql://...")


def _database(value: str) -> str:
    """`--db ""` (an unset shell variable) said "it is a folder"; `--db " "` named a file ` `."""
    if not value.strip():
        raise UsageError("--db must not be empty")
    if reason := unusable_db_path(value):
        raise UsageError(f"--db {shown_db(value)}: {reason}")
    return value


def main(argv: list[str] | None = None, *, ends_process: bool = False) -> int:
    """The CLI. `ends_process`: the process ends after it (`run`), so once the command is done and
    said a signal asks for nothing; not so where `main` runs in a process that goes on (the Action, tests)."""
    words = sys.argv[1:] if argv is None else argv
    # A local command named first needs only its own parser (and not `fetch-db`'s HTTP stack).
    only = words[0] if words and words[0] in LOCAL_COMMANDS else None
    args = None
    try:
        try:
            args = build_parser(only).parse_args(argv)
        except SystemExit:  # --help, --version: their text met here if standard output cannot take it
            flush_output()
            raise
        if args.command in ("migrate", "verify", "diff", "search") and is_postgres_url(getattr(args, "db", None)):
            from ontosync.pg_commands import run_command

            return run_command(args)
        with _reader_wait(args):
            code = {"sync": cmd_sync, "migrate": cmd_migrate, "verify": cmd_verify, "status": cmd_status,
                    "diff": _cmd_diff, "search": _cmd_search}.get(args.command, lambda a: a.handler(a))(args)
        flush_output()  # here, so that a closed pipe or a full disk is met inside the try
        if ends_process:  # the command is done and said, and the process ends (run)
            from ontosync.pipeline.interrupts import ignore_stopping

            ignore_stopping()  # a signal now asks for nothing: it was a KeyboardInterrupt traceback
        return code
    except BrokenPipeError:  # `ontosync status | head`: the reader has what it wanted
        drop_output(sys.stdout)
        return 141
    except OutputLost as exc:  # `diff > changes.json` on a full disk: the file is short
        drop_output(sys.stdout)
        _say(f"error: standard output: not written: {exc.strerror}")
        return 2
    except (UsageError, ConfigError, BadDatabaseUrl) as exc:
        _say(f"error: {exc}")
        return 2
    except Stopped as exc:
        _say(f"{exc.word}: {exc}")
        return exc.code
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM/SIGHUP (ontosync.run)
        words = getattr(args, "interrupted", None) or _INTERRUPTED.get(getattr(args, "command", None))
        _say(f"interrupted; {words or 'run the same command again'}")
        return 130
    except Exception as exc:
        from ontosync.store.health import classify, is_db_error

        if not is_db_error(exc):
            message = environment_failure(exc)
            if message is None:
                raise
            _say(f"error: {message}")
            return 2
        code, message = classify(exc, getattr(args, "db", None))
        _say(message)
        return code


def _reader_wait(args: argparse.Namespace):
    """The reading commands' `--busy-timeout`, for every connection they open (store/read_only.py)."""
    from ontosync.store.read_only import reader_wait

    if args.command in _INTERRUPTED and args.command != "sync":
        return reader_wait(args.busy_timeout)
    return contextlib.nullcontext()


def run() -> NoReturn:
    """The `ontosync` script and `python -m ontosync`: `main`, then the process ends. Its objects
    are frozen first (gc.freeze), so that the interpreter's last collection at exit does not walk
    them all (~4% of a no-op re-sync's instructions, issue 18); nothing of ours waits for it: files,
    the database and the workers are closed by the commands, the rest by refcounts and atexit.
    Not in `main`, which the Action and the tests call in a process that goes on."""
    open_standard_streams()
    try:
        code = main(ends_process=True)
    except KeyboardInterrupt:  # as `main` returned from a failure, its line said: no traceback
        code = 130
    gc.freeze()
    sys.exit(code)


def _cmd_diff(args: argparse.Namespace) -> int:
    from ontosync.diff_cli import cmd_diff

    _require_file(args.db)
    return cmd_diff(args, _say)


def _cmd_search(args: argparse.Namespace) -> int:
    _require_file(args.db)
    return args.handler(args)


# -- sync -----------------------------------------------------------------------------------------
def cmd_sync(args: argparse.Namespace) -> int:
    from ontosync.pipeline.interrupts import NOT_BEGUN, NotBegun, finishing, terminate_as_interrupt
    from ontosync.pipeline.sync import SyncRun
    from ontosync.sources import PathFilter, SourceError
    from ontosync.sources.unmatched import include_origin
    from ontosync.store.health import file_identity, file_stamp, gone_since
    from ontosync.store.lock import LockBusy, LockUnavailable, SyncLock
    from ontosync.store.repository import BUSY_TIMEOUT_S, Repository, StoreError
    from ontosync.store.wal import truncate_wal
    from ontosync.sync_end import finish_sync
    from ontosync.sync_paths import check_db_path, check_outputs, new_outputs, remove_unsynced

    args.interrupted = NOT_BEGUN  # said by `main` if interrupted before the lock (a GitHub listing): none written
    cli = {k: v for k, v in vars(args).items() if k != "command"}
    settings = build_settings(cli, args.config)
    check_db_path(settings.db)  # a PostgreSQL URL's unencoded `@` too, from the file's `db:` as well
    try:  # one filter: the outputs are checked against it, the source walks with it
        selects, bad_filter = PathFilter(settings.include, settings.exclude, settings.path, include_origin(
            cli.get("include") is not None, config_in_use(args.config, settings.source))), None
    except SourceError as exc:  # said after the outputs' check, as make_source's error
        selects, bad_filter = None, exc
    check_outputs(settings, config_in_use(args.config, settings.source), selects)
    if bad_filter:
        _say(f"error: {bad_filter}")
        return 2
    try:
        source = make_source(settings, selects)
    except SourceError as exc:
        _say(f"error: {exc}")
        return 2
    base_dir = None if settings.source.startswith("github:") else Path(settings.source)
    options = settings.parse_options(base_dir, None if base_dir else source.read_path)  # (the repository's)
    if is_postgres_url(settings.db):  # one source's schema on a server (pg_commands.py)
        from ontosync import pg_commands

        args.interrupted = None  # each of its steps says its own interrupt (pg_commands.sync)
        result = pg_commands.sync(settings, source, options)
        return result if isinstance(result, int) else finish_sync(settings, result)
    # said by `main` if interrupted here: "the checkpoint is saved" was said of a run that wrote none
    args.interrupted = f"it waited for {shown_db(settings.db)}'s lock: nothing was written, run the same command again"
    end = contextlib.ExitStack()  # the run's end, from its WAL's truncation to the lock's release (below)
    try:
        with end, SyncLock(settings.db, settings.source, settings.lock_timeout) as lock:
            args.interrupted = NOT_BEGUN
            new = new_outputs(settings)
            if code := _ready_to_write(settings, lock.sound_stamp):
                lock.drop()  # nothing was written: nor is a lock file this run made left behind
                return code
            try:
                repo = Repository(settings.db, settings.ontology_id)
            except StoreError as exc:
                _say(f"fatal: {exc}")
                return 3
            identity = file_identity(settings.db)  # the file the run writes (gone_since, below)
            unsynced: list[str] = []  # a first sync that read nothing leaves nothing: what to remove
            try:
                args.interrupted = None  # the run's checkpoint is written from here on
                with terminate_as_interrupt():
                    result = SyncRun(settings, source, repo, options).run()
            except (SourceError, NotBegun) as exc:  # (interrupted before its first file: its empty database stayed)
                unsynced = [] if repo.holds_files() else new
                if isinstance(exc, NotBegun):
                    raise  # said by `main`
                _say(f"error: {exc}")
                return 2
            finally:  # bounded, and the run is over: a signal from now to the lock's release (it was exit 130,
                end.enter_context(finishing())  # no report) asks for nothing; the report's writing is its own
                truncate_wal(repo.conn, BUSY_TIMEOUT_S)
                repo.close()
                if remove_unsynced(settings.db, unsynced):
                    lock.drop()  # its lock file too, when this run made it: the folder is as it was
            gone = gone_since(settings.db, identity)
            if gone:
                result.exit_code, result.message = 3, gone
            elif result.exit_code in (0, 1):  # the database is as sound as the run found it
                lock.leave_sound(file_stamp(settings.db))
    except LockBusy as exc:
        _say(f"busy: {exc}")
        return 4
    except LockUnavailable as exc:
        raise UsageError(str(exc)) from None
    return finish_sync(settings, result)


def _ready_to_write(settings: Settings, sound_stamp: list[int] | None) -> int:
    """Under the sync's lock, before the first write: 0, or the exit code of what was said. A
    database as a clean sync left it (`sound_stamp`) is neither checked nor prepared again."""
    from ontosync.store.health import untouched, wal_of_another_name

    if stale := wal_of_another_name(settings.db):  # a hard link's pending writes (store/health.py)
        _say(f"fatal: {stale}")
        return 3
    if untouched(settings.db, sound_stamp):
        return 0
    return _check_damage(settings.db) or prepare_database(settings.db, settings.busy_timeout)


def make_source(settings: Settings, path_filter):
    from ontosync.sources import SourceError, SourceInterrupted

    if settings.source.startswith("github:"):
        try:
            from ontosync.sources.github import GitHubSource
        except ImportError as exc:
            raise SourceError("github: sources are not available in this build") from exc
        source = GitHubSource(settings.source, path_filter, api_url=settings.api_url,
                              token=os.environ.get("GITHUB_TOKEN") or None,
                              max_rate_limit_wait=settings.max_rate_limit_wait, retries=settings.retries,
                              max_file_size=settings.max_file_size)
        # Resolved and listed before the database is opened: offline, a bad token, an unknown
        # repository or a misspelt --path left a new, empty database (and its lock) that `status` showed
        # as synced. A rate-limit stop is not said here: the run says it, with its checkpoint (exit 1).
        source.notice = _say  # a rate limit waited out here is said as the run says it (Progress.note)
        with contextlib.suppress(SourceInterrupted):
            source.count_files()
        return source
    from ontosync.sources.local import LocalSource

    return LocalSource(settings.source, path_filter, settings.max_file_size)


def prepare_database(db: str, busy_timeout: float) -> int:
    """Create, upgrade or migrate the database before a sync, waiting up to `busy_timeout` seconds
    for another writer's lock; returns an exit code or 0 (an UpgradeError, a Stopped: said by `main`)."""
    from ontosync.store.upgrade import prepare_database as prepare

    try:
        result = prepare(db, busy_timeout=busy_timeout)
    except sqlite3.DatabaseError as exc:
        from ontosync.store.health import classify

        code, message = classify(exc, db)
        _say(message)
        return code
    if result.changed and result.backup_path:
        for line in result.summary().splitlines():
            _say(line)
    return 0


def _check_damage(db: str) -> int:
    """Exit 3 before a sync writes into a damaged database (store/health.py)."""
    from ontosync.store.health import damage

    problem = damage(db)
    if problem:
        _say(f"fatal: {db} is damaged: {problem}. Nothing was written; restore it from a backup, or delete "
             "it to sync from scratch (`ontosync verify` lists the problems)")
        return 3
    return 0


# -- migrate, verify, status ---------------------------------------------------------------------
def cmd_migrate(args: argparse.Namespace) -> int:
    from ontosync.store.upgrade import migrate  # its UpgradeError, a Stopped: said by `main`

    if args.backup_dir == "-":  # a folder `-` was made: `-` is standard input or output on this command line
        raise UsageError("--backup-dir -: standard output cannot hold a backup: give a folder (./- for one named -)")
    if not Path(args.db).is_file():  # a folder, a FIFO, a link loop: it was "no such database file"
        raise UsageError(not_there("database", args.db))
    from ontosync.sync_paths import check_writable, side_file_kind

    if reason := side_file_kind(args.db):  # a dry run too: a FIFO at -journal held it for ever
        raise UsageError(f"cannot use database {args.db}: {reason}")
    if not args.dry_run:
        check_writable(args.db)
    from ontosync.store import lock
    from ontosync.store.health import wal_of_another_name
    from ontosync.store.lock import LockBusy, LockUnavailable, SyncLock

    try:
        wait = contextlib.nullcontext() if args.dry_run else SyncLock(args.db, "migrate", lock.MIGRATE_WAIT_S,
                                                                       lock.MIGRATE_WAIT)
        with wait:
            if not args.dry_run and (stale := wal_of_another_name(args.db)):  # as a sync's (_ready_to_write)
                _say(f"fatal: {stale}")
                return 3
            result = migrate(args.db, backup_dir=args.backup_dir, dry_run=args.dry_run)
    except LockBusy as exc:
        _say(f"busy: {exc}")
        return 4
    except LockUnavailable as exc:
        raise UsageError(str(exc)) from None
    print(result.summary())
    return 0


def _require_file(db: str) -> None:
    """A database file the reading commands can open; an empty one a first sync is creating (its
    lock held) is busy, exit 4, as `status` says of one whose schema is not committed yet. A Git
    LFS pointer is said as `sync` says it, by `verify` too: it is no database to check (it was a
    failed check, exit 3). Another program's file is exit 2 for every command, as `sync` refuses
    it (shapes.foreign_database)."""
    from ontosync.store.read_only import no_database_to_read
    from ontosync.store.shapes import foreign_database
    from ontosync.sync_paths import side_file_kind

    problem = no_database_to_read(db)
    if not problem and (reason := side_file_kind(db, reading=True)):  # a FIFO at -journal: SQLite waited for ever
        raise UsageError(f"cannot read database {db}: {reason}")
    if problem := problem or foreign_database(db):
        if Path(db).is_file():
            _busy_if_created(db)
        raise UsageError(problem)


def _busy_if_created(db: str) -> None:
    from ontosync.store.lock import holder_now

    holder = holder_now(db)
    if holder is not None:
        raise Busy(f"{db} is being created by a sync ({holder}) whose schema is not committed yet; "
                   "run the command again in a moment")


def cmd_verify(args: argparse.Namespace) -> int:
    from ontosync.store.integrity import readable_problems

    _require_file(args.db)
    return verdict(readable_problems(args.db), args.db, "integrity_check ok, foreign_key_check ok")


def _status_database(db: str, checkpoint: str | None):
    """(the database opened for reading, how to show it, its default checkpoint path, the owner a
    sync into it records in `checkpoint`: pipeline/checkpoint.checkpoint_owner, as a sync's)."""
    from ontosync.pipeline.checkpoint import file_owner
    from ontosync.store.status import open_read_only

    if is_postgres_url(db):
        from ontosync.pg_commands import open_for_status

        return open_for_status(db)  # a server it cannot use: pg_commands.PgUnavailable, said by main
    _require_file(db)
    return open_read_only(db), db, f"{db}.checkpoint.json", file_owner(db, checkpoint)


def _not_ontosync(db: str, exc: Exception) -> int:
    """A file without ontosync's tables: a first sync still creating them (its lock held) is busy,
    exit 4; an older or legacy one to upgrade first, exit 2; anything else is fatal, exit 3 (on
    PostgreSQL: pg_commands.read_failed)."""
    if is_postgres_url(db):  # open_reader found the store: the server or a right stopped the read
        from ontosync.pg_commands import read_failed

        return read_failed(db, exc)
    from ontosync.store.status import unread_reason

    _busy_if_created(db)
    code, line = unread_reason(db, exc)
    _say(line)
    return code


def _checkpoint_shown(path: str, owner: str, finished: str | None) -> tuple[dict | None, str | None]:
    """`status`'s (checkpoint, why none is read): a path a sync refuses (`-`, a folder, a FIFO, another
    SQLite database) is said in the sync's words (sync_paths), not "none" nor "the next sync replaces it"."""
    from ontosync.pipeline.checkpoint import checkpoint_info
    from ontosync.pipeline.outputs import other_database_refused
    from ontosync.sync_paths import checkpoint_refused

    if why := checkpoint_refused(path) or other_database_refused(path, "--checkpoint"):
        return None, f"none: a sync refuses this path: {why}"
    return checkpoint_info(path, owner, finished)


def cmd_status(args: argparse.Namespace) -> int:
    from ontosync.console import json_text, listed, printable
    from ontosync.diff_format import visible  # bidirectional overrides too (an IRI may hold U+202E)
    from ontosync.store.status import NotAnOntosyncDatabase, failed_lines, finished_checkpoint_of, status_counts

    db, shown, default_checkpoint, owner = _status_database(args.db, args.checkpoint)
    try:
        info = {"database": shown, **status_counts(db)}
        finished = finished_checkpoint_of(db)
    except NotAnOntosyncDatabase as exc:
        return _not_ontosync(args.db, exc)
    finally:
        db.close()
    info["checkpoint"], info["checkpoint_unreadable"] = _checkpoint_shown(args.checkpoint or default_checkpoint, owner,
                                                                          finished)
    if args.json:
        print(json_text(info))  # a stored revision's U+202E escaped, as in the text (console.json_text)
        return 0
    f = info["files"]
    print(f"database      {printable(shown)}")
    print(f"files         {f['ok']} ok, {f['failed']} failed, {f['skipped']} skipped")
    print(f"classes       {info['classes']} declared, {info['referenced_only_classes']} referenced only")
    print(f"hierarchy     {info['hierarchy_edges']} edges")
    print(f"properties    {info['properties']}")
    print(f"axioms        {info['axioms']}")
    print(visible(f"ontologies    {listed(info['ontologies']) or '-'}"))
    # the database's own text (a restored artifact's, anyone's): a revision held `ESC ]0;...` (terminal title)
    at = f"{info['last_revision'] or '-'} (last synced {info['last_synced_at'] or '-'})"
    print(visible(printable(f"revision      {at}")))
    c = info["checkpoint"]
    if c:
        counts = f"{c['processed']}/{c['total_files']} processed, {c['failed']} failed"
        into = f" into another database, {c['of_another']}," if c["of_another"] else ""
        done = (f"unfinished, but its run finished and could not replace it ({counts} when written), source "
                f"{c['source']}; no sync resumes it" if c["unreplaced"] else
                f"finished: {counts}, source {c['source']}")
        print(visible(printable(f"checkpoint    {done}" if c["finished"] else
                                f"checkpoint    UNFINISHED: {counts}; a sync of {c['source']}{into} resumes it"
                                + (" (not a sync into this one)" if into else ""))))
    else:
        print(printable(f"checkpoint    {info['checkpoint_unreadable'] or 'none'}"))
    for line in failed_lines(info["failed_files"]):
        print(printable(line))
    return 0
