"""RDF files (Turtle, RDF/XML, N-Triples, JSON-LD) to plain facts.

Why pyoxigraph and not rdflib: pyoxigraph parses about 30 times faster, rejects every W3C negative
Turtle syntax test (rdflib accepts some malformed documents) and imports in a few milliseconds
(`import rdflib` alone costs ~160 ms per worker). It also parses JSON-LD offline and has no loader
for remote contexts in its Python API, so rdflib (whose JSON-LD parser fetches remote contexts) is
not imported here at all. rdflib stays the independent reference in the tests.

Quads become plain tuples of strings (IRI: the IRI; blank node: "_:" + id; literal: the pyoxigraph
`Literal`) and the facts are extracted with dicts; there is no graph object.

Hostile input (everything here must hold before a parser sees the bytes):

* RDF/XML is pre-scanned (`_check_xml`): no external DTD, no external or parameter entity, no entity
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
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox

from ontosync.parsing import ParseOptions, rdf_statements
from ontosync.parsing.facts import AxiomFact, ClassFact, EdgeFact, FileFacts, ParseError, ParseWarning, PropertyFact

__all__ = ["parse_rdf"]

# --------------------------------------------------------------------------------------------------
# Vocabulary

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
_CARDINALITIES = {
    OWL + "cardinality": ("ExactCardinality", False),
    OWL + "minCardinality": ("MinCardinality", False),
    OWL + "maxCardinality": ("MaxCardinality", False),
    OWL + "qualifiedCardinality": ("ExactCardinality", True),
    OWL + "minQualifiedCardinality": ("MinCardinality", True),
    OWL + "maxQualifiedCardinality": ("MaxCardinality", True),
}
_FILLERS = (OWL_SOME, OWL_ALL, OWL_HAS_VALUE, OWL_HAS_SELF, *_CARDINALITIES)

_FACETS = frozenset(XSD + f for f in (
    "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "length", "minLength", "maxLength",
    "pattern", "totalDigits", "fractionDigits")) | {RDF + "langRange"}

# Named datatypes: a filler among these makes a restriction a data restriction.
_BUILTIN_DATATYPES = frozenset({
    RDFS + "Literal", RDF + "PlainLiteral", RDF + "langString", RDF + "XMLLiteral", RDF + "HTML",
    RDF + "JSON", OWL + "real", OWL + "rational"})

# Property types in order of precedence when an IRI is typed several ways (see _property_type).
_EXPLICIT_PROPERTY_TYPES = (
    (OWL_OBJECT_PROPERTY, "ObjectProperty"),
    (OWL_DATATYPE_PROPERTY, "DataProperty"),
    (OWL_ANNOTATION_PROPERTY, "AnnotationProperty"),
)
# Characteristics that only object properties can have (OWL 2 RDF mapping).
_OBJECT_ONLY_CHARACTERISTICS = frozenset(OWL + t for t in (
    "TransitiveProperty", "SymmetricProperty", "AsymmetricProperty", "ReflexiveProperty",
    "IrreflexiveProperty", "InverseFunctionalProperty"))

# Only triples with these predicates are kept; everything else is dropped while streaming.
_KEEP = frozenset({
    RDF_TYPE, RDF_FIRST, RDF_REST, RDFS_LABEL, RDFS_COMMENT, RDFS_SUBCLASS, RDFS_DOMAIN, RDFS_RANGE,
    IAO_DEFINITION, SKOS_DEFINITION, OWL_EQUIVALENT_CLASS, OWL_DISJOINT_WITH, OWL_MEMBERS,
    OWL_ON_PROPERTY, OWL_ON_PROPERTIES, OWL_INVERSE_OF, OWL_ON_CLASS, OWL_ON_DATA_RANGE, OWL_ON_DATATYPE,
    OWL_WITH_RESTRICTIONS, OWL_DATATYPE_COMPLEMENT_OF, OWL_INTERSECTION_OF, OWL_UNION_OF,
    OWL_COMPLEMENT_OF, OWL_ONE_OF, *_FILLERS, *_FACETS,
})

_FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, "Turtle"),
    "ntriples": (ox.RdfFormat.N_TRIPLES, "N-Triples"),
    "rdfxml": (ox.RdfFormat.RDF_XML, "RDF/XML"),
    "jsonld": (ox.RdfFormat.JSON_LD, "JSON-LD"),
}

# --------------------------------------------------------------------------------------------------
# Limits (generous for real ontologies, small enough that hostile files fail fast)

MAX_MESSAGE = 300  # characters of a parser message kept in ParseError / ParseWarning
MAX_XML_DEPTH = 512  # element nesting in RDF/XML (real OBO files: < 20)
MAX_XML_ENTITIES = 256  # internal entities declared in one DOCTYPE (OBO files: ~10)
MAX_XML_ENTITY_VALUE = 4096  # bytes of one entity value (OBO: an IRI prefix)
MAX_XML_ENTITY_TOTAL = 64 * 1024  # bytes of all entity values together
MAX_XML_EXPANSION_FLOOR = 1 << 20  # entity references may add max(this, 4 x file size) bytes
MAX_JSONLD_CONTEXTS = 64  # local context substitutions per document (also stops cycles)
MAX_EXPR_DEPTH = 64  # nesting of one class expression
MAX_EXPR_CHARS = 100_000  # rendered text of one class expression
MAX_LIST = 10_000  # members of one RDF list
MAX_WARNINGS_PER_KIND = 50
MAX_OUTPUT_FLOOR = 8 << 20  # characters of axiom / domain / range text per file: max(this, ...)
MAX_OUTPUT_FACTOR = 8  # ... 8 x file size (full IRIs are ~3x prefixed names)


class _Unrenderable(Exception):
    """A class expression that cannot be rendered; the reason never names blank node ids."""


# --------------------------------------------------------------------------------------------------
# Entry point


def parse_rdf(path: str, data: bytes, fmt: str, options: ParseOptions) -> FileFacts:
    """Parse one RDF document and extract its OWL facts.

    `path` only names the file's blank nodes in its semantic-sql rows (rdf_statements.py): messages
    name the line and the caller reports the path. The result depends
    on `data`, `fmt` and `options` alone, and is sorted, so the database content is a function of
    the bytes (blank node ids, random in RDF/XML, never reach the output).
    """
    if fmt not in _FORMATS:
        raise ParseError(f"unsupported RDF format: {fmt}", kind="unsupported")
    ox_format, label = _FORMATS[fmt]
    data = data.removeprefix(codecs.BOM_UTF8)  # pyoxigraph's Turtle parser rejects a BOM
    line_shift_cols = 0  # characters inserted at the start of line 1 (Turtle prefixes)
    keep_lines = True

    if fmt == "turtle":
        injected = _missing_prefix_declarations(data, options.namespaces)
        line_shift_cols = len(injected)
        data = injected + data
    elif fmt == "rdfxml":
        data = _to_utf8_xml(data)
        _check_xml(data)
        if RDF.encode() not in data:
            _refuse_non_xml(data)
            return FileFacts(format=fmt, skipped="XML without the RDF namespace: not an RDF/XML document")
    elif fmt == "jsonld":
        data, keep_lines = _inline_jsonld_contexts(data, options.jsonld_contexts)

    try:
        quads = list(ox.parse(data, format=ox_format))
        index = _Index.build(quads)
    except SyntaxError as exc:
        line = None
        if fmt == "rdfxml":
            line = _locate_xml_error(data, ox_format)
        raise _syntax_error(label, exc, line_shift_cols, keep_lines, line) from None
    facts = _extract(fmt, index, len(data))
    facts.statements, facts.synonyms = rdf_statements.extract(quads, options.namespaces, path)
    return facts


# --------------------------------------------------------------------------------------------------
# Errors


_LOCATION_PREFIX = re.compile(r"^Parser error at line \d+ [^:]{0,80}:\s*")  # the line goes in ParseError.line


def _clip(text: str, limit: int = MAX_MESSAGE) -> str:
    """One printable line of at most `limit` characters: parser messages may quote huge input."""
    text = "".join(ch if ch.isprintable() else " " for ch in text[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _syntax_error(label: str, exc: SyntaxError, shift: int, keep_lines: bool, line: int | None) -> ParseError:
    """pyoxigraph's SyntaxError -> ParseError with the 1-based line (from `exc.args[1]` when the
    format has a location) and a message without pyoxigraph's own location prefix."""
    raw = exc.msg if isinstance(exc.msg, str) else str(exc)
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
    if "No LoadDocumentCallback" in message:  # belt and braces: contexts are inlined before parsing
        message = "remote JSON-LD context not fetched; map it to a local file in .ontosync.yml"
    return ParseError(_clip(f"{label} syntax error: {message}"), line)


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


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


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
# RDF/XML: encoding and the hostile-markup pre-scan

