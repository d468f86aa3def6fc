"""Full-text search over classes: `class_search` (one row per class) and its FTS5 index.

Rows are rebuilt at the end of a run for the classes whose statements changed: the label and the
file that declares the class as `owl_classes` holds them (the store's choice among the files that
declare it: what `search` shows beside the label is the class's own file, and the label is that
file's), and from `statements` the synonyms (every synonym predicate, `skos:altLabel` and
IAO:0000118 included, and the class's other labels; by predicate then value: not in the order
files were saved, which differs between incremental and fresh syncs) and the definition (the
chosen file's, else the best of any file's: IAO:0000115, else skos:definition, by language then
the smallest). A subject owl_classes does not hold keeps the statements' label (by language as the
parsers rank it, then the smallest) and file (the one giving its label first, then the smallest
path). Every save of a file touches all its subjects, so a save that moves a class's chosen file
rebuilds its row here. The FTS5 table uses `class_search` as external content, which is how
Datasette finds it for `?_search=`.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable

from ontosync.store.dialect import is_postgresql
from ontosync.store.pg.search_words import memory_index, query_phrases
from ontosync.store.search_terms import groups

# OAK's synonym predicates (oaklib's SYNONYM_PREDICATES): IAO:0000118, "alternative label", is how
# OBI and many OBO ontologies give theirs; `runoak search` found a class by it, `ontosync search` did not.
SYNONYMS = ("oio:hasExactSynonym", "oio:hasRelatedSynonym", "oio:hasBroadSynonym", "oio:hasNarrowSynonym",
            "skos:altLabel", "IAO:0000118")
# The label the parsers pick (parsing/rdf_vocab.best_text): no language tag, then `en`, `en-*`, any other.
_LABEL_RANK = ("CASE WHEN coalesce(language, '') = '' THEN 0 WHEN lower(language) = 'en' THEN 1 "
               "WHEN substr(lower(language), 1, 3) = 'en-' THEN 2 ELSE 3 END")


def _best(predicate: str) -> str:
    """The subquery of a class's `predicate` value as the parsers pick it (best_text)."""
    return (f"(SELECT value FROM statements WHERE subject = :c AND predicate = '{predicate}' ORDER BY {_LABEL_RANK}, "
            "value LIMIT 1)")


_BEST_LABEL = _best("rdfs:label")
# The definition: IAO:0000115, else skos:definition (the parsers' definition predicates, in their
# order), each picked by the same language rule as the label, as owl_classes.comment is.
_DEFINITION = f"COALESCE({_best('IAO:0000115')}, {_best('skos:definition')})"
# The types that make a named subject a class: what parsing/rdf.py counts as one (owl_classes rows);
# RDFS vocabularies (schema.org, FOAF, Dublin Core) declare theirs rdfs:Class only.
_CLASS_TYPES = "('owl:Class', 'rdfs:Class')"
# The class's IRI as owl_classes keys it: the CURIE expanded through `prefix`, or the subject itself
# (an IRI no prefix shortens), as the class_source view (migration 007) finds it.
_IRIS = ("(:c, (SELECT p.base || substr(:c, length(p.prefix) + 2) FROM prefix p "
         "WHERE p.prefix = substr(:c, 1, instr(:c, ':') - 1)))")


def _chosen(column: str) -> str:
    """owl_classes' `column` (an expression on its row `o`) of the class: the label and file the
    store chose among the files that declare it (store/repository.py _recompute_classes: the page
    named for the class, then not a legacy row, then one with a label, then the smallest path; the
    same order across ontology ids). Why not the statements' own: they hold every file's label,
    and the smallest of them, or the smallest path with one, is another file's where a page only
    declares the class in a fence (issue h36: `mv:PathPlanning`, `bc:Minting` in the corpus)."""
    return ("(SELECT " + column + " FROM owl_classes o WHERE o.ontology_id IN (SELECT ontology_id FROM ontologies) "
            f"AND o.class_iri IN {_IRIS} AND o.source_file IS NOT NULL ORDER BY NOT EXISTS ("
            "SELECT 1 FROM page_names pn WHERE pn.path = o.source_file AND pn.class_iri = o.class_iri), "
            "o.source_file GLOB 'legacy:*', o.label IS NULL, o.source_file LIMIT 1)")


