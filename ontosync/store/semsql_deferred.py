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
derives every derived file's rows at once (`INSERT ... SELECT` from the per-file tables, not five
reads per file), with the statements indexes dropped and recreated (store/bulk_statements.py), then brings
`entailed_edge`, `prefix` and the search index up to date, all in the refresh's one transaction.
A reader of a first run sees the contract tables grow and the layer appear at its end, in one
transaction, as `entailed_edge` already did. RDF files bring their own rows (every triple) and keep
writing them per file.

A run killed before its end leaves the mark: the next run (its database no longer empty) sees it,
keeps deferring (no derived file has rows while the mark is set), and its end derives them all, so
the result equals a fresh sync. Incremental runs (no mark) keep the per-file path unchanged.
SQLite only: PostgreSQL (store/pg/) keeps the per-file path.

The rows are exactly store/semsql.py's `_own_rows` and `_link_rows` for each derived file
(tests/test_deferred_layer.py compares them row for row on the example and the corpus). They were
built in Python from the same reads (store/semsql_rows.py, which the per-file path keeps) and
inserted 100 to an `INSERT`; as SQL, with the few Python pieces (the CURIE map, relation bindings)
called as SQL functions, the corpus's 23,429 rows take 117-127 ms of CPU instead of 173-178 ms
(issue 11, fourth round).
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from ontosync.store import bulk_statements, semsql_ofn

PENDING_KEY = "readers_pending"
# RDF formats: their rows come from the parser (parsing/rdf_statements.py), never derived here.
RDF_FORMATS = ("turtle", "rdfxml", "ntriples", "jsonld")
DERIVED_PATHS = ("(SELECT path FROM source_files WHERE coalesce(format, '') NOT IN ("
                 + ", ".join(f"'{f}'" for f in RDF_FORMATS) + ") AND path NOT GLOB 'legacy:*')")
# The statements below read the derived files' paths from a keyed temporary table filled once
# (`dv_path`): `IN DERIVED_PATHS` made each of the ~25 statements build the list again, a scan of
# `source_files` and a sort (~0.7 ms each on the corpus; issue 11, ninth round). Same paths, same order.
DERIVED = "(SELECT path FROM temp.dv_path)"
EMPTY = ("SELECT NOT EXISTS (SELECT 1 FROM owl_classes) AND NOT EXISTS (SELECT 1 FROM owl_properties) "
         "AND NOT EXISTS (SELECT 1 FROM owl_axioms) AND NOT EXISTS (SELECT 1 FROM statements)")
_RELATION = "json_extract(annotations, '$.relation')"
_RELATIONS = (f"FROM owl_axioms WHERE source_file IN {DERIVED} AND axiom_type = 'Relationship' "
              f"AND object IS NOT NULL AND coalesce({_RELATION}, '') <> ''")
# The rows store/semsql_rows.py builds for one file (class_rows, synonym_row, property_rows,
# relation_rows, edge_row, restriction_rows), for every derived file at once, each kind of row in
# the order of the per-file queries (a class's synonyms keep theirs: class_search joins them in
# `statements` order). The relationship axioms are read once (`dv_rel`). (A table of each distinct
# IRI's CURIE, looked up by the inserts, was no faster than the memoised function called per row.)
_INSERT = "INSERT INTO statements (stanza, subject, predicate, object, value, datatype, language, graph, source_file) "
_ROW = "SELECT {s}, {s}, {p}, {o}, {v}, NULL, {lang}, ontology_id, {path}"


def _c(column: str) -> str:
    return f"ontosync_curie({column})"


def _select(p: str, o: str = "NULL", v: str = "NULL", s: str = _c("class_iri"), path: str = "path",
            lang: str = "NULL") -> str:
    return _ROW.format(s=s, p=p, o=o, v=v, path=path, lang=lang)


_CLASSES = f" FROM file_classes WHERE path IN {DERIVED}"
_SYNONYMS = f" FROM file_synonyms WHERE path IN {DERIVED}"
_PROPERTIES = f" FROM file_properties WHERE path IN {DERIVED}"
_EDGES = f" FROM (SELECT DISTINCT path, ontology_id, class_iri, parent_iri FROM file_edges WHERE path IN {DERIVED})"
_PROPERTY = _c("property_iri")
_PROPERTY_TYPE = ("CASE property_type WHEN 'ObjectProperty' THEN 'owl:ObjectProperty' WHEN 'DataProperty' "
                  "THEN 'owl:DatatypeProperty' WHEN 'AnnotationProperty' THEN 'owl:AnnotationProperty' "
                  "ELSE 'rdf:Property' END")