_XML_DECL_ENCODING = re.compile(rb"""\A(<\?xml[^>]*?\sencoding\s*=\s*)(["'])([A-Za-z][\w.\-]*)\2""")


def _to_utf8_xml(data: bytes) -> bytes:
    """pyoxigraph reads only UTF-8 XML: transcode UTF-16/32 and declared legacy encodings.

    Line breaks survive transcoding, so line numbers do not move. The scan in `_check_xml` runs
    on the transcoded bytes, which are exactly what the parser sees.
    """
    encoding = None
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            encoding = name
            break
    else:
        if data.startswith(b"<\x00?\x00"):
            encoding = "utf-16-le"
        elif data.startswith(b"\x00<\x00?"):
            encoding = "utf-16-be"
        else:
            match = _XML_DECL_ENCODING.match(data)
            if match:
                declared = match.group(3).decode("ascii").lower().replace("_", "-")
                if declared.startswith(("utf-16", "utf16", "utf-32", "utf32", "ucs")):
                    # No BOM and an ASCII `<?xml`: the bytes are not UTF-16/32 whatever the label
                    # says (a common mislabel); read them as UTF-8, as XML autodetection does.
                    return _relabel_utf8(data)
                if declared not in ("utf-8", "utf8"):
                    encoding = declared
    if encoding is None:
        return data
    try:
        text = data.decode(encoding)
    except LookupError:
        raise ParseError(f"RDF/XML: unsupported encoding {_clip(encoding, 40)!r}", 1) from None
    except UnicodeDecodeError as exc:
        line = _line_at(data, exc.start) if encoding not in ("utf-16", "utf-32") else None
        raise ParseError(f"RDF/XML: bytes that are not valid {_clip(encoding, 40)}", line) from None
    except (UnicodeError, ValueError):  # codecs that are not text encodings
        raise ParseError(f"RDF/XML: unsupported encoding {_clip(encoding, 40)!r}", 1) from None
    return _relabel_utf8(text.removeprefix("\ufeff").encode("utf-8"))


