"""The one pass over a Logseq page's lines: headings, property lines and code fences.

Kept apart from `logseq.py` (which turns what is collected here into facts) because the line
rules (properties are only read outside the fences Logseq sees, `logseq_code`; the fences ontosync reads
nest; a column-0 bullet ends them all) are the
part that must be fast and is easiest to check on its own. See `logseq.py`'s docstring for the
rules themselves.
"""

from __future__ import annotations

import re

from ontosync.parsing.annotation_notes import PAGE_KEYS
from ontosync.parsing.logseq_code import FENCE, closes_fence, opens_fence

_HEADING = re.compile(r"[ \t]*(?:-[ \t]+)?###[ \t]+OntologyBlock[ \t]*\Z")
_PROPERTY = re.compile(r"[ \t]*(?:-[ \t]+)?([A-Za-z0-9_][\w.:/+-]*?)::(?: |[ \t]*\Z)(.*)", re.DOTALL)
# mldoc's `#+BEGIN_X ... #+END_X` blocks (SRC, QUOTE, EXAMPLE, NOTE...), name case-insensitive.
_BEGIN = re.compile(r"([ \t]*)(-[ \t]+)?#\+begin_(\S+)[ \t]*(.*)", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"[A-Za-z0-9][\w+#.-]*\Z")
# mldoc `lists.ml` `format_parser`: a list item's mark, then a space (a markdown `- ` opening no list is
# a Heading: a Logseq block).
LIST_ITEM = re.compile(r"([ \t]*)([-+*]|\d+\.)[ \t]")
# mldoc `markdown_comment.ml`: a column-0 line that is exactly one of these opens an HTML comment block.
COMMENT_OPENERS = ("<!--", "<!---")
COMMENT_CLOSER = "-->"
# mldoc `drawer.ml`: a `:NAME:` line (a `- ` before it in markdown: the bullet's title) opens a drawer, whose
# lines up to `:END:` (`closes_drawer`) are its body, no property; both readers of a page use these.
DRAWER_NAME = r":([^:\s]+):[ \t]*\Z"
_DRAWER = re.compile(r"[ \t]*(?:-[ \t]+)?" + DRAWER_NAME)
DRAWER_END = ":END:"

SYNONYM_KEYS = frozenset(("alternate-terms", "alias"))
SUBCLASS_KEYS = frozenset(("is-subclass-of", "subclassof", "subclass-of"))
OWL_KEYS = {"owl:disjointwith": "DisjointClasses", "owl:equivalentclass": "EquivalentClasses"}
HEADER_KEYS = frozenset(("owl:class", "preferred-term", "definition"))
OFN_TAGS = frozenset(("clojure", "owl"))
TURTLE_TAGS = frozenset(("turtle", "ttl"))
MAX_FENCE_NESTING = 8
# A `#+BEGIN_X` left without its `#+END_X` is read again line by line (it was no block); past this
# many on one page, `#+BEGIN_X` lines open nothing, so a page of them costs linear time.
MAX_UNCLOSED_BLOCKS = 8


def property_key(written: str) -> str:
    """The key Logseq files a property under: lower-case, `_` as `-` (graph-parser
    `block/extract-properties`), so `is_subclass_of::` is `is-subclass-of::` and
    `Preferred_Term::` is `preferred-term::`. Every key comparison goes through it."""
    return written.lower().replace("_", "-")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Keys whose links are metadata about the page, not relations of the term (compared lower-case).
METADATA_KEYS = _words(
    """source sources references reference wikipedia-reference see-also tags tag alias aliases
    definition preferred-term alt-terms title imported-from import-date migration-date
    last-updated lastvalidated created updated date speaker file file-path type id collapsed
    term-id source-domain status maturity public public-access ontology version author authors
    owl:class owl:physicality owl:role owl:inferred-class owl:functional-syntax"""
) | _words(
    # Logseq's built-in properties whose values it never parses for page refs
    # (graph-parser `unparsed-built-in-properties`: editable and hidden built-ins, minus alias/tags).
    """template template-including-parent custom-id background-color background_color heading
    created-at updated-at last-modified-at created_at last_modified_at query-table
    query-properties query-sort-by query-sort-desc ls-type hl-type hl-page hl-stamp hl-color icon
    filters exclude-from-graph-view logseq.query/nlp-date logseq.order-list-type"""
)


