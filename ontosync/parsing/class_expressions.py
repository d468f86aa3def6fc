"""Class expressions and data ranges, from RDF's blank-node encoding to OWL functional syntax.

The quads of one document are first streamed into an `Index` (subject -> predicate -> objects, for
the predicates the extraction reads only), then `Renderer` turns a blank node into text such as
`ObjectSomeValuesFrom(<p> <C>)`. Rendering is iterative (an explicit stack, no recursion), bounded in
depth and size, and picks the form for each node from rule tables rather than one long branch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar

import pyoxigraph as ox

from ontosync.parsing.annotation_notes import quoted
from ontosync.parsing.rdf_vocab import (
    BUILTIN_DATATYPES,
    CARDINALITIES,
    FACETS,
    FILLERS,
    KEEP,
    OWL_ALL,
    OWL_COMPLEMENT_OF,
    OWL_DATATYPE_COMPLEMENT_OF,
    OWL_HAS_SELF,
    OWL_HAS_VALUE,
    OWL_INTERSECTION_OF,
    OWL_INVERSE_OF,
    OWL_ON_CLASS,
    OWL_ON_DATA_RANGE,
    OWL_ON_DATATYPE,
    OWL_ON_PROPERTIES,
    OWL_ON_PROPERTY,
    OWL_ONE_OF,
    OWL_SOME,
    OWL_UNION_OF,
    OWL_WITH_RESTRICTIONS,
    RDF_FIRST,
    RDF_NIL,
    RDF_REST,
    RDF_TYPE,
    RDFS_DATATYPE,
    XSD,
    count_text,
    is_bnode,
    is_iri,
)

MAX_EXPR_DEPTH = 64  # nesting of one class expression
MAX_EXPR_CHARS = 100_000  # rendered text of one class expression
MAX_LIST = 10_000  # members of one RDF list


class Unrenderable(Exception):
    """A class expression that cannot be rendered; the reason never names blank node ids."""


class Index:
    """subject -> predicate -> [objects], for the predicates in KEEP only.

    Subjects and IRI/blank-node objects are strings; literal objects stay pyoxigraph `Literal`s
    (value, language and datatype are read lazily). Triple terms (RDF 1.2) are ignored. Quads of
    every graph are merged (a JSON-LD ontology is often wrapped in a named graph).
    """

    __slots__ = ("aside", "props")

    def __init__(self) -> None:
        self.props: dict[str, dict[str, list[Any]]] = {}
        self.aside: list[ox.Quad] = []  # the quads of `build`'s `aside` predicates, in file order

    @classmethod
    def build(cls, quads: Iterable[ox.Quad], aside: frozenset[str] = frozenset()) -> Index:
        """The index; the quads whose predicate is in `aside` (and not KEEP) are put aside in
        file order, found by the walk the index makes anyway (rdf_statements.synonyms)."""
        index = cls()
        props = index.props
        keep = KEEP
        put_aside = index.aside.append
        named, blank, literal = ox.NamedNode, ox.BlankNode, ox.Literal
        for quad in quads:
            pred = quad.predicate.value
            if pred not in keep:
                if pred in aside:
                    put_aside(quad)
                continue
            subj = quad.subject
            kind = type(subj)
            if kind is named:
                skey = subj.value
            elif kind is blank:
                skey = "_:" + subj.value
            else:
                continue
            obj = quad.object
            kind = type(obj)
            if kind is named:
                oval: Any = obj.value
            elif kind is blank:
                oval = "_:" + obj.value
            elif kind is literal:
                oval = obj
            else:
                continue
            by_pred = props.get(skey)
            if by_pred is None:
                props[skey] = {pred: [oval]}
            else:
                values = by_pred.get(pred)
                if values is None:
                    by_pred[pred] = [oval]
                else:
                    values.append(oval)
        return index

    def get(self, subject: str, pred: str) -> list[Any]:
        return self.props.get(subject, {}).get(pred, [])

    def types(self, subject: str) -> set[str]:
        return {t for t in self.get(subject, RDF_TYPE) if isinstance(t, str)}

    def subjects_with(self, pred: str) -> Iterator[tuple[str, list[Any]]]:
        for subject, by_pred in self.props.items():
            values = by_pred.get(pred)
            if values:
                yield subject, values


def render_literal(lit: ox.Literal, languages: dict[str, str] | None = None) -> str:
    """A literal in functional syntax (annotation_notes.quoted writes it); `languages`: tags as the
    file writes them (language_tags.py)."""
    language = (languages or {}).get(lit.language, lit.language) if lit.language else None
    return quoted(lit.value, language, lit.datatype.value)


class Renderer:
    """Class expressions and data ranges (blank nodes) to OWL functional syntax with full IRIs.

    Iterative (an explicit stack, no recursion), bounded in depth and output size, memoised per
    (node, context) so shared sub-expressions are rendered once. A blank node in a place where an
    expression cannot be (a cycle, an anonymous individual, two fillers in one restriction) raises
    `Unrenderable`; the caller skips that one axiom with a warning.
    """

    def __init__(self, index: Index, data_properties: set[str], datatypes: set[str]) -> None:
        self.index = index
        self.data_properties = data_properties
        self.datatypes = datatypes
        self.memo: dict[tuple[str, str], str] = {}
        self.languages: dict[str, str] = {}  # language tags as written (parsing/language_tags.py)

    # -- public

    def render(self, term: Any, ctx: str = "class") -> str:
        """`ctx` is "class" (class expression) or "data" (data range)."""
        if not is_bnode(term):
            return self._leaf(term)
        root = (term, ctx)
        if root in self.memo:
            return self.memo[root]
        specs: dict[tuple[str, str], tuple[str, list[Any]]] = {}
        path: set[tuple[str, str]] = set()
        stack = [root]
        while stack:
            key = stack[-1]
            if key in self.memo:
                stack.pop()
                continue
            spec = specs.get(key)
            if spec is None:
                if len(path) >= MAX_EXPR_DEPTH:
                    raise Unrenderable(f"class expression nested more than {MAX_EXPR_DEPTH} deep")
                spec = specs[key] = self._spec(*key)
                path.add(key)
                pending = [p for p in spec[1] if isinstance(p, tuple) and is_bnode(p[0]) and p not in self.memo]
                if pending:
                    if any(p in path for p in pending):
                        raise Unrenderable("cyclic class expression")
                    stack.extend(reversed(pending))
                    continue
            head, parts = spec
            pieces = [p if isinstance(p, str) else (self.memo[p] if is_bnode(p[0]) else self._leaf(p[0]))
                      for p in parts]
            text = f"{head}({' '.join(pieces)})"
            if len(text) > MAX_EXPR_CHARS:
                raise Unrenderable(f"class expression longer than {MAX_EXPR_CHARS} characters")
            self.memo[key] = text
            path.discard(key)
            stack.pop()
        return self.memo[root]

    def is_data_range(self, term: Any) -> bool:
        if isinstance(term, ox.Literal) or term is None:
            return False
        if is_iri(term):
            return term.startswith(XSD) or term in BUILTIN_DATATYPES or term in self.datatypes
        by_pred = self.index.props.get(term, {})
        return (RDFS_DATATYPE in self.index.types(term) or OWL_ON_DATATYPE in by_pred
                or OWL_DATATYPE_COMPLEMENT_OF in by_pred)

    # -- internals

    @staticmethod
    def _leaf(term: Any) -> str:
        if is_iri(term):
            return f"<{term}>"
        raise Unrenderable("a literal where a class or datatype is expected")

    def one(self, node: str, pred: str) -> Any:
        values = self.index.get(node, pred)
        if not values:
            return None
        if len(set(values)) > 1:
            raise Unrenderable(f"several values of <{pred}> in one expression")
        return values[0]

    def members(self, head: Any) -> list[Any]:
        items: list[Any] = []
        seen: set[str] = set()
        node = head
        while node != RDF_NIL:
            if not is_bnode(node) or node in seen:
                raise Unrenderable("malformed RDF list")
            seen.add(node)
            if len(items) >= MAX_LIST:
                raise Unrenderable(f"RDF list longer than {MAX_LIST} items")
            first, rest = self.one(node, RDF_FIRST), self.one(node, RDF_REST)
            if first is None or rest is None:
                raise Unrenderable("malformed RDF list")
            items.append(first)
            node = rest
        return items

    def _individual(self, term: Any) -> str:
        if is_iri(term):
            return f"<{term}>"
        if isinstance(term, ox.Literal):
            raise Unrenderable("a literal where an individual is expected")
        raise Unrenderable("anonymous individual (blank node) in a class expression")

    def _literal(self, term: Any) -> str:
        if isinstance(term, ox.Literal):
            return render_literal(term, self.languages)
        raise Unrenderable("a non-literal where a literal is expected")

    def _spec(self, node: str, ctx: str) -> tuple[str, list[Any]]:
        """(functional-syntax head, parts): parts are rendered text or (term, ctx) to render.

        The predicate of `_FORMS[ctx]` the node has decides its form. A node with two (or a form
        beside a restriction) is no one expression: reading the first one found stated an axiom the
        file does not."""
        by_pred = self.index.props.get(node, {})
        if ctx == "class" and self.is_data_range(node):
            ctx = "data"
        forms = [form for form in self._FORMS[ctx] if form[0] in by_pred]
        restriction = ctx == "class" and (OWL_ON_PROPERTY in by_pred or OWL_ON_PROPERTIES in by_pred)
        if len(forms) + restriction > 1:
            raise Unrenderable("blank node with several class expression forms (owl:intersectionOf, owl:unionOf, ...)")
        if restriction:
            return self._restriction(node, by_pred)
        if forms:
            pred, head, parts = forms[0]
            return head, parts(self, node, pred, ctx)
        raise Unrenderable(f"blank node that is not a {_WHAT[ctx]}")

    # -- the parts of each form: (node, the predicate that chose the form, ctx) -> parts

    def _operands(self, node: str, pred: str, ctx: str) -> list[Any]:
        return [(m, ctx) for m in self.members(self.one(node, pred))]

    def _operand(self, node: str, pred: str, ctx: str) -> list[Any]:
        return [(self.one(node, pred), ctx)]

    def _individuals(self, node: str, pred: str, ctx: str) -> list[Any]:
        return [self._individual(m) for m in self.members(self.one(node, pred))]

    def _literals(self, node: str, pred: str, ctx: str) -> list[Any]:
        return [self._literal(m) for m in self.members(self.one(node, pred))]

    def _facets(self, node: str, pred: str, ctx: str) -> list[Any]:
        parts: list[Any] = [(self.one(node, pred), "data")]
        for facet_node in self.members(self.one(node, OWL_WITH_RESTRICTIONS) or RDF_NIL):
            facets = [p for p in self.index.props.get(facet_node, {}) if p in FACETS]
            if len(facets) != 1:
                raise Unrenderable("malformed datatype restriction")
            parts += [f"<{facets[0]}>", self._literal(self.one(facet_node, facets[0]))]
        return parts

    _FORMS: ClassVar[dict[str, tuple[tuple[str, str, Callable[..., list[Any]]], ...]]] = {
        "class": (
            (OWL_INTERSECTION_OF, "ObjectIntersectionOf", _operands),
            (OWL_UNION_OF, "ObjectUnionOf", _operands),
            (OWL_COMPLEMENT_OF, "ObjectComplementOf", _operand),
            (OWL_ONE_OF, "ObjectOneOf", _individuals),
        ),
        "data": (
            (OWL_INTERSECTION_OF, "DataIntersectionOf", _operands),
            (OWL_UNION_OF, "DataUnionOf", _operands),
            (OWL_DATATYPE_COMPLEMENT_OF, "DataComplementOf", _operand),
            (OWL_ONE_OF, "DataOneOf", _literals),
            (OWL_ON_DATATYPE, "DatatypeRestriction", _facets),
        ),
    }

    # -- restrictions

    def _restriction(self, node: str, by_pred: dict[str, list[Any]]) -> tuple[str, list[Any]]:
        prop_text, is_data = self._restricted_property(node)
        kinds = [p for p in FILLERS if p in by_pred]
        if len(kinds) != 1:
            raise Unrenderable("restriction without exactly one kind (someValuesFrom, cardinality, ...)")
        kind = kinds[0]
        value = self.one(node, kind)
        if kind in CARDINALITIES:
            return self._cardinality(node, kind, value, prop_text, is_data)
        return self._FILLER_FORMS[kind](self, kind, value, prop_text, is_data)

    def _restricted_property(self, node: str) -> tuple[str, bool]:
        """(rendered property, whether it is a data property) of a restriction."""
        prop = self.one(node, OWL_ON_PROPERTY)
        if prop is None:
            raise Unrenderable("n-ary data restriction (owl:onProperties) is not supported")
        if is_bnode(prop):
            inverse = self.one(prop, OWL_INVERSE_OF)
            if not is_iri(inverse):
                raise Unrenderable("restriction on an anonymous property")
            return f"ObjectInverseOf(<{inverse}>)", False
        if is_iri(prop):
            return f"<{prop}>", prop in self.data_properties
        raise Unrenderable("restriction on a literal")

    def _values_from(self, kind: str, value: Any, prop_text: str, is_data: bool) -> tuple[str, list[Any]]:
        is_data = is_data or self.is_data_range(value)
        name = "SomeValuesFrom" if kind == OWL_SOME else "AllValuesFrom"
        return ("Data" if is_data else "Object") + name, [prop_text, (value, "data" if is_data else "class")]

    def _has_value(self, kind: str, value: Any, prop_text: str, is_data: bool) -> tuple[str, list[Any]]:
        if isinstance(value, ox.Literal):
            return "DataHasValue", [prop_text, render_literal(value, self.languages)]
        return "ObjectHasValue", [prop_text, self._individual(value)]

    def _has_self(self, kind: str, value: Any, prop_text: str, is_data: bool) -> tuple[str, list[Any]]:
        """OWL 2's mapping reads `owl:hasSelf true` (the boolean's lexical forms, or the plain string
        a hand-written RDF/XML file gives); `false` was read as its opposite, ObjectHasSelf."""
        if not (isinstance(value, ox.Literal) and value.value.strip() in ("true", "1")
                and value.datatype.value in (XSD + "boolean", XSD + "string")):
            raise Unrenderable("owl:hasSelf that is not true")
        return "ObjectHasSelf", [prop_text]

    _FILLER_FORMS: ClassVar[dict[str, Callable[..., tuple[str, list[Any]]]]] = {
        OWL_SOME: _values_from, OWL_ALL: _values_from, OWL_HAS_VALUE: _has_value, OWL_HAS_SELF: _has_self}

    def _cardinality(self, node: str, kind: str, value: Any, prop_text: str, is_data: bool) -> tuple[str, list[Any]]:
        name, qualified = CARDINALITIES[kind]
        # xsd's lexical forms of a non-negative integer: surrounding whitespace (collapsed) and a `+` sign
        digits = value.value.strip(" \t\n\r").removeprefix("+") if isinstance(value, ox.Literal) else ""
        count = count_text(digits)
        if count is None:
            raise Unrenderable("cardinality that is not a non-negative integer")
        parts: list[Any] = [count, prop_text]
        if qualified:
            on_class, on_range = self.one(node, OWL_ON_CLASS), self.one(node, OWL_ON_DATA_RANGE)
            if (on_class is None) == (on_range is None):
                raise Unrenderable("qualified cardinality needs exactly one of owl:onClass, owl:onDataRange")
            is_data = on_range is not None
            parts.append((on_range, "data") if is_data else (on_class, "class"))
        return ("Data" if is_data else "Object") + name, parts


_WHAT = {"class": "class expression", "data": "data range"}