def _relabel_utf8(data: bytes) -> bytes:
    """Say UTF-8 in the XML declaration (pyoxigraph refuses any other label)."""
    match = _XML_DECL_ENCODING.match(data)
    if match:
        data = data[: match.start(3)] + b"UTF-8" + data[match.end(3):]
    return data


_WS = re.compile(rb"[ \t\r\n]*")
_ANY_DECL = re.compile(rb"<!(?i:doctype|entity)")
_XML_NAME = rb"[A-Za-z_][A-Za-z0-9._\-]*"
_ENTITY_DECL = re.compile(rb'<!ENTITY[ \t\r\n]+(' + _XML_NAME + rb')[ \t\r\n]+"([^"<>&%\[\]\']*)"[ \t\r\n]*>')
_DOCTYPE_NAME = re.compile(rb"[ \t\r\n]+[^ \t\r\n\[>]+[ \t\r\n]*")
_ENTITY_REF = re.compile(rb"&(" + _XML_NAME + rb");")
_PREDEFINED_ENTITIES = frozenset({b"lt", b"gt", b"amp", b"apos", b"quot"})
# One token per comment / CDATA / PI / tag; for tags: (closing "/", first name byte, self-closing "/").
# Quoted attribute values are skipped whole, as XML parsers do, so a "/>" or "</x>" inside one
# does not count.
_XML_TOKEN = re.compile(
    rb"<(?:!--.*?-->|!\[CDATA\[.*?\]\]>|\?.*?\?>"
    rb"""|(/?)([^!?>"'/])[^>"'/]*(?:(?:"[^"]*"|'[^']*'|/(?!>))[^>"'/]*)*(/?)>)""",
    re.S,
)


def _refuse(message: str, data: bytes, offset: int) -> ParseError:
    return ParseError(f"RDF/XML refused: {message}", _line_at(data, offset), kind="parse")


def _check_xml(data: bytes) -> None:
    """Refuse RDF/XML markup that could read files, open connections or blow up, before parsing.

    Allowed: one DOCTYPE in the prolog, without external ID, whose internal subset holds only
    comments (without markup characters) and internal general entities `<!ENTITY name "value">`
    with values that reference nothing (no `&`, `%`, `<`, `>`). That is what OBO RDF/XML files
    use (`<!ENTITY obo "http://purl.obolibrary.org/obo/">`). Everything else in a DTD is refused,
    as is any DOCTYPE or ENTITY text elsewhere in the file (even in a comment: pyoxigraph picks up
    entity declarations wherever a DOCTYPE appears, so only the vetted one may exist).
    """
    if not data.strip():
        raise ParseError("RDF/XML syntax error: empty file (an XML document needs a root element)", 1)
    pos, entities, vetted = _scan_prolog(data)
    for match in _ANY_DECL.finditer(data):
        if match.start() not in vetted:
            what = match.group(0)[2:].decode("ascii").upper()
            raise _refuse(f"{what} declaration outside the document's DOCTYPE", data, match.start())
    if pos >= len(data):
        raise ParseError("RDF/XML syntax error: no root element", _line_at(data, len(data)))
    if entities:
        total = sum(len(v) for v in entities.values())
        refs = Counter(_ENTITY_REF.findall(data, pos))
        expansion = sum(count * len(entities[name]) for name, count in refs.items() if name in entities)
        limit = max(MAX_XML_EXPANSION_FLOOR, 4 * len(data))
        if total > MAX_XML_ENTITY_TOTAL:
            raise _refuse(f"entity values total more than {MAX_XML_ENTITY_TOTAL} bytes", data, pos)
        if expansion > limit:
            raise _refuse(f"entity references would expand to {expansion} bytes (limit {limit})", data, pos)
    if _max_depth(_XML_TOKEN.findall(data, pos)) > MAX_XML_DEPTH:
        # Error path only: find where, for the line number.
        depth = 0
        for match in _XML_TOKEN.finditer(data, pos):
            closing, name, self_closing = match.groups()
            if name and not self_closing:
                depth += -1 if closing else 1
                if depth > MAX_XML_DEPTH:
                    raise _refuse(f"elements nested more than {MAX_XML_DEPTH} deep", data, match.start())


def _max_depth(tokens: list[tuple[bytes, bytes, bytes]]) -> int:
    """Deepest element nesting, from `_XML_TOKEN` matches (comments, CDATA and PIs have no name)."""
    depth = deepest = 0
    for closing, name, self_closing in tokens:
        if self_closing or not name:
            continue
        if closing:
            depth -= 1
        else:
            depth += 1
            if depth > deepest:
                deepest = depth
    return deepest


