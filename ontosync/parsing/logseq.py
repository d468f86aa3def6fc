"""Logseq pages (one markdown file per term) -> one class, its hierarchy edges and axioms.

The rules below are what ontosync makes of a page; each was measured on a real 1,684-page graph
(see the README). They are README-ready:

* **Ontology page.** A page is read when it has a heading line `### OntologyBlock` (any
  indentation, with or without the leading `- `, outside code fences). Any other page is
  `skipped` ("no OntologyBlock heading").
* **Title.** The page's `title::` when its first block holds only properties (Logseq's page
  properties), else the name Logseq gives the file (`logseq_names.file_page_name`: the graph's
  `:file/name-format`, `___` or `.` for `/`, `%XX` escapes decoded, journal files named by the
  journal title format). Logseq's own copies (`logseq/bak/`, `logseq/.recycle/`, ...) and
  `:hidden` folders are skipped before this parser runs (`logseq_config.skip_reason`).
* **Properties** are `key:: value` lines (indentation and a leading `- ` ignored) outside code
  fences. Keys compare case-insensitively. Values are single-line.
* **The class.** One per page. `owl:class::` gives its IRI: `prefix:Local` expanded through the
  namespace table, a full IRI `<...>` or `http(s)://...` kept. An unknown prefix or a value that
  is no IRI gives an `unknown-prefix` / `bad-owl-class` warning and the minted IRI instead.
  Without `owl:class` the IRI is minted from the title: `page_namespace` + the URL-quoted
  normalized title (case-folded, whitespace collapsed, spaces as `-`); links to pages use the
  same minting as their fallback. `label` = `preferred-term`, else the title;
  `comment` = `definition` (verbatim, Logseq markup kept), else none: labels and comments that
  the page's fences give its own class do not override the page. The page class, `preferred-term` and
  `definition` come from the first non-empty occurrence before a second OntologyBlock.
  `names` = (title, 0), (preferred-term, 1), (each `alias::` of the page properties, 2) for link
  resolution (all kept even when equal): a name resolves to a title before a preferred-term
  before an alias, then to the smallest path.
* **Synonyms.** `alias::` names and `alternate-terms::` items (comma-separated on the line, or,
  when the line is empty, the bullets right below it at its indentation) are `SynonymFact`s
  (`oio:hasExactSynonym`) of the page class. An `alias::` in any other block names nothing in
  Logseq: a `block-alias` warning says so.
* **Hierarchy.** Every `is-subclass-of::` line anywhere on the page (also the older
  `subClassOf::` / `subclass-of::`) gives one edge per link (`[[X]]`, `#X`, `#[[X Y]]`, nested
  links both ways: `logseq_names.split_values`) from the page class: parent =
  minted IRI of the link, parent_ref = the link's page name (`[[Page|label]]` -> `Page`). A value
  item that is an IRI or CURIE rather than a link gives an edge to the expanded IRI with no ref.
  Text that is no link in a value that holds links is an `unreadable-value` warning (one a line).
* **Relationships.** Every other property whose value holds `[[links]]`, except the metadata keys
  in `METADATA_KEYS` (provenance, tags, aliases, dates, the definition...), gives one AxiomFact
  per link: axiom_type `Relationship` (`DisjointClasses` for `owl:disjointWith`,
  `EquivalentClasses` for `owl:equivalentClass`, which also accept CURIE/IRI values),
  subject = page class, object = minted IRI of the link, object_ref = the page name,
  annotations = {"relation": key as written} plus {"via": word} for `[[X]] via is-part-of`.
* **Fences.** A line whose text (after indentation and `- `) starts with three backticks opens a
  fence; its first word is the tag. A bare fence line closes the innermost fence (so does a line
  ending in three backticks); a tagged fence line inside a fence opens a nested fence (quoted
  "Original Content" blocks hold real `clojure` fences). A `- ` bullet at column 0 ends every
  open fence: it starts a new top-level block, and Logseq never continues a block past it. Fences
  tagged `clojure` or `owl` are read by the OWL functional-syntax dialect reader
  (`ontosync.parsing.ofn`; an undeclared `:` means the page class's namespace, or minted names
  on a page without `owl:class`), `turtle`/`ttl`
  by the RDF parser; other fences are ignored. Their facts merge into the page's; a fence that
  cannot be read is a warning with the page line, never a failure. The fence's indentation is
  stripped. A fence left open (end of page, or a column-0 bullet) is still read (warning
  `unclosed-fence`); a fence over 1,000,000 characters is not read (warning `fence-too-large`).
* **public.** A `public:: true` property line anywhere (outside fences) sets FileFacts.public.
* **Two OntologyBlocks.** The first declares the class; the second gives a
  `second-ontology-block` warning, and its is-subclass-of links and relationships still count
  for the same class.
* **Failures.** Only an unreadable page fails (ParseError with the 1-based line): bytes that are
  not UTF-8 or a NUL byte. A UTF-8 BOM is dropped, CRLF is accepted.
* **Order.** Facts come out in file order; exact duplicates within a page are dropped.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from ontosync.parsing.facts import (
    AxiomFact,
    ClassFact,
    EdgeFact,
    FileFacts,
    ParseError,
    ParseWarning,
    PropertyFact,
    SynonymFact,
)
from ontosync.parsing.logseq_config import LogseqGraph
from ontosync.parsing.logseq_names import file_page_name, page_properties, split_values
from ontosync.parsing.ofn import decode_source, mint_name, parse_ofn_text

if TYPE_CHECKING:  # pragma: no cover
    from ontosync.parsing import ParseOptions

SKIP_REASON = "no OntologyBlock heading"

_HEADING = re.compile(r"[ \t]*(?:-[ \t]+)?###[ \t]+OntologyBlock[ \t]*\Z")
_PROPERTY = re.compile(r"[ \t]*(?:-[ \t]+)?([A-Za-z0-9_][\w.:/+-]*?)::(?:[ \t]|\Z)(.*)", re.DOTALL)
_FENCE = re.compile(r"([ \t]*)(-[ \t]+)?```+[ \t]*(.*)", re.DOTALL)
_TAG = re.compile(r"[A-Za-z0-9][\w+#.-]*\Z")
# A link and the `via <key>` qualifier that may follow it: `[[X]] via is-part-of`.
_LINK = re.compile(r"\[\[([^\[\]]+)\]\](?:[ \t]+via[ \t]+([\w:.-]+))?")
_CURIE = re.compile(r"([A-Za-z_][\w.-]*)?:([^\s,]*)\Z")

SYNONYM_KEYS = frozenset(("alternate-terms", "alias"))
SUBCLASS_KEYS = frozenset(("is-subclass-of", "subclassof", "subclass-of"))
OWL_KEYS = {"owl:disjointwith": "DisjointClasses", "owl:equivalentclass": "EquivalentClasses"}
OFN_TAGS = frozenset(("clojure", "owl"))
TURTLE_TAGS = frozenset(("turtle", "ttl"))
MAX_FENCE_NESTING = 8
# Real fences are a few kB; a bigger one is generated junk and would only cost seconds.
MAX_FENCE_CHARS = 1_000_000


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Keys whose links are metadata about the page, not relations of the term (compared lower-case).
METADATA_KEYS = _words(
    """source sources references reference wikipedia-reference see-also tags tag alias aliases
    definition preferred-term alt-terms title imported-from import-date migration-date
    last-updated lastvalidated created updated date speaker file file-path type id collapsed
    term-id source-domain status maturity public public-access ontology version author authors
    owl:class owl:physicality owl:role owl:inferred-class owl:functional-syntax"""
)


def page_title(path: str, graph: LogseqGraph | None = None) -> str:
    """The page name Logseq shows for a file without `title::`: see `logseq_names`."""
    return file_page_name(path, graph)


def mint_page_iri(name: str, options: ParseOptions) -> str:
    """Deterministic IRI for a page name: page_namespace + quoted normalized name, spaces as `-`.

    Used for pages without `owl:class` and as the fallback of every `[[link]]`, so a link and
    the page it names (when that page has no owl:class) agree without any lookup.
    """
    return mint_name(name, options)


class _Fence:
    __slots__ = ("closed", "indent", "lines", "start", "tag")

    def __init__(self, tag: str, start: int, indent: str) -> None:
        self.tag = tag
        self.start = start  # page line of the opening backticks
        self.indent = indent  # the block's content indentation, stripped from each line
        self.lines: list[str] | None = [] if tag in OFN_TAGS or tag in TURTLE_TAGS else None
        self.closed = False

    def add(self, line_no: int, text: str) -> None:
        if self.lines is None:
            return
        while len(self.lines) < line_no - self.start - 1:  # keep text line k == page line start+k
            self.lines.append("")
        self.lines.append(text[len(self.indent) :] if text.startswith(self.indent) else text.lstrip(" \t"))


def _expand_iri(value: str, options: ParseOptions) -> tuple[str | None, str | None]:
    """(IRI, None) for `<iri>`, `http(s)://...` or a known CURIE; (None, reason) otherwise."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">") and len(value) > 2:
        return value[1:-1], None
    if value.startswith(("http://", "https://", "urn:")):
        return value, None
    m = _CURIE.match(value)
    if m is None:
        return None, "bad-owl-class"
    ns = options.namespaces.get(m.group(1) or "")
    if ns is None:
        return None, "unknown-prefix"
    return ns + m.group(2), None


