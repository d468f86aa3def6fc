"""Text that Logseq reads verbatim in a property value: inline code spans, HTML comments, emphasis, quoted values.

Kept apart from `logseq_names` (which finds the links of a value) because it answers one question
first: which parts of the value can hold no link at all. Logseq's parser (mldoc) reads
`` `[[X]]` `` as code, not as a link to X, and a `#tag` inside backticks is no tag either; the
page refs of a property value are only the links and tags mldoc finds outside code
(deps/graph-parser, `logseq.graph-parser.text/extract-refs-from-mldoc-ast`). A whole value
wrapped in double quotes (`key:: "[[A]], [[B]]"`: first and last character `"`) is a string with
no refs at all (`logseq.graph-parser.text/parse-property`, `wrapped-by-quotes?`).

A link inside emphasis (`**[[X]]**`, `*[[X]]*`, `~~[[X]]~~`, `^^[[X]]^^`, `==[[X]]==`, `_[[X]]_`)
is inside an Emphasis node, and a value's refs are only the links and tags at its top level (mldoc
`property_references`, lib/syntax/property.ml): it names no page (`emphasis_spans`).

An HTML comment (`<!--` to the first `-->`) is one Inline_Html node for mldoc (`raw_html.ml`): the
links and tags inside it name no page either (`mask_code`).

A `[[Page]]` whose page is a local asset or a drawing is a link to that file, no page ref
(`asset_link`).

Code spans follow CommonMark: a run of n backticks opens a span that the next run of exactly n
backticks closes; a run with no such partner is literal text. Linear in the value's length
(a value may be a megabyte of backticks).
"""

from __future__ import annotations

import re
from bisect import bisect_right

_RUN = re.compile(r"`+")
_MASK = re.compile("\x00(\\d+)\x00")  # NUL never reaches here: a page holding one fails to decode
# A value longer than this is no value a person wrote: read at C speed (logseq_names.split_values),
# its emphasis not looked for.
LONG_VALUE = 20_000
_BRACKETS = re.compile(r"\[\[|\]\]")
# mldoc's markdown emphasis (inline.ml `markdown_emphasis`): the delimiters a character opens, longest first.
_EMPHASIS = {"*": ("***", "**", "*"), "_": ("___", "__", "_"), "~": ("~~",), "^": ("^^",), "=": ("==",)}
_UNDERLINE_DELIMS = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \t")
_TAG_START = " \t,;"
_TAG_END = re.compile(r"[ \t,;]|\Z")
_CANDIDATE = re.compile(r"\[\[|[#*_~^=]")


def is_quoted(value: str) -> bool:
    """Logseq's `wrapped-by-quotes?` on the trimmed value: a string, none of its links count."""
    value = value.strip()
    return len(value) >= 2 and value[0] == value[-1] == '"'


def code_spans(value: str) -> list[tuple[int, int]]:
    """(start, end) of each inline code span of `value`, backticks included, in text order."""
    runs = [(m.start(), m.end() - m.start()) for m in _RUN.finditer(value)]
    by_length: dict[int, list[int]] = {}
    for index, (_, length) in enumerate(runs):
        by_length.setdefault(length, []).append(index)
    cursor = dict.fromkeys(by_length, 0)  # per length: the next run of that length not yet passed
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(runs):
        start, length = runs[i]
        same = by_length[length]
        k = cursor[length]
        while k < len(same) and same[k] <= i:
            k += 1
        cursor[length] = k
        if k == len(same):  # no closing run: these backticks are literal
            i += 1
            continue
        close = same[k]
        spans.append((start, runs[close][0] + length))
        i = close + 1
    return spans


def long_value(value: str) -> bool:
    """Whether `split_values` reads `value` on its long path: over LONG_VALUE characters once its
    code spans are masked (the length it decides on), not as written."""
    return len(value) > LONG_VALUE and len(mask_code(value)[0]) > LONG_VALUE


def mask_code(value: str, every: bool = False) -> tuple[str, list[str]]:
    """`value` with each code span, then each HTML comment, then each emphasis, replaced by a
    placeholder no link or tag rule matches, and the spans (restore them with `unmask`). Emphasis is
    looked for only where a link, tag or item can hide in it, unless `every` (`outside_code`)."""
    kept: list[str] = []
    if "`" in value:
        value = _mask(value, code_spans(value), kept)
    if "<!--" in value:
        value = _mask(value, comment_spans(value), kept)
    if len(value) <= LONG_VALUE and (every or "[[" in value or "#" in value or "," in value) and any(
            c in value for c in _EMPHASIS):
        value = _mask(value, emphasis_spans(value), kept)
    return value, kept


def comment_spans(value: str) -> list[tuple[int, int]]:
    """(start, end) of each HTML comment of `value`: mldoc `raw_html.ml` reads `<!--` to the first
    `-->` as one Inline_Html node, whose links and tags are no refs. Why not `<!--.*?-->`: each
    unclosed `<!--` was searched to the value's end, quadratic (8,000 of them: 2 s, and the page
    timed out); here the first with no `-->` after it ends the search, since none after it has one."""
    spans = []
    start = value.find("<!--")
    while start >= 0:
        end = value.find("-->", start + 4)
        if end < 0:
            break
        spans.append((start, end + 3))
        start = value.find("<!--", end + 3)
    return spans


