"""The change log: what each sync run changed at the ontology level, written with the facts.

Why triggers: a file's save (store/repository.py) touches the contract rows of many classes, some
of them through other files' links that re-point. Rather than predicting that set, TEMP triggers
on the rows a "card" is made of (owl_classes, owl_class_hierarchy, file_synonyms, owl_properties)
snapshot the card of a class or property the first time one of its rows is about to change in the
file's transaction, and triggers on owl_axioms count each axiom's copies in and out. At the end of
the save, `record()` compares each snapshot with the card as it is now and folds the difference
into the run's log, in the same transaction. So the log can never miss a change the facts made,
and a save that leaves the ontology as it was (whitespace, metadata keys, a rename) adds nothing.

Folding: per key, the run keeps the first old value and the last new one, and drops the key when
they are equal. The end state of a run does not depend on file order (CONTRACT section 2), and
neither does its start, so neither does the log.

A class card exists only while the class is declared (`source_file` not NULL): a class that pages
only refer to is not part of the ontology's content. Axioms are compared as a set of distinct
(type, subject, object, annotations) per ontology: a copy of an axiom in a second file is no change.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from ontosync.store.sync_records import get_meta, put_meta

DEFAULT_KEEP_RUNS = 50


def class_card_of(c: str) -> str:
    """A scalar SQL expression: the JSON card of the `owl_classes` row named `c` in the query (a
    reader that already holds the row, such as a first run's log, store/changelog_fresh.py)."""
    return f"""json_object('label', {c}.label, 'definition', {c}.comment,
        'parents', json((SELECT json_group_array(p) FROM (SELECT h.parent_iri AS p FROM owl_class_hierarchy h
                         WHERE h.ontology_id = {c}.ontology_id AND h.class_iri = {c}.class_iri ORDER BY 1))),
        'synonyms', json((SELECT json_group_array(s) FROM (SELECT DISTINCT fs.synonym AS s FROM file_synonyms fs
                          WHERE fs.ontology_id = {c}.ontology_id AND fs.class_iri = {c}.class_iri ORDER BY 1))))"""


def class_card_sql(o: str, iri: str) -> str:
    """A scalar SQL expression: the JSON card of class (o, iri), or NULL when not declared."""
    return (f"(SELECT {class_card_of('c')} FROM owl_classes c WHERE c.ontology_id = {o} AND c.class_iri = {iri} "
            "AND c.source_file IS NOT NULL)")


def property_card_of(p: str) -> str:
    return f"json_object('type', {p}.property_type, 'label', {p}.label, 'domain', {p}.domain, 'range', {p}.range)"


def property_card_sql(o: str, iri: str) -> str:
    return (f"(SELECT {property_card_of('p')} FROM owl_properties p WHERE p.ontology_id = {o} "
            f"AND p.property_iri = {iri})")


AXIOM_ITEM = "json_array({t}.axiom_type, {t}.object, {t}.annotations)"


def _snapshot(table: str, card, o: str, iri: str) -> str:
    return (f"INSERT INTO {table} (o, iri, card) SELECT {o}, {iri}, {card(o, iri)} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE o = {o} AND iri = {iri});")


def _trigger_sql() -> list[str]:
    cls = lambda o, iri: _snapshot("chg_cls", class_card_sql, o, iri)  # noqa: E731
    prop = lambda o, iri: _snapshot("chg_prop", property_card_sql, o, iri)  # noqa: E731
    children_of_old = (
        "INSERT INTO chg_cls (o, iri, card) SELECT h.ontology_id, h.class_iri, "
        + class_card_sql("h.ontology_id", "h.class_iri")
        # INDEXED BY: without it SQLite chose the primary key's covering prefix (ontology_id) and read
        # every hierarchy row of the ontology at each class deleted (issue 18: tests/test_flat_writer.py)
        + " FROM owl_class_hierarchy h INDEXED BY owl_class_hierarchy_parent"
          " WHERE h.ontology_id = OLD.ontology_id AND h.parent_iri = OLD.class_iri"
          " AND NOT EXISTS (SELECT 1 FROM chg_cls x WHERE x.o = h.ontology_id AND x.iri = h.class_iri);")
    ax = ("INSERT INTO chg_ax (o, s, t, obj, ann, d) VALUES ({r}.ontology_id, {r}.subject, {r}.axiom_type, "
          "{r}.object, {r}.annotations, {d});")
    # WHEN clauses: a save rewrites the rows of every class it may affect (last_synced, the winning
    # file); only a change to what a card shows needs a snapshot.
    cls_when = ("OLD.label IS NOT NEW.label OR OLD.comment IS NOT NEW.comment "
                "OR (OLD.source_file IS NULL) <> (NEW.source_file IS NULL)")
    prop_when = ("OLD.property_type IS NOT NEW.property_type OR OLD.label IS NOT NEW.label "
                 "OR OLD.domain IS NOT NEW.domain OR OLD.range IS NOT NEW.range")
    spec = [
        ("cls_i", "BEFORE INSERT", "owl_classes", "NEW.source_file IS NOT NULL",
         cls("NEW.ontology_id", "NEW.class_iri")),
        ("cls_u", "BEFORE UPDATE", "owl_classes", cls_when, cls("OLD.ontology_id", "OLD.class_iri")),
        ("cls_d", "BEFORE DELETE", "owl_classes", "", cls("OLD.ontology_id", "OLD.class_iri") + children_of_old),
        ("hier_i", "BEFORE INSERT", "owl_class_hierarchy", "", cls("NEW.ontology_id", "NEW.class_iri")),
        ("hier_d", "BEFORE DELETE", "owl_class_hierarchy", "", cls("OLD.ontology_id", "OLD.class_iri")),
        ("syn_i", "BEFORE INSERT", "file_synonyms", "", cls("NEW.ontology_id", "NEW.class_iri")),
        ("syn_d", "BEFORE DELETE", "file_synonyms", "", cls("OLD.ontology_id", "OLD.class_iri")),
        ("prop_i", "BEFORE INSERT", "owl_properties", "", prop("NEW.ontology_id", "NEW.property_iri")),
        ("prop_u", "BEFORE UPDATE", "owl_properties", prop_when, prop("OLD.ontology_id", "OLD.property_iri")),
        ("prop_d", "BEFORE DELETE", "owl_properties", "", prop("OLD.ontology_id", "OLD.property_iri")),
        ("ax_i", "AFTER INSERT", "owl_axioms", "", ax.format(r="NEW", d=1)),
        ("ax_d", "AFTER DELETE", "owl_axioms", "", ax.format(r="OLD", d=-1)),
        ("ax_u", "AFTER UPDATE", "owl_axioms", "", ax.format(r="OLD", d=-1) + ax.format(r="NEW", d=1)),
    ]
    return [f"CREATE TEMP TRIGGER IF NOT EXISTS chg_{name} {when} ON main.{table} "
            f"{'FOR EACH ROW WHEN ' + cond + ' ' if cond else ''}BEGIN {body} END"
            for name, when, table, cond, body in spec]


TEMP_TABLES = (
    "CREATE TEMP TABLE IF NOT EXISTS chg_cls (o TEXT, iri TEXT, card TEXT, PRIMARY KEY (o, iri)) WITHOUT ROWID",
    "CREATE TEMP TABLE IF NOT EXISTS chg_prop (o TEXT, iri TEXT, card TEXT, PRIMARY KEY (o, iri)) WITHOUT ROWID",
    "CREATE TEMP TABLE IF NOT EXISTS chg_ax (o TEXT, s TEXT, t TEXT, obj TEXT, ann TEXT, d INTEGER)",
)
TRIGGER_NAMES = ("cls_i", "cls_u", "cls_d", "hier_i", "hier_d", "syn_i", "syn_d", "prop_i", "prop_u", "prop_d",
                 "ax_i", "ax_d", "ax_u")


@dataclass
class ChangeLog:
    """The log of one run on the writer's connection: `start`, `record()` per save, `finish`."""

    repo: Any  # the Repository: its connection and its `transaction()`
    run_id: int
    fresh: bool = False  # into an empty database: the log is the content, written at the end (changelog_fresh)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.repo.conn

    @classmethod
    def start(cls, repo: Any, revision: str | None, source: str | None, now: str) -> ChangeLog:
        """Open a run (its own small transaction) and arm the triggers on the writer's connection."""
        from ontosync.store import changelog_fresh, deferred_indexes

        conn = repo.conn
        with repo.transaction():
            deferred_indexes.restore(conn)  # a killed first run's indexes (store/deferred_indexes.py)
            changelog_fresh.settle(conn)  # a killed run's log, before this run changes the content
            fresh = changelog_fresh.is_empty(conn)
            if not fresh:
                note_unlogged_start(conn)
            run_id = conn.execute("INSERT INTO runs (revision, source, started_at) VALUES (?, ?, ?)",
                                  (revision, source, now)).lastrowid
            if fresh:
                changelog_fresh.mark_pending(conn, int(run_id))
                deferred_indexes.defer(conn)  # built again by finish()
        if fresh:  # nothing to snapshot: every card starts absent
            return cls(repo, int(run_id), fresh=True)
        for sql in (*TEMP_TABLES, *_trigger_sql()):
            conn.execute(sql)
        for table in ("chg_cls", "chg_prop", "chg_ax"):
            conn.execute(f"DELETE FROM temp.{table}")
        return cls(repo, int(run_id))

    def record(self) -> None:
        """Fold what this transaction changed into the run's log (call inside the transaction)."""
        if self.fresh:  # written at the end, from the content (store/changelog_fresh.py)
            return
        c, run = self.conn, self.run_id
        # One read says which snapshots the save left: most saves touch no property, a skipped page
        # nothing at all (a statement per empty table saved, issue 18).
        has_cls, has_prop, has_ax = c.execute(
            "SELECT EXISTS (SELECT 1 FROM temp.chg_cls), EXISTS (SELECT 1 FROM temp.chg_prop), "
            "EXISTS (SELECT 1 FROM temp.chg_ax)").fetchone()
        for kind, table, card, found in (("class", "chg_cls", class_card_sql, has_cls),
                                         ("property", "chg_prop", property_card_sql, has_prop)):
            if not found:
                continue
            c.execute(
                f"""INSERT INTO run_changes (run_id, kind, ontology_id, iri, item, old, new)
                    SELECT ?, ?, b.o, b.iri, '', b.card, {card('b.o', 'b.iri')} FROM temp.{table} b WHERE 1
                    ON CONFLICT (run_id, kind, ontology_id, iri, item) DO UPDATE SET new = excluded.new""",
                (run, kind))
            c.execute(f"""DELETE FROM run_changes WHERE run_id = ? AND kind = ? AND item = '' AND old IS new
                          AND (ontology_id, iri) IN (SELECT o, iri FROM temp.{table})""", (run, kind))
            c.execute(f"DELETE FROM temp.{table}")
        if has_ax:
            self._record_axioms(run)

    def _record_axioms(self, run: int) -> None:
        c = self.conn
        # An axiom's copies are counted through the index on (ontology_id, subject, axiom_type, object).
        c.execute(
            """INSERT INTO run_changes (run_id, kind, ontology_id, iri, item, old, new)
               SELECT ?, 'axiom', o, COALESCE(s, ''), json_array(t, obj, ann), CASE WHEN n - d > 0 THEN 1 END,
                      CASE WHEN n > 0 THEN 1 END
               FROM (SELECT a.*, (SELECT count(*) FROM owl_axioms x WHERE x.ontology_id = a.o AND x.subject IS a.s
                                  AND x.axiom_type = a.t AND x.object IS a.obj AND x.annotations IS a.ann) AS n
                     FROM (SELECT o, s, t, obj, ann, sum(d) AS d FROM temp.chg_ax GROUP BY o, s, t, obj, ann) a
                     WHERE a.d <> 0)
               WHERE (n > 0) <> (n - d > 0)
               ON CONFLICT (run_id, kind, ontology_id, iri, item) DO UPDATE SET new = excluded.new""", (run,))
        c.execute("""DELETE FROM run_changes WHERE run_id = ? AND kind = 'axiom' AND old IS new
                     AND (ontology_id, iri, item) IN (
                         SELECT o, COALESCE(s, ''), json_array(t, obj, ann) FROM temp.chg_ax)""", (run,))
        c.execute("DELETE FROM temp.chg_ax")

    def finish(self, now: str, keep_runs: int = DEFAULT_KEEP_RUNS) -> int:
        """Close the run, disarm the triggers, prune old runs; returns the run's change count."""
        self.disarm()
        with self.repo.transaction():
            if self.fresh:
                from ontosync.store import changelog_fresh, deferred_indexes

                deferred_indexes.restore(self.conn)
                changelog_fresh.write(self.conn, self.run_id)
            n = self.conn.execute("SELECT count(*) FROM run_changes WHERE run_id = ?", (self.run_id,)).fetchone()[0]
            self.conn.execute("UPDATE runs SET finished_at = ?, changes = ? WHERE id = ?", (now, n, self.run_id))
            prune_runs(self.conn, keep_runs)
        return n

    def finish_or_warn(self, now: str, keep_runs: int) -> list[dict]:
        """`finish`, or the warning of why it could not (a full disk while a first run builds the
        indexes it did without): the run was silent, exit 0. Its files are committed; the next run's
        start closes its log (`changelog_fresh.settle`, `deferred_indexes.restore`)."""
        from ontosync.store.db_errors import database_errors, size_limit_note

        try:
            self.finish(now, keep_runs)
        except database_errors() as exc:  # PostgreSQL's, as Peewee's
            return [{"path": None, "kind": "change-log", "line": None,
                     "message": f"this run's change log could not be closed: {exc}{size_limit_note(exc)}; its "
                                "files are committed, and the next sync closes it"}]
        return []

    def disarm(self) -> None:
        """Stop recording: the TEMP triggers go (PostgreSQL's log overrides this, store/pg/changelog.py)."""
        for name in TRIGGER_NAMES:
            self.conn.execute(f"DROP TRIGGER IF EXISTS temp.chg_{name}")


PRUNED_KEY = "change_log_pruned_through"  # sync_meta: [id, revision] of the newest run pruning deleted


def prune_runs(conn: sqlite3.Connection, keep: int) -> None:
    """Keep the newest `keep` runs that changed something, and every run after the oldest of them.

    Runs that changed nothing cost one small row each; they stay so that `--since REVISION` finds
    the revisions they synced. Killed runs just before the oldest kept one stay too: a killed sync
    and its resumption are one sync to its user (store/run_reads.py `resumed_from`), and a killed run
    has logged changes but no count, so `--keep-runs 1` dropped the killed part of the last sync.
    The newest run deleted is noted (PRUNED_KEY): the oldest kept run's changes are from its end
    state, and without it the diff of that run said it started from an empty database.
    """
    row = conn.execute("SELECT id FROM runs WHERE changes > 0 ORDER BY id DESC LIMIT 1 OFFSET ?",
                       (max(keep, 1) - 1,)).fetchone()
    base = None if row is None else conn.execute(
        "SELECT id, revision FROM runs WHERE id = (SELECT max(id) FROM runs WHERE id < ? AND finished_at IS NOT NULL)",
        (row[0],)).fetchone()
    if base is not None:
        put_meta(conn, PRUNED_KEY, json.dumps([int(base[0]), base[1]]))
        conn.execute("DELETE FROM runs WHERE id <= ?", (base[0],))


def note_unlogged_start(conn: sqlite3.Connection) -> None:
    """A log that starts on a database already holding content (written by an ontosync without the
    change log and upgraded, or carried over from a legacy database) starts from that content: noted
    as the pruned run 0 with the revision the database held, so its first run's diff is not read as
    the whole ontology added to an empty database."""
    from ontosync.store.changelog_fresh import EMPTY

    if conn.execute("SELECT 1 FROM runs LIMIT 1").fetchone() is not None or conn.execute(EMPTY).fetchone()[0] or \
            get_meta(conn, PRUNED_KEY) is not None:
        return
    put_meta(conn, PRUNED_KEY, json.dumps([0, get_meta(conn, "revision")]))


def has_change_log(conn: sqlite3.Connection) -> bool:
    return has_table(conn, "run_changes")


def has_table(conn: sqlite3.Connection, name: str) -> bool:
    if not isinstance(conn, sqlite3.Connection):  # PostgreSQL's (store/pg/dialect.py)
        return conn.has_table(name)
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def classes_removed(conn: Any, run_id: int) -> int:
    """How many classes run `run_id` removed (a card before, none after), counted in its log rather
    than folded into a diff (which looks up every removed class's label): pipeline/emptied.py."""
    return conn.execute("SELECT count(*) FROM run_changes WHERE run_id = ? AND kind = 'class' AND item = '' "
                        "AND old IS NOT NULL AND new IS NULL", (run_id,)).fetchone()[0]
