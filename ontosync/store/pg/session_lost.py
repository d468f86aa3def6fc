"""What to tell a user when the server, not the data, stopped a sync's write.

A PostgreSQL server can end a write for reasons of its own: restarted or shut down (`pg_ctl
restart`), a session killed (`pg_terminate_backend`, `idle_session_timeout`), a statement
cancelled by the role's or the database's `statement_timeout`. The driver's words for these
("SSL connection has been closed unexpectedly", "canceling statement due to statement timeout")
said neither what happened nor that nothing was lost: each file's save is one transaction, so
the files saved before are kept and the next sync resumes where this one stopped.
"""

from __future__ import annotations

from ontosync.store.db_errors import first_line

# SQLSTATEs the server sends before it ends a session: admin_shutdown, crash_shutdown,
# idle_in_transaction_session_timeout, idle_session_timeout
ENDED_CODES = frozenset({"57P01", "57P02", "25P03", "57P05"})
# libpq's words when the connection went away without a SQLSTATE reaching the client
ENDED_WORDS = ("closed unexpectedly", "server closed the connection", "connection already closed",
               "terminating connection", "no connection to the server")
KEPT = "the files saved before it are kept; run the sync again to resume"
MIGRATION_KEPT = "nothing of it was applied; run again"  # a migration is one transaction


def explain(exc: BaseException, kept: str = KEPT) -> str | None:
    """One line saying why the server stopped this write and what to do, or None when `exc` is not
    the server's doing (a SQLite error, a constraint, ...). `kept`: what the write leaves and how
    to go on (a save's words by default; a migration's are MIGRATION_KEPT)."""
    code = _pgcode(exc)
    said = first_line(exc)  # the server's or driver's words, kept
    words = said.lower()
    if code == "57014" and "statement timeout" in words:
        return (f"the server's statement_timeout (set on the role or the database) cancelled a statement ({said}); "
                f"{kept} with a longer one: add `options=-c%20statement_timeout%3D0` to the URL")
    if code in ENDED_CODES or (code is None and _from_postgres(exc) and any(w in words for w in ENDED_WORDS)):
        return ("the server ended the session (restarted, shut down, or a timeout such as idle_session_timeout: "
                f"{said}); {kept}")
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and what it wraps: Peewee keeps the driver's error as `orig`, a re-raise as the cause."""
    return [c for c in (exc, getattr(exc, "orig", None), exc.__cause__, exc.__context__) if c is not None]


def _pgcode(exc: BaseException) -> str | None:
    return next((c.pgcode for c in _chain(exc) if getattr(c, "pgcode", None)), None)


def _from_postgres(exc: BaseException) -> bool:
    """Raised by psycopg2: SQLite has words like these too."""
    return any(type(c).__module__.startswith("psycopg2") for c in _chain(exc))