def _links(value: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(link text, via) pairs of a property value, and the items that are no link (see
    `logseq_names.split_values`); `via` is the word of a `[[X]] via is-part-of` qualifier."""
    names, rest = split_values(value)
    vias = {text: via for text, via in _LINK.findall(value) if via} if " via " in value else {}
    return [(name, vias.get(name, "")) for name in names], rest


def _set_names(facts: FileFacts, title: str, preferred: str | None, page_props: dict) -> None:
    """The names the page answers to, by rank (0 title, 1 preferred-term, 2 alias::); aliases
    are synonyms of the page class too."""
    facts.names = [(title, 0)]
    if preferred:
        facts.names.append((preferred, 1))
    for alias in _aliases(page_props):
        facts.names.append((alias, 2))
        facts.synonyms.append(SynonymFact(facts.page_class or "", alias))


def _prose_warnings(key: str, links: list, rest: list[str], line: int) -> list[tuple[int, ParseWarning]]:
    """Text that is no link in a value that holds links: one warning a line (prose around links
    is common), naming the first few items."""
    if not (links and rest):
        return []
    shown = ", ".join(repr(item[:40]) for item in rest[:3]) + (", ..." if len(rest) > 3 else "")
    return [(line, ParseWarning("unreadable-value", f"{key}: {shown} not a [[link]] or #tag", line))]


def _aliases(page_props: dict[str, tuple[str, int]]) -> list[str]:
    """The names `alias::` in the page's own properties gives it: links, tags or plain text."""
    value = page_props.get("alias", ("", 0))[0]
    names, rest = split_values(value)
    return list(dict.fromkeys(n for n in (*names, *rest) if n))


def _list_items(lines: list[str], start: int, indent: int) -> list[str]:
    """The items of the list under an empty `alternate-terms::` on page line `start`: the bullets
    right below it, at its indentation, that are no property, fence or heading."""
    items = []
    for line in lines[start:]:
        if line[:indent].strip() or not line[indent:].startswith("- "):
            break
        if "::" in line or "```" in line or "OntologyBlock" in line:
            break
        items.append(line[indent + 2:].strip())
    return items


def _add_synonyms(facts: FileFacts, found: list[tuple[int, str, str, int]], lines: list[str]) -> None:
    """alternate-terms:: items become exact synonyms of the page class; an alias:: outside the
    page's first block is a block property in Logseq, which names nothing: a warning says so."""
    page_class = facts.page_class
    assert page_class is not None
    aliases = {n for n, rank in facts.names if rank == 2}
    texts: list[str] = []
    for line, key, value, indent in found:
        if key == "alias":
            if value and not all(a in aliases for a in _aliases({"alias": (value, line)})):
                facts.warnings.append(ParseWarning(
                    "block-alias", "alias:: outside the page's first block names no page in Logseq; "
                    "move it to the page properties", line))
            continue
        names, rest = split_values(value)
        texts.extend(names + rest if value.strip() else _list_items(lines, line, indent))
    known = {s.text for s in facts.synonyms}
    for text in dict.fromkeys(t.strip() for t in texts if t.strip()):
        if text not in known:
            facts.synonyms.append(SynonymFact(page_class, text))
    facts.warnings.sort(key=lambda w: w.line or 0)


def _link_ref(text: str) -> str:
    """The page a `[[link]]` names: `[[Page|label]]` names `Page`."""
    return text.split("|", 1)[0].strip()


def parse_page(path: str, data: bytes, options: ParseOptions) -> FileFacts:
    """Parse one Logseq page. Raises ParseError only for undecodable bytes (see module docstring)."""
    text = decode_source(data)
    if "OntologyBlock" not in text:
        return FileFacts(format="logseq", skipped=SKIP_REASON)

    headings: list[int] = []
    header: dict[str, tuple[str, int]] = {}  # owl:class, preferred-term, definition: first non-empty
    public = False
    # (line, key, value) of property lines that may give edges or relationships, in file order.
    props: list[tuple[int, str, str]] = []
    fences: list[_Fence] = []
    stack: list[_Fence] = []
    fence_re, prop_re = _FENCE, _PROPERTY
    # (line, key, value, indentation) of alternate-terms:: / alias:: lines outside fences.
    synonyms: list[tuple[int, str, str, int]] = []
    lines = text.split("\n")

    for no, line in enumerate(lines, 1):
        if stack:
            if line.startswith("- ") or line == "-":
                stack.clear()  # a column-0 bullet starts a new top-level block: fences end
            else:
                if "```" in line:
                    m = fence_re.match(line)
                    if m is not None:
                        info = m.group(3).strip()
                        if info.endswith("```"):
                            stack[-1].add(no, line)  # a one-line fence inside: content
                            continue
                        word = info.split(None, 1)[0] if info else ""
                        if word and _TAG.match(word):
                            if len(stack) >= MAX_FENCE_NESTING:
                                stack[-1].add(no, line)
                                continue
                            fence = _Fence(word.lower(), no, m.group(1) + " " * len(m.group(2) or ""))
                            stack.append(fence)
                            fences.append(fence)
                            continue
                        stack.pop().closed = True
                        continue
                    body = line.rstrip()
                    if body.endswith("```"):
                        stack[-1].add(no, body[:-3])
                        stack.pop().closed = True
                        continue
                stack[-1].add(no, line)
                continue

        if "```" in line:
            m = fence_re.match(line)
            if m is not None:
                info = m.group(3).strip()
                if not info.endswith("```"):  # else a one-line fence: nothing to read
                    word = info.split(None, 1)[0].lower() if info else ""
                    fence = _Fence(word, no, m.group(1) + " " * len(m.group(2) or ""))
                    stack.append(fence)
                    fences.append(fence)
                continue
            if line.count("```") % 2 == 1:  # `{{renderer ...}} ```@startuml`: an untagged fence
                fence = _Fence("", no, "")
                stack.append(fence)
                fences.append(fence)
                continue

        if "::" not in line:
            if "OntologyBlock" in line and _HEADING.match(line):
                headings.append(no)
            continue
        m = prop_re.match(line)
        if m is None:
            continue
        key = m.group(1).lower()
        value = m.group(2).strip()
        if key in SYNONYM_KEYS:
            synonyms.append((no, key, value, len(line) - len(line.lstrip(" \t"))))
        elif key in ("owl:class", "preferred-term", "definition"):
            if value and key not in header and len(headings) < 2:
                header[key] = (value, no)
        elif key == "public":
            if value.lower() == "true":
                public = True
        elif ("[[" in value or "#" in value or key in SUBCLASS_KEYS or key in OWL_KEYS) and key not in METADATA_KEYS:
            props.append((no, m.group(1), value))

    if not headings:
        return FileFacts(format="logseq", skipped=SKIP_REASON)
    facts = _build(path, options, headings, header, public, props, fences, page_properties(lines[:200]))
    _add_synonyms(facts, synonyms, lines)
    return facts


def _build(
    path: str,
    options: ParseOptions,
    headings: list[int],
    header: dict[str, tuple[str, int]],
    public: bool,
    props: list[tuple[int, str, str]],
    fences: list[_Fence],
    page_props: dict[str, tuple[str, int]],
) -> FileFacts:
    """Second step: facts from what the scan collected (the page class must be known first)."""
    facts = FileFacts(format="logseq", public=public)
    warnings: list[tuple[int, ParseWarning]] = []
    title = page_props.get("title", ("", 0))[0] or page_title(path, options.logseq)

    page_class = None
    if "owl:class" in header:
        owl_class, class_line = header["owl:class"]
        candidate = owl_class.split(",", 1)[0].strip()
        page_class, problem = _expand_iri(candidate, options)
        if problem is not None:
            msg = (
                f"owl:class {candidate!r}: unknown prefix; IRI minted from the title"
                if problem == "unknown-prefix"
                else f"owl:class {candidate!r} is not an IRI or CURIE; IRI minted from the title"
            )
            warnings.append((class_line, ParseWarning(problem, msg, class_line)))
    if page_class is None:
        page_class = mint_page_iri(title, options)
    facts.page_class = page_class

    preferred = header["preferred-term"][0] if "preferred-term" in header else None
    definition = header["definition"][0] if "definition" in header else None
    classes: dict[str, ClassFact] = {page_class: ClassFact(page_class, preferred or title, definition)}
    _set_names(facts, title, preferred, page_props)

    for line in headings[1:]:
        warnings.append(
            (
                line,
                ParseWarning(
                    "second-ontology-block",
                    "second OntologyBlock; the first one declares the page's class",
                    line,
                ),
            )
        )

    # (page line, fact) pairs, sorted at the end so facts come out in file order; a fence's facts
    # sort at its opening line.
    edges: list[tuple[int, EdgeFact]] = []
    axioms: list[tuple[int, AxiomFact]] = []
    properties: dict[str, PropertyFact] = {}

    minted: dict[str, str] = {}  # a page may repeat one link thousands of times: mint it once
    seen: set[tuple] = set()

    def mint(ref: str) -> str:
        iri = minted.get(ref)
        if iri is None:
            iri = minted[ref] = mint_page_iri(ref, options)
        return iri

    for line, key_as_written, value in props:
        key = key_as_written.lower()
        # (link text, via) pairs, duplicates dropped: a line may repeat one link endlessly.
        links, rest = _links(value)
        warnings.extend(_prose_warnings(key_as_written, links, rest, line))
        if key in SUBCLASS_KEYS:
            for text, _via in links:
                ref = _link_ref(text)
                if ref and ("edge", ref) not in seen:
                    seen.add(("edge", ref))
                    edges.append((line, EdgeFact(page_class, mint(ref), ref)))
            if not links:
                for item in filter(None, (v.strip() for v in value.split(","))):
                    iri, _problem = _expand_iri(item, options)
                    if iri is None:
                        warnings.append(
                            (line, ParseWarning("unreadable-value", f"{key_as_written}: {item[:60]!r}", line))
                        )
                    else:
                        edges.append((line, EdgeFact(page_class, iri)))
            continue
        axiom_type = OWL_KEYS.get(key, "Relationship")
        for text, via in links:
            ref = _link_ref(text)
            marker = (key_as_written, ref, via)
            if not ref or marker in seen:
                continue
            seen.add(marker)
            annotations: dict = {"relation": key_as_written}
            if via:
                annotations["via"] = via
            axioms.append((line, AxiomFact(axiom_type, page_class, mint(ref), annotations, ref)))
        if not links and key in OWL_KEYS:
            for item in filter(None, (v.strip() for v in value.split(","))):
                iri, _problem = _expand_iri(item, options)
                if iri is None:
                    warnings.append((line, ParseWarning("unreadable-value", f"{key_as_written}: {item[:60]!r}", line)))
                else:
                    axioms.append((line, AxiomFact(axiom_type, page_class, iri, {"relation": key_as_written})))

    for fence in fences:
        if fence.lines is None:
            continue
        if not fence.closed:
            warnings.append(
                (fence.start, ParseWarning("unclosed-fence", f"```{fence.tag} fence is not closed", fence.start))
            )
        body = "\n".join(fence.lines)
        if len(body) > MAX_FENCE_CHARS:
            warnings.append(
                (
                    fence.start,
                    ParseWarning(
                        "fence-too-large", f"```{fence.tag} fence of {len(body):,} characters not read", fence.start
                    ),
                )
            )
            continue
        if fence.tag in OFN_TAGS:
            try:
                part = parse_ofn_text(body, options, fence.start, page_class, fmt="logseq")
            except Exception as exc:  # a reader bug must cost a fence, not the page
                warnings.append(
                    (fence.start, ParseWarning("fence-syntax", f"internal error: {exc!r}"[:200], fence.start))
                )
                continue
        else:
            part = _parse_turtle(path, body, fence.start, options)
            if part is None:
                continue
        for w in part.warnings:
            warnings.append((w.line or fence.start, w))
        for c in part.classes:
            old = classes.get(c.iri)
            if old is None:
                classes[c.iri] = c
            elif c.iri != page_class:  # the page's own class takes label and comment from the page
                classes[c.iri] = ClassFact(c.iri, old.label or c.label, old.comment or c.comment)
        for p in part.properties:
            old_p = properties.get(p.iri)
            if old_p is None:
                properties[p.iri] = p
            else:
                properties[p.iri] = PropertyFact(
                    p.iri,
                    old_p.property_type,
                    old_p.label or p.label,
                    old_p.domain or p.domain,
                    old_p.range or p.range,
                )
        edges.extend((fence.start, e) for e in part.edges)
        axioms.extend((fence.start, a) for a in part.axioms)

    facts.classes = list(classes.values())
    facts.properties = list(properties.values())
    facts.edges = _unique(e for _, e in sorted(edges, key=lambda t: t[0]))
    facts.axioms = _unique_axioms(a for _, a in sorted(axioms, key=lambda t: t[0]))
    facts.warnings = [w for _, w in sorted(warnings, key=lambda t: t[0])]
    return facts


def _parse_turtle(path: str, body: str, start: int, options: ParseOptions) -> FileFacts | None:
    """A `turtle` fence through the RDF parser; its errors become warnings at page lines."""
    try:
        from ontosync.parsing.rdf import parse_rdf
    except ImportError:
        return FileFacts(
            format="logseq",
            warnings=[ParseWarning("fence-skipped", "turtle fence not read: no RDF parser available", start)],
        )
    try:
        part = parse_rdf(path, body.encode("utf-8"), "turtle", options)
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


def _unique(items) -> list:
    seen: set = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _unique_axioms(items) -> list[AxiomFact]:
    seen: set = set()
    out = []
    for a in items:
        ann = a.annotations
        try:
            frozen = None if ann is None else tuple(sorted(ann.items()))
            hash(frozen)
        except TypeError:  # a nested value: fall back to its JSON text
            frozen = json.dumps(ann, sort_keys=True, default=str)
        key = (a.axiom_type, a.subject, a.object, a.object_ref, frozen)
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out
