"""A Logseq page's own properties (the ones that name it: `title`, `alias`), as Logseq finds them.

Kept apart from `logseq_names` (names from files and links) because where a page's properties
stand is mldoc's business, format by format, and takes a walk over the whole page:

* **First block.** The page's first block (however long: a page is bounded by `--max-file-size`, and
  openers that find no end cost linear time, `_Bounds`), when it holds nothing but `key:: value` lines before
  the page's first `- ` bullet (graph-parser's pre-block: the text before mldoc's first heading). Only
  there do `title::` and `alias::` name the page, as in Logseq; the same keys in any other block, a
  first bullet of nothing but properties too (`- title:: X`), belong to that block. An
  `alias::` that is the page's own name (`logseq_names.other_aliases`) is none, as Logseq drops
  it. A YAML front matter block (`---` on line 1, `title: X`, `---`), or a `:PROPERTIES:` drawer
  opening the page, is the page properties when present, as in Logseq. A key given twice there is
  worth its last value, as graph-parser reads it (`zipmap` of mldoc's (key, value) pairs for the
  title, `into {}` for the page properties); a key with no value is none (Logseq issue 7124).
* **Directives.** A line `#+key: value` (spaces before it allowed) is a directive in a markdown
  page as in an org one: mldoc's block parsers (1.5, Logseq 0.10) are one list for both formats,
  `Directive` first (`mldoc_parser.ml`). graph-parser's `collect-page-properties` puts EVERY
  directive of the page first, as its page properties (front matter keys are directives too), so
  a page holding any has no other page properties: its `title::` first block names nothing
  (`page-directives` warning). A directive is no directive inside a block, fence (`logseq_code`: where Logseq sees
  one), drawer or HTML comment block (an unclosed one opens nothing: mldoc's `between_lines`; in markdown a
  column-0 bullet ends a fence, and a block, drawer or comment still open there is none, as the block scan reads
  them: `logseq_scan.top_bullet`),
  on a bullet's own line (`- #+alias: X` is the block's text), or in a list item's lines
  (`logseq_scan.ListRun`, the rule the block scan applies to properties: a `+ `, `1. `, `* ` or
  org `- ` item takes the lines below it indented further than its mark, in org any indented line,
  up to a `- ` bullet in markdown, and list items hold no directive; a column-0 line that is no
  item, or an empty line not followed by one, ends the list). A markdown `- ` bullet is a one-line
  heading: the lines of its body are the page's, a directive among them.
"""

from __future__ import annotations

import re

from ontosync.parsing.facts import FileFacts, ParseWarning
from ontosync.parsing.logseq_code import closes_fence, opens_fence
from ontosync.parsing.logseq_scan import (
    COMMENT_OPENERS,
    DRAWER_NAME,
    MAX_UNCLOSED_BLOCKS,
    ListRun,
    closes_comment,
    closes_drawer,
    top_bullet,
)

_PROPERTY = re.compile(r"[ \t]*(-[ \t]+)?([A-Za-z0-9_][\w.:/+-]*?)::(?: |[ \t]*\Z)(.*)", re.DOTALL)
# mldoc `directive.ml`: `#+KEY:` (KEY up to the first `:`), spaces, then the rest of the line; its
# `between_eols` (parsers.ml) lets spaces stand before the `#+`. `#+BEGIN_X` opens a block instead.
_DIRECTIVE = re.compile(r"[ \t]*#\+([^:\s][^:\n]*):[ \t]*(.*)\Z")
_ANY_DIRECTIVE = re.compile(r"^[ \t]*#\+(?!begin_)[^:\s][^:\n]*:", re.MULTILINE | re.IGNORECASE)
_DRAWER_KEY = re.compile(r"[ \t]*:([A-Za-z0-9_][\w.:/+-]*):(?:[ \t]+(.*)|[ \t]*)\Z")
# A block, fence or drawer; in markdown also on a bullet's line (mldoc reads the bullet's title as
# the block it opens: `heading0.ml` `title_aux_p`).
_OPENER = re.compile(r"[ \t]*(-[ \t]+)?(?:#\+begin_(\S+)|(```|~~~)|" + DRAWER_NAME + ")", re.IGNORECASE)
NAMING_KEYS = ("title", "alias")
# mldoc's headings, each a block of its own (`heading0.ml`): a markdown `- ` bullet (any indentation), a `#` heading.
_HEADING = re.compile(r"[ \t]*-(?:[ \t]|\Z)|#{1,6}(?:[ \t]|\Z)")


