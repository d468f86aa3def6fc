"""The words `ontosync search` matches on PostgreSQL, split and folded by SQLite's own tokenizer.

Why SQLite's tokenizer: the contract (CONTRACT.md sections 6 and 8) asks PostgreSQL for SQLite's
answers, and SQLite's answer comes from FTS5's `unicode61 remove_diacritics 2` (migrations/
005_semantic_sql.sql): letters and digits make words, everything else separates them (`example.com`
is two words, an emoji none), case and diacritics folded (`Café`, `CAFE`, `cafe` alike). PostgreSQL's
parser keeps `example.com` or `7.4` whole, folds case by the server's locale (only ASCII under C)
and needs the `unaccent` extension, which a managed server may not offer. Running the very tokenizer
SQLite runs (an in-memory FTS5 table and its `fts5vocab` instances: Python's sqlite3 always has
FTS5 here, ontosync's SQLite store needs it) gives the same words by construction, with no second
implementation of Unicode's tables to drift from it.

The words of each `class_search` row are kept in `class_search_words` (migrations/postgresql/002)
as a tsvector (every occurrence's position, weighted by column: label A, synonyms B, definition C;
indexed by GIN) with their count, what FTS5's bm25 ranking reads (store/pg/search.py); ontosync
writes them after each refresh of `class_search` (store/search.py), for the rows that have none:
a row replaced by a refresh gets a new id, and its old words go with it (ON DELETE CASCADE).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

TOKENIZER = "unicode61 remove_diacritics 2"  # as class_search_fts's (migrations/005_semantic_sql.sql)
WEIGHTS = {"label": "A", "synonyms": "B", "definition": "C"}
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position (it keeps 256 a word): beyond, counts drift
MAX_WORD_BYTES = 2046  # PostgreSQL refuses a longer lexeme; nobody types such a word to find it
# PostgreSQL refuses a tsvector over 1 MB: a row's words past this estimate (a word's bytes and 8 for
# its entry, 2 a position) are left out rather than failing the run's end
MAX_TSVECTOR_BYTES = 900_000

_MISSING = ("SELECT c.id, c.label, c.synonyms, c.definition FROM class_search c "
            "WHERE NOT EXISTS (SELECT 1 FROM class_search_words w WHERE w.id = c.id) ORDER BY c.id LIMIT ?")
BATCH = 2000
_WRITE = ("INSERT INTO class_search_words (id, words, size) "
          "SELECT i, w::tsvector, n FROM unnest(?::bigint[], ?::text[], ?::integer[]) AS u(i, w, n)")


def memory_index(rows: Iterable[Sequence[Any]], name: str) -> sqlite3.Connection:
    """An in-memory FTS5 table `name` of rows (id, label, synonyms, definition), with the index's own
    tokenizer: the words it holds are the words the database's index would hold (the caller closes it)."""
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE {name} USING fts5(label, synonyms, definition, tokenize='{TOKENIZER}')")
    db.executemany(f"INSERT INTO {name} (rowid, label, synonyms, definition) VALUES (?, ?, ?, ?)", rows)
    return db


def tokenized(rows: Iterable[Sequence[Any]]) -> dict[int, dict[str, list[str]]]:
    """Rows of (id, label, synonyms, definition) -> id -> column -> the column's words in the text's
    order, as SQLite's FTS5 tokenizer gives them (an in-memory table and its `fts5vocab` instances)."""
    db = memory_index(rows, "t")
    try:
        db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
        out: dict[int, dict[str, list[str]]] = {}
        for term, doc, col in db.execute("SELECT term, doc, col FROM v ORDER BY doc, col, offset"):
            out.setdefault(doc, {}).setdefault(col, []).append(term)
        return out
    finally:
        db.close()


def query_phrases(words: list[str]) -> list[tuple[list[str], bool]]:
    """The phrases of a search's `words` (store/search.query_words), as store/search.fts_query hands
    them to FTS5: each word split and folded by the tokenizer (`foo_bar` is the phrase `foo bar`),
    a word that holds none left out (as FTS5 drops an empty phrase), in order; each with whether its
    last word is a prefix (the last word's phrase only)."""
    found = tokenized([(i, w, None, None) for i, w in enumerate(words)])
    last = len(words) - 1
    phrases = [([w for w in found[i]["label"] if _fits(w)], i == last) for i in range(len(words)) if i in found]
    return [(words_, prefix) for words_, prefix in phrases if words_]


def quoted(word: str) -> str:
    """A word as a tsvector or tsquery literal lexeme (the tokenizer's words hold no quote, but
    nothing here relies on it)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _fits(word: str) -> bool:
    return len(word.encode("utf-8")) <= MAX_WORD_BYTES


def tsvector_text(columns: dict[str, list[str]]) -> str:
    """One row's words as a tsvector literal: each word with the position of every occurrence (one
    count across the columns, so the occurrences and phrases can be counted as FTS5's bm25 counts
    them) and its column's weight (`'cafe':2A,5B`)."""
    positions: dict[str, list[str]] = {}
    at = budget = 0
    for col, weight in WEIGHTS.items():
        at += 1  # a gap between columns: a phrase never spans two (FTS5's never does)
        for word in columns.get(col, ()):
            at += 1
            if not _fits(word):  # (counted in the row's size all the same, as FTS5 counts it)
                continue
            budget += 2 if word in positions else len(word.encode("utf-8")) + 10
            if budget > MAX_TSVECTOR_BYTES:
                break
            positions.setdefault(word, []).append(f"{min(at, MAX_POSITION)}{weight}")
    return " ".join(quoted(w) + ":" + ",".join(ps) for w, ps in positions.items())


def size(columns: dict[str, list[str]]) -> int:
    """The row's words, every occurrence counted (FTS5's column sizes, summed)."""
    return sum(len(words) for words in columns.values())


def write_words(conn: Any) -> int:
    """Give every class_search row without words its words (caller holds the transaction), BATCH
    rows at a time (a first sync's every class: memory stays bounded); how many."""
    done = 0
    while rows := conn.execute(_MISSING, (BATCH,)).fetchall():
        found = tokenized(rows)
        ids = [r[0] for r in rows]
        columns = [found.get(i, {}) for i in ids]
        conn.execute(_WRITE, (ids, [tsvector_text(c) for c in columns], [size(c) for c in columns]))
        done += len(ids)
    return done
