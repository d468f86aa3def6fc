"""A real Datasette on 127.0.0.1 serves the corpus database with ontosync's shipped metadata: the
canned queries answer over the JSON API, and `?_search=` finds a class by a synonym."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import ontosync
from ontosync.cli import main
from tests.conftest import copy_db
from tests.helpers import DATASETTE, PAGES, datasette_get, datasette_serving, reachable

METADATA = Path(ontosync.__file__).parent / "datasette" / "metadata.json"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not DATASETTE.is_file(), reason="datasette not installed (pip install -e '.[dev]')"),
    pytest.mark.skipif(not PAGES.is_dir(), reason="corpus not present"),
]

SYNONYM_TTL = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/dst#Holodeck> a owl:Class ; rdfs:label "Holodeck" ;
    skos:altLabel "Zyxwv immersion chamber" .
"""


get = datasette_get  # the name the tests below use


@pytest.fixture(scope="module")
def served(tmp_path_factory, corpus_db):
    """The corpus database (a copy of the session's full sync of the pages) plus one Turtle file
    synced into it, served by Datasette."""
    tmp = tmp_path_factory.mktemp("ds")
    src = tmp / "pages"
    shutil.copytree(PAGES, src)
    (src / "holodeck.ttl").write_text(SYNONYM_TTL, encoding="utf-8")
    db = copy_db(corpus_db, tmp / "ontology.db")
    assert main(["sync", str(src), "--db", str(db), "--quiet", "--workers", "2"]) == 0
    with datasette_serving(db, METADATA) as base:
        yield base, sqlite3.connect(db)


def hub(conn: sqlite3.Connection) -> str:
    return conn.execute("SELECT object FROM rdfs_subclass_of_named_statement GROUP BY object "
                        "ORDER BY count(*) DESC, object LIMIT 1").fetchone()[0]


def closure(conn: sqlite3.Connection, start: str, up: bool) -> set[str]:
    """From the asserted subClassOf rows, walked here (not read from entailed_edge)."""
    edges: dict[str, set[str]] = {}
    for s, o in conn.execute("SELECT subject, object FROM rdfs_subclass_of_named_statement"):
        a, b = (s, o) if up else (o, s)
        edges.setdefault(a, set()).add(b)
    return reachable(edges, start)


def test_canned_ancestors_and_descendants(served) -> None:
    base, conn = served
    top = hub(conn)
    down = get(base, "/ontology/descendants", curie=top)
    assert {r["curie"] for r in down} == closure(conn, top, up=False)
    leaf = sorted(r["curie"] for r in down)[-1]
    up = get(base, "/ontology/ancestors", curie=leaf)
    assert {r["curie"] for r in up} == closure(conn, leaf, up=True)
    assert top in {r["curie"] for r in up}


def test_class_card_and_search(served) -> None:
    base, conn = served
    curie, label = conn.execute("SELECT subject, value FROM rdfs_label_statement WHERE subject IN "
                                "(SELECT subject FROM rdfs_subclass_of_named_statement) "
                                "ORDER BY subject LIMIT 1").fetchone()
    (card,) = get(base, "/ontology/class_card", curie=curie)
    assert card["label"] == label
    parents = {o for (o,) in conn.execute("SELECT DISTINCT object FROM rdfs_subclass_of_named_statement "
                                          "WHERE subject = ?", (curie,))}
    assert set(card["parents"].split(" | ")) == parents
    assert card["source_file"].endswith(".md")
    hits = get(base, "/ontology/search", q=label.split()[0])
    assert curie in {h["curie"] for h in hits}


def test_search_by_synonym(served) -> None:
    base, _ = served
    rows = get(base, "/ontology/class_search", _search="zyxwv")
    assert [(r["curie"], r["label"]) for r in rows] == [("http://example.org/dst#Holodeck", "Holodeck")]
    assert get(base, "/ontology/class_search", _search="nosuchwordanywhere") == []
