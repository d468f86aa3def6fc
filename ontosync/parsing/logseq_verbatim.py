"""Text that Logseq reads verbatim in a property value: inline code spans, quoted values.

Kept apart from `logseq_names` (which finds the links of a value) because it answers one question
first: which parts of the value can hold no link at all. Logseq's parser (mldoc) reads
`` `[[X]]` `` as code, not as a link to X, and a `#tag` inside backticks is no tag either; the
page refs of a property value are only the links and tags mldoc finds outside code
(deps/graph-parser, `logseq.graph-parser.text/extract-refs-from-mldoc-ast`). A whole value
wrapped in double quotes (`key:: "[[A]], [[B]]"`: first and last character `"`) is a string with
no refs at all (`logseq.graph-parser.text/parse-property`, `wrapped-by-quotes?`).

Code spans follow CommonMark: a run of n backticks opens a span that the next run of exactly n
backticks closes; a run with no such partner is literal text. Linear in the value's length
(a value may be a megabyte of backticks).
"""

from __future__ import annotations

import re

_RUN = re.compile(r"`+")
_MASK = re.compile("\x00(\\d+)\x00")  # NUL never reaches here: a page holding one fails to decode


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


def mask_code(value: str) -> tuple[str, list[str]]:
    """`value` with each code span replaced by a placeholder no link or tag rule matches, and the
    spans (restore them with `unmask`)."""
    if "`" not in value:
        return value, []
    spans = code_spans(value)
    if not spans:
        return value, []
    parts, kept, pos = [], [], 0
    for start, end in spans:
        parts.append(value[pos:start])
        parts.append(f"\x00{len(kept)}\x00")
        kept.append(value[start:end])
        pos = end
    parts.append(value[pos:])
    return "".join(parts), kept


def unmask(text: str, kept: list[str]) -> str:
    """`text` (a piece of a masked value) with its code spans as written."""
    return _MASK.sub(lambda m: kept[int(m.group(1))], text) if kept and "\x00" in text else text


def outside_code(text: str) -> list[str]:
    """The pieces of `text` between its code spans (the text mldoc reads as Plain)."""
    masked, _kept = mask_code(text)
    return _MASK.split(masked)[::2] if _kept else [text]
