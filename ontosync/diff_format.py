"""The change JSON (store/diff.py) as text for a terminal or markdown for GitHub.

Labels, definitions and synonyms are user text: in markdown every character that could start
markup (math's `$` too) is escaped, HTML is escaped, and `@` gets a zero-width joiner so nobody is
pinged (`#12` one too, so no issue is referenced). The markdown stops before `budget` characters and
says how much it left out and where the rest is, so a pull-request comment stays under GitHub's
65,536 characters and a job summary far below 1 MiB. A cut falls between whole characters (text_cut.py),
and a right-to-left label is an isolate (`isolated`), so neither shows the reader other text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from ontosync.console import UNSAFE, counted, escaped_char
from ontosync.text_cut import ZWJ, cut, cut_shown, no_emoji

# `$`: GitHub renders `$...$` and `$$...$$` as math: a label "$E = mc^2$" showed as a formula, not its text
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:>$])")
MAX_CELL = 200
MAX_NOTE = 1000  # a sentence of ours holding user text (a note on the figures): whole, not cut as a cell
MAX_IRI = 300
# GitHub's issue references (`#12`, `GH-12`, after the escapes: `\#12`, `GH\-12`): a backslash does
# not stop them, and each adds a back-reference to the issue at every edit of the comment
_REFERENCE = re.compile(r"(#|GH\\?-)(?=\d)", re.IGNORECASE)


def md(text: Any, limit: int = MAX_CELL) -> str:
    """User text made inert in markdown: one line, cut to `limit`, no markup, HTML, @mention or
    emoji shortcode (text_cut.no_emoji)."""
    line = " ".join(str("" if text is None else text).split())
    s = html.escape(cut_shown(line, limit, visible_pieces), quote=False)
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return _REFERENCE.sub("\\1" + ZWJ, no_emoji(s).replace("@", "@" + ZWJ))


def md_iri(iri: str, in_table: bool = True) -> str:
    """An IRI in a code span (no autolink); backticks inside become a longer fence. Its control and
    bidirectional characters are shown as escapes, as in a label: a code span still obeys U+202E,
    and `<http://ex.org/\u202Egpj.exe>` read as "http://ex.org/exe.jpg" in the review. In a table a
    pipe is `%7C` (it would end the cell); `in_table` False, a sentence's path or command, it is
    itself (a failed file `a|b.ttl` was named `a%7Cb.ttl`, another file)."""
    iri = " ".join(iri.split())
    composed = unicodedata.is_normalized("NFC", visible(iri))  # of the whole IRI, not of the part shown
    iri = cut_shown(iri, MAX_IRI, lambda head: iri_pieces(head, composed))  # a shorter IRI read as the class's own
    iri = iri.replace("|", "%7C") if in_table else iri
    fence = "`" * (max((len(m) for m in re.findall(r"`+", iri)), default=0) + 1)
    return isolated(f"{fence} {iri} {fence}" if "`" in iri else f"`{iri}`")


def md_whole(text: str) -> str | None:
    """A command or path to copy, in a code span, only when shown whole and as it is; else None.
    Why: `md_iri` cuts at MAX_IRI and shows a control character as an escape, so a long or odd
    database path gave a command that ran on another path, or on none; the caller says it without."""
    if len(text) > MAX_IRI or iri_visible(" ".join(text.split())) != text:
        return None
    return md_iri(text, in_table=False)


def isolated(text: str) -> str:
    """`text` (already made inert) as a bidi isolate (FSI...PDI) when it holds right-to-left letters.
    Why: in "label: A → B" with A and B Hebrew or Arabic, the arrow between them joins their
    right-to-left run and the browser shows "B → A", the new label as the old. An isolate keeps each
    label to itself; user text holds no isolate of its own (`visible` shows those as escapes)."""
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text):
        return f"\u2068{text}\u2069"
    return text


def short(iri: str) -> str:
    """The last part of an IRI; of a class expression (an axiom's subject that is no class:
    `ObjectIntersectionOf(<http://ex.org/A> <http://ex.org/B>)`), the expression with each IRI in it
    shortened. Why: the expression's last part after a slash, "B>)", named its axioms' row, read
    as class B's."""
    if "<" in iri:  # no IRI holds one: the angle brackets of IRIs inside an expression
        return _IRI_IN_EXPRESSION.sub(lambda m: short(m.group(1)), iri)
    for sep in ("#", "/", ":"):
        if sep in iri.rstrip(sep):
            return iri.rstrip(sep).rsplit(sep, 1)[1] or iri
    return iri


