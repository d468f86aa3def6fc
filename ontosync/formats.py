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
    ".markdown": "logseq",  # Logseq reads both as markdown pages (mldoc-support-formats)
    ".ttl": "turtle",
    ".owl": "rdfxml",
    ".rdf": "rdfxml",
    ".xml": "rdfxml",
    ".nt": "ntriples",
    ".jsonld": "jsonld",
    ".ofn": "ofn",
    # Logseq's org-mode pages: selected so that each is reported `skipped` with the reason
    # (parsing.ORG_SKIP), never left out without a word; ontosync reads markdown pages only.
    ".org": "org",
}

SUPPORTED_GLOBS: tuple[str, ...] = tuple(f"**/*{ext}" for ext in EXTENSIONS)


# A name that is only one of those extensions (`.md`, `pages/.ttl`) is a dot file without an
# extension, as pathlib reads it (its suffix is ''; parsing finds no format) and as Logseq does (it
# hides dot files). Globs match it (`*.md` matches `.md` with dot files on), so the source filter
# leaves it out: else it failed every run as "unsupported file type", counting toward the error rate.
BARE_EXTENSIONS: frozenset[str] = frozenset(EXTENSIONS)


def is_bare_extension(path: str) -> bool:
    """Whether the file name at the end of `path` is only a supported extension (see above)."""
    return path[path.rfind("/") + 1:].lower() in BARE_EXTENSIONS
