"""Logseq pages (one markdown file per term) -> one class, its hierarchy edges and axioms.

The rules below are what ontosync makes of a page; each was measured on a real 1,684-page graph
(see the README). They are README-ready:

* **Ontology page.** A page is read when it has a heading line `### OntologyBlock` (any
  indentation, with or without the leading `- `, outside code fences). Any other page is
  `skipped` ("no OntologyBlock heading"), with no class, but with its `names` (title and
  `alias::`, as Logseq names every page) and `page_class` the IRI minted from its title: links
  through any of its names meet there (`_skipped_page`).
* **Title.** The page's `title::` when properties open its first block, before any bullet (Logseq's
  page properties: the first run of `key:: value` lines there, after intro text too, but then with no
  title; a page with `#+key:` directives has those: `logseq_page_props`), else the name Logseq gives the
  file (`logseq_names.file_page_name`: the graph's `:file/name-format`, `___` or `.` for `/`, `%XX`
  decoded, journal files named by the journal title format); a `title::` in any other block names nothing
  in Logseq (`block-title` warning where it was meant for the page: `_title_warnings`). A page property
  given twice is worth its last value (`repeated-property`). Logseq's copies are skipped (`logseq_config`).
* **Properties** are `key:: value` lines (indentation and a leading `- ` ignored) outside code fences,
  drawers (`:LOGBOOK:`...`:END:`) and list items' text (`logseq_scan.ListRun`: the lines indented further
  than an item's mark), in any run of them in a block. Keys compare lower-case, `_` as `-` (`property_key`:
  `is_subclass_of::` is `is-subclass-of::`).
* **The class.** One per page. `owl:class::` gives its IRI: `prefix:Local` expanded through the
  namespace table, a full IRI `<...>` or `http(s)://...` kept. An unknown prefix or a value that
  is no IRI gives an `unknown-prefix` / `bad-owl-class` warning and the minted IRI instead.
  Without `owl:class` the IRI is minted from the title: `page_namespace` + the URL-quoted
  normalized title (lower-cased, each run of whitespace as one `-`); links to pages use the
  same minting as their fallback. `label` = `preferred-term`, else the title;
  `comment` = `definition` (verbatim, Logseq markup kept), else none: labels and comments that
  the page's fences give its own class do not override the page. The page class, `preferred-term` and
  `definition` come from the first non-empty occurrence before a second OntologyBlock.
  `names` = (title, 0), (each `alias::` of the page properties, 1), (preferred-term, 2) for link
  resolution (all kept even when equal): a name resolves to a title before an alias (the names
  Logseq opens a page by) before a preferred-term (no name in Logseq), then to the smallest path.
* **Line.** The page class's `ClassFact.line` is the page's first `### OntologyBlock` heading (the
  block that declares it); a class declared in a fence has the line of its `Declaration`.
* **Synonyms.** `alias::` names and `alternate-terms::` items (comma-separated on the line, or,
  when the line is empty, the bullets right below it at its indentation) are `SynonymFact`s
  (`oio:hasExactSynonym`) of the page class. An `alias::` in any other block names nothing in
  Logseq: a `block-alias` warning says so.
* **Hierarchy.** Every `is-subclass-of::` line anywhere on the page (also the older
  `subClassOf::` / `subclass-of::`) gives one edge per link (`[[X]]`, `#X`, `#[[X Y]]`, nested
  links both ways: `logseq_names.split_values`) from the page class: parent =
  minted IRI of the link, parent_ref = the link's page name as Logseq reads it: `[[Page|label]]`
  names the page `Page|label` (mldoc's Page_ref is the whole text; a `pipe-link` warning says
  so), a date names that day's journal page (`logseq_names.journal_link_name`), an org-mode
  link `[[Page][label]]` names none (`org-link` warning), nor does `[[assets...]]` or
  `[[draws...]]`, a file link (`asset-link` warning: `logseq_verbatim.asset_link`). A value
  item that is an IRI or CURIE rather than a link gives an edge to the expanded IRI with no ref.
  Text that is no link in a value that holds links is an `unreadable-value` warning (one a line).
* **Keys Logseq reads as text.** A key in the config's `:ignored-page-references-keywords` holds
  no links (Logseq makes no refs of its value): it gives no edge or relationship; its items are
  read as IRIs/CURIEs where the key accepts them. A key in `:property/separated-by-commas` reads
  the plain text between commas as page links too (`has-part:: Wheel, [[Axle]]`: two links).
* **Mappings.** `skos:exactMatch::` (`broadMatch`, `narrowMatch`, `relatedMatch`) and
  `oboInOwl:hasDbXref::` give the AnnotationAssertion axioms a fence gives (`_Relations._mappings`):
  a CURIE or IRI item as such, a `[[link]]` to the class of the page it names (resolved by the
  store), and an xref's items (a link's page name too) as texts. Never a relationship.
* **Org pages.** `.org` pages are skipped (their ontology is not read) but named as Logseq names
  them (`org_page`: `#+title:`, `#+alias:`), as a markdown page without an OntologyBlock is.
* **Relationships.** Every other property whose value holds `[[links]]`, except the metadata keys
  in `METADATA_KEYS` (provenance, tags, aliases, dates, the definition...), gives one AxiomFact
  per link: axiom_type `Relationship` (`DisjointClasses` for `owl:disjointWith`,
  `EquivalentClasses` for `owl:equivalentClass`, which also accept CURIE/IRI values),
  subject = page class, object = minted IRI of the link, object_ref = the page name,
  annotations = {"relation": key as written} plus {"via": word} for `[[X]] via is-part-of`.
* **Fences.** What is a code block is mldoc's (`logseq_code`): a line whose text (after indentation
  and `- `) starts with three backticks or tildes opens one, the first line below whose trimmed text
  does closes it (fences do not nest; `- ```` inside is text), and one left open to the page's end is
  none (its lines are read as any others); a list item's text opens none. `#+BEGIN_X` ... `#+END_X`
  (any case) is a block too: `#+BEGIN_SRC lang` is the fence tagged `lang`; in any other (QUOTE,
  QUERY...) nothing is read. No line inside a fence or block is a property or an OntologyBlock
  heading. A `#+BEGIN_X` with no `#+END_X` before the next column-0 bullet is no block (mldoc).
  (Backticks inside a `key:: value` line open nothing: the value runs to the end of its line.)
  The fences ontosync reads nest: a tagged fence line inside a fence opens a nested one whose text
  is read (quoted "Original Content" blocks hold real `clojure` fences; Logseq shows it as text),
  a bare one closes the innermost. A `- ` bullet at column 0 ends every
  open fence: it starts a new top-level block, and Logseq never continues a block past it. Fences
  tagged `clojure` or `owl` are read by the OWL functional-syntax dialect reader
  (`ontosync.parsing.ofn`; an undeclared `:` means the page class's namespace, or minted names
  on a page without `owl:class`), `turtle`/`ttl`
  by the RDF parser; other fences are ignored. Their facts merge into the page's; a fence that
  cannot be read is a warning with the page line, never a failure. The fence's indentation is
  stripped. A fence left open (end of page, or a column-0 bullet) is still read (warning
  `unclosed-fence`); a fence over 1,000,000 characters is not read (warning `fence-too-large`).
* **public.** A `public:: true` property line anywhere (outside fences) sets FileFacts.public
  (exactly `true`: Logseq reads `True` as a string, and publishes no such page).
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

from ontosync.parsing.annotation_notes import HAS_DB_XREF, PAGE_KEYS, literal_axiom, target_axiom
from ontosync.parsing.facts import (
    AxiomFact,
    ClassFact,
    EdgeFact,
    FileFacts,
    ParseError,
    ParseWarning,
    SynonymFact,
    normalize_name,
)
from ontosync.parsing.logseq_config import LogseqGraph
from ontosync.parsing.logseq_fences import PageParts, read_fence
from ontosync.parsing.logseq_names import journal_link_name, other_aliases, page_name, split_values
from ontosync.parsing.logseq_page_props import markdown_properties, org_properties, over_displaced
from ontosync.parsing.logseq_scan import OWL_KEYS, SUBCLASS_KEYS, PageScan, property_key, where_the_page_speaks
from ontosync.parsing.logseq_verbatim import LONG_VALUE, asset_link, is_quoted, long_value, outside_code
from ontosync.parsing.ofn_names import mint_name
from ontosync.parsing.text_encoding import decode_source

if TYPE_CHECKING:  # pragma: no cover
    from ontosync.parsing import ParseOptions

SKIP_REASON = "no OntologyBlock heading"

# A link and the `via <key>` qualifier that may follow it: `[[X]] via is-part-of`.
_LINK = re.compile(r"\[\[([^\[\]]+)\]\](?:[ \t]+via[ \t]+([\w:.-]+))?")
_CURIE = re.compile(r"([A-Za-z_][\w.-]*)?:([^\s,]*)\Z")
_IRI = re.compile(r'[^\x00-\x20<>"{}|^`\\]+')  # the characters IRIREF allows (Turtle, N-Triples)
_CLASS_PROBLEMS = {"unknown-prefix": ": unknown prefix", "bad-owl-class": " is not an IRI or CURIE"}


def mint_page_iri(name: str, options: ParseOptions) -> str:
    """Deterministic IRI for a page name: page_namespace + quoted normalized name, spaces as `-`.

    Used for pages without `owl:class` and as the fallback of every `[[link]]`, so a link and
    the page it names (when that page has no owl:class) agree without any lookup.
    """
    return mint_name(name, options)


def _expand_iri(value: str, options: ParseOptions) -> tuple[str | None, str | None]:
    """(IRI, None) for `<iri>`, `http(s)://...` or a known CURIE; (None, reason) otherwise, also
    for an IRI holding a character no IRI may hold (a space, `<`, `"`, `{`...): stored as it
    stood, no RDF tool would read it back."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">") and len(value) > 2:
        iri = value[1:-1]
    elif value.startswith(("http://", "https://", "urn:")):
        iri = value
    else:
        m = _CURIE.match(value)
        if m is None:
            return None, "bad-owl-class"
        ns = options.namespaces.get(m.group(1) or "")
        if ns is None:
            return None, "unknown-prefix"
        iri = ns + m.group(2)
    return (iri, None) if _IRI.fullmatch(iri) else (None, "bad-owl-class")