class Fence:
    """One code fence or `#+BEGIN_X` block: its tag, the page line of its opening line, and (for
    the tags ontosync reads) its text, line k of the text being page line `start + k`.

    `end` is the lower-case `#+end_x` that alone closes a `#+BEGIN_X` block (None for a fence),
    and `raw` that block's lines as written (read again if it is never closed); `label` names the
    opening in warnings (```` ```clojure ````, `#+BEGIN_SRC clojure`)."""

    __slots__ = ("closed", "end", "indent", "label", "lines", "raw", "start", "tag")

    def __init__(self, tag: str, start: int, indent: str, label: str = "", end: str | None = None) -> None:
        self.tag = tag
        self.label = label or "```" + tag
        self.end = end
        self.start = start  # page line of the opening backticks
        self.indent = indent  # the block's content indentation, stripped from each line
        self.lines: list[str] | None = [] if tag in OFN_TAGS or tag in TURTLE_TAGS else None
        self.closed = False
        self.raw: list[tuple[int, str]] = []

    def add(self, line_no: int, text: str) -> None:
        if self.lines is None:
            return
        while len(self.lines) < line_no - self.start - 1:  # keep text line k == page line start+k
            self.lines.append("")
        self.lines.append(text[len(self.indent) :] if text.startswith(self.indent) else text.lstrip(" \t"))


def top_bullet(line: str) -> bool:
    """Whether `line` is a column-0 `- ` bullet: it starts a new top-level block, and Logseq never
    continues a block past it, so it ends every fence, and a `#+BEGIN_X` block or HTML comment not
    closed above it is none. Both readers of a page (`PageScan`, `logseq_page_props`) stop there."""
    return line.startswith("- ") or line == "-"


def _ends_block(line: str, end: str) -> bool:
    """Whether `line` is the `#+END_X` closing a block: mldoc compares the trimmed line's start,
    case-insensitively (`starts_with (String.trim line) prefix`, `Prelude.starts_with`), so a
    bullet's `- #+END_X` is the block's text, as the directives reader reads it."""
    return line.strip(" \t\n\r\f").lower().startswith(end)


def closes_comment(line: str) -> bool:
    """Whether `line` closes an HTML comment block: mldoc `markdown_comment.ml` wants the line to be
    exactly `-->` once trimmed (OCaml's `String.trim`: spaces, tabs, line ends, form feeds), so
    `--> end of note` or `- -->` is the comment's text."""
    return line.strip(" \t\r\n\f") == COMMENT_CLOSER


def closes_drawer(line: str) -> bool:
    """Whether `line` closes a drawer: `:END:` once trimmed (any case)."""
    return line.strip().upper() == DRAWER_END


def _closes(line: str, end: str) -> bool:
    """Whether `line` ends the `#+BEGIN_X` block, HTML comment or drawer whose end is `end`."""
    if end == COMMENT_CLOSER:
        return closes_comment(line)
    return closes_drawer(line) if end == DRAWER_END else _ends_block(line, end)


def _indent_of(m: re.Match) -> str:
    return m.group(1) + " " * len(m.group(2) or "")