# The definition shown beside them: the chosen file's (IAO:0000115, else skos:definition), else
# another file's as _DEFINITION picks it; not another file's beside the chosen file's label. Sought
# by the class (statements_spo): for one class (_ROW), SQLite took `source_file = (...)` for the
# better index and read every statement of the chosen file (PATO: 2.3 ms a class, an incremental
# refresh of 200 of its classes 2.0 -> 0.2 s; tests/test_search_row_cost.py).
_CHOSEN_DEFINITION = (
    "COALESCE((SELECT value FROM statements INDEXED BY statements_spo WHERE subject = :c "
    "AND predicate IN ('IAO:0000115', 'skos:definition') "
    f"AND source_file = {_chosen('o.source_file')} ORDER BY predicate <> 'IAO:0000115', {_LABEL_RANK}, value "
    f"LIMIT 1), {_DEFINITION})")
# owl_classes' label; the statements' best where owl_classes has no row for the subject (none known).
# One look-up of the chosen row, not two: its NULL label is '' until the row is known to exist.
_LABEL = "NULLIF(COALESCE(" + _chosen("coalesce(o.label, '')") + f", {_BEST_LABEL}), '')"
# The synonyms column also holds the class's other labels (another language's, another file's): they
# name the class as much as a synonym does, and OAK lists them; the label shown is not repeated.
_COLUMNS = f"""
       {_LABEL},
       (SELECT group_concat(value, ' | ') FROM (SELECT predicate, value FROM statements INDEXED BY statements_spo
            WHERE subject = :c AND predicate IN ({", ".join(f"'{p}'" for p in SYNONYMS)}, 'rdfs:label')
            AND (predicate <> 'rdfs:label' OR value <> COALESCE({_LABEL}, ''))
            ORDER BY predicate, value) AS syn),
       {_CHOSEN_DEFINITION},
       COALESCE({_chosen('o.source_file')},
                (SELECT min(t.source_file) FROM statements t WHERE t.subject = :c AND t.predicate = 'rdf:type'
                     AND t.object IN {_CLASS_TYPES} AND EXISTS (
                         SELECT 1 FROM statements l WHERE l.subject = :c AND l.predicate = 'rdfs:label'
                         AND +l.source_file = t.source_file)),
                (SELECT min(source_file) FROM statements WHERE subject = :c AND predicate = 'rdf:type'
                     AND object IN {_CLASS_TYPES}))
"""
_ROW = "SELECT " + _COLUMNS
_SOURCE = _COLUMNS.rindex("COALESCE((SELECT o.")  # the last column: the declaring file
# Every class at once (a full sync): one statement instead of a round trip per class. Every key is
# the subject of an `rdf:type` owl:Class / rdfs:Class row, so its source (the last column) is never
# NULL; a filter on it made SQLite evaluate the source's subqueries twice per class (a third of the statement).
_INSERT = "INSERT INTO class_search (curie, label, synonyms, definition, source_file) "
_KEYS = (" FROM (SELECT DISTINCT subject AS id FROM statements WHERE predicate = 'rdf:type' "
         f"AND object IN {_CLASS_TYPES} AND substr(subject, 1, 2) <> '_:') k ORDER BY 1")


