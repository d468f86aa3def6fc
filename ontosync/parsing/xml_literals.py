"""RDF/XML's `rdf:parseType="Literal"`: the XML literal with the namespace declarations it uses.

pyoxigraph 0.5 writes every namespace in scope onto each top element of the literal (`xmlns:rdf`,
`xmlns:rdfs`, ... of the whole document) and, when the element declares one itself, writes that
declaration twice: `<i xmlns="X" ... xmlns="X">`, a duplicate attribute, so the stored value is
not even well-formed XML. The RDF/XML specification forms the literal by exclusive XML
canonicalisation, which declares on each element only the prefixes that element's name and
attributes use and that the output does not already declare with the same value (rdflib does the
same). This rewrites the start tags so; text, attribute order and everything else stay as parsed.

pyoxigraph also fails a whole file on an empty XML literal (`<ex:p rdf:parseType="Literal"/>`,
or with its end tag right after: "No value found for rdf:XMLLiteral value of property"), which is
legal RDF/XML (so did one holding only comments or processing instructions, which the parser drops).
`mark_empty_literals` writes a placeholder text in each (same lines), and
`fix_xml_literals` takes it out again. And it dropped, without a word, the statement of an element
with another `rdf:parseType` (`"literal"`, DAML's `"daml:collection"`), which RDF/XML reads as
`"Literal"` (its grammar's parseTypeOtherPropertyElt): such a value is written `Literal` first.

The input is pyoxigraph's own serialisation (double-quoted attributes, no comments, no processing
instructions), so start and end tags are found by pattern; anything unexpected leaves the value
untouched.
"""

from __future__ import annotations

import re
from typing import Any

XML_LITERAL = "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral"
_TAGS = re.compile(r'<(/?)([^\s/>!?"]+)((?:\s+[^\s=/>"]+="[^"]*")*)\s*(/?)>')
_ATTR = re.compile(r'([^\s=/>"]+)="([^"]*)"')


_MARK = "x-ontosync-empty-literal"
# An element with parseType="Literal" and no content: `<p ... parseType="Literal" .../>` or `<p ...></p>`
# (comments and processing instructions alone are no content: the parser drops them, and failed so)
# (the parseType looked for ahead, once: matched in the tag, every `parseType="Literal"` of a start
# tag cut short was tried against every end of the tag, quadratic: 8,000 of them took 15 s)
_EMPTY = re.compile(rb"""<([^\s<>/!?]+)(?=\s[^<>]*?parseType\s*=\s*(?:"Literal"|'Literal'))(\s[^<>]*?)"""
                    rb"""(?:(/>)|>(?:<!--(?:[^-]|-(?!->))*-->|<\?(?:[^?]|\?(?!>))*\?>)*(</\1\s*>))""")


# (in a start tag: not a text or comment that quotes such an attribute)
_OTHER = re.compile(rb"""(<[^\s<>/!?][^<>]*?[\s:]parseType\s*=\s*)(["'])"""
                    rb"""(?!(?:Resource|Literal|Collection)\2)[^"'<>]*\2""")


_PARSE_TYPES = re.compile(rb"""parseType\s*=\s*["']([^"'<>]*)["']""")  # every value, found fast
_KNOWN = {b"Resource", b"Literal", b"Collection"}


def mark_empty_literals(data: bytes) -> bytes:
    """RDF/XML with each other `parseType` value written `Literal`, and the placeholder in each empty
    `parseType="Literal"` element (see above); a file that already holds the placeholder text gets
    none (and fails as before)."""
    if b"parseType" in data and not _KNOWN.issuperset(_PARSE_TYPES.findall(data)):  # the scan: 36 ms on PATO
        data = _OTHER.sub(rb"\1\2Literal\2", data)
    if not has_xml_literals(data) or _MARK.encode() in data:
        return data
    return _EMPTY.sub(_marked, data)


_XML_ATTR = re.compile(rb"""([^\s=]+)\s*=\s*(["']).*?\2""", re.DOTALL)
_ALLOWED = re.compile(rb"(?:[^:]+:)?(?:parseType|ID)|xml:.*|xmlns(?::.*)?")  # RDF/XML's parseTypeLiteralPropertyElt


