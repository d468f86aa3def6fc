"""Issue 13.3: settings that change facts are part of what "unchanged" means.

Each file is stored with the fingerprint of the parser version and the fact-changing settings it
was processed under (pipeline/fingerprint.py, migration 003). Fresh, incremental and resumed runs
reprocess the files whose fingerprint differs, so the database always equals a fresh full sync
under the current settings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ontosync.cli import main as cli_main
from tests.helpers import cli, copy_example, dump_file


@pytest.fixture
def tree(tmp_path) -> Path:
    return copy_example(tmp_path)


def sync(tree: Path, db: Path, *extra: str) -> dict:
    report = db.with_suffix(".report.json")
    proc = cli("sync", str(tree), "--db", str(db), "--quiet", "--report", str(report), *extra)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return json.loads(report.read_text())


def fresh(tree: Path, tmp: Path, *extra: str) -> dict:
    db = tmp / "fresh.db"
    sync(tree, db, *extra)
    return dump_file(db)


def test_incremental_run_with_another_ontology_id_reprocesses(tree, tmp_path):
    db = tmp_path / "o.db"
    first = sync(tree, db, "--ontology-id", "alpha")
    report = sync(tree, db, "--ontology-id", "beta")
    assert report["files"]["unchanged"] == 0 and report["files"]["ok"] == first["files"]["ok"]
    assert dump_file(db) == fresh(tree, tmp_path, "--ontology-id", "beta")
    assert sync(tree, db, "--ontology-id", "beta")["files"]["unchanged"] == first["files"]["total"]


def test_resumed_run_with_another_ontology_id_reprocesses(tree, tmp_path):
    """An interrupted run under `alpha`, resumed under `beta`: the files the interrupted run
    committed are not 'done' for the resumed run, whose settings differ."""
    db = tmp_path / "o.db"
    sync(tree, db, "--ontology-id", "alpha")
    ckpt_path = Path(f"{db}.checkpoint.json")
    ckpt = json.loads(ckpt_path.read_text())
    ckpt.update(finished=False, started_at="2000-01-01T00:00:00.000+00:00")  # as if it had crashed
    ckpt_path.write_text(json.dumps(ckpt))
    report = sync(tree, db, "--ontology-id", "beta")
    assert report["resumed"] is True and report["files"]["unchanged"] == 0
    assert dump_file(db) == fresh(tree, tmp_path, "--ontology-id", "beta")


def test_changed_namespace_setting_reprocesses(tree, tmp_path):
    db = tmp_path / "o.db"
    sync(tree, db)
    config = tmp_path / "c.yml"
    config.write_text("page-namespace: 'urn:other:'\n")
    report = sync(tree, db, "--config", str(config))
    assert report["files"]["unchanged"] == 0
    assert dump_file(db) == fresh(tree, tmp_path, "--config", str(config))


def test_exclude_rules_are_part_of_the_fingerprint(tree, tmp_path):
    db = tmp_path / "o.db"
    total = sync(tree, db)["files"]["total"]
    report = sync(tree, db, "--exclude", "no-such-folder/**")
    assert report["files"]["unchanged"] == 0 and report["files"]["ok"] + report["files"]["skipped"] == total


def test_a_new_parser_version_reprocesses_every_file(tree, tmp_path, monkeypatch, capsys):
    import ontosync.pipeline.fingerprint as fingerprint

    db = tmp_path / "o.db"
    report = tmp_path / "r.json"
    args = ["sync", str(tree), "--db", str(db), "--quiet", "--report", str(report)]
    assert cli_main(args) == 0
    total = json.loads(report.read_text())["files"]["total"]
    assert cli_main(args) == 0
    assert json.loads(report.read_text())["files"]["unchanged"] == total
    monkeypatch.setattr(fingerprint, "PARSER_VERSION", fingerprint.PARSER_VERSION + 1)
    assert cli_main(args) == 0
    assert json.loads(report.read_text())["files"]["unchanged"] == 0
    assert cli_main(args) == 0
    assert json.loads(report.read_text())["files"]["unchanged"] == total
