"""Issue 13.5: a database from a newer ontosync is never written by an older one.

A database whose `schema_migrations` holds a version this release does not have is refused by
`sync` and `migrate` (exit 3, one line, before anything is written); `verify` and `status` still
read it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.helpers import cli, copy_example, dump_file


def raw_dump(db: Path) -> list:
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")]
        return [(t, sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)) for t in tables]
    finally:
        conn.close()


@pytest.fixture
def newer(tmp_path) -> tuple[Path, Path]:
    tree = copy_example(tmp_path)
    db = tmp_path / "o.db"
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("CREATE TABLE future_things (x TEXT)")
        conn.execute("INSERT INTO schema_migrations (version, name, applied_at, checksum, execution_time_ms) "
                     "VALUES (999, 'from_the_future', '2030-01-01', 'abc', 1)")
    conn.close()
    (tree / "new.ttl").write_text("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                                  "<http://example.org/new#N> a owl:Class .\n")
    return tree, db


def test_sync_refuses_a_newer_database_before_writing(newer):
    tree, db = newer
    before = raw_dump(db)
    proc = cli("sync", str(tree), "--db", str(db), "--quiet", "--full")
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "newer ontosync" in lines[0] and "999" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert raw_dump(db) == before


def test_migrate_refuses_a_newer_database(newer):
    _tree, db = newer
    before = raw_dump(db)
    proc = cli("migrate", "--db", str(db))
    assert proc.returncode == 3 and "newer ontosync" in proc.stderr and "Traceback" not in proc.stderr
    assert raw_dump(db) == before


def test_verify_and_status_still_read_a_newer_database(newer):
    _tree, db = newer
    assert cli("verify", "--db", str(db)).returncode == 0
    status = cli("status", "--db", str(db))
    assert status.returncode == 0, status.stderr
    classes = dump_file(db)["owl_classes"]
    assert f"{sum(1 for c in classes if c[4] is not None)} declared" in status.stdout