_IRI_IN_EXPRESSION = re.compile(r"<([^<>]*)>")


def name(entry: dict) -> str:
    """What an entry is called: its label; without one, or with one that shows nothing (only
    whitespace, a zero-width space), the last part of its IRI."""
    label = entry.get("label")
    return label if label and not blank(label) else short(entry["iri"])


def summary_counts(data: dict) -> str:
    c, ax = data["classes"], data["axioms"]
    p = data["properties"]
    return (f"classes: {len(c['added'])} added, {len(c['removed'])} removed, {len(c['changed'])} changed; "
            f"properties: {len(p['added'])} added, {len(p['removed'])} removed, {len(p['changed'])} changed; "
            f"axioms: {ax['added']} added, {ax['removed']} removed")


def is_empty(data: dict) -> bool:
    return not any(data[s][k] for s in ("classes", "properties") for k in ("added", "removed", "changed")) \
        and not data["axioms"]["added"] and not data["axioms"]["removed"]


def _side(side: dict) -> str:
    if "database" in side:  # a path holding ` -> ` (so `>`) quoted: `a.db -> b -> c.db` read as three
        return _named(str(side["database"]))
    if side.get("run") is None:
        return "empty"
    at = f" ({_shown(side['revision'][:12])})" if side.get("revision") else ""
    return f"the content before the change log{at}" if side["run"] == 0 else f"run {side['run']}{at}"


def _sides(data: dict, side: Callable[[dict], str] = _side, arrow: str = "->") -> str:
    """The text's first line, `BASE -> HEAD`; a log with no run yet says so. Why: a database
    `migrate` filled from a legacy one, before its first sync, read "empty -> empty", as if the
    migration had lost its classes. (`side`, `arrow`: the markdown's, `_md_side` and →.)"""
    head = data["head"]
    if head.get("run") is None and "database" not in head:
        return "no run in the change log yet (nothing synced since it began)"
    return f"{side(data['base'])} {arrow} {side(head)}"


def _md_side(side: dict) -> str:
    """A run side in the markdown, as `_side` says it in the text, its revision in a code span."""
    at = f" ({md_iri(side['revision'][:12], in_table=False)})" if side.get("revision") else ""
    if side.get("run") is None:
        return "empty"
    return f"the content before the change log{at}" if side["run"] == 0 else f"run {side['run']}{at}"


# -- text ------------------------------------------------------------------------------------------

def _change_lines(changes: dict) -> list[str]:
    lines = []
    for key in ("label", "definition", "type", "domain", "range"):
        if key in changes:
            old, new = _text_pair(*changes[key])
            lines.append(f"      {key}: {old} -> {new}")
    for key, sign in (("parents_added", "+"), ("parents_removed", "-")):
        for p in changes.get(key, []):
            lines.append(f"      parent {sign} {_named(name(p))} {_iri(p['iri'])}")
    twins = _twins(changes.get("synonyms_added", []), changes.get("synonyms_removed", []), _quote)
    for key, sign in (("synonyms_added", "+"), ("synonyms_removed", "-")):
        for s in changes.get(key, []):
            lines.append(f"      synonym {sign} {_quote(s, exact=s in twins)}")
    return lines


def _quote(value: Any, exact: bool = False) -> str:
    """A value in quotes, cut at 120; `exact`: with what a reader cannot see as escapes (`_exact`)."""
    if value is None:
        return "(none)"
    if exact:
        return '"' + _shown(_escaped(_exact(cut(str(value), 120)), exact=True)) + '"'
    s = " ".join(str(value).split()) or str(value)  # only whitespace: shown as it is, not as ""
    return '"' + _shown(_escaped(cut(s, 120))) + '"'


def _escaped(text: str, exact: bool = False) -> str:
    """A quote and a backslash in a quoted value as `\\"` and `\\\\`. Why: a label `A" -> "B` changed
    to C read `label: "A" -> "B" -> "C"`, any two of them the change; and a label holding the text
    `\\x1b` read as one holding the escape character (`visible` shows it so). `exact`: the text
    holds `_exact`'s escapes already, their backslashes single and the value's own doubled there."""
    return text.replace('"', '\\"') if exact else text.replace("\\", "\\\\").replace('"', '\\"')


