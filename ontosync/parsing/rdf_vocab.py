"""The RDF and OWL vocabulary the RDF parsers read, and the small helpers every RDF module shares.

Kept apart so the XML guard, the JSON-LD context inliner, the class-expression renderer and the
fact extraction name IRIs one way and none of them imports another just for a constant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SCHEME = r"[A-Za-z][A-Za-z0-9+.\-]*:"  # an absolute IRI's start, its scheme (RFC 3986)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _terms(namespace: str, names: str) -> tuple[str, ...]:
    """The IRIs of the space-separated `names` in `namespace`, in order (one line per vocabulary
    group instead of one assignment per term)."""
    return tuple(namespace + name for name in names.split())


RDF_TYPE, RDF_PROPERTY = _terms(RDF, "type Property")
RDF_FIRST, RDF_REST, RDF_NIL = _terms(RDF, "first rest nil")  # lists
RDFS_LABEL, RDFS_COMMENT = _terms(RDFS, "label comment")
RDFS_SUBCLASS, RDFS_DOMAIN, RDFS_RANGE, RDFS_CLASS, RDFS_DATATYPE = _terms(
    RDFS, "subClassOf domain range Class Datatype")
IAO_DEFINITION = "http://purl.obolibrary.org/obo/IAO_0000115"
SKOS_DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"
XSD_STRING = XSD + "string"
OWL_DEPRECATED = OWL + "deprecated"


def deprecation_note(value: str, datatype: str | None) -> dict[str, str | None]:
    """The note an `owl:deprecated` annotation's axiom carries for the readers' layer
    (store/semsql_ofn.py): the literal as an RDF file's `statements` row holds it. One shape for
    both fence syntaxes (parsing/ofn.py, parsing/fence_notes.py)."""
    return {"deprecated": value, "datatype": None if datatype == XSD_STRING else datatype}

# An obsolete term's migration targets, which OAK's `obsoletes --show-migration-relationships` lists:
# IAO's "term replaced by" and oboInOwl's `consider`.
MIGRATION_PREDICATES = ("http://purl.obolibrary.org/obo/IAO_0100001", "http://www.geneontology.org/formats/oboInOwl#consider")


def migration_note(prop: str, target: str) -> dict[str, str]:
    """The note a migration annotation's axiom (`S IAO:0100001 T`, T an IRI) carries for the
    readers' layer (store/semsql_ofn.py): its property and target, as an RDF file's row holds them.
    One shape for both fence syntaxes and `.ofn` files (parsing/ofn.py, parsing/fence_notes.py)."""
    return {"migration": prop, "target": target}


OWL_CLASS, OWL_ONTOLOGY = _terms(OWL, "Class Ontology")
OWL_ANNOTATED_SOURCE, OWL_ANNOTATED_PROPERTY, OWL_ANNOTATED_TARGET = _terms(
    OWL, "annotatedSource annotatedProperty annotatedTarget")  # an annotated axiom (owl:Axiom)
OWL_OBJECT_PROPERTY, OWL_DATATYPE_PROPERTY, OWL_ANNOTATION_PROPERTY, OWL_FUNCTIONAL_PROPERTY = _terms(
    OWL, "ObjectProperty DatatypeProperty AnnotationProperty FunctionalProperty")
OWL_EQUIVALENT_CLASS, OWL_DISJOINT_WITH, OWL_ALL_DISJOINT_CLASSES, OWL_MEMBERS = _terms(
    OWL, "equivalentClass disjointWith AllDisjointClasses members")
OWL_ON_PROPERTY, OWL_ON_PROPERTIES, OWL_INVERSE_OF = _terms(OWL, "onProperty onProperties inverseOf")
OWL_ON_CLASS, OWL_ON_DATA_RANGE, OWL_ON_DATATYPE, OWL_WITH_RESTRICTIONS, OWL_DATATYPE_COMPLEMENT_OF = _terms(
    OWL, "onClass onDataRange onDatatype withRestrictions datatypeComplementOf")
# Boolean class expressions, then the restriction fillers.
OWL_INTERSECTION_OF, OWL_UNION_OF, OWL_COMPLEMENT_OF, OWL_ONE_OF = _terms(
    OWL, "intersectionOf unionOf complementOf oneOf")
OWL_SOME, OWL_ALL, OWL_HAS_VALUE, OWL_HAS_SELF = _terms(OWL, "someValuesFrom allValuesFrom hasValue hasSelf")

# Restriction predicate -> (functional-syntax suffix, qualified?)
CARDINALITIES = {
    OWL + "cardinality": ("ExactCardinality", False),
    OWL + "minCardinality": ("MinCardinality", False),
    OWL + "maxCardinality": ("MaxCardinality", False),
    OWL + "qualifiedCardinality": ("ExactCardinality", True),
    OWL + "minQualifiedCardinality": ("MinCardinality", True),
    OWL + "maxQualifiedCardinality": ("MaxCardinality", True),
}
FILLERS = (OWL_SOME, OWL_ALL, OWL_HAS_VALUE, OWL_HAS_SELF, *CARDINALITIES)

FACETS = frozenset(XSD + f for f in (
    "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "length", "minLength", "maxLength",
    "pattern", "totalDigits", "fractionDigits")) | {RDF + "langRange"}

# Named datatypes: a filler among these makes a restriction a data restriction.
BUILTIN_DATATYPES = frozenset({
    RDFS + "Literal", RDF + "PlainLiteral", RDF + "langString", RDF + "XMLLiteral", RDF + "HTML",
    RDF + "JSON", OWL + "real", OWL + "rational"})

# Property types in order of precedence when an IRI is typed several ways (see _property_type).
EXPLICIT_PROPERTY_TYPES = (
    (OWL_OBJECT_PROPERTY, "ObjectProperty"),
    (OWL_DATATYPE_PROPERTY, "DataProperty"),
    (OWL_ANNOTATION_PROPERTY, "AnnotationProperty"),
)
# Characteristics that only object properties can have (OWL 2 RDF mapping).
OBJECT_ONLY_CHARACTERISTICS = frozenset(OWL + t for t in (
    "TransitiveProperty", "SymmetricProperty", "AsymmetricProperty", "ReflexiveProperty",
    "IrreflexiveProperty", "InverseFunctionalProperty"))

# Only triples with these predicates are kept; everything else is dropped while streaming.
KEEP = frozenset({
    RDF_TYPE, RDF_FIRST, RDF_REST, RDFS_LABEL, RDFS_COMMENT, RDFS_SUBCLASS, RDFS_DOMAIN, RDFS_RANGE,
    IAO_DEFINITION, SKOS_DEFINITION, OWL_EQUIVALENT_CLASS, OWL_DISJOINT_WITH, OWL_MEMBERS,
    OWL_ON_PROPERTY, OWL_ON_PROPERTIES, OWL_INVERSE_OF, OWL_ON_CLASS, OWL_ON_DATA_RANGE, OWL_ON_DATATYPE,
    OWL_WITH_RESTRICTIONS, OWL_DATATYPE_COMPLEMENT_OF, OWL_INTERSECTION_OF, OWL_UNION_OF,
    OWL_COMPLEMENT_OF, OWL_ONE_OF, OWL_ANNOTATED_PROPERTY, *FILLERS, *FACETS,
})


# The definition predicates a class's `comment` is read from, most preferred first.
DEFINITION_PREDICATES = (RDFS_COMMENT, IAO_DEFINITION, SKOS_DEFINITION)


def _lang_rank(lang: str) -> int:
    lang = lang.lower()
    if not lang:
        return 0
    if lang == "en":
        return 1
    if lang.startswith("en-"):
        return 2
    return 3


def best_text(candidates: Iterable[tuple[str, str]]) -> str | None:
    """The deterministic pick among several (value, language) literals: no language tag first,
    then `en`, then `en-*`, then any other; within a rank the smallest value. Shared by the RDF and
    the functional-syntax readers, so one ontology gives one label whatever its syntax and order."""
    best = best_literal(candidates)
    return best[0] if best else None


def best_literal(candidates: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """best_text's pick as (value, language): the functional-syntax reader writes the others as rows."""
    keys = [(_lang_rank(lang), value, lang) for value, lang in candidates]
    return min(keys)[1:] if keys else None


