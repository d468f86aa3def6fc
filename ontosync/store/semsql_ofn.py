"""A functional-syntax file's restrictions, deprecations, migration targets and named class
pairs, as an RDF file's `statements` rows.

`SubClassOf(:A ObjectSomeValuesFrom(:p :C))` and `AnnotationAssertion(owl:deprecated :A "true"^^xsd:boolean)`
in an `.ofn` file or a Logseq page's fence must give the readers' layer what the same axioms in
Turtle give (`owl_subclass_of_some_values_from`, existential `entailed_edge`, `deprecated_node`):
the parser notes their parts in the axiom's annotations (parsing/ofn.py: `on_property`,
`some_values_from`; `deprecated`, `datatype`; `migration`, `target` for `IAO:0100001` and
`oio:consider`, which OAK's `obsoletes --show-migration-relationships` reads), and the rows are
written from those, per file
(store/semsql.py) and, on a first run, for every derived file at once in SQL (store/semsql_deferred.py,
the same rows: tests/test_ofn_layer.py). The restriction's blank node is `_:<file token>_s<n>`,
numbered in the order of `SOME` (ontology, subject, property, filler). `EquivalentClasses` and
`DisjointClasses` between two named classes, and `Import` in a document with an ontology IRI, are
noted with the predicate of their one triple (`rdf_predicate`: owl:equivalentClass,
owl:disjointWith, owl:imports), which `PAIRS` writes as that triple. Every other axiom that is one
triple between named terms (annotation assertions, individuals, property characteristics and
hierarchy) carries that triple (parsing/ofn_triples.py), and so does, in any syntax, an annotation
the layer must have: a mapping, an entity's other label, a comment or definition
(parsing/annotation_notes.py); `TRIPLES` writes them all; a class's comment
is then its own `rdfs:comment` (or definition) triple, and the class's `IAO:0000115` row from
`file_classes.comment` is left out (`NOTED_COMMENT`), else a comment would read as a definition.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from ontosync.parsing.facts import FileFacts
from ontosync.parsing.rdf_statements import blank_token
from ontosync.parsing.rdf_vocab import DEFINITION_PREDICATES
from ontosync.store import semsql_rows, xref_prefixes

_PROP = "json_extract(annotations, '$.on_property')"
_FILLER = "json_extract(annotations, '$.some_values_from')"
_PREDICATE = "json_extract(annotations, '$.rdf_predicate')"
_DEPRECATED = "json_extract(annotations, '$.deprecated')"
_DATATYPE = "json_extract(annotations, '$.datatype')"
_SOME_FROM = (f"FROM owl_axioms WHERE {{where}} AND axiom_type = 'SubClassOf' AND subject <> '' "
              f"AND {_PROP} IS NOT NULL AND {_FILLER} IS NOT NULL")
_DEPRECATED_FROM = (f"FROM owl_axioms WHERE {{where}} AND axiom_type = 'AnnotationAssertion' AND subject <> '' "
                    f"AND {_DEPRECATED} IS NOT NULL")
_MIGRATION = "json_extract(annotations, '$.migration')"
_TARGET = "json_extract(annotations, '$.target')"
_MIGRATION_FROM = (f"FROM owl_axioms WHERE {{where}} AND axiom_type = 'AnnotationAssertion' AND subject <> '' "
                   f"AND {_MIGRATION} IS NOT NULL AND {_TARGET} IS NOT NULL")
_T = {k: f"json_extract(annotations, '$.rdf_{k}')" for k in ("subject", "object", "value", "datatype", "language")}
_TRIPLES_FROM = f"FROM owl_axioms WHERE {{where}} AND {_T['subject']} IS NOT NULL"
# A class's comment that a triple holds with its own predicate (rdfs:comment, IAO:0000115, skos:definition):
# its class row writes no `IAO:0000115` for it (store/semsql_rows.class_rows), the triple's row says it.
# Not a page's own class: its comment is the page's `definition::`, whatever a fence says beside it.
# (An AnnotationAssertion's `subject` column is its triple's subject: compared as a column, not as JSON.)
_DEFINITION_NOTE = (f"axiom_type = 'AnnotationAssertion' AND {_PREDICATE} IN ("
                    + ", ".join(f"'{p}'" for p in sorted(DEFINITION_PREDICATES)) + ")")
NOTED_COMMENT = (f"SELECT subject, {_T['value']} FROM owl_axioms WHERE source_file = ? AND {_DEFINITION_NOTE} "
                 "AND subject NOT IN (SELECT class_iri FROM page_names WHERE path = ?)")
# The same, for store/semsql_deferred.py's class rows (`file_classes` as the outer table). The noted
# texts are one list SQLite builds once (NOT IN): a first run derives the layer before its deferred
# indexes on owl_axioms exist, and a correlated look-up then read the whole table at each class
# (1.1 s of a corpus's first sync). The IS NOT NULL keep a NULL out of NOT IN's list.
NOT_NOTED = (" AND ((file_classes.path, file_classes.class_iri, file_classes.comment) NOT IN ("
             f"SELECT source_file, subject, {_T['value']} FROM owl_axioms WHERE {_DEFINITION_NOTE} AND source_file "
             f"IS NOT NULL AND subject IS NOT NULL AND {_T['value']} IS NOT NULL) "
             "OR EXISTS (SELECT 1 FROM page_names WHERE page_names.path = file_classes.path "
             "AND page_names.class_iri = file_classes.class_iri))")
_PAIRS_FROM = (f"FROM owl_axioms WHERE {{where}} AND axiom_type IN ('EquivalentClasses', 'DisjointClasses', "
               f"'Import') AND subject <> '' AND {_PREDICATE} IS NOT NULL")


# A page's mapping to a page link (`skos:exactMatch:: [[Hound]]`, parsing/logseq.py `_mappings`): an
# AnnotationAssertion whose object is the linked page's class as the store resolved it, its predicate
# noted as `mapping`. Its row moves with the link, so it is one of a file's link rows (store/semsql.py
# LINK_ROWS), as are the other rows of those predicates a file's triples give (`linked_rows`).
_MAPPING = "json_extract(annotations, '$.mapping')"
_MAPPING_FROM = f"FROM owl_axioms WHERE {{where}} AND axiom_type = 'AnnotationAssertion' AND {_MAPPING} IS NOT NULL"
LINKED_PREDICATES = tuple(p for p in xref_prefixes.MAPPING_PREDICATES if p.startswith("skos:"))  # an xref is text


def _file_rows(columns: str, rows_from: str, kind: str = "") -> str:
    """A query's per-file form: one file's distinct rows (`kind`: a tag column in front)."""
    return f"SELECT DISTINCT {kind}ontology_id, {columns} " + rows_from.format(where="source_file = ?")


SOME = _file_rows(f"subject, {_PROP}, {_FILLER}", _SOME_FROM) + " ORDER BY 1, 2, 3, 4"  # blank nodes numbered by it
_TRIPLE_COLUMNS = ", ".join((_T["subject"], _PREDICATE, *list(_T.values())[1:]))
# A file's rows that are one triple each (store/semsql.py's own rows), five kinds in one statement
# (one round trip on PostgreSQL where they were five), each kind's distinct rows padded to the
# triples' seven columns and tagged, in the order the five queries gave them one after the other.
OWN = " UNION ALL ".join(
    _file_rows(columns, rows_from, f"{n} AS kind, ") for n, (columns, rows_from) in enumerate((
        (f"subject, {_DEPRECATED}, {_DATATYPE}, NULL, NULL, NULL", _DEPRECATED_FROM),
        (f"subject, {_PREDICATE}, object, NULL, NULL, NULL", _PAIRS_FROM),
        (f"subject, {_MIGRATION}, {_TARGET}, NULL, NULL, NULL", _MIGRATION_FROM),
        (f"subject, {_MAPPING}, object, NULL, NULL, NULL", _MAPPING_FROM),
        (_TRIPLE_COLUMNS, _TRIPLES_FROM),
    ))) + " ORDER BY 1, 2, 3, 4, 5, 6, 7, 8"
# What _relink derives again of a page's triples: those LINK_ROWS matches (store/semsql.py), its mappings
# to page links and its other triples of their predicates, in one statement (of the four OWN reads, the
# triples alone can hold such a predicate).
LINKED = (_file_rows(_TRIPLE_COLUMNS, _TRIPLES_FROM) + " UNION ALL "
          + _file_rows(f"subject, {_MAPPING}, object, NULL, NULL, NULL", _MAPPING_FROM))
KEYS = ("on_property", "deprecated", "rdf_predicate", "migration", "rdf_subject", "mapping", "rdf_graph")
# An axiom's triples with blank nodes (parsing/ofn_rdf.py): [stanza, s, p, o, value, datatype, language]
_GRAPH = "json_extract(annotations, '$.rdf_graph')"
GRAPH = f"SELECT DISTINCT ontology_id, {_GRAPH} FROM owl_axioms WHERE source_file = ? AND {_GRAPH} IS NOT NULL"


def present(facts: FileFacts) -> bool:
    """Whether the file's axioms carry either construct: the queries are skipped otherwise."""
    return any(a.annotations and any(k in a.annotations for k in KEYS) for a in facts.axioms)


