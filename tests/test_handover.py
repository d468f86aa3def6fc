"""A large RDF file's facts first, its statements rows after (pipeline/handover.py).

The worker sends the facts of an RDF file of at least handover.SPLIT_FROM bytes, then its rows as a
second message; the writer saves the facts and takes the rows inside the same transaction. What
must hold: the rows do arrive after the facts, the database is the one-message save's row for row,
and a worker lost between the two messages fails the file, leaving its last good version.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

import pytest

from ontosync.parsing import ParseOptions, parse_file
from ontosync.parsing.facts import LateRows
from ontosync.pipeline import handover
from ontosync.pipeline.workers import ParsePool, Task
from tests.helpers import VOLATILE, cli, run_cli

CLASSES, EDITED = 800, 720  # ~330 and ~300 KB: over SPLIT_FROM, both
ONE_MESSAGE = {"ONTOSYNC_HANDOVER_MIN_BYTES": str(1 << 40)}
WHEN = VOLATILE | {"started_at", "finished_at"}  # the run log's times


def big_turtle(classes: int, tag: str = "") -> bytes:
    """An ontology over SPLIT_FROM bytes with what the layer keeps: labels, definitions, synonyms
    of each kind, named parents, existential restrictions (blank nodes), a deprecated class."""
    out = ["@prefix owl: <http://www.w3.org/2002/07/owl#> .",
           "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
           "@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .",
           "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
           "@prefix obo: <http://purl.obolibrary.org/obo/> .",
           "<http://purl.obolibrary.org/obo/hot.owl> a owl:Ontology .",
           "obo:HOT_part_of a owl:ObjectProperty ; rdfs:label \"part of\" .",
           "obo:HOT_0000000 a owl:Class ; rdfs:label \"root\" ; owl:deprecated true ."]
    for i in range(1, classes + 1):
        parent = f"obo:HOT_{i // 3:07d}"
        out.append(
            f"obo:HOT_{i:07d} a owl:Class ; rdfs:label \"class {i}{tag}\"@en ;\n"
            f"  obo:IAO_0000115 \"The definition of class {i}, with \\\"quotes\\\" and ünïcode{tag}.\" ;\n"
            f"  oio:hasExactSynonym \"exact {i}\" ; oio:hasRelatedSynonym \"related {i}\" ;\n"
            f"  skos:altLabel \"alt {i}\"@fr ; rdfs:subClassOf {parent} ;\n"
            f"  rdfs:subClassOf [ a owl:Restriction ; owl:onProperty obo:HOT_part_of ;\n"
            f"                    owl:someValuesFrom obo:HOT_{(i * 7) % classes + 1:07d} ] .")
    data = "\n".join(out).encode("utf-8") + b"\n"
    assert len(data) >= handover.SPLIT_FROM
    return data


def small_turtle(label: str) -> bytes:
    return (b"@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            b"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            b"<http://example.org/Small> a owl:Class ; rdfs:label \"" + label.encode() + b"\" .\n")


@pytest.fixture(scope="module")
def big() -> bytes:
    return big_turtle(CLASSES)


def dump_all(db: Path) -> dict[str, list]:
    """Every table of the database, each row with its rowid where it has one (the order a save
    wrote it in), the columns that say when left out."""
    conn = sqlite3.connect(db)
    try:
        out = {}
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                              "AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE '%VIRTUAL%'")]
        for table in tables:
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in WHEN]
            try:
                rows = conn.execute(f"SELECT rowid, {', '.join(cols)} FROM {table} ORDER BY rowid").fetchall()
            except sqlite3.OperationalError:  # WITHOUT ROWID: its key orders it
                rows = conn.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()
            out[table] = rows
        return out
    finally:
        conn.close()


def first_outcome(pool: ParsePool, path: Path):
    """Submit `path` as big.ttl and wait for its one outcome (the facts message)."""
    pool.submit(Task("big.ttl", None, 0, str(path)))
    outcomes = []
    while not outcomes:
        outcomes = pool.collect(1.0)
    (outcome,) = outcomes
    return outcome


def test_the_rows_arrive_after_the_facts_and_equal_a_one_message_parse(big, tmp_path):
    path = tmp_path / "big.ttl"
    path.write_bytes(big)
    expected = parse_file("big.ttl", big, ParseOptions())
    pool = ParsePool(1, ParseOptions(), 1 << 30, 60.0)
    try:
        outcome = first_outcome(pool, path)
        assert outcome.failure is None and outcome.rows_follow
        facts = outcome.facts
        assert isinstance(facts.statements, LateRows)
        assert pool.in_flight() == 1  # the task is the worker's until its rows come
        assert pool.collect(0.2) == []  # the rows are not an outcome: the save takes them
        assert (facts.classes, facts.edges, facts.axioms, facts.properties, facts.synonyms) == (
            expected.classes, expected.edges, expected.axioms, expected.properties, expected.synonyms)
        assert len(facts.synonyms) == 3 * CLASSES
        rows = facts.statements.take()
        assert rows == expected.statements and len(rows) > 10 * CLASSES
        assert pool.in_flight() == 0
        assert outcome.parse_ms > 0
    finally:
        pool.close()


def test_a_split_save_equals_a_one_message_save_row_for_row(big, tmp_path):
    """Into a new database and then as an incremental edit of the same file: every table equal."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "big.ttl").write_bytes(big)
    (src / "small.ttl").write_bytes(small_turtle("first"))
    runs = (("split", {}), ("one", ONE_MESSAGE))
    for name, env in runs:
        assert cli("sync", src, "--db", tmp_path / f"{name}.db", "--quiet", env=env).returncode == 0
    (src / "big.ttl").write_bytes(big_turtle(EDITED, " edited"))
    dbs = {}
    for name, env in runs:
        report = tmp_path / f"{name}.json"
        proc = cli("sync", src, "--db", tmp_path / f"{name}.db", "--quiet", "--report", report, env=env)
        assert proc.returncode == 0, proc.stderr
        files = json.loads(report.read_text())["files"]
        assert (files["ok"], files["failed"]) == (1, 0)
        dbs[name] = dump_all(tmp_path / f"{name}.db")
    assert dbs["split"].keys() == dbs["one"].keys()
    assert len(dbs["split"]["statements"]) > 10 * EDITED
    for table in dbs["split"].keys() - {"file_stats"}:  # the stat cache: when files were read
        # (sync_meta's `finished_checkpoint`: when the run started, store/sync_records.py)
        split, one = ([r for r in dbs[name][table] if "finished_checkpoint" not in r] for name in ("split", "one"))
        assert split == one, table