def page_properties(lines: list[str]) -> dict[str, tuple[str, int]]:
    """key (lower-case) -> (value, line) of the page's own properties: those of its first block, before
    the first bullet (Logseq's pre-block: `_pre_block`), the YAML front matter on its first line
    (`front_matter`), or a `:PROPERTIES:` drawer opening the page."""
    if lines and lines[0].rstrip() == "---":
        found = front_matter(lines)
        if found is not None:
            return found
    drawer = _leading_drawer(lines)
    return _pre_block(lines) if drawer is None else drawer


def _pre_block(lines: list[str]) -> dict[str, tuple[str, int]]:
    """The properties of the page's first block, up to its first heading (a `- ` bullet, a `#` heading):
    graph-parser's `extract-blocks` keeps the pre-block's FIRST run of `key:: value` lines, text above it
    or not, and makes it the page's properties (an `alias::` there names the page); but `get-page-name`
    takes the title only from the page's first element, so after text a `title::` is the block's own
    and names nothing (`block-title` warning). A `:PROPERTIES:` drawer after the text is such a run
    (mldoc's Property_Drawer). A fence, block, comment or list item in the text above holds no
    property (`_close`, `ListRun`), as in the rest of the page."""
    props: dict[str, tuple[str, int]] = {}
    no, started, intro, run, bounds = 0, False, False, ListRun(), _Bounds()
    while no < len(lines):
        line = lines[no]
        no += 1
        in_list = run.feed(line)
        if not line.strip():
            if started:
                break
            continue
        m = None if in_list else _PROPERTY.match(line)
        if m is not None and m.group(1) is None:
            started = True
            key, value = m.group(2).lower(), m.group(3).strip()
            if not (intro and key == "title"):
                _keep_last(props, key, value, no)
            continue
        if started or _HEADING.match(line):
            break  # the run ends, or the first heading (a block of its own) comes first
        intro = True
        if in_list:
            continue
        opener, closed = bounds.past(lines, no, line)
        if opener is not None and closed is not None and (opener.group(4) or "").upper() == "PROPERTIES":
            props = _drawer_keys(lines, no, closed)  # the block's first properties, as a drawer
            props.pop("title", None)
            return props
        no = no if closed is None else closed + 1  # past a comment, block or fence: no property in it
    return props


def markdown_properties(text: str) -> tuple[dict[str, tuple[str, int]], list[ParseWarning], int]:
    """A markdown page's own properties (see the module docstring), a `page-directives` warning
    for each `title::` / `alias::` of its first block that its directives displace, and the last line
    of the page's first block when it holds the page properties (0 when its directives do: every
    `key::` line is then another block's, however far up). Only what is needed is split: most
    pages are skipped unread."""
    # a first block of any length (the page is bounded by --max-file-size), walked when it may hold one
    head = page_properties(text.split("\n")) if may_hold_properties(text) else {}
    end = max((line for _value, line in head.values()), default=0)
    if "#+" not in text or _ANY_DIRECTIVE.search(text) is None:
        return head, [], end
    lines = text.split("\n")
    matter = front_matter(lines) if lines[0].rstrip() == "---" else None
    found = _walk(lines, True, dict(matter or {}))[0]
    if found == (matter or {}):  # no directive outside the front matter
        return head, [], end
    return found, [] if matter is not None else _displaced(head, found), 0


def may_hold_properties(text: str) -> bool:
    """Whether a markdown page may have page properties at all: a `key::` line, a `:PROPERTIES:`
    drawer, front matter (`page_properties` reads nothing else). Why: the first block is read
    whatever its length, and a long page of text with no bullet (one first block) was walked line by
    line for properties it cannot hold, 15 times the cost of the 200 lines read before."""
    return "::" in text or text.startswith("---") or _DRAWER_OPENS.search(text) is not None


_DRAWER_OPENS = re.compile(r":properties:", re.IGNORECASE)


