"""Issue 18: a parse worker builds the store's own rows of the facts it parses (store/own_rows.py
`prepare`), so the single writer only inserts them.

The database must not depend on who built the rows: a sync whose workers build them and one whose
writer builds them all give the same rows, under a run's own ontology id too. Rows built for
another path or ontology id are not used; a skipped page, a large RDF file whose rows follow its
facts and a pool told no ontology id carry none. The annotations' JSON is json.dumps' text.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ontosync.parsing import ParseOptions, parse_file
from ontosync.parsing.facts import AxiomFact, FileFacts
from ontosync.pipeline import workers
from ontosync.pipeline.workers import Task
from ontosync.store import own_rows
from tests.helpers import CONTENT_TABLES, cli, copy_example, dump_db, q

TABLES = (*CONTENT_TABLES, "file_synonyms")
PAGE = """- ### OntologyBlock
  - **Identification**
    - preferred-term:: Gripper Ünit
    - alias:: Gripper, Greifer
    - owl:class:: ex:Gripper
    - is-subclass-of:: [[Component]], [[No Such Page]]
    - alternate-terms:: grabber, Greifeinheit
    - has-part:: [[Sensor]]
  - **Definition**
    - definition:: Hält Werkstücke fest.
  - #### OWL Axioms
    - ```clojure
      (SubClassOf :Gripper (ObjectSomeValuesFrom :hasPart :Sensor))
      ```
"""


def tree(tmp_path: Path) -> Path:
    root = copy_example(tmp_path)
    (root / "pages" / "Gripper.md").write_text(PAGE, encoding="utf-8")
    (root / "pages" / "Plain.md").write_text("- a page with no OntologyBlock\n", encoding="utf-8")
    return root


def dump(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return dump_db(conn, TABLES)
    finally:
        conn.close()


def test_rows_built_by_the_worker_are_the_rows_the_writer_builds(tmp_path, monkeypatch):
    root = tree(tmp_path)
    args = ("--ontology-id", "urn:run:own", "--quiet")
    assert cli("sync", root, "--db", tmp_path / "worker.db", *args).returncode == 0
    built = q(tmp_path / "worker.db", "SELECT count(*) FROM file_classes WHERE ontology_id = 'urn:run:own'")
    assert built[0][0] >= 7  # the pages' classes, under the run's id (core.ttl declares its own)
    monkeypatch.setattr(workers, "_prepare_rows", lambda *a: None)  # the writer builds every row
    assert cli("sync", root, "--db", tmp_path / "writer.db", *args).returncode == 0
    worker, writer = dump(tmp_path / "worker.db"), dump(tmp_path / "writer.db")
    for table in TABLES:
        assert worker[table] == writer[table], table
    annotated = q(tmp_path / "worker.db", "SELECT annotations FROM owl_axioms WHERE subject LIKE '%Gripper' "
                  "AND annotations IS NOT NULL")
    assert annotated and all(json.loads(a) is not None for (a,) in annotated)


def parsed(tmp_path: Path, name: str, text: str, default: str | None, split_from: int = 0):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    task = Task(name, None, path.stat().st_size, str(path))
    outcome, rows = workers._parse_task(task, ParseOptions(), 1 << 20, split_from, default)
    assert outcome.failure is None
    return outcome.facts, rows


def test_a_worker_attaches_the_rows_the_store_would_build(tmp_path):
    facts, _ = parsed(tmp_path, "Gripper.md", PAGE, "urn:run:own")
    expected = own_rows.prepare("Gripper.md", "urn:run:own", parse_file("Gripper.md", PAGE.encode(), ParseOptions()))
    assert facts.own_rows == expected
    assert expected.axioms and expected.edges and expected.names and expected.synonyms
    assert parsed(tmp_path, "Plain.md", "- no block\n", "urn:run:own")[0].own_rows is None  # skipped
    assert parsed(tmp_path, "Other.md", PAGE, None)[0].own_rows is None  # a pool told no id
    ttl = "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<http://e.org/A> a owl:Class .\n"
    facts, rows = parsed(tmp_path, "big.ttl", ttl, "urn:run:own", split_from=1)  # its rows follow
    assert rows is not None and facts.own_rows is None


@pytest.mark.parametrize("path, onto", [("pages/Elsewhere.md", None), (None, "urn:other")])
def test_rows_built_for_another_path_or_ontology_are_not_used(tmp_path, monkeypatch, path, onto):
    root = tree(tmp_path)
    real = workers._prepare_rows

    def misbuilt(at: str, facts: FileFacts, default: str) -> None:
        real(at, facts, default)
        if at.endswith("Gripper.md"):  # rows for another path, or another ontology id
            facts.own_rows = own_rows.prepare(path or at, onto or default, facts)

    monkeypatch.setattr(workers, "_prepare_rows", misbuilt)
    assert cli("sync", root, "--db", tmp_path / "a.db", "--ontology-id", "urn:run:own", "--quiet").returncode == 0
    assert q(tmp_path / "a.db", "SELECT DISTINCT path, ontology_id FROM file_classes WHERE class_iri LIKE "
             "'%Gripper'") == [("pages/Gripper.md", "urn:run:own")]
    assert q(tmp_path / "a.db", "SELECT count(*) FROM file_classes WHERE path LIKE '%Elsewhere%' "
             "OR ontology_id = 'urn:other'") == [(0,)]


def test_annotations_are_json_dumps_text():
    notes = {"zeta": "Hält ✓", "alpha": {"b": [1, "ü", None], "a": 2.5}, "mid": "line\nbreak \"q\""}
    facts = FileFacts("logseq", axioms=[AxiomFact("SubClassOf", "ex:A", "ex:B", notes)])
    (row,) = own_rows.axiom_rows("p.md", "o", facts)
    assert row[4] == json.dumps(notes, sort_keys=True, ensure_ascii=False)