class ListRun:
    """Where a list runs, line by line (mldoc `lists.ml`): the one rule both readers of a page apply
    (`PageScan` to `key:: value` lines, `logseq_page_props` to `#+key:` directives). A `1. `, `+ ` or
    `* ` item opens a list (in org a `- ` item too; a column-0 `* ` is an org heading), and every line
    below it indented further than the list's least indented item mark is an item's text, or another
    item; any other line that is no item (one at an item's own indentation: the spec reads
    `is-subclass-of::` anywhere and `public:: true` on any line), a markdown `- ` bullet (a Logseq
    block), or an empty line not followed by an item ends it. In org, whose pages give only their
    directives, mldoc's own rule: any indented line is an item's. An item's text holds no property
    nor directive (mldoc parses it with neither parser)."""

    __slots__ = ("gap", "indent", "markdown", "marks", "open")

    def __init__(self, markdown: bool = True) -> None:
        self.markdown = markdown
        self.marks = "+*0123456789" if markdown else "+*-0123456789"  # the characters an item starts with
        self.open = False
        self.gap = False  # an empty line in the list: it ends unless an item follows
        self.indent = 0  # the indentation of the list's least indented item mark

    def feed(self, line: str) -> bool:
        """Whether `line` is one of the list's lines (an item, an item's text, an empty line in it)."""
        first = line.lstrip(" \t")[:1]
        if not self.open and not (first and first in self.marks):
            return False  # no list open, and no item can open one: the common line, no match run
        item = LIST_ITEM.match(line)
        bullet = item is not None and self.markdown and item.group(2) == "-"
        if item is not None and (bullet or (not self.markdown and item.group(2) == "*" and not item.group(1))):
            item = None  # a markdown `- ` bullet is a block, a column-0 org `* ` a heading: no item
        if not self.open:
            self.open, self.gap = item is not None, False
            self.indent = len(item.group(1)) if item is not None else 0
            return self.open
        gap, self.gap = self.gap, not line
        if not line:
            return True
        if item is not None:
            self.indent = min(self.indent, len(item.group(1)))
            return True
        deeper = len(line) - len(line.lstrip(" \t")) > (self.indent if self.markdown else 0)
        self.open = deeper and not bullet and not gap
        return self.open


