"""The semantic-sql layer's cost alone, in-process: what `readers_layer_ms` counts, and its share.

    .venv/bin/python bench/layer.py [SRC ...] [--rounds 3] [--statements]

Why: `layer_added_pct` in bench/run.py divides the layer's time by the rest of a whole sync, whose
wall time moves with the machine's load far more than the layer does. This parses each SRC once (in
this process, untimed), then saves its files into a new database as bench/writer.py does (change log
armed, the end-of-run refresh) and prints, per round, the writer's CPU and wall seconds, the layer's
per-file and refresh milliseconds (the report's `readers_layer_ms`) and the layer as a percentage of
the writer's other time. `--statements` adds the layer's own SQL by statement kind (the statements
run from the layer's modules: LAYER_MODULES), in the thread's CPU time (the load adds little to it),
each kind's least over the rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import ClassVar

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "bench"))

import writer  # noqa: E402

from ontosync.store.repository import Repository  # noqa: E402

LAYER_MODULES = ("semsql.py", "semsql_deferred.py", "semsql_ofn.py", "bulk_statements.py", "closure.py",
                 "closure_sql.py", "search.py")


class LayerTimedConnection(writer.TimedConnection):
    """bench/writer.py's timed connection, counting only the statements the layer's modules run, in
    the thread's CPU time (robust under load), per round (`spent`: kind -> [[seconds, calls] a round])."""

    spent: ClassVar[dict] = defaultdict(list)
    round: ClassVar[int] = 0

    def __init__(self, conn, no_ops: bool = False) -> None:
        self._conn = conn
        self.no_ops = None  # the layer's figures are times only: writer.py's no-op counting stays off here

    def _timed(self, name, sql, *args):
        caller = sys._getframe(2).f_code.co_filename
        if not caller.endswith(LAYER_MODULES):
            return getattr(self._conn, name)(sql, *args)
        started = time.thread_time()
        try:
            return getattr(self._conn, name)(sql, *args)
        finally:
            per_round = self.spent[" ".join(sql.split())[:70]]
            while len(per_round) <= self.round:
                per_round.append([0.0, 0])
            per_round[self.round][0] += time.thread_time() - started
            per_round[self.round][1] += 1


class LayerRepository(Repository):
    """The repository bench/writer.py's round saves through; the last one is kept for its layer's figures."""

    last: Repository | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        LayerRepository.last = self


def one_round(files: list[tuple], db: Path, statements: bool) -> dict:
    """bench/writer.py's round, with the layer's milliseconds (the report's `readers_layer_ms`)."""
    writer.Repository, writer.TimedConnection = LayerRepository, LayerTimedConnection
    cpu, wall, _timed = writer.one_round(files, db, statements)
    readers = LayerRepository.last.readers
    layer = readers.files_ms + readers.refresh_ms
    return {"cpu": cpu, "wall": wall, "files_ms": readers.files_ms, "refresh_ms": readers.refresh_ms,
            "pct": 100 * layer / (wall * 1000 - layer)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", nargs="*", default=[str(PROJECT.parent / "shared" / "corpora" / "visionflow-pages")])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--statements", action="store_true", help="the layer's SQL by statement kind")
    args = ap.parse_args(argv)
    for src in args.src:
        if not Path(src).is_dir():  # else an absent corpus times an empty sync and prints figures of nothing
            print(f"layer.py: {src}: no such folder (the corpus lives in ../shared/corpora)", file=sys.stderr)
            return 2
        files = writer.parsed(Path(src))
        spent = LayerTimedConnection.spent
        spent.clear()
        LayerTimedConnection.round = 0
        results = []
        for r in range(args.rounds):
            with tempfile.TemporaryDirectory() as tmp:
                res = one_round(files, Path(tmp) / "bench.db", args.statements)
            results.append(res)
            LayerTimedConnection.round += 1
            print(f"{src} round {r + 1}: writer CPU {res['cpu']:.2f} s, wall {res['wall']:.2f} s; layer files "
                  f"{res['files_ms']:.0f} ms + refresh {res['refresh_ms']:.0f} ms = {res['pct']:.1f}% of the rest",
                  flush=True)
        med = {k: statistics.median(r[k] for r in results) for k in results[0]}
        print(f"{src} medians: writer CPU {med['cpu']:.2f} s, wall {med['wall']:.2f} s; layer files "
              f"{med['files_ms']:.0f} ms + refresh {med['refresh_ms']:.0f} ms; {med['pct']:.1f}% of the rest")
        if spent:  # each kind's least CPU in a round (the load only adds), and its calls a round
            rows = sorted(((sql, min(x[0] for x in r), r[0][1]) for sql, r in spent.items()), key=lambda x: -x[1])
            print(f"  the layer's SQL, thread CPU, least of {args.rounds} rounds: "
                  f"{sum(x[1] for x in rows) * 1000:.1f} ms")
            for sql, s, n in rows[:int(os.environ.get("TOP", "30"))]:
                print(f"  {s * 1000:8.1f} ms {n:6d}  {sql}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
