"""`ontosync search` on PostgreSQL: the same question as store/search.py asks SQLite's FTS5 index,
asked of `class_search_words` (migrations/postgresql/002; store/pg/search_words.py writes it with
SQLite's own tokenizer, so a word is found on both databases alike), with the declaring line from
`class_source` (migrations/postgresql/003).

Every phrase must match (a word of the text, `foo_bar` two words in a row), the last word also as a
prefix (as the SQLite search does), and the hits come in the order SQLite gives them: the classes
whose label starts with the text's words first (the shortest label first), then FTS5's bm25
(k1 1.2, b 0.75) with the columns weighted 10, 5, 1 (label, synonyms, definition), computed here
from the same counts (each phrase's occurrences and their column, the row's and the table's sizes,
how many rows hold the phrase), then by CURIE.
"""

from __future__ import annotations

from typing import Any

from ontosync.store.pg.search_words import query_phrases, quoted
from ontosync.store.search import query_words, searched_words
from ontosync.store.search_terms import groups

# FTS5's bm25 (SQLite's fts5_aux.c): for each phrase, rarity * f * (k1 + 1) / (f + k1 * (1 - b + b *
# size / average size)), f the phrase's occurrences in the row, each counted by its column's weight.
# An occurrence (`starts`): a position of the phrase's first word (k 0) with each of its other words
# k places on. All of it set-wise over the hits' words, one pass over each hit's tsvector.
# No join by id of two sets derived from the hits: the planner estimates one row for a GROUP BY ...
# HAVING (a word most rows hold: 10,000 of them), and joined such sets by a nested loop, each hit
# reading every other's score (`search robot` at 50,000 synthetic pages 13 s). So the occurrences
# carry the row's size, a phrase's starts are grouped by their first word's position (not a join of
# the occurrences with themselves), and `ranked` gives each hit its score and `lead` in one aggregate,
# summed in phrase order as FTS5 sums (in the order the groups came, two tied rows could differ in
# the last binary digit, and the CURIE no longer broke their tie as on SQLite).
# `rarity` is MATERIALIZED: inlined in `scores`, PostgreSQL counted each phrase's rows (a GIN look-up)
# once per hit and phrase, not once per phrase (`adaptive agent` at 10,000 synthetic pages 650 -> 53 ms).
# Its count is fenced (OFFSET 0): pulled up into `idf`, which names it twice, it was counted twice.
# Each hit's vector is cut to the words asked for (`wanted`: the terms, and the index words a prefix
# term stands for, which ts_stat lists of the hits in the statement's own snapshot) before it is
# unnested: every word of every hit was unnested and compared with every term, a prefix by
# starts_with, which no hash join or index takes (`market governance` at 10,000 synthetic pages
# 0.24 -> 0.13 s, best of 5 beside main; a row holds some 44 words there, hundreds in a long definition).
# Not when a prefix term is shorter than CUT_FROM characters (`cut` false: `wanted` is empty, its
# words NULL, each hit unnested whole): `c` stands for most of the index's words and its hits are most
# rows, so ts_stat read every hit's words once more to cut next to nothing (10,000 rows of 44 words,
# 30,000 distinct: `c` 190 -> 680 ms with the cut; docs/benchmarks.md, round 11).
CUT_FROM = 3
_SEARCH = """WITH terms AS (
    SELECT * FROM unnest(?::integer[], ?::integer[], ?::text[], ?::boolean[]) AS t(phrase, k, word, prefix)
), totals AS (
    SELECT count(*)::float8 AS n, sum(size)::float8 / count(*) AS average FROM class_search_words
), rarity AS MATERIALIZED (
    SELECT p.phrase, greatest(ln((totals.n - h.hits + 0.5) / (h.hits + 0.5)), 1e-6) AS idf
      FROM unnest(?::text[], ?::float8[]) WITH ORDINALITY AS p(query, known, phrase), totals,
           LATERAL (SELECT coalesce(p.known, (SELECT count(*)::float8 FROM class_search_words w
                                               WHERE w.words @@ p.query::tsquery)) AS hits OFFSET 0) h
), hits AS (
    SELECT w.id, w.words, w.size FROM class_search_words w WHERE w.words @@ ?::tsquery
), wanted AS MATERIALIZED (
    SELECT array_agg(DISTINCT word) AS words FROM (
        SELECT word FROM terms WHERE ?::boolean
         UNION ALL
        SELECT s.word
          FROM ts_stat(format('SELECT words FROM class_search_words WHERE words @@ %L::tsquery', ?::text)) AS s
         WHERE ?::boolean AND EXISTS (SELECT 1 FROM terms t WHERE t.prefix AND starts_with(s.word, t.word))) AS m
), occurrences AS (
    SELECT h.id, h.size, t.phrase, t.k, o.pos, o.weight
      FROM hits h, wanted, terms t,  -- `wanted` only, or every word (wanted.words NULL: not cut)
           unnest(coalesce(ts_delete(h.words, tsvector_to_array(ts_delete(h.words, wanted.words))), h.words)) AS u,
           unnest(u.positions, u.weights) AS o(pos, weight)
     WHERE (u.lexeme = t.word OR (t.prefix AND starts_with(u.lexeme, t.word)))
       AND (t.phrase > 0 OR (o.pos = 2 + t.k AND o.weight = 'A'))  -- `lead`: only where a label starting with it has it
), starts AS (
    SELECT id, size, phrase, pos - k AS pos, array_agg(DISTINCT weight) FILTER (WHERE k = 0) AS weights
      FROM occurrences GROUP BY id, size, phrase, pos - k
    HAVING count(DISTINCT k) = (SELECT max(t.k) + 1 FROM terms t WHERE t.phrase = occurrences.phrase)
), phrases AS (
    SELECT id, size, phrase, sum(CASE weight WHEN 'A' THEN 10 WHEN 'B' THEN 5 ELSE 1 END)::float8 AS f,
           bool_or(phrase = 0 AND pos = 2 AND weight = 'A') AS lead
      FROM starts, unnest(weights) AS w(weight) GROUP BY id, size, phrase
), ranked AS (
    SELECT id, bool_or(lead) AS lead, sum(score ORDER BY phrase) AS score
      FROM (SELECT p.id, p.phrase, p.lead,
                   r.idf * p.f * 2.2 / (p.f + 1.2 * (0.25 + 0.75 * p.size / totals.average)) AS score
              FROM phrases p LEFT JOIN rarity r ON r.phrase = p.phrase, totals
            UNION ALL
            SELECT id, NULL, false, NULL FROM hits) AS parts
     GROUP BY id
)
SELECT c.label, c.curie, c.source_file, (SELECT s.source_line FROM class_source s WHERE s.curie = c.curie)
  FROM ranked r JOIN class_search c ON c.id = r.id
 ORDER BY NOT r.lead, CASE WHEN r.lead THEN length(c.label) END, coalesce(r.score, 0) DESC, c.curie
 LIMIT ?"""


