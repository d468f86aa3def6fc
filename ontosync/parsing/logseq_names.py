"""Page names as Logseq computes them, and the links in a property value.

Kept apart from the page parser because the rules are Logseq's, not ontosync's, and each is small
enough to check against Logseq's documentation on its own (README, "A Logseq graph on disk"):

* **File names.** Read in Unicode NFC, as Logseq reads paths (a macOS NFD name gives an NFC
  title). `:triple-lowbar` (Logseq 0.8.9+, the default): `___` is `/`, then each `%XX`
  escape is decoded on its own (`%2F` too; a byte of a multi-byte character, `%C3`, stays as
  written: `tri-lb-title-parsing`), then empty namespaces dropped (`___A` is `A`, `A______B` is
  `A/B`: Logseq's `make-valid-namespaces`). `:legacy`: a `.` is `/` (the oldest versions wrote
  `Parent.Child.md` and added a `title::` property, which wins anyway), then the whole name is
  decoded as JavaScript's `decodeURIComponent` does, or kept as written where that fails (a `%`
  without two hex digits, escapes that are no UTF-8). `pages/contents.md` (any extension) is
  `Contents`, whatever its `title::` (`is_contents_page`).
* **Journals.** A file in the journals folder whose name (decoded as above) reads as a date in
  `:journal/page-title-format`, `MMM do, yyyy`, `yyyy-MM-dd` or `yyyy_MM_dd` is named by
  `:journal/page-title-format` (`MMM do, yyyy`: `Jan 15th, 2024`), as graph-parser names it
  (`convert-page-if-journal`); `:journal/file-name-format` only names the files Logseq creates.
  The formats use Logseq's date tokens: `yyyy yy MMMM MMM MM M dd d do EEEE EEE EE E`; other
  letters in single quotes and any other character are literal. A date is read as Logseq's
  cljs-time fork reads it: `MM`/`dd` take one digit too, `MMM`/`MMMM` a full or short name.
* **Page properties** (`title::`, `alias::`): `logseq_page_props`.
* **Links in a property value.** `[[Page]]`, `#Page` and `#[[Multi Word]]` in any mix with
  commas and spaces; `[label]([[Page]])` is a link to `Page` (mldoc's labelled link). A nested
  link `[[a [[b]] c]]` names the page `a [[b]] c` and the page `b`,
  as in Logseq. `#` starts a tag at the start of the value or after a space or comma; the tag runs
  to the next space or comma (trailing `.`, `!`, `?`, `:` and `;` are punctuation). Inline code
  (`` `[[X]]` ``) is verbatim text, no link or tag, and one item however many commas it holds
  (`logseq_verbatim`). A value wrapped in double quotes is one verbatim item with no links.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from datetime import date
from pathlib import PurePosixPath
from urllib.parse import unquote

from ontosync.formats import PAGE_EXTENSIONS
from ontosync.parsing.facts import normalize_name
from ontosync.parsing.logseq_config import DEFAULT_GRAPH, LogseqGraph
from ontosync.parsing.logseq_verbatim import LONG_VALUE, is_quoted, mask_code, unmask

_TOKEN = re.compile(r"'[^']*'|yyyy|yy|MMMM|MMM|MM|M|do|dd|d|EEEE|EEE|EE|E|[A-Za-z]+|.", re.DOTALL)
# Each field as Logseq's date parser reads it (its cljs-time fork, `cljs_time/internal/parse.cljs`):
# (group, pattern). A number takes every digit there is up to the field's maximum, however few:
# `MM` and `dd` read `1` as well as `01` (`parse-number`); a month name field takes the full name or
# its first three letters, full names tried first (`parse-period-name`), a weekday field likewise.
# A year takes fewer digits than its width too (`parse-number` raises nothing below the minimum):
# `yyyy` reads 1 to 4 digits, `yy` 1 or 2; `_infer_year` then places a short one.
_MONTH_NAMES = "|".join([*calendar.month_name[1:], *calendar.month_abbr[1:]])
_DAY_NAMES = "|".join([*calendar.day_name, *calendar.day_abbr])
_FIELDS = {"yyyy": ("y", r"\d{1,4}"), "yy": ("y", r"\d{1,2}"), "MM": ("m", r"\d{1,2}"), "M": ("m", r"\d{1,2}"),
           "dd": ("d", r"\d{1,2}"), "d": ("d", r"\d{1,2}"), "do": ("d", r"\d{1,2}"),
           "MMMM": ("mn", _MONTH_NAMES), "MMM": ("mn", _MONTH_NAMES),
           **{e: ("wd", _DAY_NAMES) for e in ("EEEE", "EEE", "EE", "E")}}
_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
_TAG_END = " \t,;"
_TAG_TRAIL = ".!?:;"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def format_date(day: date, fmt: str) -> str:
    """`day` written in a Logseq journal format (English month and weekday names, as Logseq)."""
    out = []
    for tok in _TOKEN.findall(fmt):
        out.append({
            "yyyy": f"{day.year:04d}", "yy": f"{day.year % 100:02d}",
            "MMMM": calendar.month_name[day.month], "MMM": calendar.month_abbr[day.month],
            "MM": f"{day.month:02d}", "M": str(day.month), "dd": f"{day.day:02d}", "d": str(day.day),
            "do": _ordinal(day.day), "EEEE": calendar.day_name[day.weekday()],
            "EEE": calendar.day_abbr[day.weekday()], "EE": calendar.day_abbr[day.weekday()],
            "E": calendar.day_abbr[day.weekday()],
        }.get(tok, tok[1:-1] if len(tok) > 1 and tok.startswith("'") else tok))
    return "".join(out)


@functools.lru_cache(maxsize=64)
def _date_pattern(fmt: str) -> re.Pattern | None:
    """`fmt` as a regular expression (case-insensitive: Logseq capitalises a title before parsing
    it), each of year, month and day captured once; None if it cannot be one. A field matches as
    Logseq's parser reads it, left to right and never giving back what it took (an atomic group:
    a lookahead, then the text it captured), so `yyyyMMdd` does not read `202411` as Jan 1st."""
    parts = []
    seen: set[str] = set()
    for tok in _TOKEN.findall(fmt):
        if tok in _FIELDS:
            group, body = _FIELDS[tok]
            pattern = f"(?:{body})" if group in seen else f"(?=(?P<{group}>{body}))(?P={group})"
            seen.add(group)
            if tok == "do":
                pattern += "(?:st|nd|rd|th)"
        elif len(tok) > 1 and tok.startswith("'"):
            pattern = re.escape(tok[1:-1])
        else:
            pattern = re.escape(tok)
        parts.append(pattern)
    try:
        return re.compile("".join(parts), re.IGNORECASE)
    except re.error:
        return None


def parse_date(text: str, fmt: str) -> date | None:
    """The date `text` states in the journal format `fmt`, else None (month and weekday names in
    English, any case)."""
    pattern = _date_pattern(fmt)
    m = pattern.fullmatch(text) if pattern is not None else None
    if m is None:
        return None
    groups = m.groupdict()
    year = _infer_year(int(groups["y"])) if groups.get("y") else None
    month = int(groups["m"]) if groups.get("m") else _MONTHS.get((groups.get("mn") or "").lower()[:3])
    if year is None or not month or not groups.get("d"):
        return None
    try:
        return date(year, month, int(groups["d"]))
    except ValueError:
        return None


def _infer_year(year: int, today: date | None = None) -> int:
    """The year Logseq's date parser makes of the number a year field read: cljs-time's
    `infer-years` puts one below (this year + 20) mod 100 in this century (`24` and `0024` are
    2024 in 2026), then JavaScript's `Date.UTC` reads any other below 100 as 19xx (`99` is 1999:
    cljs-time issue 146); from 100 on, the year as written (`202` is the year 202). The same
    written date names another day only when the pivot passes it, once a year."""
    this = (today or date.today()).year
    if year < (this + 20) % 100:
        return year + this - this % 100
    return year + 1900 if year < 100 else year


# graph-parser `safe-journal-title-formatters`: the formats a link's name is tried in, after the
# graph's own journal title format.
_LINK_DATE_FORMATS = ("MMM do, yyyy", "yyyy-MM-dd", "yyyy_MM_dd")
_DIGIT = re.compile(r"\d")


def journal_link_name(name: str, graph: LogseqGraph | None = None) -> str:
    """The page a `[[link]]` names when its name is a date: Logseq (`convert-page-if-journal`)
    reads a referenced name that parses by the journal title format, `MMM do, yyyy`,
    `yyyy-MM-dd` or `yyyy_MM_dd` as that day's journal page, named by the title format, so
    `[[2024-01-15]]` and `[[jan 15th, 2024]]` both open `Jan 15th, 2024`. Other names unchanged."""
    if not _DIGIT.search(name):
        return name
    title_format = (graph or DEFAULT_GRAPH).config.journal_title_format
    for fmt in dict.fromkeys((title_format, *_LINK_DATE_FORMATS)):
        day = parse_date(name.strip(), fmt)
        if day is not None:
            return format_date(day, title_format)
    return name


def other_aliases(title: str, aliases: list[str], graph: LogseqGraph | None = None) -> list[str]:
    """The aliases that name the page otherwise than its own name: graph-parser
    `extract-page-alias-and-tags` drops an alias whose `page-name-sanity-lc` (`normalize_name`) is
    the page's name (both as links name them, `journal_link_name`), so `alias:: dog` on `Dog` is no alias."""
    own = normalize_name(journal_link_name(title, graph))
    return [alias for alias in aliases if normalize_name(journal_link_name(alias, graph)) != own]


