"""OWL Functional Syntax, as written by people: strict OFN plus the dialect found in Logseq pages.

Used for `.ofn` files (`parse_ofn_document`) and for the ```` ```clojure ```` / ```` ```owl ```` fences
of Logseq pages (`parse_ofn_text`, called by `ontosync.parsing.logseq_fences`).

Why a hand-written reader: of the 506 such fences in the measured graph only 77 are strict OFN.
The rest mix in Lisp habits (the fences are tagged `clojure`), leave prefixes undeclared, drop a
parenthesis or hold prose. A strict parser rejects the whole fence at the first slip; this one
recovers axiom by axiom and reports what it could not read as a warning with the line number.

Dialect rules (README-ready):

* Comments: `#` and `;` (so `;;`) start a comment that runs to the end of the line, outside IRIs
  and strings.
* Two spellings of every construct are accepted and mean the same: functional `Head(arg ...)` and
  Lisp `(Head arg ...)`. In a parenthesis that is not a functional call, a leading bare keyword is
  the head; `(Declaration (Class :X))` equals `Declaration(Class(:X))`.
* Prefixes: `Prefix(p:=<ns>)` in the text (fence-local in a page, document-wide in `.ofn`) wins, then the namespace
  table (`ParseOptions.namespaces`), then a few well-known W3C / Dublin Core prefixes (`dct`, `xml`). The empty prefix
  `:` with no declaration expands to the namespace of the page's class (`subject_hint`: its IRI up to the last `#`,
  `/` or `:`), so `:Adas` on a page whose class is `mv:ADAS` is `http://narrativegoldmine.com/metaverse#Adas`; on a
  page whose class was minted (no `owl:class`), `:Local` is minted like the page name `Local` (`page_namespace` +
  `local`, lower-cased), so it meets `[[Local]]` links and the page itself. In a `.ofn` document an undeclared `:` is
  an undeclared prefix, which gives one `undeclared-prefix` warning per prefix and text; the name is then kept as
  written (`p:local` is itself an absolute IRI with scheme `p`), so the axiom is not lost.
* Recovery: the text is read as a sequence of top-level forms (inside `Ontology(...)`, its axioms are top-level forms
  too). A form that cannot be read (unknown axiom type, wrong number of arguments, a bare word where an IRI belongs or
  a relative `<IRI>`, unbalanced parentheses, prose) becomes one `fence-syntax` warning with its line, and reading
  resumes at the next form. A run of prose is one warning. A missing `)` is detected when a new axiom keyword starts
  inside an unfinished axiom (axioms never nest): the unfinished one is closed there and, if then complete, kept with
  a warning (its own `)`, if it comes later, is then not reported again). Expressions nested deeper than `MAX_DEPTH`
  (64, the RDF reader's limit; `Ontology(` and the axiom not counted) skip the form. At most `MAX_WARNINGS` (50)
  warnings per text, then a summary.
* Facts: `Declaration(Class(C))` -> ClassFact; `Declaration` of an object, data or annotation
  property, and `*PropertyDomain` / `*PropertyRange` axioms -> one PropertyFact per property
  (several domains or ranges: their intersection, as in an RDF file); `AnnotationAssertion`
  with `rdfs:label` / `rdfs:comment` -> label / comment of a class or property declared in the
  same text (first wins); `SubClassOf(A B)` with both named -> EdgeFact (annotated: also an
  AxiomFact, which keeps the annotations). Other `SubClassOf`, `EquivalentClasses` and
  `DisjointClasses` -> the rows the RDF reader gives the same axiom in Turtle (OWL 2's mapping to
  RDF): subject and object each a named class's IRI or an expression's functional syntax, n-ary
  equivalence as the chain of pairs, n-ary disjointness as one row (annotations as below).
  Every other axiom -> AxiomFact(axiom_type = OWL axiom name, subject = the first argument when a named entity
  (`AnnotationAssertion`: the annotated subject), else the first named entity inside, object = the other arguments in
  canonical functional syntax with full IRIs `<...>`, annotations = {"ofn": the whole axiom in canonical functional
  syntax}); in an `.ofn` file, also the axiom's one triple between named terms, if it is one (parsing/ofn_triples.py),
  and its triples with blank nodes (parsing/ofn_rdf.py). `Ontology(<iri> ...)` gives the ontology id of a `.ofn`
  document (fences ignore it; parsing/ofn_header.py: an anonymous one gives none); two different ones give none (a
  `several-ontologies` warning), as in an RDF file. Its version IRI, `Ontology(<iri> <version> ...)`, is a
  `VersionIRI` axiom (subject the ontology, object the version) carrying the `owl:versionIRI` triple Turtle's header
  gives (fences: none).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING, ClassVar

from ontosync.parsing import ofn_rdf, ofn_triples
from ontosync.parsing.annotation_notes import notes, other_labels
from ontosync.parsing.facts import (
    AxiomFact,
    ClassFact,
    EdgeFact,
    FileFacts,
    ParseWarning,
    PropertyFact,
    SynonymFact,
)
from ontosync.parsing.ofn_header import Header
from ontosync.parsing.ofn_names import WELL_KNOWN_PREFIXES, mint_name, namespace_of
from ontosync.parsing.ofn_reader import AXIOMS, INNER, Atom, Node, Reader, arity_problem, shorten, tokenize, unquote
from ontosync.parsing.rdf_statements import SYNONYM_PREDICATES
from ontosync.parsing.rdf_vocab import (
    DEFINITION_PREDICATES,
    EXPLICIT_PROPERTY_TYPES,
    OWL,
    RDFS_COMMENT,
    RDFS_LABEL,
    SCHEME,
    XSD_STRING,
    best_text,
    bound_text,
    count_text,
    disjoint_row,
    is_iri_text,
)
from ontosync.parsing.text_encoding import decode_source

if TYPE_CHECKING:  # pragma: no cover
    from ontosync.parsing import ParseOptions

# Warnings per text; the rest are counted in one summary warning.
MAX_WARNINGS = 50

ENTITY_KINDS: frozenset[str] = frozenset(
    ("Class", "ObjectProperty", "DataProperty", "AnnotationProperty", "NamedIndividual", "Datatype")
)

_DOMAIN_RANGE: dict[str, tuple[str, str]] = {
    "ObjectPropertyDomain": ("ObjectProperty", "domain"),
    "ObjectPropertyRange": ("ObjectProperty", "range"),
    "DataPropertyDomain": ("DataProperty", "domain"),
    "DataPropertyRange": ("DataProperty", "range"),
    "AnnotationPropertyDomain": ("AnnotationProperty", "domain"),
    "AnnotationPropertyRange": ("AnnotationProperty", "range"),
}

_ABSOLUTE = re.compile(SCHEME)  # an IRI's scheme, after its `<`
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")  # no IRI holds one (RFC 3987); the RDF readers refuse them
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\Z")


class _Bad(Exception):
    """A form that cannot be turned into a fact; its message becomes the warning."""


def _is_annotation(item) -> bool:
    return isinstance(item, Node) and item.head == "Annotation"


def _annotations_first(args: list, rendered: list[str]) -> list[str]:
    """The rendered `args` of an axiom or annotation, its annotations first and sorted, as the RDF
    reader writes an annotated axiom's (parsing/axiom_annotations.py): one text in every syntax."""
    notes = [_is_annotation(a) for a in args]
    return sorted(r for r, n in zip(rendered, notes, strict=True) if n) + [
        r for r, n in zip(rendered, notes, strict=True) if not n]


