"""An RDF file's annotated class axioms (OWL 2's `owl:Axiom` reification), as functional syntax keeps them.

Why: `SubClassOf(Annotation(rdfs:comment "why") :A :B)` in a functional-syntax file is a hierarchy
edge and an axiom row whose annotations keep the whole axiom (parsing/ofn.py). The same axiom in
Turtle or RDF/XML is the triple `:A rdfs:subClassOf :B` plus an `owl:Axiom` node naming it by
`owl:annotatedSource`, `owl:annotatedProperty` and `owl:annotatedTarget`; the RDF reader kept the
triple and dropped the node, so the annotation reached no `owl_axioms` row and the two syntaxes
gave different rows for one axiom. Here each such node on `rdfs:subClassOf`, `owl:equivalentClass`
or `owl:disjointWith` whose triple the file asserts gives the row the functional-syntax reader
gives: the axiom's subject and object, annotations `{"ofn": the axiom with its annotations}`
(sorted; IRI and literal values; a nested annotation or a blank-node value is left out). It takes
the place of the axiom's plain row (an annotated subclass edge between two names keeps its edge).

Only the `owl:annotatedProperty` triples are indexed (rdf_vocab.KEEP); the quads are read again,
for the nodes found, only when a file has such an axiom (OBO files annotate mostly definitions and
synonyms, which are not class axioms).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from ontosync.parsing.class_expressions import Index, render_literal
from ontosync.parsing.facts import AxiomFact
from ontosync.parsing.rdf_vocab import (
    OWL_ANNOTATED_PROPERTY,
    OWL_ANNOTATED_SOURCE,
    OWL_ANNOTATED_TARGET,
    OWL_DISJOINT_WITH,
    OWL_EQUIVALENT_CLASS,
    RDF_TYPE,
    RDFS_SUBCLASS,
    is_iri,
    is_iri_text,
)

CLASS_AXIOMS = {RDFS_SUBCLASS: "SubClassOf", OWL_EQUIVALENT_CLASS: "EquivalentClasses",
                OWL_DISJOINT_WITH: "DisjointClasses"}
_NOT_ANNOTATIONS = frozenset((RDF_TYPE, OWL_ANNOTATED_SOURCE, OWL_ANNOTATED_PROPERTY, OWL_ANNOTATED_TARGET))


def annotate(axioms: set[AxiomFact], index: Index, quads: Iterable[ox.Quad],
             render: Callable[[Any, str, str], str | None], languages: dict[str, str]) -> list[AxiomFact]:
    """The annotated class axioms' rows (see above); their plain rows are taken out of `axioms`."""
    nodes = {s for s, values in index.subjects_with(OWL_ANNOTATED_PROPERTY) if any(v in CLASS_AXIOMS for v in values)}
    found = [_axiom(parts, index, render, languages) for parts in _node_parts(quads, nodes).values()] if nodes else []
    annotated = {(a.axiom_type, a.subject, a.object, a.annotations["ofn"]): a for a in found if a is not None}
    for a in annotated.values():
        axioms.discard(a._replace(annotations=None))
    return list(annotated.values())


def _node_parts(quads: Iterable[ox.Quad], nodes: set[str]) -> dict[str, dict[str, list[Any]]]:
    """node -> predicate -> values, for the `owl:Axiom` nodes only."""
    parts: dict[str, dict[str, list[Any]]] = {}
    for quad in quads:
        subj, obj = quad.subject, quad.object
        key = subj.value if isinstance(subj, ox.NamedNode) else "_:" + subj.value if isinstance(
            subj, ox.BlankNode) else None
        if key not in nodes:
            continue
        value: Any = obj.value if isinstance(obj, ox.NamedNode) else "_:" + obj.value if isinstance(
            obj, ox.BlankNode) else obj
        parts.setdefault(key, {}).setdefault(quad.predicate.value, []).append(value)
    return parts


def _axiom(parts: dict[str, list[Any]], index: Index, render: Callable[[Any, str, str], str | None],
           languages: dict[str, str]) -> AxiomFact | None:
    """The annotated row of one `owl:Axiom` node, or None (not one class axiom the file asserts)."""
    ends = [parts.get(p, []) for p in (OWL_ANNOTATED_SOURCE, OWL_ANNOTATED_PROPERTY, OWL_ANNOTATED_TARGET)]
    if any(len(set(map(str, e))) != 1 for e in ends):
        return None
    source, prop, target = (e[0] for e in ends)
    head = CLASS_AXIOMS.get(prop)
    if head is None or isinstance(source, ox.Literal) or target not in index.get(source, prop):
        return None
    values = [(p, _value(v, languages)) for p, vs in parts.items() if p not in _NOT_ANNOTATIONS for v in vs]
    notes = sorted(f"Annotation(<{p}> {v})" for p, v in values if v is not None)
    what = f"annotated {head} axiom skipped"
    left, right = render(source, "class", what), render(target, "class", what)
    if not notes or left is None or right is None:
        return None
    operands = " ".join(f"<{t}>" if is_iri_text(t) else t for t in (left, right))
    return AxiomFact(head, left, right, {"ofn": f"{head}({' '.join(notes)} {operands})"})


def _value(value: Any, languages: dict[str, str]) -> str | None:
    if isinstance(value, ox.Literal):
        return render_literal(value, languages)
    return f"<{value}>" if is_iri(value) else None
