"""RDF/XML before any parser sees it: transcoding to UTF-8 and the hostile-markup guard.

pyoxigraph reads entity declarations from any DOCTYPE it meets and is quadratic in element
nesting, so `check_xml` vets the bytes first: no external DTD, no external or parameter entity, no
entity whose value refers to another entity, caps on declared entities and on the bytes their
references expand to, no DOCTYPE or ENTITY markup outside the one vetted DOCTYPE, and a cap on
element nesting. Nothing is fetched or read: the scan only looks at the bytes given.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter

from ontosync.formats import NOT_READ
from ontosync.parsing.facts import ParseError
from ontosync.parsing.rdf_vocab import clip
from ontosync.parsing.text_encoding import BOMS

MAX_XML_DEPTH = 512  # element nesting in RDF/XML (real OBO files: < 20)
MAX_XML_ENTITIES = 256  # internal entities declared in one DOCTYPE (OBO files: ~10)
MAX_XML_ENTITY_VALUE = 4096  # bytes of one entity value (OBO: an IRI prefix)
MAX_XML_ENTITY_TOTAL = 64 * 1024  # bytes of all entity values together
MAX_XML_EXPANSION_FLOOR = 1 << 20  # entity references may add max(this, 4 x file size) bytes


def line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


# (blank space before it, out of place, is let be, as pyoxigraph lets it be when the label is UTF-8)
_XML_DECL_ENCODING = re.compile(rb"""\A([ \t\r\n]*<\?xml[^>]*?\sencoding\s*=\s*)(["'])([A-Za-z][\w.\-]*)\2""")


def to_utf8_xml(data: bytes) -> bytes:
    """pyoxigraph reads only UTF-8 XML: transcode UTF-16/32 and declared legacy encodings. A byte
    order mark names the encoding, not a declaration that says otherwise (an editor's saving as UTF-8
    with a mark keeps an old `encoding="ISO-8859-1"`: its text was read as Latin-1).

    Line breaks survive transcoding, so line numbers do not move. The scan in `check_xml` runs
    on the transcoded bytes, which are exactly what the parser sees.
    """
    if data.startswith(codecs.BOM_UTF8):  # the mark says UTF-8, whatever the declaration says (XML 1.0, F)
        return _relabel_utf8(data[len(codecs.BOM_UTF8):])
    encoding = None
    for bom, name in BOMS:
        if data.startswith(bom):
            encoding = name.lower()
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
        raise ParseError(f"RDF/XML: unsupported encoding {clip(encoding, 40)!r}", 1) from None
    except UnicodeDecodeError as exc:
        line = line_at(data, exc.start) if encoding not in ("utf-16", "utf-32") else None
        raise ParseError(f"RDF/XML: bytes that are not valid {clip(encoding, 40)}", line) from None
    except (UnicodeError, ValueError):  # codecs that are not text encodings
        raise ParseError(f"RDF/XML: unsupported encoding {clip(encoding, 40)!r}", 1) from None
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
# does not count. A construct never closed runs to the end of the file (`\Z`), as it does for an XML
# parser, which fails there: without that, the scan failed at it and tried again from the next `<`,
# to the end each time, quadratic (a 400 KB file of `<!--` took minutes).
_XML_TOKEN = re.compile(
    rb"<(?:!--.*?(?:-->|\Z)|!\[CDATA\[.*?(?:\]\]>|\Z)|\?.*?(?:\?>|\Z)"
    rb"""|(/?)([^!?>"'/])[^>"'/]*(?:(?:"[^"]*(?:"|\Z)|'[^']*(?:'|\Z)|/(?!>))[^>"'/]*)*(?:(/?)>|\Z))""",
    re.S,
)


def _refuse(message: str, data: bytes, offset: int) -> ParseError:
    return ParseError(f"RDF/XML refused: {message}", line_at(data, offset), kind="parse")


def check_xml(data: bytes) -> None:
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
        raise ParseError("RDF/XML syntax error: no root element", line_at(data, len(data)))
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
                raise ParseError("RDF/XML syntax error: unterminated processing instruction", line_at(data, pos))
            pos = close + 2
        elif data.startswith(b"<!--", pos):
            close = data.find(b"-->", pos + 4)
            if close < 0:
                raise ParseError("RDF/XML syntax error: unterminated comment", line_at(data, pos))
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
                what = clip(data[pos : pos + 12].decode("utf-8", "replace"), 12)
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


def refuse_non_xml(data: bytes) -> None:
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
        raise ParseError(f"not an RDF/XML document: it does not start with '<'{_other_syntax(data)}", 1)


def _other_syntax(data: bytes) -> str:
    """A hint when the text is a syntax ontosync does not read (the common ones behind `.owl`)."""
    head = data.lstrip()[:200]
    if head.startswith(b"format-version:"):
        return f" ({NOT_READ['.obo']})"
    if head.startswith((b"Prefix:", b"Ontology:")):
        return f" ({NOT_READ['.omn']})"
    return ""


OWL_XML_SKIPPED = ("OWL/XML document (root element Ontology in the OWL namespace): not read; ontosync reads "
                   "RDF/XML, Turtle, N-Triples, JSON-LD and OWL functional syntax (save it as one of those)")
_OWL_NS = rb"http://www.w3.org/2002/07/owl#"
_ROOT_ONTOLOGY = re.compile(rb"<(?:(" + _XML_NAME + rb"):)?Ontology(?=[ \t\r\n/>])")


def is_owl_xml(data: bytes) -> bool:
    """Whether the root element is OWL/XML's `Ontology` (in the OWL namespace, by the default or a
    prefix declared on it). Asked of XML without the RDF namespace (none is RDF/XML), and once the
    RDF/XML parser has refused a document that has it: a valid
    RDF/XML file whose root is a typed `owl:Ontology` node parses and is never asked about. Protégé's
    OWL/XML declares `xmlns:rdf`, so the RDF namespace test alone does not tell it from RDF/XML."""
    pos = _scan_prolog(data)[0]
    match = _ROOT_ONTOLOGY.match(data, pos)
    tag = _XML_TOKEN.match(data, pos)
    if match is None or tag is None:
        return False
    prefix = b":" + match.group(1) if match.group(1) else b""
    declares = re.compile(rb"[ \t\r\n]xmlns" + re.escape(prefix) + rb"[ \t\r\n]*=[ \t\r\n]*([\"'])"
                          + re.escape(_OWL_NS) + rb"\1")
    return declares.search(tag.group(0)) is not None
