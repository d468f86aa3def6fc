"""The benchmark's PostgreSQL cases (issue 15): the same runs as `corpus-full` and
`corpus-one-changed`, into a schema on a server, and their ratio to the SQLite runs.

The server is `ONTOSYNC_BENCH_POSTGRES_URL`, else `ONTOSYNC_TEST_POSTGRES_URL` (`bash
.ci/postgres.sh up` prints one); without either the cases are skipped. Each case syncs into its
own schema (`bench_<case>`), dropped before each full run and at the end.
"""

from __future__ import annotations

import os
import re

PREFIX = "pg-"  # pg-corpus-full is corpus-full into PostgreSQL


def is_url(db: object) -> bool:
    return str(db).startswith(("postgresql://", "postgres://"))


def server() -> str | None:
    return os.environ.get("ONTOSYNC_BENCH_POSTGRES_URL") or os.environ.get("ONTOSYNC_TEST_POSTGRES_URL")


def why_skipped() -> str | None:
    return None if server() else "no PostgreSQL server (set ONTOSYNC_BENCH_POSTGRES_URL; .ci/postgres.sh up)"


def url_for(case: str) -> str:
    base = server() or ""
    schema = "bench_" + re.sub(r"[^a-z0-9]+", "_", case.lower())
    return f"{base}{'&' if '?' in base else '?'}schema={schema}"


def drop(url: str) -> None:
    """Drop the case's schema (its database, for the benchmark's purposes)."""
    import psycopg2

    from ontosync.db_url import split_schema

    dsn, schema = split_schema(url)
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    try:
        conn.cursor().execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        conn.close()


def add_ratios(results: dict[str, dict]) -> None:
    """Each pg- case's median wall time over its SQLite twin's (`pg_vs_sqlite`)."""
    for name in [n for n in results if n.startswith(PREFIX)]:
        twin = results.get(name.removeprefix(PREFIX))
        if twin:
            ours = results[name]["median"]
            ours["pg_vs_sqlite"] = round(ours["wall_s"] / twin["median"]["wall_s"], 2)