def restriction_rows(conn: sqlite3.Connection, c: Callable[[str], str], path: str, token: str) -> list[tuple]:
    """A file's `A rdfs:subClassOf [owl:onProperty P; owl:someValuesFrom C]` rows (per-file path)."""
    rows: list[tuple] = []
    for n, (onto, subj, prop, filler) in enumerate(conn.execute(SOME, (path,)), start=1):
        rows += semsql_rows.restriction_rows(c, path, f"_:{token}_s{n}", c(prop), onto, subj, filler)
    return rows


def own_rows(conn: sqlite3.Connection, c: Callable[[str], str], path: str) -> list[tuple]:
    """A file's rows that are one triple each (per-file path): `A owl:deprecated "value"^^datatype`,
    `A owl:equivalentClass B` / `A owl:disjointWith B`, `O owl:imports I`, `A IAO:0100001 B` /
    `A oio:consider B`, a page's mapping to a page link (`A skos:exactMatch B`, its object the
    linked page's class), and every other triple between named things its axioms carry."""
    rows = []
    for kind, onto, s, a, b, value, dt, lang in conn.execute(OWN, (path,) * 5):
        if kind == 0:  # a deprecation: its value (a) and datatype (b)
            rows.append((c(s), c(s), "owl:deprecated", None, a, c(b) if b else None, None, onto, path))
        elif kind < 4:  # a named pair, a migration target, a mapping: predicate (a), object (b)
            rows.append((c(s), c(s), c(a), c(b), None, None, None, onto, path))
        else:
            rows.append(_triple(c, path, onto, s, a, b, value, dt, lang))
    return rows


