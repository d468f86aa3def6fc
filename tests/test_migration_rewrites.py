"""Released migrations rewritten for readability (store/migrations.py, REWRITTEN).

The released texts of 001 and 005 are kept under tests/fixtures/released_migrations/ as the
evidence: a database migrated by them is still accepted, the rewrite builds the same schema, and
any other changed checksum is still refused."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from ontosync.store import migrations
from ontosync.store.upgrade import MigrationFailed, migrate, prepare_database
from tests.helpers import ROOT, cli, copy_example

RELEASED = ROOT / "tests" / "fixtures" / "released_migrations"
RELEASED_FILES = sorted(p.name for p in RELEASED.glob("*.sql"))


def _released_dir(tmp_path: Path) -> Path:
    """Today's migrations with 001 and 005 as they were released."""
    folder = tmp_path / "released"
    shutil.copytree(ROOT / "migrations", folder)
    for name in RELEASED_FILES:
        shutil.copy(RELEASED / name, folder / name)
    return folder


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _recorded(db: Path) -> dict[int, str]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT version, checksum FROM schema_migrations"))
    finally:
        conn.close()


def _schema(db: Path) -> list[tuple[str, str, str]]:
    """Every object of the database (type, name, its SQL with white space folded), sorted by name:
    the rewrite regroups 005's views, which moves them in sqlite_master but not what they are."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    finally:
        conn.close()
    return sorted((kind, name, " ".join((sql or "").split())) for kind, name, sql in rows)


@pytest.fixture
def released_db(tmp_path, monkeypatch):
    """A database synced by the release: its schema_migrations holds the released checksums."""
    monkeypatch.setenv("ONTOSYNC_MIGRATIONS_DIR", str(_released_dir(tmp_path)))
    db = tmp_path / "ontology.db"
    tree = copy_example(tmp_path)
    proc = cli("sync", str(tree), "--db", str(db), "--quiet")
    assert proc.returncode == 0, proc.stderr
    monkeypatch.delenv("ONTOSYNC_MIGRATIONS_DIR")
    return db, tree


def test_every_released_text_kept_here_maps_to_the_file_that_replaced_it():
    assert RELEASED_FILES == ["001_initial.sql", "005_semantic_sql.sql"]
    for name in RELEASED_FILES:
        old, new = _sha(RELEASED / name), _sha(ROOT / "migrations" / name)
        assert old != new, name
        assert migrations.REWRITTEN[old] == new, name
    assert len(migrations.REWRITTEN) == len(RELEASED_FILES)


def test_a_database_migrated_by_the_released_text_is_accepted(released_db):
    db, tree = released_db
    released = {int(name[:3]): _sha(RELEASED / name) for name in RELEASED_FILES}
    assert {v: _recorded(db)[v] for v in released} == released
    raw = db.read_bytes()

    proc = cli("migrate", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert not migrate(db).changed
    assert not prepare_database(db).changed
    assert db.read_bytes() == raw  # nothing to do, and the recorded checksums stay the released ones

    (tree / "added.ttl").write_text("@prefix : <http://example.org/added#> .\n"
                                    "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                                    ":Added a owl:Class .\n", encoding="utf-8")
    proc = cli("sync", str(tree), "--db", str(db), "--quiet")
    assert proc.returncode == 0, proc.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM owl_classes WHERE class_iri = 'http://example.org/added#Added'"
                        ).fetchone()[0] == 1
    conn.close()
    assert cli("verify", "--db", str(db)).returncode == 0
    assert {v: _recorded(db)[v] for v in released} == released


def test_without_the_rewritten_table_that_database_would_be_refused(released_db, monkeypatch):
    """What makes the previous test pass is REWRITTEN, not a check that lets anything through."""
    db, _ = released_db
    monkeypatch.setattr(migrations, "REWRITTEN", {})
    with pytest.raises(MigrationFailed, match=r"001_initial\.sql changed after it was applied"):
        prepare_database(db)


def test_the_rewrite_builds_the_schema_the_release_built(tmp_path, monkeypatch):
    monkeypatch.setenv("ONTOSYNC_MIGRATIONS_DIR", str(_released_dir(tmp_path)))
    prepare_database(tmp_path / "released.db")
    monkeypatch.delenv("ONTOSYNC_MIGRATIONS_DIR")
    prepare_database(tmp_path / "rewritten.db")
    released, rewritten = _schema(tmp_path / "released.db"), _schema(tmp_path / "rewritten.db")
    assert len(released) > 100  # every table, index and view of all migrations
    assert rewritten == released


def test_the_schema_comparison_sees_a_changed_view(tmp_path, monkeypatch):
    """The comparison above can fail: one view's predicate changed is a different schema."""
    folder = _released_dir(tmp_path)
    text = (folder / "005_semantic_sql.sql").read_text(encoding="utf-8")
    (folder / "005_semantic_sql.sql").write_text(text.replace("'owl:sameAs'", "'owl:differentFrom'"),
                                                 encoding="utf-8")
    monkeypatch.setenv("ONTOSYNC_MIGRATIONS_DIR", str(folder))
    prepare_database(tmp_path / "changed.db")
    monkeypatch.delenv("ONTOSYNC_MIGRATIONS_DIR")
    prepare_database(tmp_path / "rewritten.db")
    assert _schema(tmp_path / "changed.db") != _schema(tmp_path / "rewritten.db")


@pytest.mark.parametrize("name", RELEASED_FILES)
def test_any_other_change_is_still_refused(released_db, tmp_path, monkeypatch, name):
    """A released database meets a file edited once more: the pair no longer holds, so it is refused
    untouched; so is a database that recorded a checksum no release wrote."""
    db, _ = released_db
    folder = tmp_path / "edited"
    shutil.copytree(ROOT / "migrations", folder)
    path = folder / name
    path.write_text(path.read_text(encoding="utf-8") + "-- edited afterwards\n", encoding="utf-8")
    monkeypatch.setenv("ONTOSYNC_MIGRATIONS_DIR", str(folder))
    raw = db.read_bytes()
    with pytest.raises(MigrationFailed, match=rf"{name.replace('.', '[.]')} changed after it was applied"):
        prepare_database(db)
    assert db.read_bytes() == raw
    proc = cli("sync", str(tmp_path / "tree"), "--db", str(db), "--quiet",
                   env={"ONTOSYNC_MIGRATIONS_DIR": str(folder)})
    assert proc.returncode != 0 and f"{name} changed after it was applied" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr

    monkeypatch.delenv("ONTOSYNC_MIGRATIONS_DIR")
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE schema_migrations SET checksum = ? WHERE version = ?", ("0" * 64, int(name[:3])))
    conn.close()
    with pytest.raises(MigrationFailed, match=r"changed after it was applied"):
        prepare_database(db)
