"""`ontosync diff`: the change log (or two databases) as text, markdown or JSON.

Exit 0 with the diff, 2 when the selection cannot be made (no such run, revision or database),
3 when the database cannot be read. The same reading (store/diff.py) on SQLite and PostgreSQL:
pg_commands.py opens a PostgreSQL head and hands its connection to `emit_diff`.
"""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Callable
from typing import Any

from ontosync.console import json_text
from ontosync.db_url import is_postgres_url, mask, not_a_path, shown_db, split_schema, url_problem
from ontosync.diff_format import to_markdown, to_text
from ontosync.pipeline.outputs import (
    STDOUT,
    OutputError,
    check_distinct,
    check_not_a_database,
    check_output,
    write_text,
)
from ontosync.store.changelog import has_change_log, has_table
from ontosync.store.diff import BaseFailed, DiffError, LogDamaged, compare_databases, newer_advice, select_runs
from ontosync.store.health import classify, damaged_line
from ontosync.store.read_only import connect_read_only, is_busy
from ontosync.store.run_reads import RunLog, one_snapshot
from ontosync.sync_paths import side_file_kind


def changes_json(conn: Any, db_name: str, run: int | None = None, since: str | None = None,
                 base: str | None = None, after_run: int | None = None) -> dict:
    """The contract's change JSON for one selection (raises DiffError), read from one snapshot."""
    with one_snapshot(conn):
        if base == STDOUT:  # `-`: no database comes from standard input (a file `-` was compared with)
            raise DiffError("--base -: a database cannot be read from standard input; give the other database's "
                            "path (./- for a file named -)")
        if base is not None:
            # `postgresql+psycopg2://u:PW@h/db`: "not found" printed PW; `u:Sec@re t9@h`: libpq quoted `re t9`
            if reason := not_a_path(base) or url_problem(base):
                raise DiffError(f"--base {shown_db(base)}: {reason}")
            if is_postgres_url(base):
                return _compare_with_server(conn, db_name, base)
            if reason := side_file_kind(base, reading=True):  # a FIFO at -journal: the open waited for ever
                raise DiffError(f"cannot read database {base}: {reason}")
            return compare_databases(conn, base, db_name).to_json(conn)
        _ontosync_store(conn, db_name)
        return select_runs(conn, run=run, since=since, after_run=after_run).to_json(conn)


def _ontosync_store(conn: Any, db_name: str) -> None:
    """DiffError when the database has neither a change log nor ontosync's tables: another tool's
    SQLite file was told "no change log yet (run `ontosync sync` or `ontosync migrate` on it)",
    advice both commands refuse. A store without a log (an older ontosync's) keeps that advice."""
    if not has_change_log(conn) and not has_table(conn, "owl_classes"):
        raise DiffError(f"{mask(db_name)} is not an ontosync database (it has no owl_classes table): "
                        "there is no change log to read")


def _compare_with_server(conn: Any, db_name: str, base: str) -> dict:
    """`--base postgresql://...`: the base is a source's schema on a server."""
    from ontosync.pg_commands import PgUnavailable, open_reader

    try:
        base_db, base_conn, schema = open_reader(base)
    except PgUnavailable as exc:  # named: "name the source's schema with ?schema=" said not which URL's
        raise DiffError(f"--base: {exc}".replace("in the URL", "in --base's URL")) from None
    server = mask(split_schema(base)[0])  # named as `--db` names it (pg_commands): the schema once
    try:
        if not base_conn.has_table("owl_classes"):
            raise DiffError(f"schema {schema} on {server} is not an ontosync store")
        with one_snapshot(base_conn):  # its reads: one state of a schema a sync commits to meanwhile
            return compare_databases(conn, f"{server} schema {schema}", db_name, base_conn=base_conn).to_json(conn)
    finally:
        base_db.close()


def render(data: dict, fmt: str) -> str:
    if fmt == "json":
        return json_text(data) + "\n"  # a label's U+202E as an escape: the same data (console.json_text)
    return to_markdown(data, runs=True) if fmt == "markdown" else to_text(data)


