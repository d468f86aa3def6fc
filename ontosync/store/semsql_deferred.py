"""A first run's derived `statements`: written once, set-based, at the end of the run (issue 11).

Why: issue 11 asked for the layer "filled by every sync, per file". For the derived files (Logseq
pages and functional-syntax files, whose rows store/semsql.py derives from the per-file tables
after links are resolved) that costs, on a run into an empty database, about 40% of the pages each
save commits (`statements` and its three indexes), five reads per file, and the re-derivation of
every page whose links a later page re-pointed (~760 times on the corpus). None of it is needed
then: nobody reads a half-synced first run's layer for more than what the contract tables show, and
the end of the run sees the final links. So a run into an empty database (no class, property, axiom
or statement: the condition store/changelog_fresh.py uses for the change log) marks the derived
layer pending in `sync_meta`, saves derived files without their rows, and its end-of-run refresh
derives every derived file's rows at once (a few whole-table queries, not five per file), inserts
them with the statements indexes dropped and recreated (store/bulk_statements.py), then brings
`entailed_edge`, `prefix` and the search index up to date, all in the refresh's one transaction.
A reader of a first run sees the contract tables grow and the layer appear at its end, in one
transaction, as `entailed_edge` already did. RDF files bring their own rows (every triple) and keep
writing them per file.

A run killed before its end leaves the mark: the next run (its database no longer empty) sees it,
keeps deferring (no derived file has rows while the mark is set), and its end derives them all, so
the result equals a fresh sync. Incremental runs (no mark) keep the per-file path unchanged.
SQLite only: PostgreSQL (store/pg/) keeps the per-file path.

The rows are exactly store/semsql.py's `_own_rows` and `_link_rows` for each derived file
(tests/test_deferred_layer.py compares them row for row on the example and the corpus).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from ontosync.store import bulk_statements

PENDING_KEY = "readers_pending"
# RDF formats: their rows come from the parser (parsing/rdf_statements.py), never derived here.
RDF_FORMATS = ("turtle", "rdfxml", "ntriples", "jsonld")
DERIVED = ("(SELECT path FROM source_files WHERE coalesce(format, '') NOT IN ("
           + ", ".join(f"'{f}'" for f in RDF_FORMATS) + ") AND path NOT GLOB 'legacy:*')")
EMPTY = ("SELECT NOT EXISTS (SELECT 1 FROM owl_classes) AND NOT EXISTS (SELECT 1 FROM owl_properties) "
         "AND NOT EXISTS (SELECT 1 FROM owl_axioms) AND NOT EXISTS (SELECT 1 FROM statements)")
_RELATION = "json_extract(annotations, '$.relation')"
_RELATIONS = (f"FROM owl_axioms WHERE source_file IN {DERIVED} AND axiom_type = 'Relationship' "
              f"AND object IS NOT NULL AND coalesce({_RELATION}, '') <> ''")
CLASSES = f"SELECT path, ontology_id, class_iri, label, comment FROM file_classes WHERE path IN {DERIVED}"
SYNONYMS = (f"SELECT path, ontology_id, class_iri, synonym, predicate FROM file_synonyms "
            f"WHERE path IN {DERIVED}")
PROPERTIES = (f"SELECT path, ontology_id, property_iri, property_type, label, domain, range FROM file_properties "
              f"WHERE path IN {DERIVED}")
# one row per (file, key), in each file's key order: the file's first key bound to a property declares it
RELATION_KEYS = (f"SELECT source_file, k, min(ontology_id) FROM (SELECT source_file, ontology_id, "
                 f"{_RELATION} AS k {_RELATIONS}) GROUP BY source_file, k ORDER BY source_file, k")
EDGES = (f"SELECT DISTINCT path, ontology_id, class_iri, parent_iri FROM file_edges WHERE path IN {DERIVED}")
# each file's links numbered in the per-file order (semsql.RELATION_LINKS), for its blank nodes
RELATION_LINKS = (f"SELECT source_file, ontology_id, subject, k, object, row_number() OVER (PARTITION BY "
                  f"source_file ORDER BY ontology_id, subject, k, object) FROM (SELECT DISTINCT source_file, "
                  f"ontology_id, subject, {_RELATION} AS k, object {_RELATIONS})")
VOCABULARY = frozenset(("rdf", "rdfs", "owl", "IAO"))  # the prefixes of the terms _rows writes as they are
CHUNK = 5000  # rows compacted and inserted at a time: the memory stays flat however large the graph


def pending(conn: sqlite3.Connection) -> bool:
    if not bulk_statements.is_sqlite(conn):
        return False
    row = conn.execute("SELECT value FROM sync_meta WHERE key = ?", (PENDING_KEY,)).fetchone()
    return bool(row and row[0] == "1")


def begin(conn: sqlite3.Connection) -> bool:
    """At a run's start (the caller's transaction): defer the derived rows? Marks a first run pending."""
    if not bulk_statements.is_sqlite(conn):
        return False
    if pending(conn):  # a first run killed before its end: no derived file has rows yet
        return True
    if not conn.execute(EMPTY).fetchone()[0]:
        return False
    conn.execute("INSERT INTO sync_meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = '1'",
                 (PENDING_KEY,))
    return True


def derive_all(conn: sqlite3.Connection, layer) -> None:
    """Every derived file's rows into `statements`, and the mark cleared (the caller's transaction).
    `layer` is the run's ReadersLayer: its CURIE map, property bindings and noted prefixes."""
    from ontosync.store.semsql import COLUMNS

    conn.execute("DELETE FROM sync_meta WHERE key = ?", (PENDING_KEY,))
    if not conn.execute(f"SELECT EXISTS {DERIVED}").fetchone()[0]:
        return  # RDF files only (pato-base.owl): their rows are in, no index to rebuild
    with bulk_statements.indexes_rebuilt(conn, "statements"):
        chunk: list[tuple] = []
        for row in _rows(conn, layer):
            chunk.append(row)
            if len(chunk) >= CHUNK:
                bulk_statements.insert_rows(conn, COLUMNS, chunk)
                chunk.clear()
        bulk_statements.insert_rows(conn, COLUMNS, chunk)
    # The prefixes these rows can use, without reading every row again (semsql.curie_prefixes did, a
    # fifth of this function's time on the corpus): those of every compacted IRI, of the vocabulary
    # written as is, and of the synonym predicates; the refresh keeps those a row really uses.
    layer.prefixes |= layer.curies.used | VOCABULARY
    layer.prefixes.update(p for (p,) in conn.execute(
        "SELECT DISTINCT substr(predicate, 1, instr(predicate, ':') - 1) FROM file_synonyms "
        "WHERE instr(predicate, ':') > 1"))