def linked_rows(conn: sqlite3.Connection, c: Callable[[str], str], path: str) -> list[tuple]:
    """A page's rows of a LINKED_PREDICATES predicate (store/semsql.py's _relink): one read for
    `own_rows`' such rows (its triples and mappings)."""
    rows = [_triple(c, path, *row) for row in conn.execute(LINKED, (path, path))]
    return [r for r in rows if r[2] in LINKED_PREDICATES]


def _triple(c: Callable[[str], str], path: str, onto: str, s: str, p: str, o: str | None, value: str | None,
            dt: str | None, lang: str | None) -> tuple:
    return c(s), c(s), c(p), c(o) if o else None, value, c(dt) if dt else None, lang, onto, path


def graph_rows(conn: sqlite3.Connection, c: Callable[[str], str], path: str, token: str) -> list[tuple]:
    """A file's rows of the triples its axioms map to with blank nodes (per-file path)."""
    rows: dict[tuple, None] = {}
    for onto, text in conn.execute(GRAPH, (path,)):
        for row in json.loads(text):
            rows[_row(c, token, row, onto, path)] = None
    return list(rows)


def saved_rows(c: Callable[[str], str], path: str, onto: str, facts: FileFacts) -> list[tuple]:
    """The rows of an `.ofn` file that no table keeps (FileFacts.saved_rows: its header's `<o> rdf:type
    owl:Ontology`, as Turtle's; the domains and ranges its property's column does not hold), written
    by the file's save, on a first run too (whose end derives the other rows from the tables alone).
    (A functional-syntax file's links resolve by no page name: no _relink derives its rows again.)"""
    if not facts.saved_rows:  # a page (nearly every file of a Logseq graph): no token, no generator
        return []
    token = blank_token(path)
    return list(dict.fromkeys(_row(c, token, row, onto, path) for row in facts.saved_rows))


def _row(c: Callable[[str], str], token: str, row: list, onto: str, path: str) -> tuple:
    """A noted row ([stanza, s, p, o, value, datatype, language], full IRIs, ofn_rdf's blank nodes) as
    a `statements` row: IRIs compacted, each blank node `_:<file token>_<its name>`."""
    def term(x: str) -> str:
        return f"_:{token}_{x[2:]}" if x.startswith("_:") else c(x)

    stanza, s, p, o, v, dt, lang = row
    return term(stanza), term(s), c(p), term(o) if o else None, v, c(dt) if dt else None, lang, onto, path


def noted_comments(conn: sqlite3.Connection, path: str) -> set[tuple[str, str]]:
    """(class, text) of the comments and definitions a file's triples give (per-file path; see NOT_NOTED)."""
    return set(conn.execute(NOTED_COMMENT, (path, path)))