MAX_MESSAGE = 300  # characters of a parser message kept in ParseError / ParseWarning


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    """One printable line of at most `limit` characters: parser messages may quote huge input."""
    text = "".join(ch if ch.isprintable() else " " for ch in text[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def count_text(digits: str) -> str | None:
    """A cardinality's canonical text (`0003` is `3`), or None when `digits` are not ASCII digits.

    Why text, not `str(int())`: a count of any length is kept the same in every syntax (Python's
    int-text limit failed a whole file; RDF refused what functional syntax kept)."""
    if not (digits.isascii() and digits.isdigit()):
        return None
    return digits.lstrip("0") or "0"


def is_bnode(term: object) -> bool:
    """Terms are plain strings: a blank node is "_:" + its id, anything else an IRI."""
    return isinstance(term, str) and term.startswith("_:")


def is_iri(term: object) -> bool:
    return isinstance(term, str) and not term.startswith("_:")


_FUNCTIONAL_HEAD = re.compile(r"^[A-Z][A-Za-z]*\(")


def is_iri_text(text: str) -> bool:
    """A rendered term is either a plain IRI (no brackets) or functional syntax `Head(...)`."""
    return not _FUNCTIONAL_HEAD.match(text)


def disjoint_row(operands: Iterable[str]) -> tuple[str, str] | None:
    """The (subject, object) row of `DisjointClasses` over rendered class expressions (a named class
    as its IRI): two distinct operands as the pair `owl:disjointWith` gives; more as the smallest
    and the whole axiom, members sorted, as `owl:AllDisjointClasses` has no order. Shared by the RDF
    and the functional-syntax readers so one axiom is one row whatever the file's syntax."""
    texts = sorted(set(operands))
    if len(texts) < 2:
        return None
    if len(texts) == 2:
        return texts[0], texts[1]
    return texts[0], "DisjointClasses(" + " ".join(f"<{t}>" if is_iri_text(t) else t for t in texts) + ")"


def bound_text(texts: Iterable[str], data: bool) -> str | None:
    """A property's domain (or range) from its rendered values (a named class as its IRI): one as
    is, several as their intersection, members sorted (`DataIntersectionOf` for a data property's
    range), which is what several domain statements mean. Shared by the RDF and the
    functional-syntax readers so one ontology has one column whatever its syntax and order."""
    texts = list(texts)
    parts = sorted({f"<{t}>" if is_iri_text(t) else t for t in texts})
    if len(parts) < 2:
        return texts[0] if texts else None
    return ("DataIntersectionOf(" if data else "ObjectIntersectionOf(") + " ".join(parts) + ")"
