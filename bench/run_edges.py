"""The run's own pieces of a one-file sync's path, in ms from `SyncRun.run()`'s start (issue 11).

Usage: python bench/run_edges.py FOLDER   (e.g. a folder holding only pato-base.owl)

Prints one JSON line: when the first file was submitted (the fork starts) and when its submission
returned, how long `ParsePool.close` waited for the workers before the refresh began, when the
first save started (the facts came back), the time from the refresh's end to the run's end (the
change log's finish, the last checkpoint), and the run report's `duration_s`. Run it from each
checkout with its own venv, alternated, to compare two branches (bench/README.md, sixth round).
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

from ontosync.cli import main
from ontosync.pipeline import sync, workers
from ontosync.store import repository

spans: dict[str, list[tuple[float, float]]] = {}


def timed(owner, name: str) -> None:
    real = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spans.setdefault(name, []).append((started, time.perf_counter()))

    setattr(owner, name, wrapper)


def main_() -> None:
    for owner, name in ((workers.ParsePool, "submit"), (workers.ParsePool, "close"), (sync.SyncRun, "run"),
                        (repository.Repository, "refresh_readers"), (repository.Repository, "save_parsed")):
        timed(owner, name)
    work = tempfile.mkdtemp()
    with contextlib.suppress(SystemExit):
        main(["sync", sys.argv[1], "--db", f"{work}/o.db", "--quiet", "--report", f"{work}/r.json"])
    start, end = spans["run"][0]
    refresh_start, refresh_end = spans["refresh_readers"][0]
    ms = lambda seconds: round(1000 * seconds, 1)  # noqa: E731
    print(json.dumps({
        "submit_at": ms(spans["submit"][0][0] - start), "submitted_at": ms(spans["submit"][0][1] - start),
        "close_wait_before_refresh": ms(sum(e - s for s, e in spans["close"] if e <= refresh_start)),
        "save_start": ms(spans["save_parsed"][0][0] - start), "refresh_end_to_run_end": ms(end - refresh_end),
        "duration": json.loads(Path(work, "r.json").read_text())["duration_s"]}))


if __name__ == "__main__":
    main_()
