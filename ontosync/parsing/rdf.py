"""RDF files (Turtle, RDF/XML, N-Triples, JSON-LD) to plain facts.

Why pyoxigraph and not rdflib: pyoxigraph parses about 30 times faster, rejects every W3C negative
Turtle syntax test (rdflib accepts some malformed documents) and imports in a few milliseconds
(`import rdflib` alone costs ~160 ms per worker). It also parses JSON-LD offline and has no loader
for remote contexts in its Python API, so rdflib (whose JSON-LD parser fetches remote contexts) is
not imported here at all. rdflib stays the independent reference in the tests.

Quads become plain tuples of strings (IRI: the IRI; blank node: "_:" + id; literal: the pyoxigraph
`Literal`) and the facts are extracted with dicts; there is no graph object.

The work is split by job: `xml_guard` (RDF/XML transcoding and the hostile-markup scan),
`jsonld_context` (local JSON-LD contexts), `class_expressions` (the quad index and the renderer of
class expressions), `rdf_vocab` (IRIs and shared helpers); this module parses and extracts facts.

Hostile input (everything here must hold before a parser sees the bytes):

* RDF/XML is pre-scanned (`xml_guard.check_xml`): no external DTD, no external or parameter entity, no entity
  whose value refers to another entity, a cap on declared entities and on the bytes their
  references expand to, no DOCTYPE or ENTITY markup outside the one vetted DOCTYPE (pyoxigraph reads
  entity declarations from any DOCTYPE it meets, even inside DTD comments), and a cap on element
  nesting (pyoxigraph's RDF/XML parser is quadratic in nesting depth: 100,000 levels take minutes).
  Nothing is fetched or read: the scan only looks at the bytes given.
* JSON-LD contexts given by URL are replaced by the local copies the user mapped in
  `ParseOptions.jsonld_contexts`; any other URL is a ParseError. (pyoxigraph would refuse to fetch
  them anyway; the substitution makes mapped contexts work and the message actionable.)
* Deep nesting: Turtle collections nested 100,000 deep parse cleanly in pyoxigraph (it keeps its own
  stack); JSON nested beyond Python's recursion limit is a ParseError; rendering of class expressions
  is iterative, depth- and size-limited.
* Error messages are cut to a few hundred characters (a 10 MB bad line is not echoed back).
"""

from __future__ import annotations

import codecs
import gc
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pyoxigraph as ox

from ontosync.parsing import ParseOptions, axiom_annotations, fence_notes, jsonld_errors, rdf_statements
from ontosync.parsing.class_expressions import Index, Renderer, Unrenderable
from ontosync.parsing.facts import AxiomFact, ClassFact, EdgeFact, FileFacts, ParseError, ParseWarning, PropertyFact
from ontosync.parsing.jsonld_context import inline_jsonld_contexts, lone_surrogate
from ontosync.parsing.jsonld_ids import dropped_nodes
from ontosync.parsing.language_tags import language_map_tags, mask_empty_xml_lang, unmask, written_tags
from ontosync.parsing.rdf_vocab import (
    DEFINITION_PREDICATES,
    EXPLICIT_PROPERTY_TYPES,
    MAX_MESSAGE,
    OBJECT_ONLY_CHARACTERISTICS,
    OWL,
    OWL_ALL_DISJOINT_CLASSES,
    OWL_CLASS,
    OWL_DISJOINT_WITH,
    OWL_EQUIVALENT_CLASS,
    OWL_FUNCTIONAL_PROPERTY,
    OWL_MEMBERS,
    OWL_ONTOLOGY,
    RDF,
    RDF_NIL,
    RDF_PROPERTY,
    RDF_TYPE,
    RDFS_CLASS,
    RDFS_DATATYPE,
    RDFS_DOMAIN,
    RDFS_LABEL,
    RDFS_RANGE,
    RDFS_SUBCLASS,
    best_text,
    bound_text,
    clip,
    disjoint_row,
    is_iri,
)
from ontosync.parsing.xml_base import resolve_xml_bases
from ontosync.parsing.xml_guard import OWL_XML_SKIPPED, check_xml, is_owl_xml, refuse_non_xml, to_utf8_xml
from ontosync.parsing.xml_literals import fix_xml_literals, has_xml_literals, mark_empty_literals
from ontosync.parsing.xml_node_elements import check_node_elements