def _rows(conn: sqlite3.Connection, layer) -> Iterator[tuple]:
    """The rows semsql.ReadersLayer._own_rows and _link_rows give, for every derived file at once."""
    from ontosync.store import semsql_rows as r

    c = layer.curies.compact
    for path, onto, iri, label, comment in conn.execute(CLASSES):
        yield from r.class_rows(c, path, onto, iri, label, comment)
    for path, onto, iri, text, pred in conn.execute(SYNONYMS):
        yield r.synonym_row(c, path, onto, iri, text, pred)
    for path, onto, iri, ptype, label, domain, rng in conn.execute(PROPERTIES):
        yield from r.property_rows(c, path, onto, iri, ptype, label, domain, rng)
    declared_in, declared = None, set()  # the properties the current file declared
    for path, key, onto in conn.execute(RELATION_KEYS):
        if path != declared_in:
            declared_in, declared = path, set()
        prop = layer.property_for(key)
        if prop not in declared:
            declared.add(prop)
            yield from r.relation_rows(prop, key, onto, path)
    for path, onto, iri, parent in conn.execute(EDGES):
        yield r.edge_row(c, path, onto, iri, parent)
    yield from _restrictions(conn, layer)


def _restrictions(conn: sqlite3.Connection, layer) -> Iterator[tuple]:
    from ontosync.parsing.rdf_statements import blank_token
    from ontosync.store.semsql_rows import restriction_rows

    c = layer.curies.compact
    token_of, token = None, ""
    for path, onto, subj, key, obj, n in conn.execute(RELATION_LINKS):
        if path != token_of:
            token_of, token = path, blank_token(path)
        yield from restriction_rows(c, path, f"_:{token}_r{n}", layer.property_for(key), onto, subj, obj)
