"""Plain facts: what a parser makes of one file's bytes.

Parsers return a `FileFacts` and never touch the database; the store turns it into rows. Everything
here is a small picklable value, because parsing runs in worker processes and the facts travel
back to the single writer through a pipe.

Links between Logseq pages are kept *unresolved* (`parent_ref`, `object_ref`: the page name as
written). The store resolves them against every page it knows, so that adding, renaming or
deleting one page re-points the links of other pages without reparsing them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

PROPERTY_TYPES = ("ObjectProperty", "DataProperty", "AnnotationProperty")


class ClassFact(NamedTuple):
    """A class this file declares. `line` (1-based) is where: a Logseq page's OntologyBlock heading,
    a functional-syntax `Declaration`; None where the parser cannot tell (RDF, parsed as a graph)."""

    iri: str
    label: str | None = None
    comment: str | None = None
    line: int | None = None


class EdgeFact(NamedTuple):
    """`child` is a subclass of `parent`.

    With `parent_ref` (a page name as written in `[[...]]`) the store points the edge at the class
    of the page that answers to that name, and falls back to `parent` (the IRI the parser minted
    from the name) while no page does.
    """

    child: str
    parent: str
    parent_ref: str | None = None


class PropertyFact(NamedTuple):
    iri: str
    property_type: str  # one of PROPERTY_TYPES
    label: str | None = None
    domain: str | None = None
    range: str | None = None


class AxiomFact(NamedTuple):
    """One axiom. `object` is an IRI or literal text; with `object_ref` (a page name) the store
    resolves it like `EdgeFact.parent_ref`, `object` being the fallback.

    `annotations` is a small JSON-able dict (for example the full functional-syntax text of a
    complex axiom, the relationship key it came from, or the source line) or None.
    """

    axiom_type: str
    subject: str
    object: str | None = None
    annotations: dict | None = None
    object_ref: str | None = None


class SynonymFact(NamedTuple):
    """Another name of the class `iri`.

    `predicate` is the CURIE semantic-sql files it under: `oio:hasExactSynonym` (Logseq
    `alternate-terms::` and `alias::`), `oio:hasRelatedSynonym`, `oio:hasBroadSynonym`,
    `oio:hasNarrowSynonym` or `skos:altLabel`.
    """

    iri: str
    text: str
    predicate: str = "oio:hasExactSynonym"


class ParseWarning(NamedTuple):
    """Something in an otherwise readable file that could not be read; the file stays `ok`."""

    kind: str
    message: str
    line: int | None = None


@dataclass
class FileFacts:
    """Everything one file contributes.

    `skipped` holds a reason when the file is not an ontology file (a Logseq page with no
    OntologyBlock, say); then the other lists are empty.

    `names` are the page names this file answers to, for link resolution: pairs of
    (name as written, rank) where rank 0 is the page title, rank 1 an `alias::` and rank 2 its
    `preferred-term` (a lower rank wins when two pages answer to one name: the title and aliases
    are the names Logseq itself opens the page by; a preferred-term only ontosync's fallback).
    Before PARSER_VERSION 10, rank 1 was the preferred-term and rank 2 an alias.
    They all resolve to `page_class`.
    """

    format: str  # "logseq", "turtle", "rdfxml", "ntriples", "jsonld", "ofn"
    ontology_id: str | None = None  # declared by the file (owl:Ontology IRI); None: use default
    classes: list[ClassFact] = field(default_factory=list)
    edges: list[EdgeFact] = field(default_factory=list)
    properties: list[PropertyFact] = field(default_factory=list)
    axioms: list[AxiomFact] = field(default_factory=list)
    synonyms: list[SynonymFact] = field(default_factory=list)
    # semantic-sql rows given by the parser (RDF files: every triple, see parsing/rdf_statements.py);
    # None: the store derives them from this file's stored facts (Logseq pages, functional syntax);
    # LateRows: a large RDF file's rows, still on their way from its worker (pipeline/handover.py).
    statements: list | LateRows | None = None
    # The language tag of a fence's (or .ofn file's) literal, by (subject IRI, text): a derived file's
    # label, definition and synonym rows carry it, as an RDF file's rows do (store/semsql_rows.py).
    literal_languages: dict[tuple[str, str], str] = field(default_factory=dict)
    # An .ofn file's readers' layer rows that no table keeps (its header's `rdf:type owl:Ontology`, the
    # domains and ranges its property's column does not hold), [stanza, s, p, o, value, datatype,
    # language] as parsing/ofn_rdf.py writes them: saved with the file (store/semsql_ofn.saved_rows).
    saved_rows: list[list] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    names: list[tuple[str, int]] = field(default_factory=list)
    page_class: str | None = None
    public: bool = False
    skipped: str | None = None
    # The store's rows of these facts (store/own_rows.Prepared), built by the worker that parsed them
    # so the single writer only inserts them; None: the store builds them. Not a parser's output.
    own_rows: object | None = None


class LateRows:
    """A file's `statements` rows that follow its facts: the worker sends a large RDF file's facts
    as soon as they are built and its rows once extracted, so the writer saves the former while
    the latter are made (pipeline/handover.py). The store calls `take` inside the file's
    transaction when it needs the rows; an exception from it rolls the transaction back."""

    def take(self) -> list:
        raise NotImplementedError


def normalize_name(name: str) -> str:
    """The key a page name is matched by: Logseq treats page names case-insensitively, and in
    Unicode normal form NFC (`page-name-sanity-lc`), so `Café` named on a Mac (NFD) is the page
    a `[[Café]]` typed elsewhere (NFC) opens. Lower-cased as Logseq does (JavaScript
    toLowerCase), not case-folded: `Maße` and `Masse` are two pages in Logseq. One leading and
    one trailing `/` are dropped (`remove-boundary-slashes`): [[Robot/]] opens the page Robot.
    The ends are trimmed (`page-name->map`), inner whitespace is kept as written: `[[Robot  Arm]]`
    (two spaces) is a page of its own in Logseq, not `Robot Arm`."""
    key = name.strip().lower()
    trimmed = key[1 if key.startswith("/") else 0:-1 if key.endswith("/") else None].strip()
    return unicodedata.normalize("NFC", trimmed or key)  # a name of slashes only stays as it is


class ParseError(Exception):
    """The file itself cannot be read: it becomes `failed` with this message and 1-based line."""

    def __init__(self, message: str, line: int | None = None, kind: str = "parse") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.kind = kind

    def __reduce__(self):  # keep line and kind when crossing a process boundary
        return (ParseError, (self.message, self.line, self.kind))