__all__ = ["MAX_MESSAGE", "OWL", "OWL_CLASS", "parse_rdf"]  # the constants: for tests and callers

_FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, "Turtle"),
    "ntriples": (ox.RdfFormat.N_TRIPLES, "N-Triples"),
    "rdfxml": (ox.RdfFormat.RDF_XML, "RDF/XML"),
    "jsonld": (ox.RdfFormat.JSON_LD, "JSON-LD"),
}

MAX_WARNINGS_PER_KIND = 50
MAX_OUTPUT_FLOOR = 8 << 20  # characters of axiom / domain / range text per file: max(this, ...)
MAX_OUTPUT_FACTOR = 8  # ... 8 x file size (full IRIs are ~3x prefixed names)


# --------------------------------------------------------------------------------------------------
# Entry point


def parse_rdf(path: str, data: bytes, fmt: str, options: ParseOptions) -> FileFacts:
    """Parse one RDF document: its OWL facts and its semantic-sql rows (see parse_rdf_split)."""
    facts, rows = parse_rdf_split(path, data, fmt, options)
    if rows is not None:
        facts.statements = rows()
    return facts


def parse_turtle_fence(data: bytes, options: ParseOptions) -> FileFacts:
    """A Logseq page's ```turtle fence: its facts, noted as a functional-syntax fence's are
    (parsing/fence_notes.py), and no `statements` rows (a page's are derived from its stored facts)."""
    with _gc_paused():
        facts, quads, languages = _parse_rdf("", data, "turtle", options)
        if quads is not None:  # a list already (_parse_rdf)
            fence_notes.note(facts, quads, languages)
    return facts


def parse_rdf_split(path: str, data: bytes, fmt: str,
                    options: ParseOptions) -> tuple[FileFacts, Callable[[], list[tuple]] | None]:
    """The facts, and a function that extracts the file's `statements` rows (None when the file has
    none: skipped). Split so that a worker can hand a large file's facts to the writer, which saves
    them while the rows are extracted (pipeline/handover.py); `parse_rdf` calls both at once.

    Each half runs with Python's cyclic garbage collector paused: the parse allocates a few objects
    per triple (pyoxigraph's terms, the extracted tuples) and none of them form cycles, yet each
    allocation burst made the collector walk every young object again, about a fifth of a large
    file's parse (pato-base.owl: 290 -> 230 ms). Anything cyclic left behind is collected once it
    is back on.
    """
    with _gc_paused():
        facts, quads, languages = _parse_rdf(path, data, fmt, options)
    if quads is None:
        return facts, None

    def rows() -> list[tuple]:
        with _gc_paused():
            return rdf_statements.extract(quads, options.namespaces, path, languages)

    return facts, rows


