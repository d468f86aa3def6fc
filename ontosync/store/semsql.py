"""The readers' layer, per file: each file's semantic-sql `statements`, replaced in its transaction.

RDF files bring their own rows (every triple, see parsing/rdf_statements.py). Logseq pages and
functional-syntax files get rows derived from what the store keeps for them, *after* page links are
resolved: class, label, definition (IAO:0000115), synonyms, parents (`rdfs:subClassOf`), and each
relationship key (`has-part::`, `requires::`, ...) as `rdfs:subClassOf` an `owl:someValuesFrom`
restriction on the key's property. Because links are re-pointed when the page they name appears or
goes, the rows of every page whose links moved are derived again in the same transaction.

Blank nodes are unique per file (`_:<file token>_r1`), the token a hash of the path, so the rows
are a function of the source tree. What a run touched is remembered (`touched`), so the end of
the run (store/closure.py) updates `entailed_edge`, `prefix` and the search index once.
"""

from __future__ import annotations

import json
import sqlite3
import time

from ontosync.parsing.curies import CurieMap
from ontosync.parsing.facts import FileFacts
from ontosync.parsing.rdf_statements import blank_token

# Part of the parse-settings fingerprint: a database whose statements were made by another version
# of this layer (or before it existed) is reparsed in full once.
LAYER_VERSION = "semsql-1"
RELATION_BASE = "urn:ontosync:relation:"
RELATION_PREFIX = "rel"
PAGE_PREFIX = "page"
PROPERTY_TYPES = {"ObjectProperty": "owl:ObjectProperty", "DataProperty": "owl:DatatypeProperty",
                  "AnnotationProperty": "owl:AnnotationProperty"}
# Set with every file's rows, cleared when the run-level tables are brought up to date: a run that
# stopped half-way leaves it set, and the next run finishes the job.
STALE = ("INSERT INTO sync_meta (key, value) VALUES ('readers_stale', '1') "
         "ON CONFLICT (key) DO UPDATE SET value = '1'")
