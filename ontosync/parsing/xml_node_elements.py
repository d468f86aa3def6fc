"""RDF/XML's node elements carry no `rdf:resource` and no `rdf:parseType`.

The grammar (RDF 1.1 XML Syntax, 7.2.11-7.2.21) allows both only on property elements; on a node
element (`<owl:Class rdf:about="#A" rdf:resource="#B"/>`, or `<ex:Thing rdf:resource="#B"/>` as
the object of a property) they are no RDF/XML. pyoxigraph drops the attribute without a word:
the first gave `#A a owl:Class` alone, the second a blank node typed `ex:Thing` where `#B` was
meant. Such a file fails, naming the element's line.

Cost: a namespace-aware walk of the whole document (expat) costs tens of milliseconds on a large
file, so it only runs when a cheap sign says it may find something: a start tag whose bytes hold
`rdf:about` (or are `rdf:Description`; whatever prefix the file binds to the RDF namespace)
together with `rdf:resource` or `rdf:parseType`, or a blank node whose only indexed statement is
its `rdf:type` (what a typed node element with an ignored `rdf:resource` leaves), of a type whose
local name starts a tag with such an attribute. The signs cost ~5 ms on pato-base.owl (3 MB, a
300 ms parse); the walk decides, so a sign in a comment or an XML literal fails nothing.
"""

from __future__ import annotations

import re
from contextlib import suppress
from functools import lru_cache
from xml.parsers import expat

from ontosync.parsing.class_expressions import Index
from ontosync.parsing.facts import ParseError
from ontosync.parsing.rdf_vocab import OWL, RDF, RDF_TYPE

_VALUE = rb"""\s*=\s*(?:"[^"]*"|'[^']*')"""
_NAMESPACE = RDF.encode()
_DECLARED = re.compile(rb"""xmlns:([^\s=<>/"']+)\s*=\s*["']\Z""")  # ... before the namespace's IRI


@lru_cache(maxsize=8)
def _sign(prefix: bytes | None) -> re.Pattern[bytes]:
    """A start tag that is a node element by its `prefix:about` or its name (`prefix:Description`) and
    carries an attribute only property elements may carry, or that holds `prefix:parseType` beside
    `prefix:resource` or `prefix:nodeID`, in either order.

    Why the attributes passed between the two are bounded in the four looked for (a tag holds each
    once, so at most three lie between): begun at every `prefix:about` of a text quoting
    `rdf:about="x" ` thousands of times (a comment documenting RDF/XML), the scan ran from each to
    the text's end, quadratic (4,000 of them: 3.3 s, and the file timed out). `prefix` None: any
    prefix, the same throughout (group 1: `_signed` keeps those of the RDF namespace)."""
    if prefix is None:  # (from a word's start only: within one, each position was a start)
        start, p = rb"(?<![^\s<])([^\s<>/:=\"']+):", rb"\1:"
    else:
        start = p = re.escape(prefix) + b":"
    looked_for = p + rb"(?:about|resource|parseType|nodeID)"
    other = rb"(?:\s+(?!" + looked_for + rb"\s*=)[^\s=<>/]+" + _VALUE + rb")*?"
    between = other + rb"(?:\s+" + looked_for + _VALUE + other + rb"){0,3}?"

    def then(names: bytes) -> bytes:
        return between + rb"\s+" + p + names + rb"\s*="

    alternatives = [
        rb"(?:about" + _VALUE + rb"|Description)" + then(rb"(?:resource|parseType)"),
        rb"resource" + _VALUE + then(rb"(?:about|parseType)"),
        rb"parseType" + _VALUE + then(rb"(?:about|resource|nodeID)"),
        rb"nodeID" + _VALUE + then(rb"parseType"),
    ]
    return re.compile(start + rb"(?:" + b"|".join(alternatives) + rb")")


_MAX_PREFIXES = 8  # prefixes of the RDF namespace scanned for one by one; more: one scan for any prefix


def _signed(data: bytes) -> bool:
    """Whether a start tag holds what `_sign` looks for, under a prefix of the RDF namespace. Why one
    scan past _MAX_PREFIXES: a document binding the namespace to 4,000 prefixes compiled and ran
    4,000 patterns (6 s for 230 KB, and a larger one timed out)."""
    prefixes = _rdf_prefixes(data)
    if len(prefixes) <= _MAX_PREFIXES:
        return any(_sign(p).search(data) for p in prefixes)
    return any(m.group(1) in prefixes for m in _sign(None).finditer(data))


def _rdf_prefixes(data: bytes) -> set[bytes]:
    """The prefixes the document binds to the RDF namespace (`rdf`, nearly always), found from the
    few places the namespace's IRI ends an attribute value; `rdf` when none is (`xmlns:rdf="&rdf;"`)."""
    found = set()
    for quote in (b'"', b"'"):
        at = data.find(_NAMESPACE + quote)
        while at >= 0:
            declared = _DECLARED.search(data, max(0, at - 200), at)
            if declared is not None:
                found.add(declared.group(1))
            at = data.find(_NAMESPACE + quote, at + 1)
    return found or {b"rdf"}


