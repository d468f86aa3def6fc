"""Reading the change log: one run, the runs since a revision, or two databases compared directly.

The log's reads are Peewee queries (store/run_reads.py), the same on SQLite and PostgreSQL; a whole
database's cards for `--base` are each dialect's own SQL (`_card_sql`).

Each way ends in the same `ChangeSet` (a list of folded `Change`s plus what was compared), and
`ChangeSet.to_json()` gives CONTRACT section 7's JSON. Labels are those of the change set's head: for
an old run, what the log says they were when it finished; else the head database's; then the cards
the change set itself holds (a removed class keeps its old label), so a run log and a direct
comparison of the same two states render the same JSON.
"""

from __future__ import annotations

import json
import re
import shlex
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ontosync.options import SQL_INT_MAX
from ontosync.store.changelog import AXIOM_ITEM, class_card_sql, has_change_log, property_card_sql
from ontosync.store.dialect import is_postgresql
from ontosync.store.health import damaged_database
from ontosync.store.read_only import connect_read_only, is_busy, no_database_to_read, unreadable
from ontosync.store.run_reads import RunLog, one_snapshot


class DiffError(Exception):
    """The selection cannot be made (no such run or revision, not an ontosync database): exit 2."""


@dataclass
class Change:
    kind: str  # class | property | axiom
    ontology: str
    iri: str
    item: str
    old: Any  # card dict, True for a present axiom, None when absent
    new: Any


@dataclass
class ChangeSet:
    base: dict
    head: dict
    changes: list[Change] = field(default_factory=list)

    def to_json(self, conn: sqlite3.Connection | None = None) -> dict:
        return _render(self, _Labels(conn, self.changes, self.head.get("run")))


# -- selecting runs ----------------------------------------------------------------------------------

def _run_info(log: RunLog, run_id: int | None) -> dict:
    """The JSON of a side: run 0 is the content the log started from (changelog.note_unlogged_start)."""
    pruned = log.pruned() if run_id is not None else None
    if pruned is not None and pruned[0] == run_id:  # its row is gone, not its revision
        return {"run": run_id, "revision": pruned[1]}
    if not run_id:
        return {"run": None, "revision": None}
    return {"run": run_id, "revision": log.revision(run_id)}


def _before(log: RunLog, first: int) -> int | None:
    """The run whose end state run `first` started from: the run before it, else the newest run
    pruning deleted (the kept log starts there, not from an empty database), else None."""
    previous = log.previous(first)
    if previous is None:
        pruned = log.pruned()
        if pruned is not None and pruned[0] < first:
            return pruned[0]
    return previous


def fold_runs(conn: sqlite3.Connection, first: int, last: int) -> list[Change]:
    """The net change of runs first..last (inclusive): per key the first old value, the last new."""
    folded: dict[tuple, list] = {}
    for kind, onto, iri, item, old, new in RunLog(conn).changes(first, last):
        key = (kind, onto, iri, item)
        if key in folded:
            folded[key][1] = new
        else:
            folded[key] = [old, new]
    out = []
    for (kind, onto, iri, item), (old, new) in folded.items():
        if old != new:
            out.append(Change(kind, onto, iri, item, _value(kind, old, iri), _value(kind, new, iri)))
    return out


def _value(kind: str, raw: Any, iri: str = "") -> Any:
    if raw is None:
        return None
    return True if kind == "axiom" else card_of(raw, kind, iri)


class LogDamaged(Exception):
    """The change log holds a value no sync writes (a damaged or hand-edited database): exit 3."""


_TEXTS = ("label", "definition", "type", "domain", "range")


def card_of(raw: Any, kind: str, iri: str) -> dict:
    """A class's or property's card from the log, checked: the readers took any JSON for one, and a
    damaged row ended `diff` in a traceback (`'list' object has no attribute 'get'`)."""
    try:
        card = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        card = None
    if isinstance(card, dict) and all(isinstance(card.get(k), (str, type(None))) for k in _TEXTS) \
            and all(isinstance(card.get(k, []), list) and all(isinstance(x, str) for x in card.get(k, []))
                    for k in ("parents", "synonyms")):
        return card
    raise LogDamaged(f"the change log is damaged: {kind} <{iri}> holds a value no ontosync writes")