def _scan_prolog(data: bytes) -> tuple[int, dict[bytes, bytes], set[int]]:
    """Walk XML declaration, comments, PIs and the DOCTYPE up to the root element.

    Returns the offset of the root element (len(data) when there is none), the declared entities
    and the offsets of the DOCTYPE and ENTITY declarations this scan vetted.
    """
    pos = 0
    entities: dict[bytes, bytes] = {}
    vetted: set[int] = set()
    end = len(data)
    while True:
        pos = _WS.match(data, pos).end()
        if pos >= end:
            return pos, entities, vetted
        if data.startswith(b"<?", pos):
            close = data.find(b"?>", pos + 2)
            if close < 0:
                raise ParseError("RDF/XML syntax error: unterminated processing instruction", _line_at(data, pos))
            pos = close + 2
        elif data.startswith(b"<!--", pos):
            close = data.find(b"-->", pos + 4)
            if close < 0:
                raise ParseError("RDF/XML syntax error: unterminated comment", _line_at(data, pos))
            pos = close + 3
        elif data.startswith(b"<!DOCTYPE", pos) and not vetted:
            vetted.add(pos)
            pos = _scan_doctype(data, pos, entities, vetted)
        else:
            return pos, entities, vetted


def _scan_doctype(data: bytes, pos: int, entities: dict[bytes, bytes], vetted: set[int]) -> int:
    start = pos
    pos += len(b"<!DOCTYPE")
    match = _DOCTYPE_NAME.match(data, pos)
    if not match:
        raise _refuse("malformed DOCTYPE", data, start)
    pos = match.end()
    if data.startswith((b"SYSTEM", b"PUBLIC"), pos):
        raise _refuse("external DTD (DOCTYPE with SYSTEM or PUBLIC identifier) is not loaded", data, pos)
    if data.startswith(b"[", pos):
        pos += 1
        while True:
            pos = _WS.match(data, pos).end()
            if data.startswith(b"]", pos):
                pos += 1
                break
            if data.startswith(b"<!--", pos):
                close = data.find(b"-->", pos + 4)
                if close < 0:
                    raise _refuse("unterminated comment in DTD", data, pos)
                if re.search(rb"[<>\[\]&%]", data[pos + 4 : close]):
                    raise _refuse("markup characters in a DTD comment", data, pos)
                pos = close + 3
            elif data.startswith(b"<!ENTITY", pos):
                pos = _scan_entity(data, pos, entities, vetted)
            elif pos >= len(data):
                raise _refuse("unterminated DOCTYPE", data, start)
            elif data.startswith(b"%", pos):
                raise _refuse("parameter entity reference in DTD", data, pos)
            else:
                what = _clip(data[pos : pos + 12].decode("utf-8", "replace"), 12)
                raise _refuse(f"only internal entity declarations are allowed in a DTD (found {what!r})",
                              data, pos)
    pos = _WS.match(data, pos).end()
    if not data.startswith(b">", pos):
        raise _refuse("malformed DOCTYPE", data, start)
    return pos + 1


def _scan_entity(data: bytes, pos: int, entities: dict[bytes, bytes], vetted: set[int]) -> int:
    match = _ENTITY_DECL.match(data, pos)
    if match is None:
        head = data[pos : pos + 400]
        if re.match(rb"<!ENTITY[ \t\r\n]+%", head):
            reason = "parameter entity"
        elif re.match(rb"<!ENTITY[ \t\r\n]+[^ \t\r\n]+[ \t\r\n]+(?:SYSTEM|PUBLIC)\b", head):
            reason = "external entity (SYSTEM/PUBLIC) is not loaded"
        elif re.match(rb"<!ENTITY[ \t\r\n]+[^ \t\r\n]+[ \t\r\n]+[\"'][^\"']*[&%]", head):
            reason = "entity whose value refers to other entities (entity expansion)"
        else:
            reason = 'unsupported entity declaration (allowed: <!ENTITY name "value">)'
        raise _refuse(reason, data, pos)
    name, value = match.group(1), match.group(2)
    if name in entities or name in _PREDEFINED_ENTITIES:
        raise _refuse(f"entity {name.decode()!r} declared twice or redefining a predefined entity", data, pos)
    if len(value) > MAX_XML_ENTITY_VALUE:
        raise _refuse(f"entity value longer than {MAX_XML_ENTITY_VALUE} bytes", data, pos)
    if len(entities) >= MAX_XML_ENTITIES:
        raise _refuse(f"more than {MAX_XML_ENTITIES} entities", data, pos)
    entities[name] = value
    vetted.add(pos)
    return match.end()


# --------------------------------------------------------------------------------------------------
# JSON-LD: local contexts only