def _each_once(columns: str, shared: dict[str, str], keys: str = _KEYS.replace(" k ORDER BY 1", " keys")) -> str:
    """Every class's row from `columns`, each `shared` expression (-> its name) computed once per
    class in a MATERIALIZED CTE and read from there by the columns. Why: written inline, SQLite
    evaluates a correlated subquery at every use, and the synonyms' filter on the label at every
    synonym row (the corpus's full rebuild looked owl_classes' chosen row up four times a class:
    40.7 -> 26.2 ms of CPU). PATO's one-file form gains nothing from it (25.4 / 25.5 ms): kept inline."""
    once = ", ".join(f"{expr.replace(':c', 'id')} AS {name}" for expr, name in shared.items())
    for expr, name in shared.items():
        columns = columns.replace(expr, f"k.{name}")
    return (f"WITH k AS MATERIALIZED (SELECT id, {once}" + keys
            + ") SELECT k.id, " + columns.replace(":c", "k.id") + " FROM k ORDER BY 1")


_CHOSEN_FILE = _chosen("o.source_file")
_ALL_ROWS = _each_once(_COLUMNS, {_LABEL: "label", _CHOSEN_FILE: "chosen_file"})
_ALL = _INSERT + _ALL_ROWS
# The rows of the classes an incremental run touched (SQLite): the same columns, the keys a JSON
# array. One statement, not one a class: each execution of _ROW opened and freed 17 temporary
# b-trees (its ORDER BY ... LIMIT 1 look-ups), which one statement opens once; 200 PATO classes
# 83-91 -> 9-11 ms of CPU. PostgreSQL keeps _ROW, a class at a time.
_SOME_ROWS = _each_once(_COLUMNS, {_LABEL: "label", _CHOSEN_FILE: "chosen_file"},
                        " FROM (SELECT DISTINCT value AS id FROM json_each(:keys)) keys")
# The same rows when every statement comes from one file (a database synced from one ontology file,
# such as pato-base.owl): each class's declaring file is that file, bound once, and the two
# look-ups a class that choose among files are not made (PATO: 30 -> 22 ms of CPU). The file is
# the smallest and the largest `source_file`, two seeks in `statements_source_file`. The label is
# the statements' best, not owl_classes' (36 -> 25 ms for PATO): the file's labels are all there
# are, and its owl_classes label is picked among them by the same rule (parsing/rdf_vocab.best_text);
# the definition likewise is that file's.
_ONE_SOURCE_COLUMNS = _COLUMNS[:_SOURCE].replace(_LABEL, _BEST_LABEL).replace(_CHOSEN_DEFINITION, _DEFINITION)
_ALL_ROWS_ONE_SOURCE = "SELECT k.id, " + _ONE_SOURCE_COLUMNS.replace(":c", "k.id") + ":file" + _KEYS
_ONE_SOURCE = ("SELECT (SELECT min(source_file) FROM statements), (SELECT max(source_file) FROM statements)")
BULK = 500  # more touched classes than this: rebuild the table and the index in bulk


def all_rows_query(conn: sqlite3.Connection) -> tuple[str, dict[str, str]]:
    """The SELECT of every class's row (curie, label, synonyms, definition, source_file), in curie
    order, and its parameters."""
    first, last = conn.execute(_ONE_SOURCE).fetchone()
    if first is not None and first == last:
        return _ALL_ROWS_ONE_SOURCE, {"file": first}
    return _ALL_ROWS, {}


def refresh_search(conn: sqlite3.Connection, subjects: set[str] | None) -> None:
    """Replace the rows of `subjects`, or every row when None (caller holds the transaction)."""
    _refresh_rows(conn, subjects)
    if is_postgresql(conn):  # its index: words SQLite's tokenizer folds
        from ontosync.store.pg.search_words import write_words

        write_words(conn)