def file_page_name(path: str, graph: LogseqGraph | None = None) -> str:
    """The page name Logseq gives a file that has no `title::` (see the module docstring)."""
    graph = graph or DEFAULT_GRAPH
    pure = PurePosixPath(path)  # source paths are POSIX: a backslash is part of the name
    # Logseq reads paths in NFC (`path-normalize`): a macOS (NFD) file name gives an NFC title.
    stem = unicodedata.normalize("NFC", _without_extension(pure.name))
    title = _decoded_name(stem, graph.config.name_format)
    # graph-parser `extract-pages-and-blocks`: the name a file gives, read as a date by the journal
    # TITLE formats (`convert-page-if-journal`); `:journal/file-name-format` only names new files.
    return journal_link_name(title, graph) if _in_journals(path, graph) else title


def page_name(path: str, props: dict[str, tuple[str, int]], graph: LogseqGraph | None = None) -> str:
    """The name Logseq gives the page at `path` of page properties `props`: `Contents` for its
    contents page, else the `title::`, else the file's (`file_page_name`)."""
    if is_contents_page(path, graph):
        return "Contents"
    return props.get("title", ("", 0))[0] or file_page_name(path, graph)


def is_contents_page(path: str, graph: LogseqGraph | None = None) -> bool:
    """Whether Logseq names the file `Contents` whatever it says: graph-parser `get-page-name` asks
    first whether its graph-relative path starts with `pages/contents.` (the literal folder, not
    `:pages-directory`; `contents.org` too), over any `title::`."""
    graph = graph or DEFAULT_GRAPH
    rel = graph.relative(path) if graph.found else None
    if rel is not None:
        return rel.startswith("pages/contents.")
    return not graph.found and (path.startswith("pages/contents.") or "/pages/contents." in path)


