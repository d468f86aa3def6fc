"""An organisation's PostgreSQL server, round 7: an IRI longer than a PostgreSQL index entry holds
is named in its file's error line (which IRI, how long, where).

Each test of a defect failed before its fix. Skips without a server (tests/postgres_server.py).
"""

from __future__ import annotations

import random

import pytest

from tests.helpers import cli
from tests.postgres_server import connect, own_schema, schema_url

schema = pytest.fixture(own_schema)  # a schema of the test's own, dropped after it

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


def _rows(schema: str, sql: str) -> list[tuple]:
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(f'SET search_path TO "{schema}"')
        cur.execute(sql)
        return cur.fetchall()
    finally:
        conn.close()


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
    r = _sync(tree, url, tmp_path)
    assert r.returncode == 0, r.stderr
    ((status, line, error, kind),) = _rows(schema, "SELECT status, error_line, error, error_kind "
                                                   "FROM source_files WHERE path = 'o.ofn'")
    assert (status, line, kind) == ("failed", 4, "database"), (status, line, error)
    assert "6,013 characters" in error and LONG_IRI[:40] in error and LONG_IRI not in error, error
    assert "\n" not in error and len(error) < 400, error
    ((error, line),) = _rows(schema, "SELECT error, error_line FROM source_files WHERE path = 'pages/Q.md'")
    assert "<urn:ontosync:page:" in error and "6,0" in error and line is None, error  # the IRI minted for it
    classes = _rows(schema, "SELECT class_iri, source_file FROM owl_classes WHERE source_file IS NOT NULL ORDER BY 1")
    assert classes == [("http://e.org/B", "o.ofn"), ("urn:ontosync:page:p", "pages/P.md")], classes  # last good facts
    lite = tmp_path / "lite.db"
    assert _sync(tree, str(lite), tmp_path).returncode == 0
    from tests.helpers import q

    assert (LONG_IRI, "o.ofn") in q(lite, "SELECT class_iri, source_file FROM owl_classes")