def _marked(found: re.Match) -> bytes:
    """The element with the placeholder as its content; unchanged when it has an attribute such an
    element may not have (`rdf:resource`, a property attribute: the document is invalid, and fails)."""
    if not all(_ALLOWED.fullmatch(name) for name, _ in _XML_ATTR.findall(found.group(2))):
        return found.group(0)
    return (b"<" + found.group(1) + found.group(2) + b">" + _MARK.encode()
            + (found.group(4) or b"</" + found.group(1) + b">"))


def has_xml_literals(data: bytes) -> bool:
    """Cheap test before the quads are walked: only `parseType="Literal"` makes such literals."""
    return b"Literal" in data and re.search(rb"""parseType\s*=\s*["']Literal["']""", data) is not None


def fix_xml_literals(quads: list, ox: Any) -> list:
    """The quads with each rdf:XMLLiteral's start tags declaring what they use (see above)."""
    literal = ox.Literal
    out = []
    for quad in quads:
        obj = quad.object
        if type(obj) is literal and obj.datatype.value == XML_LITERAL and ("xmlns" in obj.value or _MARK in obj.value):
            value = tidy(obj.value).replace(_MARK, "")
            if value != obj.value:
                quad = ox.Quad(quad.subject, quad.predicate, literal(value, datatype=obj.datatype), quad.graph_name)
        out.append(quad)
    return out


def tidy(value: str) -> str:
    """`value` with declarations as exclusive canonicalisation places them; unchanged when its tags
    do not balance."""
    parts: list[str] = []
    stack: list[tuple[str, dict[str, str], dict[str, str]]] = []  # (name, declared in, declared out)
    pos = 0
    for match in _TAGS.finditer(value):
        parts.append(value[pos:match.start()])
        pos = match.end()
        closing, name, attrs, empty = match.groups()
        if closing:
            if not stack or stack.pop()[0] != name:
                return value
            parts.append(match.group(0))
            continue
        scope_in, scope_out = stack[-1][1:] if stack else ({}, {})
        tag, scope_in, scope_out = _start_tag(name, _ATTR.findall(attrs), scope_in, scope_out)
        parts.append(tag + ("/>" if empty else ">"))
        if not empty:
            stack.append((name, scope_in, scope_out))
    if stack:
        return value
    parts.append(value[pos:])
    return "".join(parts)


def _start_tag(name: str, attrs: list[tuple[str, str]], scope_in: dict[str, str],
               scope_out: dict[str, str]) -> tuple[str, dict[str, str], dict[str, str]]:
    """One start tag (without its `>`), and the declarations in scope after it: as the input has
    them, and as the output has them."""
    declared: dict[str, str] = {}
    plain: list[tuple[str, str]] = []
    for key, val in attrs:
        if key == "xmlns" or key.startswith("xmlns:"):
            declared.setdefault(key[6:], val)  # the first of duplicates: the element's own
        elif key not in (k for k, _ in plain):
            plain.append((key, val))
    scope_in = {**scope_in, **declared}
    used = [_prefix(name, True)] + [_prefix(k, False) for k, _ in plain]
    needed = {}
    for prefix in dict.fromkeys(p for p in used if p is not None):
        val = scope_in.get(prefix, "")
        if scope_out.get(prefix, "") != val:
            needed[prefix] = val
    decls = [(f"xmlns:{p}" if p else "xmlns", v) for p, v in sorted(needed.items())]
    text = "<" + name + "".join(f' {k}="{v}"' for k, v in decls + plain)
    return text, scope_in, {**scope_out, **needed}


def _prefix(qname: str, element: bool) -> str | None:
    """The prefix a name uses: '' for an element's default namespace, None for an unprefixed
    attribute (no namespace) and for `xml:` (never declared)."""
    prefix = qname.partition(":")[0] if ":" in qname else ""
    if prefix == "xml" or (not prefix and not element):
        return None
    return prefix