def _decoded_name(stem: str, name_format: str) -> str:
    """A file name's page name in the graph's `:file/name-format` (graph-parser `title-parsing`)."""
    if name_format != "triple-lowbar":
        title = stem.replace(".", "/")
        return (decode_uri_component(title) or title) if "%" in title else title
    title = _ESCAPE.sub(_ascii_escape, stem.replace("___", "/")) if "%" in stem else stem.replace("___", "/")
    if "/" in title:  # Logseq drops empty namespaces
        title = "/".join(part for part in title.split("/") if part) or title
    return title


# The extensions of page files (`.md`, `.markdown`: Logseq reads both as markdown pages; `.org`).
def _without_extension(name: str) -> str:
    """A page file's name without its page extension (formats.PAGE_EXTENSIONS), in any letter case."""
    lowered = name.lower()
    for ext in PAGE_EXTENSIONS:
        if lowered.endswith(ext):
            return name[:-len(ext)]
    return name


_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_MALFORMED = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _ascii_escape(m: re.Match) -> str:
    """One `%XX` of a :triple-lowbar name, decoded on its own as Logseq does: a byte of a
    multi-byte UTF-8 character is no character alone, so it stays as written."""
    code = int(m.group(0)[1:], 16)
    return chr(code) if code < 0x80 else m.group(0)


def decode_uri_component(text: str) -> str | None:
    """JavaScript's `decodeURIComponent`, None where it throws: a `%` not followed by two hex
    digits, or escapes that are no UTF-8 (the legacy file names: the whole name or nothing)."""
    if _MALFORMED.search(text):
        return None
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return None


def _in_journals(path: str, graph: LogseqGraph) -> bool:
    folder = graph.config.journals_directory.strip("/") + "/"
    if graph.found:
        rel = graph.relative(path)
        return rel is not None and rel.startswith(folder) and "/" not in rel[len(folder):]
    parent = PurePosixPath(path).parent.as_posix() + "/"
    return parent == folder or parent.endswith("/" + folder)


_FLAT_LINK = re.compile(r"#?\[\[([^\[\]]+)\]\]")
# A tag runs to the next separator; the stops that end it are not its name's (`_flat_tag` strips them).
# Why not a lazy name before `[.!?:;]*`: it tried every end of the name against every end of a run
# of stops, quadratic in the run (`#a` then 40,000 dots and a letter: 21 s, a page failed as timeout).
_FLAT_TAG = re.compile(r"(?:^|(?<=[ \t,;]))#([^ \t,;#])([^ \t,;]*)")
# The `[label](` before a link in mldoc's labelled link `[label]([[Page]])`: part of the link.
_LABEL_OPEN = re.compile(r"\[[^\[\]]*\]\($")
MAX_LINK_DEPTH = 4  # links nested deeper are not read: each level costs a pass over the value


