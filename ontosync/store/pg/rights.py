"""Whether the session's role may read (or write) the ontosync store in a schema, asked before it does.

An organisation gives each service a role of its own: a read-only role for `search`, `diff`,
`status` and plain SELECTs, a writer per source. A role the DBA forgot to grant saw the wrong
thing: `information_schema` lists only what a role may use, so a store it could not read was "no
ontosync store (run `ontosync sync` into it first)" (`?schema=`) or "ontosync schemas on this
server: none"; an owner that lost USAGE got PostgreSQL's three lines (`relation "owl_classes" does
not exist`, `LINE 1: ...`, a caret), exit 3, and `diff` "no change log yet". The catalogs
(`pg_class`, `pg_namespace`) show every schema's tables whatever the role may do, so the store is
found there and the missing rights are named, with the GRANTs that give them (exit 2, as a missing
TEMPORARY right is: nothing is wrong with the data).
"""

from __future__ import annotations

from ontosync.store.pg.foreign import OURS, ForeignSchema

READ = "SELECT"
# Tables every command reads: without a right on one of them the role was not granted the store at
# all. A role granted once, before a later migration added a table, is not refused here for that
# table (the command that needs it says "permission denied for table ..." itself).
CORE = frozenset({"schema_migrations", "source_files", "owl_classes"})
WRITE = "SELECT, INSERT, UPDATE, DELETE"


def store_schemas(conn, readable: bool = False, only: str | None = None) -> list[str]:
    """The schemas holding an ontosync store (ontosync's schema_migrations: foreign.OURS, and a source_files
    table), whatever the role may read in them; or, `readable`, only those it may (USAGE, SELECT on
    schema_migrations); `only`: that one schema, if it is one (every connection asks: not a list of
    the whole server)."""
    mine = (" AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege((SELECT c.oid FROM pg_class c "
            "WHERE c.relnamespace = n.oid AND c.relname = 'schema_migrations'), 'SELECT')") if readable else ""
    if only is not None:
        mine += " AND n.nspname = ?"
    rows = conn.execute(
        f"""SELECT n.nspname FROM pg_namespace n WHERE {OURS}
           AND EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid AND c.relname = 'source_files'
                       AND c.relkind IN ('r', 'p')){mine}
           ORDER BY 1""", () if only is None else (only,)).fetchall()
    return [r[0] for r in rows]


def missing(conn, schema: str, rights: str = READ) -> str | None:
    """One line naming the rights the role lacks on the store in `schema` and the GRANTs for them,
    or None when it has them all (or the schema holds no store: that is the caller's to say)."""
    if not store_schemas(conn, only=schema):
        return None
    role, usage = conn.execute("SELECT current_user, has_schema_privilege(n.oid, 'USAGE') FROM pg_namespace n "
                               "WHERE n.nspname = ?", (schema,)).fetchone()
    checks = " AND ".join(f"has_table_privilege(c.oid, '{r.strip()}')" for r in rights.split(","))
    kinds = "'r', 'p', 'v'" if rights == READ else "'r', 'p'"  # readers read the views too; writers write tables
    short = [r[0] for r in conn.execute(
        f"""SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relkind IN ({kinds}) AND NOT ({checks}) ORDER BY 1""",
        (schema,)).fetchall()]
    if usage and not CORE.intersection(short):  # a table a later migration added, not granted yet: its query says
        return None
    named = ", ".join(short[:3]) + (", ..." if len(short) > 3 else "")
    lacks = ([] if usage else [f"USAGE on schema {schema}"]) + (
        [f"{rights} on {len(short)} of its tables and views ({named})"] if short else [])
    return (f"role {role} may not use the ontosync store in schema {schema}: it lacks {' and '.join(lacks)}; "
            f'nothing was changed. A DBA gives them with GRANT USAGE ON SCHEMA "{schema}" TO "{role}"; '
            f'GRANT {rights} ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"')


class CannotCreate(ForeignSchema):
    """The role may not create tables in the schema its pending migrations need (exit 2, as a
    schema of another program: a configuration to change, nothing wrong with the data)."""


def require_create(conn, schema: str) -> None:
    """Raise CannotCreate unless the role may create in `schema` (asked before pending migrations
    run). Why: a DBA who made the schema and granted USAGE only saw "fatal: migration ... failed and
    was rolled back: permission denied for schema ...", exit 3, as if the migration were broken."""
    role, may = conn.execute("SELECT current_user, (SELECT has_schema_privilege(n.oid, 'CREATE') FROM pg_namespace n "
                             "WHERE n.nspname = ?)", (schema,)).fetchone()
    if may is False:  # (None: no such schema, the migration's own error says it)
        raise CannotCreate(f"role {role} may not create ontosync's tables in schema {schema}: it lacks CREATE on "
                           f'schema {schema}; nothing was written. A DBA gives it with GRANT CREATE ON SCHEMA '
                           f'"{schema}" TO "{role}"')
