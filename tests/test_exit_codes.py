"""Issue 13.7: exit codes mean what the contract says (sections 1 and 9).

A damaged database is exit 3 before anything is written (a quick_check at the start); a database
another writer holds while the schema is created is exit 4 naming that writer, not 3; database
errors never reach the user as a traceback. (Busy during the sync itself: tests/test_sync_lock.py.)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.helpers import EXAMPLE, WriteLockHolder, cli, copy_example, run_cli


@pytest.fixture
def synced(tmp_path) -> tuple[Path, Path]:
    tree = copy_example(tmp_path)
    db = tmp_path / "o.db"
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    return tree, db


def one_line(proc, *words: str) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.strip().splitlines() if not line.startswith("ontosync: 0 files")]
    assert len(lines) == 1, proc.stderr
    assert all(w in lines[0] for w in words), lines[0]
    return lines[0]


def corrupt_a_page(db: Path, table: str) -> None:
    """Overwrite one b-tree page of `table` with garbage, as a bad disk or a stray write would."""
    conn = sqlite3.connect(db)
    page = conn.execute("SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno DESC LIMIT 1", (table,)).fetchone()
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    assert page, f"no page of {table}"
    with open(db, "r+b") as fh:
        fh.seek((page[0] - 1) * size + 8)
        fh.write(b"\xa5" * (size - 16))


def test_damaged_database_is_exit_3_before_anything_is_written(synced):
    tree, db = synced
    corrupt_a_page(db, "owl_axioms")
    before = db.read_bytes()
    proc = run_cli("sync", str(tree), "--db", str(db), "--quiet")  # the exit status of `python -m ontosync`
    assert proc.returncode == 3, proc.stderr
    one_line(proc, "damaged", str(db), "Nothing was written")
    assert db.read_bytes() == before
    assert cli("verify", "--db", str(db)).returncode == 3


def test_a_damaged_header_is_exit_3_and_migrate_refuses_it_untouched(tmp_path):
    db = tmp_path / "junk.db"
    db.write_bytes(b"SQLite format 3\0" + bytes(range(256)) * 40)
    raw = db.read_bytes()
    for args, code in ((("sync", str(EXAMPLE), "--quiet"), 3), (("status",), 3), (("verify",), 3),
                       (("migrate",), 2)):
        proc = cli(*args, "--db", str(db))
        assert proc.returncode == code, (args, proc.stderr)
        assert "Traceback" not in proc.stderr, proc.stderr
    assert db.read_bytes() == raw


def test_writer_holding_a_new_database_is_exit_4_naming_it(tmp_path):
    if not EXAMPLE.is_dir():
        pytest.skip(f"{EXAMPLE} is missing")
    db = tmp_path / "new.db"
    with WriteLockHolder(db) as writer:
        proc = cli("sync", str(EXAMPLE), "--db", str(db), "--quiet", "--busy-timeout", "0.5")
    assert proc.returncode == 4, proc.stderr
    one_line(proc, "busy", f"pid {writer.pid}")
    assert cli("sync", str(EXAMPLE), "--db", str(db), "--quiet").returncode == 0