def _query(words: list[str], prefix: bool) -> str:
    """A phrase as a tsquery (`'foo' <-> 'ba':*`)."""
    return " <-> ".join(quoted(w) for w in words) + (":*" if prefix else "")


def _terms(phrases: list[tuple[list[str], bool]], lead: list[str]) -> tuple[list, list, list, list]:
    """The phrases' words as columns (phrase number from 1, place in it, word, prefix), and phrase 0:
    `lead`, every word of the text in a row, the last a prefix, which a label starting with the text
    holds from its first word (position 2, weight A: tsvector_text), as store/search.lead_query asks FTS5."""
    rows = [(0, k, w, k == len(lead) - 1) for k, w in enumerate(lead)]
    rows += [(n, k, w, prefix and k == len(words) - 1)
             for n, (words, prefix) in enumerate(phrases, 1) for k, w in enumerate(words)]
    return tuple(list(col) for col in zip(*rows, strict=True))


# The index's words outside ASCII (store/search_terms.py looks a search's words up in them), each with
# the number of rows that hold it: a phrase of one such word, not a prefix, is not counted again.
# Read of the rows whose text has a character outside ASCII only, as every row holding such a word
# has: ts_stat of every row's words took 0.13 s a search at 50,000 synthetic pages, which have none.
# In UTF-8 such a row has more bytes than characters; in a single-byte encoding (LATIN1: `ß` is one
# byte) a character past U+007F is sought instead (twice the time).
_TEXT = "concat(c.label, c.synonyms, c.definition)"
_VOCABULARY = ("SELECT word, ndoc FROM ts_stat('SELECT w.words FROM class_search_words w JOIN class_search c "
               f"ON c.id = w.id WHERE CASE WHEN current_setting(''server_encoding'') = ''UTF8'' "
               f"THEN octet_length({_TEXT}) <> length({_TEXT}) ELSE {_TEXT} ~ ''[^\\x01-\\x7f]'' END') "
               "WHERE word ~ '[^ -~]'")


def _all_of(parts: list[str]) -> str:
    """`parts` and-ed as a balanced tree (`(a & b) & (c & d)`): PostgreSQL evaluates a tsquery
    recursively, and `a & b & c ...` nests one level a word, so a text of some 18,700 words (a
    128 kB argument holds more) failed with "stack depth limit exceeded" where SQLite answered."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return f"({_all_of(parts[:half])} & {_all_of(parts[half:])})"


def statement(conn: Any, text: str, limit: int = 50) -> tuple[str, tuple] | None:
    """_SEARCH and its parameters for `text` (None: no word to search), apart from `search` so the
    tests can EXPLAIN the statement a search runs, not one they rebuilt. Every group of phrases
    (store/search_terms.groups: a word of the text and the index words it stands for) must match,
    any of its phrases; each phrase counts in bm25."""
    words = query_words(text)
    rows_holding: dict[str, float] = {}

    def vocabulary() -> list[str]:
        rows_holding.update((w, float(n)) for w, n in conn.execute(_VOCABULARY))
        return list(rows_holding)

    found = groups(query_phrases(searched_words(words)), vocabulary)
    if not found:
        return None
    phrases = [phrase for group in found for phrase in group]
    lead = [w for phrase, _prefix in query_phrases(words) for w in phrase]
    queries = [_query(phrase, prefix) for phrase, prefix in phrases]
    known = [None if prefix or len(p) > 1 else rows_holding.get(p[0]) for p, prefix in phrases]
    every = _all_of(["(" + " | ".join(_query(p, prefix) for p, prefix in group) + ")" for group in found])
    terms = _terms(phrases, lead)
    cut = all(len(word) >= CUT_FROM for word, prefix in zip(terms[2], terms[3], strict=True) if prefix)
    return _SEARCH, (*terms, queries, known, every, cut, every, cut, limit)


def search(conn: Any, text: str, limit: int = 50) -> list[dict]:
    """As store/search.search, of class_search_words (`statement`)."""
    asked = statement(conn, text, limit)
    if asked is None:
        return []
    return [{"label": label, "curie": curie, "source_file": source, "source_line": line}
            for label, curie, source, line in conn.execute(*asked).fetchall()]
