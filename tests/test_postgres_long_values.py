"""PostgreSQL and a long value: a text longer than a btree index entry holds (~2,700 bytes once
compressed, 8 kB raw) in an indexed column failed its whole file on PostgreSQL ("index row requires
10120 bytes, maximum size is 8191") while SQLite stored it. The realistic case: a long literal in an
`.ofn` AnnotationAssertion (a long rdfs:comment or definition: `owl_axioms_subject` indexes the
object), also a long synonym (file_synonyms' key), a long preferred-term or alias (page_names' key,
the save's `aff_names`), a long link to a page by such a name (file_edges' link key and text) and the
change log's key (an axiom's item). Migration postgresql/010 keys them by md5 or hash-indexes them.

Each test failed before its fix. Skips without a server (tests/postgres_server.py).
"""

from __future__ import annotations

import json
import random

import pytest

from tests.helpers import CONTENT_TABLES, cli
from tests.postgres_server import Backend, connect
from tests.test_migrations_both import query

# Text that does not compress (as a real paragraph does not shrink below the limit either).
_RNG = random.Random(71)
LONG = "".join(_RNG.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(10_000)).strip()
OTHER = LONG[::-1].strip()

OFN = """Prefix(:=<http://e.org/>)
Prefix(rdfs:=<http://www.w3.org/2000/01/rdf-schema#>)
Prefix(obo:=<http://purl.obolibrary.org/obo/>)
Prefix(oio:=<http://www.geneontology.org/formats/oboInOwl#>)
Ontology(<http://e.org/onto>
Declaration(Class(:A))
Declaration(Class(:B))
SubClassOf(:B :A)
AnnotationAssertion(rdfs:comment :A "{v}")
AnnotationAssertion(rdfs:label :B "{v}")
AnnotationAssertion(obo:IAO_0000115 :B "{v}")
AnnotationAssertion(oio:hasExactSynonym :B "{v}")
)
"""
BLOCK = "- ### OntologyBlock\n  - ontology:: true\n"
# A page named (alias, preferred-term) by the long text, and a page linking to it by that name (its
# link to no page would be a class whose IRI, minted from the text, is too long: see the README).
PAGES = {
    "pages/Named.md": BLOCK + "  - owl:class:: ex:Named\n  - alias:: {n}\n  - preferred-term:: {n}\n"
                      "  - definition:: {v}\n  - alternate-terms:: {v}\n",
    "pages/Other.md": BLOCK + "  - is-subclass-of:: [[{n}]]\n  - has-part:: [[{n}]]\n",
}
TABLES = (*CONTENT_TABLES, "file_synonyms", "statements")


def _write(root, value: str, name: str = LONG) -> None:
    for rel, text in {"long.ofn": OFN, **PAGES}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text.format(v=value, n=name), encoding="utf-8")


def _json(text):
    """JSON text as its value (the two databases space their JSON differently)."""
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def _changes(backend: Backend) -> list[tuple]:
    """The newest run's change log rows (their run id left out, their JSON read)."""
    rows = query(backend, "SELECT kind, ontology_id, iri, item, old, new FROM run_changes "
                         "WHERE run_id = (SELECT max(id) FROM runs)")
    return sorted((tuple(_json(v) for v in row) for row in rows), key=repr)


@pytest.fixture
def backends(tmp_path):
    made = [Backend("sqlite", tmp_path), Backend("postgres", tmp_path)]
    yield made
    for backend in made:
        backend.close()


def _sync_both(tree, backends, tmp_path) -> list[tuple]:
    """Sync `tree` into each backend; (tables, the run's change log) of each."""
    out = []
    for n, backend in enumerate(backends):
        done = cli("sync", str(tree), "--db", backend.db, "--checkpoint", str(tmp_path / f"c{n}.json"), "--quiet")
        assert done.returncode == 0 and " 0 failed" in done.stderr, (backend.kind, done.stderr)
        out.append((backend.dump(TABLES), _changes(backend)))
    return out


def test_long_literals_synonyms_and_names_are_stored_on_postgresql_as_on_sqlite(backends, tmp_path):
    """A 10,000-character comment, label, definition, synonym (an `.ofn` file's), preferred-term,
    alias, definition and alternate term (a page's) and a link by that name: every file synced on
    PostgreSQL with the rows SQLite holds, on the first run and when the text changes (an
    incremental save: the links re-point, the change log folds the long axioms)."""
    tree = tmp_path / "tree"
    _write(tree, LONG)
    (sqlite_first, sqlite_log), (pg_first, pg_log) = _sync_both(tree, backends, tmp_path)
    assert pg_first == sqlite_first and pg_log == sqlite_log
    comments = [r for r in pg_first["owl_axioms"] if LONG in (r[3] or "")]
    assert len(comments) == 3, comments  # the comment, the definition, the synonym
    assert ("http://e.org/B", LONG) in {(r[1], r[2]) for r in pg_first["owl_classes"]}  # the label
    named = [r for r in pg_first["file_edges"] if r[0] == "pages/Other.md"]
    assert named and all(r[3] == "urn:ontosync:page:named" for r in named), named  # the link found its page
    _write(tree, OTHER)
    (sqlite_next, sqlite_log), (pg_next, pg_log) = _sync_both(tree, backends, tmp_path)
    assert pg_next == sqlite_next and pg_log == sqlite_log
    objects = [r[3][1] for r in pg_log if r[0] == "axiom"]
    assert any(LONG in o for o in objects) and any(OTHER in o for o in objects)  # a long literal went, one came


HOT = {  # the statements that read a long value's index, and the index each must use
    "page_names_key": "SELECT class_iri FROM page_names WHERE ontology_id = 'x' AND name_key = 'k' "
                      "ORDER BY rank, path LIMIT 1",
    "file_edges_ref": "SELECT 1 FROM file_edges WHERE ontology_id = 'x' AND parent_ref_key = 'k'",
    "owl_axioms_ref": "SELECT 1 FROM owl_axioms WHERE ontology_id = 'x' AND object_ref_key = 'k'",
    "owl_axioms_subject": "SELECT count(*) FROM owl_axioms WHERE ontology_id = 'x' AND subject = 's' "
                          "AND axiom_type = 't' AND object IS NOT DISTINCT FROM 'o' AND annotations IS NULL",
    "file_edges_parent": "SELECT min(parent_ref_text) FROM file_edges WHERE ontology_id = 'x' "
                         "AND parent_iri = 'p' AND parent_ref_text IS NOT NULL",
}


def test_the_lookups_of_long_values_still_use_their_index(backends, tmp_path):
    """The migration replaced each index over a long value; the statements that read them (a link's
    target by name, the links to a name, an axiom's copies) are planned on the replacement."""
    postgres = backends[1]
    tree = tmp_path / "tree"
    _write(tree, "short", "short")
    assert cli("sync", str(tree), "--db", postgres.db, "--quiet").returncode == 0
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(f'SET search_path TO "{postgres.schema}"')
        cur.execute("SET enable_seqscan = off")
        for index, sql in HOT.items():
            cur.execute("EXPLAIN " + sql)
            plan = "\n".join(r[0] for r in cur.fetchall())
            assert index in plan, (index, plan)
    finally:
        conn.close()
