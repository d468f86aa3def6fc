"""The change log on PostgreSQL: store/changelog.py's run, with the triggers of
migrations/postgresql/004 in place of SQLite's TEMP triggers.

Why a subclass: what a run records, how it folds (the first old value and the last new one per
key, a key dropped when they are equal) and how old runs are pruned are the same on both
databases and stay in store/changelog.py. What differs is only how the triggers are armed
(PostgreSQL has no temporary triggers: the schema's triggers fire while the session's
`ontosync.run` is set) and the SQL of a card (PostgreSQL's JSON functions, `class_card()` and
`property_card()` in the migration). The snapshots are session-local tables, so two syncs of
different sources on one server never see each other's.
"""

from __future__ import annotations

from typing import Any

from ontosync.store.changelog import ChangeLog, note_unlogged_start

TEMP_TABLES = (
    'CREATE TEMP TABLE IF NOT EXISTS chg_cls (o TEXT COLLATE "C", iri TEXT COLLATE "C", card TEXT, '
    "PRIMARY KEY (o, iri))",
    'CREATE TEMP TABLE IF NOT EXISTS chg_prop (o TEXT COLLATE "C", iri TEXT COLLATE "C", card TEXT, '
    "PRIMARY KEY (o, iri))",
    "CREATE TEMP TABLE IF NOT EXISTS chg_ax (o TEXT, s TEXT, t TEXT, obj TEXT, ann TEXT, d INTEGER)",
)


def class_card_sql(o: str, iri: str) -> str:
    """store/changelog.py's card expression, PostgreSQL's: the migration's function (`diff --base`)."""
    return f"class_card({o}, {iri})"


def property_card_sql(o: str, iri: str) -> str:
    return f"property_card({o}, {iri})"


class PgChangeLog(ChangeLog):
    """One run's log on the PostgreSQL writer's session: the start and the end differ from SQLite's
    (a session setting arms the schema's triggers), `record()` is one call of the schema's
    function; `finish()` and the pruning are SQLite's, through the dialect layer."""

    @classmethod
    def start(cls, repo: Any, revision: str | None, source: str | None, now: str) -> PgChangeLog:
        conn = repo.conn
        with repo.transaction():
            note_unlogged_start(conn)
            run_id = conn.execute("INSERT INTO runs (revision, source, started_at) VALUES (?, ?, ?) RETURNING id",
                                  (revision, source, now)).fetchone()[0]
        for sql in TEMP_TABLES:
            conn.execute(sql)
        for table in ("chg_cls", "chg_prop", "chg_ax"):
            conn.execute(f"DELETE FROM pg_temp.{table}")
        conn.execute("SELECT set_config('ontosync.run', ?, false)", (str(run_id),))  # arms the triggers
        return cls(repo, int(run_id))

    def record(self) -> None:
        """Fold what this transaction changed into the run's log: the schema's chg_record(), the
        same steps as SQLite's `record()` in one round trip (migrations/postgresql/004)."""
        self.conn.execute("SELECT chg_record(?)", (self.run_id,))

    def disarm(self) -> None:
        if self.conn.in_transaction:  # a save that failed mid-way: its snapshots went with it
            self.conn.rollback()
        self.conn.execute("SELECT set_config('ontosync.run', '', false)")
