"""The readers (`ontosync search`, the FTS index behind it) on small hand-made trees: what a user
types and what the source says, compared with what comes back (issue h11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ontosync
from tests.helpers import DATASETTE, cli, copy_example, datasette_get, datasette_serving, q, run_cli
from tests.postgres_server import own_schema, schema_url

METADATA = Path(ontosync.__file__).parent / "datasette" / "metadata.json"
HEAD = """@prefix ex: <http://example.org/x#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def synced(tmp_path: Path, turtle: str, name: str = "t", db: str | None = None) -> str:
    """A database (SQLite in tmp_path, or `db`: a PostgreSQL URL) synced from one Turtle file
    holding HEAD + `turtle`."""
    src = tmp_path / f"{name}-src"
    src.mkdir(exist_ok=True)
    (src / "a.ttl").write_text(HEAD + turtle, encoding="utf-8")
    db = db or str(tmp_path / f"{name}.db")
    checkpoint = str(tmp_path / f"{name}.json")
    proc = cli("sync", str(src), "--db", db, "--quiet", "--workers", "1", "--checkpoint", checkpoint)
    assert proc.returncode == 0, proc.stderr
    return db


def search(db: Path | str, *args: str) -> list[dict]:
    proc = cli("search", *args, "--db", str(db), "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_search_text_shows_control_characters_in_labels_as_escapes(tmp_path: Path) -> None:
    # a label with a terminal escape (clear screen), a newline and a tab: the text output is one line
    # per class with three tab-separated columns, and nothing reaches the terminal raw
    db = synced(tmp_path, 'ex:Evil a owl:Class ; rdfs:label "evil\\u001b[2J\\nex:Forged\\tforged\\ttab" .\n')
    proc = cli("search", "evil", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, proc.stdout
    curie, label, source = lines[0].split("\t")
    assert "\x1b" not in proc.stdout
    assert label == "evil\\x1b[2J\\nex:Forged\\tforged\\ttab"
    assert curie.endswith("#Evil") and source == "a.ttl"
    # JSON keeps the text as it is (JSON escapes it)
    assert search(db, "evil")[0]["label"] == "evil\x1b[2J\nex:Forged\tforged\ttab"


@pytest.fixture
def pg_url():
    """A schema of its own on the test server (skips without one)."""
    for schema in own_schema():
        yield schema_url(schema)


UNICODE_LABELS = ('ex:Ueber a owl:Class ; rdfs:label "Über Klasse" .\n'
                  'ex:Cat a owl:Class ; rdfs:label "Кошка" .\n'
                  'ex:Etude a owl:Class ; rdfs:label "ÉTUDE de cas" .\n'
                  'ex:Omega a owl:Class ; rdfs:label "ωmega" .\n')


def test_postgresql_finds_a_label_with_a_capital_beyond_ascii_as_sqlite_does(tmp_path: Path, pg_url: str) -> None:
    # on a server whose LC_CTYPE is C (as `initdb --no-locale` makes it), PostgreSQL lower-cases
    # only ASCII letters: the index held `Über` and `Кошка` as written while the query was
    # lower-cased, so a label starting with a capital beyond ASCII was found by no query at all
    lite = synced(tmp_path, UNICODE_LABELS, "lite")
    pg = synced(tmp_path, UNICODE_LABELS, "pg", db=pg_url)
    for text in ("über", "Über", "ÜBER", "кошка", "Кошка", "КОШ", "étude", "Étude", "ÉTUDE", "Ωmega", "ωme"):
        expected = [h["curie"] for h in search(lite, text)]
        assert len(expected) == 1, text
        assert [h["curie"] for h in search(pg, text)] == expected, text


def test_every_label_of_a_class_is_searchable_not_only_the_one_shown(tmp_path: Path) -> None:
    # a class labelled in several languages (or by two files): the label shown is the one the
    # parsers rank first, but the others are names of the class too (OAK's `labels` lists them all),
    # and `search` found none of them
    db = synced(tmp_path, 'ex:Cat a owl:Class ; rdfs:label "Cat"@en, "Chat"@fr, "Katze"@de, "Cat"@en-GB .\n'
                          'ex:Dog a owl:Class ; rdfs:label "Dog" .\n')
    for text in ("cat", "chat", "katze"):
        hits = search(db, text)
        assert [(h["curie"], h["label"]) for h in hits] == [("http://example.org/x#Cat", "Cat")], text
    assert [h["curie"] for h in search(db, "dog")] == ["http://example.org/x#Dog"]
    # the label shown is not repeated among the other names
    [(synonyms,)] = q(db, "SELECT synonyms FROM class_search WHERE curie LIKE '%#Cat'")
    assert sorted(synonyms.split(" | ")) == ["Chat", "Katze"]
    assert q(db, "SELECT synonyms FROM class_search WHERE curie LIKE '%#Dog'") == [(None,)]


def test_status_text_shows_bidirectional_overrides_as_escapes(tmp_path: Path) -> None:
    # an ontology IRI may hold U+202E (an IRI allows it) and so may a file name: printed raw, the
    # rest of the line shows reversed in the terminal (`status` lists ontologies and failed files)
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.ttl").write_text(HEAD + "<http://example.org/\\u202Eevil> a owl:Ontology .\n"
                               'ex:C a owl:Class ; rdfs:label "C" .\n', encoding="utf-8")
    (src / "bad\u202eltt.ttl").write_text(HEAD + "ex:D a . .\n", encoding="utf-8")
    db = tmp_path / "s.db"
    cli("sync", str(src), "--db", str(db), "--quiet", "--workers", "1", "--max-error-rate", "1")
    assert q(db, "SELECT ontology_id FROM ontologies WHERE ontology_id LIKE '%evil'") == [
        ("http://example.org/\u202eevil",)]
    proc = cli("status", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert "\u202e" not in proc.stdout
    assert "http://example.org/\\u202eevil" in proc.stdout
    assert "failed        bad\\u202eltt.ttl:4 [parse]" in proc.stdout
    # JSON keeps the text as it is
    status = json.loads(cli("status", "--db", str(db), "--json").stdout)
    assert "http://example.org/\u202eevil" in status["ontologies"]


def test_search_after_a_first_sync_stopped_early_says_the_index_is_behind(tmp_path: Path) -> None:
    # a first sync derives the layer and the search index at its end: stopped before it, `status`
    # counted the saved classes while `search` answered "0 class(es)" and nothing said why
    tree = copy_example(tmp_path)
    db, ckpt = tmp_path / "o.db", tmp_path / "c.json"
    stopped = run_cli("sync", str(tree), "--db", str(db), "--quiet", "--workers", "1", "--checkpoint", str(ckpt),
                      env={"ONTOSYNC_FAULT_SIGNAL_AFTER_SAVE": "4"})
    assert stopped.returncode == 130, stopped.stderr
    saved = q(db, "SELECT count(*) FROM owl_classes WHERE source_file IS NOT NULL")[0][0]
    assert saved > 0
    proc = cli("search", "robot", "--db", str(db), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []  # the index is not built yet: JSON stays valid
    assert "search index is behind" in proc.stderr and "ontosync sync" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    # the next sync finishes the job: hits, and no note
    assert cli("sync", str(tree), "--db", str(db), "--quiet", "--checkpoint", str(ckpt)).returncode == 0
    proc = cli("search", "robot", "--db", str(db))
    assert proc.returncode == 0 and "behind" not in proc.stderr
    assert [line.split("\t")[0] for line in proc.stdout.splitlines()] == ["ex:Robot", "ex:IndustrialRobot"]


@pytest.mark.skipif(not DATASETTE.is_file(), reason="datasette not installed (pip install -e '.[dev]')")
def test_datasette_search_box_takes_words_with_hyphens_and_apostrophes(tmp_path: Path) -> None:
    # the README sends users to /ontology/class_search?_search=...: in raw FTS5 mode a label's own
    # words ("T-cell", "Alzheimer's") were a 400 error ("no such column: cell", "syntax error")
    db = Path(synced(tmp_path, 'ex:T a owl:Class ; rdfs:label "T-cell receptor" .\n'
                                'ex:A a owl:Class ; rdfs:label "Alzheimer\'s disease" .\n', "ontology"))
    with datasette_serving(db, METADATA) as base:
        for text, curie in (("T-cell", "T"), ("Alzheimer's disease", "A"), ("receptor", "T")):
            rows = datasette_get(base, "/ontology/class_search", _search=text)
            assert [r["curie"] for r in rows] == [f"http://example.org/x#{curie}"], text
        # FTS5 syntax stays one parameter away (prefixes, OR)
        rows = datasette_get(base, "/ontology/class_search", _search="alzh* OR recep*", _searchmode="raw")
        assert sorted(r["curie"] for r in rows) == ["http://example.org/x#A", "http://example.org/x#T"]
