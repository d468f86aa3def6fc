"""`ontosync migrate` and `ontosync sync` on legacy databases, as a user runs them (in-process through
the CLI's main: the same exit codes and messages for a fraction of a new process's cost).

Exit codes from the contract: 0 done, 2 unknown shape (database untouched), 3 migration failure
(rolled back, the message names the backup).
"""

from __future__ import annotations

import importlib.util
import sqlite3
import subprocess
from pathlib import Path

import pytest

if importlib.util.find_spec("ontosync.cli") is None:  # the command line lands separately
    pytest.skip("ontosync.cli is not there yet", allow_module_level=True)

from ontosync.store import upgrade
from tests.helpers import cli
from tests.test_migrate import backups_in, build_l1, build_l3, dump

ROOT = Path(__file__).resolve().parents[1]

TURTLE = """\
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/new#> .
<http://example.org/new> a owl:Ontology .
ex:Thing a owl:Class ; rdfs:label "Thing" .
ex:Sub a owl:Class ; rdfs:label "Sub" ; rdfs:subClassOf ex:Thing .
"""


def ontosync(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`ontosync ARGS` run in `cwd`, in this process (tests.helpers.cli: the same exit code and
    output as `python -m ontosync` for a fraction of its cost); the migration fault hook is off
    unless `env` sets it."""
    return cli(*args, cwd=cwd, env={upgrade.FAULT_ENV: "", **(env or {})})


def test_migrate_an_l3_database(tmp_path):
    db = tmp_path / "ontology.db"
    build_l3(db)
    done = ontosync("migrate", "--db", str(db), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "L3" in done.stdout and "backup" in done.stdout
    [backup] = backups_in(tmp_path)
    assert str(backup) in done.stdout
    assert ontosync("verify", "--db", str(db), cwd=tmp_path).returncode == 0
    again = ontosync("migrate", "--db", str(db), cwd=tmp_path)
    assert again.returncode == 0 and "nothing to do" in again.stdout


def test_migrate_with_a_backup_dir_and_a_dry_run(tmp_path):
    db = tmp_path / "ontology.db"
    build_l1(db)
    raw = db.read_bytes()
    dry = ontosync("migrate", "--db", str(db), "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "dry run" in dry.stdout and "owl_classes" in dry.stdout
    assert db.read_bytes() == raw and backups_in(tmp_path) == []
    done = ontosync("migrate", "--db", str(db), "--backup-dir", str(tmp_path / "keep"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(backups_in(tmp_path / "keep")) == 1


def test_unknown_shape_exits_2_untouched(tmp_path):
    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()
    raw = db.read_bytes()
    for args in (("migrate", "--db", str(db)), ("sync", str(tmp_path / "tree"), "--db", str(db))):
        (tmp_path / "tree").mkdir(exist_ok=True)
        done = ontosync(*args, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert "Traceback" not in done.stderr
        assert db.read_bytes() == raw
    assert backups_in(tmp_path) == []


def test_a_failed_migration_exits_3_and_names_the_backup(tmp_path):
    db = tmp_path / "ontology.db"
    build_l3(db)
    content, raw = dump(db), db.read_bytes()
    done = ontosync("migrate", "--db", str(db), cwd=tmp_path, env={upgrade.FAULT_ENV: "convert"})
    assert done.returncode == 3
    [backup] = backups_in(tmp_path)
    assert str(backup) in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    assert dump(db) == content and db.read_bytes() == raw


def test_sync_on_an_l3_database_migrates_then_syncs(tmp_path):
    db = tmp_path / "ontology.db"
    exp = build_l3(db)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "onto.ttl").write_text(TURTLE, encoding="utf-8")

    done = ontosync("sync", str(tree), "--db", str(db), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(backups_in(tmp_path)) == 1
    conn = sqlite3.connect(db)
    try:
        assert (-3, "legacy_l3_to_current") in set(conn.execute("SELECT version, name FROM schema_migrations"))
        new = {r[0] for r in conn.execute("SELECT class_iri FROM owl_classes WHERE source_file = 'onto.ttl'")}
        assert new == {"http://example.org/new#Thing", "http://example.org/new#Sub"}
        legacy = set(conn.execute("SELECT ontology_id, class_iri FROM file_classes WHERE path LIKE 'legacy:L3/%'"))
        assert legacy == set(exp.classes)
        declared = set(conn.execute("SELECT ontology_id, class_iri FROM owl_classes WHERE source_file IS NOT NULL"))
        assert set(exp.classes) <= declared
        assert set(conn.execute("SELECT ontology_id, class_iri, parent_iri FROM owl_class_hierarchy")) >= exp.edges
    finally:
        conn.close()
    assert ontosync("verify", "--db", str(db), cwd=tmp_path).returncode == 0

    again = ontosync("sync", str(tree), "--db", str(db), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert len(backups_in(tmp_path)) == 1  # nothing left to migrate: no second backup