@contextmanager
def _gc_paused() -> Iterator[None]:
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _parse_rdf(path: str, data: bytes, fmt: str,
               options: ParseOptions) -> tuple[FileFacts, list | None, dict[str, str]]:
    """Parse one RDF document and extract its OWL facts and synonyms; returns them with the quads
    (None for a skipped document), from which the caller extracts the rows, and the language tags
    as the file writes them (language_tags.py).

    `path` only names the file's blank nodes in its semantic-sql rows (rdf_statements.py): messages
    name the line and the caller reports the path. The result depends
    on `data`, `fmt` and `options` alone, and is sorted, so the database content is a function of
    the bytes (blank node ids, random in RDF/XML, never reach the output).
    """
    if fmt not in _FORMATS:
        raise ParseError(f"unsupported RDF format: {fmt}", kind="unsupported")
    ox_format, label = _FORMATS[fmt]
    if fmt != "rdfxml":  # pyoxigraph's Turtle parser rejects a BOM; RDF/XML's says UTF-8 (to_utf8_xml)
        data = data.removeprefix(codecs.BOM_UTF8)
    line_shift_cols = 0  # characters inserted at the start of line 1 (Turtle prefixes)
    keep_lines, masked, doc = True, False, None
    notes: list[ParseWarning] = []

    if fmt == "turtle":
        injected = _missing_prefix_declarations(data, options.namespaces)
        line_shift_cols = len(injected)
        data = injected + data
    elif fmt == "rdfxml":
        data = to_utf8_xml(data)
        check_xml(data)
        if RDF.encode() not in data:
            refuse_non_xml(data)
            reason = OWL_XML_SKIPPED if is_owl_xml(data) else "XML without the RDF namespace: not an RDF/XML document"
            return FileFacts(format=fmt, skipped=reason), None, {}
        data, masked = mask_empty_xml_lang(mark_empty_literals(resolve_xml_bases(data)))
    elif fmt == "jsonld":  # (`users`: the text an error's line is found in; `data` may be re-serialised)
        users, (data, keep_lines, doc) = data, inline_jsonld_contexts(data, options.jsonld_contexts)
        notes = dropped_nodes(doc)

    try:
        quads = list(ox.parse(data, format=ox_format))
        if masked:
            quads = unmask(quads, ox)
        if fmt == "rdfxml" and has_xml_literals(data):
            quads = fix_xml_literals(quads, ox)
        index = Index.build(quads, rdf_statements.SYNONYM_IRIS)
    except SyntaxError as exc:
        if fmt == "rdfxml" and is_owl_xml(data):  # other XML, as one without the RDF namespace
            return FileFacts(format=fmt, skipped=OWL_XML_SKIPPED), None, {}
        raise _failed(fmt, exc, users if fmt == "jsonld" else data, doc, keep_lines, line_shift_cols) from None
    except MemoryError as exc:  # pyoxigraph's "Reached the buffer maximal size of N": one huge term
        raise _too_long(label, data, exc, keep_lines) from None
    if fmt == "rdfxml":
        check_node_elements(data, index)
    languages = written_tags(data)
    if fmt == "jsonld" and b'"@container"' in data:  # (`data`: the text with its contexts inlined)
        languages = {**language_map_tags(doc), **languages}
    facts = _extract(fmt, index, len(data), languages, quads)
    facts.warnings = sorted(notes) + rdf_statements.triple_term_warnings(data, quads) + facts.warnings
    facts.synonyms = rdf_statements.synonyms(index.aside, options.namespaces)
    return facts, quads, languages


# --------------------------------------------------------------------------------------------------
# Errors


def _failed(fmt: str, exc: SyntaxError, data: bytes, doc: Any, keep_lines: bool, shift: int) -> ParseError:
    """The error of a document pyoxigraph refused, with its line: found again for RDF/XML, the
    member at fault for JSON-LD (`data`: the user's text, not the one with its contexts inlined); a
    TriG or N-Quads document in a triples-only syntax named so."""
    ox_format, label = _FORMATS[fmt]
    line = _locate_xml_error(data, ox_format) if fmt == "rdfxml" else None
    error = (fmt == "jsonld" and lone_surrogate(doc, data)) or _syntax_error(
        label, exc, shift, keep_lines, line)
    lines = data.split(b"\n", error.line)[:error.line] if fmt in ("turtle", "ntriples") and error.line else []
    if len(lines) == error.line and codecs.BOM_UTF8 in lines[-1] and _BOM_NAME not in error.message:
        error = ParseError(error.message.replace(" error: ", f" error: {_BOM_NAME} on this line; ", 1), error.line)
    if fmt in ("turtle", "ntriples") and _named_graphs(data):
        return ParseError(f"{label}: the file is TriG or N-Quads (it names graphs), which ontosync does not "
                          "read: save the ontology's graph as Turtle or N-Triples", error.line)
    if fmt == "ntriples" and _parses(data, ox.RdfFormat.TURTLE):
        return ParseError(f"{error.message}: the file is Turtle, which N-Triples is not (name it .ttl)", error.line)
    return jsonld_errors.located(error, str(exc.msg), doc, data, keep_lines) if fmt == "jsonld" else error


_SURROGATE = re.compile(r"escape sequence '\\u[dD][89a-fA-F][0-9a-fA-F]{2}' is encoding")
_BOM_NAME = "U+FEFF (a byte order mark: two files joined?)"  # invisible, and no syntax's character
_LOCATION_PREFIX = re.compile(r"^Parser error at line \d+ [^:]{0,80}:\s*")  # the line goes in ParseError.line


