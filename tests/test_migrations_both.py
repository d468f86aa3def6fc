"""Issue 15: the schema's migration guarantees on both backends (the `backend` fixture,
tests/conftest.py: a SQLite file, then a fresh schema on the PostgreSQL server, skipped without one
and required in CI).

Each dialect has its own numbered migrations (migrations/, migrations/postgresql/); on both:
every shipped migration is recorded with its checksum, re-running is a no-op, a migration changed
after it was applied and a schema newer than the release are refused with exit 3 in one line
before anything is written, and a migration is applied in a transaction (one that fails leaves
nothing of itself behind, exit 3, and the next good one applies).

What stays SQLite-only, and why: the legacy shapes and their conversion (tests/test_migrate.py:
databases from before ontosync's schema were only ever SQLite files), the backup file taken before
a migration and `--dry-run` (a file copy; on PostgreSQL a migration is one transaction, and
`migrate --dry-run` says so), and a damaged file header (tests/test_exit_codes.py).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from ontosync.store.migrations import available_migrations
from tests.helpers import ROOT, cli, copy_example
from tests.postgres_server import connect


@pytest.fixture
def migs(tmp_path, monkeypatch) -> Path:
    """A private copy of migrations/ that the commands use (ONTOSYNC_MIGRATIONS_DIR) and a test may edit."""
    folder = tmp_path / "migrations"
    shutil.copytree(ROOT / "migrations", folder)
    monkeypatch.setenv("ONTOSYNC_MIGRATIONS_DIR", str(folder))
    return folder


def dialect_dir(backend, migs: Path) -> Path:
    return migs if backend.schema is None else migs / "postgresql"


def query(backend, sql: str) -> list[tuple]:
    """Rows of `sql` on the backend's database (the source's schema on PostgreSQL)."""
    if backend.schema is None:
        conn = sqlite3.connect(backend.db)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(f'SET search_path = "{backend.schema}"')
        cur.execute(sql)
        return cur.fetchall()
    finally:
        conn.close()


def applied(backend) -> list[tuple]:
    return query(backend, "SELECT version, name, checksum FROM schema_migrations ORDER BY version")


def has_table(backend, name: str) -> bool:
    if backend.schema is None:
        return bool(query(backend, f"SELECT 1 FROM sqlite_master WHERE name = '{name}'"))
    return query(backend, f"SELECT to_regclass('{name}') IS NOT NULL")[0][0]


def synced(backend, tmp_path: Path) -> Path:
    tree = copy_example(tmp_path)
    proc = cli("sync", str(tree), "--db", backend.db, "--quiet", "--checkpoint", str(tmp_path / "c.json"))
    assert proc.returncode == 0, proc.stderr
    return tree


def sync_again(backend, tree: Path, tmp_path: Path):
    """A sync that would write: one file added since the last."""
    (tree / "added.ttl").write_text("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                                    "<http://example.org/added#A> a owl:Class .\n", encoding="utf-8")
    return cli("sync", str(tree), "--db", backend.db, "--quiet", "--checkpoint", str(tmp_path / "c.json"))


def refused(proc, *words: str) -> None:
    """Exit 3, one line on stderr holding `words`, no traceback."""
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 3, proc.stderr
    assert len(lines) == 1 and all(w in lines[0] for w in words), proc.stderr
    assert "Traceback" not in proc.stderr


def test_every_migration_is_recorded_and_rerunning_changes_nothing(backend, migs, tmp_path):
    synced(backend, tmp_path)
    shipped = [(m.version, m.name, m.checksum) for m in available_migrations(dialect_dir(backend, migs))]
    assert applied(backend) == shipped and len(shipped) >= 4
    before = backend.dump()
    proc = cli("migrate", "--db", backend.db)
    assert proc.returncode == 0, proc.stderr
    assert applied(backend) == shipped
    assert backend.dump() == before


def test_a_changed_migration_is_refused_before_writing(backend, migs, tmp_path):
    tree = synced(backend, tmp_path)
    before = backend.dump()
    first = sorted(dialect_dir(backend, migs).glob("001_*.sql"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n-- edited after it was applied\n", encoding="utf-8")
    refused(sync_again(backend, tree, tmp_path), first.name, "changed after it was applied")
    refused(cli("migrate", "--db", backend.db), first.name, "changed after it was applied")
    assert backend.dump() == before


def test_a_newer_schema_is_refused_before_writing(backend, tmp_path):
    tree = synced(backend, tmp_path)
    query_write(backend, "INSERT INTO schema_migrations (version, name, applied_at, checksum, execution_time_ms) "
                         "VALUES (999, 'from_the_future', '2030-01-01', 'abc', 1)")
    before = backend.dump()
    refused(sync_again(backend, tree, tmp_path), "newer", "999")
    refused(cli("migrate", "--db", backend.db), "newer", "999")
    assert backend.dump() == before


def test_a_failing_migration_leaves_nothing_and_a_good_one_applies(backend, migs, tmp_path):
    tree = synced(backend, tmp_path)
    before, recorded = backend.dump(), applied(backend)
    bad = dialect_dir(backend, migs) / "900_half_done.sql"
    bad.write_text("CREATE TABLE half_done (x INTEGER);\nINSERT INTO half_done VALUES (1);\n"
                   "INSERT INTO no_such_table VALUES (1);\n", encoding="utf-8")
    refused(sync_again(backend, tree, tmp_path), "900_half_done.sql")
    assert not has_table(backend, "half_done")
    assert applied(backend) == recorded and backend.dump() == before

    bad.write_text("CREATE TABLE half_done (x INTEGER);\nINSERT INTO half_done VALUES (1);\n", encoding="utf-8")
    proc = cli("migrate", "--db", backend.db)
    assert proc.returncode == 0, proc.stderr
    assert [v for v, _, _ in applied(backend)] == [v for v, _, _ in recorded] + [900]
    assert query(backend, "SELECT x FROM half_done") == [(1,)]


def query_write(backend, sql: str) -> None:
    if backend.schema is None:
        conn = sqlite3.connect(backend.db)
        with conn:
            conn.execute(sql)
        conn.close()
        return
    conn = connect()
    try:
        conn.cursor().execute(f'SET search_path = "{backend.schema}"; {sql}')
    finally:
        conn.close()
