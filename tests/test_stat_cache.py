"""The stat cache (pipeline/stat_cache.py): a re-sync hashes only files whose stat changed, and the
database stays a function of the tree whatever the cache holds."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ontosync.pipeline import stat_cache
from ontosync.sources import git_blob_sha, local
from tests.helpers import cli, q

OLD = time.time() - 3600  # an hour ago
WINDOW_S = 0.3  # the racy window for these tests: a file's ctime is its creation, moments ago


@pytest.fixture(autouse=True)
def short_window(monkeypatch):
    monkeypatch.setattr(stat_cache, "SETTLED_NS", int(WINDOW_S * 1e9))


def settle() -> None:
    time.sleep(WINDOW_S + 0.05)


def page(title: str, label: str) -> str:
    return (f"- ### OntologyBlock\n  - term-id:: T-{title}\n  - preferred-term:: {label}\n"
            f"  - owl:class:: ex:{title}\n")


def tree(root: Path, n: int = 5) -> Path:
    pages = root / "pages"
    pages.mkdir(parents=True)
    for i in range(n):
        f = pages / f"P{i}.md"
        f.write_text(page(f"P{i}", f"Label {i}"))
        os.utime(f, (OLD, OLD))
    settle()
    return root


@pytest.fixture
def hashed(monkeypatch) -> list[str]:
    """The paths hash_file reads (the real function runs)."""
    seen: list[str] = []
    real = local.hash_file

    def spy(path: str, size: int) -> str:
        seen.append(Path(path).name)
        return real(path, size)

    monkeypatch.setattr(local, "hash_file", spy)
    return seen


def sync(src: Path, db: Path):
    r = cli("sync", str(src), "--db", str(db), "--quiet")
    assert r.returncode == 0, r.stderr
    return r


def test_a_no_op_resync_hashes_no_file_and_the_cache_holds_the_true_hashes(tmp_path, hashed):
    src, db = tree(tmp_path / "src"), tmp_path / "o.db"
    sync(src, db)
    rows = q(db, "SELECT path, size, blob_sha FROM file_stats ORDER BY path")
    expected = [(f"pages/P{i}.md", len(page(f"P{i}", f"Label {i}")),
                 git_blob_sha(page(f"P{i}", f"Label {i}").encode())) for i in range(5)]
    assert rows == expected
    assert q(db, "SELECT path, blob_sha FROM source_files ORDER BY path") == [(p, s) for p, _, s in expected]
    hashed.clear()
    r = sync(src, db)
    assert hashed == []
    assert "5 unchanged" in r.stderr + r.stdout


def test_a_rewrite_with_the_same_size_and_mtime_put_back_is_still_seen(tmp_path, hashed):
    src, db = tree(tmp_path / "src"), tmp_path / "o.db"
    sync(src, db)
    f = src / "pages" / "P2.md"
    new = page("P2", "Label X")  # same length as "Label 2"
    assert len(new) == f.stat().st_size
    f.write_text(new)
    os.utime(f, (OLD, OLD))  # mtime as before: only the ctime tells
    settle()
    hashed.clear()
    sync(src, db)
    assert hashed == ["P2.md"]
    assert q(db, "SELECT label FROM owl_classes WHERE source_file = 'pages/P2.md'") == [("Label X",)]


def test_a_file_changed_just_before_the_run_is_not_cached(tmp_path, hashed, monkeypatch):
    src, db = tree(tmp_path / "src"), tmp_path / "o.db"
    new = src / "pages" / "New.md"
    new.write_text(page("New", "New"))  # mtime and ctime now: within the racy window
    # The hashing moment fixed at half a window after New.md's write, whatever the machine's load
    # delays the sync by: New.md is then unsettled (changed less than SETTLED_NS before it was
    # hashed) and the P files, written a whole window and more before New.md, settled.
    written = max(new.stat().st_mtime_ns, new.stat().st_ctime_ns)
    monkeypatch.setattr(stat_cache, "now_ns", lambda: written + int(WINDOW_S * 1e9) // 2)
    sync(src, db)
    assert [p for (p,) in q(db, "SELECT path FROM file_stats")] == [f"pages/P{i}.md" for i in range(5)]
    hashed.clear()
    sync(src, db)
    assert hashed == ["New.md"]  # hashed again, the others not
    assert q(db, "SELECT count(*) FROM source_files") == [(6,)]


def test_deleted_and_edited_files_leave_no_stale_rows(tmp_path, hashed):
    src, db = tree(tmp_path / "src"), tmp_path / "o.db"
    sync(src, db)
    (src / "pages" / "P1.md").unlink()
    (src / "pages" / "P3.md").write_text(page("P3", "Label 3 edited"))  # now: not cached again yet
    sync(src, db)
    assert [p for (p,) in q(db, "SELECT path FROM file_stats ORDER BY path")] == [
        "pages/P0.md", "pages/P2.md", "pages/P4.md"]
    assert q(db, "SELECT label FROM owl_classes WHERE source_file = 'pages/P3.md'") == [("Label 3 edited",)]


def test_a_database_before_009_upgrades_in_place(tmp_path, hashed, monkeypatch):
    """Schema 001-008 (the release before), then a sync: 009 adds the cache and the wider link-text
    index; the facts equal a fresh database's, `verify` passes, and the next sync hashes nothing."""
    from tests.helpers import copy_example, database_at, dump_file

    monkeypatch.setattr(stat_cache, "SETTLED_NS", 0)
    src, old, fresh = copy_example(tmp_path), tmp_path / "old.db", tmp_path / "fresh.db"
    database_at(old, 8)
    sync(src, old)
    sync(src, fresh)
    assert dump_file(old) == dump_file(fresh)
    from ontosync.store.migrations import available_migrations  # every one up to the newest, 009 included

    assert [v for (v,) in q(old, "SELECT version FROM schema_migrations ORDER BY 1")] == [
        m.version for m in available_migrations()]
    assert "parent_ref_text" in q(old, "SELECT sql FROM sqlite_master WHERE name = 'file_edges_parent'")[0][0]
    files = q(old, "SELECT count(*) FROM source_files WHERE blob_sha IS NOT NULL")[0][0]
    assert q(old, "SELECT count(*) FROM file_stats") == [(files,)] and files > 0
    check = cli("verify", "--db", str(old))
    assert check.returncode == 0, check.stdout + check.stderr
    hashed.clear()
    sync(src, old)
    assert hashed == []