@pytest.mark.parametrize("fault, kind", [("30", "timeout"), ("crash", "crash")])
def test_a_worker_lost_between_facts_and_rows_fails_the_file_and_keeps_its_last_version(
        big, tmp_path, fault, kind):
    src = tmp_path / "src"
    src.mkdir()
    (src / "big.ttl").write_bytes(big)
    (src / "small.ttl").write_bytes(small_turtle("first"))
    db = tmp_path / "o.db"
    assert cli("sync", src, "--db", db, "--quiet").returncode == 0
    before = big_rows(db)
    assert len(before["statements"]) > 10 * CLASSES

    (src / "big.ttl").write_bytes(big_turtle(EDITED, " edited"))
    (src / "small.ttl").write_bytes(small_turtle("second"))  # saved after the failed file's rollback
    env = {"ONTOSYNC_FAULT_SLOW_ROWS": f"big.ttl:{fault}"}
    report_path = tmp_path / "r.json"
    proc = cli("sync", src, "--db", db, "--quiet", "--file-timeout", "2", "--max-error-rate", "1",
               "--workers", "1", "--report", report_path, env=env)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(report_path.read_text())
    assert (report["files"]["ok"], report["files"]["failed"]) == (1, 1)
    (error,) = report["errors"]
    assert error["path"] == "big.ttl" and error["kind"] == kind

    conn = sqlite3.connect(db)
    with contextlib.closing(conn):
        status = conn.execute("SELECT status, error_kind FROM source_files WHERE path = 'big.ttl'").fetchone()
        assert status == ("failed", kind)
        assert conn.execute("SELECT label FROM owl_classes WHERE class_iri = 'http://example.org/Small'"
                            ).fetchone() == ("second",)
    assert big_rows(db) == before  # the last good version's rows, row for row
    labels = {r[0] for r in sqlite3.connect(db).execute(
        "SELECT value FROM statements WHERE source_file = 'big.ttl' AND predicate = 'rdfs:label'")}
    assert "class 1" in labels and not any("edited" in v for v in labels)


