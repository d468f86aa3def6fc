"""Issue 18: migration 012 makes the tables a save writes by their key one b-tree each.

`page_names`, `owl_class_hierarchy` and `file_properties` become WITHOUT ROWID tables and
`owl_axioms` loses AUTOINCREMENT (no `sqlite_sequence` write at each save). A database synced by
the release before (migrations 001-011; its bytes in tests/fixtures) upgrades with every row and
axiom id kept and verifies clean (quick_check too, which a sync runs first); after a sync it has
the schema and content a fresh sync makes. A first run killed before 012 (its deferred indexes
dropped and noted) is finished by the next run as before.
"""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from pathlib import Path

import pytest

from ontosync.store import deferred_indexes
from tests.helpers import CONTENT_TABLES, VOLATILE, cli, copy_example, dump_db

FIXTURE = Path(__file__).parent / "fixtures" / "release-11.db.gz"
REBUILT = ("page_names", "owl_class_hierarchy", "file_properties")
TABLES = (*REBUILT, "owl_axioms")
EXTRA_TTL = """@prefix ex: <http://example.org/x#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> .
ex:Thing a owl:Class ; rdfs:label "thing" ; oboInOwl:hasExactSynonym "object" ;
    rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:partOf ; owl:someValuesFrom ex:Whole ] .
ex:Whole a owl:Class ; rdfs:label "whole" .
ex:partOf a owl:ObjectProperty ; rdfs:label "part of" .
"""


def release_11(tmp_path: Path, name: str = "old.db") -> Path:
    """A database as release 11's code wrote it (migrations 001-011): tests/fixtures/release-11.db.gz
    is commit 273482d^'s `ontosync sync` of `tree_with_every_table`'s tree. Today's writer cannot
    make one (it writes columns later migrations add), so the bytes are kept."""
    db = tmp_path / name
    with gzip.open(FIXTURE) as src, open(db, "wb") as out:
        shutil.copyfileobj(src, out)
    return db


def tree_with_every_table(tmp_path: Path) -> Path:
    tree = copy_example(tmp_path)
    (tree / "extra.ttl").write_text(EXTRA_TTL, encoding="utf-8")
    return tree


def schema(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                            "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").fetchall()


def rows(db: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def dump(db: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(db) as conn:
        return dump_db(conn, (*CONTENT_TABLES, "file_synonyms"))


def kept(db: Path, before: dict[str, list[tuple]], columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """`db`'s rows in the columns release 11 had (later migrations add columns, NULL in old rows)."""
    with sqlite3.connect(db) as conn:
        return {t: sorted(conn.execute(f"SELECT {', '.join(columns[t])} FROM {t}").fetchall(), key=repr)
                for t in before}


def columns_of(db: Path) -> dict[str, list[str]]:
    """What `dump` reads of each table: its columns but the volatile ones."""
    with sqlite3.connect(db) as conn:
        return {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})") if r[1] not in VOLATILE]
                for t in (*CONTENT_TABLES, "file_synonyms")}


def test_an_old_database_upgrades_to_what_a_fresh_sync_makes(tmp_path):
    tree = tree_with_every_table(tmp_path)
    old, fresh = release_11(tmp_path), tmp_path / "fresh.db"
    assert rows(old, "SELECT max(version) FROM schema_migrations") == [(11,)]
    before, columns = dump(old), columns_of(old)
    for table in TABLES:  # the copy below is of real rows
        assert rows(old, f"SELECT count(*) FROM {table}")[0][0] > 0, table
    axiom_ids = rows(old, "SELECT id, subject, object, source_file FROM owl_axioms ORDER BY id")
    assert rows(old, "SELECT name FROM sqlite_sequence WHERE name = 'owl_axioms'") == [("owl_axioms",)]

    migrate = cli("migrate", "--db", old)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    assert kept(old, before, columns) == before
    assert rows(old, "SELECT id, subject, object, source_file FROM owl_axioms ORDER BY id") == axiom_ids
    assert rows(old, "SELECT name FROM sqlite_sequence WHERE name = 'owl_axioms'") == []
    check = cli("verify", "--db", old)
    assert check.returncode == 0, check.stdout + check.stderr
    assert rows(old, "PRAGMA quick_check") == [("ok",)]  # what a sync checks first (store/health.py)

    assert cli("sync", tree, "--db", old, "--quiet").returncode == 0  # today's parsers read every file again
    assert cli("sync", tree, "--db", fresh, "--quiet").returncode == 0
    assert schema(old) == schema(fresh)
    assert dump(old) == dump(fresh)
    for table in REBUILT:
        with pytest.raises(sqlite3.OperationalError, match="rowid"):
            rows(fresh, f"SELECT rowid FROM {table}")


def test_a_first_run_killed_before_the_upgrade_is_finished_after_it(tmp_path):
    """The killed run dropped the deferred indexes and noted them; 012 rebuilds `owl_axioms` with
    its indexes, and the next run clears the mark and ends with the fresh schema and content."""
    tree = tree_with_every_table(tmp_path)
    db, fresh = release_11(tmp_path, "db.sqlite"), tmp_path / "fresh.db"
    with sqlite3.connect(db, isolation_level=None) as conn:  # as a killed first run leaves it
        conn.execute("BEGIN IMMEDIATE")
        deferred_indexes.defer(conn)
        conn.execute("COMMIT")
    assert rows(db, "SELECT count(*) FROM sqlite_master WHERE name = ?", deferred_indexes.DEFERRED[0]) == [(0,)]

    assert cli("sync", tree, "--db", db, "--quiet", "--full").returncode == 0
    assert cli("sync", tree, "--db", fresh, "--quiet").returncode == 0
    assert rows(db, "SELECT value FROM sync_meta WHERE key = ?", deferred_indexes.PENDING_KEY) == []
    assert schema(db) == schema(fresh)
    assert dump(db) == dump(fresh)
    check = cli("verify", "--db", db)
    assert check.returncode == 0, check.stdout + check.stderr