def _refresh_rows(conn: sqlite3.Connection, subjects: set[str] | None) -> None:
    if subjects is None or len(subjects) > BULK:
        conn.execute("DELETE FROM class_search")
        sql, params = all_rows_query(conn)
        if params:
            conn.execute(_INSERT + sql, params)
        else:
            conn.execute(_INSERT + sql)
        conn.execute("INSERT INTO class_search_fts (class_search_fts) VALUES ('rebuild')")
        return
    curies = sorted(s for s in subjects if not s.startswith("_:"))
    rows = _rows_of(conn, curies)  # before any row is replaced: they read no class_search row
    for curie in curies:
        old = conn.execute("SELECT id, label, synonyms, definition FROM class_search WHERE curie = ?",
                           (curie,)).fetchone()
        if old is not None:
            conn.execute("INSERT INTO class_search_fts (class_search_fts, rowid, label, synonyms, definition) "
                         "VALUES ('delete', ?, ?, ?, ?)", old)
            conn.execute("DELETE FROM class_search WHERE id = ?", (old[0],))
        label, synonyms, definition, source = rows[curie]
        if source is None:
            continue  # no longer a class
        cur = conn.execute("INSERT INTO class_search (curie, label, synonyms, definition, source_file) "
                           "VALUES (?, ?, ?, ?, ?)", (curie, label, synonyms, definition, source))
        conn.execute("INSERT INTO class_search_fts (rowid, label, synonyms, definition) VALUES (?, ?, ?, ?)",
                     (cur.lastrowid, label, synonyms, definition))


def _rows_of(conn: sqlite3.Connection, curies: list[str]) -> dict[str, tuple]:
    """curie -> (label, synonyms, definition, source_file) of each of `curies` (source None: no class)."""
    if is_postgresql(conn):
        return {c: tuple(conn.execute(_ROW, {"c": c}).fetchone()) for c in curies}
    return {r[0]: r[1:] for r in conn.execute(_SOME_ROWS, {"keys": json.dumps(curies)})}


def query_words(text: str) -> list[str]:
    """The words of a search's text: runs of letters, digits, `_` and combining marks. Why the
    marks: FTS5's tokenizer folds an accent written as its own character (`e` + U+0301, as macOS
    file names and text copied from them hold it) into the letter before it, so `e\u0301te\u0301`
    is one word to the index; cut at each mark (`\\w` holds none), it was "e" and "te", and a label's
    own text found nothing. A word of marks only is no phrase to FTS5, which drops it."""
    kept = (c if c.isalnum() or c == "_" or unicodedata.category(c)[0] == "M" else " " for c in text)
    return "".join(kept).split()


def searched_words(words: list[str]) -> list[str]:
    """The words a search asks for: each word before the last once (it must be there, however often
    typed), then the last (a prefix). Why: FTS5 scores every phrase of the query in every hit, so
    `a a a ...` (10,000 characters) took 26 s on the 1,753-class corpus, for the answer of `a a`."""
    return [*dict.fromkeys(words[:-1]), *words[-1:]]


def fts_query(text: str, vocabulary: Callable[[], Iterable[str]] = tuple) -> str:
    """User text -> an FTS5 query that cannot be a syntax error: each word a quoted phrase, the last a
    prefix, each one word also any of the index words (`vocabulary()`, those outside ASCII) it stands
    for (store/search_terms.py): `"strasse"* OR "straße"`, `"犬"* OR "柴犬"`."""

    phrases = query_phrases(searched_words(query_words(text)))
    return " AND ".join(_any_of(group) for group in groups(phrases, vocabulary))


def _any_of(group: list[tuple[list[str], bool]]) -> str:
    phrases = ['"' + " ".join(words) + '"' + ("*" if prefix else "") for words, prefix in group]
    return phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"


# The rows whose text has a character outside ASCII (more bytes than characters: `length` of text
# counts characters, up to a NUL, of a blob bytes): only they hold an index word outside ASCII.
_NON_ASCII_ROWS = ("SELECT id, label, synonyms, definition FROM class_search WHERE "
                   + " OR ".join(f"length(CAST({c} AS BLOB)) <> length({c})"
                                 for c in ("label", "synonyms", "definition"))
                   + " LIMIT :most")
# Tokenizing a row here costs about ten times what reading FTS5's vocabulary costs a row of the index
# (2,000 synthetic rows 45 ms; the corpus's 1,753 2.5 ms): past a tenth of the rows (and 50) outside
# ASCII, the vocabulary is read instead.
SHARE, FLOOR = 10, 50