class _Interpreter(Header):
    """Turns forms into facts. Prefix expansion is order-based, as forms arrive."""

    def __init__(self, options: ParseOptions, line_offset: int, subject_hint: str | None, fmt: str) -> None:
        self.options = options
        self.line_offset = line_offset
        self.prefixes: dict[str, str] = {}
        self.prefix_lines: dict[str, int] = {}  # prefix -> the line declaring it (one mapping a name)
        self.empty_ns = namespace_of(subject_hint) if subject_hint else None
        # A page whose class was minted: `:Local` is minted like the page name `Local`.
        self.mint_empty = bool(subject_hint) and subject_hint.startswith(options.page_namespace)
        self.facts = FileFacts(format=fmt)
        # an .ofn file, not a page's fence: its axioms note their triple (parsing/ofn_triples.py), a
        # fence's only the annotations a turtle fence notes too (parsing/annotation_notes.py: either
        # fence syntax, one set of rows); its header counts (fences ignore ontology IRIs)
        self.ofn_file = fmt == "ofn"
        self.warned_prefixes: set[str] = set()
        self.suppressed = 0
        self.cache: dict[str, str] = {}  # word -> canonical term; cleared when a prefix changes
        self.classes: dict[str, ClassFact] = {}
        self.props: dict[str, PropertyFact] = {}
        # entity -> (value, language) of each label; class -> definition predicate -> the same
        self.labels: dict[str, list[tuple[str, str]]] = {}
        self.comments: dict[str, dict[str, list[tuple[str, str]]]] = {}
        self.axioms: list[AxiomFact] = []
        self.edges: dict[tuple[str, str], EdgeFact] = {}
        self.pending_labels: list[tuple[str, str, tuple[str, str], str, str]] = []
        self.synonyms: dict[SynonymFact, None] = {}  # de-duplicated, file order kept
        self.several_ontologies, self.header_iri = False, None  # header: the IRI of the Ontology( being read
        self.header_node, self.anonymous = None, 0  # an anonymous one's blank node; how many were read
        self.bounds: dict[tuple[str, str], dict[str, None]] = {}  # (property, domain|range) -> values
        self.bound_rows: dict[tuple[str, str], dict[str, list]] = {}  # the same -> value -> each ofn_rdf.bound_note
        self.axiom_annotations: list[Node] = []  # the annotations of the axiom being read
        self.declared: dict[str, set[str]] = {}  # property -> the kinds it is declared as
        self.languages: dict[tuple[str, str], str] = {}  # (subject, text) -> a literal's tag, the first

    # -- warnings -----------------------------------------------------------------------------------
    def warn(self, message: str, line: int | None, kind: str = "fence-syntax") -> None:
        if len(self.facts.warnings) >= MAX_WARNINGS:
            self.suppressed += 1  # hostile input: a report with 100,000 warnings helps nobody
            return
        self.facts.warnings.append(ParseWarning(kind, message, None if line is None else line + self.line_offset))

    # -- terms ----------------------------------------------------------------------------------------
    def expand(self, name: str, line: int) -> str:
        """A prefixed name's full IRI (see module docstring for the lookup order)."""
        if name.startswith("_:"):
            return name
        prefix, _, local = name.partition(":")
        if local.startswith("//"):  # a full IRI written without <...>
            return name
        ns = self.prefixes.get(prefix)
        if ns is None:
            ns = self.options.namespaces.get(prefix)
        if ns is None and prefix == "":
            if self.mint_empty:
                return mint_name(local, self.options)
            ns = self.empty_ns
        if ns is None:
            ns = WELL_KNOWN_PREFIXES.get(prefix)
        if ns is None:
            if prefix not in self.warned_prefixes:
                self.warned_prefixes.add(prefix)
                self.warn(f"undeclared prefix {prefix + ':'!r}; names kept as written", line, kind="undeclared-prefix")
            return name
        return ns + local

    def term(self, atom: Atom) -> str:
        """Canonical text of an atom: `<iri>`, a literal, or a number; `_Bad` otherwise."""
        if atom.kind == "iri":
            if not _ABSOLUTE.match(atom.text, 1):
                raise _Bad(f"relative IRI {atom.text[:60]}: functional syntax has no base (IRIs are absolute)")
            return atom.text
        if atom.kind == "word":
            done = self.cache.get(atom.text)
            if done is not None:
                return done
            if ":" in atom.text and not _CONTROL.search(atom.text):  # `:A\x1b[31m`: no IRI holds an escape
                done = "<" + self.expand(atom.text, atom.line) + ">"
            elif _NUMBER.match(atom.text):  # a cardinality's digits as the RDF reader writes them: `03` is 3
                done = count_text(atom.text) or atom.text
            else:
                raise _Bad(f"{atom.text!r} is not an IRI or prefixed name")
            self.cache[atom.text] = done
            return done
        if atom.kind == "literal":
            atom = shorten(atom, self._datatype)  # `"x@en"^^rdf:PlainLiteral` is `"x"@en`
            if atom.lang:
                return f"{atom.text}@{atom.lang}"
            dt = self._datatype(atom)
            return atom.text if dt is None else f"{atom.text}^^<{dt}>"
        raise _Bad(f"unexpected {atom.text[:30]!r}")

    def _datatype(self, atom: Atom) -> str | None:
        """The full datatype IRI of an untagged literal; None with none written or `xsd:string`
        ("x"^^xsd:string is the plain literal "x" (RDF 1.1), written so by the RDF reader)."""
        dt = atom.datatype
        if dt is None:
            return None
        if dt == "":
            raise _Bad("'^^' without a datatype")
        if dt.startswith("<"):
            dt = self.term(Atom("iri", dt, atom.line))[1:-1]  # absolute, as any <IRI>
        elif ":" not in dt:
            raise _Bad(f"datatype {dt!r} is not an IRI")
        else:
            dt = self.expand(dt, atom.line)
        return None if dt == XSD_STRING else dt

    def iri(self, item) -> str | None:
        """The full IRI of an atom naming an entity, else None."""
        if isinstance(item, Atom) and (item.kind == "iri" or (item.kind == "word" and ":" in item.text)):
            return self.term(item)[1:-1]
        return None

    def render(self, item, depth: int = 0) -> str:
        """Canonical functional syntax (recursion bounded by the reader's MAX_DEPTH)."""
        if isinstance(item, Atom):
            return self.term(item)
        if item.head is not None and item.head not in INNER and item.head not in AXIOMS:
            raise _Bad(f"unknown construct {item.head!r}")
        if item.head in AXIOMS and depth > 0:
            raise _Bad(f"axiom {item.head} nested in another form")
        parts = [self.render(a, depth + 1) for a in item.args]
        if item.head == "Annotation":  # its own annotations sorted, as an axiom's: one text in every syntax
            parts = _annotations_first(item.args, parts)
        inner = " ".join(parts)
        return f"{item.head}({inner})" if item.head is not None else f"({inner})"

    def first_iri(self, items: list) -> str | None:
        """Depth-first, the first named entity among items (iterative)."""
        todo = list(reversed(items))
        while todo:
            it = todo.pop()
            if isinstance(it, Node):
                todo.extend(reversed(it.args))
            else:
                iri = self.iri(it)
                if iri is not None:
                    return iri
        return None

    # -- forms ----------------------------------------------------------------------------------------
    def form(self, node: Node) -> None:
        head = node.head
        try:
            if head == "OntologyIRI":
                self._ontology(self.term(node.args[0])[1:-1] if node.args else None, node.line)
                return
            if head == "VersionIRI":
                self._version(self.term(node.args[0])[1:-1])
                return
            if head == "Prefix":
                self.prefix(node)
            elif head == "Import":
                target = self.iri(node.args[0]) if len(node.args) == 1 else None
                if not ofn_triples.named(target):  # a literal, an expression, two IRIs: no import
                    raise _Bad("expected Import(<IRI>)")
                self._import(target)
            elif head == "Annotation":  # an ontology annotation
                self._ontology_annotation(node, self.render(node))
            elif head in AXIOMS:
                self.axiom(node)
            elif head is None:
                raise _Bad("a parenthesised list is not an axiom")
            elif head in INNER:
                raise _Bad(f"{head} is not an axiom")
            else:
                raise _Bad(f"unknown axiom type {head!r}")
        except _Bad as exc:
            self.warn(f"{head or '('}: {exc}", node.line)
            return
        if node.repaired:
            where = "" if node.commented is None else (
                f" (the one on line {node.commented} is inside a comment, which runs to the end of its line)")
            self.warn(f"{head}: missing ')'{where}; read as if closed before the next axiom", node.line)

    def prefix(self, node: Node) -> None:
        args = [a for a in node.args if not (isinstance(a, Atom) and a.kind == "eq")]
        if len(args) != 2 or not isinstance(args[0], Atom) or not isinstance(args[1], Atom):
            raise _Bad("expected Prefix(p:=<namespace>)")
        name, ns = args[0], args[1]
        if name.kind != "word" or not name.text.endswith(":") or name.text.count(":") != 1:
            raise _Bad(f"bad prefix name {name.text!r}")
        if ns.kind != "iri":
            raise _Bad("prefix namespace is not an <IRI>")
        self.term(ns)  # absolute
        key, before = name.text[:-1], self.prefix_lines.get(name.text[:-1])
        if before is not None and self.prefixes[key] != ns.text[1:-1]:  # OWL 2: a prefix name has one mapping
            self.warn(f"prefix {name.text!r} declared again as {ns.text} (line {before} declared "
                      f"<{self.prefixes[key]}>); the later is used from here on", node.line, kind="prefix-redeclared")
        self.prefixes[key], self.prefix_lines[key] = ns.text[1:-1], node.line + self.line_offset
        self.cache.clear()

    def axiom(self, node: Node) -> None:
        """One axiom: a hierarchy edge, a declaration, a label or comment, a property's domain or
        range, or else an axiom row; `_AXIOM_RULES` picks the special cases by head."""
        head = node.head
        assert head is not None
        args = [a for a in node.args if not _is_annotation(a)]
        if problem := arity_problem(head, len(args)):
            raise _Bad(problem)
        if head == "SubClassOf" and self._named_subclass(args) and len(node.args) == 2:
            return  # annotated (OBO's provenance on a parent): the edge, and the row keeps the annotations
        # Render each argument once (this also validates every term and construct).
        rendered = [self.render(a, 1) for a in node.args]
        notes = [_is_annotation(a) for a in node.args]
        plain = [r for r, note in zip(rendered, notes, strict=True) if not note]
        full = f"{head}({' '.join(_annotations_first(node.args, rendered))})"
        rule, before = self._AXIOM_RULES.get(head), len(self.axioms)
        self.axiom_annotations = [a for a, note in zip(node.args, notes, strict=True) if note]
        if rule is None or not rule(self, head, args, plain, full):
            self._axiom_row(head, args, plain, full)
        self._note_graph(before, head, args, full)

    def _note_graph(self, at: int, head: str, args: list, full: str) -> None:
        """An `.ofn` file's axiom's triples that need blank nodes, and its annotations' (parsing/ofn_rdf.py),
        noted on its first row (`at`) for the readers' layer; without one (a declaration, a declared
        entity's label), saved with the file. (A domain or range kept as a column: _domain_or_range.)"""
        fact = self.axioms[at] if len(self.axioms) > at else None
        if not self.ofn_file or (fact is None and head in _DOMAIN_RANGE):
            return
        graph = ofn_rdf.note(self.iri, self._literal, head, args, self.axiom_annotations, full,
                             (fact and fact.annotations) or {})
        if graph and fact:
            self.axioms[at] = fact._replace(annotations={**(fact.annotations or {}), "rdf_graph": graph})
        elif graph:
            self.facts.saved_rows += graph

    def _axiom_row(self, head: str, args: list, plain: list[str], full: str) -> None:
        """The axiom as a row: subject its first named argument, object the rest as rendered."""
        first = self.iri(args[0])
        if first is not None:
            subject = first
            obj = " ".join(plain[1:]) or None
        else:
            subject = self.first_iri(args) or ""
            obj = " ".join(plain)
        notes = ofn_triples.axiom_note(head, [self.iri(a) if isinstance(a, Atom) and a.kind != "literal"
                                             else self._literal(a) for a in args]) if self.ofn_file else {}
        self.axioms.append(AxiomFact(head, subject, obj, {"ofn": full, **notes}))

    def _class_axiom(self, head: str, args: list, plain: list[str], full: str) -> bool:
        """SubClassOf, EquivalentClasses, DisjointClasses as the RDF reader rows the triples OWL 2's
        mapping to RDF writes for them, so one ontology has one set of rows whatever its syntax: each
        class a named IRI or its expression, n-ary equivalence as the chain `C1 = C2, C2 = C3...`,
        n-ary disjointness as `owl:AllDisjointClasses`' one row (rdf_vocab.disjoint_row)."""
        named: list[str | None] = []
        for a in args:  # in order: the first bad argument's error is the one reported
            named.append(iri := self.iri(a))
            if iri is None and isinstance(a, Atom):
                raise _Bad("a literal where a class belongs")  # an RDF file's such triple is skipped too
        ops = [iri or r for iri, r in zip(named, plain, strict=True)]
        notes = {"ofn": full}
        # annotated in an .ofn file: ofn_rdf writes it and its owl:Axiom
        if head == "SubClassOf" and named[0] is not None and not (self.ofn_file and self.axiom_annotations):
            notes.update(self._existential(args[1]))
        pair = _PAIR_PREDICATES.get(head) if all(named) else None
        if head == "DisjointClasses" and len(ops) > 2:
            rows, pair = ([row] if (row := disjoint_row(ops)) is not None else []), None
        else:
            rows = list(pairwise(ops))
        for s, o in rows:
            self.axioms.append(AxiomFact(head, s, o, {**notes, "rdf_predicate": pair} if pair else notes))
        return True

    def _existential(self, expr) -> dict[str, str]:
        """`ObjectSomeValuesFrom(P C)` with P and C named: its parts, noted with the axiom so the
        readers' layer writes the restriction as an RDF file's (store/semsql_ofn.py)."""
        if not isinstance(expr, Node) or expr.head != "ObjectSomeValuesFrom" or len(expr.args) != 2:
            return {}
        prop, filler = self.iri(expr.args[0]), self.iri(expr.args[1])
        return {"on_property": prop, "some_values_from": filler} if prop and filler else {}

    def _literal(self, value) -> ofn_triples.Literal | None:
        """A literal's text, datatype IRI and language tag, as an RDF file's `statements` row holds
        them (the readers' layer's notes); None for anything else."""
        if not isinstance(value, Atom) or value.kind != "literal":
            return None
        value = shorten(value, self._datatype)
        datatype = None if value.lang else self._datatype(value)
        return unquote(value.text), datatype, value.lang or None

    def _named_subclass(self, args: list) -> bool:
        """`SubClassOf(A B)` between two named classes: an edge, the common case, not rendered."""
        child, parent = self.iri(args[0]), self.iri(args[1])
        if child is None or parent is None:
            return False
        self.edges.setdefault((child, parent), EdgeFact(child, parent))
        return True

    # -- the special cases: (head, args, rendered args, rendered axiom) -> True when fully handled

    def _declaration(self, head: str, args: list, plain: list[str], full: str) -> bool:
        ent = args[0]
        if not isinstance(ent, Node) or ent.head not in ENTITY_KINDS or len(ent.args) != 1:
            raise _Bad("expected Declaration(Class(<iri>)) or another entity kind")
        iri = self.iri(ent.args[0])
        if iri is None:
            raise _Bad("declared entity is not an IRI")
        if ent.head == "Class":
            self.classes.setdefault(iri, ClassFact(iri, line=ent.line + self.line_offset))
        elif ent.head in ("ObjectProperty", "DataProperty", "AnnotationProperty"):
            self._property_declared(iri, ent.head, ent.line)
        else:
            kind = ofn_triples.DECLARED.get(ent.head) if self.ofn_file else None
            note = ofn_triples.triple(iri, ofn_triples.RDF_TYPE, kind)
            self.axioms.append(AxiomFact("Declaration", iri, ent.head, note or None))
        return True

    def _property_declared(self, iri: str, kind: str, line: int) -> None:
        """A declaration wins over the kind a domain or range implied; declared several kinds, the
        property is Object over Data over Annotation with a warning, as in an RDF file, whatever
        the order of the declarations."""
        declared = self.declared.setdefault(iri, set())
        if kind in declared:
            return
        declared.add(kind)
        kinds = [k for _, k in EXPLICIT_PROPERTY_TYPES if k in declared]
        if len(kinds) > 1:
            self.warn(f"<{iri}> is declared {' and '.join(kinds)}; kept as {kinds[0]}", line,
                      kind="property-type-conflict")
        old = self.props.get(iri)
        self.props[iri] = PropertyFact(iri, kinds[0]) if old is None else old._replace(property_type=kinds[0])

    def _annotation_assertion(self, head: str, args: list, plain: list[str], full: str) -> bool:
        prop = self.iri(args[0])
        subject = self.iri(args[1])
        value = args[2]
        if prop is None or subject is None:
            raise _Bad("expected AnnotationAssertion(property subject value)")
        obj, literal = plain[0] + " " + plain[2], self._literal(value)
        if subject.startswith("_:") or (self.iri(value) or "").startswith("_:"):
            # of an anonymous individual: no note names the file's node for it (.ofn: rdf_graph's row)
            self.axioms.append(AxiomFact(head, subject, obj, {"ofn": full}))
            return True
        if literal and literal[2]:
            self.languages.setdefault((subject, literal[0]), literal[2])
        noted = notes(prop, subject, self.iri(value), literal, self.ofn_file)  # what the readers' layer writes of it
        if literal and prop in _LABEL_PREDICATES:
            # Decided in finish(): a label of a declared entity, or an axiom like any other.
            # IAO / skos definitions also stay axioms: they are a class's comment only without
            # an rdfs:comment, as in an RDF file (parsing/rdf.py).
            self.pending_labels.append((prop, subject, (literal[0], literal[2] or ""), obj, {"ofn": full, **noted}))
            if prop in (RDFS_LABEL, RDFS_COMMENT):
                return True
        synonym = SYNONYM_PREDICATES.get(prop)
        if synonym is not None and literal:
            # A synonym, as an RDF file's (file_synonyms, the readers' layer, search); the axiom stays,
            # without a triple: the layer writes the synonym's
            self.synonyms[SynonymFact(subject, literal[0], synonym)] = None
            noted = {}
        self.axioms.append(AxiomFact(head, subject, obj, {"ofn": full, **noted}))
        return True

    def _domain_or_range(self, head: str, args: list, plain: list[str], full: str) -> bool:
        """A property's domains (ranges) are gathered; finish() makes them its column, as the RDF
        reader does (several: their intersection; rdf_vocab.bound_text), whatever their order."""
        ptype, slot = _DOMAIN_RANGE[head]
        prop = self.iri(args[0])
        if prop is None:
            return False
        value = plain[1]
        if value.startswith("<") and value.endswith(">") and " " not in value:
            value = value[1:-1]
        self.props.setdefault(prop, PropertyFact(prop, ptype))
        self.bounds.setdefault((prop, slot), {})[value] = None
        if self.ofn_file:  # each axiom's rows (_bounded), as Turtle's owl:Axioms; a word-for-word repeat's once
            noted = self.bound_rows.setdefault((prop, slot), {}).setdefault(value, [])
            row = ofn_rdf.bound_note(self.iri, self._literal, head, args, self.axiom_annotations, full)
            noted += [] if row in noted else [row]
        return True

    def _bounded(self, prop: PropertyFact) -> PropertyFact:
        """`prop` with its domain and range columns (an annotation property's: the smallest IRI)."""
        found = {}
        for slot in ("domain", "range"):
            values = list(self.bounds.get((prop.iri, slot), ()))
            if prop.property_type == "AnnotationProperty":
                found[slot] = min((v for v in values if is_iri_text(v)), default=None)
            else:
                found[slot] = bound_text(values, prop.property_type == "DataProperty" and slot == "range")
            self.facts.saved_rows += ofn_rdf.unwritten(self.bound_rows.get((prop.iri, slot), {}), found[slot])
        return prop._replace(**found)

    _AXIOM_RULES: ClassVar[dict[str, Callable[..., bool]]] = {
        "Declaration": _declaration,
        "AnnotationAssertion": _annotation_assertion,
        **dict.fromkeys(("SubClassOf", "EquivalentClasses", "DisjointClasses"), _class_axiom),
        **dict.fromkeys(_DOMAIN_RANGE, _domain_or_range),
    }

    # -- result -----------------------------------------------------------------------------------------
    def finish(self) -> FileFacts:
        facts = self.facts
        if self.suppressed:
            last = facts.warnings[-1].line if facts.warnings else None
            facts.warnings.append(
                ParseWarning("fence-syntax", f"{self.suppressed} more unreadable forms not reported", last)
            )
        for prop, subject, text, obj, noted in self.pending_labels:
            if prop == RDFS_LABEL and (subject in self.classes or subject in self.props):
                self.labels.setdefault(subject, []).append(text)
                continue
            if prop != RDFS_LABEL and subject in self.classes:
                self.comments.setdefault(subject, {}).setdefault(prop, []).append(text)
            if prop in (RDFS_LABEL, RDFS_COMMENT):  # noted: the readers' layer writes it as its triple
                self.axioms.append(AxiomFact("AnnotationAssertion", subject, obj, noted))
        for iri, cls in self.classes.items():
            found = self.comments.get(iri, {})
            comment = next(filter(None, (best_text(found.get(p, ())) for p in DEFINITION_PREDICATES)), None)
            facts.classes.append(cls._replace(label=best_text(self.labels.get(iri, ())), comment=comment))
        for iri, prop in self.props.items():
            label = best_text(self.labels.get(iri, ()))
            facts.properties.append(self._bounded(prop._replace(label=label) if label else prop))
        for iri, labels in self.labels.items():  # a class's (property's) other labels: the layer keeps them
            self.axioms.extend(other_labels(iri, labels, self.languages))
        facts.edges.extend(self.edges.values())
        facts.synonyms.extend(self.synonyms)
        facts.literal_languages = self.languages
        facts.axioms.extend(self.axioms)
        ofn_rdf.hang(facts.saved_rows, facts.axioms)
        return facts