def _inline_jsonld_contexts(data: bytes, contexts: dict[str, str]) -> tuple[bytes, bool]:
    """Replace every context given by URL (`"@context": "url"`, in arrays, scoped contexts and
    `@import`) with the local copy mapped in `contexts`; an unmapped URL is a ParseError.

    Returns the bytes to parse and whether line numbers still refer to the user's file (False once
    the document had to be re-serialised).
    """
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ParseError(_clip(f"JSON-LD syntax error: {exc.msg} (column {exc.colno})"), exc.lineno) from None
    except RecursionError:
        raise ParseError("JSON-LD syntax error: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:  # e.g. integers over Python's digit limit
        raise ParseError(_clip(f"JSON-LD syntax error: {exc}")) from None
    substitutions = 0

    def resolve(url: str) -> Any:
        nonlocal substitutions
        if url not in contexts:
            raise ParseError(_clip(f"remote JSON-LD context {url!r} not fetched; "
                                   "map it to a local file in .ontosync.yml"))
        substitutions += 1
        if substitutions > MAX_JSONLD_CONTEXTS:
            raise ParseError(f"JSON-LD: more than {MAX_JSONLD_CONTEXTS} context substitutions "
                             "(a context that includes itself?)")
        try:
            local = json.loads(contexts[url])
        except (ValueError, RecursionError):
            raise ParseError(_clip(f"JSON-LD: the local copy of context {url!r} is not valid JSON")) from None
        if not isinstance(local, dict) or "@context" not in local:
            raise ParseError(_clip(f"JSON-LD: the local copy of context {url!r} has no @context"))
        return local["@context"]

    def substitute(value: Any) -> Any:
        """A context value with every URL replaced, repeatedly (a local context may name others),
        keeping order; arrays are flattened, as context arrays cannot nest."""
        if not isinstance(value, (str, list)):
            return value
        out: list[Any] = []
        pending: list[Any] = [value]
        while pending:
            item = pending.pop()
            if isinstance(item, list):
                pending.extend(reversed(item))
            elif isinstance(item, str):
                pending.append(resolve(item))
            else:
                out.append(item)
        return out[0] if len(out) == 1 and not isinstance(value, list) else out

    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("@import"), str):
            imported = substitute(node.pop("@import"))
            if not isinstance(imported, dict):
                raise ParseError("JSON-LD: an @import must refer to a context object")
            merged = {**imported, **node}
            node.clear()
            node.update(merged)
        if "@context" in node:
            node["@context"] = substitute(node["@context"])
        for key, value in node.items():
            if key != "@value" and isinstance(value, (dict, list)):
                stack.append(value)
    if not substitutions:
        return data, True
    try:  # ASCII output: lone surrogates from \u escapes stay escapes for the parser to judge
        return json.dumps(doc).encode("ascii"), False
    except (RecursionError, ValueError):
        raise ParseError("JSON-LD syntax error: nested too deeply") from None


# --------------------------------------------------------------------------------------------------
# Streaming quads into dicts


def _is_bnode(term: object) -> bool:
    return isinstance(term, str) and term.startswith("_:")


def _is_iri(term: object) -> bool:
    return isinstance(term, str) and not term.startswith("_:")


class _Index:
    """subject -> predicate -> [objects], for the predicates in _KEEP only.

    Subjects and IRI/blank-node objects are strings; literal objects stay pyoxigraph `Literal`s
    (value, language and datatype are read lazily). Triple terms (RDF 1.2) are ignored. Quads of
    every graph are merged (a JSON-LD ontology is often wrapped in a named graph).
    """

    __slots__ = ("props",)

    def __init__(self) -> None:
        self.props: dict[str, dict[str, list[Any]]] = {}

    @classmethod
    def build(cls, quads: Iterable[ox.Quad]) -> _Index:
        index = cls()
        props = index.props
        keep = _KEEP
        named, blank, literal = ox.NamedNode, ox.BlankNode, ox.Literal
        for quad in quads:
            pred = quad.predicate.value
            if pred not in keep:
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


# --------------------------------------------------------------------------------------------------
# Literal choice and rendering


def _lang_rank(lang: str) -> int:
    lang = lang.lower()
    if not lang:
        return 0
    if lang == "en":
        return 1
    if lang.startswith("en-"):
        return 2
    return 3


def _best_literal(values: Iterable[Any]) -> str | None:
    """The deterministic pick among several literals: no language tag first, then `en`, then
    `en-*`, then any other; within a rank the smallest value. Non-literals are ignored."""
    best: tuple[int, str, str] | None = None
    for value in values:
        if isinstance(value, ox.Literal):
            lang = value.language or ""
            key = (_lang_rank(lang), value.value, lang)
            if best is None or key < best:
                best = key
    return None if best is None else best[1]


def _render_literal(lit: ox.Literal) -> str:
    text = '"' + lit.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if lit.language:
        return f"{text}@{lit.language}"
    datatype = lit.datatype.value
    return text if datatype == XSD_STRING else f"{text}^^<{datatype}>"


