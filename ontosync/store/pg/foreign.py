"""Refusing a PostgreSQL schema that holds another program's tables under the names ontosync uses.

An organisation's server has schemas ontosync did not make: `?schema=public` of an application,
a Rails `schema_migrations` (a `version` column, no `checksum`), a view or table called
`owl_classes` or `source_files`. Migrating into such a schema failed half-way through 001 with
PostgreSQL's "relation ... already exists", or on `column "checksum" does not exist` (exit 3, the
server's words). It is SQLite's "not a database ontosync can upgrade": refused before anything is
written, with the names in the way, exit 2 (a configuration error: choose another schema).
"""

from __future__ import annotations

import re

from ontosync.store.migrations import Migration, MigrationError

CREATED = re.compile(r'CREATE\s+(?:UNIQUE\s+|OR\s+REPLACE\s+)?(?:TABLE|VIEW|MATERIALIZED\s+VIEW|INDEX|SEQUENCE)\s+'
                     r'(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)', re.IGNORECASE)


class ForeignSchema(MigrationError):
    """The schema holds relations ontosync did not make under the names it creates (exit 2)."""


def refuse_foreign(conn, schema: str, available: list[Migration]) -> None:
    """Raise ForeignSchema unless the schema is ontosync's (its schema_migrations has a checksum
    column) or holds none of the relations the migrations create. Reads only."""
    found = in_the_way(conn, schema, available)
    if found:
        raise ForeignSchema(
            f"schema {schema} is not an ontosync store but holds {', '.join(found)}, names ontosync's tables take "
            "(another program's?). Nothing was written; give ontosync a schema of its own (?schema=NAME in the URL)")


def in_the_way(conn, schema: str, available: list[Migration]) -> list[str]:
    """The relations of another program in `schema` under the names the migrations create (none when
    the schema is ontosync's). The read commands ask it too: on such a schema they met the server's
    words (`column "checksum" does not exist`, exit 3) where a sync refuses the schema, exit 2."""
    if is_ours(conn, schema):
        return []
    names = sorted({m.lower() for mig in available for m in CREATED.findall(mig.sql)})
    return [r[0] for r in conn.execute(
        "SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
        "WHERE n.nspname = ? AND c.relname = ANY(?) ORDER BY 1", (schema, names)).fetchall()]


# ontosync's schema_migrations, of the schema `n` (a pg_namespace row): a table with both a `version`
# and a `checksum` column (a Rails one has `version` only). The one definition the list of stores
# (store/pg/rights.py) and the refusal of another program's schema (is_ours) ask: they asked it
# apart (`checksum` only, and information_schema `version` and `checksum`), so another program's table
# with a checksum and no version was listed as a store, then refused as not one. Of pg_attribute,
# which shows every table's columns whatever the role may read (information_schema shows only those
# it may use, so a store the role was not granted looked like another program's).
OURS = """EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid AND c.relname = 'schema_migrations'
                  AND c.relkind IN ('r', 'p')
                  AND (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
                       AND NOT a.attisdropped AND a.attname IN ('version', 'checksum')) = 2)"""


def is_ours(conn, schema: str) -> bool:
    """Whether the schema's schema_migrations is ontosync's (OURS)."""
    row = conn.execute(f"SELECT {OURS} FROM pg_namespace n WHERE n.nspname = ?", (schema,)).fetchone()
    return bool(row and row[0])  # (no row: no such schema)