def _displaced(head: dict[str, tuple[str, int]], found: dict[str, tuple[str, int]]) -> list[ParseWarning]:
    """The first block's naming properties that the page's directives displace, one warning each."""
    first = min(line for _value, line in found.values())
    return [ParseWarning("page-directives", f"{key}:: names nothing in Logseq: the page's #+ directives (line "
                         f"{first}) are its page properties, not its first block; write it as #+{key}:", line)
            for key, (value, line) in head.items()
            if key in NAMING_KEYS and value and found.get(key, ("",))[0] != value]


def over_displaced(displaced: list[ParseWarning], facts: FileFacts) -> list[ParseWarning]:
    """The page's warnings with a `page-directives` one for each first-block name its directives
    undo (none on a file that is no page), which says all there is about its line: no
    `repeated-property` or `block-alias` too."""
    if not (displaced and facts.names):
        return facts.warnings
    said = {w.line for w in displaced}
    return sorted(displaced + [w for w in facts.warnings if w.line not in said], key=lambda w: w.line or 0)


def org_properties(lines: list[str]) -> dict[str, tuple[str, int]]:
    """key (lower-case) -> (value, line) of an org-mode page's own properties, as graph-parser reads
    them: `collect-page-properties` (mldoc.cljc) gathers EVERY `#+key: value` directive of the page
    (`_walk`: above or below its headings) into the page's properties, and `get-page-name` makes
    its title with `zipmap`, so a key given twice is worth its last value (one with no value is
    none, as in markdown); only a page with no directive takes its properties from a
    `:PROPERTIES:` drawer that opens it (blank lines before it aside)."""
    directives, drawer = _walk(lines, False, {})
    return directives or drawer


def _walk(lines: list[str], markdown: bool, found: dict[str, tuple[str, int]]) -> tuple[dict, dict]:
    """(the directives of the page, added to `found`; the keys of a `:PROPERTIES:` drawer opening
    it): one pass over the lines mldoc reads as the page's own elements (module docstring)."""
    drawer: dict[str, tuple[str, int]] = {}
    no, leading, run, bounds = 0, True, ListRun(markdown), _Bounds()
    while no < len(lines):
        line = lines[no]
        no += 1
        if run.feed(line):
            leading = False
            continue
        end = bounds.comment_end(lines, no) if markdown and line in COMMENT_OPENERS else 0
        if end:
            no, leading = end + 1, False
            continue
        opener = bounds.opener(line)
        if opener is not None and (markdown or not opener.group(1)):
            closed = bounds.close(lines, no, opener, markdown)
            if closed is not None:
                if leading and (opener.group(4) or "").upper() == "PROPERTIES":
                    drawer = _drawer_keys(lines, no, closed)
                no, leading = closed + 1, False
                continue
        m = _DIRECTIVE.match(line) if "#+" in line else None
        if m is not None and not m.group(1).lower().startswith("begin_"):
            _keep_last(found, m.group(1).lower(), m.group(2).strip(), no)
        leading = leading and not line.strip()
    return found, drawer


class _Bounds:
    """The openers that found no end (mldoc's `between_lines`: they open nothing), so a page of them
    costs linear time, as in the block scan (`logseq_scan.PageScan`): past MAX_UNCLOSED_BLOCKS
    blocks, comments or drawers none opens; after a fence no line closes before the page's end, no
    fence opens (no line below closes one: the rule is exact)."""

    __slots__ = ("fenceless", "unclosed")

    def __init__(self) -> None:
        self.unclosed = 0
        self.fenceless = False

    def opener(self, line: str) -> re.Match | None:
        """The block, fence or drawer `line` may open (`_OPENER`), None when the bounds say none."""
        if self.unclosed >= MAX_UNCLOSED_BLOCKS:
            return None if self.fenceless or not opens_fence(line) else _OPENER.match(line)
        m = _OPENER.match(line)
        return None if m is not None and m.group(3) and self.fenceless else m

    def close(self, lines: list[str], start: int, opener: re.Match, markdown: bool) -> int | None:
        """`_close`, counting what found no end."""
        closed = _close(lines, start, opener, markdown)
        if closed is None:
            if opener.group(3):
                self.fenceless = True
            else:
                self.unclosed += 1
        return closed

    def past(self, lines: list[str], start: int, line: str) -> tuple[re.Match | None, int | None]:
        """(what markdown `line`, above page index `start`, opens: None for an HTML comment; the index
        of the line that closes it, None when it opens nothing)."""
        if line in COMMENT_OPENERS:
            return None, self.comment_end(lines, start) or None
        opener = self.opener(line)
        return opener, None if opener is None else self.close(lines, start, opener, True)

    def comment_end(self, lines: list[str], start: int) -> int | None:
        """`_comment_end` (0 when the bounds say no comment opens), counting what found no end."""
        if self.unclosed >= MAX_UNCLOSED_BLOCKS:
            return 0
        end = _comment_end(lines, start)
        self.unclosed += end is None
        return end


