"""The semantic-sql layer (CONTRACT.md section 6): rows per file, closure, prefixes, bad input, and
incremental syncs ending where a fresh full sync of the same tree ends."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from ontosync.cli import main
from tests.conftest import copy_db
from tests.corpus_series import corpus_changes, hub_page
from tests.helpers import PAGES, ROOT, q

EXAMPLE = ROOT / "examples" / "ontology"


def sync(src: Path, db: Path, *extra: str) -> dict:
    report = db.with_suffix(".report.json")
    code = main(["sync", str(src), "--db", str(db), "--quiet", "--workers", "1", "--report", str(report), *extra])
    assert code == 0
    return json.loads(report.read_text())


def layer(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in ("statements", "prefix", "entailed_edge")}
    finally:
        conn.close()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(EXAMPLE, src)
    return src


def test_example_rows_follow_the_contract_tables(tree: Path, tmp_path: Path) -> None:
    db = tmp_path / "o.db"
    sync(tree, db)
    # every class of the contract tables is a class_node; every hierarchy edge a subClassOf row
    n_classes = q(db, "SELECT count(*) FROM owl_classes WHERE source_file IS NOT NULL")[0][0]
    n_nodes = q(db, "SELECT count(*) FROM class_node")[0][0]
    assert n_nodes >= n_classes > 0
    n_edges = q(db, "SELECT count(*) FROM owl_class_hierarchy")[0][0]
    assert q(db, "SELECT count(DISTINCT subject || ' ' || object) FROM rdfs_subclass_of_named_statement")[0][0] \
        == n_edges
    # the Turtle file's label and the Logseq relationship as an existential restriction
    # (declared by core.ttl and by Machine.md: one row per declaring file, as in a merged semantic-sql db)
    assert set(q(db, "SELECT value FROM rdfs_label_statement WHERE subject = 'ex:Machine'")) == {("Machine",)}
    rel = q(db, "SELECT predicate, object FROM owl_subclass_of_some_values_from WHERE predicate = 'rel:is-part-of'")
    assert rel, "is-part-of:: should be an owl:someValuesFrom restriction"
    # the closure: reflexive, and the existential edge propagated to subclasses
    for (c,) in q(db, "SELECT id FROM class_node"):
        assert q(db, "SELECT 1 FROM entailed_edge WHERE subject = ? AND predicate = 'rdfs:subClassOf' "
                        "AND object = ?", c, c)
    prefixes = dict(q(db, "SELECT prefix, base FROM prefix"))
    assert prefixes["rdfs"] == "http://www.w3.org/2000/01/rdf-schema#"
    assert prefixes["oio"] == "http://www.geneontology.org/formats/oboInOwl#"


def test_incremental_syncs_equal_a_fresh_full_sync(tree: Path, tmp_path: Path) -> None:
    db = tmp_path / "inc.db"
    sync(tree, db)
    pages = tree / "pages"
    # edit: a new parent and a new relationship
    text = (pages / "Sensor.md").read_text()
    (pages / "Sensor.md").write_text(text.replace("is-subclass-of::", "has-part:: [[Actuator]]\n\t- is-subclass-of::"))
    sync(tree, db)
    # rename a page others link to: their links re-point to the minted IRI, then back
    (pages / "Component.md").rename(pages / "Part.md")
    sync(tree, db)
    # delete a page
    (pages / "Industrial Robot.md").unlink()
    sync(tree, db)
    # a file that starts failing keeps its last good rows
    (tree / "core.ttl").write_text((tree / "core.ttl").read_text() + "\nex:Broken a <unterminated .\n")
    sync(tree, db, "--max-error-rate", "1")
    assert q(db, "SELECT status FROM source_files WHERE path = 'core.ttl'") == [("failed",)]
    # a page appears that answers to a name other pages link to
    (pages / "Component.md").write_text("- ### OntologyBlock\n\t- preferred-term:: Component\n")
    sync(tree, db)

    fresh = tmp_path / "fresh.db"
    shutil.copy(tree / "core.ttl", tmp_path / "core.broken")
    shutil.copy(EXAMPLE / "core.ttl", tree / "core.ttl")  # the failed file counts as its last good version
    sync(tree, fresh)
    shutil.copy(tmp_path / "core.broken", tree / "core.ttl")
    assert layer(db) == layer(fresh)


def test_bad_input_unknown_prefix_odd_literal_and_a_cycle(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    odd = 'tab\there "dq" \'sq\' \\ back <b>&amp; ü 𝔘 \u2028end  '
    literal = odd.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\u2028", "\\u2028")
    (src / "bad.ttl").write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<http://unknown.example/A> a owl:Class ; rdfs:label \"" + literal + "\" ;\n"
        "  rdfs:subClassOf <http://unknown.example/B> .\n"
        "<http://unknown.example/B> a owl:Class ; rdfs:subClassOf <http://unknown.example/C> .\n"
        "<http://unknown.example/C> a owl:Class ; rdfs:subClassOf <http://unknown.example/A> .\n"
        "<http://purl.obolibrary.org/obo/XYZ_123> a owl:Class ;\n"
        "  rdfs:subClassOf <http://www.w3.org/2002/07/owl#caf\u00e9> .\n",
        encoding="utf-8")
    db = tmp_path / "b.db"
    report = sync(src, db)
    assert q(db, "SELECT value FROM rdfs_label_statement WHERE subject = 'http://unknown.example/A'") == [(odd,)]
    subjects = {s for (s,) in q(db, "SELECT DISTINCT subject FROM statements")}
    assert {"http://unknown.example/A", "http://unknown.example/B", "XYZ:123"} <= subjects
    assert q(db, "SELECT object FROM rdfs_subclass_of_statement WHERE subject = 'XYZ:123'") \
        == [("http://www.w3.org/2002/07/owl#caf\u00e9",)]
    assert dict(q(db, "SELECT prefix, base FROM prefix"))["XYZ"] == "http://purl.obolibrary.org/obo/XYZ_"
    cycles = [w["message"] for w in report["warnings"] if w["kind"] == "subclass-cycle"]
    assert cycles == ["subclass cycle: http://unknown.example/A <-> http://unknown.example/B <-> "
                      "http://unknown.example/C"]
    # in a cycle every class is an ancestor of every other
    anc = q(db, "SELECT object FROM entailed_edge WHERE subject = 'http://unknown.example/B' "
                   "AND predicate = 'rdfs:subClassOf' ORDER BY object")
    assert [a for (a,) in anc] == ["http://unknown.example/A", "http://unknown.example/B", "http://unknown.example/C"]


def test_relations_map_binds_a_key_to_a_property(tree: Path, tmp_path: Path) -> None:
    (tree / ".ontosync.yml").write_text("relations:\n  is-part-of: BFO:0000050\n")
    db = tmp_path / "r.db"
    sync(tree, db)
    assert q(db, "SELECT count(*) FROM owl_subclass_of_some_values_from WHERE predicate = 'BFO:0000050'")[0][0] > 0
    assert q(db, "SELECT count(*) FROM statements WHERE object = 'rel:is-part-of'")[0][0] == 0
    (tree / ".ontosync.yml").write_text("relations:\n  is-part-of: 'not a curie'\n")
    assert main(["sync", str(tree), "--db", str(db), "--quiet"]) == 2


def test_search_command_finds_a_class_by_label_and_synonym(tree: Path, tmp_path: Path, capsys) -> None:
    (tree / "pages" / "Gripper.md").write_text(
        "- ### OntologyBlock\n\t- preferred-term:: Gripper\n\t- alternate-terms:: End Effector\n"
        "\t- is-subclass-of:: [[Actuator]]\n")
    db = tmp_path / "s.db"
    sync(tree, db)
    capsys.readouterr()
    assert main(["search", "actuat", "--db", str(db), "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert "Actuator" in [h["label"] for h in hits]
    assert all(h["source_file"] for h in hits)
    synonyms = q(db, "SELECT count(*) FROM has_synonym_statement")[0][0]
    if synonyms:  # alternate-terms:: is read by the Logseq parser (issue 14)
        assert main(["search", "effector", "--db", str(db), "--json"]) == 0
        assert [h["label"] for h in json.loads(capsys.readouterr().out)] == ["Gripper"]
    assert main(["search", "x", "--db", str(tmp_path / "missing.db")]) == 2


@pytest.mark.corpus
@pytest.mark.skipif(not PAGES.is_dir(), reason="corpus not present")
def test_corpus_incremental_edits_equal_a_fresh_full_sync(corpus_db: Path, tmp_path: Path, fresh_sync) -> None:
    """On the real corpus: each small run takes the incremental closure path (a few classes
    touched), the fresh sync the full one; the layers must agree. It starts from the session's
    full sync of the same pages (conftest's corpus_db), which is what a first sync here makes.
    The changes (tests/corpus_series.py): a hub page loses its parents, one page is deleted, one
    renamed, one gets a new relationship; a sync after each."""
    src = tmp_path / "pages"
    shutil.copytree(PAGES, src)
    db = copy_db(corpus_db, tmp_path / "inc.db")
    assert sync(src, db)["files"]["unchanged"] == 1684
    for change in corpus_changes(src, hub_page(db)):
        change()
        sync(src, db)
    assert layer(db) == layer(fresh_sync(src))  # one fresh sync of the result (test_postgres_corpus's too)


def test_a_run_that_stopped_before_the_closure_is_made_good_by_the_next(tree: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    sync(tree, db)
    # what a run killed after saving files but before its end leaves: rows changed, closure not
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM entailed_edge")
    conn.execute("DELETE FROM class_search")
    conn.execute("UPDATE sync_meta SET value = '1' WHERE key = 'readers_stale'")
    conn.commit()
    conn.close()
    (tree / "pages" / "Robot.md").write_text((tree / "pages" / "Robot.md").read_text() + "\n- note:: edited\n")
    sync(tree, db)
    fresh = tmp_path / "fresh.db"
    sync(tree, fresh)
    assert layer(db) == layer(fresh)
    assert q(db, "SELECT count(*) FROM class_search") == q(fresh, "SELECT count(*) FROM class_search")


def test_a_migrated_legacy_database_gets_its_rows(tmp_path: Path) -> None:
    from tests.test_migrate import build_l3

    db = tmp_path / "ontology.db"
    expected = build_l3(db)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.ttl").write_text("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                                "<http://example.org/new#A> a owl:Class .\n", encoding="utf-8")
    sync(tree, db)
    conn = sqlite3.connect(db)
    prefixes = dict(conn.execute("SELECT prefix, base FROM prefix"))
    classes = {r[0] for r in conn.execute("SELECT id FROM class_node")}
    edges = set(conn.execute("SELECT subject, object FROM entailed_edge WHERE predicate = 'rdfs:subClassOf'"))
    conn.close()

    def curie(iri: str) -> str:
        best = max((p for p, b in prefixes.items() if iri.startswith(b)), key=lambda p: len(prefixes[p]),
                   default=None)
        return f"{best}:{iri[len(prefixes[best]):]}" if best else iri

    assert {curie(iri) for _, iri in expected.classes} <= classes
    assert {(curie(c), curie(p)) for _, c, p in expected.edges} <= edges
