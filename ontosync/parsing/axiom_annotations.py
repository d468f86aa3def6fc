"""An RDF file's annotated class axioms (OWL 2's `owl:Axiom` reification), as functional syntax keeps them.

Why: `SubClassOf(Annotation(rdfs:comment "why") :A :B)` in a functional-syntax file is a hierarchy
edge and an axiom row whose annotations keep the whole axiom (parsing/ofn.py). The same axiom in
Turtle or RDF/XML is the triple `:A rdfs:subClassOf :B` plus an `owl:Axiom` node naming it by
`owl:annotatedSource`, `owl:annotatedProperty` and `owl:annotatedTarget`; the RDF reader kept the
triple and dropped the node, so the annotation reached no `owl_axioms` row and the two syntaxes
gave different rows for one axiom. Here each such node on `rdfs:subClassOf`, `owl:equivalentClass`
or `owl:disjointWith` whose triple the file asserts gives the row the functional-syntax reader
gives: the axiom's subject and object, annotations `{"ofn": the axiom with its annotations}`
(sorted; IRI and literal values; a blank-node value is left out). An annotation's own annotations
(an `owl:Annotation` node naming the `owl:Axiom` node, the property and the value) are nested in it,
sorted too, as the functional-syntax reader writes them; they were left out, so one axiom had two
texts. It takes the place of the axiom's plain row (an annotated subclass edge between two names
keeps its edge).

OWL 2's mapping to RDF (parsing of annotated axioms) reads such a node only with its
`rdf:type owl:Axiom` and with the axiom's triple in the graph (as the OWL API does): a node without
the type, or naming a triple the file does not assert, annotates nothing. Either is a warning
(`annotated-axiom`), not a silent loss of what the user wrote. An anonymous source or target is
the asserted one when it is written as the same expression (`_Asserted`): the OWL API writes a
copy of it, a new blank node, inside the `owl:Axiom` node.

Only the `owl:annotatedProperty` triples are indexed (rdf_vocab.KEEP); the quads are read again,
for the nodes found, only when a file has such an axiom (OBO files annotate mostly definitions and
synonyms, which are not class axioms).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from ontosync.parsing.class_expressions import Renderer, Unrenderable, render_literal
from ontosync.parsing.facts import AxiomFact
from ontosync.parsing.rdf_vocab import (
    OWL,
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
_OWL_ANNOTATION, _OWL_AXIOM = OWL + "Annotation", OWL + "Axiom"
_NOT_ANNOTATIONS = frozenset((RDF_TYPE, OWL_ANNOTATED_SOURCE, OWL_ANNOTATED_PROPERTY, OWL_ANNOTATED_TARGET))


def annotate(axioms: set[AxiomFact], quads: Iterable[ox.Quad], renderer: Renderer,
             render: Callable[[Any, str, str], str | None], languages: dict[str, str],
             warn: Callable[[str, str], None]) -> list[AxiomFact]:
    """The annotated class axioms' rows (see above); their plain rows are taken out of `axioms`.
    `render` writes an expression or warns; `renderer` (its own) matches copies without a word."""
    index = renderer.index
    nodes, nested = set(), set()  # the owl:Axiom nodes of class axioms; the owl:Annotation nodes
    for s, values in index.subjects_with(OWL_ANNOTATED_PROPERTY):
        if any(v in CLASS_AXIOMS for v in values):
            nodes.add(s)
        elif _OWL_ANNOTATION in index.types(s):
            nested.add(s)
    every = _node_parts(quads, nodes | nested) if nodes else {}
    under: dict[Any, list[tuple[str, dict[str, list[Any]]]]] = {}  # node -> the owl:Annotation nodes naming it
    for key in nested & every.keys():
        if len(every[key].get(OWL_ANNOTATED_SOURCE, ())) == 1:
            under.setdefault(every[key][OWL_ANNOTATED_SOURCE][0], []).append((key, every[key]))
    notes = _Notes(under, languages)
    asserted = _Asserted(renderer)
    found = [_axiom(every[n], notes.of(n, every[n], 0), asserted, render, warn) for n in sorted(nodes & every.keys())]
    annotated = {(a.axiom_type, a.subject, a.object, a.annotations["ofn"]): a for a in found if a is not None}
    for a in annotated.values():
        axioms.discard(a._replace(annotations=None))
    return list(annotated.values())


def _node_parts(quads: Iterable[ox.Quad], nodes: set[str]) -> dict[str, dict[str, list[Any]]]:
    """node -> predicate -> values, for the reified nodes given (`owl:Axiom`, `owl:Annotation`)."""
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


class _Notes:
    """The `Annotation(...)` texts of a reified node, each with its own annotations nested."""

    MAX_DEPTH = 8  # annotations of annotations of ...: deeper ones (or a loop of nodes) are left out

    def __init__(self, under: dict[Any, list[tuple[str, dict[str, list[Any]]]]], languages: dict[str, str]) -> None:
        self.under, self.languages = under, languages

    def of(self, node: str, parts: dict[str, list[Any]], depth: int) -> list[str]:
        """Sorted: one per annotation of `node` (its predicate -> values `parts`)."""
        found = []
        for pred, values in parts.items():
            for value in values if pred not in _NOT_ANNOTATIONS else ():
                text = _value(value, self.languages)
                if text is not None:
                    inner = self._nested(node, pred, value, depth) if depth < self.MAX_DEPTH else []
                    found.append(f"Annotation({''.join(n + ' ' for n in inner)}<{pred}> {text})")
        return sorted(found)

    def _nested(self, node: Any, pred: str, value: Any, depth: int) -> list[str]:
        """The annotations of `node`'s annotation `pred value`: its owl:Annotation nodes' own."""
        out: list[str] = []
        for key, parts in self.under.get(node, ()):
            if parts.get(OWL_ANNOTATED_PROPERTY) == [pred] and parts.get(OWL_ANNOTATED_TARGET) == [value]:
                out += self.of(key, parts, depth + 1)
        return sorted(out)


def _axiom(parts: dict[str, list[Any]], notes: list[str], asserted: _Asserted,
           render: Callable[[Any, str, str], str | None], warn: Callable[[str, str], None]) -> AxiomFact | None:
    """The annotated row of one `owl:Axiom` node, or None (not one class axiom the file asserts)."""
    ends = [parts.get(p, []) for p in (OWL_ANNOTATED_SOURCE, OWL_ANNOTATED_PROPERTY, OWL_ANNOTATED_TARGET)]
    if any(len(set(map(str, e))) != 1 for e in ends):
        return None
    source, prop, target = (e[0] for e in ends)
    head = CLASS_AXIOMS.get(prop)
    if head is None or isinstance(source, ox.Literal):
        return None
    unread = _unread(parts, asserted(source, prop, target))
    if unread:
        warn("annotated-axiom", f"the reified {head} of {_named(source)} and {_named(target)} {unread}: "
             "its annotations are not read (OWL 2's mapping to RDF needs the typed node and the triple)")
        return None
    what = f"annotated {head} axiom skipped"
    left, right = render(source, "class", what), render(target, "class", what)
    if not notes or left is None or right is None:
        return None
    operands = " ".join(f"<{t}>" if is_iri_text(t) else t for t in (left, right))
    return AxiomFact(head, left, right, {"ofn": f"{head}({' '.join(notes)} {operands})"})


class _Asserted:
    """Whether the file asserts a reified triple. The OWL API writes a new copy of an anonymous
    source or target inside `owl:annotatedSource` / `owl:annotatedTarget` (Uberon, PROV-O do):
    a blank end is the asserted one when it renders to the same expression (identity called every
    copy unasserted). A blank end that does not render is not called unasserted: its own warning
    says why the axiom is skipped."""

    def __init__(self, renderer: Renderer) -> None:
        self.index, self.renderer = renderer.index, renderer
        self.blank_subjects: dict[str, dict[str | None, list[str]]] = {}  # predicate -> rendering -> subjects

    def __call__(self, source: Any, prop: str, target: Any) -> bool:
        sources = [source] if is_iri(source) or self.index.get(source, prop) else self._twins(source, prop)
        if sources is None:
            return True
        return any(self._has(self.index.get(s, prop), target) for s in sources)

    def _twins(self, source: Any, prop: str) -> list[str] | None:
        """The blank subjects of `prop` rendered as `source` is (None: `source` does not render)."""
        text = self.render(source)
        if text is None:
            return None
        if prop not in self.blank_subjects:  # built once per predicate: a file may annotate many
            by_text: dict[str | None, list[str]] = {}
            for subject, _values in self.index.subjects_with(prop):
                if not is_iri(subject):
                    by_text.setdefault(self.render(subject), []).append(subject)
            self.blank_subjects[prop] = by_text
        return self.blank_subjects[prop].get(text, [])

    def render(self, term: Any) -> str | None:
        try:
            return self.renderer.render(term, "class")
        except Unrenderable:
            return None

    def _has(self, objects: list[Any], target: Any) -> bool:
        if target in objects or is_iri(target):
            return target in objects
        text = self.render(target)
        return text is None or any(not is_iri(o) and self.render(o) == text for o in objects)


def _unread(parts: dict[str, list[Any]], asserted: bool) -> str:
    """Why a reified class axiom annotates nothing: no `rdf:type owl:Axiom`, or its triple is not
    in the file; "" when it is read."""
    if _OWL_AXIOM not in parts.get(RDF_TYPE, ()):
        return "has no rdf:type owl:Axiom"
    return "" if asserted else "is not asserted in the file (only reified)"


def _named(term: Any) -> str:
    return f"<{term}>" if is_iri(term) else "a class expression"


def _value(value: Any, languages: dict[str, str]) -> str | None:
    if isinstance(value, ox.Literal):
        return render_literal(value, languages)
    return f"<{value}>" if is_iri(value) else None
