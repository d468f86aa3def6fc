"""`ontosync diff`: the change log (or two databases) as text, markdown or JSON.

Exit 0 with the diff, 2 when the selection cannot be made (no such run, revision or database),
3 when the database cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections.abc import Callable

from ontosync.diff_format import to_markdown, to_text
from ontosync.store.diff import DiffError, compare_databases, select_runs
from ontosync.store.status import open_read_only


def changes_json(conn: sqlite3.Connection, db_name: str, run: int | None = None, since: str | None = None,
                 base: str | None = None, after_run: int | None = None) -> dict:
    """The contract's change JSON for one selection (raises DiffError)."""
    if base is not None:
        return compare_databases(conn, base, db_name).to_json(conn)
    return select_runs(conn, run=run, since=since, after_run=after_run).to_json(conn)


def render(data: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return to_markdown(data) if fmt == "markdown" else to_text(data)


def cmd_diff(args: argparse.Namespace, say: Callable[[str], None]) -> int:
    db = open_read_only(args.db)
    try:
        data = changes_json(db.connection(), args.db, run=args.run, since=args.since, base=args.base)
    except DiffError as exc:
        say(f"error: {exc}")
        return 2
    except sqlite3.DatabaseError as exc:
        say(f"fatal: {args.db}: {exc}")
        return 3
    finally:
        db.close()
    text = render(data, args.format)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        print(text, end="")
    return 0