def select_runs(conn: sqlite3.Connection, run: int | None = None, since: str | None = None,
                after_run: int | None = None) -> ChangeSet:
    """`--run ID`, `--since REVISION`, runs after `after_run`, or by default the last run that
    changed something (the newest run when none did)."""
    if not has_change_log(conn):
        raise DiffError("this database has no change log yet (run `ontosync sync` or `ontosync migrate` on it)")
    log = RunLog(conn)
    newest = log.newest()
    if run is not None:
        if not 1 <= run <= SQL_INT_MAX or not log.exists(run):  # (past SQL's integers: no run, not OverflowError)
            raise DiffError(f"no run {run} in the change log ({log.kept()})")
        first = last = run
        base = _run_info(log, _before(log, run))
    elif since is not None:
        since = _one_revision(log, since)
        at = log.at_revision(since, finished=True)
        if at is None:
            killed = log.at_revision(since)
            raise DiffError(f"the run at revision {since} (run {killed}) did not finish, so the database never "
                            f"held that revision; use --run {killed} or an earlier --since" if killed else
                            _not_synced(log, since))
        first, last = at + 1, newest
        base = _run_info(log, at)
    elif after_run is not None:
        first, last = after_run + 1, newest
        base = _run_info(log, after_run)
    else:
        # from the rows themselves: a run killed before it finished has its changes but no count;
        # when no run changed anything, the newest run (a log begun on content it held, then a sync
        # that changed nothing, read "empty -> the content before the change log")
        last = log.last_with_changes() or newest
        first = log.resumed_from(last) if last else last
        base = _run_info(log, _before(log, first) if first else None)
    changes = fold_runs(conn, first, last) if last >= first else []
    return ChangeSet(base, _run_info(log, last if last >= first else newest), changes)


def _not_synced(log: RunLog, since: str) -> str:
    """Why no run is at `since`. Why a name gets its own words: runs record the commit they synced,
    and `--since main` (`HEAD~1`, a tag) read "no run at revision main", as if none ran there."""
    if re.fullmatch(r"[0-9a-fA-F]+", since):
        return f"no run at revision {since} in the change log ({log.kept()})"
    return (f"--since {since}: the change log records the commit each run synced, not branch or tag names: "
            f"give the commit's SHA (`git rev-parse {shlex.quote(since)}` prints it)")


def _one_revision(log: RunLog, since: str) -> str:
    """The revision `--since` names: itself, or the one synced revision it is a prefix of (7 or more
    characters). Why: of two commits sharing a prefix the newest run's was taken, silently giving
    the runs after a commit the user did not mean; git refuses such a prefix, and so does this."""
    since = since.strip()
    if not since:
        raise DiffError("--since needs a revision: a commit SHA, or its first 7 or more characters")
    named = log.revisions_like(since)
    if since in named or not named:
        return since
    if len(since) < 7:
        raise DiffError(f"--since {since} is too short: give 7 or more characters of the revision")
    if len(named) > 1:
        first, second = named[:2]  # each up to where they differ: at 12, two could read the same
        same = next((i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b), len(first))
        shown = ", ".join(r[:max(12, same + 1)] for r in named[:2]) + (" and more" if len(named) > 2 else "")
        raise DiffError(f"--since {since} is ambiguous: it starts the revisions {shown}; give more characters")
    return named[0]


# -- comparing two databases -------------------------------------------------------------------------

def _card_sql(conn: Any) -> tuple:
    """The card SQL of the connection's database (SQLite's, or PostgreSQL's functions)."""
    if is_postgresql(conn):
        from ontosync.store.pg import changelog as pg

        return pg.class_card_sql, pg.property_card_sql
    return class_card_sql, property_card_sql


