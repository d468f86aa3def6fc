"""Issue 18: a first run notes its saved paths in a fixed-size bitmap (store/fresh_run.py's PathBits),
so its memory does not grow with the tree; a false hit only makes a save look its path up.

A bitmap of 2 bits makes every save after the first two a false hit: the saves that think
the path was seen look it up (the `source_files` read appears), and the database is still the one
plain saves make.
"""

from __future__ import annotations

import tracemalloc

from ontosync.store.fresh_run import FreshRun, PathBits
from tests.helpers import copy_example
from tests.test_fresh_run import dump, end_run, files_of, save, saved, start_run

LOOKUP = "SELECT 1 FROM source_files"


def test_false_hits_look_the_path_up_and_make_the_same_database(tmp_path, monkeypatch):
    files = files_of(copy_example(tmp_path))
    monkeypatch.setattr(FreshRun, "bits", 2)  # two bits: at most two saves are new
    repo = start_run(tmp_path / "tiny.db")
    seen: list[str] = []
    repo.conn.set_trace_callback(seen.append)
    news = []
    for rel, data in files:
        save(repo, rel, data)
        news.append(repo._fresh.new)
    repo.conn.set_trace_callback(None)
    end_run(repo)
    lookups = sum(s.lstrip().startswith(LOOKUP) for s in seen)
    assert news[0] and not all(news)  # the first path is new; the bits are all set by the second
    assert lookups == news.count(False) > 0
    monkeypatch.setattr(FreshRun, "bits", 1 << 22)
    assert dump(tmp_path / "tiny.db") == saved(tmp_path / "reference.db", files, first_run=False)


def test_a_noted_path_is_never_new_again_and_few_new_paths_are_missed():
    bits = PathBits(1 << 22)
    paths = [f"pages/page-{i:05d}.md" for i in range(50_000)]
    new = sum(bits.add(p) for p in paths)
    assert not any(bits.add(p) for p in paths)
    assert new >= 50_000 - 100  # a false hit ~0.05% of paths at this size: ~25 expected


def test_the_state_does_not_grow_with_the_paths_noted():
    paths = [f"pages/a-rather-long-folder-name/page-number-{i:05d}.md" for i in range(50_000)]
    tracemalloc.start()
    try:
        bits = PathBits(1 << 22)
        before = tracemalloc.get_traced_memory()[0]
        for p in paths:
            bits.add(p)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 64 * 1024  # a set of these paths: > 5 MB
