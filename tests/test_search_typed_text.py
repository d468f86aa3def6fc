"""`ontosync search` and its readers, fifth round: what a user types, against what the index holds.

The reference for each query is the label itself: a class must be found by its own label's text,
however that text is encoded, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ontosync.cli import main
from ontosync.store.search import fts_query, search

X = "http://example.org/x#"
HEAD = """@prefix ex: <http://example.org/x#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .
"""
# Labels written decomposed (NFD: a letter, then its combining accent), as macOS file names and
# text copied from them are; and the same words precomposed (NFC), as most keyboards type them.
NFD_SUMMER, NFD_CAFE = "e\u0301te\u0301 chaud", "Cafe\u0301"
# Classes that hold `robot`: in the label's first word, later in the label, in a synonym, in a definition.
RANKED = """@prefix obo: <http://purl.obolibrary.org/obo/> .
ex:Robot a owl:Class ; rdfs:label "Robot" ;
    obo:IAO_0000115 "A programmable machine that senses, decides and acts in the physical world." .
ex:IndustrialRobot a owl:Class ; rdfs:label "Industrial Robot" ;
    obo:IAO_0000115 "A robot used in manufacturing, usually fixed in place." .
ex:RobotArm a owl:Class ; rdfs:label "Robot arm" ; oio:hasExactSynonym "robotic arm", "arm of a robot" ;
    obo:IAO_0000115 "The arm of a robot: a robot's manipulator." .
ex:Manipulator a owl:Class ; rdfs:label "Manipulator" ; oio:hasExactSynonym "robot", "robot hand" .
ex:Tool a owl:Class ; rdfs:label "Tool" ; obo:IAO_0000115 "Held by a robot." .
ex:Welding a owl:Class ; rdfs:label "Welding robot cell" .
ex:Assay a owl:Class ; rdfs:label "assay" ; obo:IAO_0000118 "zorbal measurement" .
"""


TREE = HEAD + f"""
ex:Summer a owl:Class ; rdfs:label "{NFD_SUMMER}" .
ex:Cafe a owl:Class ; rdfs:label "Café" .
ex:Yogurt a owl:Class ; rdfs:label "и\u0306огурт" .
ex:Widget a owl:Class ; rdfs:label "widget" .
""" + RANKED


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


RANKINGS = [("robot", ["Robot", "RobotArm"]), ("Robot", ["Robot", "RobotArm"]), ("rob", ["Robot", "RobotArm"]),
            ("robot arm", ["RobotArm"]), ("industrial robot", ["IndustrialRobot"]),
            ("industrial", ["IndustrialRobot"]), ("welding robot", ["Welding"]), ("arm", ["RobotArm"])]


@pytest.mark.parametrize(("text", "first"), RANKINGS)
def test_classes_whose_label_starts_with_the_text_come_first(lite, text, first):
    # `search robot` listed "Industrial Robot" (the word in its label and its definition) and the
    # synonym-only "Manipulator" before the class labelled "Robot": bm25 counts occurrences and
    # penalises a long definition; the class named by what was typed came lower than its kin
    found = _found(lite, text)
    assert [c.removeprefix(X) for c in found[:len(first)]] == first, found
    # the rest keeps bm25's order, all matches listed
    conn = sqlite3.connect(lite)
    try:
        every = {c for (c,) in conn.execute("SELECT c.curie FROM class_search_fts f JOIN class_search c ON "
                                            "c.id = f.rowid WHERE class_search_fts MATCH ?", (fts_query(text),))}
    finally:
        conn.close()
    assert sorted(found) == sorted(every)


def test_an_alternative_term_finds_its_class(lite):
    # IAO:0000118 ("alternative label", OBI's and many OBO ontologies' synonyms) is one of OAK's
    # synonym predicates (oaklib's SYNONYM_PREDICATES): `runoak search zorbal` found the class, and
    # `ontosync search zorbal` nothing
    conn = sqlite3.connect(lite)
    try:
        hits = search(conn, "zorbal")
        row = conn.execute("SELECT label, synonyms FROM class_search WHERE curie = ?", (X + "Assay",)).fetchone()
    finally:
        conn.close()
    assert [(h["curie"], h["label"]) for h in hits] == [(X + "Assay", "assay")]
    assert row == ("assay", "zorbal measurement")


def test_a_word_typed_thousands_of_times_is_searched_once(lite):
    # `search "robot robot robot ..."` (30,000 characters): FTS5 scored each of the 5,000 phrases in
    # every hit, 0.5 s of CPU on this tree of ten classes and 26 s for `a a a ...` on the corpus, for
    # the answer of `robot robot`
    import time

    started = time.process_time()
    found = _found(lite, "robot " * 5000)
    assert time.process_time() - started < 0.15
    assert found == _found(lite, "robot robot") and len(found) == 6


def test_postgresql_finds_and_ranks_them_as_sqlite_does(lite, tmp_path):
    # store/pg/search_words.py splits the text with the same words (query_words), and
    # store/pg/search.py puts the labels that start with them first, as store/search.py does
    from ontosync.pg_commands import open_reader
    from ontosync.store.pg.search import search as pg_search
    from tests.postgres_server import own_schema, schema_url

    for schema in own_schema():  # skips without a server
        db, conn, _schema = open_reader(_sync(tmp_path, "pg", TREE, db=schema_url(schema)))
        try:
            more = ["a", "r", "robot robot", "arm robot", "of", "robot " * 5000, "a arm a robot a", "robot Robot rob"]
            for text in [t for t, _ in ACCENTS + RANKINGS] + more:
                assert [h["curie"] for h in pg_search(conn, text)] == _found(lite, text), ascii(text)
        finally:
            db.close()


def test_datasettes_canned_search_lists_the_class_labelled_so_first(lite):
    # the shipped canned query ordered by bm25 alone: `search?q=robot` listed "Welding robot cell"
    # first and the class labelled "Robot" fifth (the query's own SQL, run as Datasette runs it)
    import json

    import ontosync

    metadata = json.loads((Path(ontosync.__file__).parent / "datasette" / "metadata.json").read_text(encoding="utf-8"))
    sql = metadata["databases"]["ontology"]["queries"]["search"]["sql"]
    conn = sqlite3.connect(lite)
    try:
        for text in ("robot", "Robot", "ROBOT"):
            assert conn.execute(sql, {"q": text}).fetchone()[0] == X + "Robot", text
        assert conn.execute(sql, {"q": '"robot arm"'}).fetchone()[0] == X + "RobotArm"  # FTS5 syntax still
    finally:
        conn.close()


def test_search_of_a_file_that_is_no_ontosync_database_says_so(tmp_path, capsys):
    # "cannot search (file is not a database); run `ontosync sync` with this version first": the
    # advice was to sync into someone else's SQLite file, or a text file; `status` says what it is
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    (tmp_path / "text.db").write_text("hello\n", encoding="utf-8")
    for name in ("other.db", "text.db"):
        assert main(["search", "robot", "--db", str(tmp_path / name)]) == 2  # the wrong file: exit 2 (h165)
        err = capsys.readouterr().err
        assert f"{name} is not an ontosync database" in err and "ontosync sync" not in err, err
        assert len(err.strip().splitlines()) == 1
    assert sqlite3.connect(other).execute("SELECT count(*) FROM sqlite_master").fetchone() == (1,)  # untouched
