"""A Logseq page's ```turtle fence: the restrictions, deprecations, migration targets and language
tags its readers' layer needs, noted as a functional-syntax fence notes them.

Why: a page's `statements` rows are derived from its stored facts (store/semsql.py), not from the
fence's triples. A functional-syntax fence notes a named existential restriction on its SubClassOf
axiom and gives `owl:deprecated` as an AnnotationAssertion axiom with its literal (parsing/ofn.py);
store/semsql_ofn.py writes the rows from those notes. A `turtle` fence gave neither, so OAK's
`relationships`, `ancestors -p P` and `obsoletes` missed what the same axioms in the other fence
syntax (or in a .ttl file) give. Here the fence's facts get the same notes, in the same form, so
either fence syntax stores the same axioms and rows. The same holds for `IAO:0100001` / `oio:consider`
targets (OAK's `obsoletes --show-migration-relationships`) and for the language tag of a literal,
which the derived label, definition and synonym rows carry (FileFacts.literal_languages).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from ontosync.parsing.annotation_notes import (
    LITERAL_NOTED,
    MAPPING_PREDICATES,
    literal_axiom,
    other_labels,
    target_axiom,
)
from ontosync.parsing.facts import AxiomFact, FileFacts
from ontosync.parsing.rdf_vocab import MIGRATION_PREDICATES, OWL_DEPRECATED, RDFS_LABEL

# `ObjectSomeValuesFrom(<P> <C>)` with both named, as parsing/class_expressions.py renders it.
_NAMED_SOME = re.compile(r"ObjectSomeValuesFrom\(<([^<>\s]+)> <([^<>\s]+)>\)")


def note(facts: FileFacts, quads: list[ox.Quad], written: dict[str, str]) -> None:
    """`facts.axioms` with their named existential restrictions noted, plus one AnnotationAssertion
    per `owl:deprecated` literal, migration target (`IAO:0100001`, `oio:consider`) and mapping
    (parsing/annotation_notes.py) of a named subject, and per label of a class or property besides
    the one its fact keeps; sorted as parsing/rdf.py sorts a file's axioms. `facts.literal_languages`
    too (`written`: the fence's language tags as written, parsing/language_tags.py)."""
    facts.literal_languages = literal_languages(quads, written)
    out = [_restriction(a) for a in facts.axioms]
    notes = [*_annotations(quads, written), *_other_labels(facts, quads, written)]
    out += {(a.subject, a.object): a for a in notes}.values()  # a triple given twice: once
    facts.axioms = sorted(out, key=lambda a: (a.axiom_type, a.subject, a.object or ""))


def _restriction(axiom: AxiomFact) -> AxiomFact:
    m = _NAMED_SOME.fullmatch(axiom.object or "") if axiom.axiom_type == "SubClassOf" else None
    if m is None:
        return axiom
    return axiom._replace(annotations={**(axiom.annotations or {}), "on_property": m[1], "some_values_from": m[2]})


NOTED = frozenset((*MIGRATION_PREDICATES, *LITERAL_NOTED, OWL_DEPRECATED))


def _annotations(quads: Iterable[ox.Quad], written: dict[str, str]) -> Iterator[AxiomFact]:
    """`S IAO:0100001 T` (or `oio:consider`), `S oio:hasDbXref "X:1"`, `S skos:exactMatch T`...,
    `S rdfs:comment "..."` (or a definition), `S owl:deprecated "v"^^dt`, S named, T named (or a literal
    for a mapping, a comment or a definition) -> the axiom a functional-syntax fence gives."""
    for q in quads:
        prop, subject, target = q.predicate.value, q.subject, q.object
        if not isinstance(subject, ox.NamedNode) or prop not in NOTED:
            continue
        if isinstance(target, ox.NamedNode) and (prop in MIGRATION_PREDICATES or prop in MAPPING_PREDICATES):
            yield target_axiom(prop, subject.value, target.value)
        elif isinstance(target, ox.Literal) and (prop in LITERAL_NOTED or _deprecation(prop, target)):
            language = written.get(target.language, target.language) if target.language else None
            yield literal_axiom(prop, subject.value, target.value, language, target.datatype.value)


def _deprecation(prop: str, target: ox.Literal) -> bool:
    """`S owl:deprecated "v"^^dt`: a literal with a language tag is noted by neither fence syntax."""
    return prop == OWL_DEPRECATED and not target.language


def _other_labels(facts: FileFacts, quads: Iterable[ox.Quad], written: dict[str, str]) -> Iterator[AxiomFact]:
    """The labels of the fence's classes and properties besides the one each fact keeps, and
    those of its other named subjects."""
    found: dict[str, list[tuple[str, str]]] = {}
    for q in quads:
        if q.predicate.value == RDFS_LABEL and isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
            lang = q.object.language
            found.setdefault(q.subject.value, []).append((q.object.value, written.get(lang, lang) if lang else ""))
    entities = {e.iri for e in (*facts.classes, *facts.properties)}
    for iri, labels in found.items():
        if iri in entities:
            yield from other_labels(iri, labels, facts.literal_languages)
        else:  # no fact holds its label: every one is an axiom, as in functional syntax
            yield from (literal_axiom(RDFS_LABEL, iri, text, lang) for text, lang in dict.fromkeys(labels))


def literal_languages(quads: Iterable[ox.Quad], written: dict[str, str]) -> dict[tuple[str, str], str]:
    """(subject IRI, text) -> the language tag of a named subject's tagged literal, as the fence
    writes it (`written`: parsing/language_tags.py); the first one of a text wins."""
    found: dict[tuple[str, str], str] = {}
    for q in quads:
        lit, subject = q.object, q.subject
        if isinstance(lit, ox.Literal) and lit.language and isinstance(subject, ox.NamedNode):
            found.setdefault((subject.value, lit.value), written.get(lit.language, lit.language))
    return found
