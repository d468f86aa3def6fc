"""The tests' own reading of a Logseq graph's class hierarchy, written from the documented rules
(README and ../shared/spec/logseq-format.md) without importing ontosync, to check its answers.

What counts as a parent, by those rules:

* an `is-subclass-of::` line (or `subclassof::` / `subclass-of::`) outside code fences: one edge
  per link (`[[X]]`, `[[X|label]]`, `#X`, `#[[X Y]]`) from the page's class to the class of the
  page the link names (by title, then preferred-term, case-insensitive, ends trimmed;
  the smallest file name wins a tie), else to the IRI minted from the link's text; a value with
  no link gives an edge per CURIE or IRI item;
* `SubClassOf(A B)` / `(SubClassOf A B)` of two named classes in a `clojure` or `owl` fence
  (`;;` and `#` comments; `Prefix(p:=<...>)` declarations; an undeclared `:` is the page class's
  namespace, or a minted name on a page without `owl:class`; an unknown prefix is kept as written);
* `rdfs:subClassOf` between two IRIs in a `turtle` fence, read by rdflib with the common prefixes
  supplied (a fence rdflib cannot read gives nothing).

Fences are read as documented: a line is a property or heading only outside the fences Logseq sees
(`code_lines`: they do not nest, and one left open to the page's end is none); the text of a `clojure`
fence nested in a quoted one is read too (a tagged fence line inside a fence opens a nested one, a bare
one closes the innermost, a bullet's `- ```` is text), and a `- ` bullet at column 0 ends them all.
A page's class is its first `owl:class::` (its first comma item, prefix expanded through the
namespace table below) or, without one or with an unknown prefix, the IRI minted from its title:
`urn:ontosync:page:` + the URL-quoted lower-cased title with spaces as `-`.
"""

from __future__ import annotations

import logging
import re
import textwrap
from pathlib import Path
from urllib.parse import quote, unquote

