"""The index's words a search's word also stands for: the same word written another way, and, in the
scripts written without spaces, the words that hold it. Both databases ask it (store/search.py of
FTS5's vocabulary, store/pg/search.py of `class_search_words`'), so they find the same classes.

Why: the index's tokenizer (FTS5's `unicode61 remove_diacritics 2`, whose words PostgreSQL's index
holds too) folds case and Latin accents only, each character as written. So canonically equivalent
text was two words (`й` as one character is kept, `и` + combining breve loses the breve: the label
`йогурт` typed in either form was found only in that form), compatibility forms (the ligature
`ﬁ`, full-width `ｆｉｓｈ`) and `ß` (whose case fold is `ss`) matched nothing their reader reads in
them; and Chinese or Japanese, which put no space between words, are one word a run (`柴犬`, a shiba
dog), which `犬` (dog) did not find.

The index stays as it is (Datasette's `?_search=` reads it directly and keeps its answers); the
search looks its words up instead. A word's key is its Unicode compatibility decomposition (NFKD)
of its case fold, through the same tokenizer (which drops the marks NFKD splits off: every script's
accents fold as the Latin ones do). A word also matches each index word with the same key (the
last word, a prefix: whose key starts with it); a word in a script written without spaces (Han,
kana, Thai, Lao, Khmer, Myanmar) also matches each index word whose key holds it, as `runoak search
~犬` (a substring) does. Only index words with a character outside ASCII need looking at: an ASCII
word is its own key, and the word as typed (and its key) is searched as before.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable

from ontosync.store.pg.search_words import tokenized

# The scripts written without spaces between words (Unicode character names start so)
SPACELESS = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA", "THAI", "LAO",
             "KHMER", "MYANMAR")
Phrase = tuple[list[str], bool]  # a phrase's words, and whether its last is a prefix (query_phrases)


def spaceless(word: str) -> bool:
    """Does the word hold a character of a script written without spaces?"""
    return any(unicodedata.name(c, "").startswith(SPACELESS) for c in word)


def keys(words: list[str]) -> list[str]:
    """Each word's key: NFKD of its case fold, split and folded by the index's tokenizer (its words
    joined by a space; '' when it holds none)."""
    rows = [(i, unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", w).casefold()), None, None)
            for i, w in enumerate(words)]
    found = tokenized(rows)
    return [" ".join(found.get(i, {}).get("label", [])) for i in range(len(words))]


def groups(phrases: list[Phrase], vocabulary: Callable[[], Iterable[str]]) -> list[list[Phrase]]:
    """Each phrase of a search (store/pg/search_words.query_phrases) as the phrases any of which it
    matches: itself; a one-word phrase also its key, and the index words (`vocabulary()`: its words
    outside ASCII, read only when a phrase is one word) that match it and neither of those does."""
    singles = [words[0] for words, _prefix in phrases if len(words) == 1]
    if not singles:
        return [[p] for p in phrases]
    key_of = dict(zip(singles, keys(singles), strict=True))
    terms = sorted({t for t in vocabulary() if not t.isascii()})
    found = dict(zip(terms, keys(terms), strict=True))
    out = []
    for words, prefix in phrases:
        if len(words) > 1:
            out.append([(words, prefix)])
            continue
        key = key_of[words[0]]
        own = [words[0]] + ([key] if key and key != words[0] and key.isascii() and " " not in key else [])
        within = spaceless(key)
        out.append([([w], prefix) for w in own] + [
            ([t], False) for t, k in found.items()
            if _matches(k, key, prefix, within) and not _covered(t, own, prefix)])
    return out


def _matches(term_key: str, key: str, prefix: bool, within: bool) -> bool:
    """Does an index word's key match the searched word's (`within`: anywhere in it)?"""
    if not key:
        return False
    return term_key == key or (prefix and term_key.startswith(key)) or (within and key in term_key)


def _covered(term: str, own: list[str], prefix: bool) -> bool:
    """Is the index word matched by one of the phrases searched anyway (it is not listed twice)?"""
    return any(term == w or (prefix and term.startswith(w)) for w in own)