# functional syntax's restrictions and deprecations (store/semsql_ofn.py)
_OFN_TABLE, _OFN_FILL, _OFN_INSERTS = semsql_ofn.deferred_sql(DERIVED, _INSERT)
_NAMED = "{0} <> '' AND instr({0}, ' ') = 0 AND instr({0}, '(') = 0"  # a named class, not an expression
TEMP = {
    "dv_path": "(path TEXT PRIMARY KEY) WITHOUT ROWID",
    "dv_rel": "(path TEXT, ontology_id TEXT, subject TEXT, k, object TEXT)",
    # each file's first key bound to a property declares it (keys in order; its ontology: min per key)
    "dv_decl": "(path TEXT, prop TEXT, k, ontology_id TEXT)",
    # each file's links numbered in the per-file order (semsql.RELATION_LINKS), for its blank nodes
    "dv_link": "(path TEXT, ontology_id TEXT, s TEXT, prop TEXT, o TEXT, b TEXT)",
    _OFN_TABLE[0]: _OFN_TABLE[1],
}
FILL = (
    f"INSERT INTO temp.dv_path SELECT path FROM {DERIVED_PATHS}",
    f"INSERT INTO temp.dv_rel SELECT DISTINCT source_file, ontology_id, subject, {_RELATION}, object {_RELATIONS}",
    "INSERT INTO temp.dv_decl SELECT path, prop, min(k), ontology_id FROM (SELECT path, k, ontosync_property(k) "
    "AS prop, min(ontology_id) AS ontology_id FROM temp.dv_rel GROUP BY path, k) GROUP BY path, prop "
    "ORDER BY path, 3",
    f"INSERT INTO temp.dv_link SELECT path, ontology_id, {_c('subject')}, ontosync_property(k), {_c('object')}, "
    "'_:' || ontosync_token(path) || '_r' || row_number() OVER (PARTITION BY path ORDER BY ontology_id, subject, "
    "k, object) FROM temp.dv_rel",
    *_OFN_FILL,
)
_DECLARED = " FROM temp.dv_decl"
_LINK = " FROM temp.dv_link"
INSERTS = (
    _INSERT + _select("'rdf:type'", "'owl:Class'") + _CLASSES,
    _INSERT + _select("'rdfs:label'", v="label", lang="label_language") + _CLASSES + " AND label <> ''",
    _INSERT + _select("'IAO:0000115'", v="comment", lang="comment_language") + _CLASSES + " AND comment <> ''"
    + semsql_ofn.NOT_NOTED,
    _INSERT + _select("predicate", v="synonym", lang="language") + _SYNONYMS,
    _INSERT + _select("'rdf:type'", _PROPERTY_TYPE, s=_PROPERTY) + _PROPERTIES,
    _INSERT + _select("'rdfs:label'", v="label", s=_PROPERTY, lang="label_language") + _PROPERTIES + " AND label <> ''",
    _INSERT + _select("'rdfs:domain'", _c("domain"), s=_PROPERTY) + _PROPERTIES + " AND " + _NAMED.format("domain"),
    _INSERT + _select("'rdfs:range'", _c("range"), s=_PROPERTY) + _PROPERTIES + " AND " + _NAMED.format("range"),
    _INSERT + _select("'rdf:type'", "'owl:ObjectProperty'", s="prop") + _DECLARED,
    _INSERT + _select("'rdfs:label'", v="ontosync_lower(k)", s="prop") + _DECLARED,
    _INSERT + _select("'rdfs:subClassOf'", _c("parent_iri")) + _EDGES,
    _INSERT + "SELECT s, s, 'rdfs:subClassOf', b, NULL, NULL, NULL, ontology_id, path" + _LINK,
    _INSERT + "SELECT s, b, 'rdf:type', 'owl:Restriction', NULL, NULL, NULL, ontology_id, path" + _LINK,
    _INSERT + "SELECT s, b, 'owl:onProperty', prop, NULL, NULL, NULL, ontology_id, path" + _LINK,
    _INSERT + "SELECT s, b, 'owl:someValuesFrom', o, NULL, NULL, NULL, ontology_id, path" + _LINK,
    *_OFN_INSERTS,
)
VOCABULARY = frozenset(("rdf", "rdfs", "owl", "IAO"))  # the prefixes of the terms INSERTS write as they are
TOKEN_PATHS = 64  # the paths whose blank-node token `_functions` remembers (a file's rows come together)


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
    conn.execute("DELETE FROM sync_meta WHERE key = ?", (PENDING_KEY,))
    if not conn.execute(f"SELECT EXISTS {DERIVED_PATHS}").fetchone()[0]:
        return  # RDF files only (pato-base.owl): their rows are in, no index to rebuild
    with _functions(conn, layer):
        for sql in FILL:
            conn.execute(sql)
        with bulk_statements.indexes_rebuilt(conn, "statements"):
            for sql in INSERTS:
                conn.execute(sql)
    # The prefixes these rows can use, without reading every row again (semsql.curie_prefixes did, a
    # fifth of this function's time on the corpus): those of every compacted IRI, of the vocabulary
    # written as is, and of the synonym predicates; the refresh keeps those a row really uses.
    layer.prefixes |= layer.curies.used | VOCABULARY
    layer.mappings_changed = True  # the derived files' mapping rows are new: the xref prefixes are scanned
    layer.prefixes.update(p for (p,) in conn.execute(
        "SELECT DISTINCT substr(predicate, 1, instr(predicate, ':') - 1) FROM file_synonyms "
        "WHERE instr(predicate, ':') > 1"))


@contextmanager
def _functions(conn: sqlite3.Connection, layer) -> Iterator[None]:
    """The Python the rows need, as SQL functions (the CURIE map, the property a relationship key
    stands for, Python's `str.lower`: SQLite's folds ASCII only, a file's blank-node token), and
    the temporary tables (TEMP), for the block."""
    from ontosync.parsing.rdf_statements import blank_token

    # the token memoised for the block: a file's rows are numbered one after another, and hashing its
    # path again for each (4,269 rows on the corpus, 1,684 paths) was a third of the links' fill. The
    # last few paths are enough for that: every path of the run was a 50,000-page sync's largest
    # growth in its refresh (~7 MB more than at 10,000 pages; tests/test_large_file_speed.py)
    token = functools.lru_cache(maxsize=TOKEN_PATHS)(blank_token)
    functions = {"ontosync_curie": layer.curies.compact, "ontosync_property": layer.property_for,
                 "ontosync_lower": str.lower, "ontosync_token": token}
    for name, fn in functions.items():
        conn.create_function(name, 1, fn, deterministic=True)
    for name, columns in TEMP.items():
        conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
        conn.execute(f"CREATE TEMP TABLE {name} {columns}")
    try:
        yield
    finally:
        for name in TEMP:
            conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
        for name in functions:
            conn.create_function(name, 1, None)
