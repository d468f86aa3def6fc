"""Text files saved as UTF-16 or UTF-32, or compressed: named as such, not as the syntax error
they cause.

Turtle, N-Triples, JSON-LD (RFC 8259) and OWL functional syntax files are UTF-8 by their
specifications (rdflib refuses them too). Saved as UTF-16 (Windows editors' "Unicode"), they failed
with whatever the parser met first: "Invalid UTF-8 character encoding", "' ' is not allowed at the
beginning of a prefix name", "Expecting value", "NUL byte (binary file?)". RDF/XML is not
concerned: XML declares its encoding and xml_guard transcodes it. A gzip or zip file behind a
text extension failed as Turtle with "' ' is not allowed at the beginning of a prefix name".
"""

from __future__ import annotations

import codecs

from ontosync.parsing.facts import ParseError

BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def wide_encoding(data: bytes) -> str | None:
    """"UTF-16" or "UTF-32" when the bytes start like such text (a byte order mark, or an ASCII
    character next to a NUL byte), else None."""
    for bom, name in BOMS:
        if data.startswith(bom):
            return name
    head = data[:4]
    if len(head) == 4 and (head[:3] == b"\0\0\0") != (head[1:] == b"\0\0\0"):
        return "UTF-32"
    if len(head) >= 2 and (head[0] == 0) != (head[1] == 0):
        return "UTF-16"
    return None


_COMPRESSED = ((b"\x1f\x8b", "gzip"), (b"PK\x03\x04", "zip"))


def refuse_not_utf8(data: bytes, label: str) -> None:
    """ParseError (line 1) when a format that must be UTF-8 was saved as UTF-16 or UTF-32, or is
    compressed."""
    found = wide_encoding(data)
    if found is not None:
        raise ParseError(f"the file is {found} text: {label} files must be UTF-8 (save it as UTF-8)", line=1)
    for magic, name in _COMPRESSED:
        if data.startswith(magic):
            raise ParseError(f"the file is {name}-compressed, not {label} text: commit it uncompressed", line=1)