def _mask(value: str, spans: list[tuple[int, int]], kept: list[str]) -> str:
    """`value` with each (start, end) span replaced by a placeholder, its text (any placeholder
    inside put back) appended to `kept`."""
    if not spans:
        return value
    parts, pos = [], 0
    for start, end in spans:
        parts.append(value[pos:start])
        parts.append(f"\x00{len(kept)}\x00")
        kept.append(unmask(value[start:end], kept))
        pos = end
    parts.append(value[pos:])
    return "".join(parts)


def emphasis_spans(value: str) -> list[tuple[int, int]]:
    """(start, end) of each emphasis of `value`, delimiters included, read left to right as mldoc
    does: `[[links]]` and `#tags` first (an underscore or star inside one opens nothing); an
    opening delimiter followed by a non-space, closed by the first same delimiter after at least
    one character that follows no space (an underscore: that a delimiter or the end follows, and
    only opened after a delimiter). Near-linear: closers are found once per delimiter."""
    links = _link_ends(value)
    closers: dict[str, list[int]] = {}
    spans: list[tuple[int, int]] = []
    i = 0
    while True:
        m = _CANDIDATE.search(value, i)  # the next `[[`, `#` or delimiter: the rest is plain text
        if m is None:
            return spans
        i = m.start()
        if m.group() == "[[":
            i = links.get(i, i + 2)
        elif m.group() == "#":
            tag = i == 0 or value[i - 1] in _TAG_START
            i = _TAG_END.search(value, i).start() if tag and not value.startswith("[[", i + 1) else i + 1
        else:
            end = _emphasis_at(value, i, closers)
            if end is not None:
                spans.append((i, end))
            i = end if end is not None else i + 1


def _emphasis_at(value: str, i: int, closers: dict[str, list[int]]) -> int | None:
    """The end of the emphasis opening at `i`, or None where none opens."""
    if value[i] == "_" and i > 0 and value[i - 1] not in _UNDERLINE_DELIMS:
        return None  # `snake_case`: mldoc opens an underscore only after a delimiter
    for delim in _EMPHASIS[value[i]]:
        start = i + len(delim)
        if not value.startswith(delim, i) or start >= len(value) or value[start].isspace():
            continue  # not this delimiter, or not left-flanking
        if delim not in closers:
            closers[delim] = _closers(value, delim)
        found = closers[delim]
        k = bisect_right(found, start)
        if k < len(found):
            return found[k] + len(delim)
    return None


def _closers(value: str, delim: str) -> list[int]:
    """Where `delim` can close an emphasis: after a non-space (and, an underscore, before a
    delimiter or the end)."""
    out = []
    j = value.find(delim, 1)
    while j >= 0:
        end = j + len(delim)
        if not value[j - 1].isspace() and (delim[0] != "_" or end == len(value) or value[end] in _UNDERLINE_DELIMS):
            out.append(j)
        j = value.find(delim, j + 1)
    return out


def _link_ends(value: str) -> dict[int, int]:
    """Start -> end of each outermost closed `[[...]]` (its `]]` included)."""
    ends: dict[int, int] = {}
    depth = start = 0
    if "[[" not in value:
        return ends
    for m in _BRACKETS.finditer(value):
        if m.group() == "[[":
            start = m.start() if depth == 0 else start
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                ends[start] = m.end()
    return ends


def unmask(text: str, kept: list[str]) -> str:
    """`text` (a piece of a masked value) with its code spans as written."""
    return _MASK.sub(lambda m: kept[int(m.group(1))], text) if kept and "\x00" in text else text


def outside_code(text: str) -> list[str]:
    """The pieces of `text` between its code spans and its emphasis (the text mldoc reads as
    Plain, which alone Logseq splits at commas: `extract-refs-by-commas`). Emphasis is looked
    for whatever the item holds: `**Bold**` is no Plain text even with no link or comma in it."""
    masked, kept = mask_code(text, every=True)
    return _MASK.split(masked)[::2] if kept else [text]


# graph-parser 0.10 `gp-mldoc/ast-link?`, which `extract-refs-from-mldoc-ast` drops from a value's refs: a
# Page_ref to a drawing (`gp-config/draw?`: the name starts with `draws`) or to a local asset
# (`gp-config/local-asset?`, the case-sensitive `^[./]*assets`) is a link to a file.
_ASSET = re.compile(r"[./]*assets|draws")


def asset_link(name: str, value: str) -> bool:
    """Whether the page name `name`, linked in property value `value`, is no page ref in Logseq: a
    drawing or asset name written `[[name]]` (also `[label]([[name]])`), and never as a tag
    (`#[[name]]`, `#name`: a Tag node, whose ref Logseq keeps whatever it names, so the page is
    linked even beside a file link of the same name)."""
    link = f"[[{name}]]"
    if _ASSET.match(name) is None or link not in value:
        return False
    return "#" + link not in value and re.search(f"#{re.escape(name)}(?![^\\s,])", value) is None
