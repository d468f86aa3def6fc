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

from ontosync.parsing.class_expressions import render_literal
from ontosync.parsing.facts import AxiomFact
from ontosync.parsing.rdf_vocab import MIGRATION_PREDICATES, OWL_DEPRECATED, deprecation_note, migration_note

# `ObjectSomeValuesFrom(<P> <C>)` with both named, as parsing/class_expressions.py renders it.
_NAMED_SOME = re.compile(r"ObjectSomeValuesFrom\(<([^<>\s]+)> <([^<>\s]+)>\)")


def noted(axioms: Iterable[AxiomFact], quads: list[ox.Quad]) -> list[AxiomFact]:
    """`axioms` with their named existential restrictions noted, plus one AnnotationAssertion per
    `owl:deprecated` literal and per migration target (`IAO:0100001`, `oio:consider`) of a named
    subject; sorted as parsing/rdf.py sorts a file's axioms."""
    out = [_restriction(a) for a in axioms]
    notes = [*_deprecations(quads), *_migrations(quads)]
    out += {(a.subject, a.object): a for a in notes}.values()  # a triple given twice: once
    return sorted(out, key=lambda a: (a.axiom_type, a.subject, a.object or ""))


def _restriction(axiom: AxiomFact) -> AxiomFact:
    m = _NAMED_SOME.fullmatch(axiom.object or "") if axiom.axiom_type == "SubClassOf" else None
    if m is None:
        return axiom
    return axiom._replace(annotations={**(axiom.annotations or {}), "on_property": m[1], "some_values_from": m[2]})


def _deprecations(quads: Iterable[ox.Quad]) -> Iterator[AxiomFact]:
    """`S owl:deprecated "v"^^dt` -> the axiom `AnnotationAssertion(owl:deprecated S "v"^^dt)` would be
    (a literal with a language tag is noted by neither fence syntax)."""
    for q in quads:
        lit, subject = q.object, q.subject
        if (q.predicate.value != OWL_DEPRECATED or not isinstance(subject, ox.NamedNode)
                or not isinstance(lit, ox.Literal) or lit.language):
            continue
        value = render_literal(lit)
        yield AxiomFact("AnnotationAssertion", subject.value, f"<{OWL_DEPRECATED}> {value}", {
            "ofn": f"AnnotationAssertion(<{OWL_DEPRECATED}> <{subject.value}> {value})",
            **deprecation_note(lit.value, lit.datatype.value)})


def _migrations(quads: Iterable[ox.Quad]) -> Iterator[AxiomFact]:
    """`S IAO:0100001 T` (or `oio:consider`), S and T named -> the axiom a functional-syntax fence gives."""
    for q in quads:
        prop, subject, target = q.predicate.value, q.subject, q.object
        if prop in MIGRATION_PREDICATES and isinstance(subject, ox.NamedNode) and isinstance(target, ox.NamedNode):
            yield AxiomFact("AnnotationAssertion", subject.value, f"<{prop}> <{target.value}>", {
                "ofn": f"AnnotationAssertion(<{prop}> <{subject.value}> <{target.value}>)",
                **migration_note(prop, target.value)})


def literal_languages(quads: Iterable[ox.Quad], written: dict[str, str]) -> dict[tuple[str, str], str]:
    """(subject IRI, text) -> the language tag of a named subject's tagged literal, as the fence
    writes it (`written`: parsing/language_tags.py); the first one of a text wins."""
    found: dict[tuple[str, str], str] = {}
    for q in quads:
        lit, subject = q.object, q.subject
        if isinstance(lit, ox.Literal) and lit.language and isinstance(subject, ox.NamedNode):
            found.setdefault((subject.value, lit.value), written.get(lit.language, lit.language))
    return found
