"""Where a large first sync's time goes after its loop: each phase, and the SQL inside them.

    .venv/bin/python bench/end_of_run.py SRC [--statements N]

Why: at 50,000 synthetic pages the run's end (the refresh, the name collisions, the change log's
finish, the last checkpoint) is about a quarter of a first sync, and bench/layer.py, which times the
statements a module passes to `execute`, does not see two of its costs: the statements SQLite runs
inside another (an FTS5 index's writes) and what a `COMMIT` does after it is traced (the FTS5 flush,
the WAL writes, and the automatic checkpoint that copies the refresh's new pages into the database
when the WAL has passed store/wal.py's limit). This runs `ontosync sync SRC` in-process into a new
database and prints the loop and each end-of-run phase (wall and the main thread's CPU seconds), then,
with `--statements N`, the N costliest statements of the refresh and the change log's finish, taken
from sqlite3's trace callback: a statement's time runs to the next traced statement's start, and the
statements a `COMMIT` runs (traced after it, prefixed `--`) are counted in the `COMMIT`.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from ontosync.cli import main  # noqa: E402
from ontosync.pipeline import sync  # noqa: E402
from ontosync.store import repository, wal  # noqa: E402

PHASES = ((sync.SyncRun, "_loop"), (repository.Repository, "refresh_readers"), (sync, "name_collisions"),
          (sync.SyncRun, "_record_settings"), (sync.SyncRun, "_finish_change_log"), (wal, "truncate_wal"))
TRACED = ("refresh_readers", "_finish_change_log")


class Marks:
    """The phases' times, and the traced statements (time, thread CPU, text) while a TRACED phase runs."""

    def __init__(self) -> None:
        self.phases: list[tuple[str, float, float]] = []
        self.events: list[tuple[float, float, str]] = []
        self.tracing = False

    def statement(self, sql: str) -> None:
        if self.tracing:
            self.events.append((time.perf_counter(), time.thread_time(), " ".join(sql.split())[:100]))

    def wrap(self, owner, name: str) -> None:
        real = getattr(owner, name)

        def timed(*args, **kwargs):
            started, cpu = time.perf_counter(), time.thread_time()
            self.tracing = name in TRACED
            try:
                return real(*args, **kwargs)
            finally:
                self.events.append((time.perf_counter(), time.thread_time(), "END"))
                self.tracing = False
                self.phases.append((name, time.perf_counter() - started, time.thread_time() - cpu))

        setattr(owner, name, timed)

    def by_statement(self) -> dict[str, list]:
        """Wall, CPU and count per statement text; a COMMIT's nested statements counted in it."""
        spent: dict[str, list] = defaultdict(lambda: [0.0, 0.0, 0])
        owner = None
        for (t, c, sql), (t2, c2, _) in itertools.pairwise(self.events):
            if sql == "END":
                owner = None
                continue
            if not sql.startswith("--"):
                owner = sql if sql == "COMMIT" else None
            row = spent[owner or sql]
            row[0] += t2 - t
            row[1] += c2 - c
            row[2] += sql == (owner or sql)
        return spent


def run(src: str, top: int) -> None:
    marks = Marks()
    for owner, name in PHASES:
        marks.wrap(owner, name)
    real_init = repository.Repository.__init__

    def init(self, *args, **kwargs) -> None:
        real_init(self, *args, **kwargs)
        self.conn.set_trace_callback(marks.statement)

    repository.Repository.__init__ = init
    work = tempfile.mkdtemp(prefix="end-of-run-")
    main(["sync", src, "--db", f"{work}/o.db", "--quiet"])
    for name, wall, cpu in marks.phases:
        print(f"{name:20} {wall:8.3f} s wall {cpu:8.3f} s CPU")
    if top:
        print(f"\nthe refresh's and the change log finish's statements, the {top} costliest (wall s, CPU s, count):")
        rows = sorted(marks.by_statement().items(), key=lambda kv: -kv[1][0])[:top]
        for sql, (wall, cpu, count) in rows:
            print(f"{wall:8.3f} {cpu:8.3f} {count:6d}  {sql}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src")
    ap.add_argument("--statements", type=int, default=0, metavar="N")
    args = ap.parse_args()
    run(args.src, args.statements)
