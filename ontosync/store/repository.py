"""The per-file repository: each file's facts replaced in one `BEGIN IMMEDIATE` transaction.

A save does three things inside that transaction:

1. replaces the file's own rows (`file_classes`, `file_edges`, `file_properties`, `page_names`,
   its `owl_axioms`) and its `source_files` row;
2. re-points page links whose target name this file added or removed, in every file, without
   reparsing those files (a link resolves to the class of the page whose title, else
   preferred-term, matches case-insensitively; among several, the smallest path; with none, the
   IRI the parser minted from the name);
3. recomputes only the contract rows those changes touch: the hierarchy of the affected child
   classes, and each affected class and property from the files that still declare it (winner: the
   page whose own class it is, over pages that merely declare it in a fence; then a real file over
   facts carried over from a legacy database; then a declaration with a label; then the smallest
   path), keeping a class that is only referred
   to as a referenced-only row (`source_file` NULL, labelled with the smallest link text, in
   code-point order, among the links that resolve to it: `[[Foo]]` and `[[foo]]` name one missing
   page, labelled `Foo` whatever order the pages came in) and deleting it once nothing refers to it.

So the database is a function of the source tree, whatever the order files arrive in, and a
crash leaves every file either whole or absent. The SQL is SQLite's (upserts, temp tables);
PostgreSQL runs the same steps through store/pg/repository.py's `PgRepository`, a subclass whose
connection translates them (store/pg/dialect.py).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ontosync.parsing import DEFAULT_NAMESPACES
from ontosync.parsing.facts import FileFacts, LateRows, ParseWarning
from ontosync.store import migrations, own_rows, semsql, transaction
from ontosync.store.entity_counts import entity_counts
from ontosync.store.fresh_run import FreshRun
from ontosync.store.read_only import file_name
from ontosync.store.semsql import ReadersLayer
from ontosync.store.wal import JOURNAL_SIZE_LIMIT, WRITER_AUTOCHECKPOINT_PAGES

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    # 2 MiB of page cache per connection: enough for the index pages one file's save touches; a miss
    # is a read from the OS's cache. It was 64 MiB, which the run's peak memory followed as the
    # database grew (107 MB at 10,000 pages), then 8 MiB, which still added ~7 MB to a corpus sync's
    # peak with no measured speed gain over 2 MiB (issue 18: bench/README.md).
    "cache_size": -2000,
    "foreign_keys": 1,
    "journal_size_limit": JOURNAL_SIZE_LIMIT,  # the WAL is cut back to this when reset (store/wal.py)
}
AFFECTED_TABLES = ("aff_classes", "aff_children", "aff_props", "aff_names")  # the save's temp tables
BUSY_TIMEOUT_S = 1.0  # short: a lock held longer is retried with backoff (and counted)


@dataclass(frozen=True)
class OwnLinks:
    """The (ontology, IRI) keys of a file's new rows: classes (duplicates to look for), edges'
    children, properties; each marked affected from here rather than read back by path (issue 18).
    A skipped or deleted file has none."""

    classes: frozenset[tuple[str, str]] = frozenset()
    edges: frozenset[tuple[str, str]] = frozenset()
    properties: frozenset[tuple[str, str]] = frozenset()
    children_seen: bool = True  # may a child of the edges have had hierarchy rows before this save?
    classes_seen: bool = True  # may another file declare one of the classes (a duplicate)?


# A page link resolves to the class of the page with that name (title before preferred-term, then
# the smallest path), else to its fallback. A file's own rows resolve as they are inserted, after
# its page names (a page may link to itself): one statement a save fewer for each of the two tables
# than an UPDATE of the rows just written (issue 18). A row without a link (key NULL) finds no name.
_FIRST_PAGE = ("(SELECT pn.class_iri FROM page_names pn WHERE pn.ontology_id = ? AND pn.name_key = ? "
               "ORDER BY pn.rank, pn.path LIMIT 1)")
RESOLVED_EDGE = ("INSERT INTO file_edges (path, ontology_id, class_iri, parent_iri, parent_fallback, parent_ref_key, "
                 f"parent_ref_text) VALUES (?, ?, ?, COALESCE({_FIRST_PAGE}, ?), ?, ?, ?)")
RESOLVED_AXIOM = ("INSERT INTO owl_axioms (ontology_id, axiom_type, subject, object, annotations, source_file, "
                  f"object_fallback, object_ref_key) VALUES (?, ?, ?, COALESCE({_FIRST_PAGE}, ?), ?, ?, ?, ?)")
_INSERT_NAMES = "INSERT INTO page_names (path, ontology_id, name_key, rank, class_iri) VALUES (?, ?, ?, ?, ?)"


# A link whose target name appeared or went (its key is in aff_names) resolves again, in any file.
# (CROSS JOIN makes SQLite loop over the small temp table and use the index on the big one.)
_RESOLVE = ("COALESCE((SELECT pn.class_iri FROM page_names pn WHERE pn.ontology_id = {t}.ontology_id "
            "AND pn.name_key = {t}.{key} ORDER BY pn.rank, pn.path LIMIT 1), {t}.{fallback})")
REPOINT_EDGES = ("UPDATE file_edges SET parent_iri = "
                 + _RESOLVE.format(t="file_edges", key="parent_ref_key", fallback="parent_fallback")
                 + " WHERE rowid IN (SELECT e.rowid FROM aff_names a CROSS JOIN file_edges e"
                   " ON e.ontology_id = a.o AND e.parent_ref_key = a.iri) RETURNING ontology_id, class_iri")
REPOINT_AXIOMS = ("UPDATE owl_axioms SET object = "
                  + _RESOLVE.format(t="owl_axioms", key="object_ref_key", fallback="object_fallback")
                  + " WHERE id IN (SELECT x.id FROM aff_names a CROSS JOIN owl_axioms x"
                    " ON x.ontology_id = a.o AND x.object_ref_key = a.iri)")


class StoreError(Exception):
    """The database cannot be used (corrupt, not a database, migration refused): exit 3."""


@dataclass
class KnownFile:
    blob_sha: str | None
    status: str
    error_kind: str | None


def open_connection(path: str | Path, timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """A `sqlite3` connection in autocommit mode (transactions are explicit: store/transaction.py)
    with ontosync's pragmas (foreign keys always on). Not through Peewee: a SQLite sync imports
    neither Peewee nor psycopg2 (~50 ms of start-up, issue 18); status and diff still read through it."""
    conn = sqlite3.connect(file_name(path), timeout=timeout, isolation_level=None, check_same_thread=False)
    try:
        for pragma, value in PRAGMAS.items():
            conn.execute(f"PRAGMA {pragma} = {value}")
    except BaseException:
        conn.close()
        raise
    return conn


class Repository:
    """Owns one connection; used by the single writer of a run."""

    def __init__(self, db_path: str | Path, default_ontology: str = "default", timeout: float = BUSY_TIMEOUT_S):
        self.db_path = str(db_path)
        self.default_ontology = default_ontology
        try:
            self.conn: sqlite3.Connection = open_connection(db_path, timeout)
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            self.conn.execute(f"PRAGMA wal_autocheckpoint = {WRITER_AUTOCHECKPOINT_PAGES}")  # store/wal.py
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{db_path}: {exc}") from exc
        self._temp_ready = False
        self._filled: tuple[str, ...] = AFFECTED_TABLES  # temp tables the last save may have left rows in
        self.fingerprint: str | None = None  # of the run's settings, stored with each file (migration 003)
        self.changes = None  # the run's ChangeLog (store/changelog.py), set while a sync runs
        self.readers = ReadersLayer(DEFAULT_NAMESPACES)  # the sync sets its configured one
        self._fresh = FreshRun()  # the paths a run into an empty database has saved (store/fresh_run.py)

    def close(self) -> None:
        self.conn.close()

    # -- another writer in the way ------------------------------------------------------------
    def watch_blockers(self) -> None:
        """A write is being retried behind another writer's lock: PgRepository starts asking the
        server who holds it; SQLite's holder is read from /proc/locks when the budget runs out."""

    def stop_watching(self) -> None:
        """The retried write ended (PgRepository)."""

    def busy_line(self, exc: BaseException, busy_timeout: float) -> str:
        """The exit-4 line of a write the lock kept failing through --busy-timeout: names the holder
        (CONTRACT section 9)."""
        from ontosync.store.lock import describe_writers

        return (f"database busy: {self.db_path} stayed locked by {describe_writers(self.db_path)} through "
                f"{busy_timeout:g} s of retries (--busy-timeout): {exc}. Nothing was lost; run again.")

    # -- schema -----------------------------------------------------------------------------
    def ensure_schema(self) -> list[str]:
        """Create or upgrade the schema; returns the names of the migrations applied."""
        try:
            return [m.name for m in migrations.apply_pending(self.conn)]
        except migrations.MigrationError as exc:
            raise StoreError(str(exc)) from exc

    # -- reads ------------------------------------------------------------------------------
    def known_files(self) -> dict[str, KnownFile]:
        rows = self.conn.execute("SELECT path, blob_sha, status, error_kind FROM source_files")
        return {p: KnownFile(sha, status, kind) for p, sha, status, kind in rows}

    def holds_files(self) -> bool:
        """Whether any file's row is stored (unsure, a database that cannot say: it does)."""
        try:
            return self.conn.execute("SELECT EXISTS (SELECT 1 FROM source_files)").fetchone()[0] == 1
        except sqlite3.Error:
            return True

    def counts(self) -> dict[str, int]:
        """The report's counts: the same SQL on both databases (store/entity_counts.py)."""
        return entity_counts(self.conn.execute)

    # -- writes -----------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT on the writer's connection (store/transaction.py says why)."""
        with transaction.immediate(self.conn):
            yield

    def save_parsed(self, path: str, blob_sha: str | None, size: int, facts: FileFacts, now: str) -> list[ParseWarning]:
        """Replace a file's facts with `facts` (status ok, or skipped when facts.skipped)."""
        status = "skipped" if facts.skipped else "ok"
        onto = facts.ontology_id or self.default_ontology
        with self.transaction():
            known = self._known(path)
            self._upsert_source(path, blob_sha, size, status, facts.skipped, None, "skipped" if facts.skipped else None,
                                facts.format, onto, facts.public, now, good=True)
            dupes = self._replace_facts(path, onto, facts, now, known)
            if isinstance(facts.statements, LateRows):  # a large RDF file's rows, after its facts (p1)
                facts.statements = self._take_rows(facts.statements)
            self.readers.new_file = self._fresh.new  # the layer has no rows of a new file to forget
            self.readers.file_saved(self.conn, path, onto, facts)
        return [ParseWarning("duplicate-declaration", f"{iri} is also declared by {other}") for iri, other in dupes]

    def _take_rows(self, rows: LateRows) -> list:
        """Rows that never come roll the save back, and with it the temp tables it may have made."""
        try:
            return rows.take()
        except BaseException:
            self._temp_ready = False
            raise

    def save_failure(self, path: str, blob_sha: str | None, size: int, message: str, line: int | None,
                     kind: str, fmt: str | None, now: str) -> None:
        """Mark a file failed; the facts of its last good version stay."""
        with self.transaction():
            self._fresh.saw(self.conn, self.changes, path, self.readers.deferred)
            self._upsert_source(path, blob_sha, size, "failed", message, line, kind, fmt, None, None, now, good=False)

    def delete_file(self, path: str, now: str) -> None:
        """The file left the source: remove exactly the facts it contributed."""
        with self.transaction():
            self._fresh.new = False  # a deleted file's rows are all looked for
            self._replace_facts(path, self.default_ontology, None, now)
            self.readers.file_saved(self.conn, path, self.default_ontology, None)
            self.conn.execute("DELETE FROM source_files WHERE path = ?", (path,))

    def refresh_readers(self) -> list[str]:
        """End of a run that changed something: entailed_edge, prefix, search, in one transaction."""
        if self.conn.execute(semsql.LEGACY_WITHOUT_ROWS).fetchone():
            with self.transaction():
                self.readers.adopt_legacy(self.conn)
            self.readers.inherited_stale = True  # rebuild in full: nothing else knows what they touched
        stale = self.conn.execute("SELECT value FROM sync_meta WHERE key = 'readers_stale'").fetchone()
        if not stale or stale[0] != "1":
            return []
        started = time.perf_counter()
        with self.transaction():
            warnings = self.readers.refresh(self.conn)  # store/semsql.py
            self.conn.execute("UPDATE sync_meta SET value = '0' WHERE key = 'readers_stale'")
        self.readers.refresh_ms += (time.perf_counter() - started) * 1000
        self.readers.touched.clear()
        self.readers.prefixes.clear()
        self.readers.mappings_changed = False
        self.readers.inherited_stale = None
        return warnings

    def _known(self, path: str) -> bool:
        """Has `path` a source_files row? Without one it has no rows in the per-file tables (their
        foreign keys), so a save of a new file skips reading and deleting its old rows (issue 18).
        A run into an empty database knows without asking (store/fresh_run.py)."""
        if self._fresh.saw(self.conn, self.changes, path, self.readers.deferred):
            return False
        return self.conn.execute("SELECT 1 FROM source_files WHERE path = ?", (path,)).fetchone() is not None

    def _upsert_source(self, path, blob_sha, size, status, error, line, kind, fmt, onto, public, now, good) -> None:
        self.conn.execute(
            """INSERT INTO source_files (path, blob_sha, good_blob_sha, size, status, error, error_line,
                   error_kind, format, ontology_id, public, synced_at, fingerprint)
               VALUES (?, ?, CASE WHEN ? THEN ? END, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (path) DO UPDATE SET
                   blob_sha = excluded.blob_sha,
                   good_blob_sha = CASE WHEN ? THEN excluded.good_blob_sha ELSE good_blob_sha END,
                   size = excluded.size, status = excluded.status, error = excluded.error,
                   error_line = excluded.error_line, error_kind = excluded.error_kind,
                   format = COALESCE(excluded.format, format),
                   ontology_id = COALESCE(excluded.ontology_id, ontology_id),
                   public = CASE WHEN ? THEN excluded.public ELSE public END,
                   synced_at = excluded.synced_at, fingerprint = excluded.fingerprint""",
            (path, blob_sha, good, blob_sha, size, status, error, line, kind, fmt, onto, int(bool(public)), now,
             self.fingerprint, good, good),
        )

    # -- the delta ---------------------------------------------------------------------------
    def _temp_tables(self) -> None:
        if self._temp_ready:
            return
        for name, cols in (("aff_classes", "o, iri"), ("aff_children", "o, iri"), ("aff_props", "o, iri"),
                           ("aff_names", "o, iri")):
            self.conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({cols}, PRIMARY KEY (o, iri)) WITHOUT ROWID")
        self._temp_ready = True

    def _replace_facts(self, path: str, onto: str, facts: FileFacts | None, now: str,
                       known: bool = True) -> list[tuple[str, str]]:
        c = self.conn
        self._temp_tables()
        for t in self._filled:  # only what the last save filled (all four after a save that failed)
            c.execute(f"DELETE FROM temp.{t}")
        self._filled = AFFECTED_TABLES
        # Could the save leave an ontology id unused (step 7)? Only by deleting a class, property or
        # axiom, or adding an id: a new path in a run into an empty database notes each (issue 18).
        # Such a run's first save looks anyway: an unused id it started with goes, as it always did.
        # (A rowcount is read only while this is False: never on PostgreSQL, never fresh.)
        shrunk = not self._fresh.new or self._fresh.first

        # 1. What the old version contributed becomes "affected". `hit` counts the rows put into each
        # temp table, so the steps below that would only read an empty one are skipped (issue 18).
        hit = dict.fromkeys(("aff_classes", "aff_children", "aff_props"), 0)
        old_names: set[tuple[str, str, int, str]] = set()
        if known:  # a new file has no rows in the per-file tables to mark, read or delete
            self._mark_own_rows_affected(path, hit)
            old_names = set(c.execute("SELECT ontology_id, name_key, rank, class_iri FROM page_names WHERE path = ?",
                                      (path,)))
            for table in ("file_classes", "file_edges", "file_properties", "page_names", "file_synonyms"):
                c.execute(f"DELETE FROM {table} WHERE path = ?", (path,))
        if not self._fresh.new:  # no foreign key: always, but for a path new to a fresh run
            c.execute("DELETE FROM owl_axioms WHERE source_file = ?", (path,))

        # 2. The new version's own rows.
        new_names: set[tuple[str, str, int, str]] = set()
        links = OwnLinks()
        if facts is not None and not facts.skipped:
            added = self._ensure_ontology(onto, now)  # a new id may stay unused (a page without a class)
            shrunk = shrunk or added.rowcount > 0
            new_names, links = self._insert_own_rows(path, onto, facts)
            self._mark_new_rows_affected(links, hit)
        elif facts is not None and facts.names:  # a page without a class still answers to its names
            new_names = self._insert_names(path, onto, facts)
        dupes = self._duplicates(path, links)

        # 3. Names that appeared or went: links to them, anywhere, are re-pointed (_repoint). The
        # file's own links were resolved as they were inserted (RESOLVED_EDGE, RESOLVED_AXIOM).
        changed = old_names ^ new_names
        marked = hit["aff_children"]
        repointed = changed and self._repoint({(o, k) for o, k, _, _ in changed}, hit)

        # Only a child with hierarchy rows has any to drop: an old version's, a re-pointed one, or
        # one whose edges another file (or an earlier save) gave it.
        had_parents = known or links.children_seen or hit["aff_children"] > marked
        self._recompute(hit, now, shrunk, known, had_parents)
        if self.changes is not None:  # 8. what this changed in the ontology, into the run's log
            self.changes.record()
        self.readers.names_changed = bool(repointed)  # read by the layer's file_saved: aff_names filled
        self._filled = tuple(t for t in AFFECTED_TABLES if hit.get(t) or (t == "aff_names" and repointed))
        return dupes

    def _duplicates(self, path: str, links: OwnLinks) -> list[tuple[str, str]]:
        """The file's classes another file declares too, with the first such path (a warning each);
        not asked when no earlier file of a run into an empty database declared one (fresh_run.py)."""
        if not (links.classes and links.classes_seen):
            return []
        return self.conn.execute(
            """SELECT f.class_iri, MIN(o.path) FROM file_classes f JOIN file_classes o
               ON o.ontology_id = f.ontology_id AND o.class_iri = f.class_iri AND o.path <> f.path
               WHERE f.path = ? GROUP BY f.class_iri ORDER BY f.class_iri""", (path,)).fetchall()

    def _recompute(self, hit: dict[str, int], now: str, shrunk: bool, known: bool, had_parents: bool) -> None:
        """4-7: the contract rows the marked keys touch; a step whose temp table is empty is skipped.
        `shrunk`: the save so far may have left an ontology id unused; so may a delete here.
        A class or property can only lose its last reference by losing a row: an old version's
        (`known`) or a hierarchy row dropped in step 4. Without either, every marked key is one the
        new rows hold, so the deletes of steps 5 and 6 would find nothing (most of a first run's
        saves: two statements fewer, issue 18). `had_parents`: may a marked child have hierarchy rows?
        Without, the hierarchy's delete is not asked (a first run's new classes)."""
        dropped = False
        if hit["aff_children"]:
            dropped, marked = self._drop_hierarchy(had_parents)
            hit["aff_classes"] += marked
        if hit["aff_classes"]:
            self._recompute_classes(now)
        if hit["aff_children"]:  # after the classes it names exist: no placeholder rows first (issue 18)
            self._insert_hierarchy()
        if hit["aff_classes"] and (known or dropped):
            gone = self._drop_unreferenced_classes()
            shrunk = shrunk or gone.rowcount > 0
        if hit["aff_props"]:
            self._recompute_properties(now)
            if known:
                shrunk = self._drop_unused_properties().rowcount > 0 or shrunk
        if shrunk:
            self._drop_unused_ontologies()

    def _repoint(self, names: set[tuple[str, str]], hit: dict[str, int]) -> bool:
        """3. The links to `names` (ontology, name key) resolve again; returns whether it filled
        aff_names. Each re-pointed edge's child is affected (its hierarchy is rebuilt): marked from
        the UPDATE's RETURNING rows, not by a second walk of the same rows (issue 18). A run into an
        empty database knows which names its rows link to (store/fresh_run.py): a table with no
        link to any of `names` is not asked, nor is aff_names filled when neither table is."""
        c = self.conn
        edges, axioms = self._fresh.may_link("edge", names), self._fresh.may_link("axiom", names)
        if not (edges or axioms):
            return False
        c.executemany("INSERT OR IGNORE INTO aff_names VALUES (?, ?)", names)
        children = set(c.execute(REPOINT_EDGES).fetchall()) if edges else set()
        if axioms:
            c.execute(REPOINT_AXIOMS)
        if children:
            c.executemany("INSERT OR IGNORE INTO aff_children VALUES (?, ?)", children)
            hit["aff_children"] += len(children)
        return True

    def _drop_hierarchy(self, had_parents: bool) -> tuple[bool, int]:
        """4. The affected children's hierarchy rows go and every class they, and the children's edges
        in any file, name is affected; returns whether a row went, and more than 0 when it marked a
        class."""
        c = self.conn
        # One statement when a child had none (every class of a new file, most of a first run's saves),
        # not a read and a delete.
        gone = c.execute("DELETE FROM owl_class_hierarchy WHERE (ontology_id, class_iri) IN "
                         "(SELECT o, iri FROM aff_children) RETURNING ontology_id, class_iri, parent_iri"
                         ).fetchall() if had_parents else []
        marked = len(gone)  # read as "any": a class marked twice is recomputed once
        if gone:
            c.executemany("INSERT OR IGNORE INTO aff_classes VALUES (?, ?)",
                          {(o, iri) for o, child, parent in gone for iri in (child, parent)})
        marked += c.execute("""INSERT OR IGNORE INTO aff_classes
                     SELECT e.ontology_id, e.class_iri FROM aff_children a CROSS JOIN file_edges e
                       ON e.ontology_id = a.o AND e.class_iri = a.iri
                     UNION SELECT e.ontology_id, e.parent_iri FROM aff_children a CROSS JOIN file_edges e
                       ON e.ontology_id = a.o AND e.class_iri = a.iri""").rowcount
        return bool(gone), marked

    def _insert_hierarchy(self) -> None:
        """4, continued: the affected children's hierarchy, from every file's edges. Each class it
        names was marked by _drop_hierarchy and written by _recompute_classes (the foreign keys)."""
        self.conn.execute("""INSERT OR IGNORE INTO owl_class_hierarchy (ontology_id, class_iri, parent_iri)
                     SELECT e.ontology_id, e.class_iri, e.parent_iri FROM aff_children a CROSS JOIN file_edges e
                       ON e.ontology_id = a.o AND e.class_iri = a.iri""")

    def _recompute_classes(self, now: str) -> None:
        c = self.conn
        # 5. Each affected class from the files that still declare it, else referenced-only, else gone.
        c.execute(
            """INSERT INTO owl_classes (ontology_id, class_iri, label, comment, source_file, last_synced)
               SELECT a.o, a.iri, COALESCE(w.label, CASE WHEN w.path IS NULL THEN (
                          SELECT MIN(e.parent_ref_text) FROM file_edges e
                          WHERE e.ontology_id = a.o AND e.parent_iri = a.iri AND e.parent_ref_text IS NOT NULL)
                      END), w.comment, w.path, ? FROM aff_classes a
               LEFT JOIN file_classes w ON w.ontology_id = a.o AND w.class_iri = a.iri AND w.path = (
                   SELECT f.path FROM file_classes f WHERE f.ontology_id = a.o AND f.class_iri = a.iri
                   ORDER BY NOT EXISTS (SELECT 1 FROM page_names pn WHERE pn.path = f.path
                                        AND pn.class_iri = f.class_iri),
                            f.path GLOB 'legacy:*', f.label IS NULL, f.path LIMIT 1)
               WHERE w.path IS NOT NULL OR EXISTS (
                       SELECT 1 FROM owl_class_hierarchy h WHERE h.ontology_id = a.o AND h.class_iri = a.iri)
                   OR EXISTS (
                       SELECT 1 FROM owl_class_hierarchy h WHERE h.ontology_id = a.o AND h.parent_iri = a.iri)
                   OR (a.o, a.iri) IN (  -- named by the rows _insert_hierarchy writes next
                       SELECT e.ontology_id, e.class_iri FROM aff_children a CROSS JOIN file_edges e
                         ON e.ontology_id = a.o AND e.class_iri = a.iri
                       UNION SELECT e.ontology_id, e.parent_iri FROM aff_children a CROSS JOIN file_edges e
                         ON e.ontology_id = a.o AND e.class_iri = a.iri)
               ON CONFLICT (ontology_id, class_iri) DO UPDATE SET label = excluded.label,
                   comment = excluded.comment, source_file = excluded.source_file,
                   last_synced = excluded.last_synced""", (now,))

    def _drop_unreferenced_classes(self):
        """5, continued, once the hierarchy is whole: an affected class nothing declares or refers to."""
        return self.conn.execute(
            """DELETE FROM owl_classes WHERE (ontology_id, class_iri) IN (
                   SELECT a.o, a.iri FROM aff_classes a
                   WHERE NOT EXISTS (SELECT 1 FROM file_classes f WHERE f.ontology_id = a.o AND f.class_iri = a.iri)
                     AND NOT EXISTS (SELECT 1 FROM owl_class_hierarchy h
                                     WHERE h.ontology_id = a.o AND h.class_iri = a.iri)
                     AND NOT EXISTS (SELECT 1 FROM owl_class_hierarchy h
                                     WHERE h.ontology_id = a.o AND h.parent_iri = a.iri))""")

    def _recompute_properties(self, now: str) -> None:
        """6. Properties likewise (no references to keep)."""
        self.conn.execute(
            """INSERT INTO owl_properties (ontology_id, property_iri, property_type, label, domain, range,
                   source_file, last_synced)
               SELECT w.ontology_id, w.property_iri, w.property_type, w.label, w.domain, w.range, w.path, ?
               FROM aff_props a CROSS JOIN file_properties w ON w.ontology_id = a.o AND w.property_iri = a.iri
                   AND w.path = (SELECT f.path FROM file_properties f WHERE f.ontology_id = a.o
                                 AND f.property_iri = a.iri
                                 ORDER BY f.path GLOB 'legacy:*', f.label IS NULL, f.path LIMIT 1)
               WHERE 1
               ON CONFLICT (ontology_id, property_iri) DO UPDATE SET property_type = excluded.property_type,
                   label = excluded.label, domain = excluded.domain, range = excluded.range,
                   source_file = excluded.source_file, last_synced = excluded.last_synced""", (now,))

    def _drop_unused_properties(self):
        """6, continued: an affected property no file declares any more; returns the cursor."""
        return self.conn.execute(
            """DELETE FROM owl_properties WHERE (ontology_id, property_iri) IN (
                   SELECT a.o, a.iri FROM aff_props a WHERE NOT EXISTS (
                       SELECT 1 FROM file_properties f WHERE f.ontology_id = a.o AND f.property_iri = a.iri))""")

    def _drop_unused_ontologies(self) -> None:
        # 7. Ontology ids nobody uses any more.
        self.conn.execute(
            """DELETE FROM ontologies WHERE
                   NOT EXISTS (SELECT 1 FROM owl_classes t WHERE t.ontology_id = ontologies.ontology_id)
                   AND NOT EXISTS (SELECT 1 FROM owl_properties t WHERE t.ontology_id = ontologies.ontology_id)
                   AND NOT EXISTS (SELECT 1 FROM owl_axioms t WHERE t.ontology_id = ontologies.ontology_id)""")

    def _mark_own_rows_affected(self, path: str, hit: dict[str, int]) -> None:
        for temp, cols, table in (("aff_classes", "ontology_id, class_iri", "file_classes"),
                                  ("aff_children", "ontology_id, class_iri", "file_edges"),
                                  ("aff_props", "ontology_id, property_iri", "file_properties")):
            hit[temp] += self.conn.execute(
                f"INSERT OR IGNORE INTO {temp} SELECT {cols} FROM {table} WHERE path = ?", (path,)).rowcount

    def _mark_new_rows_affected(self, links: OwnLinks, hit: dict[str, int]) -> None:
        """From the keys of the rows just inserted, not read back by path (store/deferred_indexes.py)."""
        for temp, keys in (("aff_classes", links.classes), ("aff_children", links.edges),
                           ("aff_props", links.properties)):
            if keys:  # counted as "any": a key the old rows marked already is recomputed once
                self.conn.executemany(f"INSERT OR IGNORE INTO {temp} VALUES (?, ?)", keys)
                hit[temp] += len(keys)

    def _ensure_ontology(self, onto: str, now: str):
        return self.conn.execute(
            "INSERT OR IGNORE INTO ontologies (ontology_id, created_at) VALUES (?, ?)", (onto, now))

    def _insert_names(self, path: str, onto: str, facts: FileFacts) -> set[tuple[str, str, int, str]]:
        """The page names the file answers to (store/own_rows.py), inserted; returns them."""
        names = own_rows.page_names(onto, facts)
        if names:
            self.conn.executemany(_INSERT_NAMES, own_rows.name_rows(path, names))
        return names

    def _insert_own_rows(self, path: str, onto: str, facts: FileFacts) -> tuple[set[tuple[str, str, int, str]],
                                                                                  OwnLinks]:
        """The file's own rows (store/own_rows.py builds them; its worker did when it could, for this
        path and ontology id); returns its page names and what its rows hold (an empty list costs no
        statement)."""
        own = facts.own_rows
        if not isinstance(own, own_rows.Prepared) or own.path != path or own.onto != onto:
            own = own_rows.prepare(path, onto, facts)
        children_seen = self._fresh.may_link("child", own.edge_keys)  # before this save's are noted
        classes_seen = self._fresh.may_link("class", own.class_keys)
        self._fresh.note_links(own_rows.links(own))  # before the rows: a save rolled back leaves them noted
        for sql, rows in (
                ("INSERT INTO file_classes (path, ontology_id, class_iri, label, comment, line, label_language, "
                 "comment_language) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", own.classes),
                (_INSERT_NAMES, own_rows.name_rows(path, own.names)),
                (RESOLVED_EDGE, own.edges),
                ("INSERT INTO file_properties (path, ontology_id, property_iri, property_type, label, domain, "
                 "range, label_language) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", own.properties),
                ("INSERT OR IGNORE INTO file_synonyms (path, ontology_id, class_iri, synonym, predicate, language) "
                 "VALUES (?, ?, ?, ?, ?, ?)", own.synonyms),
                (RESOLVED_AXIOM, own.axioms)):
            if rows:
                self.conn.executemany(sql, rows)
        return own.names, OwnLinks(own.class_keys, own.edge_keys, own.property_keys, children_seen, classes_seen)
