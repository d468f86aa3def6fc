"""`ontosync search` and its readers, fifth round: what a user types, against what the index holds.

The reference for each query is the label itself: a class must be found by its own label's text,
however that text is encoded, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ontosync.cli import main
from ontosync.store.search import search

X = "http://example.org/x#"
HEAD = """@prefix ex: <http://example.org/x#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .
"""
# Labels written decomposed (NFD: a letter, then its combining accent), as macOS file names and
# text copied from them are; and the same words precomposed (NFC), as most keyboards type them.
NFD_SUMMER, NFD_CAFE = "e\u0301te\u0301 chaud", "Cafe\u0301"
TREE = HEAD + f"""
ex:Summer a owl:Class ; rdfs:label "{NFD_SUMMER}" .
ex:Cafe a owl:Class ; rdfs:label "Café" .
ex:Yogurt a owl:Class ; rdfs:label "и\u0306огурт" .
ex:Widget a owl:Class ; rdfs:label "widget" .
"""


def _sync(root: Path, name: str, text: str, db: str | None = None) -> str:
    src = root / f"{name}-src"
    src.mkdir(exist_ok=True)
    (src / "a.ttl").write_text(text, encoding="utf-8")
    db = db or str(root / f"{name}.db")
    assert main(["sync", str(src), "--db", db, "--quiet", "--workers", "1",
                 "--checkpoint", str(root / f"{name}.json")]) == 0
    return db


@pytest.fixture(scope="module")
def lite(tmp_path_factory) -> str:
    return _sync(tmp_path_factory.mktemp("r5"), "lite", TREE)


def _found(db: str, text: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [h["curie"] for h in search(conn, text)]
    finally:
        conn.close()


# (query, class): the label's own decomposed text, a decomposed query for a precomposed label, and
# the precomposed query for a decomposed label (which held before)
ACCENTS = [(NFD_SUMMER, "Summer"), ("e\u0301te\u0301", "Summer"), ("été", "Summer"), ("ete chaud", "Summer"),
           (NFD_CAFE, "Cafe"), ("cafe\u0301", "Cafe"), ("café", "Cafe"),
           ("и\u0306огурт", "Yogurt"), ("иогурт", "Yogurt")]


@pytest.mark.parametrize(("text", "curie"), ACCENTS)
def test_a_decomposed_accent_in_the_query_finds_the_class(lite, text, curie):
    # the query was cut into words at each combining accent (`e\u0301te\u0301` -> "e", "te"), which
    # the index holds as one folded word ("ete"): a label's own text, copied, found nothing
    assert _found(lite, text) == [X + curie], ascii(text)


def test_postgresql_finds_them_as_sqlite_does(lite, tmp_path):
    # store/pg/search_words.py splits the text with the same words (query_words)
    from ontosync.pg_commands import open_reader
    from ontosync.store.pg.search import search as pg_search
    from tests.postgres_server import own_schema, schema_url

    for schema in own_schema():  # skips without a server
        db, conn, _schema = open_reader(_sync(tmp_path, "pg", TREE, db=schema_url(schema)))
        try:
            for text, curie in ACCENTS:
                assert [h["curie"] for h in pg_search(conn, text)] == [X + curie], ascii(text)
        finally:
            db.close()
