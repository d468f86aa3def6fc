"""The change log's reads as Peewee queries: one query per question, serving SQLite and PostgreSQL.

`ontosync diff` and the Action's change outputs (store/diff.py, action/changes.py) ask the log which
runs exist, which run a revision names, and what a range of runs changed; the labels of the IRIs
they print come from the contract tables. These are plain selects over the models
(store/changelog_models.py, store/models.py), so Peewee writes each dialect's SQL. What stays
dialect-specific, behind store/diff.py's `_card_sql`: a whole database's cards for `diff --base`
(SQLite's JSON functions, PostgreSQL's class_card()/property_card()).

`RunLog` takes whatever connection the caller holds: a PostgreSQL reader (store/pg/dialect.py's
PgConnection, whose Peewee database it uses) or a sqlite3 connection (adopted by a Peewee
SqliteDatabase that neither configures nor closes it: its owner does).
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from peewee import Database, SqliteDatabase, fn

from ontosync.store import changelog_fresh
from ontosync.store.changelog import PRUNED_KEY
from ontosync.store.changelog_models import CHANGELOG_MODELS, Run, RunChange
from ontosync.store.dialect import is_postgresql
from ontosync.store.models import OwlClass, OwlProperty, SyncMeta


class _Adopted(SqliteDatabase):
    """A Peewee database over an open sqlite3 connection it does not own."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__(":memory:")
        self._adopted = conn

    def _connect(self) -> sqlite3.Connection:
        return self._adopted

    def _close(self, conn: sqlite3.Connection) -> None:
        pass  # the caller's connection: the caller closes it


def peewee_database(conn: Any) -> Database:
    db = getattr(conn, "db", None)
    if isinstance(db, Database):  # PostgreSQL: PgConnection keeps its Peewee database
        return db
    return _Adopted(conn)


@contextmanager
def one_snapshot(conn: Any) -> Iterator[None]:
    """Every read of one diff sees one state of the database (a SQLite read transaction; on
    PostgreSQL a REPEATABLE READ, READ ONLY one).

    Why: a first run's log moves from "pending, read from the content" to "stored" when that run
    finishes (store/changelog_fresh.py); a diff that read the stored rows before that commit and the
    pending mark after it would see the run in neither place. And a database's cards (`diff
    --base`) are three reads: a sync's save committed between them showed part of that save. A
    PostgreSQL reader runs in autocommit, each statement its own snapshot, unless told otherwise.
    """
    postgres = is_postgresql(conn)
    if not (postgres or isinstance(conn, sqlite3.Connection)) or conn.in_transaction:
        yield
        return
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if postgres else "BEGIN")
    try:
        yield
    finally:
        if postgres:
            conn.rollback()  # (nothing sent on a session the server closed: its error is the one said)
        else:
            conn.execute("ROLLBACK")  # it only read


