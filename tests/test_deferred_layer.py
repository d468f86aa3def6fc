"""A first run's derived layer, written once at its end (store/semsql_deferred.py), equals what the
per-file path writes: on the example (both paths synced) and on the corpus (every page's rows derived
again by the per-file code from the session's first sync); a first run killed half-way and resumed
equals a fresh sync; `verify` passes on the killed run's database."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from ontosync.cli import main
from ontosync.parsing import DEFAULT_NAMESPACES
from ontosync.store import closure, semsql_deferred
from ontosync.store.referenced_labels import REFERENCED
from ontosync.store.repository import Repository
from ontosync.store.semsql import COLUMNS, ReadersLayer
from tests.helpers import EXAMPLE, q

TABLES = ("statements", "prefix", "entailed_edge")


def sync(src: Path, db: Path) -> int:
    return main(["sync", str(src), "--db", str(db), "--quiet", "--workers", "1"])


def layer(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        found = {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}
        found["class_search"] = conn.execute(
            "SELECT curie, label, synonyms, definition, source_file FROM class_search ORDER BY curie").fetchall()
        found["fts"] = conn.execute("SELECT c.curie FROM class_search_fts f JOIN class_search c ON c.id = f.rowid "
                                    "WHERE class_search_fts MATCH 'robot*' ORDER BY c.curie").fetchall()
        return found
    finally:
        conn.close()


@pytest.fixture
def derived_calls(monkeypatch) -> list[int]:
    """How many times the end of a run derived the layer set-based (the real function runs)."""
    calls: list[int] = []
    real = semsql_deferred.derive_all

    def counted(conn, readers):
        calls.append(1)
        real(conn, readers)

    monkeypatch.setattr(semsql_deferred, "derive_all", counted)
    return calls


def test_example_deferred_equals_per_file(tmp_path: Path, monkeypatch, derived_calls) -> None:
    from tests.test_ofn import STRICT

    tree = tmp_path / "tree"
    shutil.copytree(EXAMPLE, tree)
    (tree / "animals.ofn").write_bytes(STRICT)  # a functional-syntax file: derived rows too
    deferred, per_file = tmp_path / "deferred.db", tmp_path / "per_file.db"
    assert sync(tree, deferred) == 0
    assert derived_calls == [1]
    monkeypatch.setattr(ReadersLayer, "defer_first_run", False)
    assert sync(tree, per_file) == 0
    assert derived_calls == [1]
    got, want = layer(deferred), layer(per_file)
    assert got == want
    assert len(got["statements"]) > 50 and got["entailed_edge"] and got["fts"]
    # the derived rows are there (a page's class and its relationship restriction), not only core.ttl's
    assert q(deferred, "SELECT count(*) FROM statements WHERE source_file LIKE 'pages/%' "
                       "AND predicate = 'owl:someValuesFrom'")[0][0] > 0
    assert q(deferred, "SELECT count(*) FROM statements WHERE source_file = 'animals.ofn' "
                       "AND predicate = 'rdfs:subClassOf'")[0][0] >= 1
    assert q(deferred, "SELECT count(*) FROM sync_meta WHERE key = ?", semsql_deferred.PENDING_KEY)[0][0] == 0


def test_an_incremental_run_keeps_the_per_file_path(tmp_path: Path, derived_calls) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(EXAMPLE, tree)
    db = tmp_path / "s.db"
    assert sync(tree, db) == 0
    robot = tree / "pages" / "Robot.md"
    robot.write_text(robot.read_text(encoding="utf-8") + "\n- note:: edited\n", encoding="utf-8")
    assert sync(tree, db) == 0
    assert derived_calls == [1]  # the second run wrote Robot's rows in its save


def test_a_killed_first_run_resumed_equals_a_fresh_sync(tmp_path: Path, monkeypatch, derived_calls) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(EXAMPLE, tree)
    db = tmp_path / "killed.db"
    real, saved = Repository.save_parsed, []

    def killed_after_four(self, *args, **kwargs):
        if len(saved) == 4:
            raise KeyboardInterrupt  # what Ctrl-C or SIGTERM does between two files
        saved.append(args[0])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Repository, "save_parsed", killed_after_four)
    assert sync(tree, db) == 130
    assert derived_calls == []
    monkeypatch.setattr(Repository, "save_parsed", real)
    # the killed run: four files saved, the mark set, no derived file's rows written yet
    assert q(db, "SELECT value FROM sync_meta WHERE key = ?", semsql_deferred.PENDING_KEY) == [("1",)]
    assert q(db, "SELECT count(*) FROM source_files")[0][0] == 4
    assert q(db, "SELECT count(*) FROM statements WHERE source_file LIKE 'pages/%'")[0][0] == 0
    assert main(["verify", "--db", str(db)]) == 0
    assert sync(tree, db) == 0  # resumes: the rest of the files, then the whole layer at its end
    assert derived_calls == [1]
    fresh = tmp_path / "fresh.db"
    assert sync(tree, fresh) == 0
    assert layer(db) == layer(fresh)


def per_file_rows(conn: sqlite3.Connection, readers: ReadersLayer) -> list[tuple]:
    """Every derived file's rows as the per-file path derives them (store/semsql.py)."""
    rows: list[tuple] = []
    for (path,) in conn.execute("SELECT path FROM source_files WHERE format IN ('logseq', 'ofn') "
                                 "ORDER BY path").fetchall():
        rows += readers._own_rows(conn, path) + readers._link_rows(conn, path)
    return rows


def test_corpus_deferred_rows_equal_the_per_file_derivation(corpus_db: Path, tmp_path: Path) -> None:
    """The session's corpus sync is a first run (deferred): each page's stored rows equal what the
    per-file code derives for it, and the run-level tables equal a rebuild from scratch (closure,
    every prefix found by a full scan, search)."""
    db = tmp_path / "corpus.db"
    shutil.copyfile(corpus_db, db)
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        readers = ReadersLayer(DEFAULT_NAMESPACES)
        stored = conn.execute(f"SELECT {COLUMNS} FROM statements WHERE source_file <> ?", (REFERENCED,)).fetchall()
        assert len(stored) > 20000
        assert sorted(stored, key=repr) == sorted(per_file_rows(conn, readers), key=repr)
        # the run-level rows beside them: the labels of the classes only referred to (143 on the corpus)
        assert conn.execute("SELECT count(*) FROM statements WHERE source_file = ?", (REFERENCED,)).fetchone() == \
            conn.execute("SELECT count(*) FROM owl_classes WHERE source_file IS NULL AND label <> ''").fetchone()
        before = layer(db)
        conn.execute("BEGIN")
        for table in ("entailed_edge", "prefix", "class_search"):
            conn.execute(f"DELETE FROM {table}")
        closure.refresh(conn, readers.curies, set(), None)
        conn.execute("COMMIT")
    finally:
        conn.close()
    assert layer(db) == before
