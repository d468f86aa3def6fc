"""The one RDF triple of a functional-syntax axiom between named things, noted for the readers' layer.

Why: an RDF file's `statements` are its triples, so OAK and semantic-sql's views see its annotation
assertions, individuals, property characteristics and property hierarchy. A functional-syntax file
keeps those axioms as `owl_axioms` rows (parsing/ofn.py); without their triples its readers' layer
lacked them, and one ontology answered differently by syntax (docs/decisions.md, "One ontology, one
set of rows"). Each axiom that OWL 2's mapping to RDF writes as one triple between named terms
(blank nodes and lists are not noted) carries the triple in its annotations:
`rdf_subject`, `rdf_predicate`, and `rdf_object` (an IRI) or `rdf_value` with `rdf_datatype` /
`rdf_language` (a literal, as an RDF file's row holds it: `xsd:string` is no datatype);
store/semsql_ofn.py writes the row.
"""

from __future__ import annotations

from ontosync.parsing.rdf_vocab import OWL, RDF_TYPE, RDFS, XSD_STRING

# unary axioms: `P rdf:type <kind>`
CHARACTERISTICS = {
    "FunctionalObjectProperty": OWL + "FunctionalProperty",
    "FunctionalDataProperty": OWL + "FunctionalProperty",
    "InverseFunctionalObjectProperty": OWL + "InverseFunctionalProperty",
    "TransitiveObjectProperty": OWL + "TransitiveProperty",
    "SymmetricObjectProperty": OWL + "SymmetricProperty",
    "AsymmetricObjectProperty": OWL + "AsymmetricProperty",
    "ReflexiveObjectProperty": OWL + "ReflexiveProperty",
    "IrreflexiveObjectProperty": OWL + "IrreflexiveProperty",
}
# two named arguments: `A <predicate> B` (n-ary forms and expressions map to blank nodes: not noted)
PAIRS = {
    "InverseObjectProperties": OWL + "inverseOf",
    "SubObjectPropertyOf": RDFS + "subPropertyOf",
    "SubDataPropertyOf": RDFS + "subPropertyOf",
    "SubAnnotationPropertyOf": RDFS + "subPropertyOf",
    "EquivalentObjectProperties": OWL + "equivalentProperty",
    "EquivalentDataProperties": OWL + "equivalentProperty",
    "DisjointObjectProperties": OWL + "propertyDisjointWith",
    "DisjointDataProperties": OWL + "propertyDisjointWith",
    "SameIndividual": OWL + "sameAs",
    "DifferentIndividuals": OWL + "differentFrom",
}
# Declaration(<kind>(X)) of an entity with no contract table: `X rdf:type <kind>`
DECLARED = {"NamedIndividual": OWL + "NamedIndividual", "Datatype": RDFS + "Datatype"}

Literal = tuple[str, str | None, str | None]  # text, datatype IRI, language tag


def named(iri: str | None) -> bool:
    """An IRI the layer can write as a term: not missing, not an anonymous individual `_:x`."""
    return bool(iri) and not iri.startswith("_:")


def triple(subject: str | None, predicate: str | None, obj: str | Literal | None) -> dict[str, str]:
    """The note of `subject predicate obj` (obj an IRI or a Literal); {} when a part is not named."""
    if not (named(subject) and named(predicate)) or obj is None:
        return {}
    note = {"rdf_subject": subject, "rdf_predicate": predicate}
    if isinstance(obj, str):
        if not named(obj):
            return {}
        note["rdf_object"] = obj
        return note
    text, datatype, language = obj
    note["rdf_value"] = text
    if datatype and datatype != XSD_STRING and not language:  # a tagged one's is rdf:langString: none, as RDF's
        note["rdf_datatype"] = datatype
    if language:
        note["rdf_language"] = language
    return note


def axiom_note(head: str, terms: list[str | Literal | None]) -> dict[str, str]:
    """The note of an axiom `head(terms...)`, each term its full IRI, a Literal, or None (an
    expression or anything else); {} when the axiom is not one triple between named terms."""
    if head in CHARACTERISTICS and len(terms) == 1 and isinstance(terms[0], str):
        return triple(terms[0], RDF_TYPE, CHARACTERISTICS[head])
    if head in PAIRS and len(terms) == 2 and all(isinstance(t, str) for t in terms):
        return triple(terms[0], PAIRS[head], terms[1])
    if head == "ClassAssertion" and len(terms) == 2 and all(isinstance(t, str) for t in terms):
        return triple(terms[1], RDF_TYPE, terms[0])
    if head in ("ObjectPropertyAssertion", "DataPropertyAssertion") and len(terms) == 3:
        prop, subject, obj = terms
        if isinstance(prop, str) and isinstance(subject, str):
            return triple(subject, prop, obj)
    return {}