def _first_difference(a: str, b: str) -> int:
    """Where two texts first differ (the shorter's length when one starts the other): the text and
    markdown pairs show both from near there."""
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _text_pair(old: Any, new: Any) -> tuple[str, str]:
    """Both sides of a changed value in the text, as they differ (`_md_pair`'s reason: `_quote`
    folds whitespace and cuts at 120, so a definition edited past that, or a label given a second
    space, read `"X" -> "X"`). Sides that read the same are shown from near their first difference,
    with what differs unseen as escapes (`_exact`)."""
    shown = _quote(old), _quote(new)
    if old is None or new is None or _seen(shown[0]) != _seen(shown[1]):
        return shown
    a, b = str(old), str(new)
    first = _first_difference(a, b)
    start = max(first - 20, 0)
    lead = "…" if start else ""
    return _quote(lead + a[start:], exact=True), _quote(lead + b[start:], exact=True)


def _exact(value: str) -> str:
    """`value` with what a reader cannot see as escapes: whitespace but a single space between
    words (a second space is `\\x20`, a tab `\\t`), format characters (a zero-width space), and
    in a value not in Unicode's composed form, the characters that make it so (`_composes`)."""
    out = []
    composed = unicodedata.is_normalized("NFC", value)
    for i, ch in enumerate(value):
        lone = ch == " " and 0 < i < len(value) - 1 and value[i - 1] != " "
        unseen = (ch.isspace() and not lone) or _unseen(ch, composed)
        out.append(("\\x20" if ch == " " else ch.encode("unicode_escape").decode("ascii")) if unseen
                   else "\\\\" if ch == "\\" else ch)
    return "".join(out)


def _twins(added: list, removed: list, show: Callable[[Any], str]) -> set:
    """The values of `added` and `removed` that `show` renders as one of the other side renders
    (synonyms "Big  cat" removed and "Big cat" added): shown as they differ, else they read as
    a synonym removed and added again."""
    seen_added, seen_removed = ({_seen(show(v)) for v in side} for side in (added, removed))
    return {v for v in added if _seen(show(v)) in seen_removed} | {v for v in removed if _seen(show(v)) in seen_added}


def _shared(data: dict) -> Callable[[dict], str]:
    """The ontology of an entry whose IRI another entry names too ("" for the others). Why: one IRI
    declared in two ontologies (two Turtle files, each its owl:Ontology) changed in both gave two
    rows of the same IRI, "parent + Y" and "parent − Y", read as one class contradicting itself."""
    return _ontology_if_shared([e for section in ("classes", "properties")
                                for kind in ("added", "removed", "changed") for e in data[section][kind]])


def _ontology_if_shared(entries: list[dict]) -> Callable[[dict], str]:
    """`_shared` over these entries: the axioms table's subjects too (ex:X's axioms in two
    ontologies, one gaining and one losing, read "X | 1 | 0" and "X | 0 | 1")."""
    count: dict[str, int] = {}
    for e in entries:
        count[e["iri"]] = count.get(e["iri"], 0) + 1
    return lambda e: e.get("ontology", "default") if count.get(e["iri"], 0) > 1 else ""


def to_text(data: dict) -> str:
    lines = [_sides(data), summary_counts(data)]
    where = _shared(data)
    for section, what in (("classes", "class"), ("properties", "property")):
        for kind, sign in (("added", "+"), ("removed", "-"), ("changed", "~")):
            for e in data[section][kind]:
                lines.append(f"  {sign} {what} {_named(name(e))} {_iri(e['iri'])}"
                             + (f" in ontology {_named(where(e))}" if where(e) else ""))
                lines += _change_lines(e.get("changes", {}))
    in_ontology = _ontology_if_shared(data["axioms"]["by_subject"])
    for s in data["axioms"]["by_subject"]:
        lines.append(f"  axioms of {_named(name(s))} {_iri(s['iri'])}"
                     + (f" in ontology {_named(in_ontology(s))}" if in_ontology(s) else "")
                     + f": +{s['added']} -{s['removed']}")
    return "\n".join(lines) + "\n"


