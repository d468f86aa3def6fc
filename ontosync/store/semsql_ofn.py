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
owl:disjointWith, owl:imports), which `PAIRS` writes as that triple.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from ontosync.parsing.facts import FileFacts
from ontosync.parsing.rdf_vocab import DEFINITION_PREDICATES
from ontosync.store import semsql_rows

_PROP = "json_extract(annotations, '$.on_property')"
_FILLER = "json_extract(annotations, '$.some_values_from')"
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
# an annotation written as its triple (parsing/annotation_notes.py): a mapping, a label besides the kept one
_NOTED = {"p": "annotation", "t": "target", "v": "value", "dt": "datatype", "lang": "language"}
_ANNOTATION = ", ".join(f"json_extract(annotations, '$.{k}') AS {alias}" for alias, k in _NOTED.items())
_ANNOTATION_FROM = ("FROM owl_axioms WHERE {where} AND axiom_type = 'AnnotationAssertion' AND subject <> '' "
                    "AND json_extract(annotations, '$.annotation') IS NOT NULL")
# A class's comment that a note holds with its own predicate (rdfs:comment, IAO:0000115, skos:definition):
# its class row writes no `IAO:0000115` for it (store/semsql_rows.class_rows), the note's row says it.
# Not a page's own class: its comment is the page's `definition::`, whatever a fence says beside it.
_DEFINITION_NOTE = ("axiom_type = 'AnnotationAssertion' AND json_extract(annotations, '$.annotation') IN ("
                    + ", ".join(f"'{p}'" for p in sorted(DEFINITION_PREDICATES)) + ")")
NOTED_TEXTS = ("SELECT subject, json_extract(annotations, '$.value') FROM owl_axioms WHERE source_file = ? "
               f"AND {_DEFINITION_NOTE} AND subject NOT IN (SELECT class_iri FROM page_names WHERE path = ?)")
NOT_NOTED = (" AND (NOT EXISTS (SELECT 1 FROM owl_axioms WHERE source_file = file_classes.path AND subject = "
             f"file_classes.class_iri AND {_DEFINITION_NOTE} AND json_extract(annotations, '$.value') = "
             "file_classes.comment) OR EXISTS (SELECT 1 FROM page_names WHERE page_names.path = "
             "file_classes.path AND page_names.class_iri = file_classes.class_iri))")
_PREDICATE = "json_extract(annotations, '$.rdf_predicate')"
_PAIRS_FROM = (f"FROM owl_axioms WHERE {{where}} AND axiom_type IN ('EquivalentClasses', 'DisjointClasses', "
               f"'Import') AND subject <> '' AND {_PREDICATE} IS NOT NULL")


def _one_file(columns: str, rows_from: str) -> str:
    """A query's per-file form: one file's distinct rows, in a fixed order (blank nodes are numbered by it)."""
    return (f"SELECT DISTINCT ontology_id, subject, {columns} " + rows_from.format(where="source_file = ?")
            + " ORDER BY 1, 2, 3, 4")


SOME = _one_file(f"{_PROP}, {_FILLER}", _SOME_FROM)
DEPRECATED = _one_file(f"{_DEPRECATED}, {_DATATYPE}", _DEPRECATED_FROM)
PAIRS = _one_file(f"{_PREDICATE}, object", _PAIRS_FROM)
MIGRATION = _one_file(f"{_MIGRATION}, {_TARGET}", _MIGRATION_FROM)
ANNOTATION = _one_file(_ANNOTATION, _ANNOTATION_FROM)
KEYS = ("on_property", "deprecated", "rdf_predicate", "migration", "annotation")


def present(facts: FileFacts) -> bool:
    """Whether the file's axioms carry either construct: the queries are skipped otherwise."""
    return any(a.annotations and any(k in a.annotations for k in KEYS) for a in facts.axioms)


def restriction_rows(conn: sqlite3.Connection, c: Callable[[str], str], path: str, token: str) -> list[tuple]:
    """A file's `A rdfs:subClassOf [owl:onProperty P; owl:someValuesFrom C]` rows (per-file path)."""
    rows: list[tuple] = []
    for n, (onto, subj, prop, filler) in enumerate(conn.execute(SOME, (path,)), start=1):
        rows += semsql_rows.restriction_rows(c, path, f"_:{token}_s{n}", c(prop), onto, subj, filler)
    return rows


def deprecated_rows(conn: sqlite3.Connection, c: Callable[[str], str], path: str) -> list[tuple]:
    """A file's `A owl:deprecated "value"^^datatype` rows (per-file path)."""
    return [(c(s), c(s), "owl:deprecated", None, value, c(dt) if dt else None, None, onto, path)
            for onto, s, value, dt in conn.execute(DEPRECATED, (path,))]


def noted_texts(conn: sqlite3.Connection, path: str) -> set[tuple[str, str]]:
    """(class IRI, text) of a file's comments and definitions that notes hold (see NOT_NOTED)."""
    return set(conn.execute(NOTED_TEXTS, (path, path)))


def annotation_rows(conn: sqlite3.Connection, c: Callable[[str], str], path: str) -> list[tuple]:
    """A file's annotations written as their triple (per-file path): `A oio:hasDbXref "MESH:D1"`,
    `A skos:exactMatch B`, `A rdfs:label "Poulain"@fr`, as an RDF file's rows hold them."""
    return [(c(s), c(s), c(p), c(t) if t else None, v, c(dt) if dt else None, lang, onto, path)
            for onto, s, p, t, v, dt, lang in conn.execute(ANNOTATION, (path,))]


def triple_rows(conn: sqlite3.Connection, c: Callable[[str], str], path: str) -> list[tuple]:
    """A file's rows that are one triple between named things (per-file path): `A owl:equivalentClass
    B` / `A owl:disjointWith B`, `O owl:imports I`, and `A IAO:0100001 B` / `A oio:consider B`."""
    return [(c(s), c(s), c(pred), c(o), None, None, None, onto, path)
            for query in (PAIRS, MIGRATION) for onto, s, pred, o in conn.execute(query, (path,))]


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
        insert + ("SELECT ontosync_curie(subject), ontosync_curie(subject), ontosync_curie(p), "
                  "ontosync_curie(object), NULL, NULL, NULL, ontology_id, path FROM (SELECT DISTINCT "
                  f"source_file AS path, ontology_id, subject, {_PREDICATE} AS p, object "
                  + _PAIRS_FROM.format(where=f"source_file IN {derived}") + ")"),
        insert + ("SELECT ontosync_curie(subject), ontosync_curie(subject), ontosync_curie(p), ontosync_curie(t), "
                  "NULL, NULL, NULL, ontology_id, path FROM (SELECT DISTINCT source_file AS path, ontology_id, "
                  f"subject, {_MIGRATION} AS p, {_TARGET} AS t "
                  + _MIGRATION_FROM.format(where=f"source_file IN {derived}") + ")"),
        insert + ("SELECT ontosync_curie(subject), ontosync_curie(subject), ontosync_curie(p), CASE WHEN t IS NULL "
                  "THEN NULL ELSE ontosync_curie(t) END, v, CASE WHEN dt IS NULL THEN NULL ELSE ontosync_curie(dt) "
                  "END, lang, ontology_id, path FROM (SELECT DISTINCT source_file AS path, ontology_id, subject, "
                  f"{_ANNOTATION} "
                  + _ANNOTATION_FROM.format(where=f"source_file IN {derived}") + ")"),
    )
    return table, fill, inserts
