"""Issue 18's changes to the write path keep the database what it was (the figures are in bench/).

- migration 008 drops three indexes that other indexes answer for; an existing database upgrades
  in place, reads the same and verifies clean, and the queries that used them still seek an index;
- the layer notes the CURIE prefixes of the rows it writes instead of reading them back at the end
  of the run: the noted set equals the SQL scan it replaces, on every row of a synced tree.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ontosync.store.search import _ALL, _ROW
from ontosync.store.semsql import curie_prefixes
from tests.helpers import cli, copy_example, database_at, dump_file

DROPPED = {"owl_axioms_ontology", "statements_spv", "statements_p"}


def indexes(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def database_at_006(db: Path) -> None:
    """A database as the release before migration 008 left it (schema 001-006)."""
    database_at(db, 6)


def test_a_database_before_008_upgrades_and_reads_the_same(tmp_path):
    tree = copy_example(tmp_path)
    old, fresh = tmp_path / "old.db", tmp_path / "fresh.db"
    database_at_006(old)
    assert indexes(old) >= DROPPED

    assert cli("sync", tree, "--db", old, "--quiet").returncode == 0
    assert cli("sync", tree, "--db", fresh, "--quiet").returncode == 0

    assert not DROPPED & indexes(old)
    assert not DROPPED & indexes(fresh)
    assert {"statements_spo", "statements_o", "statements_source_file", "owl_axioms_subject"} <= indexes(old)
    assert dump_file(old) == dump_file(fresh)
    with sqlite3.connect(old) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
        assert 8 in versions and conn.execute("SELECT count(*) FROM statements").fetchone()[0] > 0
    check = cli("verify", "--db", old)
    assert check.returncode == 0, check.stdout + check.stderr


def test_lookups_by_subject_still_seek_an_index(tmp_path):
    """The search rows read labels, synonyms and the declaring file by subject: with statements_spv
    and statements_p gone each lookup must still be an index seek, never a scan of `statements`."""
    tree = copy_example(tmp_path)
    db = tmp_path / "db.sqlite"
    assert cli("sync", tree, "--db", db, "--quiet").returncode == 0
    with sqlite3.connect(db) as conn:
        for sql, args in ((_ROW, {"c": "x:y"}), (_ALL, {})):  # EXPLAIN runs nothing, the INSERT included
            plan = [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args)]
            assert [p for p in plan if "statements_spo" in p]
            assert not [p for p in plan if p.startswith("SCAN statements")], plan


def test_noted_prefixes_equal_the_scan_they_replace(tmp_path):
    tree = copy_example(tmp_path)
    db = tmp_path / "db.sqlite"
    assert cli("sync", tree, "--db", db, "--quiet").returncode == 0
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT stanza, subject, predicate, object FROM statements").fetchall()
        scanned = {r[0] for r in conn.execute(
            "SELECT DISTINCT substr(x, 1, instr(x, ':') - 1) FROM (SELECT subject AS x FROM statements "
            "UNION SELECT object FROM statements UNION SELECT predicate FROM statements) WHERE instr(x, ':') > 1")}
    assert len(rows) > 20 and len(scanned) > 3
    assert curie_prefixes(rows) == scanned
    # odd values: no colon, a leading colon, NULL, a blank node
    odd = [(None, "plain", ":x", None), (None, "_:b1", "p:q", "http://e/x")]
    assert curie_prefixes(odd) == {"_", "p", "http"}


def closure_after_rebuild(db: Path, copy: Path, chunk: int, monkeypatch) -> list[tuple]:
    """entailed_edge after a full rebuild of a damaged copy: rows missing, stale rows of subjects
    that are no node (sorting before and after every real one) and bogus rows of real subjects."""
    import shutil

    from ontosync.parsing import DEFAULT_NAMESPACES
    from ontosync.store import closure
    from ontosync.store.semsql import ReadersLayer

    shutil.copy(db, copy)
    monkeypatch.setattr(closure, "CLOSURE_CHUNK", chunk)
    conn = sqlite3.connect(copy, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM entailed_edge WHERE length(subject || object) % 3 = 0")
        conn.execute("INSERT INTO entailed_edge VALUES ('AAA:gone', 'rdfs:subClassOf', 'x:y'), "
                     "('zzz:gone', 'rdfs:subClassOf', 'x:y')")
        conn.execute("INSERT OR IGNORE INTO entailed_edge SELECT DISTINCT subject, 'rdfs:subClassOf', 'bogus:1' "
                     "FROM entailed_edge")
        closure.refresh(conn, ReadersLayer(DEFAULT_NAMESPACES).curies, set(), set())
        conn.execute("COMMIT")
        return conn.execute("SELECT subject, predicate, object FROM entailed_edge ORDER BY 1, 2, 3").fetchall()
    finally:
        conn.close()


def test_the_closure_rebuilt_in_chunks_equals_the_synced_one(tmp_path, monkeypatch):
    """The full rebuild compares and writes the closure a chunk of subjects at a time; with chunks of
    two subjects or one chunk for all, it comes back to exactly what the sync wrote."""
    tree = copy_example(tmp_path)
    db = tmp_path / "db.sqlite"
    assert cli("sync", tree, "--db", db, "--quiet").returncode == 0
    with sqlite3.connect(db) as conn:
        synced = conn.execute("SELECT subject, predicate, object FROM entailed_edge ORDER BY 1, 2, 3").fetchall()
    assert len({s for s, _, _ in synced}) > 6
    assert closure_after_rebuild(db, tmp_path / "small.db", 2, monkeypatch) == synced
    assert closure_after_rebuild(db, tmp_path / "one.db", 10**6, monkeypatch) == synced