def _canonical(item: str) -> str:
    """An axiom item as compact JSON, so SQLite's and PostgreSQL's spellings of it compare equal."""
    return json.dumps(json.loads(item), ensure_ascii=False, separators=(",", ":"))


def snapshot(conn: Any) -> dict[tuple, Any]:
    """Every card and axiom of a database, keyed like the change log's rows."""
    class_card_sql, property_card_sql = _card_sql(conn)
    out: dict[tuple, Any] = {}
    for o, iri, card in conn.execute(
            "SELECT ontology_id, class_iri, " + class_card_sql("c0.ontology_id", "c0.class_iri")
            + " FROM owl_classes c0 WHERE c0.source_file IS NOT NULL"):
        out[("class", o, iri, "")] = json.loads(card)
    for o, iri, card in conn.execute(
            "SELECT ontology_id, property_iri, " + property_card_sql("p0.ontology_id", "p0.property_iri")
            + " FROM owl_properties p0"):
        out[("property", o, iri, "")] = json.loads(card)
    for o, s, item in conn.execute("SELECT DISTINCT ontology_id, COALESCE(subject, ''), "
                                   + AXIOM_ITEM.format(t="owl_axioms") + " FROM owl_axioms"):
        out[("axiom", o, s, _canonical(item))] = True
    return out


def compare_databases(head: Any, base_path: str | Path, head_name: str, base_conn: Any = None) -> ChangeSet:
    """`--base`: the base a SQLite file at `base_path`, or an open connection (a PostgreSQL schema,
    then `base_path` is only its name)."""
    before = snapshot(base_conn) if base_conn is not None else _file_snapshot(base_path)
    after = _head_snapshot(head, head_name)
    changes = [Change(k[0], k[1], k[2], k[3], before.get(k), after.get(k))
               for k in before.keys() | after.keys() if before.get(k) != after.get(k)]
    return ChangeSet({"database": str(base_path)}, {"database": head_name}, changes)


def _head_snapshot(head: Any, head_name: str) -> dict[tuple, Any]:
    """The head's cards; an older SQLite head says how to upgrade it, as an older base does (it was
    exit 3, "fatal: no such table: file_synonyms", as for a damaged file)."""
    return _snapshot_or_older(head, head_name)


def _snapshot_or_older(conn: Any, name: str | Path, otherwise: str | None = None) -> dict[tuple, Any]:
    """`conn`'s cards. A SQLite database an older ontosync wrote is a DiffError saying how to
    upgrade it; another unreadable one is the DiffError `otherwise: <error>` when given, else the
    error itself. A busy database (exit 4) or a damaged one (exit 3) is always the error itself."""
    try:
        return snapshot(conn)
    except sqlite3.DatabaseError as exc:
        if is_busy(exc) or damaged_database(exc, name):  # (damaged: no older ontosync's, nor another program's)
            raise
        older = upgrade_advice(conn, name) if isinstance(conn, sqlite3.Connection) else None
        if older is None and otherwise is None:
            raise
        raise DiffError(older or f"{otherwise}: {exc}") from exc


class BaseFailed(sqlite3.OperationalError):
    """The base database's own error, named as the base's (not the head's): busy, exit 4 and a
    `busy:` line (it was exit 3, "fatal", naming the head), or unreadable or damaged, exit 3 saying why
    (it was "fatal: HEAD.db: unable to open database file", sending the user to the readable one)."""

    def __init__(self, path: str | Path, exc: sqlite3.Error):
        super().__init__(str(exc))
        self.database = str(path)


def _file_snapshot(base_path: str | Path) -> dict[tuple, Any]:
    try:
        base_conn = open_readonly(base_path)
        try:
            with one_snapshot(base_conn):  # its three reads: one state of a base a sync commits to meanwhile
                return _snapshot_or_older(base_conn, base_path, f"{base_path} is not an ontosync database")
        finally:
            base_conn.close()
    except sqlite3.DatabaseError as exc:  # a damaged base: it was "is not an ontosync database", exit 2
        cannot_open = isinstance(exc, sqlite3.OperationalError) and unreadable(base_path)
        if is_busy(exc) or damaged_database(exc, base_path) or cannot_open:
            raise BaseFailed(base_path, exc) from None
        raise