def _syntax_error(label: str, exc: SyntaxError, shift: int, keep_lines: bool, line: int | None) -> ParseError:
    """pyoxigraph's SyntaxError -> ParseError with the 1-based line (from `exc.args[1]` when the
    format has a location) and a message without pyoxigraph's own location prefix."""
    raw = (exc.msg if isinstance(exc.msg, str) else str(exc)).replace("\ufeff", _BOM_NAME)
    message = _LOCATION_PREFIX.sub("", raw[:4000])  # may quote a whole 10 MB line
    if line is None and keep_lines and exc.lineno:
        line = exc.lineno
        column = exc.offset
        if column and line == 1:
            column -= shift
        if column and column > 0:
            message = f"{message} (column {column})"
    if "No scheme found in an absolute IRI" in message:
        message += "; relative IRIs need a base (@base / xml:base): none is assumed"
    if _SURROGATE.search(message):  # Turtle's escapes are code points; Java's and JSON's, UTF-16 units
        message += ("; it is half of a UTF-16 surrogate pair, not a character: write the character itself "
                    "or one \\U0001F600-style escape")
    if "No LoadDocumentCallback" in message:  # belt and braces: contexts are inlined before parsing
        message = "remote JSON-LD context not fetched; map it to a local file in .ontosync.yml"
    return ParseError(clip(f"{label} syntax error: {message}"), line)


def _parses(data: bytes, syntax: ox.RdfFormat) -> bool:
    """Whether `data` is a document of `syntax` (a `.nt` file that failed may be Turtle: rdflib's
    serializer writes whatever it is asked to under the name it is given). Error path only; the W3C
    suite's N-Triples with `@prefix` must fail, so it is named, not read."""
    try:
        for _ in ox.parse(data, format=syntax):
            pass
    except (SyntaxError, MemoryError):
        return False
    return True


def _named_graphs(data: bytes) -> bool:
    """Whether a document that failed as Turtle or N-Triples is TriG or N-Quads with a named graph:
    such a file named `.ttl`, `.nt` or `.owl` failed "{ is not a valid predicate" or "A dot is
    expected at the end of statements", which sent users looking for a typo. Error path only."""
    for syntax in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
        try:
            if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in ox.parse(data, format=syntax)):
                return True
        except (SyntaxError, MemoryError):
            continue
    return False


def _too_long(label: str, data: bytes, exc: MemoryError, keep_lines: bool) -> ParseError | MemoryError:
    """pyoxigraph's text parsers hold one term (a literal, an IRI) in a buffer of at most 16 MiB;
    past it they raise MemoryError, which said "file too complex to parse". The line named is the
    first that long (a term spread over lines of a triple-quoted literal gets none)."""
    found = re.search(r"maximal size of (\d+)", str(exc))
    if found is None:
        return exc
    limit = int(found.group(1))
    line, start = (1 if keep_lines else None), 0
    while line is not None:
        end = data.find(b"\n", start)
        if (len(data) if end < 0 else end) - start > limit:
            break
        line, start = (None, 0) if end < 0 else (line + 1, end + 1)
    return ParseError(f"{label}: a term (a literal or an IRI) is over {limit // 2**20} MiB, the parser's limit; "
                      "keep such text out of the ontology file", line)


def _locate_xml_error(data: bytes, ox_format: ox.RdfFormat) -> int | None:
    """pyoxigraph's RDF/XML errors carry no position: parse again feeding one line per read and
    report the line the parser had reached when it failed. Only runs on the error path."""
    reader = _LineReader(data)
    try:
        for _ in ox.parse(reader, format=ox_format):
            pass
    except Exception:  # the first parse already failed: any failure here is located the same way
        return data.count(b"\n", 0, max(reader.consumed - 1, 0)) + 1
    return None


