"""The RDF and OWL vocabulary the RDF parsers read, and the small helpers every RDF module shares.

Kept apart so the XML guard, the JSON-LD context inliner, the class-expression renderer and the
fact extraction name IRIs one way and none of them imports another just for a constant.
"""

from __future__ import annotations

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"

RDF_TYPE = RDF + "type"
RDF_FIRST = RDF + "first"
RDF_REST = RDF + "rest"
RDF_NIL = RDF + "nil"
RDF_PROPERTY = RDF + "Property"
RDFS_LABEL = RDFS + "label"
RDFS_COMMENT = RDFS + "comment"
RDFS_SUBCLASS = RDFS + "subClassOf"
RDFS_DOMAIN = RDFS + "domain"
RDFS_RANGE = RDFS + "range"
RDFS_CLASS = RDFS + "Class"
RDFS_DATATYPE = RDFS + "Datatype"
IAO_DEFINITION = "http://purl.obolibrary.org/obo/IAO_0000115"
SKOS_DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"
XSD_STRING = XSD + "string"

OWL_CLASS = OWL + "Class"
OWL_ONTOLOGY = OWL + "Ontology"
OWL_OBJECT_PROPERTY = OWL + "ObjectProperty"
OWL_DATATYPE_PROPERTY = OWL + "DatatypeProperty"
OWL_ANNOTATION_PROPERTY = OWL + "AnnotationProperty"
OWL_FUNCTIONAL_PROPERTY = OWL + "FunctionalProperty"
OWL_EQUIVALENT_CLASS = OWL + "equivalentClass"
OWL_DISJOINT_WITH = OWL + "disjointWith"
OWL_ALL_DISJOINT_CLASSES = OWL + "AllDisjointClasses"
OWL_MEMBERS = OWL + "members"
OWL_ON_PROPERTY = OWL + "onProperty"
OWL_ON_PROPERTIES = OWL + "onProperties"
OWL_INVERSE_OF = OWL + "inverseOf"
OWL_ON_CLASS = OWL + "onClass"
OWL_ON_DATA_RANGE = OWL + "onDataRange"
OWL_ON_DATATYPE = OWL + "onDatatype"
OWL_WITH_RESTRICTIONS = OWL + "withRestrictions"
OWL_DATATYPE_COMPLEMENT_OF = OWL + "datatypeComplementOf"
OWL_INTERSECTION_OF = OWL + "intersectionOf"
OWL_UNION_OF = OWL + "unionOf"
OWL_COMPLEMENT_OF = OWL + "complementOf"
OWL_ONE_OF = OWL + "oneOf"
OWL_SOME = OWL + "someValuesFrom"
OWL_ALL = OWL + "allValuesFrom"
OWL_HAS_VALUE = OWL + "hasValue"
OWL_HAS_SELF = OWL + "hasSelf"

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
    OWL_COMPLEMENT_OF, OWL_ONE_OF, *FILLERS, *FACETS,
})


MAX_MESSAGE = 300  # characters of a parser message kept in ParseError / ParseWarning


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    """One printable line of at most `limit` characters: parser messages may quote huge input."""
    text = "".join(ch if ch.isprintable() else " " for ch in text[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_bnode(term: object) -> bool:
    """Terms are plain strings: a blank node is "_:" + its id, anything else an IRI."""
    return isinstance(term, str) and term.startswith("_:")


def is_iri(term: object) -> bool:
    return isinstance(term, str) and not term.startswith("_:")
