"""The whole sync's main process, in-process: where the time around the writer goes.

    .venv/bin/python bench/pipeline.py [SRC] [--rounds 3] [--top 25] [--depths 1,3] [--no-profile]

Why: bench/writer.py times the saves alone; a full sync's main process also lists and hashes the
tree, feeds the parse workers, waits for their answers, counts files and writes checkpoints. This
runs `ontosync sync SRC` (a new database each round, workers as the CLI starts them) under
cProfile and prints, per round, the wall and CPU seconds of the main process, how long and how
often the writer waited for the workers (ParsePool.collect), and the functions with the most own
time in the pipeline's modules (ontosync/pipeline, ontosync/sources, ontosync/files.py).
`--depths 1,3` alternates the rounds between those ParsePool.DEPTH values (1 = one task a worker,
as before the queue), `--no-profile` leaves cProfile out (its overhead is ~2x on the main process).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from ontosync.cli import main  # noqa: E402
from ontosync.pipeline import workers  # noqa: E402

PIPELINE_PARTS = ("ontosync/pipeline/", "ontosync/sources/", "ontosync/files.py")


def one_round(src: str, top: int, profile: bool = True) -> None:
    waits = [0, 0.0]
    real_collect = workers.ParsePool.collect

    def collect(self, timeout):
        started = time.perf_counter()
        try:
            return real_collect(self, timeout)
        finally:
            waits[0] += 1
            waits[1] += time.perf_counter() - started

    workers.ParsePool.collect = collect
    with tempfile.TemporaryDirectory() as tmp:
        prof = cProfile.Profile()
        cpu, wall = time.process_time(), time.perf_counter()
        if profile:
            prof.enable()
        code = main(["sync", src, "--db", f"{tmp}/o.db", "--quiet"])
        prof.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    workers.ParsePool.collect = real_collect
    print(f"depth {workers.ParsePool.DEPTH}: exit {code}: wall {wall:.2f} s, main CPU {cpu:.2f} s"
          f"{' (profiled)' if profile else ''}, writer waited {waits[1]:.3f} s in {waits[0]} collect calls")
    if not profile:
        return
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats("|".join(PIPELINE_PARTS), top)
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip()
                    and not line.startswith(("   Ordered", "   List", "         "))))


def run(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", nargs="?", default=str(PROJECT.parent / "shared/corpora/visionflow-pages"))
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--depths", default=str(workers.ParsePool.DEPTH))
    ap.add_argument("--no-profile", action="store_true")
    args = ap.parse_args(argv)
    for _ in range(args.rounds):
        for depth in (int(d) for d in args.depths.split(",")):
            workers.ParsePool.DEPTH = depth
            one_round(args.src, args.top, not args.no_profile)


if __name__ == "__main__":
    run()
