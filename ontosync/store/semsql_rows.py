"""A derived file's `statements` rows, one stored fact at a time (Logseq pages, functional syntax).

Used by the per-file path (store/semsql.py, a file's rows read by path); a first run's end
(store/semsql_deferred.py) writes the same rows for every derived file at once in SQL, and
tests/test_deferred_layer.py holds the two equal, row for row. `c` compacts an IRI to a CURIE;
every row is (stanza, subject, predicate, object, value, datatype, language, graph, source_file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

PROPERTY_TYPES = {"ObjectProperty": "owl:ObjectProperty", "DataProperty": "owl:DatatypeProperty",
                  "AnnotationProperty": "owl:AnnotationProperty"}
Compact = Callable[[str], str]


def class_rows(c: Compact, path: str, onto: str, iri: str, label: str | None, comment: str | None,
               label_language: str | None = None, comment_language: str | None = None) -> Iterator[tuple]:
    """The label's and definition's language tags: a fence's literal's (file_classes, migration 013)."""
    s = c(iri)
    yield s, s, "rdf:type", "owl:Class", None, None, None, onto, path
    if label:
        yield s, s, "rdfs:label", None, label, None, label_language, onto, path
    if comment:
        yield s, s, "IAO:0000115", None, comment, None, comment_language, onto, path


def synonym_row(c: Compact, path: str, onto: str, iri: str, text: str, pred: str, language: str | None = None) -> tuple:
    return c(iri), c(iri), pred, None, text, None, language, onto, path


def property_rows(c: Compact, path: str, onto: str, iri: str, ptype: str | None, label: str | None,
                  domain: str | None, rng: str | None, label_language: str | None = None) -> Iterator[tuple]:
    s = c(iri)
    yield s, s, "rdf:type", PROPERTY_TYPES.get(ptype, "rdf:Property"), None, None, None, onto, path
    if label:
        yield s, s, "rdfs:label", None, label, None, label_language, onto, path
    for pred, value in (("rdfs:domain", domain), ("rdfs:range", rng)):
        if value and " " not in value and "(" not in value:  # a named class, not an expression
            yield s, s, pred, c(value), None, None, None, onto, path


def relation_rows(prop: str, key: str, onto: str, path: str) -> tuple[tuple, tuple]:
    """The property a relationship key stands for, declared by the first file that uses it."""
    return ((prop, prop, "rdf:type", "owl:ObjectProperty", None, None, None, onto, path),
            (prop, prop, "rdfs:label", None, key.lower(), None, None, onto, path))


def edge_row(c: Compact, path: str, onto: str, iri: str, parent: str) -> tuple:
    return c(iri), c(iri), "rdfs:subClassOf", c(parent), None, None, None, onto, path


def restriction_rows(c: Compact, path: str, blank: str, prop: str, onto: str, subj: str, obj: str) -> list[tuple]:
    """C rdfs:subClassOf [owl:onProperty P; owl:someValuesFrom D], the restriction a blank node."""
    s = c(subj)
    return [(s, s, "rdfs:subClassOf", blank, None, None, None, onto, path),
            (s, blank, "rdf:type", "owl:Restriction", None, None, None, onto, path),
            (s, blank, "owl:onProperty", prop, None, None, None, onto, path),
            (s, blank, "owl:someValuesFrom", c(obj), None, None, None, onto, path)]
