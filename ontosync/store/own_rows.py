"""A file's own rows, built from its facts in plain Python (no database): what a save inserts.

Kept apart from the repository so each table's merge rule is one short function: one row per key,
the first value given wins, a later mention only fills what the first left empty. The repository
inserts each list with one `executemany`.

`prepare` builds them all, in the order of the repository's statements' parameters: a parse worker
calls it for the file it parsed (pipeline/workers.py), so the single writer, the run's bottleneck,
only inserts them (issue 18: ~30 ms of the writer's CPU on the corpus).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from ontosync.parsing.facts import FileFacts, normalize_name

Rows = list[tuple]
Keys = frozenset[tuple[str, str]]

# json.dumps(..., sort_keys=True, ensure_ascii=False) makes a new encoder at each call; the same
# encoder, made once, writes the same text (a fifth of axiom_rows' time on the corpus).
_ANNOTATIONS = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode


@dataclass(frozen=True)
class Prepared:
    """A file's own rows for one (path, ontology id), each list in its INSERT's parameter order
    (store/repository.py), and the (ontology, IRI) keys its classes, edges and properties hold."""

    path: str
    onto: str
    classes: Rows
    names: set[tuple[str, str, int, str]]  # their rows: name_rows(path, names)
    edges: Rows  # repository.RESOLVED_EDGE's parameters
    properties: Rows
    synonyms: Rows
    axioms: Rows  # repository.RESOLVED_AXIOM's parameters
    class_keys: Keys
    edge_keys: Keys
    property_keys: Keys


def prepare(path: str, onto: str, facts: FileFacts) -> Prepared:
    """Every own row of `facts` saved as `path` under `onto`."""
    classes = class_rows(path, onto, facts)
    edges = edge_rows(path, onto, facts)
    properties = property_rows(path, onto, facts)
    names = page_names(onto, facts)
    return Prepared(
        path, onto, classes, names,
        [(p, o, child, o, key, fallback, fallback, key, text) for p, o, child, _, fallback, key, text in edges],
        properties, synonym_rows(path, onto, facts),
        [(o, kind, subject, o, key, obj, ann, src, fallback, key)
         for o, kind, subject, obj, ann, src, fallback, key in axiom_rows(path, onto, facts)],
        frozenset(r[1:3] for r in classes), frozenset(r[1:3] for r in edges), frozenset(r[1:3] for r in properties))


def links(own: Prepared) -> Iterator[tuple[str, str, str]]:
    """("edge" or "axiom", ontology id, name key) of each page link the rows make: the names whose
    appearance or going re-points them; ("child", ontology id, IRI) of each edge's child, whose
    hierarchy rows a later save drops; ("class", ontology id, IRI) of each class the file declares,
    which a later file may declare again (store/fresh_run.py notes them)."""
    yield from (("class", onto, iri) for onto, iri in own.class_keys)
    yield from (("child", onto, child) for onto, child in own.edge_keys)
    for row in own.edges:  # RESOLVED_EDGE's parameters: the ontology id second, the key eighth
        if row[7] is not None:
            yield "edge", row[1], row[7]
    for row in own.axioms:  # RESOLVED_AXIOM's: the ontology id first, the key last
        if row[9] is not None:
            yield "axiom", row[0], row[9]


def name_rows(path: str, names: set[tuple[str, str, int, str]]) -> Rows:
    """The rows of `names` (page_names) saved as `path`, in repository._INSERT_NAMES's order, sorted:
    the same file inserts its names in the same order however it is saved."""
    return [(path, o, k, r, iri) for o, k, r, iri in sorted(names)]


def class_rows(path: str, onto: str, facts: FileFacts) -> Rows:
    """One row per IRI: the first label, comment and declaration line given win; the label's and
    comment's language tags (a fence's literal, FileFacts.literal_languages) follow them."""
    classes: dict[str, tuple[str | None, str | None, int | None]] = {}
    for cf in facts.classes:
        label, comment, line = classes.get(cf.iri, (None, None, None))
        classes[cf.iri] = (label or cf.label, comment or cf.comment, line or cf.line)
    tags = facts.literal_languages
    return [(path, onto, iri, label, comment, line, tags.get((iri, label)) if label else None,
             tags.get((iri, comment)) if comment else None) for iri, (label, comment, line) in classes.items()]


def edge_rows(path: str, onto: str, facts: FileFacts) -> Rows:
    """One row per (child, parent, link name): the first link text given is kept."""
    edges: dict[tuple, str | None] = {}
    for e in facts.edges:
        edges.setdefault((e.child, e.parent, normalize_name(e.parent_ref) if e.parent_ref else None), e.parent_ref)
    return [(path, onto, child, parent, parent, key, text) for (child, parent, key), text in edges.items()]


def property_rows(path: str, onto: str, facts: FileFacts) -> Rows:
    """One row per property IRI: a later mention fills what the first left empty; the label's
    language tag (a fence's literal) follows it."""
    props: dict[str, tuple] = {}
    for p in facts.properties:
        old = props.get(p.iri)
        if old is None:
            props[p.iri] = (p.property_type, p.label, p.domain, p.range)
        else:
            props[p.iri] = (old[0], old[1] or p.label, old[2] or p.domain, old[3] or p.range)
    tags = facts.literal_languages
    return [(path, onto, iri, *v, tags.get((iri, v[1])) if v[1] else None) for iri, v in props.items()]


def synonym_rows(path: str, onto: str, facts: FileFacts) -> Rows:
    tags = facts.literal_languages
    return [(path, onto, s.iri, s.text, s.predicate, tags.get((s.iri, s.text))) for s in facts.synonyms]


def page_names(onto: str, facts: FileFacts) -> set[tuple[str, str, int, str]]:
    """(ontology, name key, stored rank, class IRI) of each name the page answers to; none without
    a class. The stored rank is twice the name's (title 0, alias 2, preferred-term 4), plus one on
    a page without an OntologyBlock: two files naming one page are one page in Logseq (an error
    there, the page showing the file it parsed last, an order the tree does not give), so the
    one with the OntologyBlock is the class its links reach, whatever the paths; a title still
    comes before any page's alias (`store/repository.py` orders by it)."""
    if not facts.page_class:
        return set()
    skipped = 1 if facts.skipped else 0
    return {(onto, normalize_name(n), 2 * rank + skipped, facts.page_class) for n, rank in facts.names if n.strip()}


def axiom_rows(path: str, onto: str, facts: FileFacts) -> Rows:
    return [(onto, a.axiom_type, a.subject, a.object,
             _ANNOTATIONS(a.annotations) if a.annotations else None,
             path, a.object if a.object_ref else None, normalize_name(a.object_ref) if a.object_ref else None)
            for a in facts.axioms]
