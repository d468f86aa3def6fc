"""Text cut to a number of characters between two characters as a reader sees them, never inside
one (an emoji's sequence, a flag, a letter and its accent) nor inside an escape that shows one;
and escaped markdown kept from showing an emoji for a shortcode (`no_emoji`). Its own module:
`diff`'s markdown, the job summary's cells and their escapes all cut and neutralise so.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

ZWJ = "\u200d"
# a colon that may open a `:name:` shortcode, in escaped markdown (`\:white\_check\_mark\:`, `\:\+1\:`)
_SHORTCODE = re.compile(r"(\\?:)(?=((?:\\?[0-9a-z_+\-])+)\\?:)")


def no_emoji(escaped: str) -> str:
    """Escaped markdown (user text) with a zero-width joiner after the colon that opens one of
    GitHub's emoji shortcodes. Why: GitHub shows `:warning:` or `:+1:` as the emoji in the rendered
    text, where the escapes are gone (a backslash does not stop it), so a label `:x:` changed to
    `:white_check_mark:` read "❌ → ✅". Only GitHub's emoji names (emoji_names.txt): a joiner after
    every `:word:` colon went into CURIEs and times (`obo:GO:0008150`, `10:30:00`), and a copied one
    carried it."""
    def joined(m: re.Match) -> str:
        return m.group(1) + ZWJ if m.group(2).replace("\\", "") in _emoji_names() else m.group(1)
    return _SHORTCODE.sub(joined, escaped) if ":" in escaped else escaped


@functools.cache
def _emoji_names() -> frozenset[str]:
    text = (Path(__file__).parent / "emoji_names.txt").read_text(encoding="utf-8")
    return frozenset(word for line in text.splitlines() if not line.startswith("#") for word in line.split())


def cut(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, "…" ending it when cut. The cut falls between two
    characters as a reader sees them (grapheme clusters), not inside one: cut inside an emoji ZWJ
    sequence (a family: man ZWJ woman ZWJ girl ZWJ boy) the rest shows as another emoji, between a
    flag's two regional indicators as a stray letter, between a letter and its accent as the bare
    letter, inside a Devanagari conjunct (क्ष) as a half letter."""
    if len(text) <= limit:
        return text
    return _cut_at(text, max(limit - 1, 0))


def cut_shown(text: str, limit: int, show: Callable[[str], list[str]]) -> str:
    """`text` as `show` shows it (one piece per character: the character or its escape), in at
    most `limit` characters, cut as `cut` cuts and between two pieces. Why not `cut` of the shown
    text: it cut inside an escape, `\\u20…` or a lone backslash, read as another character. Only
    the first `limit` + 1 characters are shown (a piece is one character or more): a message of
    megabytes costs what its cut does."""
    head = text[:limit + 1]
    pieces = show(head)
    if len(text) <= limit and sum(map(len, pieces)) <= limit:
        return "".join(pieces)
    end, room = 0, limit - 1
    while end < len(pieces) and len(pieces[end]) <= room:
        room -= len(pieces[end])
        end += 1
    return "".join(pieces[:len(_cut_at(head, end)) - 1]) + "…"


def _cut_at(text: str, end: int) -> str:
    """`text` cut at `end` or before, between two characters as a reader sees them, "…" ending it."""
    while end > 0 and (_joins_previous(text[end]) or text[end - 1] == ZWJ or unicodedata.combining(text[end - 1]) == 9):
        end -= 1  # (combining class 9: a virama, which joins two consonants into one conjunct)
    pairs = len(text[:end]) - len(text[:end].rstrip(_REGIONAL))
    if pairs % 2 and text[end:end + 1] in _REGIONAL_SET:  # a flag's first half: drop it
        end -= 1
    return text[:end] + "…"


_REGIONAL = "".join(chr(c) for c in range(0x1F1E6, 0x1F200))  # regional indicators: two make a flag
_REGIONAL_SET = set(_REGIONAL)


def _joins_previous(ch: str) -> bool:
    """`ch` belongs to the character before it: a combining mark, ZWJ, a variation selector, an
    emoji skin tone, a tag (subdivision flags)."""
    code = ord(ch)
    return bool(unicodedata.combining(ch)) or unicodedata.category(ch) in ("Mn", "Mc", "Me") or ch == ZWJ \
        or 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F \
        or 0xE0100 <= code <= 0xE01EF
