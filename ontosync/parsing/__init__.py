"""Bytes in, plain facts out. No database, no network, no files other than the one given.

`parse_file` picks a parser by file extension (sniffing the content where an extension is shared
between formats) and returns `FileFacts`, or raises `ParseError` naming the line.
`parse_file_split`, what the parse workers call, may hand a large RDF file's `statements` rows
back apart from its facts (pipeline/handover.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ontosync.formats import EXTENSIONS, NOT_READ, SUPPORTED_GLOBS  # re-exported (not NOT_READ)
from ontosync.parsing.facts import FileFacts, ParseError
from ontosync.parsing.lfs import refuse_lfs_pointer
from ontosync.parsing.logseq_config import LogseqGraph, skip_reason
from ontosync.parsing.text_encoding import refuse_compressed, refuse_not_utf8

__all__ = ["DEFAULT_NAMESPACES", "EXTENSIONS", "SUPPORTED_GLOBS", "ParseOptions", "format_for", "parse_file"]

# Prefixes every parser knows without a declaration. The Logseq graph's own tools expand
# mv ai bc rb tc dt this way (see README, "Namespace table"); users extend or override the table
# in .ontosync.yml under `namespaces:`.
DEFAULT_NAMESPACES: dict[str, str] = {
    "mv": "http://narrativegoldmine.com/metaverse#",
    "ai": "http://narrativegoldmine.com/ai#",
    "bc": "http://narrativegoldmine.com/blockchain#",
    "rb": "http://narrativegoldmine.com/robotics#",
    "tc": "http://narrativegoldmine.com/telecollaboration#",
    "dt": "http://narrativegoldmine.com/disruptive-tech#",
    "aigo": "http://narrativegoldmine.com/aigo#",
    "tele": "http://narrativegoldmine.com/telecollaboration#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "dct": "http://purl.org/dc/terms/",
    "obo": "http://purl.obolibrary.org/obo/",
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
}


@dataclass(frozen=True)
class ParseOptions:
    """What parsers may be told. Frozen and picklable: it is sent once to each worker process."""

    namespaces: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_NAMESPACES))
    # Base of the IRIs minted for pages without `owl:class` and for links to no page.
    page_namespace: str = "urn:ontosync:page:"
    # JSON-LD contexts the user maps to local files (URL -> file content); nothing is fetched.
    jsonld_contexts: dict[str, str] = field(default_factory=dict)
    # The Logseq graph the source holds (its root and logseq/config.edn), found once per run by
    # ontosync.pipeline.logseq_graph; None: Logseq's defaults.
    logseq: LogseqGraph | None = None


# Logseq reads `.org` pages too, but in org-mode syntax (`#+title:`, `:PROPERTIES:` drawers, `*`
# headings) that the ontology page rules (a `### OntologyBlock` heading, `key:: value` lines) do
# not describe; reading them is a parser of its own. Until then each is skipped with this reason,
# keeping the names Logseq opens it by (parsing/logseq.py `org_page`).
ORG_SKIP = "org-mode page: ontosync reads Logseq pages written in markdown (.md, .markdown) only"

# Formats whose specifications allow UTF-8 only: a UTF-16 file is named as such (text_encoding.py).
_UTF8_ONLY = {"turtle": "Turtle", "ntriples": "N-Triples", "jsonld": "JSON-LD", "ofn": "OWL functional syntax"}


def format_for(path: str) -> str | None:
    """The format a path's extension selects, or None when ontosync does not read such files."""
    return EXTENSIONS.get(PurePosixPath(path).suffix.lower())


def parse_file(path: str, data: bytes, options: ParseOptions) -> FileFacts:
    """Parse one file. `path` is relative to the source root and only used for names and messages."""
    return parse_file_split(path, data, options, split=False)[0]


def parse_file_split(path: str, data: bytes, options: ParseOptions,
                     split: bool = True) -> tuple[FileFacts, Callable[[], list[tuple]] | None]:
    """Parse one file; with `split`, an RDF file's `statements` rows are left to the function
    returned with its facts (parsing/rdf.py parse_rdf_split), else that function is None."""
    fmt = format_for(path)
    if fmt is None:
        raise ParseError(f"unsupported file type: {PurePosixPath(path).suffix or '(none)'}", kind="unsupported")
    not_a_page = skip_reason(path, options.logseq, fmt in ("logseq", "org"))
    if not_a_page:
        return FileFacts(format=fmt, skipped=not_a_page), None
    if fmt == "org":  # skipped, but named as Logseq names it (`#+title:`, `#+alias:`)
        from ontosync.parsing.logseq import org_page

        return org_page(path, data, options, ORG_SKIP), None
    refuse_lfs_pointer(data)
    if fmt == "logseq":
        from ontosync.parsing.logseq import parse_page

        return parse_page(path, data, options), None
    refuse_compressed(data, _UTF8_ONLY.get(fmt, "RDF/XML"))
    if fmt == "rdfxml" and _looks_functional(data):
        fmt = "ofn"
    elif fmt == "rdfxml" and _looks_turtle(data):
        fmt = "turtle"
    if fmt in _UTF8_ONLY:
        refuse_not_utf8(data, _UTF8_ONLY[fmt])
    if fmt == "ofn" and _head(data).startswith((b"Prefix:", b"Ontology:")):  # its reader would keep nothing
        raise ParseError(f"not OWL functional syntax: {NOT_READ['.omn']}", 1)
    if fmt == "ofn":
        from ontosync.parsing.ofn import parse_ofn_document

        return parse_ofn_document(path, data, options), None
    if not split:
        from ontosync.parsing.rdf import parse_rdf

        return parse_rdf(path, data, fmt, options), None
    from ontosync.parsing.rdf import parse_rdf_split

    return parse_rdf_split(path, data, fmt, options)


def _head(data: bytes) -> bytes:
    """The first 4 KB after a BOM, blank space and `#` comment lines (both syntaxes allow them)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    while head.startswith(b"#"):
        head = head.split(b"\n", 1)[1].lstrip() if b"\n" in head else b""
    return head


def _looks_functional(data: bytes) -> bool:
    return _head(data).startswith((b"Prefix(", b"Ontology(", b"Prefix (", b"Ontology ("))


# Turtle's directives, `@prefix ex: <` / `PREFIX ex: <` / `@base <` / `BASE <`, or a first triple's
# subject, an absolute `<scheme://` IRI or a `_:` blank node (N-Triples, Turtle without directives):
# nothing else starts so (an XML name holds no `/`).
_TURTLE_START = re.compile(rb"(?:@prefix|prefix)[ \t\r\n]+[^ \t\r\n:<]*:[ \t\r\n]*<|@?base[ \t\r\n]*<"
                           rb"|<[a-z][a-z0-9+.-]*://|_:", re.IGNORECASE)


def _looks_turtle(data: bytes) -> bool:
    """Protégé keeps a file's `.owl` name when it is saved as Turtle: such a file failed as RDF/XML
    ("Unexpected text event"), and so did N-Triples (`Unknown prefix http:`)."""
    return _TURTLE_START.match(_head(data)) is not None