INSERT = ("INSERT INTO statements (stanza, subject, predicate, object, value, datatype, language, graph, "
          "source_file) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


class ReadersLayer:
    """Keeps `statements` per file. `relations` binds relationship keys to property IRIs/CURIEs."""

    def __init__(self, namespaces: dict[str, str], relations: dict[str, str] | None = None,
                 page_namespace: str = "urn:ontosync:page:") -> None:
        # `page:` names the IRIs minted for pages without owl:class and for links to no page.
        self.curies = CurieMap({RELATION_PREFIX: RELATION_BASE, PAGE_PREFIX: page_namespace, **namespaces})
        self.relations = {k.lower(): v for k, v in (relations or {}).items()}
        self.touched: set[str] = set()  # subjects whose rows changed in this run
        self.changed_files: set[str] = set()
        self.files_ms = 0.0  # time spent keeping the layer, for the run report (and the benchmark)
        self.refresh_ms = 0.0

    def file_saved(self, conn: sqlite3.Connection, path: str, onto: str, facts: FileFacts | None) -> None:
        """Called inside the file's transaction, after its facts and links are stored."""
        started = time.perf_counter()
        try:
            self._file_saved(conn, path, onto, facts)
        finally:
            self.files_ms += (time.perf_counter() - started) * 1000

    def _file_saved(self, conn: sqlite3.Connection, path: str, onto: str, facts: FileFacts | None) -> None:
        conn.execute(STALE)
        self._forget(conn, path)
        if facts is not None and not facts.skipped:
            if facts.statements is not None:  # blank nodes already unique per file (rdf_statements.py)
                conn.executemany(INSERT, [(*st, onto, path) for st in facts.statements])
                self.touched.update(st[0] for st in facts.statements)
            else:
                self._derive(conn, path)
                self._remember(conn, path)
        for other in self._repointed_files(conn, path):
            self._forget(conn, other)
            self._derive(conn, other)
            self._remember(conn, other)

    def _forget(self, conn: sqlite3.Connection, path: str) -> None:
        self.touched.update(r[0] for r in conn.execute(
            "SELECT DISTINCT stanza FROM statements WHERE source_file = ?", (path,)))
        conn.execute("DELETE FROM statements WHERE source_file = ?", (path,))
        self.changed_files.add(path)

    def _remember(self, conn: sqlite3.Connection, path: str) -> None:
        self.touched.update(r[0] for r in conn.execute(
            "SELECT DISTINCT stanza FROM statements WHERE source_file = ?", (path,)))

    @staticmethod
    def _repointed_files(conn: sqlite3.Connection, path: str) -> list[str]:
        """Other files whose links the save just re-pointed (the repository's `aff_names`)."""
        rows = conn.execute(
            """SELECT e.path FROM temp.aff_names a CROSS JOIN file_edges e
                 ON e.ontology_id = a.o AND e.parent_ref_key = a.iri
               UNION SELECT x.source_file FROM temp.aff_names a CROSS JOIN owl_axioms x
                 ON x.ontology_id = a.o AND x.object_ref_key = a.iri""").fetchall()
        return sorted({r[0] for r in rows if r[0] and r[0] != path})

    def _derive(self, conn: sqlite3.Connection, path: str) -> None:
        """A Logseq page's (or functional-syntax file's) rows from its stored, resolved facts."""
        c = self.curies.compact
        token = blank_token(path)
        rows: list[tuple] = []

        def add(stanza, subject, predicate, obj=None, value=None, graph=None):
            rows.append((stanza, subject, predicate, obj, value, None, None, graph, path))

        for onto, iri, label, comment in conn.execute(
                "SELECT ontology_id, class_iri, label, comment FROM file_classes WHERE path = ? ORDER BY class_iri",
                (path,)):
            s = c(iri)
            add(s, s, "rdf:type", "owl:Class", graph=onto)
            if label:
                add(s, s, "rdfs:label", value=label, graph=onto)
            if comment:
                add(s, s, "IAO:0000115", value=comment, graph=onto)
        for onto, iri, text, pred in conn.execute(
                "SELECT ontology_id, class_iri, synonym, predicate FROM file_synonyms WHERE path = ? "
                "ORDER BY class_iri, predicate, synonym", (path,)):
            add(c(iri), c(iri), pred, value=text, graph=onto)
        for onto, iri, parent in conn.execute(
                "SELECT DISTINCT ontology_id, class_iri, parent_iri FROM file_edges WHERE path = ? "
                "ORDER BY class_iri, parent_iri", (path,)):
            add(c(iri), c(iri), "rdfs:subClassOf", c(parent), graph=onto)
        for onto, iri, ptype, label, domain, rng in conn.execute(
                "SELECT ontology_id, property_iri, property_type, label, domain, range FROM file_properties "
                "WHERE path = ? ORDER BY property_iri", (path,)):
            s = c(iri)
            add(s, s, "rdf:type", PROPERTY_TYPES.get(ptype, "rdf:Property"), graph=onto)
            if label:
                add(s, s, "rdfs:label", value=label, graph=onto)
            for pred, value in (("rdfs:domain", domain), ("rdfs:range", rng)):
                if value and " " not in value and "(" not in value:
                    add(s, s, pred, c(value), graph=onto)
        self._restrictions(conn, path, token, add)
        conn.executemany(INSERT, rows)

    def _restrictions(self, conn: sqlite3.Connection, path: str, token: str, add) -> None:
        """Each relationship link: C rdfs:subClassOf [owl:onProperty P; owl:someValuesFrom D]."""
        c = self.curies.compact
        found = conn.execute(
            "SELECT DISTINCT ontology_id, subject, object, annotations FROM owl_axioms WHERE source_file = ? "
            "AND axiom_type = 'Relationship' AND object IS NOT NULL", (path,)).fetchall()
        links = sorted({(onto, subj, json.loads(ann or "{}").get("relation", ""), obj)
                        for onto, subj, obj, ann in found})
        declared: set[str] = set()
        for n, (onto, subj, key, obj) in enumerate((x for x in links if x[2]), start=1):
            prop = self.property_for(key)
            s, blank = c(subj), f"_:{token}_r{n}"
            add(s, s, "rdfs:subClassOf", blank, graph=onto)
            add(s, blank, "rdf:type", "owl:Restriction", graph=onto)
            add(s, blank, "owl:onProperty", prop, graph=onto)
            add(s, blank, "owl:someValuesFrom", c(obj), graph=onto)
            if prop not in declared:
                declared.add(prop)
                add(prop, prop, "rdf:type", "owl:ObjectProperty", graph=onto)
                add(prop, prop, "rdfs:label", value=key.lower(), graph=onto)

    def property_for(self, key: str) -> str:
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
