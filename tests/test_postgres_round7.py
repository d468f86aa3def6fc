"""An organisation's PostgreSQL server, round 7: an IRI longer than a PostgreSQL index entry holds
is named in its file's error line (which IRI, how long, where).

Each test of a defect failed before its fix. Skips without a server (tests/postgres_server.py).
"""

from __future__ import annotations

import random

import pytest

from tests import test_postgres_round_trips as trips
from tests.helpers import cli
from tests.postgres_server import connect, own_schema, schema_url
from tests.test_postgres_refusals import _rows  # a schema's rows, sorted

schema = pytest.fixture(own_schema)  # a schema of the test's own, dropped after it
conn = trips.conn  # fixture: a writer's connection counting what it sends, with a table t (k, v)

# An IRI of 6,000 letters that do not compress (as a long minted title does not shrink enough either)
_RNG = random.Random(79)
LONG_IRI = "http://e.org/" + "".join(_RNG.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6000))
OFN = """Prefix(:=<http://e.org/>)
Ontology(<http://e.org/onto>
Declaration(Class(:B))
{more})
"""
MORE = f"Declaration(Class(<{LONG_IRI}>))\nSubClassOf(<{LONG_IRI}> :B)\n"  # lines 4 and 5
PAGE = "- ### OntologyBlock\n  - ontology:: true\n  - owl:class:: ex:P\n  - is-subclass-of:: [[{name}]]\n"


def _sync(tree, url: str, tmp_path):
    return cli("sync", str(tree), "--db", url, "--quiet", "--max-error-rate", "1",
               "--checkpoint", str(tmp_path / "c.json"))


def test_an_iri_too_long_for_an_index_is_named_with_its_length_and_line(schema, tmp_path):
    """A class IRI of 6,000 characters: PostgreSQL's btree keys hold ~2,700 bytes, SQLite's any
    length. The file failed with the server's words only ("index row size 6056 exceeds btree version
    4 maximum 2704 for index file_classes_pkey"): no word of which value, where, or what to do. Its
    error now names the IRI (cut short), its length and the line that declares it; the file keeps
    its last good facts, the other files are synced, SQLite stores the same tree whole."""
    tree = tmp_path / "tree"
    (tree / "pages").mkdir(parents=True)
    (tree / "o.ofn").write_text(OFN.format(more=""), encoding="utf-8")
    url = schema_url(schema)
    assert _sync(tree, url, tmp_path).returncode == 0
    (tree / "o.ofn").write_text(OFN.format(more=MORE), encoding="utf-8")
    (tree / "pages" / "P.md").write_text(PAGE.format(name="short"), encoding="utf-8")
    (tree / "pages" / "Q.md").write_text(PAGE.format(name=LONG_IRI[13:]), encoding="utf-8")  # a link to no page
    (tree / "see.ttl").write_text(f"<http://e.org/S> <http://www.w3.org/2000/01/rdf-schema#seeAlso> "
                                  f"<http://x.org/{LONG_IRI[13:]}> .\n", encoding="utf-8")  # a statement's object
    r = _sync(tree, url, tmp_path)
    assert r.returncode == 0, r.stderr
    ((status, line, error, kind),) = _rows(schema, "SELECT status, error_line, error, error_kind "
                                                   "FROM source_files WHERE path = 'o.ofn'")
    assert (status, line, kind) == ("failed", 4, "database"), (status, line, error)
    assert "6,013 characters" in error and LONG_IRI[:40] in error and LONG_IRI not in error, error
    assert "\n" not in error and len(error) < 400, error
    ((error, line),) = _rows(schema, "SELECT error, error_line FROM source_files WHERE path = 'pages/Q.md'")
    assert "<urn:ontosync:page:" in error and "6,0" in error and line is None, error  # the IRI minted for it
    ((error,),) = _rows(schema, "SELECT error FROM source_files WHERE path = 'see.ttl'")
    assert "the IRI <http://x.org/" in error and "6,013 characters" in error, error
    classes = _rows(schema, "SELECT class_iri, source_file FROM owl_classes WHERE source_file IS NOT NULL ORDER BY 1")
    assert classes == [("http://e.org/B", "o.ofn"), ("urn:ontosync:page:p", "pages/P.md")], classes  # last good facts
    lite = tmp_path / "lite.db"
    assert _sync(tree, str(lite), tmp_path).returncode == 0
    from tests.helpers import q

    assert (LONG_IRI, "o.ofn") in q(lite, "SELECT class_iri, source_file FROM owl_classes")


def _tree_of_classes(root, n: int, label: str) -> None:
    """A Turtle file of `n` classes, each with two parents and a synonym (the rows a class's card
    reads), labelled `label`."""
    head = ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            "@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .\n@prefix : <http://e.org/> .\n"
            ":R1 a owl:Class .\n:R2 a owl:Class .\n")
    rows = (f':C{i} a owl:Class ; rdfs:label "{label} {i}" ; oio:hasExactSynonym "syn {i}" ; '
            f"rdfs:subClassOf :R1, :R2 .\n" for i in range(n))
    root.mkdir(parents=True, exist_ok=True)
    (root / "c.ttl").write_text(head + "".join(rows), encoding="utf-8")