def _pair_insert(insert: str, derived: str, predicate: str, target: str, rows_from: str) -> str:
    """The insert of every derived file's rows of one kind of named pair (an equivalence, disjointness
    or import; a migration target; a mapping to a page link): `subject predicate target`, each a CURIE,
    one row per file, ontology id and triple, as own_rows' kinds 1 to 3 write them a file at a time."""
    return insert + ("SELECT ontosync_curie(subject), ontosync_curie(subject), ontosync_curie(p), ontosync_curie(t), "
                     "NULL, NULL, NULL, ontology_id, path FROM (SELECT DISTINCT source_file AS path, ontology_id, "
                     f"subject, {predicate} AS p, {target} AS t " + rows_from.format(where=f"source_file IN {derived}")
                     + ")")


def deferred_sql(derived: str, insert: str) -> tuple[tuple[str, str], tuple[str, ...], tuple[str, ...]]:
    """For store/semsql_deferred.py: its temporary table, the statement filling it, and the inserts
    of the same rows as the per-file functions above, for every file in `derived` at once."""
    table = ("dv_some", "(path TEXT, ontology_id TEXT, s TEXT, prop TEXT, o TEXT, b TEXT)")
    fill = ("INSERT INTO temp.dv_some SELECT path, ontology_id, ontosync_curie(subject), ontosync_curie(p), "
            "ontosync_curie(f), '_:' || ontosync_token(path) || '_s' || row_number() OVER (PARTITION BY path "
            f"ORDER BY ontology_id, subject, p, f) FROM (SELECT DISTINCT source_file AS path, ontology_id, subject, "
            f"{_PROP} AS p, {_FILLER} AS f " + _SOME_FROM.format(where=f"source_file IN {derived}") + ")",)
    link = " FROM temp.dv_some"
    inserts = (
        insert + "SELECT s, s, 'rdfs:subClassOf', b, NULL, NULL, NULL, ontology_id, path" + link,
        insert + "SELECT s, b, 'rdf:type', 'owl:Restriction', NULL, NULL, NULL, ontology_id, path" + link,
        insert + "SELECT s, b, 'owl:onProperty', prop, NULL, NULL, NULL, ontology_id, path" + link,
        insert + "SELECT s, b, 'owl:someValuesFrom', o, NULL, NULL, NULL, ontology_id, path" + link,
        insert + ("SELECT ontosync_curie(subject), ontosync_curie(subject), 'owl:deprecated', NULL, v, "
                  "CASE WHEN dt IS NULL THEN NULL ELSE ontosync_curie(dt) END, NULL, ontology_id, path FROM "
                  f"(SELECT DISTINCT source_file AS path, ontology_id, subject, {_DEPRECATED} AS v, {_DATATYPE} AS dt "
                  + _DEPRECATED_FROM.format(where=f"source_file IN {derived}") + ")"),
        _pair_insert(insert, derived, _PREDICATE, "object", _PAIRS_FROM),
        _pair_insert(insert, derived, _MIGRATION, _TARGET, _MIGRATION_FROM),
        insert + ("SELECT ontosync_curie(s), ontosync_curie(s), ontosync_curie(p), CASE WHEN o IS NULL THEN NULL "
                  "ELSE ontosync_curie(o) END, v, CASE WHEN dt IS NULL THEN NULL ELSE ontosync_curie(dt) END, lang, "
                  f"ontology_id, path FROM (SELECT DISTINCT source_file AS path, ontology_id, {_T['subject']} AS s, "
                  f"{_PREDICATE} AS p, {_T['object']} AS o, {_T['value']} AS v, {_T['datatype']} AS dt, "
                  f"{_T['language']} AS lang " + _TRIPLES_FROM.format(where=f"source_file IN {derived}") + ")"),
        _pair_insert(insert, derived, _MAPPING, "object", _MAPPING_FROM),
    )
    return table, fill, (*inserts, insert + _DEFERRED_GRAPH.format(derived=derived))


def _blank_or_curie(column: str) -> str:
    return (f"CASE WHEN {column} IS NULL THEN NULL WHEN substr({column}, 1, 2) = '_:' THEN '_:' || "
            f"ontosync_token(path) || '_' || substr({column}, 3) ELSE ontosync_curie({column}) END")


# graph_rows' rows, for every derived file at once: each note's array read by json_each
_DEFERRED_GRAPH = ("SELECT DISTINCT " + ", ".join(_blank_or_curie(x) for x in ("st", "s", "p", "o"))
                   + ", v, CASE WHEN dt IS NULL THEN NULL ELSE ontosync_curie(dt) END, lang, ontology_id, path "
                   "FROM (SELECT source_file AS path, ontology_id, " + ", ".join(
                       f"json_extract(j.value, '$[{i}]') AS {x}" for i, x in enumerate(("st", "s", "p", "o", "v",
                                                                                         "dt", "lang")))
                   + f" FROM owl_axioms, json_each({_GRAPH}) AS j WHERE source_file IN {{derived}} "
                   f"AND {_GRAPH} IS NOT NULL)")
