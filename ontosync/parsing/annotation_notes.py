"""Annotations that the readers' layer writes as their own triple: mappings, an entity's other labels,
its comments and definitions.

Why: a Logseq page's and a functional-syntax file's `statements` rows are derived from stored facts
(store/semsql.py), and the facts keep one label per class or property and no mapping. An RDF file
brings every triple, so `oboInOwl:hasDbXref "MESH:D1"`, `skos:exactMatch <...>` (`runoak mappings`),
a second label (`rdfs:label "Foal"@en, "Poulain"@fr`) and each definition reached its layer and
not theirs (docs/decisions.md, "One ontology, one set of rows"); worse, their class's one comment
was written as its `IAO:0000115`, so an `rdfs:comment` showed as the definition (`runoak
definitions`). Each such annotation is kept as the AnnotationAssertion axiom functional syntax
gives, noted with the triple's parts (`annotation`: the property; `target`: an IRI object, or
`value`, `datatype`, `language`: a literal), which store/semsql_ofn.py writes as the row an RDF file
has. One shape for every way of writing it: an `.ofn` file or fence (parsing/ofn.py), a turtle fence
(parsing/fence_notes.py), a page property (`oboInOwl:hasDbXref:: MESH:D1`, parsing/logseq.py), and a
label a page's merge of its fences set aside (parsing/logseq_fences.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from ontosync.parsing.facts import AxiomFact
from ontosync.parsing.rdf_vocab import (
    DEFINITION_PREDICATES,
    MIGRATION_PREDICATES,
    OWL_DEPRECATED,
    RDFS_LABEL,
    XSD_STRING,
    best_text,
    deprecation_note,
    migration_note,
)

OIO = "http://www.geneontology.org/formats/oboInOwl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
HAS_DB_XREF = OIO + "hasDbXref"
# The predicates of semantic-sql's `has_mapping_statement` view (store/xref_prefixes.py's CURIEs).
MAPPING_PREDICATES = frozenset((HAS_DB_XREF, *(SKOS + m for m in ("exactMatch", "broadMatch", "narrowMatch",
                                                                   "relatedMatch"))))
# A page property naming one, as Logseq files its key (logseq_scan.property_key: lower-case).
PAGE_KEYS = {f"{prefix}:{iri.rsplit('#', 1)[1].lower()}": iri for iri in MAPPING_PREDICATES
             for prefix in (("oboinowl", "oio") if iri.startswith(OIO) else ("skos",))}
# What a turtle fence notes as its own triple when the object is a literal (parsing/fence_notes.py).
LITERAL_NOTED = frozenset((*DEFINITION_PREDICATES, *MAPPING_PREDICATES))


def quoted(text: str, language: str | None = None, datatype: str | None = None) -> str:
    """A literal as functional syntax writes it (parsing/class_expressions.render_literal's form)."""
    body = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if language:
        return f"{body}@{language}"
    return body if datatype in (None, XSD_STRING) else f"{body}^^<{datatype}>"


def literal_note(prop: str, text: str, language: str | None = None, datatype: str | None = None) -> dict:
    """The note of `prop` with a literal: the parts an RDF file's `statements` row holds."""
    return {"annotation": prop, "value": text, "datatype": None if datatype == XSD_STRING else datatype,
            "language": language or None}


def notes(prop: str, target: str | None, literal: tuple[str, str | None, str | None] | None) -> dict:
    """The note of an annotation assertion whose object is the IRI `target` or the `literal`
    (text, language, datatype): a migration target, an `owl:deprecated` literal (no language
    tag: neither fence syntax notes one), a mapping, a definition or comment (the layer writes each
    with its own predicate: store/semsql.py writes a class's comment as `IAO:0000115` only when no
    note holds it); {} for any other."""
    if prop in MIGRATION_PREDICATES:
        return migration_note(prop, target) if target else {}
    if prop == OWL_DEPRECATED:
        return deprecation_note(literal[0], literal[2]) if literal and not literal[1] else {}
    if prop in MAPPING_PREDICATES:
        return {"annotation": prop, "target": target} if target else literal_note(prop, *literal) if literal else {}
    return literal_note(prop, *literal) if literal and prop in DEFINITION_PREDICATES else {}


def literal_axiom(prop: str, subject: str, text: str, language: str | None = None,
                  datatype: str | None = None) -> AxiomFact:
    """`AnnotationAssertion(prop subject "text"@language)`, noted for the layer."""
    value = quoted(text, language, datatype)
    return AxiomFact("AnnotationAssertion", subject, f"<{prop}> {value}", {
        "ofn": f"AnnotationAssertion(<{prop}> <{subject}> {value})", **literal_note(prop, text, language, datatype)})


def target_axiom(prop: str, subject: str, target: str) -> AxiomFact:
    """`AnnotationAssertion(prop subject <target>)`, noted for the layer."""
    return AxiomFact("AnnotationAssertion", subject, f"<{prop}> <{target}>", {
        "ofn": f"AnnotationAssertion(<{prop}> <{subject}> <{target}>)", **notes(prop, target, None)})


def other_labels(subject: str, labels: Iterable[tuple[str, str]],
                 languages: dict[tuple[str, str], str]) -> list[AxiomFact]:
    """The label axioms of `subject` besides the one its fact keeps: rdf_vocab.best_text's pick,
    whose row carries the tag `languages` gives it (FileFacts.literal_languages). `labels` are
    (text, language or "") pairs."""
    found = list(dict.fromkeys(labels))
    chosen = best_text(found)
    kept = (chosen, languages.get((subject, chosen or ""), ""))
    if kept not in found:  # the kept language is another literal's of the same text: drop one of them
        kept = next(pair for pair in found if pair[0] == chosen)
    return [literal_axiom(RDFS_LABEL, subject, text, lang) for text, lang in found if (text, lang) != kept]