PAGE_BASE = "urn:ontosync:page:"
# The README's namespace table (the prefixes the graph's own tools expand, plus aigo and tele).
NAMESPACES = {
    "mv": "http://narrativegoldmine.com/metaverse#", "ai": "http://narrativegoldmine.com/ai#",
    "bc": "http://narrativegoldmine.com/blockchain#", "rb": "http://narrativegoldmine.com/robotics#",
    "tc": "http://narrativegoldmine.com/telecollaboration#", "dt": "http://narrativegoldmine.com/disruptive-tech#",
    "aigo": "http://narrativegoldmine.com/aigo#", "tele": "http://narrativegoldmine.com/telecollaboration#",
    "owl": "http://www.w3.org/2002/07/owl#", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#", "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}
SUBCLASS_KEYS = {"is-subclass-of", "subclassof", "subclass-of"}
HEADING = re.compile(r"[ \t]*(?:-[ \t]+)?###[ \t]+OntologyBlock[ \t]*\Z")
PROPERTY = re.compile(r"[ \t]*(?:-[ \t]+)?([A-Za-z0-9_][\w.:/+-]*?)::(?:[ \t]+(.*))?\Z")
TAG = re.compile(r"[A-Za-z0-9][\w+#.-]*\Z")
FENCES = ("```", "~~~")
LINK = re.compile(r"#?\[\[([^\[\]]+)\]\]|(?:^|(?<=[\s,]))#([^\s,\[#][^\s,]*)")
CURIE = re.compile(r"([A-Za-z_][\w.-]*)?:(\S*)\Z")
OFN_TOKEN = re.compile(r'<[^>\s]*>|"(?:[^"\\]|\\.)*"|[()]|[^\s()"<]+|\s+')


def name_key(name: str) -> str:
    return name.strip().lower()  # Logseq lower-cases page names (no case folding), trims the ends


def mint(name: str) -> str:
    return PAGE_BASE + quote("-".join(name_key(name).split()), safe="")


def expand(value: str, prefixes: dict[str, str] = NAMESPACES) -> str | None:
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    if value.startswith(("http://", "https://", "urn:")):
        return value
    m = CURIE.match(value)
    if m and (m.group(1) or "") in prefixes:
        return prefixes[m.group(1) or ""] + m.group(2)
    return None


class Page:
    """One ontology page: its title, header values, property lines and fences."""

    def __init__(self, path: Path, lines: list[str]) -> None:
        self.name = path.name
        self.title = unquote(path.name[:-3].replace("___", "/"))
        self.headings = 0
        self.props: list[tuple[int, str, str]] = []  # (headings seen before, key, value)
        self.fences: list[tuple[str, list[str]]] = []
        self._scan(lines)
        self.first: dict[str, str] = {}
        for seen, key, value in self.props:
            if key in ("owl:class", "preferred-term") and value and key not in self.first and seen < 2:
                self.first[key] = value
        given = expand(self.first["owl:class"].split(",")[0]) if "owl:class" in self.first else None
        self.has_class = given is not None
        self.iri = given or mint(self.title)

    def _scan(self, lines: list[str]) -> None:
        hidden, openers = code_lines(lines)
        stack: list[tuple[str, list[str]]] = []
        for no, line in enumerate(lines):
            body = line.lstrip(" \t")
            bullet = body.startswith("- ")
            body = body[2:].lstrip(" \t") if bullet else body
            if stack and (line.startswith("- ") or line == "-"):
                stack.clear()
            if stack:
                self._inside(stack, line, body, bullet)
            elif no in openers:
                info = body[3:].strip()
                if not info.endswith(body[:3]):  # else a one-line fence: nothing to read
                    self._open(stack, info.split()[0].lower() if info else "")
            if no in hidden:
                continue
            if HEADING.match(line):
                self.headings += 1
            elif m := PROPERTY.match(line):
                self.props.append((self.headings, m.group(1).lower(), (m.group(2) or "").strip()))

    def _open(self, stack: list, tag: str) -> None:
        stack.append((tag, []))
        self.fences.append(stack[-1])

    def _inside(self, stack: list, line: str, body: str, bullet: bool) -> None:
        if body.startswith(FENCES) and not bullet:
            info = body[3:].strip()
            if info.endswith(body[:3]):
                stack[-1][1].append(line)
            elif info and TAG.match(info.split()[0]):
                self._open(stack, info.split()[0].lower())
            else:
                stack.pop()
        else:
            stack[-1][1].append(line)


def code_lines(lines: list[str]) -> tuple[set[int], set[int]]:
    """The (0-based) lines of the fences Logseq sees, opening and closing lines included, and the lines
    that open one (the one left open to the page's end too, whose text is read): a fence opens
    where a line's text (indentation and `- ` dropped) starts with three backticks or tildes and ends at
    the first line below whose trimmed text does (tagged or not: fences do not nest), or above a
    column-0 bullet; one that nothing ends before the page's end is none."""
    hidden: set[int] = set()
    openers: set[int] = set()
    start = None
    for no, line in enumerate(lines):
        if start is not None and (line.startswith("- ") or line == "-"):
            hidden.update(range(start, no))
            start = None
        if start is not None:
            if line.strip().startswith(FENCES):
                hidden.update(range(start, no + 1))
                start = None
            continue
        body = line.lstrip(" \t")
        body = body[2:].lstrip(" \t") if body.startswith("- ") else body
        if body.startswith(FENCES):
            start = no
            openers.add(no)
    return hidden, openers


def read_pages(root: Path) -> list[Page]:
    pages = []
    for path in sorted(root.glob("*.md")):
        page = Page(path, path.read_text(encoding="utf-8").split("\n"))
        if page.headings:
            pages.append(page)
    return pages


def link_edges(pages: list[Page]) -> set[tuple[str, str]]:
    names: dict[str, tuple[int, str, str]] = {}
    for page in pages:
        for rank, value in ((0, page.title), (1, page.first.get("preferred-term"))):
            if value:
                names[name_key(value)] = min(names.get(name_key(value), (9, "", "")), (rank, page.name, page.iri))
    edges = set()
    for page in pages:
        for _, key, value in page.props:
            if key not in SUBCLASS_KEYS:
                continue
            links = [(a or b).split("|")[0].strip() for a, b in LINK.findall(value)]
            for link in filter(None, links):
                target = names.get(name_key(link))
                edges.add((page.iri, target[2] if target else mint(link)))
            if not links:
                edges |= {(page.iri, iri) for iri in map(expand, value.split(",")) if iri}
    return edges


def _forms(text: str) -> list:
    """Nested lists of OWL functional-syntax tokens; `Name(...)` and `(Name ...)` both give
    [Name, args...]."""
    stack: list[list] = [[]]
    word = None
    for tok in OFN_TOKEN.findall(text):
        if tok.isspace():
            word = None
        elif tok == "(":
            form = [stack[-1].pop()] if word is not None else []
            stack.append(form)
            word = None
        elif tok == ")":
            if len(stack) > 1:
                done = stack.pop()
                stack[-1].append(done)
            word = None
        else:
            stack[-1].append(tok)
            word = tok
    while len(stack) > 1:
        done = stack.pop()
        stack[-1].append(done)
    return stack[0]


def _ofn_edges(page: Page, body: list[str]) -> set[tuple[str, str]]:
    lines = [line.split(";;")[0] for line in body]
    text = "\n".join(line for line in lines if not line.strip().startswith("#"))
    declared: dict[str, str] = {}
    own_ns = page.iri[: max(page.iri.rfind("#"), page.iri.rfind("/")) + 1] if page.has_class else None

    def named(tok) -> str | None:
        if not isinstance(tok, str):
            return None
        m = CURIE.match(tok)
        if m and (m.group(1) or "") not in {**NAMESPACES, **declared} and not tok.startswith("<"):
            if m.group(1):
                return tok  # an unknown prefix: kept as written
            return own_ns + m.group(2) if own_ns else mint(m.group(2))
        return expand(tok, {**NAMESPACES, **declared})

    edges = set()
    todo = list(_forms(text))
    while todo:
        form = todo.pop(0)
        if not (isinstance(form, list) and form):
            continue
        if form[0] == "Prefix":
            m = re.fullmatch(r"([\w.-]*):=<([^>]*)>", "".join(x for x in form[1:] if isinstance(x, str)))
            if m:
                declared[m.group(1)] = m.group(2)
        elif form[0] == "SubClassOf" and len(form) == 3 and named(form[1]) and named(form[2]):
            edges.add((named(form[1]), named(form[2])))
        else:
            todo[:0] = form[1:]
    return edges


def _turtle_edges(body: list[str]) -> set[tuple[str, str]]:
    import rdflib
    from rdflib.namespace import RDFS

    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)  # odd typed literals: not our concern
    head = "".join(f"@prefix {p}: <{b}> .\n" for p, b in NAMESPACES.items())
    graph = rdflib.Graph()
    try:
        graph.parse(data=head + textwrap.dedent("\n".join(body)), format="turtle")
    except Exception:
        return set()
    return {(str(s), str(o)) for s, o in graph.subject_objects(RDFS.subClassOf)
            if isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.URIRef)}


def fence_edges(pages: list[Page]) -> set[tuple[str, str]]:
    edges = set()
    for page in pages:
        for tag, body in page.fences:
            if tag in ("clojure", "owl"):
                edges |= _ofn_edges(page, body)
            elif tag in ("turtle", "ttl"):
                edges |= _turtle_edges(body)
    return edges


def subclass_edges(root: Path) -> set[tuple[str, str]]:
    """(child IRI, parent IRI) of every parent the pages under `root` state."""
    pages = read_pages(root)
    return link_edges(pages) | fence_edges(pages)
