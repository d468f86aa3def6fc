"""A Logseq page's `clojure`/`owl` and `turtle` fences -> facts merged into the page's.

Kept apart from `logseq.py` because a fence is read by another parser (the functional-syntax
reader or the RDF parser) whose failures must cost the fence, never the page: every problem here
becomes a warning at a page line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ontosync.parsing.annotation_notes import literal_axiom
from ontosync.parsing.facts import AxiomFact, ClassFact, EdgeFact, FileFacts, ParseError, ParseWarning, PropertyFact
from ontosync.parsing.logseq_scan import OFN_TAGS, Fence
from ontosync.parsing.ofn import parse_ofn_text
from ontosync.parsing.rdf_vocab import RDFS_LABEL

if TYPE_CHECKING:  # pragma: no cover
    from ontosync.parsing import ParseOptions
    from ontosync.parsing.facts import SynonymFact

# Real fences are a few kB; a bigger one is generated junk and would only cost seconds.
MAX_FENCE_CHARS = 1_000_000

Lined = list[tuple[int, ParseWarning]]


def read_fence(fence: Fence, page_class: str, options: ParseOptions, warnings: Lined) -> FileFacts | None:
    """The facts of one fence ontosync reads, or None (its problems appended to `warnings`)."""
    if fence.lines is None:
        return None
    if not fence.closed:
        warnings.append(
            (fence.start, ParseWarning("unclosed-fence", f"{fence.label} fence is not closed", fence.start)))
    body = "\n".join(fence.lines)
    if len(body) > MAX_FENCE_CHARS:
        message = f"{fence.label} fence of {len(body):,} characters not read"
        warnings.append((fence.start, ParseWarning("fence-too-large", message, fence.start)))
        return None
    if fence.tag not in OFN_TAGS:
        return _parse_turtle(body, fence.start, options)
    try:
        return parse_ofn_text(body, options, fence.start, page_class, fmt="logseq")
    except Exception as exc:  # a reader bug must cost a fence, not the page
        warnings.append((fence.start, ParseWarning("fence-syntax", f"internal error: {exc!r}"[:200], fence.start)))
        return None


def _parse_turtle(body: str, start: int, options: ParseOptions) -> FileFacts | None:
    """A `turtle` fence through the RDF parser; its errors become warnings at page lines."""
    try:
        from ontosync.parsing.rdf import parse_turtle_fence
    except ImportError:
        return FileFacts(
            format="logseq",
            warnings=[ParseWarning("fence-skipped", "turtle fence not read: no RDF parser available", start)],
        )
    try:
        part = parse_turtle_fence(body.encode("utf-8"), options)
    except ParseError as exc:
        line = start + exc.line if exc.line else start
        return FileFacts(format="logseq", warnings=[ParseWarning("fence-syntax", f"turtle: {exc.message}", line)])
    except Exception as exc:  # the page must not fail because a helper parser did
        return FileFacts(
            format="logseq",
            warnings=[ParseWarning("fence-syntax", f"turtle: {type(exc).__name__}: {exc}"[:200], start)],
        )
    part.warnings = [w._replace(line=start + w.line) if w.line else w._replace(line=start) for w in part.warnings]
    return part


class PageParts:
    """The page's facts as they are gathered, each with the page line it sorts at."""

    def __init__(self, page_class: ClassFact) -> None:
        self.page_class = page_class.iri
        self.classes: dict[str, ClassFact] = {page_class.iri: page_class}
        self.properties: dict[str, PropertyFact] = {}
        self.edges: list[tuple[int, EdgeFact]] = []
        self.axioms: list[tuple[int, AxiomFact]] = []
        self.synonyms: dict[SynonymFact, None] = {}  # the fences', de-duplicated, page order kept
        self.literal_languages: dict[tuple[str, str], str] = {}  # the first fence's tag wins
        self.warnings: Lined = []

    def merge(self, start: int, part: FileFacts) -> None:
        """A fence's facts (at page line `start`) into the page's: the page's own class keeps the
        page's label and comment; otherwise what was given first wins, gaps filled later."""
        self.warnings.extend((w.line or start, w) for w in part.warnings)
        for c in part.classes:
            old = self.classes.get(c.iri)
            if old is None:
                self.classes[c.iri] = c
                continue
            self._set_aside(start, part, c.iri, old.label, c.label)  # the page's class: see kept_axioms
            if c.iri != self.page_class:
                self.classes[c.iri] = ClassFact(
                    c.iri, old.label or c.label, old.comment or c.comment, old.line or c.line)
        for p in part.properties:
            old_p = self.properties.get(p.iri)
            if old_p is not None:
                self._set_aside(start, part, p.iri, old_p.label, p.label)
            self.properties[p.iri] = p if old_p is None else PropertyFact(
                p.iri, old_p.property_type, old_p.label or p.label, old_p.domain or p.domain, old_p.range or p.range)
        self.edges.extend((start, e) for e in part.edges)
        self.axioms.extend((start, a) for a in part.axioms)
        self.synonyms.update(dict.fromkeys(part.synonyms))
        for key, tag in part.literal_languages.items():
            self.literal_languages.setdefault(key, tag)

    def kept_axioms(self) -> list[tuple[int, AxiomFact]]:
        """The axioms without the label notes a fact already holds (its label's row is written from
        the fact, with its tag: the same text with another tag, or none, is another label) and those
        of the page's class with no language tag: the page's label is the class's untagged one (OAK
        shows one); its labels in other languages are kept."""
        tags = self.literal_languages
        kept = {iri: (e.label, tags.get((iri, e.label), "")) for iri, e in (*self.classes.items(),
                                                                             *self.properties.items())}
        return [(line, a) for line, a in self.axioms if not self._shadowed(a, kept)]

    def _shadowed(self, axiom: AxiomFact, kept: dict[str, tuple[str | None, str]]) -> bool:
        notes = axiom.annotations or {}
        if notes.get("rdf_predicate") != RDFS_LABEL or axiom.subject not in kept:
            return False
        language = notes.get("rdf_language") or ""
        return (notes["rdf_value"], language) == kept[axiom.subject] or (axiom.subject == self.page_class
                                                                         and not language)

    def _set_aside(self, start: int, part: FileFacts, iri: str, kept: str | None, label: str | None) -> None:
        """A fence's label of an entity that keeps another (an earlier fence's, the page's): the axiom
        an `.ofn` file gives it, so the readers' layer keeps every label, as one fence (or a `.ttl`
        file) with both does."""
        if label and kept and label != kept:
            self.axioms.append((start, literal_axiom(RDFS_LABEL, iri, label, part.literal_languages.get((iri, label)))))
