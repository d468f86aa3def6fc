"""Annotations that the readers' layer writes as their own triple: mappings, an entity's other labels,
its comments and definitions.

Why: a Logseq page's and a functional-syntax file's `statements` rows are derived from stored facts
(store/semsql.py), and the facts keep one label per class or property and no mapping. An RDF file
brings every triple, so `oboInOwl:hasDbXref "MESH:D1"`, `skos:exactMatch <...>` (`runoak mappings`),
a second label (`rdfs:label "Foal"@en, "Poulain"@fr`) and each definition reached its layer and
not theirs (docs/decisions.md, "One ontology, one set of rows"); worse, their class's one comment
was written as its `IAO:0000115`, so an `rdfs:comment` showed as the definition (`runoak
definitions`). Each such annotation is kept as the AnnotationAssertion axiom functional syntax
gives, noted with its triple as parsing/ofn_triples.py notes every one-triple axiom of an `.ofn`
file (`rdf_subject`, `rdf_predicate`, `rdf_object` or `rdf_value`, `rdf_datatype`, `rdf_language`),
which store/semsql_ofn.py writes as the row an RDF file has: one note, one writer, whatever the
syntax. One shape for every way of writing it: an `.ofn` file or fence (parsing/ofn.py), a turtle fence
(parsing/fence_notes.py), a page property (`oboInOwl:hasDbXref:: MESH:D1`, parsing/logseq.py), and a
label a page's merge of its fences set aside (parsing/logseq_fences.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from ontosync.parsing.facts import AxiomFact
from ontosync.parsing.ofn_triples import triple
from ontosync.parsing.rdf_vocab import (
    DEFINITION_PREDICATES,
    MIGRATION_PREDICATES,
    OWL_DEPRECATED,
    RDFS_LABEL,
    XSD_STRING,
    best_literal,
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


def notes(prop: str, subject: str, target: str | None, literal: tuple[str, str | None, str | None] | None,
          every: bool = False) -> dict:
    """The note of an annotation assertion whose object is the IRI `target` or the `literal`
    (text, datatype, language: ofn_triples.Literal): a migration target, an `owl:deprecated` literal
    (no language tag: neither fence syntax notes one), a mapping, a label, a definition or comment
    (the layer writes each with its own predicate: store/semsql.py writes a class's comment as
    `IAO:0000115` only when no note holds it); with `every` (an `.ofn` file, whose layer has every
    one-triple axiom), any other's triple; {} for any other."""
    if prop in MIGRATION_PREDICATES and target:
        return migration_note(prop, target)
    if prop == OWL_DEPRECATED and literal and not literal[2]:
        return deprecation_note(*literal[:2])
    if every or prop in MAPPING_PREDICATES or (literal and (prop in LITERAL_NOTED or prop == RDFS_LABEL)):
        return triple(subject, prop, literal or target)
    return {}


def literal_axiom(prop: str, subject: str, text: str, language: str | None = None,
                  datatype: str | None = None) -> AxiomFact:
    """`AnnotationAssertion(prop subject "text"@language)`, noted for the layer (notes: its triple,
    or an `owl:deprecated` literal's note)."""
    value = quoted(text, language, datatype)
    return AxiomFact("AnnotationAssertion", subject, f"<{prop}> {value}", {
        "ofn": f"AnnotationAssertion(<{prop}> <{subject}> {value})",
        **notes(prop, subject, None, (text, datatype, language or None))})


def target_axiom(prop: str, subject: str, target: str) -> AxiomFact:
    """`AnnotationAssertion(prop subject <target>)`, noted for the layer."""
    return AxiomFact("AnnotationAssertion", subject, f"<{prop}> <{target}>", {
        "ofn": f"AnnotationAssertion(<{prop}> <{subject}> <{target}>)", **notes(prop, subject, target, None)})


def other_labels(subject: str, labels: Iterable[tuple[str, str]],
                 languages: dict[tuple[str, str], str]) -> list[AxiomFact]:
    """The label axioms of `subject` besides the one its fact keeps (rdf_vocab.best_literal's pick,
    as best_text's); `languages` (FileFacts.literal_languages: the column's row's tag) is made to
    give the kept literal's own tag, as a Turtle file's column has it. `labels` are (text,
    language or "") pairs."""
    found = list(dict.fromkeys(labels))
    kept = best_literal(found)
    if kept and kept[1]:
        languages[(subject, kept[0])] = kept[1]
    elif kept:
        languages.pop((subject, kept[0]), None)
    return [literal_axiom(RDFS_LABEL, subject, text, lang) for text, lang in found if (text, lang) != kept]