def vocabulary(conn: sqlite3.Connection) -> list[str]:
    """The index's words with a character outside ASCII: the words of the rows whose text has one,
    split by the index's tokenizer here. Why not FTS5's vocabulary of the index every time: it reads
    every word's every row (64 ms a search at 50,000 synthetic pages, which have none; 33 ms so), when
    the rows outside ASCII are none or few (the corpus: 20 of 1,753)."""
    most = max(conn.execute("SELECT count(*) FROM class_search").fetchone()[0] // SHARE, FLOOR)
    rows = conn.execute(_NON_ASCII_ROWS, {"most": most + 1}).fetchall()
    if len(rows) > most:
        return _outside_ascii(conn)
    db = memory_index(rows, "class_search_fts")  # those rows indexed alone, as the index holds them
    try:
        return _outside_ascii(db)
    finally:
        db.close()


def _outside_ascii(conn: sqlite3.Connection) -> list[str]:
    """The words outside ASCII of the connection's index (a temporary fts5vocab table, which a
    read-only connection may create)."""
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.class_search_terms "
                 "USING fts5vocab(main, class_search_fts, row)")
    return [t for (t,) in conn.execute("SELECT term FROM temp.class_search_terms WHERE term GLOB '*[^ -~]*'")]


def lead_query(text: str) -> str:
    """The FTS5 query of the classes whose label starts with the text's words, in order, the last a
    prefix (`robot arm` finds "Robot arm", "Robot armature"; not "Industrial robot arm")."""
    return '{label} : ^ "' + " ".join(query_words(text)) + '"*'


# Best first: the classes whose label starts with what was typed (the shortest label first: the class
# named exactly so, then its kin), then the others by bm25 (label weighted most). Why not bm25 alone:
# it counts occurrences and penalises a long row, so `search robot` listed "Welding robot cell",
# a synonym-only "Manipulator" and "Industrial Robot" (a robot in its definition too) above the
# class labelled "Robot", whose definition is long.
_SEARCH = """WITH lead(id) AS (SELECT rowid FROM class_search_fts WHERE class_search_fts MATCH :lead)
SELECT c.label, c.curie, c.source_file, (SELECT s.source_line FROM class_source s WHERE s.curie = c.curie)
  FROM class_search_fts f JOIN class_search c ON c.id = f.rowid
 WHERE class_search_fts MATCH :query
 ORDER BY c.id NOT IN lead, CASE WHEN c.id IN lead THEN length(c.label) END,
          bm25(class_search_fts, 10.0, 5.0, 1.0), c.curie
 LIMIT :limit"""


def search(conn: sqlite3.Connection, text: str, limit: int = 50) -> list[dict]:
    """Classes whose label, synonym or definition match, best first (_SEARCH), with the file and
    line that declare each (`class_source`, migration 007; the line may be None)."""
    query = fts_query(text, lambda: vocabulary(conn))
    if not query:
        return []
    rows = conn.execute(_SEARCH, {"lead": lead_query(text), "query": query, "limit": limit}).fetchall()
    return [{"label": label, "curie": curie, "source_file": source, "source_line": line}
            for label, curie, source, line in rows]


# Set while a run's files are saved and cleared when its end brings the layer up to date
# (store/semsql.py STALE, store/semsql_deferred.py PENDING_KEY): set, the index lags the tables.
_BEHIND = "SELECT 1 FROM sync_meta WHERE key IN ('readers_stale', 'readers_pending') AND value = '1' LIMIT 1"


def index_behind(conn) -> bool:
    """Is the search index behind the tables (a sync stopped before its end, or one is running)?
    Why: a first sync builds the index only at its end, so a search then finds nothing while
    `status` counts the classes; the user should be told rather than left to trust the empty answer."""
    return conn.execute(_BEHIND).fetchone() is not None
