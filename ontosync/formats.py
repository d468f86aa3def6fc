"""Which files ontosync reads: extension -> format, and the default include globs.

At the bottom of the layers (it imports nothing of ontosync) because both sides need it: sources
select files by these globs and parsing picks a parser by these extensions, and neither may import
the other.
"""

from __future__ import annotations

# Extension -> format name (FileFacts.format). `.owl` and `.xml` are sniffed: RDF/XML unless the
# content is OWL Functional Syntax.
EXTENSIONS: dict[str, str] = {
    ".md": "logseq",
    ".ttl": "turtle",
    ".owl": "rdfxml",
    ".rdf": "rdfxml",
    ".xml": "rdfxml",
    ".nt": "ntriples",
    ".jsonld": "jsonld",
    ".ofn": "ofn",
}

SUPPORTED_GLOBS: tuple[str, ...] = tuple(f"**/*{ext}" for ext in EXTENSIONS)
