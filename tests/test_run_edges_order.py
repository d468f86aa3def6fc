"""The run's two ends, reordered for PATO (issue 11, sixth round), keep what they did.

- The first file goes to its worker before the run's change log opens (pipeline/sync.py
  `_start_writes`): the log still opens before the first save, and a run that writes no file (a
  no-op re-sync, a run whose only change is a deleted file) still logs itself, with the deletion.
- The workers are told to stop before the readers' refresh and joined after it (ParsePool.stop,
  then close): every worker has exited, by its own exit (code 0, not killed), before the report,
  which still counts their peak memory.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ontosync.cli import main as cli_main
from ontosync.pipeline.workers import ParsePool
from ontosync.store.changelog import ChangeLog
from ontosync.store.repository import Repository

TTL = """@prefix : <http://example.org/o#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
:{name} a owl:Class ; rdfs:label "{name}" ; rdfs:subClassOf :{parent} .
:{parent} a owl:Class .
"""


def _tree(root: Path) -> Path:
    root.mkdir()
    (root / "a.ttl").write_text(TTL.format(name="A", parent="P"))
    (root / "b.ttl").write_text(TTL.format(name="B", parent="Q"))
    return root


def _sync(tree: Path, db: Path, report: Path) -> dict:
    assert cli_main(["sync", str(tree), "--db", str(db), "--quiet", "--report", str(report)]) == 0
    return json.loads(report.read_text())


def _rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_first_file_is_submitted_before_the_change_log_opens(tmp_path, monkeypatch):
    events: list[str] = []
    submit, start, save = ParsePool.submit, ChangeLog.start, Repository.save_parsed

    def recording_submit(self, task):
        events.append("submit")
        return submit(self, task)

    def recording_start(*args):
        events.append("log")
        return start(*args)

    def recording_save(self, *args):
        events.append("save")
        return save(self, *args)

    monkeypatch.setattr(ParsePool, "submit", recording_submit)
    monkeypatch.setattr(ChangeLog, "start", staticmethod(recording_start))
    monkeypatch.setattr(Repository, "save_parsed", recording_save)
    tree, db = _tree(tmp_path / "tree"), tmp_path / "o.db"
    report = _sync(tree, db, tmp_path / "r.json")
    assert events[0] == "submit" and events.count("log") == 1
    assert events.index("log") < events.index("save")
    assert report["files"]["ok"] == 2
    # the run's log is the content: both classes and their parents, each once
    logged = sorted(iri for (iri,) in _rows(db, "SELECT iri FROM run_changes WHERE kind = 'class'"))
    assert logged == [f"http://example.org/o#{n}" for n in ("A", "B", "P", "Q")]
    assert _rows(db, "SELECT id FROM runs") == [(report["change_run"],)]


def test_runs_that_write_no_file_still_log_themselves(tmp_path):
    tree, db = _tree(tmp_path / "tree"), tmp_path / "o.db"
    first = _sync(tree, db, tmp_path / "r1.json")
    noop = _sync(tree, db, tmp_path / "r2.json")
    assert noop["files"]["unchanged"] == 2 and noop["change_run"] == first["change_run"] + 1
    (tree / "b.ttl").unlink()
    gone = _sync(tree, db, tmp_path / "r3.json")
    assert gone["files"]["deleted"] == 1 and gone["change_run"] == noop["change_run"] + 1
    assert _rows(db, "SELECT id, changes, finished_at IS NOT NULL FROM runs ORDER BY id") == [
        (first["change_run"], 4, 1), (noop["change_run"], 0, 1), (gone["change_run"], 2, 1)]  # 4 classes, then B, Q
    removed = _rows(db, f"SELECT kind, iri, new FROM run_changes WHERE run_id = {gone['change_run']} "
                        "AND kind = 'class' ORDER BY iri")
    assert removed == [("class", "http://example.org/o#B", None), ("class", "http://example.org/o#Q", None)]


def test_workers_stop_before_the_refresh_and_are_joined_after_it(tmp_path, monkeypatch):
    events: list[str] = []
    processes: list = []
    stop, close, refresh = ParsePool.stop, ParsePool.close, Repository.refresh_readers

    def recording_stop(self):
        processes.extend(w.process for w in self.workers)
        events.append("stop")
        return stop(self)

    def recording_close(self):
        events.append("close")
        close(self)
        events.append("joined" if all(p.exitcode is not None for p in processes) else "alive")

    def recording_refresh(self):
        events.append("refresh")
        return refresh(self)

    monkeypatch.setattr(ParsePool, "stop", recording_stop)
    monkeypatch.setattr(ParsePool, "close", recording_close)
    monkeypatch.setattr(Repository, "refresh_readers", recording_refresh)
    tree, db = _tree(tmp_path / "tree"), tmp_path / "o.db"
    report = _sync(tree, db, tmp_path / "r.json")
    assert events.index("stop") < events.index("refresh") < events.index("close")
    assert events[-1] == "joined" and "alive" not in events
    assert processes and [p.exitcode for p in processes] == [0] * len(processes)  # exited, not killed
    assert report["peak_rss_workers_mb"] > 0  # reaped before the report reads their memory
    assert _rows(db, "SELECT count(*) FROM entailed_edge WHERE subject = 'http://example.org/o#A' "
                     "OR subject LIKE '%o#A'")[0][0] > 0
