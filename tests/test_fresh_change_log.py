"""A run into an empty database writes its change log once, from the content (store/changelog_fresh.py).

The reference is the per-save log (TEMP triggers and a fold at every file's commit), which a run
uses whenever the database is not empty: forced here on an empty database by making the emptiness
check answer no. Both are fed the same files through the repository, as the sync's writer does;
their `run_changes` rows must be equal, after a finished run and after a run killed half-way (read
by `ontosync diff`'s reads before the next run, then written by the next run's start).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ontosync.parsing import ParseOptions, parse_file
from ontosync.store import changelog_fresh
from ontosync.store.changelog import ChangeLog
from ontosync.store.diff import select_runs
from ontosync.store.repository import Repository
from ontosync.store.run_reads import RunLog
from tests.helpers import EXAMPLE, PAGES

NOW = "2026-01-01T00:00:00.000+00:00"


def page(label: str, parent: str | None = None, extra: str = "") -> bytes:
    lines = ["- ### OntologyBlock", "  - ontology:: true", f"  - preferred-term:: {label}",
             f"  - definition:: {label} things."]
    if parent:
        lines.append(f"  - is-subclass-of:: [[{parent}]]")
    return ("\n".join(lines) + "\n" + extra).encode()


def sources() -> list[tuple[str, bytes]]:
    """Pages whose links re-point as later pages appear, the example tree's RDF and pages, and (when
    the shared corpus is there) 300 real pages."""
    files = [("pages/Dog.md", page("Dog", "Canine", "- alias:: Hound\n")),  # Canine: no page yet
             ("pages/Canine.md", page("Canine", "Animal")),
             ("pages/Cat.md", page("Cat", "Animal", "- is-part-of:: [[Household]]\n")),
             ("pages/Animal.md", page("Animal")),
             ("pages/Empty.md", b"- just a note\n")]
    files += [(p.relative_to(EXAMPLE).as_posix(), p.read_bytes()) for p in sorted(EXAMPLE.rglob("*"))
              if p.is_file() and p.suffix in (".md", ".ttl", ".owl", ".ofn", ".rdf")]
    if PAGES.is_dir():
        files += [(f"corpus/{p.name}", p.read_bytes()) for p in sorted(PAGES.glob("*.md"))[:300]]
    return files


def log_rows(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT kind, ontology_id, iri, item, old, new FROM run_changes "
                            "ORDER BY kind, ontology_id, iri, item").fetchall()
    finally:
        conn.close()


def run(db: Path, files: list[tuple[str, bytes]], per_save: bool, monkeypatch, finish: bool = True) -> bool:
    """One run over `files`; `per_save` forces the triggers' log. Returns whether the run was fresh."""
    with monkeypatch.context() as m:
        if per_save:
            m.setattr(changelog_fresh, "is_empty", lambda conn: False)
        repo = Repository(db)
        repo.ensure_schema()
        repo.changes = ChangeLog.start(repo, "rev", "test", NOW)
    options = ParseOptions()
    for path, data in files:
        repo.save_parsed(path, None, len(data), parse_file(path, data, options), NOW)
    fresh = repo.changes.fresh
    if finish:
        repo.changes.finish(NOW)
    repo.close()  # without finish: the process was killed after its last commit
    return fresh


@pytest.fixture
def files() -> list[tuple[str, bytes]]:
    if not EXAMPLE.is_dir():
        pytest.skip("examples/ontology is missing")
    return sources()


def test_first_run_logs_what_the_per_save_log_logs(tmp_path, monkeypatch, files):
    assert run(tmp_path / "fresh.db", files, False, monkeypatch) is True
    assert run(tmp_path / "per_save.db", files, True, monkeypatch) is False
    got, want = log_rows(tmp_path / "fresh.db"), log_rows(tmp_path / "per_save.db")
    kinds = {r[0] for r in want}
    assert kinds == {"class", "property", "axiom"} and len(want) > 20, kinds
    assert got == want
    conn = sqlite3.connect(tmp_path / "fresh.db")
    assert changelog_fresh.pending_run(conn) is None  # finished: nothing left pending
    assert conn.execute("SELECT changes FROM runs").fetchall() == [(len(want),)]
    conn.close()


def test_a_killed_first_run_reads_and_settles_like_the_per_save_log(tmp_path, monkeypatch, files):
    half = files[:len(files) // 2]
    run(tmp_path / "fresh.db", half, False, monkeypatch, finish=False)
    run(tmp_path / "per_save.db", half, True, monkeypatch, finish=False)
    want = log_rows(tmp_path / "per_save.db")
    assert want and log_rows(tmp_path / "fresh.db") == []  # nothing written yet: the run is pending

    def read(db: Path) -> tuple:
        conn = sqlite3.connect(db)
        try:
            log = RunLog(conn)
            rows = sorted(r for r in log.changes(1, 1))
            chosen = select_runs(conn)  # `ontosync diff` with no selection: the last run with changes
            return rows, log.last_with_changes(), chosen.to_json(conn)
        finally:
            conn.close()

    assert read(tmp_path / "fresh.db") == read(tmp_path / "per_save.db")
    # the next run (the rest of the files) first writes the killed run's rows from the content
    assert run(tmp_path / "fresh.db", files[len(half):], False, monkeypatch) is False
    run(tmp_path / "per_save.db", files[len(half):], True, monkeypatch)
    conn = sqlite3.connect(tmp_path / "fresh.db")
    first_run = conn.execute("SELECT kind, ontology_id, iri, item, old, new FROM run_changes WHERE run_id = 1 "
                             "ORDER BY kind, ontology_id, iri, item").fetchall()
    assert changelog_fresh.pending_run(conn) is None
    conn.close()
    assert first_run == [r for r in want]
    assert log_rows(tmp_path / "fresh.db") == log_rows(tmp_path / "per_save.db")


def test_a_run_into_a_database_with_content_records_per_save(tmp_path, monkeypatch, files):
    run(tmp_path / "db.db", files[:3], False, monkeypatch)
    assert run(tmp_path / "db.db", files[3:6], False, monkeypatch) is False


def test_a_diff_reading_while_the_first_run_finishes_sees_its_rows_once(tmp_path, monkeypatch, files):
    """The run finishes (its rows stored, the pending mark cleared) between the diff's read of the
    stored rows and its read of the mark: one snapshot for the whole diff still shows the run's rows."""
    from ontosync.diff_cli import changes_json

    db = tmp_path / "fresh.db"
    run(db, files, False, monkeypatch, finish=False)
    want = changes_json(sqlite3.connect(db), str(db), run=1)
    assert want["classes"]["added"]
    reader, writer = sqlite3.connect(db), sqlite3.connect(db)

    def finish_on_mark_read(sql: str) -> None:  # the run's end commits as the diff asks for the mark
        if "sync_meta" in sql and changelog_fresh.pending_run(writer) is not None:
            changelog_fresh.write(writer, 1)
            writer.commit()

    reader.set_trace_callback(finish_on_mark_read)
    got = changes_json(reader, str(db), run=1)
    assert changelog_fresh.pending_run(writer) is None  # the run did finish during the read
    assert got == want
