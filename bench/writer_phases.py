"""The single writer's phases for one tree, in CPU milliseconds: min and median over fresh rounds.

    .venv/bin/python bench/writer_phases.py [SRC] [--rounds 7]
    BENCH_PROJECT=/work/main /work/main/.venv/bin/python bench/writer_phases.py [SRC]   # another checkout

Why: a one-file sync (`pato-base.owl`) is start-up, the worker's parse and then the writer's
phases one after the other; on a shared machine their wall times move with the load far more
than their CPU times. This parses SRC once (in this process, untimed), then runs bench/writer.py's
round (the saves with the change log armed and the layer's run begun, the end-of-run refresh, the
change log's finish) on a new database each round, and prints each phase's CPU time: the save, the
`statements` insert alone and with its index rebuild, the refresh, its closure, prefixes and search,
and the change log's first-run rows. `BENCH_PROJECT` names another checkout whose ontosync (and
bench/writer.py) it measures: run it for two checkouts, alternated, to compare them.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(os.environ.get("BENCH_PROJECT") or Path(__file__).resolve().parent.parent).resolve()
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "bench"))

import writer  # noqa: E402

from ontosync.store import bulk_statements, changelog_fresh, closure, closure_sql, repository  # noqa: E402

PHASES = ((repository.Repository, "save_parsed", "save"), (bulk_statements, "insert_rows", "statements insert"),
          (bulk_statements, "insert", "statements insert + indexes"),
          (repository.Repository, "refresh_readers", "refresh"), (closure_sql, "write_full", "closure"),
          (closure, "_refresh_prefixes", "prefix"), (closure, "refresh_search", "search"),
          (changelog_fresh, "write", "change log rows"))


def timed(spent: dict[str, float], fn, label: str):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.process_time() - started
    return wrapper


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", nargs="?", default=str(PROJECT.parent / "shared" / "corpora" / "ontologies"))
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args(argv)
    spent: dict[str, float] = {}
    for owner, name, label in PHASES:
        setattr(owner, name, timed(spent, getattr(owner, name), label))
    files = writer.parsed(Path(args.src))
    found: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        spent.clear()
        with tempfile.TemporaryDirectory() as tmp:
            spent["writer, all"] = writer.one_round(files, Path(tmp) / "bench.db", False)[0]
        for label, seconds in spent.items():
            found.setdefault(label, []).append(seconds * 1000)
    print(f"{len(files)} files, {args.rounds} rounds; CPU ms: min / median")
    for label, ms in found.items():
        print(f"  {label:28s} {min(ms):7.1f} / {statistics.median(ms):7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
