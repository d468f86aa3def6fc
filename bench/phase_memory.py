"""A sync's main-process RSS by phase: the end of the parse-and-save loop and the end-of-run refresh.

    .venv/bin/python bench/phase_memory.py TREE [--db PATH] [--trace] [--statements N]

Why: issue 18 asks a 50,000-page sync's peak memory to stay within 110% of a 10,000-page one's;
`bench/run.py` gives only the peak. This runs `ontosync sync` in-process with a thread reading
VmRSS every 10 ms and marks when `Repository.refresh_readers` starts and ends, so the loop's growth
and the refresh's working set above it are told apart. `--trace`: tracemalloc's top allocation
sites alive when the refresh starts (slows the run ~2x; the RSS figures then include its own
cost). `--statements N`: the refresh's N statements that grew the RSS most while they ran (sampled
every 10 ms: a short statement's peak can be missed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from ontosync import cli  # noqa: E402
from ontosync.store.repository import Repository  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.phase = "loop"
        self.peaks: dict[str, float] = {}
        self.marks: dict[str, float] = {}
        self.stop = threading.Event()
        self.window = 0.0  # the peak since the last statement began (--statements)

    def run(self) -> None:
        while not self.stop.wait(0.01):
            self.sample()

    def sample(self) -> None:
        now = rss_mb()
        self.peaks[self.phase] = max(self.peaks.get(self.phase, 0.0), now)
        self.window = max(self.window, now)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("tree")
    ap.add_argument("--db")
    ap.add_argument("--trace", action="store_true")
    ap.add_argument("--statements", type=int, default=0, metavar="N",
                    help="print the refresh's N statements that grew the RSS most")
    args = ap.parse_args()
    db = args.db or str(Path(tempfile.mkdtemp()) / "phase.db")
    sampler = Sampler()
    original = Repository.refresh_readers

    def refresh(self: Repository) -> list[str]:
        sampler.sample()
        sampler.marks["loop end"] = rss_mb()
        if args.trace:
            for stat in tracemalloc.take_snapshot().statistics("lineno")[:15]:
                print(f"  {stat.size / 1024:9.0f} KiB {stat.count:8d}  {stat.traceback}", file=sys.stderr)
        sampler.phase = "refresh"
        seen: list[tuple[float, float, str]] = []  # (growth, peak, statement)
        last = [rss_mb(), "(start)"]

        def statement(sql: str) -> None:
            if sql.startswith("--"):  # a virtual table's or trigger's own: counted in its statement
                return
            sampler.sample()
            seen.append((sampler.window - last[0], sampler.window, last[1]))
            sampler.window = now = rss_mb()
            last[:] = [now, " ".join(sql.split())[:100]]

        if args.statements:
            self.conn.set_trace_callback(statement)
        try:
            return original(self)
        finally:
            self.conn.set_trace_callback(None)
            statement("(end)")
            sampler.phase = "after"
            for grown, peak, sql in sorted(seen, reverse=True)[:args.statements]:
                print(f"  +{grown:5.1f} MB to {peak:5.1f}  {sql}", file=sys.stderr)

    Repository.refresh_readers = refresh  # type: ignore[method-assign]
    if args.trace:
        tracemalloc.start()
    sampler.start()
    t0 = time.perf_counter()
    code = cli.main(["sync", args.tree, "--db", db, "--quiet", "--report", db + ".report.json"])
    sampler.stop.set()
    sampler.join()
    print(f"exit {code}, {time.perf_counter() - t0:.1f} s; loop end {sampler.marks.get('loop end', 0):.1f} MB; "
          + ", ".join(f"peak {k} {v:.1f} MB" for k, v in sampler.peaks.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
