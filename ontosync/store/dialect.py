"""Which database a connection speaks, asked in one place.

A SQLite connection is `sqlite3.Connection`; PostgreSQL's is store/pg/dialect.py's `PgConnection`,
which names itself (`dialect = "postgresql"`). Code that writes each dialect's own SQL asks
`is_postgresql`; `bulk_statements.is_sqlite` answers another question ("take SQLite's bulk path"),
which tests turn off on SQLite to compare that path with per-row upkeep, so the two stay apart.
"""

from __future__ import annotations

from typing import Any


def is_postgresql(conn: Any) -> bool:
    return getattr(conn, "dialect", "sqlite") == "postgresql"
