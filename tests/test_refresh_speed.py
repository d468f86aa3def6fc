"""The end of a first run (issue 18, fourteenth round): what a run into an empty database does per
file for the readers' layer, and that it leaves the layer a re-sync would.

A first run defers a derived file's `statements` rows to its end (store/semsql_deferred.py); its
per-file step only inserts the rows no table keeps (`semsql_ofn.saved_rows`). It used to sort each
file's facts into the kinds of rows the per-file reads need (`semsql.present`: two passes over the
file's axioms) and build an empty generator for every page: ~9 ms of the corpus's `readers_layer_ms`
files figure (11-12 -> 2-3 ms), for nothing it used. An incremental run still needs the kinds.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ontosync.cli import main
from ontosync.store import semsql

PAGES = {
    "Animal.md": "- ### OntologyBlock\n  - term-id:: T-1\n  - preferred-term:: Animal\n  - owl:class:: ex:Animal\n"
                 "  - definition:: A living thing that moves.\n",
    "Dog.md": "- ### OntologyBlock\n  - term-id:: T-2\n  - preferred-term:: Dog\n  - owl:class:: ex:Dog\n"
              "  - is-subclass-of:: [[Animal]]\n  - has-part:: [[Tail]]\n  - alternate-terms:: Hound\n",
    "Tail.md": "- ### OntologyBlock\n  - term-id:: T-3\n  - preferred-term:: Tail\n  - owl:class:: ex:Tail\n",
}
OFN = ("Prefix(ex:=<http://example.org/>)\nOntology(<http://example.org/o>\n"
       "Declaration(Class(ex:Cat))\nSubClassOf(ex:Cat ex:Animal)\n)\n")


@pytest.fixture
def kinds_calls(monkeypatch) -> list[int]:
    """One entry a file whose facts the writer sorted into kinds (the real function runs)."""
    calls: list[int] = []
    real = semsql.present

    def counted(facts):
        calls.append(1)
        return real(facts)

    monkeypatch.setattr(semsql, "present", counted)
    return calls


def _tree(root: Path) -> Path:
    pages = root / "pages"
    pages.mkdir(parents=True)
    for name, text in PAGES.items():
        (pages / name).write_text(text, encoding="utf-8")
    (root / "cat.ofn").write_text(OFN, encoding="utf-8")
    return root


def _sync(src: Path, db: Path) -> None:
    assert main(["sync", str(src), "--db", str(db), "--quiet", "--workers", "1"]) == 0


def _statements(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return sorted(conn.execute("SELECT stanza, subject, predicate, object, value, datatype, language, graph, "
                                   "source_file FROM statements").fetchall(), key=repr)
    finally:
        conn.close()


def test_first_run_saves_without_sorting_kinds_and_an_edit_still_sorts(tmp_path: Path, kinds_calls) -> None:
    tree = _tree(tmp_path / "tree")
    db = tmp_path / "o.db"
    _sync(tree, db)
    assert kinds_calls == []  # on main: one call per saved page and .ofn file (4)
    first = _statements(db)
    onto = "http://example.org/o"  # the .ofn file's saved row (no table keeps it) is written by its save
    assert (onto, onto, "rdf:type", "owl:Ontology", None, None, None, onto, "cat.ofn") in first
    assert ("page:dog", "page:dog", "rdfs:subClassOf", "page:animal", None, None, None, "default",
            "pages/Dog.md") in first  # and a page's rows by the end of the run
    (tree / "pages" / "Tail.md").write_text(PAGES["Tail.md"] + "  - alternate-terms:: Cauda\n", encoding="utf-8")
    _sync(tree, db)
    assert len(kinds_calls) == 1  # the incremental save of the one edited page reads by kinds
    fresh = tmp_path / "fresh.db"
    _sync(tree, fresh)
    assert _statements(db) == _statements(fresh)
