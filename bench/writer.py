"""The single writer alone, in-process: where a full sync's store time goes.

    .venv/bin/python bench/writer.py [SRC] [--rounds 2] [--statements] [--no-ops]

Why: a sync's wall time mixes parse workers, process start-up and the machine's load; the writer is
the part a full sync waits for. This parses every file of SRC once (in this process, untimed), then
saves them into a new database in path order, exactly as the sync's writer does (change log armed,
the readers layer on, the end-of-run refresh), and prints the writer's CPU and wall seconds, each
round on a fresh database. `--statements` times every SQL statement (by its first words) and
prints the most expensive kinds, as in bench/README.md's profile. `--no-ops` counts, per kind of
INSERT, UPDATE and DELETE, the calls that changed no row (a RETURNING one: returned none): a
statement a save runs that nearly always finds nothing is a candidate to skip (the fifteenth round).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from ontosync.parsing import ParseOptions, parse_file  # noqa: E402
from ontosync.sources import git_blob_sha  # noqa: E402
from ontosync.store.changelog import ChangeLog  # noqa: E402
from ontosync.store.migrations import utc_now  # noqa: E402
from ontosync.store.repository import Repository  # noqa: E402


class TimedConnection:
    """Wraps a sqlite3 connection: time per statement kind (its first 60 characters)."""

    def __init__(self, conn, no_ops: bool = False):
        self._conn = conn
        self.spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
        self.no_ops: dict[str, list[int]] | None = defaultdict(lambda: [0, 0]) if no_ops else None

    def _timed(self, name, sql, *args):
        started = time.perf_counter()
        try:
            if self.no_ops is not None and sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
                return self._counted(name, sql, *args)
            return getattr(self._conn, name)(sql, *args)
        finally:
            slot = self.spent[" ".join(sql.split())[:60]]
            slot[0] += time.perf_counter() - started
            slot[1] += 1

    def _counted(self, name, sql, *args):
        """Run a write; count it, and whether it changed a row (RETURNING rows are read here)."""
        before = self._conn.total_changes
        cursor = getattr(self._conn, name)(sql, *args)
        slot = self.no_ops[" ".join(sql.split())[:60]]
        if "RETURNING" not in sql.upper():
            slot[0], slot[1] = slot[0] + 1, slot[1] + (self._conn.total_changes == before)
            return cursor
        rows = cursor.fetchall()
        slot[0], slot[1] = slot[0] + 1, slot[1] + (not rows)
        return Returned(rows)

    def execute(self, sql, *args):
        return self._timed("execute", sql, *args)

    def executemany(self, sql, *args):
        return self._timed("executemany", sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


class Returned(list):
    """A RETURNING statement's rows, read by TimedConnection, as the caller's cursor."""

    def fetchall(self) -> list:
        return list(self)

    @property
    def rowcount(self) -> int:
        return len(self)


def parsed(src: Path) -> list[tuple]:
    options = ParseOptions()
    out = []
    for p in sorted(x for x in src.rglob("*") if x.is_file()):
        data = p.read_bytes()
        rel = p.relative_to(src).as_posix()
        try:
            out.append((rel, git_blob_sha(data), len(data), parse_file(rel, data, options)))
        except Exception:  # a file that fails to parse costs the writer nothing
            continue
    return out


def one_round(files: list[tuple], db: Path, statements: bool,
              no_ops: bool = False) -> tuple[float, float, TimedConnection | None]:
    repo = Repository(db)
    repo.ensure_schema()
    timed = None
    if statements or no_ops:
        timed = repo.conn = TimedConnection(repo.conn, no_ops)
    cpu, wall = time.process_time(), time.perf_counter()
    repo.changes = ChangeLog.start(repo, None, "bench", utc_now())
    repo.readers.begin_run(repo)  # as a sync does: a first run's derived layer at its end
    for path, sha, size, facts in files:
        repo.save_parsed(path, sha, size, facts, utc_now())
    repo.refresh_readers()
    repo.changes.finish(utc_now())
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    repo.close()
    return cpu, wall, timed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", nargs="?", default=str(PROJECT.parent / "shared" / "corpora" / "visionflow-pages"))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--statements", action="store_true", help="time each statement kind")
    ap.add_argument("--no-ops", action="store_true", help="count the writes that changed no row, per kind")
    args = ap.parse_args(argv)
    files = parsed(Path(args.src))
    print(f"{len(files)} files parsed", flush=True)
    for r in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            cpu, wall, timed = one_round(files, Path(tmp) / "bench.db", args.statements, args.no_ops)
        print(f"round {r + 1}: writer CPU {cpu:.2f} s, wall {wall:.2f} s ({len(files) / wall:.0f} files/s)")
        if timed is not None and timed.no_ops is not None:
            print("  calls  changed nothing  statement kind (writes run 100 times or more)")
            for sql, (n, idle) in sorted(timed.no_ops.items(), key=lambda kv: -kv[1][0]):
                if n >= int(__import__("os").environ.get("MIN_CALLS", "100")):
                    print(f"  {n:6d} {idle:6d}  {sql}")
        if timed is not None and args.statements:
            rows = sorted(timed.spent.items(), key=lambda kv: -kv[1][0])
            total = sum(v[0] for _, v in rows)
            calls = sum(v[1] for _, v in rows)
            print(f"  SQL {total:.2f} s in {calls} calls ({calls / len(files):.1f} a file); "
                  "the most expensive statement kinds:")
            for sql, (s, n) in rows[:int(__import__("os").environ.get("TOP", "25"))]:
                print(f"  {s * 1000:8.0f} ms {n:6d}  {sql}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