_RESOURCE, _PARSE_TYPE, _NODE_ID = (RDF + " " + name for name in ("resource", "parseType", "nodeID"))  # expat's names
_RDF_ROOT = RDF + " RDF"
# Blank nodes whose statements the index does not keep (ro.owl's rules and owl:AllDifferent): not
# looked for (each type widens the one scan of the file), as Protégé, not a hand, writes them.
_SWRL = "http://www.w3.org/2003/11/swrl#"
_UNINDEXED = frozenset(OWL + name for name in ("AllDifferent", "NegativePropertyAssertion", "AllDisjointProperties"))
_MAX_TYPES = 20  # distinct types of such blank nodes looked for by name; more: the walk decides


def check_node_elements(data: bytes, index: Index) -> None:
    """Refuse an RDF/XML document (UTF-8, as pyoxigraph read it) with `rdf:resource` or
    `rdf:parseType` on a node element, or both `rdf:parseType` and `rdf:resource` (`rdf:nodeID`)
    on a property element; `index`: the statements pyoxigraph read from it."""
    if not _signed(data) and not _lone_typed_blank(data, index):
        return
    found = _first_misplaced(data)
    if found is not None:
        raise ParseError(f"RDF/XML syntax error: {found[1]}; it was being ignored", found[0])


def _lone_typed_blank(data: bytes, index: Index) -> bool:
    """Whether a blank node's only indexed statement is its type (not one of SWRL's or of
    `_UNINDEXED`), and a start tag of that type's local name holds `resource` or `parseType`."""
    types = {by[RDF_TYPE][0] for s, by in index.props.items() if s[0] == "_" and len(by) == 1 and RDF_TYPE in by}
    types = {t for t in types if not str(t).startswith(_SWRL) and t not in _UNINDEXED}
    if len(types) > _MAX_TYPES:
        return True
    if not types:
        return False
    names = b"|".join(re.escape(re.split(r"[#/:]", str(iri))[-1].encode()) for iri in sorted(types))
    # From a `<` only (a prefix allowed): begun at every word of a text, the scan ran to its end from
    # each, quadratic (a comment saying the type's name 20,000 times: 14 s, and the file timed out)
    return re.search(rb"<(?:[^\s<>:/!?]+:)?(?:" + names + rb")\s[^<>]*?(?:resource|parseType)\s*=", data) \
        is not None  # one scan


def _first_misplaced(data: bytes) -> tuple[int, str] | None:
    """(line, what is wrong) of the first node element with a property element's attribute, or
    property element with `rdf:parseType` and what it excludes, by the RDF/XML striping: the
    children of rdf:RDF, of a property element (but parseType="Resource"'s, which are property
    elements) and of a collection are node elements; an XML literal's content is no RDF."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.ordered_attributes = True
    nodes: list[bool | None] = []  # per open element: are its children node elements (None: literal)
    found: list[tuple[int, str]] = []

    def start(name: str, attrs: list[str]) -> None:
        if nodes and nodes[-1] is None:
            nodes.append(None)
            return
        node = nodes[-1] if nodes else name != _RDF_ROOT
        pairs = dict(zip(attrs[::2], attrs[1::2], strict=True))
        wrong = None if found or (not nodes and not node) else _wrong(node, pairs)
        if wrong is not None:
            element = _qualified(data, parser.CurrentByteIndex)
            found.append((parser.CurrentLineNumber, wrong.format(element=element)))
        if not nodes and name == _RDF_ROOT:
            nodes.append(True)
        elif node:
            nodes.append(False)
        else:
            parse_type = pairs.get(_PARSE_TYPE)
            nodes.append(None if parse_type not in (None, "Resource", "Collection") else parse_type != "Resource")

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda _name: nodes.pop()
    with suppress(expat.ExpatError):  # pyoxigraph read it; what was walked before expat's stop counts
        parser.Parse(data, True)
    return found[0] if found else None


def _wrong(node: bool, pairs: dict[str, str]) -> str | None:
    """What is wrong with a node (property) element's attributes `pairs`, its name left `{element}`."""
    if node:
        for key in (_RESOURCE, _PARSE_TYPE):
            if key in pairs:
                return (
                    f"rdf:{key.rpartition(' ')[2]} on the node element <{{element}}> (RDF/XML allows it only "
                    "on a property element, the element naming a property)"
                )
        return None
    for key in (_RESOURCE, _NODE_ID):
        if key in pairs and _PARSE_TYPE in pairs:
            return (
                f"rdf:{key.rpartition(' ')[2]} beside rdf:parseType on the property element <{{element}}> "
                "(RDF/XML allows one of them: the object, or how the content reads)"
            )
    return None


_NAME = re.compile(rb"<([^\s/>]+)")


def _qualified(data: bytes, offset: int) -> str:
    """The element's name as written (`owl:Class`), at its start tag's offset."""
    match = _NAME.match(data, offset)
    return match.group(1).decode("utf-8", "replace")[:100] if match else "?"
