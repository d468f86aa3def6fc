"""The change log, `diff`, the review comment and a PostgreSQL sync's last words (task h29: round 3).

Each test is a defect a reviewer or a user met: `diff --run N` of an old run naming parents by the
labels they carry today, a pull-request comment promising a "full list" the job summary cannot hold,
a sync whose PostgreSQL session was lost reporting 0 classes, and a migration cancelled by a
`statement_timeout` without the hint a save gets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import cli

OWL = "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
P, C = "http://ex.org/P", "http://ex.org/C"


def _parent(label: str) -> str:
    return OWL + f'<{P}> a owl:Class ; rdfs:label "{label}" .\n'


def _child(with_parent: bool) -> str:
    return OWL + f'<{C}> a owl:Class ; rdfs:label "Child" ' + (f"; rdfs:subClassOf <{P}> " if with_parent else "") \
        + f'.\n<{C}> rdfs:comment "a note" .\n'


def _history(tmp_path: Path, db: str, keep_runs: int) -> None:
    """Run 1: P "Old parent" and C; run 2: C under P; run 3: P relabelled "New parent"; run 4: again."""
    tree = tmp_path / "tree"
    tree.mkdir()
    steps = [(_parent("Old parent"), _child(False)), (None, _child(True)), (_parent("New parent"), None),
             (_parent("Newest parent"), None)]
    for parent, child in steps:
        for name, text in (("p.ttl", parent), ("c.ttl", child)):
            if text is not None:
                (tree / name).write_text(text, encoding="utf-8")
        r = cli("sync", tree, "--db", db, "--quiet", "--keep-runs", str(keep_runs),
                "--checkpoint", tmp_path / "c.json")
        assert r.returncode == 0, r.stderr


def _diff(db: str, *args: str) -> dict:
    r = cli("diff", "--db", db, "--format", "json", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _labels_of_an_old_run(tmp_path: Path, db: str) -> None:
    _history(tmp_path, db, keep_runs=3)  # run 1 (the first sync, which recorded P) is pruned
    old = _diff(db, "--run", "2")
    [changed] = old["classes"]["changed"]
    assert changed["iri"] == C
    assert changed["changes"]["parents_added"] == [{"iri": P, "label": "Old parent"}]
    # the newest run's diff names P as it is now, and the old label is its change
    new = _diff(db)
    assert new["classes"]["changed"][0]["changes"]["label"] == ["New parent", "Newest parent"]
    run3 = _diff(db, "--run", "3")
    assert run3["classes"]["changed"][0]["changes"]["label"] == ["Old parent", "New parent"]


def test_diff_of_an_old_run_shows_the_labels_of_its_time(tmp_path):
    """`diff --run 2` (C put under P) after P was relabelled twice: the parent was named by its
    label of today ("Newest parent"), not the one a reviewer of run 2 saw ("Old parent")."""
    _labels_of_an_old_run(tmp_path, str(tmp_path / "o.db"))


def test_diff_of_an_old_run_shows_the_labels_of_its_time_on_postgresql(tmp_path):
    from tests.postgres_server import own_schema, schema_url

    for schema in own_schema():
        _labels_of_an_old_run(tmp_path, schema_url(schema))


def test_a_statement_timeout_in_a_migration_gives_the_hint_a_save_gets(tmp_path):
    """A role's statement_timeout cancelling a migration (here 008's DROP INDEX, waiting for a
    reader's lock): "migration ... failed and was rolled back: canceling statement due to statement
    timeout", without the URL option that lifts it, which a save's timeout names."""
    from tests.postgres_server import connect, own_schema, run_sql, schema_url

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "p.ttl").write_text(_parent("P"), encoding="utf-8")
    for schema in own_schema():
        url = schema_url(schema)
        assert cli("migrate", "--db", url).returncode == 0
        run_sql(f'DELETE FROM "{schema}".schema_migrations WHERE version = 8')  # 008 pending again, with
        run_sql(f'CREATE INDEX owl_classes_source_file ON "{schema}".owl_classes (source_file)')  # its index
        reader = connect()
        reader.autocommit = False
        try:
            reader.cursor().execute(f'SELECT 1 FROM "{schema}".owl_classes')  # holds the table's lock
            r = cli("sync", tree, "--db", url + "&options=-c%20statement_timeout%3D200", "--quiet",
                    "--checkpoint", tmp_path / "c.json")
        finally:
            reader.rollback()
            reader.close()
        assert r.returncode == 3, r.stderr
        [line] = r.stderr.strip().splitlines()
        assert "migration postgresql/008_writer_indexes.sql failed and was rolled back" in line, line
        assert "statement_timeout" in line and "options=-c%20statement_timeout%3D0" in line, line
        assert "files saved" not in line  # a save's words: no file was saved
        assert cli("sync", tree, "--db", url, "--quiet", "--checkpoint", tmp_path / "c.json").returncode == 0