def _named(text: str) -> str:
    """A name (a label, an IRI's last part, an ontology id) in a line of the text: as it is, but
    quoted with escapes when it holds the line's own marks. Why: the lines are `+ class NAME <IRI>`,
    `axioms of NAME <IRI>: +A -R`, and a label `B <http://ex.org/B>` on class A read as class B."""
    if any(mark in text for mark in _MARKS):
        return '"' + _shown(_escaped(text)) + '"'
    return _shown(text)


_MARKS = ('<', '>', '"', "\\")


def _iri(iri: str) -> str:
    """An IRI in its angle brackets, the characters no IRI may hold (RFC 3987: `<>"`, space, a
    backslash) percent-encoded: `<http://ex.org/D> <http://ex.org/E>` was one IRI that read as two.
    An axiom's subject that is a class expression (`ObjectIntersectionOf(<A> <B>)`, no IRI: an
    absolute IRI has its scheme's colon before any parenthesis) is shown as the store holds it."""
    if _EXPRESSION.match(iri):
        return f"<{_shown(iri, iri=True)}>"
    return "<" + _shown(_NOT_IN_IRI.sub(lambda m: f"%{ord(m.group()):02X}", iri), iri=True) + ">"


_NOT_IN_IRI = re.compile(r'[<>" \\]')
_EXPRESSION = re.compile(r"[A-Za-z]+\(")


def _shown(text: str, iri: bool = False) -> str:
    """One piece of user text in a line of `diff`'s text: escapes for what a terminal would obey
    (`visible`), an isolate when right to left. Why per piece, not per line: in `label: "שלום" ->
    "עולם"` the arrow joined the two labels' run, and a terminal that lays out bidirectional text
    showed the new label first; a Hebrew IRI beside an axioms line's counts turned "+1 -0" round."""
    return isolated(iri_visible(text) if iri else visible(text))


def visible(line: str) -> str:
    """User text made inert for a terminal or a comment: labels and IRIs may hold control
    characters (`\\u001b[2J` in a Turtle literal clears the screen, a newline forges a line of the
    diff) or bidirectional overrides (text shown reversed). Each is shown as its escape; other
    characters that do not print (ZWJ, ZWNJ) are parts of words in some scripts and stay."""
    if line.isprintable():
        return line
    return "".join(visible_pieces(line))


def visible_pieces(line: str) -> list[str]:
    """`visible`'s text, one piece per character of `line` (`cut_shown` cuts between them)."""
    return [_escape(ch) if UNSAFE.match(ch) else ch for ch in line]


def _escape(ch: str) -> str:
    """A character's escape, as console.printable writes it (a file name's byte that is not UTF-8,
    a lone surrogate no file can be written with, as `\\xNN`: `diff --base` of such a name with
    `--output` was a traceback), but a tab, a newline and a return short, as the text wrote them."""
    return _SHORT.get(ch) or escaped_char(ch)


_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def iri_visible(iri: str) -> str:
    """An IRI made inert as `visible` does, and its format characters shown as escapes too (a
    zero-width space, a word joiner, a soft hyphen, a BOM) but for ZWJ and ZWNJ, parts of words in
    some scripts; in an IRI not in Unicode's composed form (NFC), the characters that make it so
    (`_composes`). Why: `<http://ex.org/A>` and `<http://ex.org/A\u200b>` (or "Café" composed and
    decomposed) are two classes that read the same, and a parent moved from one to the other was
    shown as a move from a class to itself."""
    return "".join(iri_pieces(iri))


def iri_pieces(iri: str, composed: bool | None = None) -> list[str]:
    """`iri_visible`'s text, one piece per character of `iri` (`cut_shown` cuts between them);
    `composed`: whether the IRI `iri` starts is in NFC (None: `iri` is the whole IRI)."""
    pieces = visible_pieces(iri)
    if all(piece.isascii() for piece in pieces):
        return pieces
    if composed is None:
        composed = unicodedata.is_normalized("NFC", "".join(pieces))
    for i, ch in enumerate(pieces):
        if len(ch) == 1 and ch not in "\u200c\u200d" and _unseen(ch, composed):
            pieces[i] = ch.encode("unicode_escape").decode("ascii")
    return pieces


def _unseen(ch: str, composed: bool) -> bool:
    """`ch` is one a reader cannot see in its place: it draws nothing (`_draws_nothing`; a variation
    selector too, even after the emoji it belongs to: `<http://ex.org/\u2764>` and the same with
    U+FE0F read alike in many terminals), or, in a text not in Unicode's composed form, it makes it
    so (`_composes`)."""
    return _draws_nothing(ch) or (not composed and _composes(ch))


