"""`ontosync search`, seventh round: the index's words outside ASCII, read without reading them all.

A search looks each of its words up among the index's words outside ASCII (store/search_terms.py).
They were read of FTS5's whole vocabulary on SQLite and of every row's words on PostgreSQL, on every
search (0.2 s and more at 50,000 synthetic pages, whose words are all ASCII); they are now read of
the rows whose text has a character outside ASCII. The reference here is the whole vocabulary.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ontosync.cli import main
from ontosync.store import search as lite_search

X = "http://example.org/x#"
# A Greek word, a dash and quotes only (text outside ASCII, no word outside it), `ß`, Japanese, a
# synonym and a definition with them, a word with its accent folded away (`Café` is `cafe`)
TREE = """@prefix ex: <http://example.org/x#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
ex:Alpha a owl:Class ; rdfs:label "Alpha helix" ; oio:hasExactSynonym "α-helix" .
ex:Dash a owl:Class ; rdfs:label "Dash \u2014 \u201cquoted\u201d" .
ex:Street a owl:Class ; rdfs:label "Straße" .
ex:Road a owl:Class ; rdfs:label "Strasse Nord" .
ex:Shiba a owl:Class ; rdfs:label "Shiba" ; obo:IAO_0000115 "柴犬, a dog." .
ex:Cafe a owl:Class ; rdfs:label "Café" .
ex:Plain a owl:Class ; rdfs:label "Plain" ; obo:IAO_0000115 "Nothing\\tbut ASCII\\n here." .
"""
TEXTS = ["alpha", "α", "strasse", "straße", "犬", "柴犬", "cafe", "quoted", "plain", "shiba dog"]


def _sync(root: Path, db: str | None = None, tree: str = TREE) -> str:
    """`tree` synced from a folder under `root` into `db` (a file under `root` when None)."""
    (root / "src").mkdir(exist_ok=True)
    (root / "src" / "a.ttl").write_text(tree, encoding="utf-8")
    db = db or str(root / "r7.db")
    assert main(["sync", str(root / "src"), "--db", db, "--quiet", "--checkpoint", str(root / "r7.json")]) == 0
    return db


@pytest.fixture(scope="module")
def lite(tmp_path_factory) -> str:
    return _sync(tmp_path_factory.mktemp("r7"))


def _whole_vocabulary(conn: sqlite3.Connection) -> list[str]:
    """The index's words outside ASCII as FTS5's vocabulary of the whole index holds them."""
    conn.execute("CREATE VIRTUAL TABLE temp.whole USING fts5vocab(main, class_search_fts, row)")
    return [t for (t,) in conn.execute("SELECT term FROM temp.whole WHERE term GLOB '*[^ -~]*' ORDER BY term")]


def _found(conn: sqlite3.Connection) -> dict[str, list[str]]:
    return {t: [h["curie"].removeprefix(X) for h in lite_search.search(conn, t)] for t in TEXTS}


def test_a_search_reads_the_words_of_the_rows_outside_ascii_only(lite):
    conn = sqlite3.connect(lite)
    try:
        hits = _found(conn)
        # the whole vocabulary (a temporary fts5vocab table) was read on every search
        assert conn.execute("SELECT name FROM sqlite_temp_master").fetchall() == []
        assert lite_search.vocabulary(conn) == _whole_vocabulary(conn) == ["straße", "α", "柴犬"]
    finally:
        conn.close()
    assert set(hits["strasse"]) == set(hits["straße"]) == {"Street", "Road"}
    assert hits["犬"] == ["Shiba"] and hits["α"] == ["Alpha"] and hits["quoted"] == ["Dash"]


def test_many_rows_outside_ascii_read_the_index_vocabulary_with_the_same_answers(lite, monkeypatch):
    conn = sqlite3.connect(lite)
    try:
        few = _found(conn)
        monkeypatch.setattr(lite_search, "FLOOR", 1)  # 4 rows of 7 outside ASCII: more than a tenth
        assert lite_search.vocabulary(conn) == _whole_vocabulary(conn)
        assert _found(conn) == few
    finally:
        conn.close()


def test_postgresql_reads_the_same_words_and_finds_the_same_classes(lite, tmp_path):
    from ontosync.pg_commands import open_reader
    from ontosync.store.pg import search as pg
    from tests.postgres_server import own_schema, schema_url

    whole = "SELECT word, ndoc FROM ts_stat('SELECT words FROM class_search_words') WHERE word ~ '[^ -~]'"
    conn = sqlite3.connect(lite)
    try:
        expected = _found(conn)
    finally:
        conn.close()
    for schema in own_schema():  # skips without a server
        db, pconn, _schema = open_reader(_sync(tmp_path, db=schema_url(schema)))
        try:
            assert sorted(pconn.execute(pg._VOCABULARY).fetchall()) == sorted(pconn.execute(whole).fetchall())
            assert {t: [h["curie"].removeprefix(X) for h in pg.search(pconn, t)] for t in TEXTS} == expected
        finally:
            db.close()


def _index_scans(plan: dict) -> int:
    """The GIN index's scans in an EXPLAIN ANALYZE plan (each node's loops)."""
    own = plan.get("Actual Loops", 0) if plan.get("Index Name") == "class_search_words_gin" else 0
    return own + sum(_index_scans(p) for p in plan.get("Plans", []))


def test_postgresql_counts_each_phrases_rows_once_not_once_a_hit(tmp_path):
    # `rarity` inlined into `scores`: each phrase's rows were counted (a GIN scan) once per hit, 40
    # hits of two words 80 scans (`adaptive agent` at 10,000 synthetic pages 0.65 s, 50,000 24 s)
    from ontosync.pg_commands import open_reader
    from ontosync.store.pg import search as pg
    from ontosync.store.pg.search_words import query_phrases
    from ontosync.store.search import query_words, searched_words
    from ontosync.store.search_terms import groups
    from tests.postgres_server import own_schema, schema_url

    dogs = "".join(f'ex:D{i} a owl:Class ; rdfs:label "Dog food {i}" .\n' for i in range(40))
    tree = TREE.split("ex:Alpha")[0] + dogs
    for schema in own_schema():  # skips without a server
        url = _sync(tmp_path, db=schema_url(schema), tree=tree)
        db, conn, _schema = open_reader(url)
        try:
            phrases = [p for group in groups(query_phrases(searched_words(query_words("dog food"))), list)
                       for p in group]
            sql, params = pg.statement(conn, "dog food")
            (plan,), = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params).fetchone()
            assert len(pg.search(conn, "dog food")) == 40
        finally:
            db.close()
        assert _index_scans(plan["Plan"]) <= 2 + 2 * len(phrases), _index_scans(plan["Plan"])  # 40 hits: not each
