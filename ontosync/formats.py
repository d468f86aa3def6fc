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


# Logseq's page extensions, which Logseq reads in any letter case (electron `ignored-path?` lower-cases
# the path before testing them, `get-format` the extension): `pages/Cat.MD` is the page `Cat`. The
# default selection takes them so; the ontology formats stay case-sensitive (`.TTL`: a not-read warning).
PAGE_EXTENSIONS: tuple[str, ...] = tuple(ext for ext, fmt in EXTENSIONS.items() if fmt in ("logseq", "org"))


def is_page_file(path: str) -> bool:
    """Whether `path` ends in a Logseq page extension, in any letter case (see above)."""
    return path.lower().endswith(PAGE_EXTENSIONS)


# A name that is only one of those extensions (`.md`, `pages/.ttl`) is a dot file without an
# extension, as pathlib reads it (its suffix is ''; parsing finds no format) and as Logseq does (it
# hides dot files). Globs match it (`*.md` matches `.md` with dot files on), so the source filter
# leaves it out: else it failed every run as "unsupported file type", counting toward the error rate.
BARE_EXTENSIONS: frozenset[str] = frozenset(EXTENSIONS)


def is_bare_extension(path: str) -> bool:
    """Whether the file name at the end of `path` is only a supported extension (see above)."""
    return path[path.rfind("/") + 1:].lower() in BARE_EXTENSIONS


# Ontology files a sync does not read: each is named in a `not-read` warning (the report) and
# counted on the console, so a repository of `.obo` files does not sync to an empty database
# without a word. Only under the default selection (an `--include` is the user's own choice).
NOT_READ: dict[str, str] = {
    ".obo": "an OBO flat file, which ontosync does not read: convert it to OWL (robot convert)",
    ".omn": "OWL Manchester syntax, which ontosync does not read: save it as RDF/XML, Turtle or functional syntax",
    ".owx": "OWL/XML, which ontosync does not read: save it as RDF/XML, Turtle or functional syntax",
    ".nq": "N-Quads (named graphs), which ontosync does not read",
    ".trig": "TriG (named graphs), which ontosync does not read",
    ".n3": "Notation3, which ontosync does not read",
}
_COMPRESSED = ".gz"  # `x.owl.gz`, `x.obo.gz`: an ontology file compressed


def not_read_reason(path: str) -> str | None:
    """Why a file the default selection leaves out is worth a word: an ontology format ontosync
    does not read, or a supported extension in other letter case (`.TTL`: selection is
    case-sensitive). None for every other file."""
    name = path[path.rfind("/") + 1:]
    dot = name.rfind(".")
    if dot <= 0:
        return None
    suffix = name[dot:]
    if suffix.lower() == _COMPRESSED:
        inner = name[:dot]
        inner = inner[inner.rfind("."):].lower() if inner.rfind(".") > 0 else ""
        known = inner in EXTENSIONS or inner in NOT_READ
        return f"compressed ({inner}{suffix}), which ontosync does not read: commit it uncompressed" if known else None
    if suffix.lower() in EXTENSIONS:
        return (f"extension {suffix} in capitals: the default selection is case-sensitive (*{suffix.lower()}); "
                f"rename the file or add --include '**/*{suffix}'") if suffix != suffix.lower() else None
    return NOT_READ.get(suffix.lower())