# A class axiom between two named classes whose RDF is one triple: its predicate, noted for the
# readers' layer (store/semsql_ofn.py writes the triple a Turtle file has).
_PAIR_PREDICATES = {"EquivalentClasses": OWL + "equivalentClass", "DisjointClasses": OWL + "disjointWith"}
_LABEL_PREDICATES = frozenset({RDFS_LABEL, *DEFINITION_PREDICATES})


def parse_ofn_text(
    text: str,
    options: ParseOptions,
    line_offset: int = 0,
    subject_hint: str | None = None,
    fmt: str = "ofn",
) -> FileFacts:
    """Read OFN (and its dialect) from text; never raises.

    Returns a FileFacts (format `fmt`) whose lists (classes, edges, properties, axioms, warnings)
    the caller merges; `ontology_id` is set by `Ontology(<iri>`. Warnings carry
    `line_offset + line in text`, so a fence passes the page line of its opening backticks.
    `subject_hint` is the IRI of the page's class: it decides what an undeclared `:` means.
    """
    interp = _Interpreter(options, line_offset, subject_hint, fmt)
    Reader(interp.form, interp.warn).feed(tokenize(text))
    return interp.finish()


def parse_ofn_document(path: str, data: bytes, options: ParseOptions) -> FileFacts:
    """A `.ofn` file (or a `.owl` that sniffs as functional syntax).

    `Ontology(<iri>` gives `ontology_id`; `Prefix(...)` declarations extend the namespace table for
    this file. Unreadable forms are warnings; only undecodable bytes raise ParseError.
    """
    text = decode_source(data, lone_cr=True)  # a lone CR ends a line (the tokenizer)
    return parse_ofn_text(text, options, 0, None, fmt="ofn")
