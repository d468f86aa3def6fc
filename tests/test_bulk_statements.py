"""A large file's `statements` into a small table (store/bulk_statements.py): the indexes are dropped
and rebuilt inside the file's transaction, and the database ends exactly as with per-row upkeep."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ontosync.store import bulk_statements
from tests.test_semsql import layer, sync


def big_turtle(classes: int, label: str = "class") -> str:
    """`classes` classes, each with a label, a named parent and an existential restriction."""
    lines = ["@prefix owl: <http://www.w3.org/2002/07/owl#> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
             "@prefix ex: <http://purl.obolibrary.org/obo/EXB_> ."]
    for i in range(1, classes + 1):
        filler = (i * 7) % classes
        lines.append(f'ex:{i:05d} a owl:Class ; rdfs:label "{label} {i}" ; rdfs:subClassOf ex:{i // 2:05d} , '
                     f"[ a owl:Restriction ; owl:onProperty ex:part ; owl:someValuesFrom ex:{filler:05d} ] .")
    return "\n".join(lines) + "\n"


def schema(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name = 'statements' "
                            "ORDER BY name").fetchall()


def test_bulk_insert_equals_per_row_upkeep(tmp_path, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    (src / "big.ttl").write_text(big_turtle(900))
    taken = []
    real = bulk_statements.insert
    monkeypatch.setattr(bulk_statements, "insert", lambda *a: (taken.append(len(a[2])), real(*a))[1])
    sync(src, tmp_path / "bulk.db")
    assert taken and taken[0] > bulk_statements.MIN_ROWS  # the bulk path ran, once, for the big file
    monkeypatch.setattr(bulk_statements, "MIN_ROWS", 10**9)
    sync(src, tmp_path / "rows.db")
    assert len(taken) == 1
    assert layer(tmp_path / "bulk.db") == layer(tmp_path / "rows.db")
    assert schema(tmp_path / "bulk.db") == schema(tmp_path / "rows.db")
    assert {r[1] for r in schema(tmp_path / "bulk.db")} >= {"statements_spo", "statements_o", "statements_source_file"}


def test_a_big_file_into_a_table_holding_more_keeps_per_row_upkeep_and_ends_as_fresh(tmp_path, monkeypatch):
    """Two big files: the first goes into the empty table in bulk, the second finds as many rows
    there and keeps per-row upkeep, and so does an edit of the first (the second's rows stay). Each
    incremental state equals a fresh sync of the same tree."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.ttl").write_text(big_turtle(900))
    (src / "b.ttl").write_text(big_turtle(900, label="other").replace("EXB_", "EXC_"))
    taken = []
    real = bulk_statements.insert
    monkeypatch.setattr(bulk_statements, "insert", lambda *a: (taken.append(a[2][0][-1]), real(*a))[1])
    sync(src, tmp_path / "inc.db")
    assert taken == ["a.ttl"]
    (src / "a.ttl").write_text(big_turtle(950, label="renamed"))
    sync(src, tmp_path / "inc.db")
    assert taken == ["a.ttl"]
    sync(src, tmp_path / "fresh.db")
    assert layer(tmp_path / "inc.db") == layer(tmp_path / "fresh.db")
    assert schema(tmp_path / "inc.db") == schema(tmp_path / "fresh.db")


def test_applies_only_when_the_rows_outnumber_the_table(tmp_path):
    conn = sqlite3.connect(tmp_path / "t.db")
    conn.execute("CREATE TABLE statements (subject TEXT)")
    n = bulk_statements.MIN_ROWS
    assert bulk_statements.applies(conn, n)
    assert not bulk_statements.applies(conn, n - 1)  # too few to pay for rebuilding
    conn.executemany("INSERT INTO statements VALUES (?)", [("x",)] * (n + 5))
    assert not bulk_statements.applies(conn, n + 5)
    assert bulk_statements.applies(conn, n + 6)


def test_a_first_sync_closure_with_its_index_rebuilt_equals_per_row_upkeep(tmp_path, monkeypatch):
    """The first sync writes `entailed_edge` with `entailed_edge_op` dropped and recreated; the rows and
    the index (its SQL as migration 005 wrote it) equal those of per-row upkeep."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "big.ttl").write_text(big_turtle(300))
    sync(src, tmp_path / "bulk.db")
    monkeypatch.setattr(bulk_statements, "is_sqlite", lambda conn: False)
    sync(src, tmp_path / "rows.db")
    assert layer(tmp_path / "bulk.db")["entailed_edge"] == layer(tmp_path / "rows.db")["entailed_edge"]
    assert len(layer(tmp_path / "bulk.db")["entailed_edge"]) > 600
    with sqlite3.connect(tmp_path / "bulk.db") as conn:
        assert conn.execute("SELECT sql FROM sqlite_master WHERE name = 'entailed_edge_op'").fetchone() == (
            "CREATE INDEX entailed_edge_op ON entailed_edge (object, predicate)",)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_rebuild_gives_the_page_cache_back(tmp_path):
    """The indexes are created with a larger page cache; the connection's own size is set back."""
    conn = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
    conn.execute("PRAGMA cache_size = -2000")
    conn.execute("CREATE TABLE statements (subject TEXT, object TEXT)")
    conn.execute("CREATE INDEX statements_o ON statements (object)")
    conn.execute("BEGIN")
    with bulk_statements.indexes_rebuilt(conn, "statements"):
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index'").fetchone() == (0,)
        conn.executemany("INSERT INTO statements VALUES (?, ?)", [(f"s{i}", f"o{i % 7}") for i in range(3000)])
    conn.execute("COMMIT")
    assert conn.execute("PRAGMA cache_size").fetchone() == (-2000,)
    assert conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index'").fetchall() == [
        ("CREATE INDEX statements_o ON statements (object)",)]
    assert conn.execute("SELECT count(*) FROM statements INDEXED BY statements_o WHERE object = 'o3'").fetchone() == (
        429,)
