"""Does a save cost more as the database grows? The single writer, in-process, chunk by chunk.

    .venv/bin/python bench/generate.py /tmp/synth-8000 --pages 8000 --seed 7
    .venv/bin/python bench/growth.py /tmp/synth-8000/pages [--chunk 1000] [--wal-pages 300]

Why: a full sync of 50,000 pages ran at 44 files/s where 10,000 ran at 107 (issue 18). This parses
every file first (untimed), then saves them in path order as the sync's writer does (change log
armed, readers layer on) and prints, per chunk of files, the writer's CPU and wall milliseconds a
file, the bytes it read and wrote and its read calls (/proc/self/io): a cost per file that climbs
chunk after chunk is a statement whose work grows with the tables. `--wal-pages N` then saves the
last N files with automatic checkpoints off and counts the WAL frames each b-tree got (dbstat):
the pages a commit writes, per table and index.
"""

from __future__ import annotations

import argparse
import resource
import struct
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "bench"))

from writer import parsed  # noqa: E402

from ontosync.store.changelog import ChangeLog  # noqa: E402
from ontosync.store.migrations import utc_now  # noqa: E402
from ontosync.store.repository import Repository  # noqa: E402


def io_counters() -> tuple[int, int, int]:
    fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(fields["rchar"]), int(fields["wchar"]), int(fields["syscr"])


def wal_frames_by_btree(repo: Repository, db: Path, files: int) -> list[tuple[str, float]]:
    data = Path(str(db) + "-wal").read_bytes()
    page_size = struct.unpack(">I", data[8:12])[0]
    pages: Counter[int] = Counter()
    for offset in range(32, len(data) - 23, 24 + page_size):
        pages[struct.unpack(">I", data[offset:offset + 4])[0]] += 1
    names = dict(repo.conn.execute("SELECT pageno, name FROM dbstat"))
    by: Counter[str] = Counter()
    for page, n in pages.items():
        by[names.get(page, "?")] += n
    return [(name, n / files) for name, n in by.most_common()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src")
    ap.add_argument("--chunk", type=int, default=1000)
    ap.add_argument("--wal-pages", type=int, default=0, help="count the WAL frames of the last N saves")
    args = ap.parse_args(argv)
    files = parsed(Path(args.src))
    print(f"{len(files)} files parsed", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "growth.db"
        repo = Repository(db)
        repo.ensure_schema()
        repo.changes = ChangeLog.start(repo, None, "bench", utc_now())
        repo.readers.begin_run(repo)  # as a sync does: a first run's derived layer at its end
        watch_from = len(files) - args.wal_pages + 1 if args.wal_pages else None
        cpu, wall, io = time.process_time(), time.perf_counter(), io_counters()
        for n, (path, sha, size, facts) in enumerate(files, 1):
            if n == watch_from:
                repo.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                repo.conn.execute("PRAGMA wal_autocheckpoint = 0")
            repo.save_parsed(path, sha, size, facts, utc_now())
            if n % args.chunk == 0 or n == len(files):
                k = n % args.chunk or args.chunk
                c, w, i = time.process_time(), time.perf_counter(), io_counters()
                print(f"{n:7d} files: CPU {1000 * (c - cpu) / k:.2f} ms/file, wall {1000 * (w - wall) / k:.2f}, "
                      f"read {(i[0] - io[0]) / k / 1024:.0f} kB/file in {(i[2] - io[2]) / k:.0f} calls, "
                      f"written {(i[1] - io[1]) / k / 1024:.0f} kB/file; peak RSS "
                      f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)
                cpu, wall, io = c, w, i
        if watch_from:
            frames = wal_frames_by_btree(repo, db, args.wal_pages)
            print(f"WAL frames per save over the last {args.wal_pages} saves: {sum(n for _, n in frames):.1f}, "
                  "by b-tree:")
            for name, per in frames[:int(__import__("os").environ.get("TOP", "15"))]:
                print(f"  {per:6.1f}  {name}")
        repo.changes.finish(utc_now())
        repo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
