"""OWL Functional Syntax, as written by people: strict OFN plus the dialect found in Logseq pages.

Used for `.ofn` files (`parse_ofn_document`) and for the ```` ```clojure ```` / ```` ```owl ```` fences
of Logseq pages (`parse_ofn_text`, called by `ontosync.parsing.logseq`).

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
* Prefixes: `Prefix(p:=<ns>)` in the text (fence-local in a page, document-wide in `.ofn`) wins,
  then the namespace table (`ParseOptions.namespaces`), then a few well-known W3C / Dublin Core
  prefixes (`dct`, `xml`). The empty prefix `:` with no declaration expands to the namespace of
  the page's class (`subject_hint`: its IRI up to the last `#`, `/` or `:`), so `:Adas` on a page
  whose class is `mv:ADAS` is `http://narrativegoldmine.com/metaverse#Adas`; on a page whose
  class was minted (no `owl:class`), `:Local` is minted like the page name `Local`
  (`page_namespace` + `local`, case-folded), so it meets `[[Local]]` links and the page itself.
  In a `.ofn` document an undeclared `:` is an undeclared prefix. An undeclared
  prefix gives one `undeclared-prefix` warning per prefix and text; the name is then kept as
  written (`p:local` is itself an absolute IRI with scheme `p`), so the axiom is not lost.
* Recovery: the text is read as a sequence of top-level forms (inside `Ontology(...)`, its
  axioms are top-level forms too). A form that cannot be read (unknown axiom type, wrong number
  of arguments, a bare word where an IRI belongs, unbalanced parentheses, prose) becomes one
  `fence-syntax` warning with its line, and reading resumes at the next form. A run of prose is
  one warning. A missing `)` is detected when a new axiom keyword starts inside an unfinished
  axiom (axioms never nest): the unfinished one is closed there and, if then complete, kept
  with a warning (its own `)`, if it comes later, is then not reported again). Nesting deeper
  than `MAX_DEPTH` (64) skips the form, so no recursion limit is at risk. At most
  `MAX_WARNINGS` (50) warnings per text, then one summary warning with the count.
* Facts: `Declaration(Class(C))` -> ClassFact; `Declaration` of an object, data or annotation
  property, and `*PropertyDomain` / `*PropertyRange` axioms -> one PropertyFact per property
  (first domain and range kept; further distinct ones stay as AxiomFacts); `AnnotationAssertion`
  with `rdfs:label` / `rdfs:comment` -> label / comment of a class or property declared in the
  same text (first wins); `SubClassOf(A B)` with both named -> EdgeFact. Every other axiom ->
  AxiomFact(axiom_type = OWL axiom name, subject = the first argument when it is a named entity
  (for `AnnotationAssertion`: the annotated subject), otherwise the first named entity inside,
  object = the remaining arguments rendered back to canonical functional syntax with full IRIs
  `<...>`, annotations = {"ofn": the whole axiom in canonical functional syntax}).
  `Ontology(<iri> ...)` gives the ontology id of a `.ofn` document (fences ignore it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote

from ontosync.parsing.facts import (
    AxiomFact,
    ClassFact,
    EdgeFact,
    FileFacts,
    ParseError,
    ParseWarning,
    PropertyFact,
    normalize_name,
)

if TYPE_CHECKING:  # pragma: no cover
    from ontosync.parsing import ParseOptions

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDFS_LABEL = RDFS + "label"
RDFS_COMMENT = RDFS + "comment"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# Used only when neither the text nor the namespace table declares them: common enough in the
# wild (and in the measured fences) that a warning for them would be noise.
WELL_KNOWN_PREFIXES: dict[str, str] = {
    "dct": "http://purl.org/dc/terms/",
    "dcterms": "http://purl.org/dc/terms/",
    "xml": "http://www.w3.org/XML/1998/namespace",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": RDFS,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Warnings per text; the rest are counted in one summary warning.
MAX_WARNINGS = 50

# Deeper nesting than any real axiom; keeps the (bounded) recursive renderer far from Python's limit.
MAX_DEPTH = 64

AXIOMS: frozenset[str] = _words(
    """Declaration SubClassOf EquivalentClasses DisjointClasses DisjointUnion SubObjectPropertyOf
    EquivalentObjectProperties DisjointObjectProperties InverseObjectProperties ObjectPropertyDomain
    ObjectPropertyRange FunctionalObjectProperty InverseFunctionalObjectProperty
    ReflexiveObjectProperty IrreflexiveObjectProperty SymmetricObjectProperty
    AsymmetricObjectProperty TransitiveObjectProperty SubDataPropertyOf EquivalentDataProperties
    DisjointDataProperties DataPropertyDomain DataPropertyRange FunctionalDataProperty
    DatatypeDefinition HasKey SameIndividual DifferentIndividuals ClassAssertion
    ObjectPropertyAssertion NegativeObjectPropertyAssertion DataPropertyAssertion
    NegativeDataPropertyAssertion AnnotationAssertion SubAnnotationPropertyOf
    AnnotationPropertyDomain AnnotationPropertyRange DLSafeRule"""
)

# Constructs that may appear inside an axiom.
INNER: frozenset[str] = _words(
    """Class ObjectProperty DataProperty AnnotationProperty NamedIndividual Datatype Annotation
    ObjectIntersectionOf ObjectUnionOf ObjectComplementOf ObjectOneOf ObjectSomeValuesFrom
    ObjectAllValuesFrom ObjectHasValue ObjectHasSelf ObjectMinCardinality ObjectMaxCardinality
    ObjectExactCardinality DataSomeValuesFrom DataAllValuesFrom DataHasValue DataMinCardinality
    DataMaxCardinality DataExactCardinality ObjectInverseOf ObjectPropertyChain DataIntersectionOf
    DataUnionOf DataComplementOf DataOneOf DatatypeRestriction Body Head ClassAtom
    ObjectPropertyAtom DataPropertyAtom DataRangeAtom BuiltInAtom SameIndividualAtom
    DifferentIndividualsAtom Variable"""
)

ENTITY_KINDS: frozenset[str] = frozenset(
    ("Class", "ObjectProperty", "DataProperty", "AnnotationProperty", "NamedIndividual", "Datatype")
)

# (minimum, maximum or None) number of arguments, axiom annotations not counted.
_ARITY: dict[str, tuple[int, int | None]] = {
    "Declaration": (1, 1),
    "SubClassOf": (2, 2),
    "EquivalentClasses": (2, None),
    "DisjointClasses": (2, None),
    "DisjointUnion": (3, None),
    "SubObjectPropertyOf": (2, 2),
    "EquivalentObjectProperties": (2, None),
    "DisjointObjectProperties": (2, None),
    "InverseObjectProperties": (2, 2),
    "SubDataPropertyOf": (2, 2),
    "EquivalentDataProperties": (2, None),
    "DisjointDataProperties": (2, None),
    "DatatypeDefinition": (2, 2),
    "HasKey": (2, None),
    "SameIndividual": (2, None),
    "DifferentIndividuals": (2, None),
    "ClassAssertion": (2, 2),
    "ObjectPropertyAssertion": (3, 3),
    "NegativeObjectPropertyAssertion": (3, 3),
    "DataPropertyAssertion": (3, 3),
    "NegativeDataPropertyAssertion": (3, 3),
    "AnnotationAssertion": (3, 3),
    "SubAnnotationPropertyOf": (2, 2),
    "DLSafeRule": (1, None),
}
for _name in ("Object", "Data", "Annotation"):
    _ARITY[f"{_name}PropertyDomain"] = (2, 2)
    _ARITY[f"{_name}PropertyRange"] = (2, 2)
for _name in (
    "FunctionalObjectProperty",
    "InverseFunctionalObjectProperty",
    "ReflexiveObjectProperty",
    "IrreflexiveObjectProperty",
    "SymmetricObjectProperty",
    "AsymmetricObjectProperty",
    "TransitiveObjectProperty",
    "FunctionalDataProperty",
):
    _ARITY[_name] = (1, 1)

_DOMAIN_RANGE: dict[str, tuple[str, str]] = {
    "ObjectPropertyDomain": ("ObjectProperty", "domain"),
    "ObjectPropertyRange": ("ObjectProperty", "range"),
    "DataPropertyDomain": ("DataProperty", "domain"),
    "DataPropertyRange": ("DataProperty", "range"),
    "AnnotationPropertyDomain": ("AnnotationProperty", "domain"),
    "AnnotationPropertyRange": ("AnnotationProperty", "range"),
}

# One pass over the text. Order matters: IRIs and strings before comments, so `#` inside them
# is content. An unterminated string or IRI is an error token up to the end of its line.
_TOKEN = re.compile(
    r"""
    (?P<nl>\n)
    |(?P<ws>[ \t\r\f\v]+)
    |(?P<comment>[\#;][^\n]*)
    |(?P<iri><[^<>"\s{}|\\^`]*>)
    |(?P<str>"[^"\\]*(?:\\.[^"\\]*)*")
    |(?P<badstr>["<][^\n]*)
    |(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    |(?P<dt>\^\^)
    |(?P<lp>\()
    |(?P<rp>\))
    |(?P<eq>=)
    |(?P<word>[^\s()"<>=\#;@^][^\s()"<>=;@^]*)
    |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_KEYWORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\Z")


class _Bad(Exception):
    """A form that cannot be turned into a fact; its message becomes the warning."""


@dataclass(slots=True)
class Node:
    """`head(args)`; head None for a bare parenthesised list (as in `HasKey(C (p) ())`)."""

    head: str | None
    args: list
    line: int
    repaired: bool = False


@dataclass(slots=True, frozen=True)
class Atom:
    """A token that is not a parenthesis: kind is word, iri, literal or junk."""

    kind: str
    text: str
    line: int
    lang: str | None = None
    datatype: str | None = None  # as written: <iri> or a prefixed name


@dataclass
class _Frame:
    head: str | None
    line: int
    functional: bool  # opened as `Head(`; False for a bare `(`
    args: list = field(default_factory=list)


class _Reader:
    """Turns the token stream into top-level forms, without recursion.

    A form is handed to `emit` as soon as it closes at top level (or directly inside
    `Ontology(...)`), so an `Ontology(` whose `)` is missing still yields its axioms.
    """

    def __init__(self, emit: Callable[[Node], None], warn: Callable[[str, int], None]) -> None:
        self.emit = emit
        self.warn = warn
        self.stack: list[_Frame] = []
        self.junk_line: int | None = None  # first line of the current run of prose / stray tokens
        self.junk_text: list[str] = []
        self.skip_depth = 0  # > 0 while skipping a form nested deeper than MAX_DEPTH
        self.owed = 0  # frames closed by a repair whose own `)` may still come: not reported

    # -- junk (prose, stray tokens) ---------------------------------------------------------------
    def junk(self, text: str, line: int) -> None:
        if self.junk_line is None:
            self.junk_line = line
        if len(self.junk_text) < 8:
            self.junk_text.append(text[:40])

    def flush_junk(self) -> None:
        if self.junk_line is not None:
            self.warn(f"not OWL functional syntax: {' '.join(self.junk_text)[:80]!r}", self.junk_line)
            self.junk_line = None
            self.junk_text = []

    # -- helpers ----------------------------------------------------------------------------------
    def _container(self) -> _Frame | None:
        return self.stack[-1] if self.stack else None

    def _at_top(self) -> bool:
        return not self.stack or (len(self.stack) == 1 and self.stack[0].head == "Ontology")

    def _add(self, item, line: int) -> None:
        """Put a finished item (Atom or Node) into the enclosing frame, or emit it at top level."""
        if self._at_top():
            top = self._container()
            if isinstance(item, Node):
                if self.junk_line is not None and item.head not in AXIOMS:
                    # `AI Principles (fairness, ...)`: part of the same prose run.
                    self.junk(item.head or "(", line)
                    return
                self.flush_junk()
                self.emit(item)
            elif top is not None and item.kind == "iri" and not top.args:
                top.args.append(item)  # Ontology(<iri> ...)
                self.emit(Node("OntologyIRI", [item], item.line))
            elif top is not None and item.kind == "iri" and len(top.args) == 1:
                top.args.append(item)  # version IRI
            else:
                self.junk(item.text, line)
        else:
            self.stack[-1].args.append(item)

    def _close(self, repaired: bool) -> None:
        frame = self.stack.pop()
        node = Node(frame.head, frame.args, frame.line, repaired)
        if frame.head == "Ontology":
            if repaired:
                self.warn("Ontology( is not closed", frame.line)
            return
        self._add(node, frame.line)

    # -- tokens -------------------------------------------------------------------------------------
    def feed(self, toks: list[tuple[str, str, int]]) -> None:
        """Read all tokens; every complete top-level form goes to `emit` as it closes."""
        n = len(toks)
        i = 0
        while i < n:
            kind, text, line = toks[i]
            i += 1
            if self.skip_depth:
                if kind == "lp":
                    self.skip_depth += 1
                elif kind == "rp":
                    self.skip_depth -= 1
                continue
            if kind == "lp":
                self._push(None, line, functional=False)
            elif kind == "rp":
                if self._at_top() and self.owed:
                    self.owed -= 1  # the `)` of a form already closed by a repair
                elif not self.stack:
                    self.junk(")", line)
                elif self.stack[-1].head == "Ontology":
                    self.stack.pop()  # end of Ontology(...)
                else:
                    self._close(repaired=False)
            elif kind == "word":
                nxt = toks[i][0] if i < n else None
                top = self._container()
                if (
                    top is not None
                    and not top.functional
                    and top.head is None
                    and not top.args
                    and _KEYWORD.match(text)
                ):
                    self._set_lisp_head(top, text, line)
                elif nxt == "lp" and _KEYWORD.match(text):
                    i += 1
                    self._push(text, line, functional=True)
                else:
                    self._add(Atom("word", text, line), line)
            elif kind == "str":
                lang = dt = None
                if i < n and toks[i][0] == "lang":
                    lang = toks[i][1][1:]
                    i += 1
                elif i < n and toks[i][0] == "dt":
                    if i + 1 < n and toks[i + 1][0] in ("iri", "word"):
                        dt = toks[i + 1][1]
                        i += 2
                    else:
                        i += 1
                        dt = ""  # `^^` with nothing after it: reported when the literal is used
                self._add(Atom("literal", text, line, lang, dt), line)
            elif kind == "iri":
                self._add(Atom("iri", text, line), line)
            else:  # eq, lang, dt, badstr, other
                self._add(Atom("junk" if kind != "eq" else "eq", text, line), line)
        # End of text: close whatever is open.
        while self.stack:
            self._close(repaired=True)
        self.flush_junk()

    def _set_lisp_head(self, top: _Frame, text: str, line: int) -> None:
        if text in AXIOMS:
            self._repair_before_axiom(line, exclude_top=True)
        top.head = text

    def _push(self, head: str | None, line: int, functional: bool) -> None:
        if head in AXIOMS or head in ("Prefix", "Ontology"):
            self._repair_before_axiom(line, exclude_top=False)
        if len(self.stack) >= MAX_DEPTH:
            # Abandon the whole top-level form this belongs to.
            keep = 1 if self.stack[0].head == "Ontology" else 0
            start = self.stack[keep].line if len(self.stack) > keep else line
            depth = len(self.stack) - keep
            del self.stack[keep:]
            self.flush_junk()
            self.warn(f"nesting deeper than {MAX_DEPTH} levels; form skipped", start)
            self.skip_depth = depth + 1
            return
        self.stack.append(_Frame(head, line, functional))

    def _repair_before_axiom(self, line: int, exclude_top: bool) -> None:
        """An axiom keyword inside an unfinished axiom means a `)` is missing: close up to it."""
        frames = self.stack[:-1] if exclude_top else self.stack
        idx = None
        for i in range(len(frames) - 1, -1, -1):
            if frames[i].head in AXIOMS or frames[i].head == "Prefix":
                idx = i
                break
        if idx is None:
            return
        moved = self.stack.pop() if exclude_top else None
        while len(self.stack) > idx:
            self._close(repaired=True)
            self.owed += 1
        if moved is not None:
            self.stack.append(moved)


def tokenize(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, 1-based line) for every meaningful token; whitespace and comments dropped."""
    out: list[tuple[str, str, int]] = []
    append = out.append
    line = 1
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "nl":
            line += 1
            continue
        if kind == "ws" or kind == "comment":
            continue
        tok = m.group()
        append((kind, tok, line))  # type: ignore[arg-type]
        if kind == "str":
            line += tok.count("\n")
    return out


def mint_name(name: str, options: ParseOptions) -> str:
    """page_namespace + URL-quoted normalized name, spaces as `-` (see logseq.mint_page_iri)."""
    return options.page_namespace + quote(normalize_name(name).replace(" ", "-"), safe="")


def namespace_of(iri: str) -> str | None:
    """The namespace part of an IRI: up to and including its last `#`, else `/`, else `:`."""
    for sep in ("#", "/", ":"):
        pos = iri.rfind(sep)
        if pos >= 0:
            return iri[: pos + 1]
    return None


class _Interpreter:
    """Turns forms into facts. Prefix expansion is order-based, as forms arrive."""

    def __init__(self, options: ParseOptions, line_offset: int, subject_hint: str | None, fmt: str) -> None:
        self.options = options
        self.line_offset = line_offset
        self.prefixes: dict[str, str] = {}
        self.empty_ns = namespace_of(subject_hint) if subject_hint else None
        # A page whose class was minted: `:Local` is minted like the page name `Local`.
        self.mint_empty = bool(subject_hint) and subject_hint.startswith(options.page_namespace)
        self.facts = FileFacts(format=fmt)
        self.warned_prefixes: set[str] = set()
        self.suppressed = 0
        self.cache: dict[str, str] = {}  # word -> canonical term; cleared when a prefix changes
        self.classes: dict[str, ClassFact] = {}
        self.props: dict[str, PropertyFact] = {}
        self.labels: dict[str, str] = {}
        self.comments: dict[str, str] = {}
        self.axioms: list[AxiomFact] = []
        self.edges: dict[tuple[str, str], EdgeFact] = {}
        self.pending_labels: list[tuple[str, str, str, str, str]] = []

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
            return atom.text
        if atom.kind == "word":
            done = self.cache.get(atom.text)
            if done is not None:
                return done
            if ":" in atom.text:
                done = "<" + self.expand(atom.text, atom.line) + ">"
            elif _NUMBER.match(atom.text):
                done = atom.text
            else:
                raise _Bad(f"{atom.text!r} is not an IRI or prefixed name")
            self.cache[atom.text] = done
            return done
        if atom.kind == "literal":
            if atom.lang:
                return f"{atom.text}@{atom.lang}"
            if atom.datatype is not None:
                if atom.datatype == "":
                    raise _Bad("'^^' without a datatype")
                dt = atom.datatype
                if not dt.startswith("<"):
                    if ":" not in dt:
                        raise _Bad(f"datatype {dt!r} is not an IRI")
                    dt = "<" + self.expand(dt, atom.line) + ">"
                return f"{atom.text}^^{dt}"
            return atom.text
        raise _Bad(f"unexpected {atom.text[:30]!r}")

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
        inner = " ".join(self.render(a, depth + 1) for a in item.args)
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
                if self.facts.ontology_id is None:
                    self.facts.ontology_id = self.term(node.args[0])[1:-1]
                return
            if head == "Prefix":
                self.prefix(node)
            elif head == "Import":
                target = self.render(node.args[0]) if node.args else None
                if not target:
                    raise _Bad("Import() without an IRI")
                self.axioms.append(AxiomFact("Import", self.facts.ontology_id or "", target[1:-1]))
            elif head == "Annotation":  # an ontology annotation
                text = self.render(node)
                self.axioms.append(AxiomFact("OntologyAnnotation", self.facts.ontology_id or "", text))
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
            self.warn(f"{head}: missing ')'; read as if closed before the next axiom", node.line)

    def prefix(self, node: Node) -> None:
        args = [a for a in node.args if not (isinstance(a, Atom) and a.kind == "eq")]
        if len(args) != 2 or not isinstance(args[0], Atom) or not isinstance(args[1], Atom):
            raise _Bad("expected Prefix(p:=<namespace>)")
        name, ns = args[0], args[1]
        if name.kind != "word" or not name.text.endswith(":") or name.text.count(":") != 1:
            raise _Bad(f"bad prefix name {name.text!r}")
        if ns.kind != "iri":
            raise _Bad("prefix namespace is not an <IRI>")
        self.prefixes[name.text[:-1]] = ns.text[1:-1]
        self.cache.clear()

    def axiom(self, node: Node) -> None:
        head = node.head
        assert head is not None
        args = [a for a in node.args if not (isinstance(a, Node) and a.head == "Annotation")]
        lo, hi = _ARITY.get(head, (1, None))
        if len(args) < lo or (hi is not None and len(args) > hi):
            want = str(lo) if lo == hi else f"{lo}+" if hi is None else f"{lo}-{hi}"
            raise _Bad(f"expected {want} arguments, got {len(args)}")
        if head == "SubClassOf" and len(node.args) == 2:  # the common case, without rendering
            child, parent = self.iri(args[0]), self.iri(args[1])
            if child is not None and parent is not None:
                self.edges.setdefault((child, parent), EdgeFact(child, parent))
                return
        # Render each argument once (this also validates every term and construct).
        rendered = [self.render(a, 1) for a in node.args]
        full = f"{head}({' '.join(rendered)})"
        plain = [
            r for a, r in zip(node.args, rendered, strict=True) if not (isinstance(a, Node) and a.head == "Annotation")
        ]

        if head == "Declaration":
            ent = args[0]
            if not isinstance(ent, Node) or ent.head not in ENTITY_KINDS or len(ent.args) != 1:
                raise _Bad("expected Declaration(Class(<iri>)) or another entity kind")
            iri = self.iri(ent.args[0])
            if iri is None:
                raise _Bad("declared entity is not an IRI")
            if ent.head == "Class":
                self.classes.setdefault(iri, ClassFact(iri))
            elif ent.head in ("ObjectProperty", "DataProperty", "AnnotationProperty"):
                old = self.props.get(iri)
                if old is None:
                    self.props[iri] = PropertyFact(iri, ent.head)
                elif old.property_type != ent.head:
                    # Declared after a domain/range implied another kind: the declaration wins.
                    self.props[iri] = old._replace(property_type=ent.head)
            else:
                self.axioms.append(AxiomFact("Declaration", iri, ent.head))
            return

        if head == "AnnotationAssertion":
            prop = self.iri(args[0])
            subject = self.iri(args[1])
            value = args[2]
            if prop is None or subject is None:
                raise _Bad("expected AnnotationAssertion(property subject value)")
            obj = plain[0] + " " + plain[2]
            if prop in (RDFS_LABEL, RDFS_COMMENT) and isinstance(value, Atom) and value.kind == "literal":
                # Decided in finish(): a label of a declared entity, or an axiom like any other.
                self.pending_labels.append((prop, subject, _unquote(value.text), obj, full))
                return
            self.axioms.append(AxiomFact(head, subject, obj, {"ofn": full}))
            return

        if head in _DOMAIN_RANGE:
            ptype, slot = _DOMAIN_RANGE[head]
            prop = self.iri(args[0])
            if prop is not None:
                value = plain[1]
                if value.startswith("<") and value.endswith(">") and " " not in value:
                    value = value[1:-1]
                old = self.props.get(prop) or PropertyFact(prop, ptype)
                if getattr(old, slot) is None:
                    self.props[prop] = old._replace(**{slot: value})
                    return
                if getattr(old, slot) == value:
                    return
                self.props.setdefault(prop, old)

        first = self.iri(args[0])
        if first is not None:
            subject = first
            obj = " ".join(plain[1:]) or None
        else:
            subject = self.first_iri(args) or ""
            obj = " ".join(plain)
        self.axioms.append(AxiomFact(head, subject, obj, {"ofn": full}))

    # -- result -----------------------------------------------------------------------------------------
    def finish(self) -> FileFacts:
        facts = self.facts
        if self.suppressed:
            last = facts.warnings[-1].line if facts.warnings else None
            facts.warnings.append(
                ParseWarning("fence-syntax", f"{self.suppressed} more unreadable forms not reported", last)
            )
        for prop, subject, text, obj, full in self.pending_labels:
            if prop == RDFS_LABEL and (subject in self.classes or subject in self.props):
                self.labels.setdefault(subject, text)
            elif prop == RDFS_COMMENT and subject in self.classes:
                self.comments.setdefault(subject, text)
            else:
                self.axioms.append(AxiomFact("AnnotationAssertion", subject, obj, {"ofn": full}))
        for iri, cls in self.classes.items():
            facts.classes.append(cls._replace(label=self.labels.get(iri), comment=self.comments.get(iri)))
        for iri, prop in self.props.items():
            label = self.labels.get(iri)
            facts.properties.append(prop._replace(label=label) if label else prop)
        facts.edges.extend(self.edges.values())
        facts.axioms.extend(self.axioms)
        return facts


def _unquote(literal: str) -> str:
    """The text of a quoted literal, with OFN's two escapes (`\\"` and `\\\\`) undone."""
    body = literal[1:-1]
    if "\\" in body:
        body = body.replace('\\"', '"').replace("\\\\", "\\")
    return body


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

    def warn(message: str, line: int) -> None:
        interp.warn(message, line)

    reader = _Reader(interp.form, warn)
    reader.feed(tokenize(text))
    return interp.finish()


def decode_source(data: bytes) -> str:
    """UTF-8 text of a file, BOM stripped, CRLF made LF; ParseError (with line) if unreadable.

    Only two things make a file unreadable: bytes that are not UTF-8 and NUL bytes (a binary
    file, or a truncated write). The error names the line of the first offending byte.
    """
    bad_at: int | None = None
    reason = ""
    nul = data.find(b"\x00")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_at, reason = exc.start, f"invalid UTF-8 (byte 0x{data[exc.start]:02x})"
        text = ""
    if nul >= 0 and (bad_at is None or nul < bad_at):
        bad_at, reason = nul, "NUL byte (binary file?)"
    if bad_at is not None:
        line = data.count(b"\n", 0, bad_at) + 1
        raise ParseError(f"{reason} at line {line}", line=line)
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


def parse_ofn_document(path: str, data: bytes, options: ParseOptions) -> FileFacts:
    """A `.ofn` file (or a `.owl` that sniffs as functional syntax).

    `Ontology(<iri>` gives `ontology_id`; `Prefix(...)` declarations extend the namespace table for
    this file. Unreadable forms are warnings; only undecodable bytes raise ParseError.
    """
    text = decode_source(data)
    return parse_ofn_text(text, options, 0, None, fmt="ofn")