class _Renderer:
    """Class expressions and data ranges (blank nodes) to OWL functional syntax with full IRIs.

    Iterative (an explicit stack, no recursion), bounded in depth and output size, memoised per
    (node, context) so shared sub-expressions are rendered once. A blank node in a place where an
    expression cannot be (a cycle, an anonymous individual, two fillers in one restriction) raises
    `_Unrenderable`; the caller skips that one axiom with a warning.
    """

    def __init__(self, index: _Index, data_properties: set[str], datatypes: set[str]) -> None:
        self.index = index
        self.data_properties = data_properties
        self.datatypes = datatypes
        self.memo: dict[tuple[str, str], str] = {}

    # -- public

    def render(self, term: Any, ctx: str = "class") -> str:
        """`ctx` is "class" (class expression) or "data" (data range)."""
        if not _is_bnode(term):
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
                    raise _Unrenderable(f"class expression nested more than {MAX_EXPR_DEPTH} deep")
                spec = specs[key] = self._spec(*key)
                path.add(key)
                pending = [p for p in spec[1] if isinstance(p, tuple) and _is_bnode(p[0]) and p not in self.memo]
                if pending:
                    if any(p in path for p in pending):
                        raise _Unrenderable("cyclic class expression")
                    stack.extend(reversed(pending))
                    continue
            head, parts = spec
            pieces = [p if isinstance(p, str) else (self.memo[p] if _is_bnode(p[0]) else self._leaf(p[0]))
                      for p in parts]
            text = f"{head}({' '.join(pieces)})"
            if len(text) > MAX_EXPR_CHARS:
                raise _Unrenderable(f"class expression longer than {MAX_EXPR_CHARS} characters")
            self.memo[key] = text
            path.discard(key)
            stack.pop()
        return self.memo[root]

    def is_data_range(self, term: Any) -> bool:
        if isinstance(term, ox.Literal) or term is None:
            return False
        if _is_iri(term):
            return term.startswith(XSD) or term in _BUILTIN_DATATYPES or term in self.datatypes
        by_pred = self.index.props.get(term, {})
        return (RDFS_DATATYPE in self.index.types(term) or OWL_ON_DATATYPE in by_pred
                or OWL_DATATYPE_COMPLEMENT_OF in by_pred)

    # -- internals

    @staticmethod
    def _leaf(term: Any) -> str:
        if _is_iri(term):
            return f"<{term}>"
        raise _Unrenderable("a literal where a class or datatype is expected")

    def _one(self, node: str, pred: str) -> Any:
        values = self.index.get(node, pred)
        if not values:
            return None
        if len(set(values)) > 1:
            raise _Unrenderable(f"several values of <{pred}> in one expression")
        return values[0]

    def _list(self, head: Any) -> list[Any]:
        items: list[Any] = []
        seen: set[str] = set()
        node = head
        while node != RDF_NIL:
            if not _is_bnode(node) or node in seen:
                raise _Unrenderable("malformed RDF list")
            seen.add(node)
            if len(items) >= MAX_LIST:
                raise _Unrenderable(f"RDF list longer than {MAX_LIST} items")
            first, rest = self._one(node, RDF_FIRST), self._one(node, RDF_REST)
            if first is None or rest is None:
                raise _Unrenderable("malformed RDF list")
            items.append(first)
            node = rest
        return items

    def _individual(self, term: Any) -> str:
        if _is_iri(term):
            return f"<{term}>"
        raise _Unrenderable("anonymous individual (blank node) in a class expression")

    def _literal(self, term: Any) -> str:
        if isinstance(term, ox.Literal):
            return _render_literal(term)
        raise _Unrenderable("a non-literal where a literal is expected")

    def _spec(self, node: str, ctx: str) -> tuple[str, list[Any]]:
        """(functional-syntax head, parts): parts are rendered text or (term, ctx) to render."""
        by_pred = self.index.props.get(node, {})
        if ctx == "class" and self.is_data_range(node):
            ctx = "data"
        if ctx == "class" and (OWL_ON_PROPERTY in by_pred or OWL_ON_PROPERTIES in by_pred):
            return self._restriction(node, by_pred)
        prefix = "Object" if ctx == "class" else "Data"
        for pred, name in ((OWL_INTERSECTION_OF, "IntersectionOf"), (OWL_UNION_OF, "UnionOf")):
            if pred in by_pred:
                return prefix + name, [(m, ctx) for m in self._list(self._one(node, pred))]
        if ctx == "class":
            if OWL_COMPLEMENT_OF in by_pred:
                return "ObjectComplementOf", [(self._one(node, OWL_COMPLEMENT_OF), "class")]
            if OWL_ONE_OF in by_pred:
                return "ObjectOneOf", [self._individual(m) for m in self._list(self._one(node, OWL_ONE_OF))]
            raise _Unrenderable("blank node that is not a class expression")
        if OWL_DATATYPE_COMPLEMENT_OF in by_pred:
            return "DataComplementOf", [(self._one(node, OWL_DATATYPE_COMPLEMENT_OF), "data")]
        if OWL_ONE_OF in by_pred:
            return "DataOneOf", [self._literal(m) for m in self._list(self._one(node, OWL_ONE_OF))]
        if OWL_ON_DATATYPE in by_pred:
            parts: list[Any] = [(self._one(node, OWL_ON_DATATYPE), "data")]
            for facet_node in self._list(self._one(node, OWL_WITH_RESTRICTIONS) or RDF_NIL):
                facets = [p for p in self.index.props.get(facet_node, {}) if p in _FACETS]
                if len(facets) != 1:
                    raise _Unrenderable("malformed datatype restriction")
                parts += [f"<{facets[0]}>", self._literal(self._one(facet_node, facets[0]))]
            return "DatatypeRestriction", parts
        raise _Unrenderable("blank node that is not a data range")

    def _restriction(self, node: str, by_pred: dict[str, list[Any]]) -> tuple[str, list[Any]]:
        prop = self._one(node, OWL_ON_PROPERTY)
        if prop is None:
            raise _Unrenderable("n-ary data restriction (owl:onProperties) is not supported")
        if _is_bnode(prop):
            inverse = self._one(prop, OWL_INVERSE_OF)
            if not _is_iri(inverse):
                raise _Unrenderable("restriction on an anonymous property")
            prop_text, is_data = f"ObjectInverseOf(<{inverse}>)", False
        elif _is_iri(prop):
            prop_text, is_data = f"<{prop}>", prop in self.data_properties
        else:
            raise _Unrenderable("restriction on a literal")
        kinds = [p for p in _FILLERS if p in by_pred]
        if len(kinds) != 1:
            raise _Unrenderable("restriction without exactly one kind (someValuesFrom, cardinality, ...)")
        kind = kinds[0]
        value = self._one(node, kind)
        if kind in (OWL_SOME, OWL_ALL):
            is_data = is_data or self.is_data_range(value)
            name = "SomeValuesFrom" if kind == OWL_SOME else "AllValuesFrom"
            return ("Data" if is_data else "Object") + name, [prop_text, (value, "data" if is_data else "class")]
        if kind == OWL_HAS_VALUE:
            if isinstance(value, ox.Literal):
                return "DataHasValue", [prop_text, _render_literal(value)]
            return "ObjectHasValue", [prop_text, self._individual(value)]
        if kind == OWL_HAS_SELF:
            return "ObjectHasSelf", [prop_text]
        name, qualified = _CARDINALITIES[kind]
        digits = value.value if isinstance(value, ox.Literal) else ""
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 20):
            raise _Unrenderable("cardinality that is not a non-negative integer")
        parts: list[Any] = [str(int(digits)), prop_text]
        if qualified:
            on_class, on_range = self._one(node, OWL_ON_CLASS), self._one(node, OWL_ON_DATA_RANGE)
            if (on_class is None) == (on_range is None):
                raise _Unrenderable("qualified cardinality needs exactly one of owl:onClass, owl:onDataRange")
            is_data = on_range is not None
            parts.append((on_range, "data") if is_data else (on_class, "class"))
        return ("Data" if is_data else "Object") + name, parts