def _close(lines: list[str], start: int, opener: re.Match, markdown: bool) -> int | None:
    """The index of the line that closes the block, fence or drawer opened on line `start` (mldoc's
    `between_lines`: none found, it opened nothing and its lines are read as any others); either fence
    marker closes a fence, as in mldoc and the block scan. In markdown
    a column-0 bullet (`top_bullet`) starts a new block, as the block scan reads it: a fence ends on
    the line above it, a block or drawer still open there is none."""
    _bullet, name, fence, drawer = opener.groups()
    for i in range(start, len(lines)):
        if markdown and top_bullet(lines[i]):
            return i - 1 if fence else None
        text = lines[i].strip()
        if (name and text.lower().startswith("#+end_" + name.lower())) or (fence and closes_fence(lines[i])) or (
                drawer and closes_drawer(text)):
            return i
    return None


def _comment_end(lines: list[str], start: int) -> int | None:
    """The index of the `-->` line closing an HTML comment block opened above line `start` (mldoc
    `markdown_comment.ml`: `closes_comment`), None when none does before a column-0 bullet (no comment)."""
    for i in range(start, len(lines)):
        if closes_comment(lines[i]):
            return i
        if top_bullet(lines[i]):
            return None
    return None


def _leading_drawer(lines: list[str]) -> dict[str, tuple[str, int]] | None:
    """The `:key: value` lines of a `:PROPERTIES:` ... `:END:` drawer that opens a markdown page
    (blank lines before it aside), None without one: mldoc reads the drawer in markdown too (its
    `Property_Drawer`, as `key:: value` lines), and graph-parser takes it for the page's properties
    when it comes first (`get-page-name`, `extract`), as pages of early Logseq versions hold them."""
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None or lines[start].strip().upper() != ":PROPERTIES:":
        return None
    end = next((i for i in range(start + 1, len(lines)) if closes_drawer(lines[i])), None)
    return None if end is None else _drawer_keys(lines, start + 1, end)


def _drawer_keys(lines: list[str], start: int, end: int) -> dict[str, tuple[str, int]]:
    """The `:key: value` lines of a `:PROPERTIES:` drawer (lines start to end, 0-based)."""
    found: dict[str, tuple[str, int]] = {}
    for i in range(start, end):
        m = _DRAWER_KEY.match(lines[i])
        if m is not None:
            _keep_last(found, m.group(1).lower(), (m.group(2) or "").strip(), i + 1)
    return found


def _keep_last(props: dict[str, tuple[str, int]], key: str, value: str, line: int) -> None:
    """A key given twice is worth its last value; one with no value is none (Logseq issue 7124)."""
    if value or key not in props:
        props[key] = (value, line)


_YAML_KEY = re.compile(r"([A-Za-z0-9_][\w.:/+-]*):(?:[ \t]+(.*)|[ \t]*)\Z")


def front_matter(lines: list[str]) -> dict[str, tuple[str, int]] | None:
    """The `key: value` lines of a YAML front matter block (`---` on line 1 to the next `---`),
    which Logseq reads as the page's properties; a value in matching quotes loses them, other
    YAML (lists, nesting) is kept as written. None when no closing `---` follows."""
    props: dict[str, tuple[str, int]] = {}
    for no, line in enumerate(lines[1:], 2):
        if line.rstrip() == "---":
            return props
        m = _YAML_KEY.match(line.rstrip())
        if m is not None:
            value = (m.group(2) or "").strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            _keep_last(props, m.group(1).lower(), value, no)
    return None