def _links(value: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(link text, via) pairs of a property value, and the items that are no link (see
    `logseq_names.split_values`); `via` is the word of a `[[X]] via is-part-of` qualifier."""
    names, rest = split_values(value)
    vias = {text: via for text, via in _LINK.findall(value) if via} if " via " in value else {}
    return [(name, vias.get(name, "")) for name in names], rest


TITLE, ALIAS, PREFERRED = 0, 1, 2  # the ranks of a page's names: Logseq's own names first


def _set_names(facts: FileFacts, title: str, preferred: str | None, aliases: list[str],
               graph: LogseqGraph | None) -> None:
    """The names the page answers to, by rank (TITLE, ALIAS, PREFERRED): Logseq opens a page by
    its title and its `alias::` names (a date as that day's journal title, as links name it:
    `journal_link_name`); a preferred-term is no name in Logseq, only ontosync's fallback for a
    link no page answers to. Aliases are synonyms of the page class too."""
    aliases = other_aliases(title, aliases, graph)
    facts.names = _page_names(title, aliases, graph)
    facts.synonyms.extend(SynonymFact(facts.page_class or "", alias) for alias in aliases)
    if preferred:
        facts.names.append((preferred, PREFERRED))


def _page_names(title: str, aliases: list[str], graph: LogseqGraph | None) -> list[tuple[str, int]]:
    """The names Logseq opens a page by: its title, then its `alias::` names (`_aliases`), each as
    links name it (`journal_link_name`)."""
    return [(journal_link_name(title, graph), TITLE)] + [(journal_link_name(a, graph), ALIAS) for a in aliases]


def _prose_warnings(key: str, links: list, rest: list[str], line: int) -> list[tuple[int, ParseWarning]]:
    """Text that is no link in a value that holds links: one warning a line (prose around links
    is common), naming the first few items."""
    if not (links and rest):
        return []
    shown = ", ".join(repr(item[:40]) for item in rest[:3]) + (", ..." if len(rest) > 3 else "")
    return [(line, ParseWarning("unreadable-value", f"{key}: {shown} not a [[link]] or #tag", line))]


def _aliases(page_props: dict[str, tuple[str, int]]) -> list[str]:
    """The names `alias::` in the page's own properties gives it, as Logseq's `parse-property`
    reads the comma-separated built-in: its links and tags, and its plain text split at `,` or `，`
    (`_comma_items`: inline code and emphasis are no name), however long the value (a value over
    LONG_VALUE characters is a `long-value` warning: `_alias_warnings`); a value with none of them
    (or in quotes) is one text, one alias."""
    value = page_props.get("alias", ("", 0))[0].strip()
    if is_quoted(value):
        return [value]
    names, rest = split_values(value, items=True)
    plain = rest if long_value(value) else _comma_items(rest)  # on the long path, `long_items` split it
    found = [*names, *plain] or ([value] if value else [])
    return list(dict.fromkeys(n for n in found if n))


def _alias_warnings(page_props: dict[str, tuple[str, int]]) -> list[ParseWarning]:
    """An `alias::` value over LONG_VALUE characters is read at C speed (`split_values`): its
    links, tags and comma-separated names all name the page, as in Logseq, but nested links and
    emphasis are not looked for there (`**Bold**` is a name); the warning names the line."""
    value, line = page_props.get("alias", ("", 0))
    if is_quoted(value.strip()) or not long_value(value.strip()):
        return []
    return [ParseWarning("long-value", f"alias:: a value of {len(value):,} characters (over {LONG_VALUE:,} characters) "
                         "is read without nested links or emphasis", line)]


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


EXACT = SynonymFact._field_defaults["predicate"]  # alternate-terms:: and alias:: give exact synonyms


def _add_synonyms(facts: FileFacts, found: list[tuple[int, str, str, int]], lines: list[str],
                  page_props: dict[str, tuple[str, int]], end: int) -> None:
    """alternate-terms:: items become exact synonyms of the page class; an alias:: outside the
    page's first block is a block property in Logseq, which names nothing: a warning says so."""
    page_class = facts.page_class
    assert page_class is not None
    texts: list[str] = []
    for line, key, value, indent in found:
        if key == "alias":
            warning = _alias_warning(line, value, page_props, end)
            facts.warnings.extend([warning] if warning else [])
            continue
        names, rest = split_values(value)
        texts.extend(names + rest if value.strip() else _list_items(lines, line, indent))
    known = {s.text for s in facts.synonyms if s.iri == page_class and s.predicate == EXACT}
    for text in dict.fromkeys(t.strip() for t in texts if t.strip()):
        if text not in known:
            facts.synonyms.append(SynonymFact(page_class, text))
    facts.warnings.sort(key=lambda w: w.line or 0)


def _alias_warning(line: int, value: str, page_props: dict[str, tuple[str, int]], end: int) -> ParseWarning | None:
    """An `alias::` line that names nothing in Logseq: an earlier value of the page properties'
    `alias::` (`_repeated`), or one in another block (a block property) whose names are not the
    page's own aliases as written (not a fence's synonyms) anyway. `end`: the page properties' last
    line (`markdown_properties`)."""
    if not value or set(_aliases({"alias": (value, line)})) <= set(_aliases(page_props)):
        return None
    if line <= end:
        return _repeated("alias", line, value, page_props)
    there = "write it as #+alias: with the page's directives" if page_props and not end else (
        "move it to the page properties")
    return ParseWarning("block-alias", "alias:: outside the page properties (the first run of properties of the page's "
                        f"first block, before any bullet) names no page in Logseq; {there}", line)


def _title_warnings(scan: PageScan, lines: list[str], page_props: dict[str, tuple[str, int]],
                    names: list[tuple[str, int]], end: int) -> list[ParseWarning]:
    """A `title::` outside the page properties (or after intro text: Logseq titles a page by its first
    element only) is a block property in Logseq, which names nothing (as an `alias::` there: `block-alias`);
    Logseq says nothing, so a user who typed it in the page's first block or its OntologyBlock, meaning
    the page, would not know why links to that name miss it. A title elsewhere is another block's own
    (`where_the_page_speaks`: a web link's), and one naming the page as it is named anyway is harmless.
    One repeated in the page properties is a `repeated-property` (`_repeated`). On a page whose `#+`
    directives are its properties (`end` 0), the first block is no place for it: the warning says `#+title:`."""
    if not names or not scan.titles:  # no titles, or a file beside the graph: no page in Logseq
        return []
    there = "write it as #+title: with the page's directives" if page_props and not end else "move it there"
    end = end if "title" in page_props else 0  # after intro text, the first block's title:: is its own
    meant = where_the_page_speaks(lines, [line for line, _value in scan.titles if line > end], scan.headings)
    found = [_repeated("title", line, value, page_props) if line <= end else
             ParseWarning("block-title", f"title:: {value[:60]!r} is no page property (the properties opening the "
                          f"page's first block, before any bullet): it does not name the page in Logseq; {there}", line)
             if line in meant and value and normalize_name(value) != normalize_name(names[0][0]) else None
             for line, value in scan.titles]
    return [w for w in found if w is not None]


def _repeated(key: str, line: int, value: str, page_props: dict[str, tuple[str, int]]) -> ParseWarning | None:
    """A page property given again further down the page properties: Logseq keeps the last value
    (`logseq_page_props.page_properties`), so an earlier, other value names nothing: a warning says so."""
    kept, kept_line = page_props.get(key, ("", line))
    if line == kept_line or not value or value == kept:
        return None
    return ParseWarning("repeated-property", f"{key}:: {value[:60]!r} is given again on line {kept_line}; Logseq "
                        "reads only the last value of a page property", line)


def _config_keys(options: ParseOptions) -> tuple[frozenset[str], frozenset[str]]:
    """The graph's `:ignored-page-references-keywords` and `:property/separated-by-commas` keys."""
    graph = options.logseq
    if graph is None:
        return frozenset(), frozenset()
    return frozenset(graph.config.ignored_ref_keys), frozenset(graph.config.comma_ref_keys)


def _comma_items(rest: list[str]) -> list[str]:
    """Page names of the plain text of a comma-separated value: Logseq also splits on `，`, and
    inline code or emphasis between the commas is no name (only mldoc's Plain text is split)."""
    return [name.strip() for item in rest for part in outside_code(item) for name in part.split("，")
            if name.strip()]


# `[[url][label]]`: mldoc's org_link (tried first in markdown too), whose url is no page ref.
_ORG_LINK = re.compile(r"([^\]]+)\]\[[^\]]*")


def _org_warning(ref: str, url: str, line: int) -> ParseWarning:
    """`[[url][label]]` is an org-mode link: mldoc reads it as a link to a search or URL, and
    Logseq (`extract-refs-from-mldoc-ast`) makes no page ref of it in a property value."""
    return ParseWarning("org-link", f"[[{ref}]] is an org-mode link, which names no page in Logseq; "
                        f"a link to the page is [[{url.strip()}]]", line)


def _pipe_warning(ref: str, line: int) -> ParseWarning:
    """`[[Page|label]]` is Obsidian's labelled link; Logseq (mldoc's Page_ref) reads the whole
    text as the page name, so the link goes to a page named `Page|label`, as in Logseq."""
    page, label = (part.strip() for part in ref.split("|", 1))
    return ParseWarning("pipe-link", f"[[{ref}]]: Logseq reads this as the page {ref!r}, not a link to {page!r}; "
                        f"a labelled link is [{label}]([[{page}]])", line)


def page_text(data: bytes) -> str:
    """The page's text as Logseq's parser reads it: mldoc ends a line at `\r` as at `\n`
    (lib/parsers.ml `is_eol`), so a page saved with old-Mac line ends (a lone CR) is read line
    by line, not as one line; `decode_source` has made each CRLF one LF already."""
    text = decode_source(data, lone_cr=True)
    return text.replace("\r", "\n") if "\r" in text else text


def parse_page(path: str, data: bytes, options: ParseOptions) -> FileFacts:
    """Parse one Logseq page. Raises ParseError only for undecodable bytes (see module docstring)."""
    text = page_text(data)
    props, displaced, end = markdown_properties(text)  # displaced: title::/alias:: its #+ directives undo
    if "OntologyBlock" not in text and "public::" not in text and _no_stray_title(text, props):
        facts = _skipped_page(path, props, options)
        facts.warnings = over_displaced(displaced, facts)
        return facts
    lines = text.split("\n")  # after the skip: most pages have no OntologyBlock
    scan = PageScan(_config_keys(options)[1])
    for no, line in enumerate(lines, 1):
        scan.feed(no, line)
    scan.end_all()
    if not scan.headings:  # still a page: its `public:: true` is recorded (spec: on any page)
        facts = _skipped_page(path, props, options, scan.public)
        facts.warnings[:0] = _title_warnings(scan, lines, props, facts.names, end)
        facts.warnings = over_displaced(displaced, facts)
        return facts
    aliases = _aliases(props)
    facts = _build(path, options, scan, props, aliases)
    facts.warnings.extend(_title_warnings(scan, lines, props, facts.names, end))
    _add_synonyms(facts, scan.synonyms, lines, props, end)
    facts.warnings.extend(_alias_warnings(props))
    facts.warnings = over_displaced(displaced, facts)
    return facts


def _no_stray_title(text: str, props: dict[str, tuple[str, int]]) -> bool:
    """No `title::` to scan for (`_title_warnings`): none, or one page property (as on many pages)."""
    n = text.count("itle::")
    return n == 0 or (n == 1 and "title" in props)


def org_page(path: str, data: bytes, options: ParseOptions, reason: str) -> FileFacts:
    """An org-mode page (skipped for `reason`: its ontology is not read) still has the names Logseq
    opens it by: `#+title:` (else its file name) and `#+alias:` (`logseq_page_props.org_properties`).
    A page that is no UTF-8 text names nothing (it stays skipped, as before)."""
    try:
        text = page_text(data)
    except ParseError:
        return FileFacts(format="org", skipped=reason)
    return _skipped_page(path, org_properties(text.split("\n")), options, reason=reason)


def _skipped_page(path: str, props: dict[str, tuple[str, int]], options: ParseOptions, public: bool = False,
                  reason: str = "") -> FileFacts:
    """A page without an OntologyBlock declares no class, but Logseq still opens it by its title
    and its `alias::` names (graph-parser names every page file): its names lead to the IRI minted
    from its title, the one a `[[Title]]` link mints, so `[[Alias]]` and `[[Title]]` meet. With a
    `reason`, an org-mode page (`props`: its `#+key:` directives)."""
    facts = FileFacts(format="org" if reason else "logseq", skipped=reason or SKIP_REASON, public=public)
    graph = options.logseq
    if graph is not None and graph.found and graph.relative(path) is None:
        return facts  # beside the graph (a repository's README, docs/): no page in Logseq
    title = page_name(path, props, graph)
    names = _page_names(title, other_aliases(title, _aliases(props), graph), graph)
    facts.warnings.extend(_alias_warnings(props))
    if names[0][0].strip():
        facts.page_class = mint_page_iri(names[0][0], options)
        facts.names = names
    return facts


def _page_class(header: dict[str, tuple[str, int]], title: str, options: ParseOptions,
                warnings: list[tuple[int, ParseWarning]]) -> str:
    """The page's class: `owl:class::` expanded when it can be, else minted from the title."""
    if "owl:class" in header:
        owl_class, class_line = header["owl:class"]
        candidate = owl_class.split(",", 1)[0].strip()
        iri, problem = _expand_iri(candidate, options)
        if problem is not None:
            msg = f"owl:class {candidate!r}{_CLASS_PROBLEMS[problem]}; IRI minted from the title"
            warnings.append((class_line, ParseWarning(problem, msg, class_line)))
        if iri is not None:
            return iri
    return mint_page_iri(title, options)


def _build(path: str, options: ParseOptions, scan: PageScan, page_props: dict[str, tuple[str, int]],
           aliases: list[str]) -> FileFacts:
    """Second step: facts from what the scan collected (the page class must be known first).

    The page class's line is the page's first `### OntologyBlock` heading: the block that
    declares it (its properties, `owl:class::` among them, sit below that line)."""
    facts = FileFacts(format="logseq", public=scan.public)
    header = scan.header
    title = page_name(path, page_props, options.logseq)
    early: list[tuple[int, ParseWarning]] = []
    page_class = facts.page_class = _page_class(header, title, options, early)
    preferred = header["preferred-term"][0] if "preferred-term" in header else None
    definition = header["definition"][0] if "definition" in header else None
    parts = PageParts(ClassFact(page_class, preferred or title, definition, scan.headings[0]))
    parts.warnings.extend(early)
    _set_names(facts, title, preferred, aliases, options.logseq)
    parts.warnings.extend(
        (line, ParseWarning("second-ontology-block", "second OntologyBlock; the first one declares the page's class",
                            line)) for line in scan.headings[1:])
    _Relations(parts, options).read(scan.props)
    for fence in scan.fences:
        part = read_fence(fence, page_class, options, parts.warnings)
        if part is not None:
            parts.merge(fence.start, part)
    facts.classes = list(parts.classes.values())
    facts.properties = list(parts.properties.values())
    facts.edges = _unique(e for _, e in sorted(parts.edges, key=lambda t: t[0]))
    facts.axioms = _unique_axioms(a for _, a in sorted(parts.kept_axioms(), key=lambda t: t[0]))
    facts.warnings = [w for _, w in sorted(parts.warnings, key=lambda t: t[0])]
    aliases = set(facts.synonyms)
    facts.synonyms.extend(s for s in parts.synonyms if s not in aliases)  # a fence's, any class's
    facts.literal_languages = parts.literal_languages
    return facts


class _Relations:
    """Property lines -> hierarchy edges and relationship axioms of the page class, in `parts`."""

    def __init__(self, parts: PageParts, options: ParseOptions) -> None:
        self.parts = parts
        self.options = options
        self.minted: dict[str, str] = {}  # a page may repeat one link thousands of times: mint it once
        self.seen: set[tuple] = set()
        self.ignored, self.comma = _config_keys(options)

    def ref(self, line: int, text: str) -> str:
        """The page a `[[link]]` names, as Logseq resolves it: its text as written (a `|` is part
        of the name: `_pipe_warning`), a date as that day's journal page (`journal_link_name`);
        "" for an org-mode link `[[url][label]]`, which names no page (`_org_warning`)."""
        ref = text.strip()
        org = _ORG_LINK.fullmatch(ref)
        if (org or "|" in ref) and ("link", line, ref) not in self.seen:
            self.seen.add(("link", line, ref))
            warning = _org_warning(ref, org.group(1), line) if org else _pipe_warning(ref, line)
            self.parts.warnings.append((line, warning))
        return "" if org else journal_link_name(ref, self.options.logseq)

    def mint(self, ref: str) -> str:
        iri = self.minted.get(ref)
        if iri is None:
            iri = self.minted[ref] = mint_page_iri(ref, self.options)
        return iri

    def read(self, props: list[tuple[int, str, str]]) -> None:
        for line, key_as_written, value in props:
            key = property_key(key_as_written)
            # (link text, via) pairs, duplicates dropped: a line may repeat one link endlessly.
            links, rest = ([], []) if key in self.ignored else _links(value)
            if key in self.comma and rest and not is_quoted(value):  # plain text between commas: pages too
                links, rest = links + [(name, "") for name in _comma_items(rest)], []
            kept = [pair for pair in links if not self._asset(line, key_as_written, value, pair[0])]
            if key in PAGE_KEYS:  # the items that are no link are read too: no prose
                self._mappings(line, key_as_written, value, PAGE_KEYS[key], kept, rest if links else None)
                continue
            if links and not kept:
                continue  # links to files only: no page and no IRI (a warning each)
            links = kept
            self.parts.warnings.extend(_prose_warnings(key_as_written, links, rest, line))
            if key in SUBCLASS_KEYS:
                self._parents(line, key_as_written, value, links)
            else:
                self._relations(line, key_as_written, value, links, OWL_KEYS.get(key, "Relationship"))

    def _asset(self, line: int, key: str, value: str, name: str) -> bool:
        """A link to a drawing or asset file (`logseq_verbatim.asset_link`) names no page: a warning says so."""
        found = asset_link(name, value)
        if found:
            self.parts.warnings.append((line, ParseWarning("asset-link", f"{key}: [[{name}]] is a link to a file "
                                        f"in Logseq, no page; #[[{name}]] links the page", line)))
        return found

    def _parents(self, line: int, key: str, value: str, links: list[tuple[str, str]]) -> None:
        page_class = self.parts.page_class
        for text, _via in links:
            ref = self.ref(line, text)
            if ref and ("edge", ref) not in self.seen:
                self.seen.add(("edge", ref))
                self.parts.edges.append((line, EdgeFact(page_class, self.mint(ref), ref)))
        if not links:
            for iri in self._iris(line, key, value):
                self.parts.edges.append((line, EdgeFact(page_class, iri)))

    def _relations(self, line: int, key: str, value: str, links: list[tuple[str, str]], axiom_type: str) -> None:
        page_class = self.parts.page_class
        for text, via in links:
            ref = self.ref(line, text)
            marker = (key, ref, via)
            if not ref or marker in self.seen:
                continue
            self.seen.add(marker)
            annotations: dict = {"relation": key, "via": via} if via else {"relation": key}
            self.parts.axioms.append((line, AxiomFact(axiom_type, page_class, self.mint(ref), annotations, ref)))
        if not links and property_key(key) in OWL_KEYS:
            for iri in self._iris(line, key, value):
                self.parts.axioms.append((line, AxiomFact(axiom_type, page_class, iri, {"relation": key})))

    def _mappings(self, line: int, key: str, value: str, prop: str, links: list[tuple[str, str]],
                  rest: list[str] | None) -> None:
        """`oboInOwl:hasDbXref:: MESH:D1, FMA:7` (each item a text, as in OBO; a link's page name
        is one too) or `skos:exactMatch:: <IRI or CURIE>`: the axioms a functional-syntax fence gives
        them. `skos:exactMatch:: [[Hound]]` maps the page class to the linked page's class, as the
        store resolves the link (`object_ref`): an AnnotationAssertion whose object is that class
        and whose `mapping` note is the predicate (store/semsql_ofn.py writes its row), never a
        relationship (a restriction on a made-up property: `runoak relationships`). `links`: the page
        links kept (not those to files); `rest`: the items that are no link, None when `value` has no
        link (its comma-separated items are read)."""
        subject = self.parts.page_class
        items = value.split(",") if rest is None else [name for name, _via in links] + rest
        if prop == HAS_DB_XREF:
            found = [literal_axiom(prop, subject, item) for item in filter(None, (v.strip() for v in items))]
        else:
            iris = self._iris(line, key, value if rest is None else ",".join(rest))
            found = [target_axiom(prop, subject, iri) for iri in iris]
            for text, _via in links:
                ref = self.ref(line, text)
                if ref:
                    found.append(AxiomFact("AnnotationAssertion", subject, self.mint(ref), {"mapping": prop}, ref))
        self.parts.axioms.extend((line, axiom) for axiom in found)

    def _iris(self, line: int, key: str, value: str) -> list[str]:
        """The IRIs and CURIEs of a value with no links; each item that is neither is a warning."""
        out = []
        for item in filter(None, (v.strip() for v in value.split(","))):
            iri, _problem = _expand_iri(item, self.options)
            if iri is None:
                self.parts.warnings.append((line, ParseWarning("unreadable-value", f"{key}: {item[:60]!r}", line)))
            else:
                out.append(iri)
        return out


def _unique(items) -> list:
    return list(dict.fromkeys(items))


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