def _draws_nothing(ch: str) -> bool:
    """`ch` shows as nothing: a format character (category Cf: a zero-width space, a BOM), or one
    of the others Unicode says to draw as nothing (Default_Ignorable_Code_Point: the combining
    grapheme joiner, the Hangul fillers, a variation selector). Why the others too: a parent moved
    to <http://ex.org/A\u3164> read as a move from a class to itself, as one to A + U+200B did."""
    return unicodedata.category(ch) == "Cf" or _IGNORABLE.match(ch) is not None


_IGNORABLE = re.compile("[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0"
                        "\U000e0100-\U000e01ef]")  # the Default_Ignorable_Code_Points that are not Cf


def _composes(ch: str) -> bool:
    """`ch` is one Unicode writes in two forms (NFC composed, NFD decomposed): a letter with its
    accent in one character, a combining mark, a Korean jamo. Why: "Café" composed and "Cafe" + a
    combining acute read the same and are two strings (two labels, two IRIs: RDF compares them
    character by character); in a value not in NFC these are shown as escapes where two values
    must be told apart (an IRI, `_exact`)."""
    return not ch.isascii() and (unicodedata.combining(ch) > 0 or unicodedata.normalize("NFD", ch) != ch
                                 or 0x1100 <= ord(ch) <= 0x11FF)


# -- markdown --------------------------------------------------------------------------------------

def _md_changes(changes: dict) -> str:
    parts = []
    for key in ("label", "definition", "type", "domain", "range"):
        if key in changes:
            old, new = _md_pair(*changes[key], 100 if key == "definition" else 80)
            # a value holding the arrow (`A → B` changed to C read `A → B → C`): italics no user text makes
            parts.append(f"{key}: *from* {old} *to* {new}" if "→" in old + new else f"{key}: {old} → {new}")
    parent = _parent_names([p for key in ("parents_added", "parents_removed") for p in changes.get(key, [])[:10]])
    for key, sign in (("parents_added", "+"), ("parents_removed", "−")):
        if changes.get(key):
            parts.append(f"parent {sign} " + _listed(changes[key], parent))
    parts += _md_synonyms(changes.get("synonyms_added", []), changes.get("synonyms_removed", []))
    return "<br>".join(parts)


def _md_synonyms(added: list, removed: list) -> list[str]:
    """The cell's synonym parts, each synonym escaped once (a shown added one and every removed
    one, which an added one may read as); an added synonym that reads as a removed one says how
    they differ."""
    shown = {s: _md_value(s, 80) for s in (*added[:10], *removed)}
    twin = {_seen(shown[s]): s for s in removed}

    def added_one(s: Any) -> str:
        old = twin.get(_seen(shown[s]))
        return shown[s] if old is None else _md_pair(old, s, 80)[1]
    return [f"synonym {sign} " + _listed(items, render) for items, sign, render in
            ((added, "+", added_one), (removed, "−", shown.__getitem__)) if items]


def _listed(items: list, render: Callable[[Any], str], most: int = 10) -> str:
    """The first `most` items, and how many more: a cell that showed 10 of 12 synonyms said nothing
    of the other 2, read as 10 added. The count is in italics, which no user text writes: as plain
    text, a last synonym `and 5 more` read as five more."""
    more = f" *and {len(items) - most} more*" if len(items) > most else ""
    shown = [render(x) for x in items[:most]]
    if any("," in x for x in shown):  # one synonym "Fox, Wolf" read as two: a count and separators in
        return f"*{len(items)}:* " + " *and* ".join(shown) + more  # italics, which no user text can write
    return ", ".join(shown) + more


def _parent_names(parents: list[dict]) -> Callable[[dict], str]:
    """A parent as a change cell names it: its label, and where another parent of the change shows
    the same, its IRI's last part, or the whole IRI when the last parts are the same too. Why: a
    class moved from ex:A to ex2:A (both "Alpha") read "parent + Alpha (`A`)<br>parent − Alpha
    (`A`)", no change at all; two parents added of one name read "parent + Cell, Cell"."""
    escaped = {name(p): md(name(p), 80) for p in parents}  # each name once
    groups: dict[str, list[str]] = {}
    for p in parents:  # by what a reader sees: "A" and "A" + a zero-width space are one name
        groups.setdefault(_seen(escaped[name(p)]), []).append(p["iri"])

    def shown(p: dict) -> str:
        text = isolated(escaped[name(p)])
        same = groups[_seen(escaped[name(p)])]
        if len(same) < 2:
            return text
        distinct = len({short(iri) for iri in same}) == len(same)
        return f"{text} ({md_iri(short(p['iri']) if distinct else p['iri'])})"
    return shown