def _flat_tag(match: re.Match) -> str:
    """A tag's name: its first character, then the rest without the stops that end it."""
    return match.group(1) + match.group(2).rstrip(".!?:")


def split_values(value: str, items: bool = False) -> tuple[list[str], list[str]]:
    """(page names linked, other items) in a property value: see "Links" in the module docstring.

    Other items are the comma-separated pieces of text left once the links are taken out; a
    `via word` qualifier after a link is not one of them. Linear in the value's length (a page
    may hold a megabyte-long line of brackets). A value over LONG_VALUE characters is no value a
    person wrote: its plain links and tags are read by regular expression (C speed), without
    nested links and without reporting the other items, unless `items` asks for them (the names
    of a comma-separated `alias::` are its plain items too, however long: `long_items`).
    """
    if is_quoted(value):
        return [], [value.strip()]
    value, code = mask_code(value)
    if len(value) > LONG_VALUE:
        names = _FLAT_LINK.findall(value) + [_flat_tag(m) for m in _FLAT_TAG.finditer(_FLAT_LINK.sub(",", value))]
        found = list(dict.fromkeys(unmask(x.strip(), code) for x in names if x.strip()))
        return found, (long_items(value) if items else [])
    pairs = _bracket_pairs(value)
    links: list[str] = []
    text: list[str] = []
    pos = 0
    for start, end, depth in pairs:
        if depth == 0:
            outside = value[pos:start - 1] if start > 0 and value[start - 1] == "#" else value[pos:start]
            label = _LABEL_OPEN.search(outside) if value.startswith(")", end + 2) else None
            _tags(outside[:label.start()] if label else outside, links, text)
            text.append(",")
            pos = end + (3 if label else 2)
        if depth < MAX_LINK_DEPTH:
            links.append(value[start + 2:end])
    _tags(value[pos:], links, text)
    rest = []
    for item in "".join(text).split(","):
        item = re.sub(r"^\s*via\s+[\w:.-]+\s*$", "", item).strip().strip(_TAG_TRAIL).strip()
        if item:
            rest.append(unmask(item, code))
    return list(dict.fromkeys(unmask(x.strip(), code) for x in links if x.strip())), rest


_LONG_SEPARATORS = re.compile("[,\uff0c]|\x00\\d+\x00")  # `,` `，` and a masked code span


def long_items(value: str) -> list[str]:
    """The items of a (code-masked) value over LONG_VALUE characters once its plain links, tags
    and code spans are cut out, split at `,` or `，`, at C speed (no emphasis looked for): what
    `split_values` reports as its other items, names as they are."""
    plain = _FLAT_TAG.sub(",", _FLAT_LINK.sub(",", value))
    return [item.strip() for item in _LONG_SEPARATORS.split(plain) if item.strip()]


def _bracket_pairs(value: str) -> list[tuple[int, int, int]]:
    """(index of `[[`, index of its `]]`, nesting depth) of every closed link, in text order."""
    stack: list[int] = []
    pairs: list[tuple[int, int, int]] = []
    n = len(value)
    nxt = {"[[": value.find("[["), "]]": value.find("]]")}  # each found again only once passed
    i = 0
    while True:
        for mark in ("[[", "]]"):
            if 0 <= nxt[mark] < i:
                nxt[mark] = value.find(mark, i)
        a, b = nxt["[["], nxt["]]"]
        i = b if a < 0 else a if b < 0 or a < b else b
        if i < 0 or i >= n - 1:
            break
        if i == a:
            stack.append(i)
        elif stack:
            start = stack.pop()
            pairs.append((start, i, len(stack)))
        i += 2
    if stack:  # unclosed openers: depths were counted with them; recount without
        unclosed = set(stack)
        pairs = [(a, b, d - sum(1 for u in unclosed if u < a)) for a, b, d in pairs] if len(unclosed) < 64 else [
            (a, b, d) for a, b, d in pairs if d == 0]
    return sorted(pairs)


def _tags(text: str, links: list[str], out: list[str]) -> None:
    """`#tag`s of text outside links go to `links`; the rest of the text to `out`."""
    i, n = 0, len(text)
    while True:
        j = text.find("#", i)
        if j < 0:
            out.append(text[i:])
            return
        if (j == 0 or text[j - 1] in _TAG_END) and text[j + 1:j + 2] not in ("", *_TAG_END, "#"):
            k = j + 1
            while k < n and text[k] not in _TAG_END:
                k += 1
            tag = text[j + 1:k].rstrip(_TAG_TRAIL)
            out.append(text[i:j] + ",")
            links.append(tag)
            i = j + 1 + len(tag)
        else:
            out.append(text[i:j + 1])
            i = j + 1
