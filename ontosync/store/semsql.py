"""The readers' layer, per file: each file's semantic-sql `statements`, replaced in its transaction.

RDF files bring their own rows (every triple, see parsing/rdf_statements.py). Logseq pages and
functional-syntax files get rows derived from what the store keeps for them, *after* page links are
resolved: class, label, definition (IAO:0000115), synonyms, parents (`rdfs:subClassOf`), and each
relationship key (`has-part::`, `requires::`, ...) as `rdfs:subClassOf` an `owl:someValuesFrom`
restriction on the key's property. Because links are re-pointed when the page they name appears or
goes, the link rows of every page whose links moved are derived again in the same transaction (and
written only where they differ).

Blank nodes are unique per file (`_:<file token>_r1` here, `_b1` for RDF files), the token a hash
of the path, so the rows are a function of the source tree. What a run touched is remembered (`touched`), so the end of
the run (store/closure.py) updates `entailed_edge`, `prefix` and the search index once.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from operator import itemgetter

from ontosync.parsing.curies import CurieMap
from ontosync.parsing.facts import FileFacts
from ontosync.parsing.rdf_statements import blank_token
from ontosync.store import (
    bulk_statements,
    referenced_labels,
    semsql_deferred,
    semsql_ofn,
    semsql_rows,
    xref_prefixes,
)
from ontosync.store.null_binding import fast_nulls

# Part of the parse-settings fingerprint: a database whose statements were made by another version
# of this layer (or before it existed) is reparsed in full once.
LAYER_VERSION = "semsql-3"  # 2: referenced-only labels (store/referenced_labels.py), xref prefixes
# 3: class_search's synonyms hold IAO:0000118 (store/search.py SYNONYMS): each class's row rebuilt
RELATION_BASE = "urn:ontosync:relation:"
RELATION_PREFIX = "rel"
PAGE_PREFIX = "page"
# Set with every file's rows, cleared when the run-level tables are brought up to date: a run that
# stopped half-way leaves it set, and the next run finishes the job.
STALE = ("INSERT INTO sync_meta (key, value) VALUES ('readers_stale', '1') "
         "ON CONFLICT (key) DO UPDATE SET value = '1'")
# The rows of a derived file that depend on where its links point (see _link_rows).
LINK_ROWS = (" AND (predicate = 'rdfs:subClassOf' OR substr(subject, 1, 2) = '_:' OR predicate IN ("
             + ", ".join(f"'{p}'" for p in semsql_ofn.LINKED_PREDICATES) + "))")  # and mappings to page links
_RELATION = "json_extract(annotations, '$.relation')"
RELATION_LINKS = (f"SELECT DISTINCT ontology_id, subject, {_RELATION} AS k, object FROM owl_axioms "
                  f"WHERE source_file = ? AND axiom_type = 'Relationship' AND object IS NOT NULL "
                  f"AND coalesce({_RELATION}, '') <> '' ORDER BY 1, 2, 3, 4")
RELATION_KEYS = (f"SELECT {_RELATION} AS k, min(ontology_id) FROM owl_axioms WHERE source_file = ? "
                 f"AND axiom_type = 'Relationship' AND object IS NOT NULL AND coalesce({_RELATION}, '') <> '' "
                 f"GROUP BY k ORDER BY k")
LEGACY_WITHOUT_ROWS = ("SELECT path FROM source_files WHERE path GLOB 'legacy:*' AND NOT EXISTS "
                      "(SELECT 1 FROM statements WHERE source_file = source_files.path) ORDER BY path")
FILE_PROPERTIES = ("SELECT ontology_id, property_iri, property_type, label, domain, range, label_language "
                   "FROM file_properties "
                   "WHERE path = ?")
COLUMNS = "stanza, subject, predicate, object, value, datatype, language, graph, source_file"
INSERT = f"INSERT INTO statements ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"


def curie_prefixes(rows: list[tuple]) -> set[str]:
    """The prefixes (before the first `:`, when not empty) of the subjects, predicates and objects
    of `statements` rows: what `SELECT substr(x, 1, instr(x, ':') - 1) ... WHERE instr(x, ':') > 1`
    finds in them. The distinct terms first, gathered at C speed (PATO: 35,080 rows, ~105,000
    terms, a fraction of them distinct): 120 -> 25 ms."""
    terms = set(map(itemgetter(1), rows))
    terms.update(map(itemgetter(2), rows))
    terms.update(map(itemgetter(3), rows))
    terms.discard(None)
    found: set[str] = set()
    for x in terms:
        i = x.find(":")
        if i > 0:
            found.add(x[:i])
    return found


ALL_KINDS = frozenset(("classes", "synonyms", "properties", "edges", "relations", "ofn"))


def present(facts: FileFacts) -> frozenset[str]:
    """The kinds of per-file rows the store holds for a file just saved from `facts` (store/own_rows.py
    builds each table from one list of the facts): the queries for the others would find nothing, so
    they are not run (most pages have no property, many no synonym; issue 11). Another file's rows,
    whose facts are not at hand, are read in full (ALL_KINDS)."""
    found = {kind for kind, items in (("classes", facts.classes), ("synonyms", facts.synonyms),
                                      ("properties", facts.properties), ("edges", facts.edges)) if items}
    if any(a.axiom_type == "Relationship" for a in facts.axioms):
        found.add("relations")
    if semsql_ofn.present(facts):
        found.add("ofn")
    return frozenset(found)


def _read(conn: sqlite3.Connection, kinds: frozenset[str], kind: str, sql: str, path: str) -> list[tuple]:
    return conn.execute(sql, (path,)).fetchall() if kind in kinds else []


class ReadersLayer:
    """Keeps `statements` per file. `relations` binds relationship keys to property IRIs/CURIEs.

    A run into an empty database defers the derived files' rows to its end (store/semsql_deferred.py);
    `defer_first_run = False` keeps the per-file path there too (the tests compare the two)."""

    defer_first_run = True

    def __init__(self, namespaces: dict[str, str], relations: dict[str, str] | None = None,
                 page_namespace: str = "urn:ontosync:page:") -> None:
        # `page:` names the IRIs minted for pages without owl:class and for links to no page.
        self.curies = CurieMap({RELATION_PREFIX: RELATION_BASE, PAGE_PREFIX: page_namespace, **namespaces})
        self.relations = {k.lower(): v for k, v in (relations or {}).items()}
        self.touched: set[str] = set()  # subjects whose rows changed in this run
        # CURIE prefixes of the rows written in this run: the `prefix` table's new candidates, noted as
        # the rows go in rather than read back from `statements` at the end (issue 18).
        self.prefixes: set[str] = set()
        self._props: dict[str, str] = {}
        self.inherited_stale: bool | None = None  # None: not known yet (no file saved in this run)
        # Set by the repository before each file_saved: False when the save added or removed no page
        # name, so no other file's links moved and the query for them is skipped (issue 18).
        self.names_changed = True
        self.new_file = False  # set by the repository: the save's path is new to a run into an empty database
        self.files_ms = 0.0  # time spent keeping the layer, for the run report (and the benchmark)
        self.refresh_ms = 0.0
        self.deferred = False  # this run writes no derived file's rows (store/semsql_deferred.py)
        # Whether this run wrote or deleted a mapping row (store/xref_prefixes.py): if not, the xref
        # prefixes the last scan found still hold, and the run's end reads no row for them.
        self.mappings_changed = False

    def begin_run(self, repo) -> None:
        """At a run's start: a run into an empty database (or after a killed one) defers the derived
        files' rows to its end (store/semsql_deferred.py). Counted in `files_ms`."""
        started = time.perf_counter()
        self.deferred = False
        if self.defer_first_run and bulk_statements.is_sqlite(repo.conn):
            with repo.transaction():
                self.deferred = semsql_deferred.begin(repo.conn)
                if self.deferred:  # stale from the run's start: its saves neither read nor write it
                    self._note_stale(repo.conn)
        self.files_ms += (time.perf_counter() - started) * 1000

    def refresh(self, conn: sqlite3.Connection) -> list[str]:
        """The end of the run (the caller's transaction): a deferred run's derived rows, then
        `entailed_edge`, `prefix` and search (store/closure.py); returns warnings."""
        from ontosync.store import closure  # here: a no-op run does not import it

        # after a run that stopped early, this run's own changes are not all there is: rebuild
        full = self.inherited_stale is not False
        prefixes = None if full else self.prefixes
        if semsql_deferred.pending(conn):
            semsql_deferred.derive_all(conn, self)
            full = True
        changed = referenced_labels.refresh(conn, self.curies)
        self.touched |= changed
        if changed:
            self.prefixes.update(curie_prefixes([(s, s, None, None) for s in changed]))
        return closure.refresh(conn, self.curies, set() if full else self.touched, prefixes, full=full,
                               mappings_changed=self.mappings_changed)

    def file_saved(self, conn: sqlite3.Connection, path: str, onto: str, facts: FileFacts | None) -> None:
        """Called inside the file's transaction, after its facts and links are stored."""
        started = time.perf_counter()
        try:
            self._file_saved(conn, path, onto, facts)
        finally:
            self.files_ms += (time.perf_counter() - started) * 1000

    def _note_stale(self, conn: sqlite3.Connection) -> None:
        row = conn.execute("SELECT value FROM sync_meta WHERE key = 'readers_stale'").fetchone()
        stale = bool(row and row[0] == "1")
        if self.inherited_stale is None:  # a run that stopped before its end left the closure behind
            self.inherited_stale = stale
        if not stale:  # a read, not a write, for every file after the first (one page less per commit)
            conn.execute(STALE)

    def _file_saved(self, conn: sqlite3.Connection, path: str, onto: str, facts: FileFacts | None) -> None:
        new, self.new_file = self.new_file, False  # set by the repository for this save only
        if not self.deferred:
            self._note_stale(conn)
        if not new:  # a path new to a run into an empty database has no rows (store/fresh_run.py)
            self._forget(conn, path, "")
        if facts is not None and not facts.skipped:
            if facts.statements is not None:  # blank nodes already unique per file (rdf_statements.py)
                self._insert(conn, bulk_statements.SharedTail(facts.statements, (onto, path)))
            else:  # deferred: a derived file's rows at the end of the run (semsql_deferred.py), but the saved ones
                saved = semsql_ofn.saved_rows(self.curies.compact, path, onto, facts)
                if self.deferred:  # the kinds only choose the per-file reads (two passes over the axioms)
                    self._insert(conn, saved)
                else:
                    kinds = present(facts)
                    self._insert(conn, self._own_rows(conn, path, kinds) + self._link_rows(conn, path, kinds) + saved)
        for other in self._repointed_files(conn, path) if self.names_changed and not self.deferred else ():
            self._relink(conn, other)

    def _relink(self, conn: sqlite3.Connection, other: str) -> None:
        """Another file's rows that depend on where links point (subclass edges and restrictions),
        derived again; only the rows that differ are deleted and inserted. Replacing all of them
        deleted rows scattered over `statements_o` and `statements_spo`: most of the pages a save
        wrote on a large graph (issue 18), where typically one link of the file moved."""
        rows = self._link_rows(conn, other, relink=True)
        have = conn.execute(f"SELECT rowid, {COLUMNS} FROM statements WHERE source_file = ?{LINK_ROWS}",
                            (other,)).fetchall()
        wanted = Counter(rows)
        gone = []
        for rowid, *row in have:
            key = tuple(row)
            if wanted[key] > 0:
                wanted[key] -= 1
            else:
                gone.append((rowid, key[0]))
        if gone:
            conn.executemany("DELETE FROM statements WHERE rowid = ?", [(rowid,) for rowid, _ in gone])
            self.touched.update(stanza for _, stanza in gone)
        added = list(wanted.elements())
        if added:
            self._insert(conn, added)

    def _forget(self, conn: sqlite3.Connection, path: str, only: str) -> None:
        gone = conn.execute(f"DELETE FROM statements WHERE source_file = ?{only} RETURNING stanza, predicate",
                            (path,)).fetchall()
        self.touched.update(map(itemgetter(0), gone))
        self._note_mappings(gone, 1)

    def _note_mappings(self, rows, column: int) -> None:
        if not self.mappings_changed and not xref_prefixes.MAPPING_SET.isdisjoint(map(itemgetter(column), rows)):
            self.mappings_changed = True

    def _insert(self, conn: sqlite3.Connection, rows: list[tuple] | bulk_statements.SharedTail) -> None:
        """`rows` into `statements`: full rows, or an RDF file's rows with its graph and path once."""
        if not rows:  # a derived file in a deferred run, a page without a class
            return
        with fast_nulls():  # a row's absent columns are None: bound without an adaptation attempt each
            if bulk_statements.applies(conn, len(rows)):  # a large file into a small table (pato-base.owl)
                bulk_statements.insert(conn, COLUMNS, rows)
            else:
                conn.executemany(INSERT, rows)
        head = rows.head if isinstance(rows, bulk_statements.SharedTail) else rows  # the first 7 columns
        self.touched.update(map(itemgetter(0), head))  # at C speed: PATO's 35,080 rows
        self._note_mappings(head, 2)
        self.prefixes.update(curie_prefixes(head))

    def adopt_legacy(self, conn: sqlite3.Connection) -> None:
        """Rows for the facts a migrated legacy database brought (`legacy:*` pseudo files, written by
        SQL in store/upgrade.py, never saved through a sync): derived once, like a page's."""
        for (path,) in conn.execute(LEGACY_WITHOUT_ROWS).fetchall():
            rows = self._own_rows(conn, path) + self._link_rows(conn, path)
            if rows:
                conn.execute(STALE)
                self._insert(conn, rows)

    @staticmethod
    def _repointed_files(conn: sqlite3.Connection, path: str) -> list[str]:
        """Other files whose links the save just re-pointed (the repository's `aff_names`)."""
        rows = conn.execute(
            """SELECT e.path FROM temp.aff_names a CROSS JOIN file_edges e
                 ON e.ontology_id = a.o AND e.parent_ref_key = a.iri
               UNION SELECT x.source_file FROM temp.aff_names a CROSS JOIN owl_axioms x
                 ON x.ontology_id = a.o AND x.object_ref_key = a.iri""").fetchall()
        return sorted({r[0] for r in rows if r[0] and r[0] != path})

    def _own_rows(self, conn: sqlite3.Connection, path: str, kinds: frozenset[str] = ALL_KINDS) -> list[tuple]:
        """A Logseq page's (or functional-syntax file's) rows that no link resolution changes."""
        c = self.curies.compact
        rows: list[tuple] = []
        noted = semsql_ofn.noted_comments(conn, path) if "ofn" in kinds else set()
        for onto, iri, label, comment, *tags in _read(conn, kinds, "classes", "SELECT ontology_id, class_iri, label, "
                                                      "comment, label_language, comment_language FROM file_classes "
                                                      "WHERE path = ?", path):
            comment = None if (iri, comment) in noted else comment  # a triple of its own (semsql_ofn)
            rows += semsql_rows.class_rows(c, path, onto, iri, label, comment, *tags)
        for onto, iri, text, pred, lang in _read(conn, kinds, "synonyms", "SELECT ontology_id, class_iri, synonym, "
                                                 "predicate, language FROM file_synonyms WHERE path = ?", path):
            rows.append(semsql_rows.synonym_row(c, path, onto, iri, text, pred, lang))
        for onto, iri, *prop in _read(conn, kinds, "properties", FILE_PROPERTIES, path):
            rows += semsql_rows.property_rows(c, path, onto, iri, *prop)
        declared: set[str] = set()
        for key, onto in _read(conn, kinds, "relations", RELATION_KEYS, path):
            prop = self.property_for(key)
            if prop not in declared:
                declared.add(prop)
                rows += semsql_rows.relation_rows(prop, key, onto, path)
        if "ofn" in kinds:  # its triples (read once a save: a mapping's too, which _relink reads again)
            rows += semsql_ofn.own_rows(conn, c, path)
            # and its axioms' graph rows, link-like ones too: only an .ofn file has them (parsing/ofn.py notes
            # none in a page's fence) and none of its links moves (no page link), so no _relink reads them
            rows += semsql_ofn.graph_rows(conn, c, path, blank_token(path))
        return rows

    def _link_rows(self, conn: sqlite3.Connection, path: str, kinds: frozenset[str] = ALL_KINDS,
                   relink: bool = False) -> list[tuple]:
        """Parents (`rdfs:subClassOf`) and each relationship link as
        C rdfs:subClassOf [owl:onProperty P; owl:someValuesFrom D], from the resolved links; for
        _relink (`relink`), every other row LINK_ROWS matches too (a mapping's, moved or not)."""
        c = self.curies.compact
        rows = [semsql_rows.edge_row(c, path, onto, iri, parent)
                for onto, iri, parent in _read(conn, kinds, "edges", "SELECT DISTINCT ontology_id, class_iri, "
                                               "parent_iri FROM file_edges WHERE path = ?", path)]
        token = blank_token(path)
        links = _read(conn, kinds, "relations", RELATION_LINKS, path)
        for n, (onto, subj, key, obj) in enumerate(links, start=1):
            rows += semsql_rows.restriction_rows(c, path, f"_:{token}_r{n}", self.property_for(key), onto, subj, obj)
        if "ofn" in kinds:  # not all moved by links, but LINK_ROWS matches them: _relink must derive them too
            # (a save's mappings to page links come with its own rows, `own_rows`; a relink derives them again)
            rows += semsql_ofn.restriction_rows(conn, c, path, token) + (
                semsql_ofn.linked_rows(conn, c, path) if relink else [])
        return rows

    def property_for(self, key: str) -> str:
        found = self._props.get(key)
        if found is None:
            found = self._props[key] = self._property_for(key)
        return found

    def _property_for(self, key: str) -> str:
        bound = self.relations.get(key.lower())
        if bound:
            return self.curies.compact(self.expand(bound))
        return self.curies.compact(RELATION_BASE + key.lower())

    def expand(self, value: str) -> str:
        """A CURIE with a known prefix -> IRI; a full IRI as given."""
        if "://" in value or value.startswith("urn:"):
            return value
        prefix, _, local = value.partition(":")
        base = self.curies.bases.get(prefix)
        if base and not local.startswith("//"):
            return base + local
        if prefix and prefix.isalnum() and prefix[0].isalpha() and local and not local.startswith("//"):
            return self.curies.obo_base(prefix) + local
        return value