def emit_diff(args: argparse.Namespace, conn: Any, db_name: str, say: Callable[[str], None]) -> int:
    """Select, render and write the diff of an open database (exit 0, or 2 on DiffError or an
    `--output` that cannot be written: checked before the reading, reported after it)."""
    if args.output == STDOUT:  # standard output, as for most command-line tools (a file `-` was written)
        args.output = None
    try:
        if args.output:
            check_output(args.output, "--output")
            _not_a_database(args)
            check_not_a_database({"--output": args.output})
        with one_snapshot(conn):  # the note's reading too: a sync finishing between them made it wrong
            data = changes_json(conn, db_name, run=args.run, since=args.since, base=args.base)
            note = _later_runs(conn, data) if args.run is None and args.since is None and args.base is None else ""
            note = _unfinished(conn, data) or note
    except (DiffError, OutputError) as exc:
        say(f"error: {exc}")
        return 2
    except LogDamaged as exc:  # a database that cannot be read: exit 3, as cmd_diff's
        say(f"fatal: {mask(db_name)}: {exc}; nothing was shown")
        return 3
    except BaseFailed as exc:  # the base's writer (exit 4, as status and search say a busy database), or unreadable
        code, message = classify(exc, exc.database)
        say(message)
        return code
    if note:
        say(note)
    text = render(data, args.format)
    if not args.output:
        print(text, end="")
        return 0
    try:
        write_text(args.output, text)
    except OSError as exc:
        say(f"error: --output {args.output}: not written: {exc.strerror or exc}")
        return 2
    return 0


def _later_runs(conn: Any, data: dict) -> str:
    """The default diff is the last run that changed something: after a sync that changed nothing
    (a re-sync, a file renamed) `diff` showed an older run's changes, read as the newest sync's
    ("what the last sync changed", the quick start says). A note on stderr says so; the output is
    the same."""
    head = data["head"].get("run")
    newest = RunLog(conn).last_finished() if head is not None else 0
    if not head or newest <= head:
        return ""
    later = f"run {newest}" if newest == head + 1 else f"runs {head + 1} to {newest}"
    return f"note: {later} changed nothing in the ontology; shown: run {head}, the last run that changed something"


def _unfinished(conn: Any, data: dict) -> str:
    """A note when the diff's head run did not finish. Why: a sync stopped half-way (killed, the
    runner cancelled) showed "run 1 -> run 2" and the part it saved, read as what the last sync
    changed; the database is between two states until a sync of the source saves the rest (none
    has finished since: a later one that did took the database on, and the note would be wrong)."""
    head, log = data["head"].get("run"), RunLog(conn)
    if not head or log.finished(head) or log.last_finished() > head:
        return ""
    return (f"note: run {head} did not finish (stopped before its end, or still running): shown is what it "
            "saved; the next sync of its source saves the rest")


def _not_a_database(args: argparse.Namespace) -> None:
    """`--output` is neither database (nor a file SQLite keeps beside one): `--output x.db` with
    `--db x.db` replaced the database with the diff's text, exit 0."""
    for flag, db in (("--db", args.db), ("--base", args.base)):
        if db and not is_postgres_url(db):
            check_distinct(db, {"--output": args.output}, flag)


def cmd_diff(args: argparse.Namespace, say: Callable[[str], None]) -> int:
    import peewee

    conn = connect_read_only(args.db)
    try:
        return emit_diff(args, conn, args.db, say)
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):  # a writer took the lock mid-read: exit 4 (cli.py), as at the open
            raise
        line = damaged_line(exc, args.db)  # a text file is no damaged database
        newer = None if line else newer_advice(conn, args.db)
        say(f"error: {newer}" if newer else line or f"fatal: {args.db}: {exc}")
        return 2 if newer else 3
    except peewee.DatabaseError as exc:  # the change log's reads: a table a newer ontosync changed
        if is_busy(exc) or (newer := newer_advice(conn, args.db)) is None:
            raise
        say(f"error: {newer}")
        return 2
    finally:
        conn.close()
