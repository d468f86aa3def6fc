"""Text files saved as UTF-16 or UTF-32, or compressed: named as such, not as the syntax error
they cause.

Turtle, N-Triples, JSON-LD (RFC 8259) and OWL functional syntax files are UTF-8 by their
specifications (rdflib refuses them too). Saved as UTF-16 (Windows editors' "Unicode"), they failed
with whatever the parser met first: "Invalid UTF-8 character encoding", "' ' is not allowed at the
beginning of a prefix name", "Expecting value", "NUL byte (binary file?)". RDF/XML is not
concerned: XML declares its encoding and xml_guard transcodes it. A gzip or zip file behind a
text extension failed as Turtle with "' ' is not allowed at the beginning of a prefix name"; the
compressed file is named so in every RDF syntax, RDF/XML's too.
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


# magic numbers: gzip, zip, xz, zstd, and bzip2's `BZh<level>` and its block's pi (no text starts so)
_COMPRESSED = ((b"\x1f\x8b", "gzip"), (b"PK\x03\x04", "zip"), (b"\xfd7zXZ\x00", "xz"),
               (b"\x28\xb5\x2f\xfd", "zstd"), *((b"BZh%d1AY&SY" % n, "bzip2") for n in range(1, 10)))


def refuse_not_utf8(data: bytes, label: str) -> None:
    """ParseError (line 1) when a format that must be UTF-8 was saved as UTF-16 or UTF-32."""
    found = wide_encoding(data)
    if found is not None:
        raise ParseError(f"the file is {found} text: {label} files must be UTF-8 (save it as UTF-8)", line=1)


def refuse_compressed(data: bytes, label: str) -> None:
    """ParseError (line 1) when the file is compressed: an `.owl` holding gzip failed "not an RDF/XML
    document: invalid UTF-8 (byte 0x8b; binary file?)", and xz or bzip2 as a Turtle syntax error."""
    for magic, name in _COMPRESSED:
        if data.startswith(magic):
            raise ParseError(f"the file is {name}-compressed, not {label} text: commit it uncompressed", line=1)


def decode_source(data: bytes, lone_cr: bool = False) -> str:
    """UTF-8 text of a file, BOM stripped, CRLF made LF; ParseError (with line) if unreadable.

    Only two things make a file unreadable: bytes that are not UTF-8 and NUL bytes (a binary
    file, or a truncated write). The error names the line of the first offending byte, a lone
    CR ending a line too where the reader takes it so (`lone_cr`: a Logseq page, as mldoc reads it).
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
        if lone_cr:
            line += data.count(b"\r", 0, bad_at) - data.count(b"\r\n", 0, bad_at)
        raise ParseError(f"{reason} at line {line}", line=line)
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text
