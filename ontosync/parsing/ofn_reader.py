"""Reading OWL functional syntax (and its Logseq dialect) into forms, with no facts yet.

`tokenize` splits the text; `Reader` builds `Node`s and `Atom`s without recursion and hands each
top-level form to a callback as soon as it closes, repairing a missing `)` before the next axiom
keyword. What the forms mean is `ontosync.parsing.ofn`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import ClassVar

from ontosync.parsing.words import words

# Deeper nesting than any real axiom; keeps the (bounded) recursive renderer far from Python's limit.
# The levels of one axiom's expressions, as the RDF reader's class_expressions.MAX_EXPR_DEPTH.
MAX_DEPTH = 64


AXIOMS: frozenset[str] = words(
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
INNER: frozenset[str] = words(
    """Class ObjectProperty DataProperty AnnotationProperty NamedIndividual Datatype Annotation
    ObjectIntersectionOf ObjectUnionOf ObjectComplementOf ObjectOneOf ObjectSomeValuesFrom
    ObjectAllValuesFrom ObjectHasValue ObjectHasSelf ObjectMinCardinality ObjectMaxCardinality
    ObjectExactCardinality DataSomeValuesFrom DataAllValuesFrom DataHasValue DataMinCardinality
    DataMaxCardinality DataExactCardinality ObjectInverseOf ObjectPropertyChain DataIntersectionOf
    DataUnionOf DataComplementOf DataOneOf DatatypeRestriction Body Head ClassAtom
    ObjectPropertyAtom DataPropertyAtom DataRangeAtom BuiltInAtom SameIndividualAtom
    DifferentIndividualsAtom Variable"""
)


# (minimum, maximum or None) number of arguments, axiom annotations not counted.
ARITY: dict[str, tuple[int, int | None]] = {
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
    ARITY[f"{_name}PropertyDomain"] = (2, 2)
    ARITY[f"{_name}PropertyRange"] = (2, 2)
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
    ARITY[_name] = (1, 1)


def arity_problem(head: str, count: int) -> str | None:
    """What is wrong with `count` arguments (annotations not counted) for axiom `head`, or None."""
    lo, hi = ARITY.get(head, (1, None))
    if count < lo or (hi is not None and count > hi):
        want = str(lo) if lo == hi else f"{lo}+" if hi is None else f"{lo}-{hi}"
        return f"expected {want} arguments, got {count}"
    return None



# One pass over the text. Order matters: IRIs and strings before comments, so `#` inside them
# is content. An `<IRI>` with a character no IRI may hold (a space, `|`, `{`, a control character
# such as a terminal's escape, which the other readers refuse too...) is an error token up
# to its `>`, so the rest of its line still reads; an unterminated string or IRI is one up to the end
# of its line. A line ends at LF, CR or CRLF (OWL 2: a comment ends at either character).
_TOKEN = re.compile(
    r"""
    (?P<nl>\r\n?|\n)
    |(?P<ws>[ \t\f\v]+)
    |(?P<comment>[\#;][^\n\r]*)
    |(?P<iri><[^<>"\s{}|\\^`\x00-\x20\x7f-\x9f]*>)
    |(?P<str>"[^"\\]*(?:\\.[^"\\]*)*")
    |(?P<badiri><[^<>\n\r]*>)
    |(?P<badstr>["<][^\n\r]*)
    |(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    |(?P<dt>\^\^)
    |(?P<lp>\()
    |(?P<rp>\))
    |(?P<eq>=)
    |(?P<word>[^\s()"<>=\#;@^]+)
    |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FRAGMENT = re.compile(r"[^\s()]*")  # what a `#` glued to a name was likely meant to add to it
_KEYWORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


@dataclass(slots=True)
class Node:
    """`head(args)`; head None for a bare parenthesised list (as in `HasKey(C (p) ())`)."""

    head: str | None
    args: list
    line: int
    repaired: bool = False
    commented: int | None = None  # repaired: the line of a comment that held its `)`


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
    commented: int | None = None  # the line of a comment holding a `)` while this was the innermost open form


class Reader:
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
            if top is not None and self._header(top, item):
                return
            if isinstance(item, Node):
                if self.junk_line is not None and item.head not in AXIOMS:
                    # `AI Principles (fairness, ...)`: part of the same prose run.
                    self.junk(item.head or "(", line)
                    return
                self.flush_junk()
                self.emit(item)
            else:
                self.junk(item.text, line)
        else:
            self.stack[-1].args.append(item)

    def _header(self, top: _Frame, item) -> bool:
        """`Ontology(<iri> <version> ...`'s IRIs: the atoms naming one (`<...>` or an abbreviated
        IRI, OWL 2's `ontologyIRI`) before anything else, emitted as `OntologyIRI` and `VersionIRI`
        (True: `item` taken). Anything else first makes the ontology anonymous: an `OntologyIRI`
        without argument, as an empty `Ontology()` at its `)`. Either way the header then ends: an
        IRI after the first axiom is no version IRI."""
        if len(top.args) >= 2:
            return False
        if isinstance(item, Atom) and (
                item.kind == "iri" or (item.kind == "word" and ":" in item.text and not item.text.startswith("_:"))):
            top.args.append(item)
            self.emit(Node("OntologyIRI" if len(top.args) == 1 else "VersionIRI", [item], item.line))
            return True
        if not top.args:
            self.emit(Node("OntologyIRI", [], top.line))
        top.args += [None] * (2 - len(top.args))
        return False

    def _end_ontology(self) -> None:
        """The `Ontology(` frame's end, its `)` or the text's: an empty one is an anonymous ontology."""
        self._header(self.stack.pop(), None)

    def _close(self, repaired: bool) -> None:
        if self.stack[-1].head == "Ontology":
            if repaired:
                self.warn("Ontology( is not closed", self.stack[-1].line)
            self._end_ontology()
            return
        frame = self.stack.pop()
        node = Node(frame.head, frame.args, frame.line, repaired, frame.commented if repaired else None)
        self._add(node, frame.line)

    # -- tokens -------------------------------------------------------------------------------------
    def feed(self, toks: list[tuple[str, str, int]]) -> None:
        """Read all tokens; every complete top-level form goes to `emit` as it closes.

        Each token kind has its handler (`_ON`); a handler gets the index after its token and
        returns the index of the next unread one (literals and heads consume what follows)."""
        n = len(toks)
        i = 0
        on = self._ON
        commented = toks.commented if isinstance(toks, Tokens) else {}
        while i < n:
            if i in commented:
                self._commented(*commented[i])
            kind, text, line = toks[i]
            i += 1
            if self.skip_depth:
                self.skip_depth += 1 if kind == "lp" else -1 if kind == "rp" else 0
                continue
            i = on.get(kind, Reader._on_other)(self, toks, i, kind, text, line)
        # End of text: close whatever is open.
        while self.stack:
            self._close(repaired=True)
        self.flush_junk()

    def _commented(self, count: int, line: int) -> None:
        """A comment holding `count` `)`: the innermost open forms' own, written inside it (it runs to
        the end of its line), so a repair that closes them owes them no `)` to come."""
        for frame in reversed(self.stack[-count:]):
            if frame.head != "Ontology" and frame.commented is None:
                frame.commented = line

    def _on_lp(self, toks: list, i: int, kind: str, text: str, line: int) -> int:
        self._push(None, line, functional=False)
        return i

    def _on_rp(self, toks: list, i: int, kind: str, text: str, line: int) -> int:
        if self._at_top() and self.owed:
            self.owed -= 1  # the `)` of a form already closed by a repair
        elif not self.stack:
            self.junk(")", line)
        elif self.stack[-1].head == "Ontology":
            self._end_ontology()
        else:
            self._close(repaired=False)
        return i

    def _on_word(self, toks: list, i: int, kind: str, text: str, line: int) -> int:
        nxt = toks[i][0] if i < len(toks) else None
        top = self._container()
        if top is not None and not top.functional and top.head is None and not top.args and _KEYWORD.match(text):
            self._set_lisp_head(top, text, line)
        elif nxt == "lp" and _KEYWORD.match(text):
            self._push(text, line, functional=True)
            return i + 1
        else:
            self._add(Atom("word", text, line), line)
        return i

    def _on_str(self, toks: list, i: int, kind: str, text: str, line: int) -> int:
        """A literal, with the language tag or `^^datatype` that follows it."""
        n = len(toks)
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
        return i

    def _on_iri(self, toks: list, i: int, kind: str, text: str, line: int) -> int:
        self._add(Atom("iri", text, line), line)
        return i

    def _on_glued(self, toks: list, i: int, kind: str, text: str, line: int) -> int:
        """A `#` glued to a name: a comment (`tokenize`), said, as the rest of its line is left out."""
        name, _hash, rest = text.partition("#")
        frag = _FRAGMENT.match(rest).group()[:30]
        self.warn(f"{name}#{frag}: '#' starts a comment in functional syntax (a prefixed name holds none): read "
                  f"as {name}, the rest of the line left out; an IRI with a fragment is written <...#{frag}>", line)
        return i

    def _on_other(self, toks: list, i: int, kind: str, text: str, line: int) -> int:
        """eq, and tokens that belong nowhere (lang, dt, badstr, other)."""
        self._add(Atom("junk" if kind != "eq" else "eq", text, line), line)
        return i

    _ON: ClassVar[dict[str, Callable[..., int]]] = {
        "lp": _on_lp, "rp": _on_rp, "word": _on_word, "str": _on_str, "iri": _on_iri, "glued": _on_glued}

    def _set_lisp_head(self, top: _Frame, text: str, line: int) -> None:
        if text in AXIOMS:
            self._repair_before_axiom(line, exclude_top=True)
        top.head = text

    def _push(self, head: str | None, line: int, functional: bool) -> None:
        if head in AXIOMS or head in ("Prefix", "Ontology"):
            self._repair_before_axiom(line, exclude_top=False)
        keep = 1 if self.stack and self.stack[0].head == "Ontology" else 0
        if len(self.stack) - keep > MAX_DEPTH:
            # Abandon the whole top-level form this belongs to: an axiom's expressions nest MAX_DEPTH
            # deep at most, the Ontology( and the axiom's own frames not counted, as the RDF reader
            # allows (class_expressions.MAX_EXPR_DEPTH), so both syntaxes keep or skip one axiom.
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
            owed = self.stack[-1].commented is None  # its `)` in a comment will never come
            self._close(repaired=True)
            self.owed += owed
        if moved is not None:
            self.stack.append(moved)


class Tokens(list):
    """`tokenize`'s tokens; `commented`: index of the token after a comment that holds `)` -> (how
    many, the comment's line)."""

    __slots__ = ("commented",)

    def __init__(self) -> None:
        super().__init__()
        self.commented: dict[int, tuple[int, int]] = {}


def tokenize(text: str) -> Tokens:
    """(kind, text, 1-based line) for every meaningful token; whitespace and comments dropped.

    A `#` glued to a name (`:B#c`) starts a comment, as OWL 2's grammar reads it (a prefixed name is
    SPARQL's PNAME_LN, which holds no `#`; Turtle reads it so too): the name is `:B`, and a `glued`
    token (the name and the comment) lets the reader say so, as `:B#c` was read as one IRI (a word
    with no `:`, prose in a fence, is no name: its own warning says enough)."""
    out = Tokens()
    append = out.append
    line, word_end = 1, -1
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "nl":
            line += 1
            continue
        if kind == "ws" or kind == "comment":
            if m.start() == word_end and m.group()[0] == "#" and ":" in out[-1][1]:  # a name, not prose
                append(("glued", out[-1][1] + m.group(), line))
            if kind == "comment" and ")" in m.group():  # (a comment's own `(...)` is its text)
                closes = m.group().count(")") - m.group().count("(")
                if closes > 0:
                    out.commented[len(out)] = (closes, line)
            continue
        tok = m.group()
        word_end = m.end() if kind == "word" else -1
        append((kind, tok, line))  # type: ignore[arg-type]
        if kind == "str":
            line += tok.count("\n") + tok.count("\r") - tok.count("\r\n")
    return out


def unquote(literal: str) -> str:
    """The text of a quoted literal, with OFN's two escapes (`\\"` and `\\\\`) undone."""
    body = literal[1:-1]
    if "\\" in body:
        body = body.replace('\\"', '"').replace("\\\\", "\\")
    return body


PLAIN_LITERAL = "http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral"
_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*\Z")


def shorten(atom: Atom, datatype: Callable[[Atom], str | None]) -> Atom:
    """Literal `atom`, or the literal it is when it is `"abc@en"^^rdf:PlainLiteral` (`"abc"@en`) or
    `"abc@"^^rdf:PlainLiteral` (`"abc"`): OWL 2's structural specification (section 5.7) makes them
    one literal, which RDF writes only so, and its text, its triple and a label must read the same.
    `datatype` gives a literal's full datatype IRI. Another lexical form of rdf:PlainLiteral
    (`"a@b.org"`: no language tag) has no value, and stays as written."""
    if atom.datatype is None or atom.lang or "@" not in atom.text or datatype(atom) != PLAIN_LITERAL:
        return atom
    body, at, tag = atom.text[1:-1].rpartition("@")
    if not at or (tag and not _TAG.match(tag)):
        return atom
    return replace(atom, text=f'"{body}"', lang=tag or None, datatype=None)
