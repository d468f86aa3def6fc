"""A relative `xml:base` in an RDF/XML document, resolved against the base in scope.

Why: XML Base (and RDF/XML, section 5.3) resolves an element's relative `xml:base="sub/"` against
its parent's base, as rdflib does; pyoxigraph takes every `xml:base` for an absolute IRI and refused
the whole file ("error while parsing IRI 'sub/': No scheme found in an absolute IRI"), though the
document has a base. Each relative value is rewritten in the bytes, absolute, before pyoxigraph
reads them; a relative one with no base in scope is left for pyoxigraph to refuse, naming it. Only
documents with a relative `xml:base` are read twice (a cheap scan decides).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

from ontosync.parsing.rdf_vocab import SCHEME

_ABSOLUTE = re.compile(SCHEME)
_RELATIVE = re.compile(rb"""xml:base\s*=\s*["'](?!""" + SCHEME.encode() + rb")")
_ATTRIBUTE = re.compile(rb"""xml:base\s*=\s*("[^"]*"|'[^']*')""")


def resolve_xml_bases(data: bytes) -> bytes:
    """`data` (UTF-8 RDF/XML, already vetted by xml_guard) with each relative `xml:base` made absolute."""
    if _RELATIVE.search(data) is None:
        return data
    edits: list[tuple[int, str]] = []  # (offset of the element's `<`, its absolute base)
    bases: list[str | None] = [None]
    parser = expat.ParserCreate()

    def start(_name: str, attrs: dict[str, str]) -> None:
        base, value = bases[-1], attrs.get("xml:base")
        if value is not None:
            resolved = urljoin(base, value) if base and not _ABSOLUTE.match(value) else value
            if resolved != value:
                edits.append((parser.CurrentByteIndex, resolved))
            base = resolved
        bases.append(base)

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda _name: bases.pop()
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        return data  # pyoxigraph's own error names it
    pieces, done = [], 0  # built in one pass: a file may hold many
    for at, resolved in edits:
        found = _ATTRIBUTE.search(data, at)
        if found is not None and found.start() >= done:
            pieces += [data[done:found.start(1)], quoteattr(resolved).encode()]
            done = found.end(1)
    return b"".join([*pieces, data[done:]])
