"""Issue 18: fewer b-trees for a save to write, with the same database at the end.

- migration 011 drops `owl_classes_source_file`, which no query of ontosync used: an existing
  database upgrades, reads the same and verifies clean;
- a run into an empty database drops `owl_axioms_subject` (only the per-save change log needs it)
  and builds it at its end; a killed run leaves a mark, `verify` stays green, and the next run
  builds the index from the noted SQL before anything else.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ontosync.parsing import ParseOptions, parse_file
from ontosync.sources import git_blob_sha
from ontosync.store import deferred_indexes
from ontosync.store.changelog import ChangeLog
from ontosync.store.migrations import utc_now
from ontosync.store.repository import Repository
from tests.helpers import assert_equals_fresh_sync, cli, copy_example, database_at, dump_file


def index_sql(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))


def meta(db: Path, key: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT value FROM sync_meta WHERE key = ?", (key,)).fetchall()


def save_tree(repo: Repository, tree: Path, limit: int | None = None) -> int:
    """Save the tree's files in path order as the writer does; returns the number saved."""
    files = sorted(p for p in tree.rglob("*") if p.suffix in (".md", ".ttl"))[:limit]
    for p in files:
        data = p.read_bytes()
        rel = p.relative_to(tree).as_posix()
        repo.save_parsed(rel, git_blob_sha(data), len(data), parse_file(rel, data, ParseOptions()), utc_now())
    return len(files)


def test_011_drops_the_unused_index_and_an_old_database_reads_the_same(tmp_path):
    tree = copy_example(tmp_path)
    old, fresh = tmp_path / "old.db", tmp_path / "fresh.db"
    database_at(old, 9)
    assert "owl_classes_source_file" in index_sql(old)

    assert cli("sync", tree, "--db", old, "--quiet").returncode == 0
    assert cli("sync", tree, "--db", fresh, "--quiet").returncode == 0
    assert "owl_classes_source_file" not in index_sql(old)
    assert index_sql(old) == index_sql(fresh)
    assert dump_file(old) == dump_file(fresh)
    check = cli("verify", "--db", old)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_first_run_builds_the_deferred_index_at_its_end(tmp_path):
    tree = copy_example(tmp_path)
    made = tmp_path / "made.db"  # the schema as the migrations make it
    Repository(made).ensure_schema()
    db = tmp_path / "db.sqlite"
    repo = Repository(db)
    repo.ensure_schema()
    repo.changes = ChangeLog.start(repo, None, "test", utc_now())
    assert repo.changes.fresh
    assert "owl_axioms_subject" not in index_sql(db)  # the saves run without it
    assert save_tree(repo, tree) > 2
    repo.changes.finish(utc_now())
    repo.close()
    assert index_sql(db) == index_sql(made)
    assert meta(db, deferred_indexes.PENDING_KEY) == []
    with sqlite3.connect(db) as conn:  # the index holds every row (integrity_check compares them)
        assert conn.execute("SELECT count(*) FROM owl_axioms").fetchone()[0] > 0
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_a_later_run_keeps_the_index(tmp_path):
    tree = copy_example(tmp_path)
    db = tmp_path / "db.sqlite"
    assert cli("sync", tree, "--db", db, "--quiet").returncode == 0
    repo = Repository(db)
    repo.changes = ChangeLog.start(repo, None, "test", utc_now())
    assert not repo.changes.fresh
    assert "owl_axioms_subject" in index_sql(db)  # the per-save change log counts axioms through it
    repo.changes.finish(utc_now())
    repo.close()


def test_a_killed_first_run_leaves_a_mark_and_the_next_run_builds_the_index(tmp_path):
    tree = copy_example(tmp_path)
    made = tmp_path / "made.db"
    Repository(made).ensure_schema()
    db = tmp_path / "db.sqlite"
    repo = Repository(db)
    repo.ensure_schema()
    repo.changes = ChangeLog.start(repo, None, "test", utc_now())
    save_tree(repo, tree, limit=3)
    repo.close()  # killed: no finish(), what was committed stays
    assert "owl_axioms_subject" not in index_sql(db)
    [(noted,)] = meta(db, deferred_indexes.PENDING_KEY)
    assert index_sql(made)["owl_axioms_subject"] in noted
    check = cli("verify", "--db", db)
    assert check.returncode == 0, check.stdout + check.stderr

    assert cli("sync", tree, "--db", db, "--quiet").returncode == 0  # not empty: no new deferral
    assert index_sql(db) == index_sql(made)
    assert meta(db, deferred_indexes.PENDING_KEY) == []
    assert_equals_fresh_sync(tree, db, tmp_path)


def test_restore_skips_an_index_that_exists(tmp_path):
    """A mark left beside an index already built (a crash between the two) builds nothing twice."""
    db = tmp_path / "db.sqlite"
    repo = Repository(db)
    repo.ensure_schema()
    with repo.transaction():
        deferred_indexes.defer(repo.conn)
        sql = deferred_indexes.pending(repo.conn)[0]
        repo.conn.execute(sql)
        deferred_indexes.restore(repo.conn)
    repo.close()
    assert meta(db, deferred_indexes.PENDING_KEY) == []
    assert "owl_axioms_subject" in index_sql(db)


def test_a_planted_mark_runs_no_sql_but_the_deferred_indexes_own(tmp_path):
    """The mark lives in the database, which may come from elsewhere (an artifact, a fork's run):
    a statement in it that is not one of the deferred indexes' definitions is never executed."""
    tree = copy_example(tmp_path)
    db = tmp_path / "o.db"
    assert cli("sync", tree, "--db", db, "--quiet").returncode == 0
    planted = tmp_path / "planted.db"
    with sqlite3.connect(db) as conn:
        conn.execute("DROP INDEX owl_axioms_subject")
        good = index_sql(tmp_path / "o.db").get("owl_axioms_subject")  # gone: take the migration's text
        assert good is None
        conn.execute("INSERT INTO sync_meta (key, value) VALUES (?, ?)", (deferred_indexes.PENDING_KEY, json.dumps([
            f"ATTACH DATABASE '{planted}' AS planted",
            "CREATE INDEX owl_axioms_subject ON owl_axioms (ontology_id, subject, axiom_type, object)",
            "CREATE TRIGGER owl_axioms_x AFTER INSERT ON owl_axioms BEGIN DELETE FROM owl_classes; END",
        ])))
    assert cli("sync", tree, "--db", db, "--quiet").returncode == 0
    assert not planted.exists()
    names = index_sql(db)
    assert "owl_axioms_subject" in names and "owl_axioms_x" not in names
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").fetchone()[0] == 0
    assert meta(db, deferred_indexes.PENDING_KEY) == []