def upgrade_advice(conn: sqlite3.Connection, path: str | Path) -> str | None:
    """Why a database whose reading failed is an older ontosync database or a legacy one (L1, L2,
    L3), and how to upgrade it (None when it is neither): the reading needs tables of later
    migrations (`file_synonyms`, 002), and "not an ontosync database" sent users of an older
    release's artifact, or of a legacy database `migrate` converts, the wrong way. A newer
    ontosync's database (migrations this release lacks, whose tables it may have changed) says so:
    it read "not an ontosync database" as a base, and "fatal" (a damaged file) as the head."""
    from ontosync.store.legacy import L1, L2, L3, SHAPE_TITLES
    from ontosync.store.migrations import applied_versions, available_migrations
    from ontosync.store.shapes import detect
    from ontosync.store.upgrade_errors import MigrationFailed

    upgrade = f"upgrade it with `ontosync migrate --db {shlex.quote(str(path))}` (a backup is kept)"
    try:
        applied = applied_versions(conn)
        shape = None if applied else detect(conn).shape
    except (sqlite3.DatabaseError, MigrationFailed):
        return None
    if shape in (L1, L2, L3):
        return f"{path} is a legacy database ({SHAPE_TITLES[shape]}): {upgrade}"
    newest = max(m.version for m in available_migrations())
    if later := _later(applied, newest, path):  # it was "not an ontosync database", or "fatal"
        return later
    if not applied or max(applied) >= newest:
        return None
    return (f"{path} is an older ontosync database (schema {max(applied):03d}; this ontosync reads "
            f"{newest:03d}): {upgrade}")


def _later(applied: dict[int, str], newest: int, path: str | Path) -> str:
    """The sentence for the database at `path` with migrations after this release's `newest` (""
    when none)."""
    later = sorted(v for v in applied if v > newest)
    if not later:
        return ""
    return (f"{path} was written by a newer ontosync (migration {', '.join(map(str, later))}; this release "
            f"reads up to {newest:03d}): upgrade ontosync to read it")


def newer_advice(conn: sqlite3.Connection, path: str | Path) -> str | None:
    """`upgrade_advice`'s sentence for a database a newer ontosync wrote, None for any other (or one
    that cannot be asked). For a reading of the change log that failed (`diff --db`): it was
    "fatal: database error: no such column", as for a damaged file."""
    from ontosync.store.migrations import applied_versions, available_migrations

    try:
        applied = applied_versions(conn)
    except sqlite3.DatabaseError:
        return None
    return _later(applied, max(m.version for m in available_migrations()), path) or None


def open_readonly(path: str | Path) -> sqlite3.Connection:
    """read_only.connect_read_only, with a missing file (or a Git LFS pointer) said as the diff's own
    error (exit 2)."""
    if problem := no_database_to_read(path):
        raise DiffError(problem)
    return connect_read_only(path)


# -- JSON ----------------------------------------------------------------------------------------------

class _Labels:
    """Label of an IRI as of the change set's head: for a head run older than the newest, the label
    the log says it had then (store/run_reads.py `cards_after`); else the head database's; else a
    card in the change set; else None."""

    def __init__(self, conn: sqlite3.Connection | None, changes: list[Change], as_of: int | None = None) -> None:
        self.log = RunLog(conn) if conn is not None else None
        # JSON, decoded in place at its first look-up: a parent named by many children is decoded once,
        # and the log after an old run (it may be long) is not decoded where no change names it
        self.then: dict[tuple[str, str, str], str | dict | None] = {}
        if self.log is not None and as_of and as_of < self.log.newest():
            self.then = self.log.cards_after(as_of)
        self.cards: dict[tuple[str, str], str] = {}
        for ch in changes:
            for card in (ch.old, ch.new):
                if isinstance(card, dict) and card.get("label"):
                    self.cards.setdefault((ch.ontology, ch.iri), card["label"])

    def __call__(self, onto: str, iri: str) -> str | None:
        for key in (("class", onto, iri), ("property", onto, iri)):
            if key in self.then:
                card = self.then[key]
                if isinstance(card, str):
                    card = self.then[key] = card_of(card, key[0], iri)
                if card is not None:  # declared then: its label then, even none
                    return card.get("label")
                if (onto, iri) in self.cards:  # not declared then: the change set's card is nearer than today
                    return self.cards[(onto, iri)]
        found = self.log.label(onto, iri) if self.log is not None else None
        return found if found is not None else self.cards.get((onto, iri))