# --------------------------------------------------------------------------------------------------
# Extraction


def _property_type(types: set[str], ranges: list[Any], renderer: _Renderer) -> tuple[str | None, list[str]]:
    """(chosen type, explicit OWL property types found).

    Explicit OWL types win in the order ObjectProperty, DataProperty, AnnotationProperty (an
    object property cannot also be a data or annotation property in OWL 2 DL; the first is the most
    informative). Without one: an object-only characteristic (transitive, symmetric, ...) means
    ObjectProperty; plain `rdf:Property` or `owl:FunctionalProperty` means DataProperty when it has
    ranges and all are datatypes, else ObjectProperty (RDFS vocabularies such as schema.org, FOAF
    and Dublin Core declare their properties this way).
    """
    explicit = [name for iri, name in _EXPLICIT_PROPERTY_TYPES if iri in types]
    if explicit:
        return explicit[0], explicit
    if types & _OBJECT_ONLY_CHARACTERISTICS:
        return "ObjectProperty", []
    if RDF_PROPERTY in types or OWL_FUNCTIONAL_PROPERTY in types:
        named = [r for r in ranges if _is_iri(r)]
        if named and all(renderer.is_data_range(r) for r in named):
            return "DataProperty", []
        return "ObjectProperty", []
    return None, []


class _Warnings:
    """Collects warnings; at most MAX_WARNINGS_PER_KIND of each kind (then a count)."""

    def __init__(self) -> None:
        self.items: dict[str, set[ParseWarning]] = {}

    def add(self, kind: str, message: str) -> None:
        self.items.setdefault(kind, set()).add(ParseWarning(kind, _clip(message, 500)))

    def sorted(self) -> list[ParseWarning]:
        out: list[ParseWarning] = []
        for kind in sorted(self.items):
            found = sorted(self.items[kind])
            out += found[:MAX_WARNINGS_PER_KIND]
            if len(found) > MAX_WARNINGS_PER_KIND:
                out.append(ParseWarning(kind, f"{len(found) - MAX_WARNINGS_PER_KIND} more warnings of this kind"))
        return out


