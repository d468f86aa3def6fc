"""`ontosync search TEXT --db PATH [--json]`: classes whose label, synonym or definition match.

Reads the full-text index the sync keeps (store/search.py); the database is opened read-only.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys

from ontosync.console import json_text, say
from ontosync.options import SQL_INT_MAX


def add_parser(sub) -> argparse.ArgumentParser:
    """The `search` parser; cli.py adds `--db` (or $ONTOSYNC_DATABASE_URL) as for every command."""
    p = sub.add_parser("search", help="full-text search over class labels, synonyms and definitions")
    p.add_argument("text", type=_words, metavar="TEXT", help="words to find (the last one also matches as a prefix)")
    p.add_argument("--limit", type=_limit, default=50, metavar="N", help="at most this many classes (default 50)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(handler=run)
    return p


def _words(text: str) -> str:
    """The search text, refused (exit 2) when it holds no word: "0 class(es)" for `*` or a blank
    said the database held no match, when nothing had been looked for."""
    if not re.search(r"[^\W_]", text):  # a letter or digit: what the index holds (`_` separates words)
        raise argparse.ArgumentTypeError(f"no word to find in {text[:80]!r} (search matches words: letters, digits)")
    return text


def _limit(text: str) -> int:
    """`--limit` of 1 or more, up to what SQL holds: 0 and negatives were quietly read as 1, and a
    number past SQL's was told the range of SQL's integers, whose every number under 1 is refused here."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not 1 <= value <= SQL_INT_MAX:
        raise argparse.ArgumentTypeError(f"must be between 1 and {SQL_INT_MAX}, not {text}")
    return value


def run(args: argparse.Namespace) -> int:
    """The search of an SQLite database (cli.py has checked that the file is one to read)."""
    from ontosync.store.health import damaged_line
    from ontosync.store.read_only import connect_read_only, is_busy
    from ontosync.store.search import index_behind, search

    conn = connect_read_only(args.db)
    try:
        hits = search(conn, args.text, args.limit)
        behind = index_behind(conn)
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):  # a writer took the lock mid-read: exit 4 (cli.py), not "run sync first"
            raise
        # (another program's file: cli._require_file, exit 2; damaged: not "run `ontosync sync`", which refuses it)
        if damaged := damaged_line(exc, args.db):
            say(damaged)
            return 3
        # an older ontosync's (no class_search): a command to run first, exit 2 as `diff` says it
        say(f"error: {args.db}: cannot search ({exc}); run `ontosync sync` with this version first")
        return 2
    finally:
        conn.close()
    return print_hits(args, hits, behind)


def print_hits(args: argparse.Namespace, hits: list[dict], behind: bool = False) -> int:
    """The hits as JSON or as lines (both databases). In the lines, each field goes through
    `visible`: a label is user text, and a control character in it (a terminal escape, a newline,
    a tab) would reach the terminal raw or break the one-line, three-column shape."""
    from ontosync.diff_format import visible

    if args.json:
        print(json_text(hits))  # a label's U+202E as an escape: the same data (console.json_text)
    else:
        for h in hits:
            line = f":{h['source_line']}" if h["source_line"] else ""  # `path:line`, as editors take it
            curie, label, source = (visible(str(h[k] or "")) for k in ("curie", "label", "source_file"))
            print(f"{curie}\t{label}\t{source}{line}")
        print(f"{len(hits)} class(es)", file=sys.stderr)
    if behind:
        say(f"note: {args.db}: the search index is behind the tables (a sync stopped before its end, or one "
            "is running); the next `ontosync sync` brings it up to date")
    return 0