class _LineReader:
    """A file-like object that returns at most one line per `read`, counting bytes handed out."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.consumed = 0

    def read(self, size: int = -1) -> bytes:
        start = self.consumed
        limit = len(self._data) if size is None or size < 0 else min(len(self._data), start + size)
        end = self._data.find(b"\n", start, limit)  # bounded: no rescans of a 10 MB line
        end = limit if end < 0 else end + 1
        self.consumed = end
        return self._data[start:end]

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def readable(self) -> bool:
        return True


# --------------------------------------------------------------------------------------------------
# Turtle: prefixes from ParseOptions.namespaces

_PN_PREFIX = re.compile(r"[A-Za-z](?:[\w.\-]*[\w\-])?", re.ASCII)
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_DECLARED_PREFIX = re.compile(rb"prefix[ \t\r\n]+([^ \t\r\n:]*):")  # on lower-cased text


def _missing_prefix_declarations(data: bytes, namespaces: dict[str, str]) -> bytes:
    """`@prefix` declarations for table prefixes the document uses but does not declare.

    Logseq fences often omit `@prefix` lines. The declarations go in front of line 1 without a
    newline, so every reported line number stays that of the user's text (the column on line 1 is
    corrected). A document's own declaration (`@prefix` or SPARQL-style `PREFIX`) always wins: the
    prefix is not injected. "Uses" means `name:` occurs anywhere (plain substring searches, linear
    even on a 10 MB line); a prefix mentioned only in a string or comment gets a declaration that
    produces nothing. Table entries that are not valid prefix names or whose IRI could break out of
    `<...>` are never injected; the empty prefix is never injected.
    """
    candidates = {p: iri for p, iri in namespaces.items()
                  if _PN_PREFIX.fullmatch(p) and not _IRI_UNSAFE.search(iri) and f"{p}:".encode() in data}
    if not candidates:
        return b""
    # bytes.lower() only folds ASCII, so offsets match: the keyword is case-insensitive, the name not.
    declared = {data[m.start(1) : m.end(1)].decode("utf-8", "replace")
                for m in _DECLARED_PREFIX.finditer(data.lower())}
    used = sorted(p for p in candidates if p not in declared)
    return "".join(f"@prefix {p}: <{candidates[p]}> . " for p in used).encode()


# --------------------------------------------------------------------------------------------------
# Literal choice and rendering


def _best_literal(values: Iterable[Any]) -> str | None:
    """rdf_vocab.best_text among the literals of `values`; non-literals are ignored."""
    return best_text((v.value, v.language or "") for v in values if isinstance(v, ox.Literal))


# --------------------------------------------------------------------------------------------------
# Extraction


def _property_type(types: set[str], ranges: list[Any], renderer: Renderer) -> tuple[str | None, list[str]]:
    """(chosen type, explicit OWL property types found).

    Explicit OWL types win in the order ObjectProperty, DataProperty, AnnotationProperty (an
    object property cannot also be a data or annotation property in OWL 2 DL; the first is the most
    informative). Without one: an object-only characteristic (transitive, symmetric, ...) means
    ObjectProperty; plain `rdf:Property` or `owl:FunctionalProperty` means DataProperty when it has
    ranges and all are datatypes, else ObjectProperty (RDFS vocabularies such as schema.org, FOAF
    and Dublin Core declare their properties this way).
    """
    explicit = [name for iri, name in EXPLICIT_PROPERTY_TYPES if iri in types]
    if explicit:
        return explicit[0], explicit
    if types & OBJECT_ONLY_CHARACTERISTICS:
        return "ObjectProperty", []
    if RDF_PROPERTY in types or OWL_FUNCTIONAL_PROPERTY in types:
        named = [r for r in ranges if is_iri(r)]
        if named and all(renderer.is_data_range(r) for r in named):
            return "DataProperty", []
        return "ObjectProperty", []
    return None, []


class _Warnings:
    """Collects warnings; at most MAX_WARNINGS_PER_KIND of each kind (then a count)."""

    def __init__(self) -> None:
        self.items: dict[str, set[ParseWarning]] = {}

    def add(self, kind: str, message: str) -> None:
        self.items.setdefault(kind, set()).add(ParseWarning(kind, clip(message, 500)))

    def sorted(self) -> list[ParseWarning]:
        out: list[ParseWarning] = []
        for kind in sorted(self.items):
            found = sorted(self.items[kind])
            out += found[:MAX_WARNINGS_PER_KIND]
            if len(found) > MAX_WARNINGS_PER_KIND:
                out.append(ParseWarning(kind, f"{len(found) - MAX_WARNINGS_PER_KIND} more warnings of this kind"))
        return out


def _extract(fmt: str, index: Index, size: int, languages: dict[str, str], quads: list) -> FileFacts:
    """Facts from the index. Every list is sorted and de-duplicated: output depends on content only.

    Shared blank nodes let a small file name the same huge expression many times; the text that
    would be written is capped (`MAX_OUTPUT_FACTOR` x file size) and a file over it fails as a whole,
    so the outcome never depends on which axioms happened to come first.
    """
    ex = _Extraction(index)
    ex.renderer.languages = languages
    ontology_id = ex.ontology_id()
    classes = ex.classes()
    edges: set[EdgeFact] = set()
    axioms: set[AxiomFact] = set()
    for pred, axiom_type in _PAIRWISE_AXIOMS:
        ex.pairwise_axioms(pred, axiom_type, edges, axioms)
    ex.all_disjoint_axioms(axioms)
    annotated = axiom_annotations.annotate(axioms, quads, ex.renderer, ex.render, languages, ex.warnings.add)
    properties = ex.properties()
    _check_output_size([*axioms, *annotated], properties, size)
    return FileFacts(
        format=fmt,
        ontology_id=ontology_id,
        classes=sorted(classes),
        edges=sorted(edges),
        properties=sorted(properties),
        axioms=sorted([*axioms, *annotated], key=lambda a: (a.axiom_type, a.subject, a.object or "",
                                                           str(a.annotations or ""))),
        warnings=ex.warnings.sorted(),
    )


# Predicates relating two class expressions -> the axiom each statement is.
_PAIRWISE_AXIOMS = ((RDFS_SUBCLASS, "SubClassOf"), (OWL_EQUIVALENT_CLASS, "EquivalentClasses"),
                    (OWL_DISJOINT_WITH, "DisjointClasses"))


class _Extraction:
    """The state one document's extraction shares: the index, the renderer, the typed subjects and
    the warnings. Property types are settled first: they decide Object* vs Data* in restrictions."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.warnings = _Warnings()
        self.types_of = {subject: {v for v in values if isinstance(v, str)}
                         for subject, values in index.subjects_with(RDF_TYPE)}
        self.iri_types = {s: t for s, t in self.types_of.items() if is_iri(s)}
        datatypes = {s for s, t in self.iri_types.items() if RDFS_DATATYPE in t}
        self.renderer = Renderer(index, set(), datatypes)
        self.prop_types = self._property_types()
        self.renderer.data_properties.update(p for p, t in self.prop_types.items() if t == "DataProperty")

    def _property_types(self) -> dict[str, str]:
        prop_types: dict[str, str] = {}
        for subject, types in self.iri_types.items():
            ptype, explicit = _property_type(types, self.index.get(subject, RDFS_RANGE), self.renderer)
            if ptype is None:
                continue
            prop_types[subject] = ptype
            if len(explicit) > 1:
                self.warnings.add("property-type-conflict",
                                  f"<{subject}> is typed {' and '.join(explicit)}; kept as {ptype}")
        return prop_types

    def render(self, term: Any, ctx: str, what: str) -> str | None:
        """An IRI as is, a blank node as its expression; None (and a warning) when it has none."""
        if is_iri(term):
            return term
        try:
            return self.renderer.render(term, ctx)
        except Unrenderable as exc:
            self.warnings.add("unsupported-expression", f"{what}: {exc}")
            return None

    def ontology_id(self) -> str | None:
        ontologies = sorted(s for s, t in self.iri_types.items() if OWL_ONTOLOGY in t)
        if len(ontologies) > 1:
            self.warnings.add("several-ontologies",
                              f"{len(ontologies)} owl:Ontology IRIs; none is used as ontology id")
        return ontologies[0] if len(ontologies) == 1 else None

    def classes(self) -> list[ClassFact]:
        index = self.index
        classes = []
        for subject, types in self.iri_types.items():
            if OWL_CLASS in types or RDFS_CLASS in types:
                comment = next(filter(None, (_best_literal(index.get(subject, p))
                                             for p in DEFINITION_PREDICATES)), None)
                classes.append(ClassFact(subject, _best_literal(index.get(subject, RDFS_LABEL)), comment))
        return classes

    def pairwise_axioms(self, pred: str, axiom_type: str, edges: set[EdgeFact], axioms: set[AxiomFact]) -> None:
        """Statements `A pred B`: named subclass pairs are hierarchy edges, the rest axioms."""
        for subject, objects in self.index.subjects_with(pred):
            for obj in set(objects):
                if isinstance(obj, ox.Literal):
                    self.warnings.add("literal-class", f"{axiom_type} axiom of {_named(subject)} to a literal "
                                      f"({clip(obj.value, 60)!r}) skipped: a class is an IRI or an expression")
                    continue
                if pred == RDFS_SUBCLASS and is_iri(subject) and is_iri(obj):
                    edges.add(EdgeFact(subject, obj))
                    continue
                what = f"{axiom_type} axiom of {_named(subject)} skipped"
                left, right = self.render(subject, "class", what), self.render(obj, "class", what)
                if left is not None and right is not None:
                    axioms.add(AxiomFact(axiom_type, left, right))

    def all_disjoint_axioms(self, axioms: set[AxiomFact]) -> None:
        for subject, types in self.types_of.items():
            if OWL_ALL_DISJOINT_CLASSES in types:
                axiom = self._all_disjoint(subject)
                if axiom is not None:
                    axioms.add(axiom)

    def _all_disjoint(self, subject: str) -> AxiomFact | None:
        """owl:AllDisjointClasses: two members as a pair, more as the whole n-ary axiom."""
        what = "owl:AllDisjointClasses axiom skipped"
        try:
            members = self.renderer.members(self.renderer.one(subject, OWL_MEMBERS) or RDF_NIL)
        except Unrenderable as exc:
            self.warnings.add("unsupported-expression", f"{what}: {exc}")
            return None
        rendered = [self.render(m, "class", what) for m in set(members)]
        row = None if None in rendered else disjoint_row(rendered)  # type: ignore[arg-type]
        return None if row is None else AxiomFact("DisjointClasses", *row)

    def properties(self) -> list[PropertyFact]:
        index, render = self.index, self.render
        properties = []
        for prop, ptype in self.prop_types.items():
            properties.append(PropertyFact(
                prop, ptype, _best_literal(index.get(prop, RDFS_LABEL)),
                _domain_or_range(index.get(prop, RDFS_DOMAIN), ptype, "class", render, f"domain of <{prop}>"),
                _domain_or_range(index.get(prop, RDFS_RANGE), ptype,
                                 "data" if ptype == "DataProperty" else "class", render, f"range of <{prop}>"),
            ))
        return properties


