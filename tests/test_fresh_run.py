"""Issue 18: a run into an empty database saves a new file without looking for rows it cannot have.

Its saves skip the `source_files` look-up, the `owl_axioms` and layer deletes and the layer's
`readers_stale` read (store/fresh_run.py), and run without the indexes only reads by path need
(store/deferred_indexes.py); the database is the one plain saves make, a path saved twice in the
run is cleaned up the second time, and a file left by an earlier run (whose content held no class,
property or axiom, so the change log still calls the run fresh) is looked up.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ontosync.parsing import ParseOptions, parse_file
from ontosync.sources import git_blob_sha
from ontosync.store import deferred_indexes
from ontosync.store.changelog import ChangeLog
from ontosync.store.migrations import utc_now
from ontosync.store.repository import Repository
from tests.helpers import CONTENT_TABLES, copy_example, dump_db

TABLES = (*CONTENT_TABLES, "file_synonyms", "statements", "entailed_edge")

SKIPPED = ("SELECT 1 FROM source_files", "DELETE FROM owl_axioms WHERE source_file",
           "DELETE FROM statements WHERE source_file", "SELECT value FROM sync_meta WHERE key = 'readers_stale'")

TEMP_SCANS = ("SCAN a", "SCAN CONSTANT ROW")  # the save's temp tables (aff_*, aliased `a`) and VALUES


def index_names(conn: sqlite3.Connection) -> list[str]:
    return [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")]


def start_run(db: Path, first_run: bool = True) -> Repository:
    """A run as the sync opens it; `first_run=False`: saves as an incremental run's, into the same
    empty database (no change log, no deferred layer), the reference the first run must equal."""
    repo = Repository(db)
    repo.ensure_schema()
    if first_run:
        repo.changes = ChangeLog.start(repo, None, "test", utc_now())
        repo.readers.begin_run(repo)
    return repo


def end_run(repo: Repository) -> None:
    repo.refresh_readers()
    if repo.changes is not None:
        repo.changes.finish(utc_now())
    repo.close()


def dump(db: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(db) as conn:
        return dump_db(conn, TABLES)


def saved(db: Path, files: list[tuple[str, bytes]], first_run: bool = True) -> dict[str, list[tuple]]:
    repo = start_run(db, first_run)
    for rel, data in files:
        save(repo, rel, data)
    end_run(repo)
    return dump(db)


def save(repo: Repository, rel: str, data: bytes) -> None:
    repo.save_parsed(rel, git_blob_sha(data), len(data), parse_file(rel, data, ParseOptions()), utc_now())


def files_of(tree: Path) -> list[tuple[str, bytes]]:
    return [(p.relative_to(tree).as_posix(), p.read_bytes()) for p in sorted(tree.rglob("*"))
            if p.is_file() and p.suffix in (".md", ".ttl", ".owl", ".rdf")]


def test_a_first_runs_saves_skip_the_lookups_and_make_the_same_database(tmp_path):
    tree = copy_example(tmp_path)
    db = tmp_path / "first.db"
    repo = start_run(db)
    seen: list[str] = []
    repo.conn.set_trace_callback(seen.append)
    files = files_of(tree)
    for rel, data in files:
        save(repo, rel, data)
    repo.conn.set_trace_callback(None)
    assert len(files) > 5 and any(rel.endswith(".ttl") for rel, _ in files)
    assert [s for s in seen if s.lstrip().startswith(SKIPPED)] == []
    # the indexes a first run builds at its end (store/deferred_indexes.py): no read of a file's
    # rows by path scans a table for want of them
    assert not set(deferred_indexes.DEFERRED) & set(index_names(repo.conn))
    by_path = {s for s in seen if "path = " in s or "source_file = " in s}
    assert by_path
    scans = {s: plan for s in by_path if (plan := [r[3] for r in repo.conn.execute("EXPLAIN QUERY PLAN " + s)
                                                   if r[3].startswith("SCAN ") and r[3] not in TEMP_SCANS])}
    assert scans == {}
    end_run(repo)
    assert set(deferred_indexes.DEFERRED) <= set(index_names(sqlite3.connect(db)))
    assert dump(db) == saved(tmp_path / "reference.db", files, first_run=False)


def test_a_path_saved_twice_in_a_first_run_keeps_only_its_last_version(tmp_path):
    tree = copy_example(tmp_path)
    files = files_of(tree)
    rel, data = next((r, d) for r, d in files if r.endswith(".ttl"))
    page, text = next((r, d) for r, d in files if r.endswith(".md") and b"::" in d)
    repo = start_run(tmp_path / "twice.db")
    save(repo, rel, data)
    save(repo, page, text)
    for r, d in files:  # every file, the two above again: their first rows must go
        save(repo, r, d)
    end_run(repo)
    assert dump(tmp_path / "twice.db") == saved(tmp_path / "once.db", files)


def test_a_file_left_by_an_earlier_run_is_looked_up(tmp_path):
    db = tmp_path / "left.db"
    repo = start_run(db)  # a triple, no class: the next run still starts "fresh" for the change log
    save(repo, "data.ttl", b"<http://example.org/a> <http://example.org/p> <http://example.org/old> .\n")
    end_run(repo)
    repo = start_run(db)
    assert repo.changes.fresh
    assert not repo.readers.deferred  # the database holds statements: the layer keeps per-file rows
    save(repo, "data.ttl", b"<http://example.org/a> <http://example.org/p> <http://example.org/new> .\n")
    assert set(deferred_indexes.BY_PATH) <= set(index_names(repo.conn))  # it reads by path: built first
    end_run(repo)
    with sqlite3.connect(db) as conn:
        objects = [o for (o,) in conn.execute("SELECT object FROM statements WHERE source_file = 'data.ttl'")]
    assert objects == ["http://example.org/new"]