def _md_pair(old: Any, new: Any, limit: int) -> tuple[str, str]:
    """Both sides of a changed value, as they differ. Why: `md` folds whitespace and caps at
    `limit`, so a definition edited past its 100th character, or a label given a second space or a
    zero-width space, read "A → A", a change that changed nothing; now the cut starts near the first
    difference, and a difference no reader can see says so."""
    shown = _md_value(old, limit), _md_value(new, limit)
    if old is None or new is None or _seen(shown[0]) != _seen(shown[1]):
        return shown
    a, b = (" ".join(str(v).split()) for v in (old, new))
    first = _first_difference(a, b)
    if first > 20:
        tail = _md_value("…" + a[first - 20:], limit), _md_value("…" + b[first - 20:], limit)
        if _seen(tail[0]) != _seen(tail[1]):
            return tail
    unseen = "whitespace" if a == b else "the Unicode encodings of letters" \
        if unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b) else "characters that do not show"
    return shown[0], f"{shown[1]} *(only {unseen} differ)*"


def _seen(text: str) -> str:
    """`text` as a reader sees it: without format characters (a zero-width space), in Unicode's
    composed form ("Cafe" + a combining acute reads as "Café")."""
    return unicodedata.normalize("NFC", "".join(ch for ch in text if not _draws_nothing(ch)))


def _md_value(value: Any, limit: int) -> str:
    """One side of a change in a cell: *none* when absent, *blank* when empty or only whitespace
    (which `md` makes nothing: `rdfs:label ""` given read "label: *none* → *none*"), else the
    inert text, isolated when right to left."""
    if value is None:
        return "*none*"
    return "*blank*" if blank(str(value)) else isolated(md(value, limit))


def blank(text: str) -> bool:
    """`text` shows nothing: only whitespace and format characters (a zero-width space, a BOM)."""
    return all(ch.isspace() or _draws_nothing(ch) for ch in text)


def _rows(data: dict) -> list[tuple[str, list[str]]]:
    """(heading, table lines) per section, in reading order."""
    out = []
    where = _shared(data)

    def iri(e: dict) -> str:
        return md_iri(e["iri"]) + (f" in ontology {md_iri(where(e))}" if where(e) else "")

    for section, what in (("classes", "Classes"), ("properties", "Properties")):
        for kind in ("added", "removed", "changed"):
            entries = data[section][kind]
            if not entries:
                continue
            head = f"#### {what} {kind} ({len(entries)})"
            if kind == "changed":
                lines = ["| name | IRI | change |", "| --- | --- | --- |"]
                lines += [f"| {md(name(e))} | {iri(e)} | {_md_changes(e['changes'])} |" for e in entries]
            else:
                lines = ["| name | IRI |", "| --- | --- |"]
                lines += [f"| {md(name(e))} | {iri(e)} |" for e in entries]
            out.append((head, lines))
    subjects = data["axioms"]["by_subject"]
    if subjects:
        lines = ["| subject | added | removed |", "| --- | ---: | ---: |"]
        lines += [f"| {cell} | {s['added']} | {s['removed']} |" for cell, s in zip(_subject_names(subjects), subjects,
                                                                                    strict=True)]
        out.append((f"#### Axioms by subject ({len(subjects)})", lines))
    return out


def _subject_names(subjects: list[dict]) -> list[str]:
    """The axioms-by-subject rows' name cells, each name escaped once; with its IRI when another
    subject has the same name (ex1:X and ex2:X, unlabelled: two rows "X" with different counts,
    which X was which). Names are compared as a reader sees them: "X" and "X" with a zero-width
    space are one."""
    names = [md(name(s)) for s in subjects]
    seen: dict[str, int] = {}
    for text in names:
        seen[_seen(text)] = seen.get(_seen(text), 0) + 1
    where = _ontology_if_shared(subjects)
    return [text + (f" ({md_iri(s['iri'])})" if seen[_seen(text)] > 1 else "")
            + (f" in ontology {md_iri(where(s))}" if where(s) else "") for text, s in zip(names, subjects, strict=True)]


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


