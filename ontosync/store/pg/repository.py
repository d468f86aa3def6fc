"""The writer on PostgreSQL: store/repository.py's per-file steps, run through the dialect layer.

`PgRepository` is the SQLite `Repository` with a different connection: the steps (replace the
file's rows, re-point links across files, recompute the touched classes and properties, each file
in one transaction) are inherited, not copied; their SQL goes through store/pg/dialect.py. What
differs is only what the two databases do differently:

- the transaction: `BEGIN` (PostgreSQL's row locks replace SQLite's database-wide write lock);
- the save's work tables: session-local `TEMP` tables, analysed once so plans know they are small;
- the change log: the schema's triggers (migrations/postgresql/004), armed for the run by a
  session setting, in place of SQLite's TEMP triggers (store/pg/changelog.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ontosync.parsing import DEFAULT_NAMESPACES
from ontosync.store import migrations
from ontosync.store.entity_counts import entity_counts
from ontosync.store.fresh_run import FreshRun
from ontosync.store.models import database_proxy
from ontosync.store.pg import database, owner
from ontosync.store.pg.changelog import PgChangeLog
from ontosync.store.pg.foreign import ForeignSchema
from ontosync.store.repository import Repository, StoreError
from ontosync.store.semsql import ReadersLayer

PLANNER_SAMPLE = 8  # rows a save's temp table typically holds
# Each temp table's key. aff_names holds link keys (a page name, a link's text as written), which
# may be longer than a btree entry holds (~2,700 bytes): its key is their md5 (postgresql/010).
TEMP_KEYS = {"aff_classes": "(o, iri)", "aff_children": "(o, iri)", "aff_props": "(o, iri)",
             "aff_names": "(o, md5(iri))"}


class PgRepository(Repository):
    """One source's schema on a PostgreSQL server; used by the single writer of a run."""

    def __init__(self, target: database.PgTarget, default_ontology: str = "default",
                 lock_timeout: float = 0.0, busy_timeout: float = 30.0) -> None:
        self.target = target
        self.db_path = target.shown
        self.default_ontology = default_ontology
        self.db, self.conn = database.connect(target, "ontosync sync", writer=True, busy_timeout=busy_timeout)
        try:
            database.acquire_lock(self.conn, target, lock_timeout)
        except BaseException:
            self.db.close()  # busy, or interrupted while waiting: no session left behind
            raise
        database_proxy.initialize(self.db)
        self._temp_ready = False
        self._filled = ("aff_classes", "aff_children", "aff_props", "aff_names")
        self.fingerprint = None
        self.changes = None
        self.readers = ReadersLayer(DEFAULT_NAMESPACES)  # the sync sets its configured one
        self._fresh = FreshRun()  # never fresh on PostgreSQL (store/fresh_run.py): every save looks up its path
        self._watch: database.BlockerWatch | None = None
        self._blocker: tuple | None = None  # the session the last watch saw in the way

    def close(self) -> None:
        self.stop_watching()
        self.db.close()  # ends the session: the advisory lock and the temp tables go with it

    def watch_blockers(self) -> None:
        """From a save's first retry on, a second session asks who blocks the writer's (the
        busy line named nobody: "kept failing with deadlocks or lock waits")."""
        if self._watch is None:
            self._watch, self._blocker = database.BlockerWatch(self.conn), None

    def stop_watching(self) -> None:
        if self._watch is not None:
            self._watch.close()
            self._blocker, self._watch = self._watch.seen, None

    def busy_line(self, exc: BaseException, busy_timeout: float) -> str:
        from ontosync.db_url import mask
        from ontosync.store.db_errors import first_line

        self.stop_watching()
        held, then = "", "run again"
        if self._blocker is not None:
            held = f", held up by {database.describe_session(self._blocker)}"
            then = "run again once that session's transaction ends"
        return (f"database busy: {self.db_path} kept failing with deadlocks or lock waits through {busy_timeout:g} s "
                f"of retries (--busy-timeout){held}: {mask(first_line(exc))}. Nothing was lost; {then}.")

    def counts(self) -> dict[str, int]:
        """The report's counts; on a new session when the writer's is gone. Why: a sync whose session
        the server ended (exit 3) reported 0 classes, though the files saved before were committed."""
        import peewee

        try:
            return super().counts()
        except (peewee.DatabaseError, peewee.InterfaceError) as exc:
            lost = exc  # a new session counts, or fails with the count's own error
        try:
            db, conn = database.connect(self.target, "ontosync counts", create=False)
        except database.PgLockBusy:  # the server takes no session now: the lost one's error stands
            raise lost from None
        try:
            return entity_counts(conn.execute)
        finally:
            db.close()

    def ensure_schema(self, busy_timeout: float = 30.0) -> list[str]:
        """Migrate the schema (waiting up to `busy_timeout` s for tables other sessions hold: exit 4
        past it, database.PgLockBusy) and claim a derived schema for its source."""
        try:
            done = database.migrate(self.conn, self.target.schema, busy_timeout)
            if self.target.owner is not None:
                owner.claim(self.conn, self.target.schema, self.target.owner)
            return done
        except ForeignSchema:
            raise  # a configuration error (exit 2), not a failed migration
        except migrations.MigrationError as exc:
            raise StoreError(str(exc)) from exc

    def drop_unsynced(self) -> bool:
        """Drop the schema this session created when the sync stopped before storing any file (a
        source it could not read: exit 2), as a first SQLite sync's file is removed (sync_paths.
        remove_unsynced). Why: the empty, migrated schema stayed, and `status` listed it as a store
        of 0 files. A schema made before this run (a DBA's, with its grants) is never dropped.
        Whether it was dropped."""
        if not self.conn.created_schema or self.conn.in_transaction or self.holds_files():
            return False
        self.conn.execute(f'DROP SCHEMA "{self.target.schema}" CASCADE')
        return True

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN")
        try:
            yield
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")
        except BaseException:
            self.conn.rollback()
            self._temp_ready = False  # the rollback took the temp tables this transaction made
            raise

    def _temp_tables(self) -> None:
        if self._temp_ready:
            return
        for name, key in TEMP_KEYS.items():
            # analysed once holding a few rows, so the planner knows they are small (PLANNER_SAMPLE)
            self.conn.execute(f'CREATE TEMP TABLE IF NOT EXISTS {name} (o TEXT COLLATE "C", iri TEXT COLLATE "C")')
            self.conn.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {name}_key ON {name} {key}")
            self.conn.executemany(f"INSERT INTO {name} VALUES (?, ?)",
                                  [("o", f"sample{i}") for i in range(PLANNER_SAMPLE)])
            self.conn.execute(f"ANALYZE {name}")
            self.conn.execute(f"DELETE FROM {name}")
        self._temp_ready = True

    def start_change_log(self, repo: Any, revision: str | None, source: str | None, now: str) -> PgChangeLog:
        """The run's change log, through the schema's triggers (store/pg/changelog.py)."""
        return PgChangeLog.start(repo, revision, source, now)
