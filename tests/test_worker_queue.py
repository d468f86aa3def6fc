"""Each parse worker holds a short queue of tasks (ParsePool.DEPTH), so it parses the next file while
the writer saves the last one; the semantics of one task a worker stay: --file-timeout applies to
the task a worker is parsing (its clock starts with the answer before it), and the tasks queued
behind a killed or crashed worker go to another worker without counting an attempt."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ontosync.parsing import ParseOptions
from ontosync.pipeline.workers import ParsePool, Task


@pytest.fixture
def pages(tmp_path: Path) -> list[Path]:
    out = []
    for name in ("slow.md", "a.md", "b.md", "c.md"):
        p = tmp_path / name
        p.write_text(f"- ### OntologyBlock\n  - term-id:: T-{p.stem}\n  - preferred-term:: {p.stem}\n")
        out.append(p)
    return out


def task(p: Path) -> Task:
    return Task(p.name, None, 0, str(p))


@contextmanager
def running(file_timeout: float, *files: Path) -> Iterator[ParsePool]:
    """A pool of one worker with `files` submitted to it, in that order."""
    pool = ParsePool(1, ParseOptions(), 1 << 20, file_timeout)
    try:
        for p in files:
            pool.submit(task(p))
        yield pool
    finally:
        pool.close()


def collect_all(pool: ParsePool, n: int, limit_s: float = 60.0) -> list:
    outcomes: list = []
    deadline = time.monotonic() + limit_s
    while len(outcomes) < n and time.monotonic() < deadline:
        outcomes += pool.collect(timeout=0.5)
    return outcomes


def test_one_worker_holds_several_tasks_and_answers_in_order(pages):
    with running(60.0) as pool:
        for p in pages[1:]:
            assert pool.accepts(task(p))
            pool.submit(task(p))
        assert len(pool.workers) == 1 and pool.in_flight() == 3
        assert not pool.accepts(task(pages[0]))  # DEPTH reached
        outcomes = collect_all(pool, 3)
        assert [o.task.path for o in outcomes] == ["a.md", "b.md", "c.md"]
        assert all(o.failure is None and o.facts is not None and o.blob_sha for o in outcomes)
        assert pool.in_flight() == 0


def test_a_timed_out_worker_hands_its_queued_tasks_on_without_an_attempt(pages, monkeypatch):
    monkeypatch.setenv("ONTOSYNC_FAULT_SLOW_PARSE", "slow.md:30")
    with running(1.0, *pages[:3]) as pool:  # slow.md parses; a.md and b.md wait behind it
        outcomes = collect_all(pool, 1)
        assert len(outcomes) == 1
        lost = outcomes[0]
        assert lost.task.path == "slow.md" and lost.failure is not None and lost.failure.kind == "timeout"
        assert not pool.workers  # killed
        returned = pool.take_returned()
        assert [(t.path, t.attempt) for t in returned] == [("a.md", 1), ("b.md", 1)]
        assert pool.take_returned() == []
        for t in returned:
            pool.submit(t)
        again = collect_all(pool, 2)
        assert [(o.task.path, o.failure) for o in again] == [("a.md", None), ("b.md", None)]


def test_a_queued_task_is_timed_from_the_answer_before_it(pages, monkeypatch):
    """Two files of 0.8 s each, --file-timeout 1.5: together they outlast the limit since the
    first was sent, yet neither file overruns it, so neither is killed."""
    monkeypatch.setenv("ONTOSYNC_FAULT_SLOW_PARSE", ".md:0.8")
    with running(1.5, pages[1], pages[2]) as pool:
        outcomes = collect_all(pool, 2)
    assert [(o.task.path, o.failure) for o in outcomes] == [("a.md", None), ("b.md", None)]


def test_a_crashed_worker_fails_its_current_task_and_returns_the_rest(pages, monkeypatch):
    monkeypatch.setenv("ONTOSYNC_FAULT_SLOW_PARSE", "slow.md:30")
    with running(60.0, *pages[:3]) as pool:
        time.sleep(0.3)
        os.kill(pool.workers[0].process.pid, signal.SIGKILL)
        outcomes = collect_all(pool, 1)
        assert [(o.task.path, o.failure.kind) for o in outcomes] == [("slow.md", "crash")]
        assert [t.path for t in pool.take_returned()] == ["a.md", "b.md"]
        assert pool.in_flight() == 0


def test_a_large_task_is_never_queued_behind_another(pages):
    """A task carrying bytes (a GitHub file) goes only to an idle worker: queued behind another it
    could fill the pipe while the worker blocks sending its answer."""
    with running(60.0, pages[1]) as pool:
        big = Task("big.md", None, 0, b"- x\n" * 10_000)
        assert not pool.accepts(big)
        assert pool.accepts(Task("small.md", None, 0, b"- x\n"))
        assert collect_all(pool, 1)[0].failure is None
        assert pool.accepts(big)


def test_a_sync_with_a_timeout_and_queued_files_saves_every_other_file(tmp_path):
    """The whole pipeline: a page that outlasts --file-timeout fails as `timeout` (not retried);
    every page queued behind it on the killed worker is saved, none counted as a retry."""
    import json
    import sqlite3

    from tests.helpers import cli

    src = tmp_path / "src"
    src.mkdir()
    for i in range(12):
        (src / f"P{i:02d}.md").write_text(f"- ### OntologyBlock\n  - term-id:: T{i}\n  - preferred-term:: P{i:02d}\n")
    db, report = tmp_path / "o.db", tmp_path / "r.json"
    r = cli("sync", str(src), "--db", str(db), "--quiet", "--workers", "1", "--file-timeout", "1",
            "--retries", "2", "--max-error-rate", "1", "--report", str(report),
            env={"ONTOSYNC_FAULT_SLOW_PARSE": "P03.md:30"})
    assert r.returncode == 0, r.stderr
    data = json.loads(report.read_text())
    assert data["files"]["ok"] == 11 and data["files"]["failed"] == 1
    assert [(e["path"], e["kind"]) for e in data["errors"]] == [("P03.md", "timeout")]
    assert data["retries"] == 0
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT path, status FROM source_files ORDER BY path").fetchall()
    finally:
        conn.close()
    assert rows == [(f"P{i:02d}.md", "failed" if i == 3 else "ok") for i in range(12)]