def _extract(fmt: str, index: _Index, size: int) -> FileFacts:
    """Facts from the index. Every list is sorted and de-duplicated: output depends on content only.

    Shared blank nodes let a small file name the same huge expression many times; the text that
    would be written is capped (`MAX_OUTPUT_FACTOR` x file size) and a file over it fails as a whole,
    so the outcome never depends on which axioms happened to come first.
    """
    warnings = _Warnings()
    types_of: dict[str, set[str]] = {}
    for subject, values in index.subjects_with(RDF_TYPE):
        types_of[subject] = {v for v in values if isinstance(v, str)}
    iri_types = {s: t for s, t in types_of.items() if _is_iri(s)}

    ontologies = sorted(s for s, t in iri_types.items() if OWL_ONTOLOGY in t)
    if len(ontologies) > 1:
        warnings.add("several-ontologies", f"{len(ontologies)} owl:Ontology IRIs; none is used as ontology id")

    # Property types first: they decide Object* vs Data* in restrictions.
    datatypes = {s for s, t in iri_types.items() if RDFS_DATATYPE in t}
    renderer = _Renderer(index, set(), datatypes)
    prop_types: dict[str, str] = {}
    for subject, types in iri_types.items():
        ptype, explicit = _property_type(types, index.get(subject, RDFS_RANGE), renderer)
        if ptype is None:
            continue
        prop_types[subject] = ptype
        if len(explicit) > 1:
            warnings.add("property-type-conflict",
                         f"<{subject}> is typed {' and '.join(explicit)}; kept as {ptype}")
    renderer.data_properties.update(p for p, t in prop_types.items() if t == "DataProperty")

    def render(term: Any, ctx: str, what: str) -> str | None:
        if _is_iri(term):
            return term
        try:
            return renderer.render(term, ctx)
        except _Unrenderable as exc:
            warnings.add("unsupported-expression", f"{what}: {exc}")
            return None

    def subject_name(subject: str) -> str:
        return f"<{subject}>" if _is_iri(subject) else "an anonymous class expression"

    classes = []
    for subject, types in iri_types.items():
        if OWL_CLASS in types or RDFS_CLASS in types:
            comment = (_best_literal(index.get(subject, RDFS_COMMENT))
                       or _best_literal(index.get(subject, IAO_DEFINITION))
                       or _best_literal(index.get(subject, SKOS_DEFINITION)))
            classes.append(ClassFact(subject, _best_literal(index.get(subject, RDFS_LABEL)), comment))

    edges: set[EdgeFact] = set()
    axioms: set[AxiomFact] = set()
    for pred, axiom_type in ((RDFS_SUBCLASS, "SubClassOf"), (OWL_EQUIVALENT_CLASS, "EquivalentClasses"),
                             (OWL_DISJOINT_WITH, "DisjointClasses")):
        for subject, objects in index.subjects_with(pred):
            for obj in set(objects):
                if isinstance(obj, ox.Literal):
                    continue
                if pred == RDFS_SUBCLASS and _is_iri(subject) and _is_iri(obj):
                    edges.add(EdgeFact(subject, obj))
                    continue
                what = f"{axiom_type} axiom of {subject_name(subject)} skipped"
                left, right = render(subject, "class", what), render(obj, "class", what)
                if left is not None and right is not None:
                    axioms.add(AxiomFact(axiom_type, left, right))

    for subject, types in types_of.items():
        if OWL_ALL_DISJOINT_CLASSES not in types:
            continue
        what = "owl:AllDisjointClasses axiom skipped"
        try:
            members = renderer._list(renderer._one(subject, OWL_MEMBERS) or RDF_NIL)
        except _Unrenderable as exc:
            warnings.add("unsupported-expression", f"{what}: {exc}")
            continue
        rendered = [render(m, "class", what) for m in set(members)]
        if None in rendered or len(rendered) < 2:
            continue
        texts = sorted(rendered)  # type: ignore[arg-type]
        if len(texts) == 2:
            axioms.add(AxiomFact("DisjointClasses", texts[0], texts[1]))
        else:
            full = " ".join(t if not _is_iri_text(t) else f"<{t}>" for t in texts)
            axioms.add(AxiomFact("DisjointClasses", texts[0], f"DisjointClasses({full})"))

    properties = []
    for prop, ptype in prop_types.items():
        properties.append(PropertyFact(
            prop, ptype, _best_literal(index.get(prop, RDFS_LABEL)),
            _domain_or_range(index.get(prop, RDFS_DOMAIN), ptype, "class", render, f"domain of <{prop}>"),
            _domain_or_range(index.get(prop, RDFS_RANGE), ptype,
                             "data" if ptype == "DataProperty" else "class", render, f"range of <{prop}>"),
        ))

    written = sum(len(a.subject) + len(a.object or "") for a in axioms)
    written += sum(len(p.domain or "") + len(p.range or "") for p in properties)
    budget = max(MAX_OUTPUT_FLOOR, MAX_OUTPUT_FACTOR * size)
    if written > budget:
        raise ParseError(f"class expressions would be written as {written} characters, over the limit of "
                         f"{budget} for this file (blank nodes shared by many axioms?)")
    return FileFacts(
        format=fmt,
        ontology_id=ontologies[0] if len(ontologies) == 1 else None,
        classes=sorted(classes),
        edges=sorted(edges),
        properties=sorted(properties),
        axioms=sorted(axioms, key=lambda a: (a.axiom_type, a.subject, a.object or "")),
        warnings=warnings.sorted(),
    )


_FUNCTIONAL_HEAD = re.compile(r"^[A-Z][A-Za-z]*\(")


def _is_iri_text(text: str) -> bool:
    """A rendered term is either a plain IRI (no brackets) or functional syntax `Head(...)`."""
    return not _FUNCTIONAL_HEAD.match(text)


def _domain_or_range(values: list[Any], ptype: str, ctx: str, render: Any, what: str) -> str | None:
    """One IRI as is; one blank node as its class expression / data range; several: their
    intersection (ObjectIntersectionOf / DataIntersectionOf, members sorted), which is what several
    rdfs:domain or rdfs:range statements mean. Annotation properties: the smallest IRI (their
    domains and ranges have no intersection semantics and are IRIs)."""
    terms = sorted({v for v in values if not isinstance(v, ox.Literal)})
    if ptype == "AnnotationProperty":
        iris = [t for t in terms if _is_iri(t)]
        return iris[0] if iris else None
    rendered = [render(t, ctx, f"{what} skipped") for t in terms]
    if not rendered or None in rendered:
        return None
    if len(rendered) == 1:
        return rendered[0]
    parts = sorted(f"<{r}>" if _is_iri_text(r) else r for r in rendered)
    return ("DataIntersectionOf(" if ctx == "data" else "ObjectIntersectionOf(") + " ".join(parts) + ")"


def _refuse_non_xml(data: bytes) -> None:
    """Binary or non-XML bytes behind an XML extension are a failure, not a skipped document."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(f"not an RDF/XML document: invalid UTF-8 (byte 0x{data[exc.start]:02x}; binary file?)",
                         line) from None
    if b"\0" in data:
        raise ParseError("not an RDF/XML document: NUL byte (binary file?)", data[: data.index(b"\0")].count(b"\n") + 1)
    if not data.lstrip().startswith(b"<"):
        raise ParseError("not an RDF/XML document: it does not start with '<'", 1)