def test_a_first_sync_hashes_new_files_in_the_workers_only(tmp_path, hashed):
    """A path the database does not know is parsed whatever its hash: the main process neither
    reads nor hashes it, the worker's hash is recorded (and is the true one: the test above)."""
    src, db = tree(tmp_path / "src"), tmp_path / "o.db"
    sync(src, db)
    assert hashed == []
    assert q(db, "SELECT count(*) FROM file_stats") == [(5,)]


def test_a_new_file_whose_worker_is_lost_keeps_its_true_hash(tmp_path):
    """A timed-out new file never answers with the worker's hash: the failed row still holds the
    file's git blob hash (the contract's `blob_sha`), taken by the main process after the loss."""
    src = tree(tmp_path / "src", 2)
    db = tmp_path / "o.db"
    r = cli("sync", str(src), "--db", str(db), "--quiet", "--workers", "1", "--file-timeout", "0.5",
            "--max-error-rate", "1", env={"ONTOSYNC_FAULT_SLOW_PARSE": "P1.md:30"})
    assert r.returncode == 0, r.stderr
    assert q(db, "SELECT path, status, error_kind, blob_sha FROM source_files ORDER BY path") == [
        ("pages/P0.md", "ok", None, git_blob_sha(page("P0", "Label 0").encode())),
        ("pages/P1.md", "failed", "timeout", git_blob_sha(page("P1", "Label 1").encode()))]