def _entry(ch: Change, label: str | None, **extra: Any) -> dict:
    entry = {"iri": ch.iri, "label": label, **extra}
    if ch.ontology != "default":
        entry["ontology"] = ch.ontology
    return entry


def _sort_key(entry: dict) -> tuple:
    return ((entry.get("label") or entry["iri"]).casefold(), entry["iri"], entry.get("ontology", ""))


def _class_changes(ch: Change, labels: _Labels) -> dict:
    old, new = ch.old, ch.new
    out: dict[str, Any] = {}
    if old.get("label") != new.get("label"):
        out["label"] = [old.get("label"), new.get("label")]
    if old.get("definition") != new.get("definition"):
        out["definition"] = [old.get("definition"), new.get("definition")]
    for key, name in (("parents", "parents"), ("synonyms", "synonyms")):
        before, after = set(old.get(key) or []), set(new.get(key) or [])
        if name == "parents":
            added = [{"iri": p, "label": labels(ch.ontology, p)} for p in sorted(after - before)]
            removed = [{"iri": p, "label": labels(ch.ontology, p)} for p in sorted(before - after)]
        else:
            added, removed = sorted(after - before), sorted(before - after)
        if added:
            out[f"{name}_added"] = added
        if removed:
            out[f"{name}_removed"] = removed
    return out


def _sections(changes: list[Change], kind: str, labels: _Labels) -> dict[str, list]:
    added, removed, changed = [], [], []
    for ch in changes:
        if ch.kind != kind:
            continue
        extra = {}
        if kind == "property":
            extra = {"type": (ch.new or ch.old).get("type")}
        if ch.old is None:
            added.append(_entry(ch, ch.new.get("label"), **extra))
        elif ch.new is None:
            removed.append(_entry(ch, ch.old.get("label"), **extra))
        else:
            diff = _class_changes(ch, labels) if kind == "class" else {
                k: [ch.old.get(k), ch.new.get(k)] for k in ("type", "label", "domain", "range")
                if ch.old.get(k) != ch.new.get(k)}
            changed.append(_entry(ch, ch.new.get("label"), **extra, changes=diff))
    return {name: sorted(rows, key=_sort_key) for name, rows in
            (("added", added), ("removed", removed), ("changed", changed))}


def _render(cs: ChangeSet, labels: _Labels) -> dict:
    per_subject: dict[tuple[str, str], list[int]] = {}
    for ch in cs.changes:
        if ch.kind == "axiom":
            counts = per_subject.setdefault((ch.ontology, ch.iri), [0, 0])
            counts[0 if ch.new else 1] += 1
    by_subject = sorted((_entry(Change("axiom", o, s, "", None, None), labels(o, s), added=a, removed=r)
                         for (o, s), (a, r) in per_subject.items()), key=_sort_key)
    classes = _sections(cs.changes, "class", labels)
    properties = _sections(cs.changes, "property", labels)
    return {
        "base": cs.base,
        "head": cs.head,
        "counts": {**{f"classes_{k}": len(v) for k, v in classes.items()},
                   **{f"properties_{k}": len(v) for k, v in properties.items()}},
        "classes": classes,
        "properties": properties,
        "axioms": {"added": sum(a for a, _ in per_subject.values()),
                   "removed": sum(r for _, r in per_subject.values()),
                   "by_subject": by_subject},
    }