MORE_RESERVE = 400  # room kept under a budget for the "…and N more rows" line


def row_count(data: dict) -> int:
    """The table rows a full rendering of `data` has (what `more` lines count)."""
    return sum(len(lines) - 2 for _heading, lines in _rows(data))


def _head(data: dict, title: str, note: str, runs: bool = False) -> list[str]:
    c, p, ax = data["classes"], data["properties"], data["axioms"]
    return [title, "", *_compared(data, runs),
            f"**{len(c['added'])}** classes added, **{len(c['removed'])}** removed, "
            f"**{len(c['changed'])}** changed · **{len(p['added'])}** properties added, "
            f"**{len(p['removed'])}** removed, **{len(p['changed'])}** changed · "
            f"axioms **+{ax['added']}** / **−{ax['removed']}**", "", *([note, ""] if note else [])]


def _compared(data: dict, runs: bool = False) -> list[str]:
    """`diff --base OTHER`'s two databases, as the text's first line names them: the markdown said
    nothing of which two were compared. Paths are user text, escaped as labels are. A run's diff
    names its runs when `runs` (the `diff` command's: `--since R --format markdown` named no run
    nor commit); the Action's comment and summary are titled by their caller, in commits."""
    base, head = data["base"], data["head"]
    if "database" not in base:
        return [f"Compared: {_sides(data, _md_side, '→')}", ""] if runs else []
    paths = (_md_path(str(side.get("database", ""))) for side in (base, head))
    return ["Compared: base {} → head {}".format(*paths), ""]


def _md_path(path: str) -> str:
    """A database path in the markdown's "base A → head B": inert text, or a code span when it holds an
    arrow. Why: a base `x → head y.db` read "base x → head y.db → head new.db", either cut a pair."""
    if "→" in path or "->" in path:
        return md_iri(path, in_table=False)
    return isolated(md(path, MAX_IRI))


def _fit(data: dict, out: list[str], budget: int | None, reserve: int, measure: Callable[[str], int]) -> int:
    """Append the tables to `out`, cut at a row to stay under `budget`; the rows left out."""
    size = sum(measure(line) + 1 for line in out)
    left_out = 0
    for heading, lines in _rows(data):
        if left_out:
            left_out += len(lines) - 2
            continue
        block = [heading, ""]
        block_size = measure(heading) + 2  # kept as rows are added: a sum per row was quadratic
        for i, line in enumerate(lines):
            if budget is not None and size + block_size + measure(line) + 1 > budget - reserve:
                left_out = len(lines) - max(i, 2)
                break
            block.append(line)
            block_size += measure(line) + 1
        if len(block) > 4 or not left_out:
            out += [*block, ""]
            size += block_size
    return left_out


def shown_rows(data: dict, budget: int, title: str = "### What changed", note: str = "",
               measure: Callable[[str], int] = len) -> int:
    """How many table rows `to_markdown` with these arguments (and no `more`) shows: what a
    pull-request comment can truthfully say the job summary holds."""
    if is_empty(data):
        return 0
    return row_count(data) - _fit(data, _head(data, title, note), budget, MORE_RESERVE, measure)


def to_markdown(data: dict, budget: int | None = None, more: Callable[[int], str] | None = None,
                title: str = "### What changed", note: str = "", measure: Callable[[str], int] = len,
                runs: bool = False) -> str:
    """Markdown for GitHub; with `budget`, cut (at a row) to fit and say what was left out. `note`
    (markdown, already escaped) goes under the counts: files whose edits the figures do not hold.
    `more`: given the rows left out, the markdown saying where they are (a comment's: the summary,
    the artifact), within MORE_RESERVE. `measure`: the size of a line as the budget counts it (a
    comment's limit is in characters, a job summary's in UTF-8 bytes: `utf8_size`). `runs`: name the
    runs compared (`_compared`)."""
    head = _head(data, title, note, runs)
    if is_empty(data):
        return "\n".join([*head, "No change from the files that synced." if note else "No change to the ontology.", ""])
    out = list(head)
    left_out = _fit(data, out, budget, MORE_RESERVE, measure)
    if left_out:
        out += [more(left_out) if more else f"…and {counted(left_out, 'more row')} not shown.", ""]
    return "\n".join(out)
