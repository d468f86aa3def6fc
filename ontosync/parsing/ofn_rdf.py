"""OWL 2's mapping to RDF of one functional-syntax axiom whose triples need blank nodes.

Why: a Turtle file's readers' layer holds every triple, so `SubClassOf(:A ObjectAllValuesFrom(:p :C))`,
`EquivalentClasses(:D ObjectIntersectionOf(:A :B))`, `DisjointUnion`, `HasKey`, n-ary
`DisjointClasses` (`owl:AllDisjointClasses`), `ObjectPropertyChain`, a SWRL rule and an annotated axiom's
`owl:Axiom` reification reach `statements` (OAK's `owl_all_values_from`, `owl_equivalent_class`,
`relationships`, axiom annotations) from Turtle, and reached nothing from the same ontology in an
`.ofn` file (docs/decisions.md, "One ontology, one set of rows"). `Graph` writes the triples OWL 2's
mapping gives an axiom (W3C "OWL 2 Mapping to RDF Graphs", tables 1 to 3 and section 2.3), with its
blank nodes named `_:<key>_<n>`, `key` a hash of the axiom's canonical text, so the names are a
function of the axiom and not of its place in the file (an edit elsewhere renames nothing); an
anonymous individual `_:x` is `_:a_x`, one node for the file. parsing/ofn.py notes the rows
(`rdf_graph`: [stanza, subject, predicate, object, value, datatype, language], full IRIs) on the
axiom's row, and store/semsql_ofn.py writes them, each blank node prefixed with the file's token.
Only what no other note writes goes in: the one-triple axioms between named terms keep their
notes (parsing/ofn_triples.py) and add their reification only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from ontosync.parsing.ofn_triples import CHARACTERISTICS, DECLARED, PAIRS, RDF_TYPE, Literal
from ontosync.parsing.rdf_statements import hung_from
from ontosync.parsing.rdf_vocab import OWL, RDF, RDFS, XSD, XSD_STRING, count_text

Term = str | Literal
_CLASS, _DATATYPE, _RESTRICTION = OWL + "Class", RDFS + "Datatype", OWL + "Restriction"

# constructor -> (rdf:type of its node, predicate of its list of operands)
_LISTS = {
    "ObjectIntersectionOf": (_CLASS, OWL + "intersectionOf"), "ObjectUnionOf": (_CLASS, OWL + "unionOf"),
    "ObjectOneOf": (_CLASS, OWL + "oneOf"), "DataIntersectionOf": (_DATATYPE, OWL + "intersectionOf"),
    "DataUnionOf": (_DATATYPE, OWL + "unionOf"), "DataOneOf": (_DATATYPE, OWL + "oneOf"),
}
# restriction -> predicate of its filler (the second argument)
_FILLERS = {
    "ObjectSomeValuesFrom": OWL + "someValuesFrom", "ObjectAllValuesFrom": OWL + "allValuesFrom",
    "ObjectHasValue": OWL + "hasValue", "DataSomeValuesFrom": OWL + "someValuesFrom",
    "DataAllValuesFrom": OWL + "allValuesFrom", "DataHasValue": OWL + "hasValue",
}
# cardinality -> (unqualified predicate, qualified predicate, predicate of the qualifier)
_CARDINALITIES = {
    f"{kind}{bound}Cardinality": (OWL + plain, OWL + qualified, OWL + on)
    for kind, on in (("Object", "onClass"), ("Data", "onDataRange"))
    for bound, plain, qualified in (("Min", "minCardinality", "minQualifiedCardinality"),
                                    ("Max", "maxCardinality", "maxQualifiedCardinality"),
                                    ("Exact", "cardinality", "qualifiedCardinality"))
}
# axiom -> predicate between consecutive arguments (n-ary: the chain C1 C2, C2 C3, ...)
_CHAINS = {
    "SubClassOf": RDFS + "subClassOf", "EquivalentClasses": OWL + "equivalentClass",
    **{h: PAIRS[h] for h in ("SubObjectPropertyOf", "SubDataPropertyOf", "SubAnnotationPropertyOf",
                             "EquivalentObjectProperties", "EquivalentDataProperties", "InverseObjectProperties",
                             "SameIndividual")},
    "DatatypeDefinition": OWL + "equivalentClass",
    "ObjectPropertyDomain": RDFS + "domain", "DataPropertyDomain": RDFS + "domain",
    "AnnotationPropertyDomain": RDFS + "domain", "ObjectPropertyRange": RDFS + "range",
    "DataPropertyRange": RDFS + "range", "AnnotationPropertyRange": RDFS + "range",
}
# n-ary axiom -> (its predicate between two arguments, the type of its node for more, the list's predicate)
_NARY = {
    "DisjointClasses": (OWL + "disjointWith", OWL + "AllDisjointClasses"),
    "DisjointObjectProperties": (PAIRS["DisjointObjectProperties"], OWL + "AllDisjointProperties"),
    "DisjointDataProperties": (PAIRS["DisjointDataProperties"], OWL + "AllDisjointProperties"),
    "DifferentIndividuals": (PAIRS["DifferentIndividuals"], OWL + "AllDifferent"),
}
_DECLARED = {"Class": _CLASS, "ObjectProperty": OWL + "ObjectProperty", "DataProperty": OWL + "DatatypeProperty",
             "AnnotationProperty": OWL + "AnnotationProperty", **DECLARED}
_NEGATIVE = {"NegativeObjectPropertyAssertion": OWL + "targetIndividual",
             "NegativeDataPropertyAssertion": OWL + "targetValue"}
Target = tuple[str, str, Term] | str  # a main triple, or the main node of an axiom typed as one
SWRL = "http://www.w3.org/2003/11/swrl#"
# a rule's atom -> (its type, the predicate of its first argument when that is no individual or value)
_ATOMS = {"ClassAtom": ("ClassAtom", "classPredicate"), "DataRangeAtom": ("DataRangeAtom", "dataRange"),
          "ObjectPropertyAtom": ("IndividualPropertyAtom", "propertyPredicate"),
          "DataPropertyAtom": ("DatavaluedPropertyAtom", "propertyPredicate"),
          "SameIndividualAtom": ("SameIndividualAtom", None),
          "DifferentIndividualsAtom": ("DifferentIndividualsAtom", None), "BuiltInAtom": ("BuiltinAtom", "builtin")}


# the notes of an axiom whose main triples another note writes (parsing/ofn_triples.py, parsing/ofn.py)
_WRITTEN = ("rdf_subject", "rdf_predicate", "on_property", "deprecated", "migration")


def note(iri: Callable[[Any], str | None], literal: Callable[[Any], Literal | None], head: str, args: list,
         annotations: list, full: str, notes: dict) -> list[list[str | None]]:
    """The `rdf_graph` note of axiom `head(args)` whose row has `notes`: its triples when no note
    writes them (an annotation assertion's, a named subclass's are written), and its annotations';
    [] for an axiom the mapping has no RDF for."""
    written = head == "Declaration" or any(k in notes for k in _WRITTEN) or (
        head == "SubClassOf" and all(iri(a) for a in args)) or (
        head == "AnnotationAssertion" and not any((iri(a) or "").startswith("_:") for a in args))
    if written and not annotations:
        return []
    graph = Graph(iri, literal, blank_key(full))
    try:
        targets = graph.axiom(head, args)
        if written:
            graph.triples.clear()
        graph.annotate(targets, annotations)
    except (Unmapped, IndexError):  # IndexError: a construct without its arguments (`Class()`), read as written
        return []
    return graph.rows()


def annotation_note(iri: Callable[[Any], str | None], literal: Callable[[Any], Literal | None], subject: str,
                    node: Any, text: str, written: bool) -> list[list[str | None]]:
    """The rows of `Annotation(...)` on `subject` (an ontology annotation: the ontology) that its
    note (`written`: its one triple) does not give: the triple, when its value is an anonymous
    individual, and the `owl:Annotation` of each of its own annotations (OWL 2's mapping, section 2.3.2)."""
    graph = Graph(iri, literal, blank_key(text))
    try:
        graph._annotation(subject, node)
    except (Unmapped, IndexError):
        return []
    return graph.rows()[1:] if written else graph.rows()  # its first row is the annotation's own triple


def bound_note(iri: Callable[[Any], str | None], literal: Callable[[Any], Literal | None], head: str, args: list,
               annotations: list, full: str) -> tuple[list, list]:
    """A domain or range axiom's rows, and its annotations' alone (for the one its property's column
    gives: `unwritten`): `note`'s of the axiom as no note writes it, and as its row writes it, from
    one mapping (the axiom was mapped once for each)."""
    graph = Graph(iri, literal, blank_key(full))
    try:
        targets = graph.axiom(head, args)
        own = len(graph.triples)
        graph.annotate(targets, annotations)
    except (Unmapped, IndexError):  # as `note`: read as written
        return [], []
    return graph.rows(), graph.rows(graph.triples[own:]) if annotations else []


def unwritten(rows_by_value: dict[str, list[tuple[list, list]]], column: str | None) -> list:
    """The rows of a property's domains (or ranges) that its column's row does not give: store/semsql_rows
    writes the column when it is one IRI (one named domain: its axioms' annotations' rows only); several
    domains' column is their intersection and an expression's its text, where Turtle has each
    `rdfs:domain` triple. Each value has each of its axioms' notes: two axioms of one domain
    annotated differently are two `owl:Axiom`s, as in Turtle."""
    plain = column is not None and " " not in column and "(" not in column
    return [row for value, noted in rows_by_value.items() for rows, annotations in noted
            for row in (annotations if plain and value == column else rows)]


def hang(saved: list[list], axioms: list) -> None:
    """Each row of an anonymous individual `_:a_x` (and of the nodes hanging from it) given, as its
    stanza, the named subject `_:a_x` hangs from across the file, as an RDF file's rows have it
    (rdf_statements.hung_from, over each row's stanza and object): `Graph.rows` hangs a node within
    its axiom only, and `_:x` is one node of the file (`:i :p _:x` in one axiom, `_:x`'s own rows in
    others). So is an anonymous ontology's `_:o_<n>` (parsing/ofn_header.py), which an annotated
    ontology annotation's `owl:Annotation` points at. The rows (`saved`, and the axioms' `rdf_graph`)
    are changed in place."""
    graphs = [saved, *(a.annotations["rdf_graph"] for a in axioms if "rdf_graph" in (a.annotations or {}))]
    top = hung_from([(row[0], None, row[3]) for rows in graphs for row in rows
                    if (row[3] or "").startswith(("_:a_", "_:o_"))])
    for rows in graphs if top else ():
        for row in rows:
            row[0] = top.get(row[0], row[0])


class Unmapped(Exception):
    """A part the mapping has no RDF for here (a number where a literal belongs, an atom of no kind): the axiom
    keeps its row, without a graph, as before."""


def blank_key(text: str) -> str:
    """The blank-node key of an axiom: its canonical text's hash, 16 hex digits (64 bits: two of a
    file's 100,000 such axioms share one with odds of 1 in 10^9; 32 bits made it likely, and their
    nodes would merge)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


class Graph:
    """The triples of one axiom. `iri(item)` is an atom's full IRI (None for anything else),
    `literal(item)` a literal atom's (text, datatype, language) (None otherwise)."""

    def __init__(self, iri: Callable[[Any], str | None], literal: Callable[[Any], Literal | None], key: str) -> None:
        self.iri, self.literal, self.key = iri, literal, key
        self.triples: list[tuple[str, str, Term]] = []
        self.blanks = 0

    def node(self) -> str:
        self.blanks += 1
        return f"_:{self.key}_{self.blanks}"

    def add(self, s: str, p: str, o: Term) -> None:
        self.triples.append((s, p, o))

    # -- terms ------------------------------------------------------------------------------------------
    def term(self, item) -> str:
        """An entity's IRI, an anonymous individual's node, or a class expression's / data range's node."""
        iri = self.iri(item)
        if iri is not None:
            return "_:a_" + iri[2:] if iri.startswith("_:") else iri
        if getattr(item, "head", None) is None or not hasattr(item, "args"):
            raise Unmapped("not a term")
        return self._expression(item.head, item.args)

    def value(self, item) -> Term:
        """A literal, or a term."""
        literal = self.literal(item)
        return literal if literal is not None else self.term(item)

    def _annotation_value(self, item) -> Term:
        """An annotation's value: a literal, an IRI or an anonymous individual, never an expression."""
        if getattr(item, "head", None) is not None or hasattr(item, "args"):
            raise Unmapped("an expression as an annotation's value")
        return self.value(item)

    def seq(self, items: list, value: Callable[[Any], Term] | None = None) -> str:
        """An RDF list of `items` (terms or literals; `value` their nodes, already made), built from its
        end: each cell's node before its item's (the blank nodes' numbers, so their names, follow it)."""
        head = RDF + "nil"
        for item in reversed(items):
            cell = self.node()
            self.triples.append((cell, RDF + "rest", head))
            self.triples.append((cell, RDF + "first", (value or self.value)(item)))
            head = cell
        return head

    def _expression(self, head: str, args: list) -> str:
        if head == "ObjectInverseOf" and len(args) == 1:
            x = self.node()
            self.add(x, OWL + "inverseOf", self.term(args[0]))
            return x
        x = self.node()
        if head in _LISTS:
            kind, pred = _LISTS[head]
            self.add(x, RDF_TYPE, kind)
            self.add(x, pred, self.seq(args))
        elif head in ("ObjectComplementOf", "DataComplementOf") and len(args) == 1:
            self.add(x, RDF_TYPE, _CLASS if head == "ObjectComplementOf" else _DATATYPE)
            self.add(x, OWL + ("complementOf" if head == "ObjectComplementOf" else "datatypeComplementOf"),
                     self.term(args[0]))
        elif head in _FILLERS and len(args) >= 2:
            self._restriction(x, args[:-1])
            self.add(x, _FILLERS[head], self.value(args[-1]))
        elif head == "ObjectHasSelf" and len(args) == 1:
            self._restriction(x, args)
            self.add(x, OWL + "hasSelf", ("true", XSD + "boolean", None))
        elif head in _CARDINALITIES and len(args) in (2, 3):
            self._cardinality(x, head, args)
        elif head == "DatatypeRestriction" and len(args) % 2 == 1:
            self.add(x, RDF_TYPE, _DATATYPE)
            self.add(x, OWL + "onDatatype", self.term(args[0]))
            facets = []
            for facet, value in zip(args[1::2], args[2::2], strict=True):
                y = self.node()
                self.add(y, self._named(facet), self.value(value))
                facets.append(y)
            self.add(x, OWL + "withRestrictions", self.seq(facets, str))
        else:
            raise Unmapped(head)
        return x

    def _restriction(self, x: str, props: list) -> None:
        self.add(x, RDF_TYPE, _RESTRICTION)
        if len(props) == 1:
            self.add(x, OWL + "onProperty", self.term(props[0]))
        else:  # n-ary data restriction
            self.add(x, OWL + "onProperties", self.seq(props))

    def _cardinality(self, x: str, head: str, args: list) -> None:
        count = count_text(getattr(args[0], "text", ""))
        if count is None:
            raise Unmapped("cardinality")
        plain, qualified, on = _CARDINALITIES[head]
        self._restriction(x, args[1:2])
        number = (count, XSD + "nonNegativeInteger", None)
        if len(args) == 3:
            self.add(x, qualified, number)
            self.add(x, on, self.term(args[2]))
        else:
            self.add(x, plain, number)

    def _named(self, item) -> str:
        iri = self.iri(item)
        if iri is None or iri.startswith("_:"):
            raise Unmapped("not an IRI")
        return iri

    # -- axioms -----------------------------------------------------------------------------------------
    def axiom(self, head: str, args: list) -> list[Target]:
        """The axiom's triples; returns what its annotations annotate (section 2.3.2)."""
        if head in _CHAINS:
            return self._chain(head, args)
        if head in _NARY:
            two, kind = _NARY[head]
            if len(args) == 2:
                return self._main(self.term(args[0]), two, self.term(args[1]))
            x = self.node()
            self.add(x, RDF_TYPE, kind)
            self.add(x, OWL + "members", self.seq(args))
            return [x]
        if head == "DLSafeRule":
            return [self._rule(args)]
        if head in _NEGATIVE and len(args) == 3:
            x = self.node()
            self.add(x, RDF_TYPE, OWL + "NegativePropertyAssertion")
            self.add(x, OWL + "sourceIndividual", self.term(args[1]))
            self.add(x, OWL + "assertionProperty", self.term(args[0]))
            self.add(x, _NEGATIVE[head], self.value(args[2]))
            return [x]
        return self._single(head, args)

    def _single(self, head: str, args: list) -> list[Target]:
        """The axioms whose main triple is one triple of another shape."""
        if head in CHARACTERISTICS:
            return self._main(self.term(args[0]), RDF_TYPE, CHARACTERISTICS[head])
        if head == "DisjointUnion":
            return self._main(self.term(args[0]), OWL + "disjointUnionOf", self.seq(args[1:]))
        if head == "HasKey":
            props = [p for group in args[1:] for p in (group.args if getattr(group, "head", 1) is None else [group])]
            return self._main(self.term(args[0]), OWL + "hasKey", self.seq(props))
        if head == "ClassAssertion":
            return self._main(self.term(args[1]), RDF_TYPE, self.term(args[0]))
        if head in ("ObjectPropertyAssertion", "DataPropertyAssertion"):
            prop = args[0]
            if getattr(prop, "head", None) == "ObjectInverseOf" and len(prop.args) == 1:  # a1 P- a2 is a2 P a1
                return self._main(self.term(args[2]), self._named(prop.args[0]), self.term(args[1]))
            return self._main(self.term(args[1]), self._named(prop), self.value(args[2]))
        if head == "AnnotationAssertion":
            return self._main(self.term(args[1]), self._named(args[0]), self._annotation_value(args[2]))
        if head == "Declaration" and getattr(args[0], "head", None) in _DECLARED:
            return self._main(self._named(args[0].args[0]), RDF_TYPE, _DECLARED[args[0].head])
        raise Unmapped(head)

    # -- rules: the SWRL submission's RDF, as the OWL API (Protégé) writes it ------------------------------
    def _rule(self, args: list) -> str:
        """`DLSafeRule(Body(...) Head(...))`: a `swrl:Imp` node with its `swrl:body` and `swrl:head`,
        each a list whose cells are typed `swrl:AtomList` (the OWL API's; the submission's own example
        writes a plain collection). Its annotations go on that node, as the OWL API writes them."""
        x = self.node()
        self.add(x, RDF_TYPE, SWRL + "Imp")
        for part in args:
            if getattr(part, "head", None) not in ("Body", "Head"):
                raise Unmapped("DLSafeRule")
            head = RDF + "nil"
            for atom in reversed(part.args):
                cell = self.node()
                self.add(cell, RDF_TYPE, SWRL + "AtomList")
                self.add(cell, RDF + "rest", head)
                self.add(cell, RDF + "first", self._atom(atom))
                head = cell
            self.add(x, SWRL + part.head.lower(), head)
        return x

    def _atom(self, atom) -> str:
        kind, first = _ATOMS.get(getattr(atom, "head", None) or "", (None, None))
        if kind is None:
            raise Unmapped("atom")
        y, args = self.node(), atom.args
        self.add(y, RDF_TYPE, SWRL + kind)
        if first:
            self.add(y, SWRL + first, self._named(args[0]) if kind == "BuiltinAtom" else self.term(args[0]))
            args = args[1:]
        if kind == "BuiltinAtom":
            self.add(y, SWRL + "arguments", self.seq(args, self._argument))
        else:
            for n, arg in enumerate(args, start=1):
                self.add(y, SWRL + f"argument{n}", self._argument(arg))
        return y

    def _argument(self, item) -> Term:
        """A variable (`Variable(v)`: `v`, typed `swrl:Variable`), an individual or a literal."""
        if getattr(item, "head", None) == "Variable" and len(item.args) == 1:
            variable = self._named(item.args[0])
            self.add(variable, RDF_TYPE, SWRL + "Variable")
            return variable
        return self.value(item)

    def _chain(self, head: str, args: list) -> list[Target]:
        pred = _CHAINS[head]
        if head == "SubObjectPropertyOf" and getattr(args[0], "head", None) == "ObjectPropertyChain":
            return self._main(self.term(args[1]), OWL + "propertyChainAxiom", self.seq(args[0].args))
        terms = [self.term(a) for a in args]
        targets: list[Target] = []
        for s, o in pairwise(terms):
            targets += self._main(s, pred, o)  # type: ignore[arg-type]
        return targets

    def _main(self, s: str, p: str, o: Term) -> list[Target]:
        self.add(s, p, o)
        return [(s, p, o)]

    def annotate(self, targets: list[Target], annotations: list) -> None:
        """Each annotation of the axiom: on its node, or on an `owl:Axiom` reifying each main triple."""
        for target in targets if annotations else ():
            if isinstance(target, str):
                subject = target
            else:
                subject = self.node()
                self._reify(subject, OWL + "Axiom", target)
            for annotation in annotations:
                self._annotation(subject, annotation)

    def _reify(self, x: str, kind: str, target: tuple[str, str, Term]) -> None:
        s, p, o = target
        self.add(x, RDF_TYPE, kind)
        self.add(x, OWL + "annotatedSource", s)
        self.add(x, OWL + "annotatedProperty", p)
        self.add(x, OWL + "annotatedTarget", o)

    def _annotation(self, subject: str, node) -> None:
        """`Annotation(P v)` on `subject`; its own annotations on an `owl:Annotation` node."""
        inner = [a for a in node.args if getattr(a, "head", None) == "Annotation"]
        plain = [a for a in node.args if getattr(a, "head", None) != "Annotation"]
        if len(plain) != 2:
            raise Unmapped("Annotation")
        triple = (subject, self._named(plain[0]), self._annotation_value(plain[1]))
        self.add(*triple)
        if inner:
            x = self.node()
            self._reify(x, OWL + "Annotation", triple)
            for annotation in inner:
                self._annotation(x, annotation)

    # -- rows -------------------------------------------------------------------------------------------
    def rows(self, triples: list[tuple[str, str, Term]] | None = None) -> list[list[str | None]]:
        """[stanza, subject, predicate, object, value, datatype, language] per distinct triple (of
        `triples`, some of the graph's; all by default), as an RDF file's rows hold them
        (rdf_statements.extract): the stanza the named subject a blank node hangs from, a plain or
        `xsd:string` literal without datatype."""
        triples = self.triples if triples is None else triples
        top = hung_from(t for t in triples if isinstance(t[2], str))  # linear: a list's cells chain
        out: dict[tuple, None] = {}
        for s, p, o in triples:
            stanza = top.get(s, s)
            if isinstance(o, str):
                out[(stanza, s, p, o, None, None, None)] = None
            else:
                text, dt, lang = o
                out[(stanza, s, p, None, text, None if lang or dt in (None, XSD_STRING) else dt, lang)] = None
        return [list(r) for r in out]
