"""What the change log costs on a one-page change of the corpus: the extra time, in-process.

    .venv/bin/python bench/run.py --diff-overhead [--rounds 21]

The corpus is synced once into a fresh database. Then one page (`AI Alignment.md`) is saved again
and again, each time with its label toggled so that every save really changes the ontology:
alternately plain (no change log armed) and logged (a run opened, the save with the triggers armed,
the run closed and pruned, then its diff read back and rendered as markdown, as the Action does).
The extra cost is median(logged) - median(plain); the target is under 20 ms. In-process timing
(perf_counter around the store calls) keeps interpreter start-up and parse time, which do not
change, out of a figure this small.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from pathlib import Path

PAGE = "AI Alignment.md"
TARGET_MS = 20.0


def measure(corpora: Path, work: Path, rounds: int = 21) -> dict:
    from ontosync.cli import main as cli_main
    from ontosync.diff_format import to_markdown
    from ontosync.parsing import ParseOptions, parse_file
    from ontosync.store.changelog import ChangeLog
    from ontosync.store.diff import select_runs
    from ontosync.store.migrations import utc_now
    from ontosync.store.repository import Repository

    src, db = work / "diff-overhead" / "pages", work / "diff-overhead" / "onto.db"
    if src.parent.exists():
        shutil.rmtree(src.parent)
    shutil.copytree(corpora / "visionflow-pages", src)
    if cli_main(["sync", str(src), "--db", str(db), "--quiet"]) != 0:
        raise RuntimeError("the corpus sync failed")
    text = (src / PAGE).read_text(encoding="utf-8")
    other = text.replace("preferred-term:: ", "preferred-term:: Renamed ", 1)
    if other == text:
        raise RuntimeError(f"{PAGE} has no preferred-term to toggle")
    versions = [parse_file(PAGE, t.encode(), ParseOptions()) for t in (other, text)]
    repo = Repository(db)
    plain: list[float] = []
    logged: list[float] = []
    try:
        for i in range(rounds * 2):
            facts = versions[i % 2]
            started = time.perf_counter()
            if i % 4 < 2:
                repo.save_parsed(PAGE, None, len(text), facts, utc_now())
                plain.append((time.perf_counter() - started) * 1000)
                continue
            log = repo.changes = ChangeLog.start(repo, None, "bench", utc_now())
            repo.save_parsed(PAGE, None, len(text), facts, utc_now())
            repo.changes = None
            log.finish(utc_now())
            data = select_runs(repo.conn, run=log.run_id).to_json(repo.conn)
            to_markdown(data)
            logged.append((time.perf_counter() - started) * 1000)
            if data["counts"]["classes_changed"] != 1:
                raise RuntimeError(f"expected one changed class, the log says {data['counts']}")
    finally:
        repo.close()
    extra = statistics.median(logged) - statistics.median(plain)
    return {"plain_ms": round(statistics.median(plain), 3), "logged_ms": round(statistics.median(logged), 3),
            "extra_ms": round(extra, 3), "target_ms": TARGET_MS, "pass": extra < TARGET_MS,
            "rounds": len(logged)}


def report(result: dict) -> int:
    verdict = "PASS" if result["pass"] else "FAIL"
    print(f"diff overhead on a one-page change ({result['rounds']} rounds each): save {result['plain_ms']} ms, "
          f"save + change log + diff {result['logged_ms']} ms, extra {result['extra_ms']} ms "
          f"(target < {result['target_ms']:g} ms): {verdict}", file=sys.stderr)
    return 0 if result["pass"] else 1
