"""`class_search` (what `ontosync search` prints, Datasette's class card) shows each class's label and
source file as `owl_classes` holds them (issue h36).

A class two files declare: owl_classes takes the label and file of the page named for it
(store/repository.py, _recompute_classes). The search index used to take the smallest label of any
file (`mv:PathPlanning` shown as "Path Planning", its page saying "PathPlanning") and the smallest
path holding a label (`bc:Minting` shown from a page that only declares it in a fence). Two tiny
trees like the corpus pages (../shared/corpora/visionflow-pages) reproduce both; owl_classes is the
reference, its IRIs turned into CURIEs here, on SQLite and PostgreSQL, on a first sync and after
edits that move the winning file away and back.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ontosync.store.search import search
from tests.helpers import cli
from tests.postgres_server import Backend
from tests.test_migrations_both import query

NS = {"bc": "http://narrativegoldmine.com/blockchain#", "mv": "http://narrativegoldmine.com/metaverse#"}


def _page(term: str, curie: str, fence: str = "") -> str:
    """A Logseq page declaring `curie`, with a clojure fence that declares another class if given."""
    text = f"- ### OntologyBlock\n\t- ontology:: true\n\t- preferred-term:: {term}\n\t- owl:class:: {curie}\n"
    if fence:
        text += ("- ## About\n\t- ```clojure\n"
                 f"\t  (Declaration (Class :{fence}))\n"
                 f"\t  (AnnotationAssertion rdfs:label :{fence} \"{term.split(' ', 2)[-1].title()}\"@en)\n"
                 f"\t  (AnnotationAssertion obo:IAO_0000115 :{fence} \"A {fence}.\")\n"
                 "\t  ```\n")
    return text


# The page named for each class sorts after a page that declares it in a fence and labels it.
TREE = {
    "Minting.md": _page("Minting", "bc:Minting") + "\t- definition:: The process of creating new tokens.\n",
    "BC-0115-minting.md": _page("BC 0115 minting", "bc:BC0115minting", fence="Minting"),
    "PathPlanning.md": _page("PathPlanning", "mv:PathPlanning"),
    "rb-0050-path-planning.md": _page("rb 0050 path planning", "mv:rb0050pathplanning", fence="PathPlanning"),
}


def _curie(iri: str) -> str:
    for prefix, base in NS.items():
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base):]}"
    return iri


def _sync(tmp_path: Path, backend: Backend, files: dict[str, str | None]) -> None:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    for name, text in files.items():
        if text is None:
            (src / name).unlink()
        else:
            (src / name).write_text(text, encoding="utf-8")
    r = cli("sync", str(src), "--db", backend.db, "--quiet", "--workers", "1", "--checkpoint", str(tmp_path / "c.json"))
    assert r.returncode == 0, r.stderr


def _assert_agrees(backend: Backend) -> dict[str, tuple]:
    """class_search's (label, source_file) of every class is owl_classes' (the reference); returns them."""
    wanted = {_curie(iri): (label, source) for iri, label, source in query(
        backend, "SELECT class_iri, label, source_file FROM owl_classes WHERE source_file IS NOT NULL")}
    shown = {curie: (label, source) for curie, label, source in query(
        backend, "SELECT curie, label, source_file FROM class_search")}
    assert shown == wanted
    return shown


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    b = Backend(request.param, tmp_path)  # PostgreSQL: skips without a server
    yield b
    b.close()


def test_search_shows_the_label_and_file_owl_classes_holds_after_each_sync(backend, tmp_path):
    _sync(tmp_path, backend, TREE)
    shown = _assert_agrees(backend)
    # the two cases the corpus showed, as owl_classes resolves them
    assert shown["mv:PathPlanning"] == ("PathPlanning", "PathPlanning.md")
    assert shown["bc:Minting"] == ("Minting", "Minting.md")
    # the definition beside them is the shown file's too, not the smallest of any file's
    assert query(backend, "SELECT definition FROM class_search WHERE curie = 'bc:Minting'") == [
        ("The process of creating new tokens.",)]
    # the winning pages stop declaring their class: the fence's page wins, and its label shows
    _sync(tmp_path, backend, {"Minting.md": _page("Minting", "bc:Coin"), "PathPlanning.md": None})
    shown = _assert_agrees(backend)
    assert shown["mv:PathPlanning"] == ("Path Planning", "rb-0050-path-planning.md")
    assert shown["bc:Minting"] == ("Minting", "BC-0115-minting.md")
    # and back
    _sync(tmp_path, backend, {"Minting.md": TREE["Minting.md"], "PathPlanning.md": TREE["PathPlanning.md"]})
    assert _assert_agrees(backend)["mv:PathPlanning"] == ("PathPlanning", "PathPlanning.md")


def test_search_prints_the_class_label_and_declaring_file(tmp_path):
    backend = Backend("sqlite", tmp_path)
    _sync(tmp_path, backend, TREE)
    conn = sqlite3.connect(backend.db)
    try:
        hits = {h["curie"]: (h["label"], h["source_file"]) for h in search(conn, "minting")}
    finally:
        conn.close()
    assert hits["bc:Minting"] == ("Minting", "Minting.md")