def _named(subject: str) -> str:
    return f"<{subject}>" if is_iri(subject) else "an anonymous class expression"


def _check_output_size(axioms: list[AxiomFact], properties: list[PropertyFact], size: int) -> None:
    written = sum(len(a.subject) + len(a.object or "") + len((a.annotations or {}).get("ofn", "")) for a in axioms)
    written += sum(len(p.domain or "") + len(p.range or "") for p in properties)
    budget = max(MAX_OUTPUT_FLOOR, MAX_OUTPUT_FACTOR * size)
    if written > budget:
        raise ParseError(f"class expressions would be written as {written} characters, over the limit of "
                         f"{budget} for this file (blank nodes shared by many axioms?)")


def _domain_or_range(values: list[Any], ptype: str, ctx: str, render: Any, what: str) -> str | None:
    """One IRI as is; one blank node as its class expression / data range; several: their
    intersection (ObjectIntersectionOf / DataIntersectionOf, members sorted), which is what several
    rdfs:domain or rdfs:range statements mean. Annotation properties: the smallest IRI (their
    domains and ranges have no intersection semantics and are IRIs)."""
    terms = sorted({v for v in values if not isinstance(v, ox.Literal)})
    if ptype == "AnnotationProperty":
        iris = [t for t in terms if is_iri(t)]
        return iris[0] if iris else None
    rendered = [render(t, ctx, f"{what} skipped") for t in terms]
    if not rendered or None in rendered:
        return None
    return bound_text(rendered, ctx == "data")  # type: ignore[arg-type]
