"""`ontosync search`, sixth round: text written another way, and scripts written without spaces.

The reference for each query is computed here from the labels themselves: a class is found by any
canonically or compatibility-equivalent form of its label's words, case-folded as Unicode folds it
(`ß` is `ss`), and in Chinese or Japanese by any run of characters of them (as `runoak search
~TEXT` finds a substring), on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

import pytest

from ontosync.cli import main
from ontosync.store.search import search

X = "http://example.org/x#"
NFC_YOGURT = "йогурт"  # `й` one character
NFD_YOGURT = unicodedata.normalize("NFD", NFC_YOGURT)  # `и` + a combining breve
LABELS = {"Shiba": "柴犬", "Dog": "犬", "Cat": "猫", "CatFamily": "ネコ科", "Tower": "東京タワー",
          "Street": "Straße", "Road": "Strasse Nord", "Fish": "ﬁsh ﬁllet", "Wide": "ｗｉｄｅ ｂｏｄｙ",
          "Yogurt": NFC_YOGURT, "Kefir": NFD_YOGURT + " кефир", "Hedgehog": "ёжик", "Dogma": "dogma"}
HEAD = """@prefix ex: <http://example.org/x#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
"""
TREE = HEAD + "".join(f'ex:{c} a owl:Class ; rdfs:label "{label}" .\n' for c, label in LABELS.items()) + \
    'ex:Akita a owl:Class ; rdfs:label "Akita" ; oio:hasExactSynonym "秋田犬" .\n' + \
    'ex:Beast a owl:Class ; rdfs:label "Tier"@de, "Beast", "Bête"@fr .\n' + \
    'ex:Hound a owl:Class ; rdfs:subClassOf ex:Beast ; rdfs:label "Chien"@fr, "Hound"@en .\n' + \
    'ex:Pup a owl:Class ; rdfs:subClassOf ex:Hound ; rdfs:label "Welpe"@de, "Pup"@en-GB, "Chiot"@fr .\n' + \
    'ex:Eclair a owl:Class ; rdfs:label "Éclair" ; obo:IAO_0000115 "A long pastry filled with cream and topped ' \
    'with a glaze, made with choux dough and baked until hollow inside." .\n' + \
    'ex:ChocolateEclair a owl:Class ; rdfs:label "Chocolate éclair" ; obo:IAO_0000115 "An éclair." .\n' + \
    'ex:MiniEclair a owl:Class ; rdfs:label "Mini éclair" .\n'


def _sync(root: Path, db: str | None = None) -> str:
    src = root / "src"
    src.mkdir(exist_ok=True)
    (src / "a.ttl").write_text(TREE, encoding="utf-8")
    db = db or str(root / "r6.db")
    assert main(["sync", str(src), "--db", db, "--quiet", "--workers", "1", "--checkpoint", str(root / "r6.json")]) == 0
    return db


@pytest.fixture(scope="module")
def lite(tmp_path_factory) -> str:
    return _sync(tmp_path_factory.mktemp("r6"))


def _found(db: str, text: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [h["curie"].removeprefix(X) for h in search(conn, text)]
    finally:
        conn.close()


def _holding(text: str) -> set[str]:
    """The classes whose label or synonym holds `text` as a substring (the CJK reference)."""
    texts = {**LABELS, "Akita": "Akita 秋田犬"}
    return {c for c, label in texts.items() if text in label}


@pytest.mark.parametrize("text", ["犬", "柴犬", "柴", "猫", "ネコ", "科", "タワー", "京", "田犬"])
def test_a_run_of_chinese_or_japanese_characters_finds_every_label_that_holds_it(lite, text):
    # `search 犬` (dog) found only the class labelled 犬 itself, not 柴犬 (shiba dog) nor the synonym
    # 秋田犬: FTS5's tokenizer takes a run of ideographs for one word, and the query was a prefix of it
    found = _found(lite, text)
    assert sorted(found) == sorted(_holding(text)), text
    starts = {c for c, label in LABELS.items() if label.startswith(text)}
    assert not starts or found[0] in starts, found  # a label that starts with it first


# (query, classes): every form of the same words finds the same classes
FORMS = [(NFC_YOGURT, {"Yogurt", "Kefir"}), (NFD_YOGURT, {"Yogurt", "Kefir"}), ("иогурт", {"Yogurt", "Kefir"}),
         ("ЙОГУРТ", {"Yogurt", "Kefir"}), ("йог", {"Yogurt", "Kefir"}), ("кефир", {"Kefir"}),
         ("ежик", {"Hedgehog"}), ("ёжик", {"Hedgehog"}), ("е\u0308жик", {"Hedgehog"}),
         ("strasse", {"Street", "Road"}), ("Straße", {"Street", "Road"}), ("STRASSE", {"Street", "Road"}),
         ("stra", {"Street", "Road"}), ("strasse nord", {"Road"}),
         ("fish", {"Fish"}), ("ﬁsh", {"Fish"}), ("fillet", {"Fish"}), ("FISH FIL", {"Fish"}),
         ("wide", {"Wide"}), ("ｗｉｄｅ", {"Wide"}), ("body", {"Wide"}),
         ("dog", {"Dogma"}), ("og", set())]  # outside the spaceless scripts a word is no substring


@pytest.mark.parametrize(("text", "classes"), FORMS)
def test_every_form_of_a_word_finds_the_same_classes(lite, text, classes):
    # NFC `йогурт` and its NFD form (`и` + breve) were two words to the index (the tokenizer drops a
    # combining breve, keeps the precomposed letter): each found only the label written like it;
    # `ß`, the ligature `ﬁ` and full-width letters matched nothing but themselves
    assert set(_found(lite, text)) == classes, ascii(text)


def test_datasettes_search_reads_the_index_unchanged(lite):
    # the index is not rewritten: `?_search=Straße` and `?_search=柴犬` (Datasette's own FTS5 MATCH,
    # the words quoted as its escaped mode does) still find the label written so
    conn = sqlite3.connect(lite)
    try:
        for text, curie in (("Straße", "Street"), ("柴犬", "Shiba"), ("ﬁsh", "Fish"), (NFC_YOGURT, "Yogurt")):
            rows = conn.execute("SELECT c.curie FROM class_search c WHERE c.id IN (SELECT rowid FROM "
                                "class_search_fts WHERE class_search_fts MATCH ?)", (f'"{text}"',)).fetchall()
            assert rows == [(X + curie,)], text
    finally:
        conn.close()


def test_datasettes_ancestors_and_descendants_show_each_class_by_its_label(lite):
    # the canned queries took any one of a class's labels (GROUP BY over the label rows): "Tier" and
    # "Chien" for the classes `search`, `owl_classes` and the class card call "Beast" and "Hound"
    import json

    import ontosync

    metadata = json.loads((Path(ontosync.__file__).parent / "datasette" / "metadata.json").read_text(encoding="utf-8"))
    queries = metadata["databases"]["ontology"]["queries"]
    labels = {X + "Beast": "Beast", X + "Hound": "Hound", X + "Pup": "Pup"}  # untagged, else `en`, else `en-*`
    conn = sqlite3.connect(lite)
    try:
        up = conn.execute(queries["ancestors"]["sql"], {"curie": X + "Pup"}).fetchall()
        down = conn.execute(queries["descendants"]["sql"], {"curie": X + "Beast"}).fetchall()
        shown = dict(conn.execute("SELECT class_iri, label FROM owl_classes"))
    finally:
        conn.close()
    assert up == down == sorted(labels.items())
    assert {c: shown[c] for c in labels} == labels


def _canned(name: str) -> str:
    import json

    import ontosync

    metadata = json.loads((Path(ontosync.__file__).parent / "datasette" / "metadata.json").read_text(encoding="utf-8"))
    return metadata["databases"]["ontology"]["queries"][name]["sql"]


@pytest.mark.parametrize("text", ["éclair", "eclair", "Éclair", "ÉCLAIR", "e\u0301clair"])
def test_datasettes_canned_search_lists_the_class_labelled_so_first_beyond_ascii(lite, text):
    # `c.label = :q COLLATE NOCASE` folds ASCII only: `search?q=éclair` listed "Éclair" last, after
    # "Mini éclair" and "Chocolate éclair", as `ontosync search éclair` did not
    conn = sqlite3.connect(lite)
    try:
        rows = [r[0].removeprefix(X) for r in conn.execute(_canned("search"), {"q": text})]
    finally:
        conn.close()
    assert rows[0] == "Eclair" and sorted(rows) == ["ChocolateEclair", "Eclair", "MiniEclair"], rows
    assert rows == _found(lite, text)  # ranked as `ontosync search` ranks them


def test_postgresql_finds_and_ranks_them_as_sqlite_does(lite, tmp_path):
    from ontosync.pg_commands import open_reader
    from ontosync.store.pg.search import search as pg_search
    from tests.postgres_server import own_schema, schema_url

    for schema in own_schema():  # skips without a server
        db, conn, _schema = open_reader(_sync(tmp_path, db=schema_url(schema)))
        try:
            for text in ["犬", "柴犬", "ネコ", "田犬", "犬 akita"] + [t for t, _ in FORMS]:
                assert [h["curie"].removeprefix(X) for h in pg_search(conn, text)] == _found(lite, text), ascii(text)
        finally:
            db.close()


@pytest.mark.parametrize("limit", ["0", "-3", "99999999999999999999", "-99999999999999999999"])
def test_a_limit_out_of_range_names_the_range_search_takes(lite, capsys, limit):
    # `--limit 99999999999999999999` said "must be between -9223372036854775808 and ...", a range
    # whose every number under 1 `--limit` refuses
    code = main(["search", "dog", "--db", lite, "--limit", limit])
    err = capsys.readouterr().err
    assert code == 2 and f"must be between 1 and 9223372036854775807, not {limit}" in err, err


def test_a_limit_of_other_digits_is_no_number(lite, capsys):
    # `--limit ²` (a digit to str.isdigit, no number to int) was told the range, not that it is no number
    assert main(["search", "dog", "--db", lite, "--limit", "²"]) == 2
    assert "argument --limit: invalid int value: '²'" in capsys.readouterr().err


def test_a_latin1_postgresql_database_finds_the_folded_forms_too(tmp_path):
    # the vocabulary's words outside ASCII were those longer in bytes than in characters: in a LATIN1
    # database `ß` is one byte, and `strasse` found "Strasse Nord" there, not "Straße" (SQLite: both)
    from ontosync.pg_commands import open_reader
    from ontosync.store.pg.search import search as pg_search
    from tests.postgres_server import own_database, server_url

    server_url()  # skips without a server
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.ttl").write_text(HEAD + 'ex:Street a owl:Class ; rdfs:label "Straße" .\n'
                               'ex:Road a owl:Class ; rdfs:label "Strasse Nord" .\n', encoding="utf-8")
    with own_database("LATIN1") as (_name, url):
        assert main(["sync", str(src), "--db", f"{url}?schema=s", "--quiet", "--checkpoint", str(tmp_path / "c")]) == 0
        db, conn, _schema = open_reader(f"{url}?schema=s")
        try:
            for text in ("strasse", "Straße", "STRASSE"):
                assert {h["curie"].removeprefix(X) for h in pg_search(conn, text)} == {"Street", "Road"}, text
        finally:
            db.close()