def test_a_resaved_class_has_its_card_built_once_for_the_change_log(schema, tmp_path):
    """The change log's trigger (postgresql/004) built a class's card (three reads) for each row of
    the class that changed and kept the first: re-saving a file of classes with two parents and a
    synonym built each card 8 times (the class row, two hierarchy rows out and in, the synonym out
    and in), most of a large file's re-save on PostgreSQL. Now twice a class: the snapshot before
    the save and the card after it (chg_record). The log is the same: one change a class."""
    n = 20
    tree = tmp_path / "tree"
    _tree_of_classes(tree, n, "first")
    url = schema_url(schema)
    assert _sync(tree, url, tmp_path).returncode == 0
    conn = connect()
    try:  # class_card, counted: the real one renamed, a counting one in its place
        cur = conn.cursor()
        cur.execute(f'SET search_path TO "{schema}"')
        cur.execute("CREATE SEQUENCE card_calls; ALTER FUNCTION class_card(text, text) RENAME TO real_card;"
                    "CREATE FUNCTION class_card(o TEXT, i TEXT) RETURNS TEXT LANGUAGE plpgsql STABLE AS "
                    "$$ BEGIN PERFORM nextval('card_calls'); RETURN real_card(o, i); END $$")
    finally:
        conn.close()
    _tree_of_classes(tree, n, "second")
    assert _sync(tree, url, tmp_path).returncode == 0
    ((calls,),) = _rows(schema, "SELECT last_value FROM card_calls")
    assert calls == 2 * (n + 2), calls  # the file's classes, R1 and R2 re-saved too
    changes = _rows(schema, "SELECT kind, iri FROM run_changes WHERE run_id = (SELECT max(id) FROM runs)")
    assert sorted(changes) == sorted(("class", f"http://e.org/C{i}") for i in range(n)), changes


def test_a_schema_named_as_the_base_of_a_diff_is_shown_as_the_head_is(schema, tmp_path):
    """`diff --base postgresql://...?schema=s` named the base `postgresql://...?schema=s schema s`
    (the schema twice, and any other parameter of the URL), where the same schema as `--db` is
    `postgresql://... schema s`: a workflow matching the JSON's `database` of one run against
    another's saw two names for one store. Both are now the same name."""
    import json

    tree = tmp_path / "tree"
    _tree_of_classes(tree, 1, "one")
    url, lite = schema_url(schema), str(tmp_path / "lite.db")
    assert _sync(tree, url, tmp_path).returncode == 0 and _sync(tree, lite, tmp_path).returncode == 0
    based = cli("diff", "--db", lite, "--base", url, "--format", "json")
    headed = cli("diff", "--db", url, "--base", lite, "--format", "json")
    assert based.returncode == headed.returncode == 0, (based.stderr, headed.stderr)
    shown = json.loads(based.stdout)["base"]["database"]
    assert shown == json.loads(headed.stdout)["head"]["database"] and "?schema" not in shown, shown


def test_an_executemany_in_a_save_is_one_insert_a_hundred_rows(conn):
    """A large file's rows (its 144,000 `statements` rows, its synonyms, edges, axioms) went to the
    server one INSERT a row, each with its executor's start and end (1.9 s of the server's CPU for
    those `statements` rows, 1.15 s by a hundred a statement). Now an executemany of an INSERT of
    one row of values is one INSERT of up to 100 rows; what lands is what did: every row, a key met
    twice kept once (`OR IGNORE`), a row's own subquery read for that row, an upsert left alone."""
    conn.execute("CREATE TABLE u (k INTEGER PRIMARY KEY, v TEXT, w TEXT)")
    trips.Counting.sent = []
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t (k, v) VALUES (?, ?)", [(k, f"v{k}") for k in range(250)])
    conn.executemany("INSERT OR IGNORE INTO u (k, v, w) VALUES (?, ?, COALESCE((SELECT t.v FROM t WHERE t.k = ?), ?))",
                     [(k % 150, "x", k, "none") for k in range(300)])
    conn.executemany("INSERT INTO u (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
                     [(1, "up"), (1, "again")])
    conn.execute("COMMIT")
    sent = "".join(trips.Counting.sent)
    assert sent.count("INSERT INTO t (k, v) VALUES") == 3 and sent.count("INSERT INTO u (k, v, w) VALUES") == 3
    assert sent.count("EXECUTE ontosync_") == 2  # an upsert's rows one by one: the second updates the first
    assert conn.execute("SELECT count(*), min(v), max(k) FROM t").fetchone() == (250, "v0", 249)
    assert conn.execute("SELECT count(*), count(*) FILTER (WHERE w = 'v' || k) FROM u").fetchone() == (150, 150)
    assert conn.execute("SELECT v FROM u WHERE k = 1").fetchone() == ("again",)