def big_rows(db: Path) -> dict[str, list]:
    """big.ttl's rows in the per-file tables and `statements`, with their rowids."""
    conn = sqlite3.connect(db)
    with contextlib.closing(conn):
        return {table: conn.execute(f"SELECT rowid, * FROM {table} WHERE {column} = 'big.ttl' ORDER BY rowid"
                                    ).fetchall()
                for table, column in (("statements", "source_file"), ("owl_axioms", "source_file"),
                                      ("file_classes", "path"), ("file_edges", "path"), ("file_synonyms", "path"))}


def test_a_ctrl_c_while_the_rows_are_awaited_stops_the_run_without_the_file(big, tmp_path):
    """The worker sends the facts, then (the fault hook) a Ctrl-C to the coordinator, which is
    saving them or waiting for the rows: the run stops at once with 130, the file's transaction
    rolls back (without the wait's interrupt check, the file would commit once the rows came), and
    the next run saves it."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "big.ttl").write_bytes(big)
    db, report = tmp_path / "o.db", tmp_path / "r.json"
    proc = run_cli("sync", src, "--db", db, "--quiet", "--workers", "1", "--report", report,
                   env={"ONTOSYNC_FAULT_SLOW_ROWS": "big.ttl:interrupt"}, timeout=50)
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr and "interrupted" in proc.stderr
    assert json.loads(report.read_text())["files"]["ok"] == 0
    conn = sqlite3.connect(db)
    with contextlib.closing(conn):
        assert conn.execute("SELECT count(*) FROM source_files").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM statements").fetchone() == (0,)
    again = run_cli("sync", src, "--db", db, "--quiet", "--report", report)
    assert again.returncode == 0, again.stderr
    assert json.loads(report.read_text())["files"]["ok"] == 1
    assert big_rows(db) == big_rows_of_fresh_sync(src, tmp_path)


def big_rows_of_fresh_sync(src: Path, tmp_path: Path) -> dict[str, list]:
    db = tmp_path / "fresh.db"
    assert cli("sync", src, "--db", db, "--quiet").returncode == 0
    return big_rows(db)


def test_rows_that_cannot_be_extracted_fail_the_file_as_its_parse_would(big, tmp_path, monkeypatch):
    """An error while the worker extracts the rows comes as the second message: the save's `take`
    raises it (the transaction rolls back) with the message a one-message parse would have given."""
    from ontosync.parsing import rdf_statements

    def too_big(*_args, **_kwargs):
        raise MemoryError

    monkeypatch.setattr(rdf_statements, "extract", too_big)  # the worker is forked with it
    path = tmp_path / "big.ttl"
    path.write_bytes(big)
    pool = ParsePool(1, ParseOptions(), 1 << 30, 60.0)
    try:
        outcome = first_outcome(pool, path)
        assert outcome.failure is None and len(outcome.facts.classes) == CLASSES + 1
        with pytest.raises(handover.RowsLost) as lost:
            outcome.facts.statements.take()
        assert lost.value.failure.message == "file too complex to parse: MemoryError"
        assert pool.in_flight() == 0 and len(pool.workers) == 1  # the worker goes on to the next file
    finally:
        pool.close()