class RunLog:
    """The change log of one database, read through the models."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.db = peewee_database(conn)

    def _bound(self):
        return self.db.bind_ctx((*CHANGELOG_MODELS, OwlClass, OwlProperty))

    def newest(self) -> int:
        """The newest run's id, 0 when none."""
        with self._bound():
            return Run.select(fn.COALESCE(fn.MAX(Run.id), 0)).scalar() or 0

    def exists(self, run: int) -> bool:
        with self._bound():
            return Run.select().where(Run.id == run).exists()

    def revision(self, run: int) -> str | None:
        with self._bound():
            return Run.select(Run.revision).where(Run.id == run).scalar()

    def finished(self, run: int) -> bool:
        """Whether run `run` went to its end (a pruned or unknown run counts as finished)."""
        with self._bound():
            return not Run.select().where((Run.id == run) & Run.finished_at.is_null()).exists()

    def previous(self, run: int) -> int | None:
        with self._bound():
            return Run.select(fn.MAX(Run.id)).where(Run.id < run).scalar()

    @functools.cached_property
    def _pruned(self) -> tuple[int, str | None] | None:
        with self.db.bind_ctx((SyncMeta,)):
            value = SyncMeta.select(SyncMeta.value).where(SyncMeta.key == PRUNED_KEY).scalar()
        if not value:
            return None
        run, revision = json.loads(value)
        return int(run), revision

    def pruned(self) -> tuple[int, str | None] | None:
        """(id, revision) of the newest run pruning deleted (store/changelog.py `prune_runs`), if any:
        read once a RunLog (a read command's; `diff` asks up to four times)."""
        return self._pruned

    def span(self) -> tuple[int, int] | None:
        """(first, last) id of the runs the log keeps; None when it holds none."""
        with self._bound():
            lo, hi = Run.select(fn.MIN(Run.id), fn.MAX(Run.id)).tuples().get()
        return None if lo is None else (lo, hi)

    def kept(self) -> str:
        """The runs kept, as `diff`'s errors name them: `runs kept: 1 to 3`, `run kept: 1` or `no run kept
        yet`. A lone run was "runs kept: 1 to 1"."""
        span = self.span()
        if span is None:
            return "no run kept yet"
        return f"run kept: {span[0]}" if span[0] == span[1] else f"runs kept: {span[0]} to {span[1]}"

    def at_revision(self, since: str, finished: bool = False) -> int | None:
        """The newest run synced at `since`: the full revision, or a prefix of 7 or more characters;
        with `finished`, only a run that finished (a killed run left the database between states).
        Else the pruned run the kept log starts from (`pruned()`), when its revision is so named.
        A revision held whole is never read as a prefix: `abcdef1234` also starts `abcdef12345`, and
        the newer run of that other revision was taken, a diff from a commit nobody named."""
        pruned = self.pruned()
        with self._bound():
            whole = Run.select(Run.id).where(Run.revision == since).exists()
        if whole or (pruned and pruned[1] == since):
            return self._newest_at(Run.revision == since, finished, pruned, lambda r: r == since)
        if len(since) < 7:
            return None
        return self._newest_at(Run.revision.startswith(since), finished, pruned, lambda r: _starts(r, since))

    def _newest_at(self, named: Any, finished: bool, pruned: tuple | None, names: Any) -> int | None:
        """The newest run whose revision `named` selects (finished ones only, with `finished`), else
        the pruned run when `names` its revision."""
        if finished:
            named &= Run.finished_at.is_null(False)
        with self._bound():
            run = Run.select(Run.id).where(named).order_by(Run.id.desc()).limit(1).scalar()
        if run is None and pruned and pruned[1] and names(pruned[1]):
            return pruned[0]
        return run

    def revisions_like(self, prefix: str, limit: int = 3) -> list[str]:
        """Distinct synced revisions that start with `prefix` (up to `limit`), the pruned run's among
        them (`at_revision` finds it too): is a prefix ambiguous?"""
        with self._bound():
            query = (Run.select(Run.revision).where(Run.revision.startswith(prefix)).distinct()
                     .order_by(Run.revision).limit(limit).tuples())
            named = {r for (r,) in query}
        pruned = self.pruned()
        if pruned and pruned[1] and _starts(pruned[1], prefix):
            named.add(pruned[1])
        return sorted(named)[:limit]

    def last_finished(self) -> int:
        """The newest run that finished, 0 when none."""
        with self._bound():
            return Run.select(fn.MAX(Run.id)).where(Run.finished_at.is_null(False)).scalar() or 0

    def resumed_from(self, run: int) -> int:
        """The first of the killed runs just before `run` (`run` when none): a sync killed and run
        again is one sync to its user, so the default diff shows the killed runs' part too."""
        with self._bound():
            finished = (Run.select(fn.MAX(Run.id)).where((Run.id < run) & Run.finished_at.is_null(False))
                        .scalar()) or 0
            first = Run.select(fn.MIN(Run.id)).where((Run.id > finished) & (Run.id <= run)).scalar()
        return first or run

    def last_with_changes(self) -> int:
        """The newest run with logged changes (a run killed before it finished has no count)."""
        with self._bound():
            stored = RunChange.select(fn.MAX(RunChange.run_id)).scalar() or 0
        return max(stored, changelog_fresh.has_rows(self.conn) or 0)  # a first run's log still pending

    def changes(self, first: int, last: int) -> Iterator[tuple]:
        """(kind, ontology, iri, item, old, new) of runs first..last, in run order."""
        with self._bound():
            query = (RunChange.select(RunChange.kind, RunChange.ontology_id, RunChange.iri, RunChange.item,
                                      RunChange.old, RunChange.new)
                     .where(RunChange.run_id.between(first, last)).order_by(RunChange.run_id).tuples())
            yield from query
        yield from changelog_fresh.rows(self.conn, first, last)  # the newest run: none stored after it

    def cards_after(self, run: int) -> dict[tuple[str, str, str], str | None]:
        """(kind, ontology, iri) -> the card (JSON, None when absent) each class and property changed
        after `run` had when `run` finished: the old card of its first change after it. Why: a diff of
        an old run names parents by their labels of that time, and the log after a kept run is whole
        (pruning drops only older runs), while the run that first recorded a class may be gone."""
        out: dict[tuple[str, str, str], str | None] = {}
        with self._bound():
            query = (RunChange.select(RunChange.kind, RunChange.ontology_id, RunChange.iri, RunChange.old)
                     .where((RunChange.run_id > run) & (RunChange.item == "")
                            & RunChange.kind.in_(("class", "property")))
                     .order_by(RunChange.run_id.desc()).tuples())
            stored = list(query)
        pending = [(kind, onto, iri, old) for kind, onto, iri, _item, old, _new  # the newest run, when pending
                   in changelog_fresh.rows(self.conn, run + 1, self.newest()) if kind in ("class", "property")]
        for kind, onto, iri, old in pending + stored:  # newest first: the first change after `run` wins
            out[(kind, onto, iri)] = old
        return out

    def label(self, onto: str, iri: str) -> str | None:
        """The head database's label of a class, else of a property."""
        with self._bound():
            for model, key in ((OwlClass, OwlClass.class_iri), (OwlProperty, OwlProperty.property_iri)):
                found = (model.select(model.label).where((model.ontology_id == onto) & (key == iri)
                                                         & model.label.is_null(False)).limit(1).scalar())
                if found is not None:
                    return found
        return None


def _starts(revision: str, prefix: str) -> bool:
    """`revision` starts with `prefix`, in any case: as the SQL `startswith` (LIKE, ILIKE) matches."""
    return revision.lower().startswith(prefix.lower())
