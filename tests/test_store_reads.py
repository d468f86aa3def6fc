"""The store's named reads: `status` through the Peewee models, and the one integrity check that
`verify`, `fetch-db` and the Action's restore share."""

from __future__ import annotations

import json
import sqlite3

import pytest

from ontosync.store.integrity import database_problems
from ontosync.store.models import MODELS
from ontosync.store.status import open_read_only, status_counts
from ontosync.store.upgrade import prepare_database
from tests.helpers import cli, copy_example


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    work = tmp_path_factory.mktemp("reads")
    tree = copy_example(work)
    (tree / "broken.ttl").write_text("@prefix : <http://x/> .\n:a :b \n", encoding="utf-8")
    db = work / "ontology.db"
    proc = cli("sync", str(tree), "--db", str(db), "--quiet")
    assert proc.returncode in (0, 1), proc.stderr
    return db


def test_every_model_matches_the_schema_the_migrations_create(tmp_path):
    db = tmp_path / "fresh.db"
    prepare_database(db)
    conn = sqlite3.connect(db)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for model in MODELS:
        table = model._meta.table_name
        assert table in tables, table
        columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        assert {f.column_name for f in model._meta.sorted_fields} == columns, table
    conn.close()


def test_status_counts_equal_plain_sql(synced):
    conn = sqlite3.connect(synced)
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    expected = {
        "files": {s: one(f"SELECT count(*) FROM source_files WHERE status = '{s}'")
                  for s in ("ok", "failed", "skipped")},
        "classes": one("SELECT count(*) FROM owl_classes WHERE source_file IS NOT NULL"),
        "referenced_only_classes": one("SELECT count(*) FROM owl_classes WHERE source_file IS NULL"),
        "hierarchy_edges": one("SELECT count(*) FROM owl_class_hierarchy"),
        "properties": one("SELECT count(*) FROM owl_properties"),
        "axioms": one("SELECT count(*) FROM owl_axioms"),
        "ontologies": [r[0] for r in conn.execute("SELECT ontology_id FROM ontologies ORDER BY 1")],
        "last_revision": None,
        "last_synced_at": one("SELECT max(synced_at) FROM source_files"),
        "failed_files": [{"path": p, "line": ln, "kind": k, "error": e} for p, e, ln, k in conn.execute(
            "SELECT path, error, error_line, error_kind FROM source_files WHERE status = 'failed' ORDER BY path")],
    }
    conn.close()
    db = open_read_only(synced)
    try:
        got = status_counts(db)
    finally:
        db.close()
    assert got == expected
    assert got["files"]["failed"] == 1 and got["classes"] > 0 and got["failed_files"][0]["path"] == "broken.ttl"
    proc = cli("status", "--db", str(synced), "--json")
    assert proc.returncode == 0, proc.stderr
    assert {k: v for k, v in json.loads(proc.stdout).items() if k in expected} == expected


def test_status_on_a_database_that_is_not_ontosyncs(tmp_path):
    db = tmp_path / "other.db"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.commit()
    proc = cli("status", "--db", str(db))
    assert proc.returncode == 2  # the wrong file, a usage error as `sync` says it (h165)
    assert proc.stderr.strip().startswith(f"ontosync: error: {db} is not an ontosync database:")
    assert "Traceback" not in proc.stderr


def test_the_integrity_check_names_foreign_key_violations_and_non_databases(synced, tmp_path):
    assert database_problems(synced) == []
    bad = tmp_path / "bad.db"
    bad.write_bytes(synced.read_bytes())
    conn = sqlite3.connect(bad)
    conn.execute("INSERT INTO file_classes (path, ontology_id, class_iri) VALUES ('nowhere.ttl', 'o', 'http://x/c')")
    conn.commit()
    conn.close()
    assert database_problems(bad) == ["foreign_key_check: table file_classes row "
                                      f"{_rowid(bad)} -> source_files"]
    proc = cli("verify", "--db", str(bad))
    assert proc.returncode == 3 and "foreign_key_check: table file_classes" in proc.stderr
    text = tmp_path / "notes.db"
    text.write_text("hello", encoding="utf-8")
    assert database_problems(text) == ["notes.db is not an SQLite database"]


def _rowid(db) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT max(rowid) FROM file_classes WHERE path = 'nowhere.ttl'").fetchone()[0]
    finally:
        conn.close()
