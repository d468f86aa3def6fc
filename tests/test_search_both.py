"""`ontosync search` on PostgreSQL answers as on SQLite (CONTRACT.md sections 6 and 8; issue h15).

One small hand-made tree (accents, capitals beyond ASCII, `example.com`, `7.4`, hyphens, apostrophes,
CJK, emoji, a decomposed accent) synced into both databases; SQLite's FTS5 answer is the reference
and PostgreSQL's must be the same list. Skips without a PostgreSQL server (tests/postgres_server.py).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ontosync.pg_commands import open_reader
from ontosync.store.migrations import migrations_dir
from ontosync.store.pg.search import search as pg_search
from ontosync.store.pg.search_words import TOKENIZER, size, tokenized, tsvector_text
from ontosync.store.search import search as sqlite_search
from tests.helpers import cli
from tests.postgres_server import (
    connect,
    create_database,
    database_url,
    drop_database,
    new_schema,
    own_schema,
    schema_url,
)

X = "http://example.org/x#"  # the CURIEs: the tree's IRIs, no prefix ontosync knows

HEAD = """@prefix ex: <http://example.org/x#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
"""
TREE = HEAD + """
ex:Cafe a owl:Class ; rdfs:label "Café" .
ex:Coffee a owl:Class ; rdfs:label "Coffee" ; oio:hasExactSynonym "cafe noir" .
ex:Bean a owl:Class ; rdfs:label "Bean" ; obo:IAO_0000115 "Roasted for CAFÉ drinks." .
ex:School a owl:Class ; rdfs:label "ÉCOLE Normale" .
ex:Site a owl:Class ; rdfs:label "example.com home page" .
ex:Url a owl:Class ; rdfs:label "Link" ; obo:IAO_0000115 "See https://www.w3.org/TR/owl2-syntax/ first." .
ex:Release a owl:Class ; rdfs:label "Release 7.4 notes" .
ex:CoOp a owl:Class ; rdfs:label "co-op membership" .
ex:Water a owl:Class ; rdfs:label "l'eau potable" ; oio:hasRelatedSynonym "O'Brien’s water" .
ex:Street a owl:Class ; rdfs:label "Über Straße" .
ex:Cat a owl:Class ; rdfs:label "Кошка" ; oio:hasExactSynonym "КОТ" .
ex:Myth a owl:Class ; rdfs:label "ΣΊΣΥΦΟΣ" .
ex:Tower a owl:Class ; rdfs:label "東京タワー" ; oio:hasExactSynonym "电视塔" .
ex:Rocket a owl:Class ; rdfs:label "🚀 rocket launch" ; oio:hasExactSynonym "🚀launcher" .
ex:Summer a owl:Class ; rdfs:label "e\u0301te\u0301 chaud" .
ex:Water2 a owl:Class ; rdfs:label "H2O" .
"""
QUERIES = ("cafe", "Café", "CAFÉ", "caf", "cafe noir", "noir", "drinks", "ecole", "école", "École norm",
           "example", "example.com", "com", "home page", "w3", "www.w3.org", "owl2 syntax", "7.4", "7", "4",
           "release 7", "example page", "7 notes",
           "co-op", "coop", "op", "membership", "eau", "l'eau", "l", "brien", "o'brien", "water",
           "über", "uber", "UBER", "straße", "strasse", "кошка", "КОШ", "кот", "σίσυφος", "ΣΊΣΥΦΟΣ", "σισυφος",
           "東京", "東京タワー", "タワー", "电视塔", "🚀", "rocket", "🚀rocket", "launcher", "été", "ete",
           "ÉTÉ chaud", "h2o", "h2", "2", "nothing here", "", "  ", "'", "a-", "_", "cafe _", "home_page", "page_home",
           "home_p", "normale_école", "e", "c", "o", "r", "a", "cafe cafe", "l eau", "ro", "s")


def _sync(tmp_path: Path, name: str, db: str, text: str = TREE) -> str:
    src = tmp_path / f"{name}-src"
    src.mkdir(exist_ok=True)
    (src / "a.ttl").write_text(text, encoding="utf-8")
    proc = cli("sync", str(src), "--db", db, "--quiet", "--workers", "1",
               "--checkpoint", str(tmp_path / f"{name}.json"))
    assert proc.returncode == 0, proc.stderr
    return db


class Both:
    """The same tree in a SQLite file and a PostgreSQL schema, searched in process."""

    def __init__(self, tmp_path: Path, schema: str, text: str = TREE) -> None:
        self.tmp_path, self.url, self.text = tmp_path, schema_url(schema), text
        self.lite = _sync(tmp_path, "lite", str(tmp_path / "lite.db"), text)
        _sync(tmp_path, "pg", self.url, text)

    def resync(self, text: str) -> None:
        _sync(self.tmp_path, "lite", self.lite, text)
        _sync(self.tmp_path, "pg", self.url, text)

    def sqlite(self, text: str) -> list[str]:
        conn = sqlite3.connect(self.lite)
        try:
            return [h["curie"] for h in sqlite_search(conn, text)]
        finally:
            conn.close()

    def postgres(self, text: str) -> list[str]:
        db, conn, _schema = open_reader(self.url)
        try:
            return [h["curie"] for h in pg_search(conn, text)]
        finally:
            db.close()


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    for schema in own_schema():
        yield Both(tmp_path_factory.mktemp("both"), schema)


def test_postgresql_words_are_split_by_the_tokenizer_of_sqlites_index():
    # store/pg/search_words.py runs its own copy of the setting: a change to 005's must reach it
    assert f'tokenize="{TOKENIZER}"' in (migrations_dir() / "005_semantic_sql.sql").read_text(encoding="utf-8")


def test_the_tree_has_labels_synonyms_and_definitions_to_search(both):
    # the ranking below is only tested if the tree's rows hold all three columns
    conn = sqlite3.connect(both.lite)
    try:
        rows = dict((r[0], r[1:]) for r in conn.execute("SELECT curie, label, synonyms, definition FROM class_search"))
    finally:
        conn.close()
    assert rows[X + "Coffee"] == ("Coffee", "cafe noir", None)
    assert rows[X + "Bean"] == ("Bean", None, "Roasted for CAFÉ drinks.")


@pytest.mark.parametrize("text", QUERIES)
def test_postgresql_answers_each_query_as_sqlite(both, text):
    assert both.postgres(text) == both.sqlite(text), text


def test_sqlite_reference_answers_are_not_empty(both):
    # an empty list everywhere would make the comparison above hold without saying anything
    answered = [t for t in QUERIES if both.sqlite(t)]
    assert len(answered) >= 40, answered


@pytest.mark.parametrize(("text", "expected"), [
    # PostgreSQL kept "Café" as `café` (no `unaccent`): `cafe` found nothing
    ("cafe", [X + "Cafe", X + "Coffee", X + "Bean"]),
    ("ecole", [X + "School"]),
    ("ete", [X + "Summer"]),
    # its parser read `example.com`, `7.4` and URLs as one token each: their parts were found only as
    # the text's last word (a prefix of the token), never before it
    ("example page", [X + "Site"]),
    ("com", [X + "Site"]),
    ("7 notes", [X + "Release"]),
    ("w3", [X + "Url"]),
    ("owl2", [X + "Url"]),
    # an emoji glued to a word made the two one token (to a C-locale server every non-ASCII character
    # is a letter)
    ("launcher", [X + "Rocket"]),
])
def test_postgresql_finds_what_the_base_missed(both, text, expected):
    # each row failed on the base (integ12): PostgreSQL's own parser and 'simple' dictionary
    assert both.postgres(text) == expected


def test_label_ranks_over_synonym_over_definition_on_both(both):
    # ex:Cafe holds `cafe` in its label, ex:Coffee in a synonym, ex:Bean in its definition
    assert both.sqlite("cafe") == both.postgres("cafe") == [X + "Cafe", X + "Coffee", X + "Bean"]


def test_an_incremental_sync_replaces_the_words_of_changed_classes(tmp_path):
    for schema in own_schema():
        both = Both(tmp_path, schema, HEAD + 'ex:A a owl:Class ; rdfs:label "Crème brûlée" .\n'
                                             'ex:B a owl:Class ; rdfs:label "Tarte" .\n')
        assert both.postgres("creme") == both.sqlite("creme") == [X + "A"]
        both.resync(HEAD + 'ex:A a owl:Class ; rdfs:label "Gâteau" .\n'
                           'ex:B a owl:Class ; rdfs:label "Tarte" ; oio:hasExactSynonym "crème" .\n'
                           'ex:C a owl:Class ; rdfs:label "Éclair" .\n')
        for text in ("creme", "gateau", "brulee", "eclair", "tarte"):
            assert both.postgres(text) == both.sqlite(text), text
        assert both.postgres("creme") == [X + "B"]
        conn = connect()
        try:
            cur = conn.cursor()
            # every row has its words, and a replaced row's words went with it
            cur.execute(f'SELECT (SELECT count(*) FROM "{schema}".class_search), '
                        f'(SELECT count(*) FROM "{schema}".class_search_words w JOIN "{schema}".class_search c '
                        'ON c.id = w.id), '
                        f'(SELECT count(*) FROM "{schema}".class_search_words)')
            assert cur.fetchone() == (3, 3, 3)
        finally:
            conn.close()


def _corpus_queries(conn: sqlite3.Connection) -> list[str]:
    """Queries drawn from the corpus's own labels (every 120th label's first word, its first two
    words, a three-letter prefix of it), and short prefixes that hit many classes, where the order
    (FTS5's bm25) decides which 50 are shown."""
    labels = [r[0] for r in conn.execute("SELECT label FROM class_search WHERE label IS NOT NULL ORDER BY curie")]
    queries = ["a", "co", "pro", "data", "sys", "the"]
    for label in labels[::120]:  # ~50 queries: the suite's time (issue 16)
        words = label.split()
        queries += [words[0], " ".join(words[:2]), words[0][:3]]
    return queries


@pytest.mark.corpus
@pytest.mark.slow
def test_postgresql_answers_as_sqlite_on_the_corpus(corpus_db, pg_corpus_template):
    name = new_schema()
    create_database(name, pg_corpus_template)  # a copy: the template takes no connections
    try:
        lite = sqlite3.connect(corpus_db)
        db, conn, _schema = open_reader(database_url(name, "corpus"))
        try:
            queries = _corpus_queries(lite)
            answers = {t: [h["curie"] for h in sqlite_search(lite, t)] for t in queries}
            assert sum(len(a) == 50 for a in answers.values()) >= 5  # some answers are cut by the order
            for text, expected in answers.items():
                assert [h["curie"] for h in pg_search(conn, text)] == expected, text
        finally:
            db.close()
            lite.close()
    finally:
        drop_database(name)


def test_a_row_with_more_words_than_a_tsvector_holds_is_written_with_the_first(tmp_path):
    # PostgreSQL refuses a tsvector over 1 MB ("string is too long for tsvector"): one class whose
    # definition holds 100,000 different words (2 MB as a tsvector) would fail the run's end
    for _schema in own_schema():
        definition = " ".join(f"word{i:08d}" for i in range(100_000))
        columns = tokenized([(1, "Huge", None, definition)])[1]
        conn = connect()
        try:
            cur = conn.cursor()
            cur.execute("SELECT length(%s::tsvector), %s::tsvector @@ 'huge'::tsquery",
                        (tsvector_text(columns), tsvector_text(columns)))
            kept, label_found = cur.fetchone()
        finally:
            conn.close()
        assert label_found and 30_000 <= kept < 100_000
        assert size(columns) == 100_001  # the row's size (bm25's) still counts every word