class PageScan:
    """What one pass over a page collects, line by line (`feed`), for the facts step."""

    def __init__(self, comma_keys: frozenset[str] = frozenset()) -> None:
        self.comma_keys = comma_keys  # keys whose plain text is links too (config.edn)
        self.headings: list[int] = []
        self.header: dict[str, tuple[str, int]] = {}  # owl:class, preferred-term, definition: first non-empty
        self.public = False
        # (line, key as written, value) of property lines that may give edges or relationships.
        self.props: list[tuple[int, str, str]] = []
        # (line, key, value, indentation) of alternate-terms:: / alias:: lines outside fences.
        self.synonyms: list[tuple[int, str, str, int]] = []
        self.titles: list[tuple[int, str]] = []  # (line, value) of title:: lines outside fences
        self.fences: list[Fence] = []
        self.stack: list[Fence] = []  # the fences ontosync reads, nested (`_inside_fence`)
        self.block: Fence | None = None  # the open `#+BEGIN_X` block, HTML comment or drawer
        self.code: list[tuple[int, str]] | None = None  # the lines of the open fence, as Logseq sees it
        self.fenceless = False  # a fence left open to the page's end: no line below closes any
        self.unclosed = 0  # #+BEGIN_X blocks read again for want of their #+END_X
        self.list = ListRun()  # a `1. ` / `+ ` / `* ` list: its lines are the items' text

    def feed(self, no: int, line: str) -> None:
        """One page line. What hides a line from the page's properties and headings is mldoc's
        (`logseq_code`: fences do not nest, and a block, comment or drawer opens outside them);
        the fences whose text ontosync reads are followed alongside (`_read_fence`)."""
        if (self.code is not None or self.block is not None or self.stack) and top_bullet(line):
            self.end_all(page_end=False)  # a column-0 bullet starts a new top-level block: all end
        if self.block is not None:
            self._inside_block(no, line)
            return
        fenced = "```" in line or "~~~" in line
        if self.code is not None:  # a code block's line (or its closing one): nothing else
            self.code.append((no, line))
            if fenced and closes_fence(line):
                self.code = None
            self._read_fence(no, line, fenced)
        else:
            self._text_line(no, line, fenced)

    def _text_line(self, no: int, line: str, fenced: bool) -> None:
        """A line outside any code block, block, comment or drawer (as Logseq sees them)."""
        in_list = self.list.feed(line)  # every line outside a fence: a column-0 fence or comment ends a list
        opener = fenced and not self.fenceless and opens_fence(line)
        if opener and not in_list:  # an item's text opens nothing, for the directives reader too
            self.code = [(no, line)]
            self._read_fence(no, line, fenced, opener=True)
            return
        self._read_fence(no, line, fenced, opener)  # text to Logseq; maybe in a quoted fence's nested one
        if not in_list and (("#+" in line and self._block_start(no, line)) or self._comment_start(no, line)):
            return
        if "::" not in line:  # nor is it a drawer's `:NAME:` line
            if "OntologyBlock" in line and _HEADING.match(line):
                self.headings.append(no)
            elif ":" in line and not in_list:
                self._drawer_start(no, line)
        elif not in_list:
            self._property(no, line)

    def end_all(self, page_end: bool = True) -> None:
        """Ends every open fence and block (a column-0 bullet, or the page's end). A `#+BEGIN_X`
        block still open was no block in mldoc (`between_lines` found no `#+END_X`), nor is a fence
        still open at the page's end: their lines are read again as ordinary lines, so their
        properties count; the text of a fence ontosync reads stays read (`unclosed-fence`)."""
        while self.code is not None or self.block is not None or self.stack:
            self.stack.clear()
            if self.block is not None:
                block, self.block = self.block, None
                self.fences.remove(block)
                self.unclosed += 1
                for no, line in block.raw:
                    self.feed(no, line)
            elif self.code is not None:
                code, self.code = self.code, None
                if page_end:  # no line below closes a fence: none opens (linear time), none is read
                    self.fenceless = True
                    for no, line in code:
                        self.feed(no, line)

    def _open(self, tag: str, no: int, indent: str, label: str = "", end: str | None = None) -> None:
        fence = Fence(tag, no, indent, label, end)
        if end is None:
            self.stack.append(fence)
        else:
            self.block = fence
        self.fences.append(fence)

    def _close(self) -> None:
        self.stack.pop().closed = True

    def _inside_block(self, no: int, line: str) -> None:
        """A line of a `#+BEGIN_X` block, HTML comment or drawer: only its end ends it, nothing nests inside."""
        block = self.block
        assert block is not None and block.end is not None
        if block.end[0] in line and _closes(line, block.end):  # each end holds its first character
            block.closed, self.block = True, None
        else:
            block.add(no, line)
            block.raw.append((no, line))

    def _read_fence(self, no: int, line: str, fenced: bool, opener: bool = False) -> None:
        """The fences ontosync reads, which nest (quoted "Original Content" blocks hold the page's
        `clojure` fences): a tagged fence line inside one opens a nested one, a bare one closes the
        innermost; a bullet's `- ```` is text there, as in Logseq. None opens on a line read again."""
        if self.fenceless:
            return
        if self.stack:
            self._inside_fence(no, line, fenced)
        elif opener:
            self._fence_start(no, line)

    def _inside_fence(self, no: int, line: str, fenced: bool) -> None:
        if fenced:
            m = FENCE.match(line)
            if m is not None and m.group(2) is None:
                self._fence_marker(no, line, m)
                return
        self.stack[-1].add(no, line)

    def _fence_marker(self, no: int, line: str, m: re.Match) -> None:
        """A backtick line inside a fence: content, a nested fence, or the close of the innermost."""
        info = m.group(4).strip()
        if info.endswith(m.group(3)):
            self.stack[-1].add(no, line)  # a one-line fence inside: content
            return
        word = info.split(None, 1)[0] if info else ""
        if not (word and _TAG.match(word)):
            self._close()
        elif len(self.stack) >= MAX_FENCE_NESTING:
            self.stack[-1].add(no, line)
        else:
            self._open(word.lower(), no, _indent_of(m))

    def _fence_start(self, no: int, line: str) -> None:
        """Opens a fence ontosync reads on a line that opens one in Logseq; a one-line fence
        (```` ```python x``` ````) holds nothing to read."""
        m = FENCE.match(line)
        if m is not None:
            info = m.group(4).strip()
            if not info.endswith(m.group(3)):
                tag = info.split(None, 1)[0].lower() if info else ""
                self._open(tag, no, _indent_of(m), m.group(3) + tag)

    def _block_start(self, no: int, line: str) -> bool:
        """Opens a `#+BEGIN_X` block (True when the line was one). mldoc reads `#+BEGIN_SRC lang`
        as the code block ```` ```lang ```` (so its tag is read alike); any other block's lines are
        the block's content, never its properties."""
        m = _BEGIN.match(line) if self.unclosed < MAX_UNCLOSED_BLOCKS else None
        if m is None:
            return False
        name, info = m.group(3), m.group(4).strip()
        tag = info.split(None, 1)[0].lower() if info and name.lower() == "src" else ""
        self._open(tag, no, _indent_of(m), f"#+BEGIN_{name}" + (f" {tag}" if tag else ""), "#+end_" + name.lower())
        return True

    def _comment_start(self, no: int, line: str) -> bool:
        """Opens an HTML comment block (mldoc `markdown_comment.ml`: a column-0 line that is exactly
        `<!--` or `<!---`, closed by a line that is `-->`: `closes_comment`; True when the line was one).
        Its lines are no properties; one never closed is no comment (`end_all` reads its lines again)."""
        if line not in COMMENT_OPENERS or self.unclosed >= MAX_UNCLOSED_BLOCKS:
            return False
        self._open("", no, "", line, COMMENT_CLOSER)
        return True

    def _drawer_start(self, no: int, line: str) -> None:
        """Opens a drawer (`_DRAWER`, up to `closes_drawer`): its lines are no properties, and one never
        closed is none (`end_all` reads its lines again), as for the directives."""
        if self.unclosed < MAX_UNCLOSED_BLOCKS and _DRAWER.match(line) is not None:
            self._open("", no, "", line.strip(), DRAWER_END)

    def _property(self, no: int, line: str) -> None:
        m = _PROPERTY.match(line)
        if m is None:
            return
        key = property_key(m.group(1))
        value = m.group(2).strip()
        if key in SYNONYM_KEYS:
            self.synonyms.append((no, key, value, len(line) - len(line.lstrip(" \t"))))
        elif key == "title":
            self.titles.append((no, value))
        elif key in HEADER_KEYS:
            if value and key not in self.header and len(self.headings) < 2:
                self.header[key] = (value, no)
        elif key == "public":
            self.public = self.public or value == "true"  # `True` is a string to Logseq, not public
        elif ("[[" in value or "#" in value or key in SUBCLASS_KEYS or key in OWL_KEYS or key in self.comma_keys
              or key in PAGE_KEYS) and key not in METADATA_KEYS:  # PAGE_KEYS: `oboInOwl:hasDbXref:: MESH:D1`
            self.props.append((no, m.group(1), value))


def _is_bullet(text: str) -> bool:
    return text.startswith("- ") or text == "-"


def where_the_page_speaks(lines: list[str], wanted: list[int], headings: list[int]) -> set[int]:
    """Which of the page lines `wanted` sit where a page's own properties are written: in its first
    block, or in an OntologyBlock (from its heading to the next bullet indented no deeper). A
    `title::` there was meant to name the page; one anywhere else is another block's own (a web
    link's title beside its `url::`, an embed's), as Logseq writes them. One pass, up to the last
    line wanted."""
    wanted_set, heading_set, found = set(wanted), set(headings), set()
    top = 0  # blocks begun so far (the first non-blank line begins the first; a child bullet is a block too)
    onto: int | None = None  # the indentation of the OntologyBlock heading the line is under
    for no, line in enumerate(lines[:max(wanted, default=0)], 1):
        text = line.lstrip(" \t")
        indent = len(line) - len(text)
        if _is_bullet(text) or (top == 0 and text):
            top += 1
            onto = None if onto is not None and indent <= onto else onto
        if no in heading_set:
            onto = indent
        if no in wanted_set and (top <= 1 or onto is not None):
            found.add(no)
    return found
