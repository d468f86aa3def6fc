"""Progress: the total is known before parsing starts, so a terminal shows a bar with done/total,
percent, rate and ETA while the run goes on, and a CI log gets done/total/ETA lines."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from ontosync.pipeline.progress import Progress, duration, status_text
from ontosync.sources import PathFilter
from ontosync.sources.github import GitHubSource
from ontosync.sources.local import LocalSource
from tests.fake_github import FakeGitHub
from tests.helpers import ROOT, cli

TTL = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/p{n}#> .
ex:C{n} a owl:Class ; rdfs:label "class {n}" ; rdfs:subClassOf ex:Base .
"""


def make_tree(root: Path, files: int, others: int = 0) -> Path:
    """`files` Turtle files in nested folders, plus `others` files no glob selects."""
    for n in range(files):
        folder = root / f"d{n % 7}" / f"e{n % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{n}.ttl").write_text(TTL.format(n=n), encoding="utf-8")
    for n in range(others):
        (root / f"notes{n}.txt").write_text("not an ontology", encoding="utf-8")
    return root


def test_local_count_matches_the_listing_without_hashing(tmp_path, monkeypatch):
    src = make_tree(tmp_path / "src", 45, others=5)
    source = LocalSource(src, PathFilter(), 1 << 20)
    import ontosync.sources.local as local

    def no_hashing(*_a):
        raise AssertionError("count_files must not read file contents")

    monkeypatch.setattr(local, "hash_file", no_hashing)
    assert source.count_files() == 45
    monkeypatch.undo()
    assert source.count_files() == len(list(source.list_files())) == 45
    sub = LocalSource(src, PathFilter(subdir="d3"), 1 << 20)
    assert sub.count_files() == len(list(sub.list_files())) == sum(1 for n in range(45) if n % 7 == 3)


def test_github_count_costs_no_extra_request(tmp_path):
    files = {f"onto/f{n}.ttl": TTL.format(n=n).encode() for n in range(12)}
    files["README.md.txt"] = b"x"
    with FakeGitHub() as fake:
        fake.commit(files)
        source = GitHubSource("github:o/r@main", PathFilter(), fake.url, fake.token, timeout=2)
        assert source.count_files() == 12
        listed = fake.count("api")
        assert [sf.path for sf in source.list_files()] == sorted(p for p in files if p.endswith(".ttl"))
        assert fake.count("api") == listed  # the listing was reused, not fetched again


def test_log_lines_name_the_total_from_the_start(tmp_path):
    src = make_tree(tmp_path / "src", 30)
    r = cli("sync", src, "--db", tmp_path / "x.db", "--workers", "1")
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert lines[0] == "ontosync: 30 files to sync"
    progress = [ln for ln in lines if re.match(r"ontosync: \d+/30 \(", ln)]
    assert progress and progress[-1].startswith("ontosync: 30/30 (100.0%)")
    assert all(re.search(r" [\d.]+ files/s ETA \d+:\d\d$", ln) for ln in progress), progress
    # An incremental run: every file unchanged still reaches the total.
    again = cli("sync", src, "--db", tmp_path / "x.db")
    assert "ontosync: 30/30 (100.0%)" in again.stderr


def test_status_text_and_bar(monkeypatch):
    monkeypatch.setenv("TERM", "xterm")  # a terminal that takes cursor controls (TERM=dumb gets lines)
    assert status_text(50, 200, 10.0) == "50/200 (25.0%) 5.0 files/s ETA 0:30"
    assert status_text(200, 200, 10.0) == "200/200 (100.0%) 20.0 files/s ETA 0:00"
    assert status_text(7, None, 2.0) == "7 files 3.5 files/s"
    assert duration(3725) == "1:02:05"

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    p = Progress(out)
    p.start(40)
    p.update(10)
    p.update(40, final=True)
    frames = out.getvalue().split("\r")[1:]
    assert frames[0].startswith("[#######.......................] 10/40 (25.0%)")
    assert frames[-1].startswith("[##############################] 40/40 (100.0%)") and frames[-1].endswith("\n")


def read_until_exit(proc: subprocess.Popen, fd: int, limit: float = 300) -> list[tuple[float, str]]:
    """Chunks read from the pseudo-terminal, with the time each arrived, until the child exits."""
    chunks: list[tuple[float, str]] = []
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not data:
                break
            chunks.append((time.monotonic(), data.decode("utf-8", "replace")))
        elif proc.poll() is not None:
            break
    return chunks


def test_terminal_session_shows_the_bar_with_a_total_before_the_end(tmp_path):
    """A real pseudo-terminal on stderr: frames with done/total and a percent under 100 arrive
    while the run goes on, before the summary line that ends it."""
    files = 800
    src = make_tree(tmp_path / "src", files, others=20)
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm"}  # a terminal that takes cursor controls
    proc = subprocess.Popen([sys.executable, "-m", "ontosync", "sync", str(src), "--db", str(tmp_path / "t.db"),
                             "--workers", "1"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave,
                            env=env, cwd=tmp_path)
    os.close(slave)
    try:
        chunks = read_until_exit(proc, master)
    finally:
        os.close(master)
        proc.wait(timeout=60)
    assert proc.returncode == 0
    text = "".join(c for _, c in chunks)
    frames = re.findall(rf"\[([#.]{{30}})\] (\d+)/{files} \((\d+\.\d)%\) [\d.]+ files/s ETA (\S+)", text)
    assert frames, text[-500:]
    summary_at = text.index(f"ontosync: {files} files:")
    early = [f for f in frames if float(f[2]) < 100.0]
    assert early, "no frame before the end of the run"
    first_early = text.index(f"] {early[0][1]}/{files} (")
    assert first_early < summary_at
    # The bar fills in proportion to the percent, and done only grows.
    for bar, done, pct, _eta in frames:
        assert bar.count("#") == int(30 * int(done) / files)
        assert abs(float(pct) - 100.0 * int(done) / files) < 0.06
    dones = [int(f[1]) for f in frames]
    assert dones == sorted(dones) and dones[-1] == files
